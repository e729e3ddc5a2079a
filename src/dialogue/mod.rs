//! Dialogue: the policy that turns an intent and the session's context into an action, the skills
//! that carry it out, and the composition of the reply.
//!
//! - [`responses`]: the reply templates of `prompts/responses.yaml`, checked when loaded, rendered
//!   by [`Template`](responses::Template) so code cannot name a template that does not exist.
//! - [`faq`]: the shop's details and policy answers of `prompts/faq.yaml`.

mod assistant;
mod cart;
mod kinds;
mod console;
pub mod cues;
mod orders;
pub mod compose;
pub mod faq;
pub mod policy;
pub mod preferences;
mod product;
mod resolve;
pub mod responses;
mod shop;
pub mod ssml;

use std::path::{Path, PathBuf};

pub use assistant::{Assistant, Input, ShopSettings, Turn};
pub use orders::{TurnContext, day, invoice_message};

/// Errors of the dialogue layer.
#[derive(Debug, thiserror::Error)]
pub enum DialogueError {
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
    /// A prompts file that cannot be used; `message` names the key or entry at fault.
    #[error("{}: {message}", path.display())]
    Config { path: PathBuf, message: String },
    /// The shopper's input cannot be acted on (an unknown action); the message says why.
    #[error("{0}")]
    BadInput(String),
    #[error(transparent)]
    Catalog(#[from] crate::catalog::CatalogError),
    #[error(transparent)]
    Nlu(#[from] crate::nlu::NluError),
    #[error(transparent)]
    Orders(#[from] crate::orders::StoreError),
    #[error(transparent)]
    Events(#[from] crate::events::store::EventStoreError),
}

impl DialogueError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> DialogueError {
        DialogueError::Io { path: path.to_path_buf(), source }
    }

    pub(crate) fn config(path: &Path, message: impl Into<String>) -> DialogueError {
        DialogueError::Config { path: path.to_path_buf(), message: message.into() }
    }
}

/// One piece of a text with `{name}` placeholders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Piece<'a> {
    Text(&'a str),
    Var(&'a str),
}

/// Splits `text` into literal text and `{name}` placeholders (`name`: lower-case letters, digits,
/// `_`). A brace that does not belong to a placeholder is an error: templates have no escapes,
/// because shop text never needs a literal brace.
pub(crate) fn split_placeholders(text: &str) -> Result<Vec<Piece<'_>>, String> {
    let mut pieces = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find(['{', '}']) {
        if rest[open..].starts_with('}') {
            return Err(format!("`}}` without an opening `{{` in \"{text}\""));
        }
        let Some(len) = rest[open + 1..].find('}') else {
            return Err(format!("`{{` without a closing `}}` in \"{text}\""));
        };
        let name = &rest[open + 1..open + 1 + len];
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_') {
            return Err(format!("bad placeholder {{{name}}} in \"{text}\""));
        }
        if open > 0 {
            pieces.push(Piece::Text(&rest[..open]));
        }
        pieces.push(Piece::Var(name));
        rest = &rest[open + 1 + len + 1..];
    }
    if !rest.is_empty() {
        pieces.push(Piece::Text(rest));
    }
    Ok(pieces)
}

/// The sentences of `text`, trimmed: a run of `.`, `!` or `?` followed by white space or the
/// end closes one, and any words after the last close one more. A dot inside a word or number
/// ("$5.99", "aisle-demo.example") closes nothing; pieces without a letter or digit are not
/// sentences.
pub(crate) fn sentences(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let next = chars.peek().map(|&(_, n)| n);
        if matches!(c, '.' | '!' | '?') && next.is_none_or(char::is_whitespace) {
            out.push(&text[start..i + c.len_utf8()]);
            start = i + c.len_utf8();
        }
    }
    out.push(&text[start..]);
    out.into_iter().map(str::trim).filter(|s| s.chars().any(char::is_alphanumeric)).collect()
}

/// How many [`sentences`] `text` has.
pub(crate) fn sentence_count(text: &str) -> usize {
    sentences(text).len()
}

/// The first piece of markup in `text`, if any: characters that Markdown or HTML would read as
/// formatting, or a web address. Text that a voice assistant reads out must have none.
pub(crate) fn find_markup(text: &str) -> Option<&str> {
    if let Some(i) = text.find(MARKUP_CHARS) {
        return Some(&text[i..i + 1]);
    }
    ["http://", "https://", "www."].into_iter().find(|a| text.contains(a))
}

/// Characters that Markdown or HTML read as formatting (all ASCII).
pub(crate) const MARKUP_CHARS: [char; 12] = ['*', '_', '#', '`', '~', '|', '<', '>', '[', ']', '{', '}'];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_are_counted_by_their_ends() {
        assert_eq!(sentence_count(""), 0);
        assert_eq!(sentence_count("Yes"), 1);
        assert_eq!(sentence_count("Yes. We ship to Canada"), 2);
        assert_eq!(sentence_count("Hello! How are you? Fine."), 3);
        assert_eq!(sentence_count("Shipping is $5.99, free over $50."), 1);
        assert_eq!(sentence_count("Write to support@aisle-demo.example."), 1);
        assert_eq!(sentence_count("Wait... what?!"), 2);
        assert_eq!(sentence_count("Call us (9am to 6pm)."), 1);
    }

    #[test]
    fn placeholders_are_split_out() {
        assert_eq!(
            split_placeholders("Hi {name}, {n_2}!").unwrap(),
            vec![Piece::Text("Hi "), Piece::Var("name"), Piece::Text(", "), Piece::Var("n_2"), Piece::Text("!")]
        );
        assert_eq!(split_placeholders("{a}{b}").unwrap(), vec![Piece::Var("a"), Piece::Var("b")]);
        assert_eq!(split_placeholders("").unwrap(), vec![]);
        assert!(split_placeholders("open { brace").unwrap_err().contains("without a closing"));
        assert!(split_placeholders("close } brace").unwrap_err().contains("without an opening"));
        assert!(split_placeholders("a {Bad Name}").unwrap_err().contains("{Bad Name}"));
        assert!(split_placeholders("a {}").is_err());
    }

    #[test]
    fn markup_is_found() {
        assert_eq!(find_markup("Plain words, $5.99 and 10% off."), None);
        assert_eq!(find_markup("**bold**"), Some("*"));
        assert_eq!(find_markup("see https://example.com"), Some("https://"));
        assert_eq!(find_markup("a <b>tag</b>"), Some("<"));
    }
}

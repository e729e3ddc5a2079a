//! Other companies and services: marketplaces, delivery and travel apps, streaming and social
//! accounts, public services (`elsewhere.txt`). A shopper who asks about "my swiggy order" or
//! "my netflix subscription" is not asking this shop. A name the catalog carries as a brand, or
//! the shop's own name, is never read as elsewhere. Tokens are not consumed: the name is a fact
//! about the message, not a product word.

use std::collections::HashMap;
use std::sync::OnceLock;

use super::context::Ctx;
use super::tokens::{Kind, tokenize};

const NAMES: &str = include_str!("elsewhere.txt");

/// The names as their folded words, by first word.
fn names() -> &'static HashMap<String, Vec<Vec<String>>> {
    static NAMES_BY_FIRST: OnceLock<HashMap<String, Vec<Vec<String>>>> = OnceLock::new();
    NAMES_BY_FIRST.get_or_init(|| {
        let mut by_first: HashMap<String, Vec<Vec<String>>> = HashMap::new();
        for line in NAMES.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
            let words = words_of(line);
            if let Some(first) = words.first() {
                by_first.entry(first.clone()).or_default().push(words);
            }
        }
        for list in by_first.values_mut() {
            list.sort_by_key(|w| std::cmp::Reverse(w.len()));
        }
        by_first
    })
}

/// The folded words of a name or text, symbols left out ("booking.com" → booking, com).
pub(super) fn words_of(text: &str) -> Vec<String> {
    tokenize(text).into_iter().filter(|t| t.kind != Kind::Sym).map(|t| t.norm).collect()
}

/// Words that say the message is about this shop, whatever other company it names ("my two
/// accounts with you, one gmail one outlook").
const THIS_SHOP: [&[&str]; 8] = [&["with", "you"], &["from", "you"], &["your", "site"], &["your", "app"], &["your", "store"], &["your", "shop"], &["your", "website"], &["you", "guys"]];

impl Ctx<'_> {
    pub(super) fn elsewhere(&mut self) {
        let words: Vec<&str> = self.toks.iter().filter(|t| t.kind != Kind::Sym).map(|t| t.norm.as_str()).collect();
        if words.windows(2).any(|pair| THIS_SHOP.contains(&pair)) {
            return;
        }
        let names = names();
        for start in 0..words.len() {
            let Some(candidates) = names.get(words[start]) else { continue };
            let found = candidates.iter().find(|name| words[start..].starts_with(&name.iter().map(String::as_str).collect::<Vec<_>>()));
            if let Some(name) = found.filter(|name| !self.lex.is_own(name)) {
                self.slots.elsewhere = Some(name.join(" "));
                return;
            }
        }
    }
}

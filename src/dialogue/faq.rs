//! The shop's details and policy answers, from `prompts/faq.yaml`.
//!
//! Each [`FaqEntry`] pairs the ways shoppers ask a question with the shop's answer, as text and as
//! speech. [`Faq::texts`] lists the questions for the caller to embed; matching a message to an
//! entry is done elsewhere. Answers and speech may name the shop's details as placeholders
//! ([`SHOP_PLACEHOLDERS`]), filled in when loaded so that a change to `shop` reaches every answer.

use std::collections::HashMap;
use std::fs;
use std::path::Path;

use serde::Deserialize;

use super::{DialogueError, Piece, find_markup, sentence_count, split_placeholders};

/// The placeholders that answers and speech may use, each filled from [`ShopInfo`].
pub const SHOP_PLACEHOLDERS: &[&str] =
    &["shop", "support_email", "support_phone", "support_hours", "return_window_days", "cancellation_rule"];

/// The shop's own details.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShopInfo {
    pub name: String,
    pub support_email: String,
    pub support_phone: String,
    /// When people answer, as a phrase ("Monday to Saturday, 9am to 6pm (UTC)").
    pub support_hours: String,
    /// Days after delivery in which an item can be returned; the returns flow enforces it.
    pub return_window_days: u32,
    /// Until when an order can be cancelled, as a phrase that follows "cancel" ("before shipment").
    pub cancellation_rule: String,
}

impl ShopInfo {
    fn value(&self, placeholder: &str) -> Option<String> {
        Some(match placeholder {
            "shop" => self.name.clone(),
            "support_email" => self.support_email.clone(),
            "support_phone" => self.support_phone.clone(),
            "support_hours" => self.support_hours.clone(),
            "return_window_days" => self.return_window_days.to_string(),
            "cancellation_rule" => self.cancellation_rule.clone(),
            _ => return None,
        })
    }
}

/// One policy question and its answer.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaqEntry {
    /// Unique and stable: logs and tests name entries by it.
    pub id: String,
    /// A grouping such as "shipping" or "returns".
    pub topic: String,
    /// Ways shoppers ask it; a message is matched against these.
    pub questions: Vec<String>,
    /// The reply text, with the shop's details filled in.
    pub answer: String,
    /// What a voice assistant reads out: plain words, at most two sentences.
    pub speech: String,
}

/// The policies of `prompts/faq.yaml`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Faq {
    pub shop: ShopInfo,
    pub entries: Vec<FaqEntry>,
}

impl Faq {
    /// Reads and checks `path`: the shop's details are present and the return window is positive;
    /// entry ids are unique; every entry has a topic, questions and an answer; no question belongs
    /// to two entries; placeholders are among [`SHOP_PLACEHOLDERS`]; speech is at most two
    /// sentences without markup.
    pub fn load(path: &Path) -> Result<Faq, DialogueError> {
        let text = fs::read_to_string(path).map_err(|e| DialogueError::io(path, e))?;
        Faq::parse(&text).map_err(|message| DialogueError::config(path, message))
    }

    /// Parses and checks the text of a FAQ file (see [`Faq::load`]).
    pub fn parse(text: &str) -> Result<Faq, String> {
        // Through `Value`, whose mappings refuse a duplicate key: a struct keeps the last silently.
        let value: serde_norway::Value = serde_norway::from_str(text).map_err(|e| e.to_string())?;
        let mut faq: Faq = serde_norway::from_value(value).map_err(|e| e.to_string())?;
        let shop = &faq.shop;
        for (field, value) in [
            ("name", &shop.name),
            ("support_email", &shop.support_email),
            ("support_phone", &shop.support_phone),
            ("support_hours", &shop.support_hours),
            ("cancellation_rule", &shop.cancellation_rule),
        ] {
            if value.trim().is_empty() {
                return Err(format!("shop.{field} is empty"));
            }
        }
        if shop.return_window_days == 0 {
            return Err("shop.return_window_days must be more than 0".to_string());
        }
        if faq.entries.is_empty() {
            return Err("no entries".to_string());
        }
        let mut ids: HashMap<&str, usize> = HashMap::new();
        let mut questions: HashMap<String, &str> = HashMap::new();
        for (i, entry) in faq.entries.iter().enumerate() {
            let id = entry.id.trim();
            if id.is_empty() {
                return Err(format!("entry {} has no id", i + 1));
            }
            if ids.insert(id, i).is_some() {
                return Err(format!("duplicate id `{id}`"));
            }
            if entry.topic.trim().is_empty() {
                return Err(format!("`{id}` has no topic"));
            }
            if entry.questions.is_empty() {
                return Err(format!("`{id}` has no questions"));
            }
            for question in &entry.questions {
                let normalized = question.trim().to_lowercase();
                if normalized.is_empty() {
                    return Err(format!("`{id}` has an empty question"));
                }
                if let Some(other) = questions.insert(normalized, id) {
                    return Err(format!("question \"{}\" is in both `{other}` and `{id}`", question.trim()));
                }
            }
            if entry.answer.trim().is_empty() {
                return Err(format!("`{id}` has no answer"));
            }
            if entry.speech.trim().is_empty() {
                return Err(format!("`{id}` has no speech"));
            }
        }
        let shop = faq.shop.clone();
        for entry in &mut faq.entries {
            let id = entry.id.trim().to_string();
            entry.id = id.clone();
            entry.answer = fill(&shop, entry.answer.trim()).map_err(|e| format!("`{id}` answer: {e}"))?;
            entry.speech = fill(&shop, entry.speech.trim()).map_err(|e| format!("`{id}` speech: {e}"))?;
            let sentences = sentence_count(&entry.speech);
            if sentences > 2 {
                return Err(format!("`{id}` speech has {sentences} sentences; at most 2 are read out"));
            }
            if let Some(markup) = find_markup(&entry.speech) {
                return Err(format!("`{id}` speech has markup ({markup}); it must be plain words"));
            }
        }
        Ok(faq)
    }

    /// (entry index, question) for every question of every entry, in file order.
    pub fn texts(&self) -> Vec<(usize, &str)> {
        self.entries
            .iter()
            .enumerate()
            .flat_map(|(i, entry)| entry.questions.iter().map(move |q| (i, q.trim())))
            .collect()
    }

    /// The entry with this id.
    pub fn entry(&self, id: &str) -> Option<&FaqEntry> {
        self.entries.iter().find(|e| e.id == id)
    }
}

/// The FAQ questions embedded, to find the entry closest in meaning to a message.
#[derive(Debug, Clone, Default)]
pub struct FaqIndex {
    /// (entry index, embedding) of every question of every entry.
    questions: Vec<(usize, Vec<f32>)>,
}

impl FaqIndex {
    /// The questions of `faq` (in the order of [`Faq::texts`]) with their embeddings
    /// (L2-normalized vectors, one a question).
    pub fn new(faq: &Faq, embeddings: Vec<Vec<f32>>) -> FaqIndex {
        FaqIndex { questions: faq.texts().iter().map(|(i, _)| *i).zip(embeddings).collect() }
    }

    /// The entry whose question is closest to `query` (an L2-normalized embedding), with the
    /// cosine similarity.
    pub fn best(&self, query: &[f32]) -> Option<(usize, f32)> {
        self.questions
            .iter()
            .map(|(i, e)| (*i, e.iter().zip(query).map(|(a, b)| a * b).sum::<f32>()))
            .max_by(|a, b| a.1.total_cmp(&b.1))
    }
}

/// `text` with the shop's placeholders filled in.
fn fill(shop: &ShopInfo, text: &str) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    for piece in split_placeholders(text)? {
        match piece {
            Piece::Text(text) => out.push_str(text),
            Piece::Var(name) => match shop.value(name) {
                Some(value) => out.push_str(&value),
                None => {
                    let allowed: Vec<String> = SHOP_PLACEHOLDERS.iter().map(|p| format!("{{{p}}}")).collect();
                    return Err(format!("unknown placeholder {{{name}}}; answers take {}", allowed.join(", ")));
                }
            },
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shipped_path() -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("prompts/faq.yaml")
    }

    const SMALL: &str = r#"
shop:
  name: "Test Shop"
  support_email: "help@test.example"
  support_phone: "+1 555 0199"
  support_hours: "weekdays, 9am to 5pm"
  return_window_days: 14
  cancellation_rule: "within an hour of ordering"
entries:
  - id: returns
    topic: returns
    questions: ["how do returns work here", "  can i send it back  "]
    answer: "You have {return_window_days} days. Write to {support_email}."
    speech: "You have {return_window_days} days to return it."
  - id: cancel
    topic: orders
    questions: ["can i cancel"]
    answer: "You can cancel {cancellation_rule}."
    speech: "You can cancel {cancellation_rule}. Ask {shop} for help."
"#;

    #[test]
    fn shipped_file_loads() {
        let faq = Faq::load(&shipped_path()).unwrap();
        assert!((30..=45).contains(&faq.entries.len()), "{} entries", faq.entries.len());
        assert_eq!(faq.shop.return_window_days, 30);
        let returns = faq.entry("returns_policy").unwrap();
        assert!(returns.answer.contains("within 30 days of delivery"), "{}", returns.answer);
        assert!(returns.answer.contains("support@aisle-demo.example"));
        let texts = faq.texts();
        assert_eq!(texts.len(), faq.entries.iter().map(|e| e.questions.len()).sum::<usize>());
        // The first question of the first entry, read from the file apart from the parser.
        let raw: serde_norway::Value = serde_norway::from_str(&std::fs::read_to_string(shipped_path()).unwrap()).unwrap();
        let first = raw["entries"][0]["questions"][0].as_str().unwrap();
        assert_eq!(texts[0], (0, first));
    }

    #[test]
    fn shipped_entries_are_well_formed() {
        let faq = Faq::load(&shipped_path()).unwrap();
        for entry in &faq.entries {
            let id = &entry.id;
            assert!((5..=8).contains(&entry.questions.len()), "{id}: {} questions", entry.questions.len());
            assert!((1..=4).contains(&sentence_count(&entry.answer)), "{id}: answer of 1 to 4 sentences");
            for text in [&entry.answer, &entry.speech] {
                assert!(!text.contains('{') && !text.contains('}'), "{id}: unfilled placeholder in {text}");
                assert!(!text.contains("  ") && !text.contains('\n'), "{id}: stray white space in {text}");
            }
        }
    }

    #[test]
    fn shipped_speech_is_short_and_plain() {
        let faq = Faq::load(&shipped_path()).unwrap();
        for entry in &faq.entries {
            let speech = &entry.speech;
            assert!(sentence_count(speech) <= 2, "{}: {speech}", entry.id);
            assert_eq!(find_markup(speech), None, "{}: {speech}", entry.id);
            assert!(!speech.contains('@'), "{}: an email address is not for reading out: {speech}", entry.id);
            assert!(speech.len() <= 200, "{}: {} characters is long to hear: {speech}", entry.id, speech.len());
        }
    }

    #[test]
    fn shipped_thresholds_agree() {
        // The free shipping thresholds are stated per region and again in the summary entries.
        let faq = Faq::load(&shipped_path()).unwrap();
        let text = |id: &str| {
            let entry = faq.entry(id).unwrap();
            format!("{} {}", entry.answer, entry.speech)
        };
        for (id, over) in [
            ("shipping_us", "over $50"),
            ("shipping_india", "over $25"),
            ("shipping_canada", "over $100"),
            ("shipping_uk_eu", "over $100"),
            ("shipping_international", "over $150"),
        ] {
            assert!(text(id).contains(over), "{id}: {over}");
            let amount = over.trim_start_matches("over ");
            assert!(text("shipping_free").contains(amount), "shipping_free lacks {amount} of {id}");
        }
        assert!(text("shipping_options").contains("$50") && text("minimum_order").contains("$50"));
    }

    #[test]
    fn placeholders_are_filled_and_text_trimmed() {
        let faq = Faq::parse(SMALL).unwrap();
        assert_eq!(faq.entries[0].answer, "You have 14 days. Write to help@test.example.");
        assert_eq!(faq.entries[1].speech, "You can cancel within an hour of ordering. Ask Test Shop for help.");
        assert_eq!(faq.texts(), vec![(0, "how do returns work here"), (0, "can i send it back"), (1, "can i cancel")]);
        assert_eq!(faq.entry("cancel").unwrap().topic, "orders");
        assert!(faq.entry("nope").is_none());
    }

    #[test]
    fn duplicate_id_is_named() {
        let text = SMALL.replace("id: cancel", "id: returns");
        assert_eq!(Faq::parse(&text).unwrap_err(), "duplicate id `returns`");
        let err = Faq::load(Path::new("/nonexistent/faq.yaml")).unwrap_err();
        assert!(matches!(err, DialogueError::Io { .. }), "{err}");
    }

    #[test]
    fn bad_entries_are_named() {
        let cases = [
            (SMALL.replace("[\"can i cancel\"]", "[]"), "`cancel` has no questions"),
            (SMALL.replace("[\"can i cancel\"]", "[\"  \"]"), "`cancel` has an empty question"),
            (SMALL.replace("[\"can i cancel\"]", "[\"Can I send it back\"]"), "question \"Can I send it back\" is in both `returns` and `cancel`"),
            (SMALL.replace("\"You can cancel {cancellation_rule}.\"", "\" \""), "`cancel` has no answer"),
            (SMALL.replace("topic: orders", "topic: \"\""), "`cancel` has no topic"),
            (SMALL.replace("return_window_days: 14", "return_window_days: 0"), "shop.return_window_days must be more than 0"),
            (SMALL.replace("\"Test Shop\"", "\"\""), "shop.name is empty"),
            (
                SMALL.replace("Ask {shop} for help.", "Ask {shop} for help. Or not."),
                "`cancel` speech has 3 sentences; at most 2 are read out",
            ),
            (
                SMALL.replace("Ask {shop} for help.", "Ask **{shop}** for help."),
                "`cancel` speech has markup (*); it must be plain words",
            ),
            (
                SMALL.replace("Write to {support_email}.", "Write to {support_mail}."),
                "`returns` answer: unknown placeholder {support_mail}; answers take {shop}, {support_email}, \
                 {support_phone}, {support_hours}, {return_window_days}, {cancellation_rule}",
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(Faq::parse(&text).unwrap_err(), expected);
        }
        assert!(Faq::parse(&SMALL.replace("topic: orders", "topic: orders\n    tags: [x]")).unwrap_err().contains("tags"));
        assert!(Faq::parse(&SMALL.replace("return_window_days: 14", "return_window_days: thirty")).is_err());
        let err = Faq::parse(&SMALL.replace("topic: orders", "topic: orders\n    topic: returns")).unwrap_err();
        assert!(err.contains("duplicate") && err.contains("topic"), "{err}");
    }
}

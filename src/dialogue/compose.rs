//! Composing a reply: the draft a skill produces becomes the wire [`Reply`], with `speech`
//! shaped to be spoken (plain words, at most two sentences, at most three items) and, on the
//! voice channel, `text` shaped the same way.

use crate::catalog::Product;
use crate::protocol::{Cart, Channel, Comparison, IntentRef, OrderView, ProductCard, QuickReply, Reply, SessionStatus};

/// Most sentences spoken.
const SPEECH_SENTENCES: usize = 2;
/// Most items read out.
const SPEECH_ITEMS: usize = 3;
/// Most words of a product title read out.
const SPOKEN_TITLE_WORDS: usize = 6;

/// The quick reply that accepts an offer of a person (the policy reads it as "affirm").
pub const OFFER_PERSON: (&str, &str) = ("Talk to a person", "yes, connect me with a person");

/// What a skill answers, before it is shaped for the channel.
#[derive(Debug, Default)]
pub struct Draft {
    pub text: String,
    /// Names to read out after the first sentence ("A, B and C").
    pub spoken_items: Vec<String>,
    /// Words to speak instead of ones derived from the text.
    pub speech: Option<String>,
    pub products: Vec<ProductCard>,
    pub comparison: Option<Comparison>,
    pub cart: Option<Cart>,
    pub order: Option<OrderView>,
    pub quick_replies: Vec<QuickReply>,
    /// A change of who answers the conversation (handoff).
    pub status: Option<SessionStatus>,
}

impl Draft {
    pub fn text(text: impl Into<String>) -> Draft {
        Draft { text: text.into(), ..Draft::default() }
    }

    pub fn with_quick_replies(mut self, replies: &[(&str, &str)]) -> Draft {
        self.quick_replies.extend(replies.iter().map(|(label, text)| quick_reply(label, text)));
        self
    }

    /// Shows products as cards, reading out the first few names.
    pub fn with_products(mut self, products: &[Product]) -> Draft {
        self.spoken_items = products.iter().take(SPEECH_ITEMS).map(|p| spoken_title(p)).collect();
        self.products = products.iter().map(ProductCard::from).collect();
        self
    }
}

pub fn quick_reply(label: &str, text: &str) -> QuickReply {
    QuickReply { label: label.to_string(), text: text.to_string() }
}

/// The wire reply for a draft (`seq` and `in_reply_to` are set by the session).
pub fn reply(draft: Draft, intent: Option<IntentRef>, channel: Channel) -> Reply {
    let speech = draft.speech.unwrap_or_else(|| speech(&draft.text, &draft.spoken_items));
    let text = if channel == Channel::Voice { speech.clone() } else { draft.text };
    let ssml = (channel == Channel::Voice).then(|| super::ssml::ssml(&speech));
    Reply {
        seq: 0,
        in_reply_to: None,
        text,
        speech,
        ssml,
        intent,
        products: draft.products,
        comparison: draft.comparison,
        order: draft.order,
        cart: draft.cart,
        quick_replies: draft.quick_replies,
    }
}

/// Speakable words: the first sentences of the text, then up to three item names. A sentence
/// with a web address is left out whole (a link is shown, not read), so what is spoken is
/// always complete sentences.
pub fn speech(text: &str, items: &[String]) -> String {
    let mut sentences: Vec<String> = super::sentences(text).into_iter().filter(|s| !has_link(s)).map(plain_words).collect();
    sentences.retain(|s| s.chars().any(char::is_alphanumeric));
    sentences.truncate(if items.is_empty() { SPEECH_SENTENCES } else { SPEECH_SENTENCES - 1 });
    let mut out = sentences.join(" ");
    if !items.is_empty() {
        let names: Vec<String> = items.iter().take(SPEECH_ITEMS).map(|i| plain_words(i).replace('.', "")).collect();
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&format!("{}.", join_words(&names)));
    }
    out
}

/// "1 item", "3 items".
pub fn counted(n: usize, noun: &str) -> String {
    if n == 1 { format!("1 {noun}") } else { format!("{n} {noun}s") }
}

/// "A", "A and B", "A, B and C".
pub fn join_words(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// A product's name as spoken: the title up to a dash, bracket or comma, at most six words.
pub fn spoken_title(product: &Product) -> String {
    let title = product.title.split([' ', '\t']).filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" ");
    let cut = title.find([',', '(', '[', '|']).unwrap_or(title.len());
    let cut = title[..cut].find(" - ").unwrap_or(cut);
    title[..cut].split(' ').take(SPOKEN_TITLE_WORDS).collect::<Vec<_>>().join(" ")
}

/// Whether a word is a web address.
fn is_link(word: &str) -> bool {
    word.contains("://") || word.starts_with("www.")
}

fn has_link(text: &str) -> bool {
    text.split_whitespace().any(is_link)
}

/// Text without markup characters, URLs or repeated spaces.
fn plain_words(text: &str) -> String {
    let words: Vec<&str> = text.split_whitespace().filter(|w| !is_link(w)).collect();
    words
        .join(" ")
        .chars()
        .filter(|c| !super::MARKUP_CHARS.contains(c))
        .collect::<String>()
        .trim()
        .to_string()
}

/// Money as a shopper reads it: `$12.99`, `₹499`, `€30`, else `12.99 CHF`.
pub fn money(amount: f64, currency: &str) -> String {
    // `+ 0.0` turns a negative zero (the sum of nothing, or a rounded -0.001) into zero: never "₹-0".
    let amount = (amount * 100.0).round() / 100.0 + 0.0;
    let number = if amount.fract() == 0.0 { format!("{amount:.0}") } else { format!("{amount:.2}") };
    match currency {
        "USD" => format!("${number}"),
        "CAD" => format!("CA${number}"),
        "AUD" => format!("A${number}"),
        "EUR" => format!("€{number}"),
        "GBP" => format!("£{number}"),
        "INR" => format!("₹{number}"),
        "JPY" => format!("¥{number}"),
        other => format!("{number} {other}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn speech_keeps_one_sentence_before_items_and_at_most_three_items() {
        let items: Vec<String> = ["A mug", "B mug", "C mug", "D mug"].iter().map(|s| s.to_string()).collect();
        let s = speech("Here are **4** mugs. They are nice. Really.", &items);
        assert_eq!(s, "Here are 4 mugs. A mug, B mug and C mug.");
        assert_eq!(speech("One. Two. Three.", &[]), "One. Two.");
        assert_eq!(speech("It costs $4.50 now. See https://x.example/p", &[]), "It costs $4.50 now.");
        assert_eq!(speech("Your total is ₹199. You can pay here: https://shop.test/checkout", &[]), "Your total is ₹199.");
        assert_eq!(speech("Pay at www.shop.test now. Thanks! Bye.", &[]), "Thanks! Bye.");
    }

    /// Every template of the shipped file, every variant, with edge values: counts of one and
    /// many (each through [`Template::for_count`]), money of nothing (a negative zero, as the
    /// sum of an empty cart is) up to millions, short and long names, empty values. The text
    /// reads well and the speech is whole sentences.
    #[test]
    fn every_template_renders_cleanly_with_edge_values() {
        use crate::dialogue::responses::{Responses, Template};
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("prompts/responses.yaml");
        let responses = Responses::load(&path).unwrap();
        let nothing: f64 = std::iter::empty::<f64>().sum();
        let long = "Extraordinarily Comfortable Stainless-Steel Insulated Travel Bottle";
        let plural_after_one = ["results", "picks", "ideas", "products", "items", "alternatives", "matches", "options"];
        let mut rendered = 0;
        for &template in Template::ALL {
            for count in [1usize, 2, 37] {
                // A full page of a longer list, and a comparison, are never of one product.
                if matches!(template, Template::SearchResultsTotal | Template::CompareTable) && count < 2 {
                    continue;
                }
                let chosen = template.for_count(count);
                for (money_value, title, empty) in [(nothing, "Mug", false), (1.0, long, false), (1_234_567.89, "", true)] {
                    let count_text = count.to_string();
                    let money_text = money(money_value, "INR");
                    let value = |name: &str| -> String {
                        match name {
                            "count" | "quantity" => count_text.clone(),
                            "total" if chosen == Template::SearchResultsTotal => (count * 3).to_string(),
                            "total" | "price" | "list_price" | "amount" => money_text.clone(),
                            "title" | "winner" => title.to_string(),
                            "link" => "https://shop.test/checkout?x=1".to_string(),
                            // Whole sentences where the code passes one.
                            "sentence" | "answer" => "It is made of steel.".to_string(),
                            "status" if chosen == Template::OrderStatus => "was delivered on 2 Nov 2026.".to_string(),
                            "results" => counted(count, "result"),
                            "items" => counted(count, "item"),
                            _ if empty => String::new(),
                            other => format!("the {other}"),
                        }
                    };
                    let values: Vec<(&str, String)> = chosen.placeholders().iter().map(|p| (*p, value(p))).collect();
                    let vars: Vec<(&str, &str)> = values.iter().map(|(k, v)| (*k, v.as_str())).collect();
                    for seed in 0..responses.variant_count(chosen) as u64 {
                        let text = responses.render(chosen, seed, &vars);
                        rendered += 1;
                        let at = format!("{} (count {count}, seed {seed}): {text:?}", chosen.key());
                        assert!(!text.contains("  ") && !text.contains(" .") && !text.contains(" ,"), "{at}");
                        assert!(!text.contains("-0") && !text.contains('{'), "{at}");
                        assert!(!text.contains("are 1 ") && !text.contains("are 1."), "{at}");
                        for noun in plural_after_one {
                            assert!(!text.contains(&format!(" 1 {noun}")) && !text.starts_with(&format!("1 {noun}")), "{at}");
                        }
                        let spoken = speech(&text, &[]);
                        let whole = spoken.is_empty() || spoken.ends_with(['.', '!', '?']);
                        assert!(whole && !spoken.contains("://"), "{at} speaks {spoken:?}");
                    }
                }
            }
        }
        assert!(rendered > Template::ALL.len() * 9);
    }

    #[test]
    fn money_reads_naturally() {
        assert_eq!(money(12.5, "USD"), "$12.50");
        assert_eq!(money(499.0, "INR"), "₹499");
        assert_eq!(money(3.0, "CHF"), "3 CHF");
        let nothing: f64 = std::iter::empty::<f64>().sum();
        assert_eq!(money(nothing, "INR"), "₹0");
        assert_eq!(money(-0.001, "USD"), "$0");
    }
}

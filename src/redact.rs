//! Personal data kept out of stored transcripts: email addresses, phone numbers and card
//! numbers (13 to 19 digits that pass the Luhn check) in a stored text become `[email]`,
//! `[phone]` and `[card]`. The assistant reads the message before it is stored (an email given
//! to verify an order still verifies it); what the transcript keeps is the redacted text.
//! Order numbers (up to 9 digits) and tracking codes (letters and digits) are left alone.

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::Regex;

static EMAIL: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}").expect("a valid pattern"));
/// Runs of digits with up to two spaces, dots, dashes or brackets between them, optionally after `+`.
static NUMBER: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\+?\(?\d(?:[ .\-()]{0,2}\d){8,22}").expect("a valid pattern"));

/// `text` with the personal data it contains replaced; borrowed when there is none.
pub fn redact(text: &str) -> Cow<'_, str> {
    let emails = EMAIL.replace_all(text, "[email]");
    let redacted = NUMBER.replace_all(&emails, |found: &regex::Captures| {
        let number = &found[0];
        let digits: Vec<u32> = number.chars().filter_map(|c| c.to_digit(10)).collect();
        let boundary_ok = !text_has_word_char_around(&emails, found.get(0).expect("the match"));
        match digits.len() {
            13..=19 if boundary_ok && luhn(&digits) => "[card]".to_string(),
            10..=15 if boundary_ok => "[phone]".to_string(),
            _ => number.to_string(),
        }
    });
    if redacted == text { Cow::Borrowed(text) } else { Cow::Owned(redacted.into_owned()) }
}

/// A JSON text (a stored frame or message) with the personal data in its strings redacted; the
/// same text when there is none. Numbers and keys are left alone, so it stays the same JSON.
pub fn redact_json(body: &str) -> Cow<'_, str> {
    let Ok(mut value) = serde_json::from_str::<serde_json::Value>(body) else { return redact(body) };
    if redact_strings(&mut value) { Cow::Owned(value.to_string()) } else { Cow::Borrowed(body) }
}

/// Redacts every string in `value`; whether any changed.
fn redact_strings(value: &mut serde_json::Value) -> bool {
    match value {
        serde_json::Value::String(text) => match redact(text) {
            Cow::Owned(redacted) => {
                *text = redacted;
                true
            }
            Cow::Borrowed(_) => false,
        },
        serde_json::Value::Array(items) => items.iter_mut().fold(false, |changed, item| redact_strings(item) | changed),
        serde_json::Value::Object(fields) => fields.values_mut().fold(false, |changed, item| redact_strings(item) | changed),
        _ => false,
    }
}

/// Whether the match is part of a longer word ("DL123456789IN", an id): then it is no phone.
fn text_has_word_char_around(text: &str, found: regex::Match) -> bool {
    let before = text[..found.start()].chars().next_back();
    let after = text[found.end()..].chars().next();
    [before, after].into_iter().flatten().any(|c| c.is_alphanumeric() || c == '_')
}

/// The Luhn check of card numbers.
fn luhn(digits: &[u32]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| if i % 2 == 1 { if d * 2 > 9 { d * 2 - 9 } else { d * 2 } } else { d })
        .sum();
    sum % 10 == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_phones_and_cards_are_redacted() {
        assert_eq!(redact("write to rohan.k@example.org please"), "write to [email] please");
        assert_eq!(redact("call me on +91 98450 12345 or (555) 010-2030"), "call me on [phone] or [phone]");
        assert_eq!(redact("my card 4111 1111 1111 1111 was declined"), "my card [card] was declined");
        assert_eq!(redact("ref 4111-1111-1111-1112"), "ref 4111-1111-1111-1112", "fails Luhn: no card, and too long for a phone");
    }

    #[test]
    fn a_json_body_keeps_its_numbers_and_shape() {
        let body = r#"{"type":"message","id":"c1","text":"reach me at a.b@example.com","at":1764518400000}"#;
        let redacted: serde_json::Value = serde_json::from_str(&redact_json(body)).unwrap();
        assert_eq!(redacted["text"], "reach me at [email]");
        assert_eq!(redacted["at"], 1764518400000_i64);
        let clean = r#"{"type":"message","text":"red shoes"}"#;
        assert!(matches!(redact_json(clean), Cow::Borrowed(b) if b == clean));
    }

    #[test]
    fn order_numbers_tracking_codes_prices_and_plain_text_stay() {
        for text in ["where is order 48213", "tracking DL123456789IN", "under ₹1,500", "a 2024 model", "sizes 8 9 10", "no personal data here"] {
            assert_eq!(redact(text), text);
            assert!(matches!(redact(text), Cow::Borrowed(_)), "{text}");
        }
    }
}

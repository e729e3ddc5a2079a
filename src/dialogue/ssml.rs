//! SSML for voice platforms: a reply's `speech` as `<speak>`, one `<s>` per sentence, prices
//! said a little slower (`<prosody rate="90%">`), and order, invoice and tracking numbers read
//! digit by digit (`<say-as interpret-as="digits">`) rather than as one large number. Every
//! other character is escaped: nothing in a reply can become markup.

/// Words after which a number is an identifier to read out digit by digit.
const ID_BEFORE: [&str; 9] = ["order", "#", "number", "no", "invoice", "tracking", "reference", "ref", "code"];

/// Currency signs and codes a price starts or ends with.
const CURRENCY_SIGNS: [char; 6] = ['$', '€', '£', '₹', '¥', '₩'];
const CURRENCY_CODES: [&str; 8] = ["USD", "EUR", "GBP", "INR", "JPY", "CAD", "AUD", "CHF"];

/// `speech` (plain words) as an SSML document.
pub fn ssml(speech: &str) -> String {
    let mut out = String::from("<speak>");
    for sentence in super::sentences(speech) {
        out.push_str("<s>");
        let words: Vec<&str> = sentence.split_whitespace().collect();
        for (i, word) in words.iter().enumerate() {
            if i > 0 {
                out.push(' ');
            }
            let previous = i.checked_sub(1).map(|p| bare(words[p]).to_lowercase());
            out.push_str(&marked(word, previous.as_deref(), words.get(i + 1).copied()));
        }
        out.push_str("</s>");
    }
    out.push_str("</speak>");
    out
}

/// One word, marked up when it is a price or an identifier.
fn marked(word: &str, previous: Option<&str>, next: Option<&str>) -> String {
    let core = bare(word);
    let (head, tail) = word.split_at(word.find(core).unwrap_or(0));
    let tail = &tail[core.len()..];
    let digits = core.trim_start_matches('#');
    let is_price = has_digit(core) && (core.starts_with(CURRENCY_SIGNS) || next.is_some_and(|n| CURRENCY_CODES.contains(&bare(n))) || previous.is_some_and(|p| CURRENCY_CODES.iter().any(|c| c.eq_ignore_ascii_case(p))));
    let is_id = !is_price && digits.len() >= 4 && digits.chars().all(|c| c.is_ascii_alphanumeric()) && has_digit(digits) && (core.starts_with('#') || previous.is_some_and(|p| ID_BEFORE.contains(&p)));
    if is_price {
        format!("{}<prosody rate=\"90%\">{}</prosody>{}", escape(head), escape(core), escape(tail))
    } else if is_id {
        format!("{}<say-as interpret-as=\"digits\">{}</say-as>{}", escape(head), escape(digits), escape(tail))
    } else {
        escape(word)
    }
}

/// A word without the punctuation around it (a price keeps its sign and decimals).
fn bare(word: &str) -> &str {
    word.trim_matches(|c: char| !c.is_alphanumeric() && !CURRENCY_SIGNS.contains(&c) && c != '#')
}

fn has_digit(text: &str) -> bool {
    text.chars().any(|c| c.is_ascii_digit())
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_slow_down_and_order_numbers_are_read_as_digits() {
        assert_eq!(
            ssml("Your order 48213 has shipped. It cost ₹1,499."),
            "<speak><s>Your order <say-as interpret-as=\"digits\">48213</say-as> has shipped.</s><s>It cost <prosody rate=\"90%\">₹1,499</prosody>.</s></speak>"
        );
        assert_eq!(ssml("Tracking number AB12345C."), "<speak><s>Tracking number <say-as interpret-as=\"digits\">AB12345C</say-as>.</s></speak>");
        assert_eq!(ssml("Order #9001 is here"), "<speak><s>Order <say-as interpret-as=\"digits\">9001</say-as> is here</s></speak>");
        assert!(ssml("Mugs under 500 INR.").contains("<prosody rate=\"90%\">500</prosody> INR"));
        assert_eq!(ssml("A 1000 ml bottle."), "<speak><s>A 1000 ml bottle.</s></speak>", "a quantity is a number");
    }

    #[test]
    fn nothing_in_a_reply_becomes_markup() {
        let out = ssml("Tom & Jerry's <b>mug</b> \"set\".");
        assert_eq!(out, "<speak><s>Tom &amp; Jerry&apos;s &lt;b&gt;mug&lt;/b&gt; &quot;set&quot;.</s></speak>");
        assert_eq!(ssml(""), "<speak></speak>");
    }
}

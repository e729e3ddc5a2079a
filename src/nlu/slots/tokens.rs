//! Tokens and normalisation: the text split into words (any script, lower-cased, apostrophes
//! dropped: "men's" → `mens`), numbers (`1,299.99` and `1,50,000` without their commas, `9.5`),
//! mixed letter/digit runs (`v15`, `32gb`, `2xl`, `x2`) and single symbols (`$`, `#`, `-`,
//! emoji), at most [`MAX_TOKENS`]; and the text helpers several extractors share: a light
//! singularizer applied alike to text and catalog words, the edit distance and deletion variants
//! of typo tolerance, number parsing, number and ordinal words, a name's content words, currency
//! signs. A word is corrected to a shopping keyword when the table of short misspellings lists it
//! ("undr" → "under") or when it has ≥ 5 letters and is one edit away from exactly one keyword
//! with its first letter ("blakc" → "black"), unless it is a known word (common or English word,
//! keyword, colour or gender word, brand or title word).

use super::words::Statics;
use super::{Lexicon, MAX_TOKENS};

// ---------------------------------------------------------------------------------------------
// Text helpers

/// Lower-cases and drops apostrophes: "Men's" → "mens".
fn fold(s: &str) -> String {
    s.chars()
        .filter(|c| *c != '\'' && *c != '’')
        .flat_map(char::to_lowercase)
        .collect()
}

pub(crate) use crate::english::singular;

/// Damerau-Levenshtein (optimal string alignment) distance, or `None` when above `max`.
pub(super) fn edit_distance(a: &str, b: &str, max: usize) -> Option<usize> {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    let w = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * w];
    for (j, cell) in d.iter_mut().enumerate().take(w) {
        *cell = j;
    }
    for i in 1..=a.len() {
        d[i * w] = i;
        let mut row_min = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[(i - 1) * w + j] + 1)
                .min(d[i * w + j - 1] + 1)
                .min(d[(i - 1) * w + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[(i - 2) * w + j - 2] + 1);
            }
            d[i * w + j] = v;
            row_min = row_min.min(v);
        }
        if row_min > max {
            return None;
        }
    }
    let dist = d[a.len() * w + b.len()];
    (dist <= max).then_some(dist)
}

/// Edits tolerated in a word of `len` letters: none under 5, 1 from 5, 2 from 9.
pub(super) fn allowed_edits(len: usize) -> usize {
    match len {
        0..=4 => 0,
        5..=8 => 1,
        _ => 2,
    }
}

/// All strings made by deleting `n` (1 or 2) chars of `w` (ASCII only; for the fuzzy index).
pub(super) fn deletions(w: &str, n: usize, out: &mut Vec<String>) {
    if !w.is_ascii() {
        return;
    }
    for i in 0..w.len() {
        let d = format!("{}{}", &w[..i], &w[i + 1..]);
        if n > 1 {
            deletions(&d, n - 1, out);
        }
        out.push(d);
    }
}

pub(super) fn content_words(text: &str) -> Vec<String> {
    tokenize(text)
        .into_iter()
        .filter(|t| t.kind != Kind::Sym && t.norm != "and")
        .map(|t| t.norm)
        .collect()
}

pub(super) fn is_currency_sym(s: &str) -> bool {
    matches!(s, "$" | "€" | "£" | "₹")
}

// ---------------------------------------------------------------------------------------------
// Tokens

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// Letters (any script), maybe with inner apostrophes.
    Word,
    /// ASCII digits with inner `,` (thousands) or `.` (decimals).
    Num,
    /// Letters and digits: `v15`, `32gb`, `2xl`.
    Mixed,
    /// One other char: punctuation, currency sign, emoji.
    Sym,
}

#[derive(Debug, Clone)]
pub(super) struct Tok<'a> {
    pub(super) raw: &'a str,
    /// Folded form (lower case, no apostrophes; numbers without commas).
    pub(super) norm: String,
    /// `norm` after typo correction: what the rules read (filled by
    /// [`Ctx::new`](super::context::Ctx::new) only).
    pub(super) key: String,
    pub(super) kind: Kind,
    pub(super) start: usize,
    pub(super) end: usize,
    /// No whitespace between this token and the previous one.
    pub(super) glued: bool,
}

/// Splits `text` into tokens (see [`Kind`]), at most [`MAX_TOKENS`].
pub(super) fn tokenize(text: &str) -> Vec<Tok<'_>> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let byte_at = |k: usize| chars.get(k).map_or(text.len(), |c| c.0);
    let digit_at = |k: usize| chars.get(k).is_some_and(|c| c.1.is_ascii_digit());
    let alpha_at = |k: usize| chars.get(k).is_some_and(|c| c.1.is_alphabetic());
    let mut out = Vec::new();
    let mut glued = false;
    let mut i = 0;
    while i < chars.len() && out.len() < MAX_TOKENS {
        let c = chars[i].1;
        if c.is_whitespace() {
            glued = false;
            i += 1;
            continue;
        }
        let mut j = i + 1;
        if c.is_alphanumeric() {
            while j < chars.len() {
                let c = chars[j].1;
                let inner = c.is_alphanumeric()
                    || (c == '.' && digit_at(j - 1) && digit_at(j + 1))
                    || (c == ',' && digit_at(j - 1) && thousands_group(&chars, j + 1))
                    || ((c == '\'' || c == '’') && alpha_at(j - 1) && alpha_at(j + 1));
                if !inner {
                    break;
                }
                j += 1;
            }
        }
        let (start, end) = (byte_at(i), byte_at(j));
        let raw = &text[start..end];
        let kind = if !c.is_alphanumeric() {
            Kind::Sym
        } else {
            let digits = raw.bytes().any(|b| b.is_ascii_digit());
            let letters = raw.chars().any(char::is_alphabetic);
            match (digits, letters) {
                (true, true) => Kind::Mixed,
                (true, false) => Kind::Num,
                _ => Kind::Word,
            }
        };
        let norm = match kind {
            Kind::Num => raw.replace(',', ""),
            Kind::Sym => raw.replace('’', "'"),
            _ => fold(raw),
        };
        out.push(Tok {
            raw,
            key: String::new(),
            norm,
            kind,
            start,
            end,
            glued,
        });
        glued = true;
        i = j;
    }
    out
}

/// After a comma at a digit: exactly 3 digits then a non-digit (1,299), or 2 digits and another
/// comma (Indian 1,50,000).
fn thousands_group(chars: &[(usize, char)], k: usize) -> bool {
    let d = |x: usize| chars.get(x).is_some_and(|c| c.1.is_ascii_digit());
    let at = |x: usize, ch: char| chars.get(x).is_some_and(|c| c.1 == ch);
    (d(k) && d(k + 1) && d(k + 2) && !d(k + 3)) || (d(k) && d(k + 1) && at(k + 2, ','))
}

/// Parses a plain number token: "1299.99", "9".
pub(super) fn parse_num(s: &str) -> Option<f64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return None;
    }
    s.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// Splits a mixed token into a leading number and the letters after it: "2k" → (2, "k").
pub(super) fn num_then_letters(s: &str) -> Option<(f64, &str)> {
    let split = s.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
    let (num, rest) = s.split_at(split);
    Some((parse_num(num)?, rest)).filter(|(_, r)| r.chars().all(char::is_alphabetic))
}

/// Splits a mixed token into leading letters and the number after them: "x2" → ("x", 2).
pub(super) fn letters_then_num(s: &str) -> Option<(&str, f64)> {
    let split = s.find(|c: char| c.is_ascii_digit())?;
    let (letters, num) = s.split_at(split);
    if letters.is_empty() || !letters.chars().all(char::is_alphabetic) {
        return None;
    }
    Some((letters, parse_num(num)?))
}

/// A number word from one to twenty ("three" → 3).
pub(crate) fn small_number_word(w: &str) -> Option<u32> {
    Some(match w {
        "one" => 1,
        "two" => 2,
        "three" => 3,
        "four" => 4,
        "five" => 5,
        "six" => 6,
        "seven" => 7,
        "eight" => 8,
        "nine" => 9,
        "ten" => 10,
        "eleven" => 11,
        "twelve" => 12,
        "thirteen" => 13,
        "fourteen" => 14,
        "fifteen" => 15,
        "sixteen" => 16,
        "seventeen" => 17,
        "eighteen" => 18,
        "nineteen" => 19,
        "twenty" => 20,
        "thirty" => 30,
        "forty" => 40,
        "fifty" => 50,
        "sixty" => 60,
        "seventy" => 70,
        "eighty" => 80,
        "ninety" => 90,
        _ => return None,
    })
}

pub(super) fn ordinal_word(w: &str) -> Option<u32> {
    Some(match w {
        "first" | "1st" => 1,
        "second" | "2nd" => 2,
        "third" | "3rd" => 3,
        "fourth" | "4th" => 4,
        "fifth" | "5th" => 5,
        "sixth" | "6th" => 6,
        "seventh" | "7th" => 7,
        "eighth" | "8th" => 8,
        "ninth" | "9th" => 9,
        "tenth" | "10th" => 10,
        _ => return None,
    })
}

// ---------------------------------------------------------------------------------------------
// Typo correction

/// Corrects a one-edit typo of a keyword ("undr" → "under" via the table, "blakc" → "black"),
/// unless the word is known (common word, keyword, brand or title word).
pub(super) fn correct_typo(norm: &str, st: &Statics, lex: &Lexicon) -> String {
    if let Some(fixed) = st.typos.get(norm) {
        return (*fixed).to_string();
    }
    let len = norm.chars().count();
    if len < 5
        || !norm.is_ascii()
        || st.keyword_set.contains(norm)
        || st.english.contains(norm)
        || st.colors.contains_key(norm)
        || st.genders.contains_key(norm)
        || lex.knows(norm)
    {
        return norm.to_string();
    }
    let Some(bucket) = st.keywords.get(&norm.as_bytes()[0]) else {
        return norm.to_string();
    };
    let mut found: Option<&str> = None;
    for k in bucket {
        if edit_distance(norm, k, 1).is_some() {
            if found.is_some() {
                return norm.to_string(); // ambiguous
            }
            found = Some(k);
        }
    }
    found.map_or_else(|| norm.to_string(), str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers() {
        assert_eq!(singular("mugs"), "mug");
        assert_eq!(singular("watches"), "watch");
        assert_eq!(singular("accessories"), "accessory");
        assert_eq!(singular("womens"), "woman");
        assert_eq!(singular("jeans"), "jean");
        assert_eq!(edit_distance("adidas", "adiddas", 1), Some(1));
        assert_eq!(edit_distance("blakc", "black", 1), Some(1));
        assert_eq!(edit_distance("sony", "sonny", 0), None);
    }
}

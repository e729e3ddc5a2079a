//! Sizes: after `size`/`sz`; `UK 8`/`US 10`/`EU 42` (kept with the system; not "show us 10
//! options"); letter sizes `XS…XXXL`, `2XL`; single letters `S`/`M`/`L` only after `size` or as a
//! capital after `in`; `small`/`medium`/`large`/`extra large` only after `size`/`in`, before
//! `size`, or before an apparel noun ("a large t-shirt" → `L`, "a large bowl" → none); waist
//! `32 waist`, `32x34`.

use super::context::{Ctx, Used};
use super::tokens::{Kind, letters_then_num, parse_num};
use super::words::{RESULT_NOUNS, statics};

#[rustfmt::skip]
const SIZE_KEYWORDS: &[&str] = &["size", "sz", "sizes", "sized"];
#[rustfmt::skip]
const LETTER_SIZES: &[&str] =
    &["xxs", "xs", "xl", "xxl", "xxxl", "xxxxl", "2xs", "2xl", "3xl", "4xl", "5xl", "6xl"];
/// Before "us 10": "us" is a pronoun ("show us 10 options").
#[rustfmt::skip]
const US_PRONOUN_VERBS: &[&str] =
    &["show", "give", "send", "tell", "let", "help", "get", "find", "bring", "offer", "email", "call", "sell", "ship"];

#[rustfmt::skip]
const APPAREL_NOUNS: &[&str] = &[
    "shirt", "shirts", "tshirt", "tshirts", "tee", "tees", "top", "tops", "dress", "dresses",
    "hoodie", "hoodies", "jacket", "jackets", "sweater", "sweaters", "sweatshirt",
    "sweatshirts", "kurta", "kurtas", "kurti", "kurtis", "jeans", "pants", "trousers", "shorts",
    "polo", "polos", "blazer", "blazers", "coat", "coats", "tracksuit", "joggers", "leggings",
    "skirt", "skirts", "bra", "briefs", "boxers", "vest", "vests", "jersey", "jerseys",
    "cardigan", "pullover", "sweatpants", "gown", "jumpsuit", "saree", "blouse", "tunic",
    "innerwear", "pyjamas", "pajamas", "nightsuit", "raincoat", "windcheater",
];

fn size_word(w: &str) -> Option<&'static str> {
    Some(match w {
        "small" => "S",
        "medium" => "M",
        "large" => "L",
        "s" => "S",
        "m" => "M",
        "l" => "L",
        _ => return None,
    })
}

impl Ctx<'_> {
    fn push_size(&mut self, s: String, from: usize, to: usize) {
        self.mark(from, to, Used::Size);
        if !self.slots.sizes.contains(&s) {
            self.slots.sizes.push(s);
        }
    }

    /// A size value at `i` after a size keyword: "10", "9.5", "m", "xl", "medium",
    /// "extra large", "uk 8". Returns (normalized, last token).
    fn size_value_at(&self, i: usize) -> Option<(String, usize)> {
        let t = self.toks.get(i)?;
        if !self.free(i) {
            return None;
        }
        if let Some(s) = self.letter_size_at(i) {
            return Some(s);
        }
        if let Some(s) = self.system_size_at(i) {
            return Some(s);
        }
        match t.kind {
            Kind::Num => {
                let v = parse_num(&t.norm)?;
                ((0.0..=60.0).contains(&v) || (t.norm.len() <= 3 && v <= 200.0))
                    .then(|| (t.norm.clone(), i))
            }
            Kind::Word => {
                if let Some((n, end)) = self.word_number_at(i).filter(|(n, _)| *n <= 20) {
                    return Some((n.to_string(), end));
                }
                size_word(&t.key).map(|s| (s.to_string(), i))
            }
            _ => None,
        }
    }

    /// "xl", "2xl", "extra large", "extra small", "double xl".
    fn letter_size_at(&self, i: usize) -> Option<(String, usize)> {
        let k = self.key(i);
        let possessive = self
            .toks
            .get(i)
            .is_some_and(|t| t.raw.contains(['\'', '’']));
        if LETTER_SIZES.contains(&k) && !possessive {
            return Some((k.to_uppercase(), i));
        }
        if k == "extra" {
            let mut j = i + 1;
            let mut x = 1;
            if self.is(j, "extra") {
                j += 1;
                x += 1;
            }
            return match self.key(j) {
                "large" => Some((format!("{}L", "X".repeat(x)), j)),
                "small" => Some((format!("{}S", "X".repeat(x)), j)),
                _ => None,
            };
        }
        if matches!(k, "double" | "triple") && self.is_any(i + 1, &["xl", "x"]) {
            let x = if k == "double" { "XX" } else { "XXX" };
            if self.is(i + 1, "xl") {
                return Some((format!("{x}L"), i + 1));
            }
            if self.is(i + 2, "large") {
                return Some((format!("{x}L"), i + 2));
            }
        }
        None
    }

    /// "uk 8", "us 10", "eu 42", "uk8", "uk size 8".
    fn system_size_at(&self, i: usize) -> Option<(String, usize)> {
        let t = self.toks.get(i)?;
        if t.kind == Kind::Mixed {
            let (sys, v) = letters_then_num(&t.norm)?;
            return (matches!(sys, "uk" | "us" | "eu") && v <= 60.0)
                .then(|| (format!("{} {}", sys.to_uppercase(), fmt_num(v)), i));
        }
        let sys = t.key.as_str();
        if !matches!(sys, "uk" | "us" | "eu") {
            return None;
        }
        if sys == "us"
            && self
                .prev_word(i)
                .is_some_and(|p| self.is_any(p, US_PRONOUN_VERBS))
        {
            return None;
        }
        let j = if self.is_any(i + 1, SIZE_KEYWORDS) {
            i + 2
        } else {
            i + 1
        };
        let n = self.toks.get(j).filter(|n| n.kind == Kind::Num)?;
        let v = parse_num(&n.norm)?;
        if v > 60.0
            || self.followed_by_unit(j)
            || self.next_word(j).is_some_and(|x| {
                statics().count_nouns.contains(self.key(x)) || RESULT_NOUNS.contains(&self.key(x))
            })
        {
            return None;
        }
        Some((format!("{} {}", sys.to_uppercase(), n.norm), j))
    }

    pub(super) fn sizes(&mut self) {
        let mut i = 0;
        while i < self.len() {
            if !self.free(i) {
                i += 1;
                continue;
            }
            let next = match self.size_at(i) {
                Some((found, end)) => {
                    for s in found {
                        self.push_size(s, i, end);
                    }
                    self.mark(i, end, Used::Size);
                    end + 1
                }
                None => i + 1,
            };
            i = next;
        }
    }

    /// The sizes starting at token `i` and the last token used.
    fn size_at(&self, i: usize) -> Option<(Vec<String>, usize)> {
        let k = self.key(i);
        // "size 10", "size: M", "sz 9.5", "size medium", "sizes 8 or 9"
        if SIZE_KEYWORDS.contains(&k) {
            let mut j = i + 1;
            while self.is_any(j, &[":", "=", "of", "is", "in", "-"]) {
                j += 1;
            }
            let (first, mut end) = self.size_value_at(j)?;
            let mut out = vec![first];
            loop {
                let sep = end + 1;
                if !self.is_any(sep, &["or", "and", ",", "/", "-", "to"]) {
                    break;
                }
                match self.size_value_at(sep + 1) {
                    Some((s, e)) => {
                        out.push(s);
                        end = e;
                    }
                    None => break,
                }
            }
            return Some((out, end));
        }
        // "size10", "sz9"
        if let Some((lead, v)) =
            letters_then_num(&self.toks[i].norm).filter(|_| self.toks[i].kind == Kind::Mixed)
        {
            if matches!(lead, "size" | "sz") && v <= 60.0 {
                return Some((vec![fmt_num(v)], i));
            }
        }
        if let Some((s, end)) = self.system_size_at(i) {
            return Some((vec![s], end));
        }
        if let Some((s, end)) = self.letter_size_at(i) {
            // "xl" alone is a size; "extra large" needs the same context as "large"
            if end == i || self.word_size_context(i, end) {
                return Some((vec![s], end));
            }
        }
        // "in medium", "medium size", "a large t-shirt", "in M"
        if let Some(s) = size_word(k) {
            let single_letter = k.len() == 1;
            let ok = if single_letter {
                self.toks[i].raw.chars().all(char::is_uppercase)
                    && !self.shouting
                    && self
                        .prev_word(i)
                        .is_some_and(|p| self.is_any(p, &["in", "or", "and"]))
            } else {
                self.word_size_context(i, i)
            };
            if ok {
                return Some((vec![s.to_string()], i));
            }
        }
        // waist: "32 waist", "waist 32", "32x34", "32 x 34"
        self.waist_at(i)
    }

    /// A size word counts as a size after "in"/"size", before "size", or before apparel.
    fn word_size_context(&self, start: usize, end: usize) -> bool {
        let before = self.prev_word(start).is_some_and(|p| {
            self.is_any(p, &["in", "size", "sz", "a", "an", "one"])
                && (self.is_any(p, &["in", "size", "sz"]) || self.apparel_after(end))
        });
        before || self.is_any(end + 1, &["size", "sized"]) || self.apparel_after(end)
    }

    fn apparel_after(&self, end: usize) -> bool {
        let mut k = end;
        for _ in 0..3 {
            let Some(n) = self.next_word(k) else {
                return false;
            };
            if APPAREL_NOUNS.contains(&self.key(n))
                || (self.key(n) == "t" && self.seq(n, &["t", "shirt"]).is_some())
            {
                return true;
            }
            k = n;
        }
        false
    }

    fn waist_at(&self, i: usize) -> Option<(Vec<String>, usize)> {
        let waist = |v: f64| (24.0..=54.0).contains(&v) && v.fract() == 0.0;
        let t = &self.toks[i];
        if t.kind == Kind::Mixed {
            let (a, rest) = num_then_letters_digits(&t.norm)?;
            if waist(a.0) && waist(rest) && a.1 == "x" && !self.followed_by_unit(i) {
                return Some((vec![format!("{}x{}", fmt_num(a.0), fmt_num(rest))], i));
            }
            return None;
        }
        if t.kind != Kind::Num {
            if t.key == "waist" {
                let n = self.toks.get(i + 1).filter(|n| n.kind == Kind::Num)?;
                let v = parse_num(&n.norm)?;
                return waist(v).then(|| (vec![n.norm.clone()], i + 1));
            }
            return None;
        }
        let v = parse_num(&t.norm)?;
        if !waist(v) {
            return None;
        }
        if self.is(i + 1, "waist") {
            return Some((vec![t.norm.clone()], i + 1));
        }
        if self.is_any(i + 1, &["x", "×"]) {
            let n = self.toks.get(i + 2).filter(|n| n.kind == Kind::Num)?;
            let l = parse_num(&n.norm)?;
            if waist(l) && !self.followed_by_unit(i + 2) {
                return Some((vec![format!("{}x{}", t.norm, n.norm)], i + 2));
            }
        }
        None
    }
}

/// "32x34" → ((32, "x"), 34).
fn num_then_letters_digits(s: &str) -> Option<((f64, &str), f64)> {
    let a_end = s.find(|c: char| !c.is_ascii_digit())?;
    let rest = &s[a_end..];
    let l_end = rest.find(|c: char| c.is_ascii_digit())?;
    let letters = &rest[..l_end];
    Some((
        (parse_num(&s[..a_end])?, letters),
        parse_num(&rest[l_end..])?,
    ))
}

fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

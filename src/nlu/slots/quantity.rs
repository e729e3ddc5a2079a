//! Quantity: digits or number words counting items: with a count noun ("2 pcs", "three of
//! those"), after a cart verb ("add 2", "buy two"), `x2`/`2x`, `qty 3`, "a couple", "a dozen",
//! "half a dozen", or before a plural noun ("3 shirts"). Never a model number ("pixel 8"), a
//! year, a unit amount, or a token already taken; the first one found wins.

use super::context::{Ctx, Used};
use super::tokens::{Kind, letters_then_num, num_then_letters, parse_num};
use super::words::{DEMONSTRATIVES, FUNCTION_WORDS, RESULT_NOUNS, statics};

/// Verbs after which a bare number counts items ("add 2", "buy three").
#[rustfmt::skip]
const CART_VERBS: &[&str] = &[
    "add", "buy", "get", "order", "want", "need", "take", "purchase", "put", "make", "grab",
    "include", "send", "ship", "reserve", "keep", "bought", "ordered", "purchased", "received",
    "got", "returned", "return", "also", "plus",
];

impl Ctx<'_> {
    pub(super) fn quantity(&mut self) {
        for i in 0..self.len() {
            if !self.free(i) {
                continue;
            }
            if let Some((q, from, to)) = self.quantity_at(i) {
                if q > 0 {
                    self.slots.quantity = Some(q);
                    self.mark(from, to, Used::Quantity);
                    return;
                }
            }
        }
    }

    fn quantity_at(&self, i: usize) -> Option<(u32, usize, usize)> {
        let t = &self.toks[i];
        let st = statics();
        // "x2", "×2", "2x", "2 x"
        if t.kind == Kind::Mixed {
            if let Some(("x", v)) = letters_then_num(&t.norm) {
                return (v.fract() == 0.0 && (1.0..=1000.0).contains(&v))
                    .then_some((v as u32, i, i));
            }
            if let Some((v, "x")) = num_then_letters(&t.norm) {
                let ok = v.fract() == 0.0
                    && (1.0..=100.0).contains(&v)
                    && !self.followed_by_unit(i)
                    && !self.is_any(i + 1, &["zoom", "faster", "more", "better"]);
                return ok.then_some((v as u32, i, i));
            }
            return None;
        }
        if t.key == "×"
            || (t.key == "x"
                && self.prev_word(i).is_some_and(|p| {
                    !self.free(p) || self.is_any(p, &["it", "this", "that", "one"])
                }))
        {
            let n = self
                .toks
                .get(i + 1)
                .filter(|n| n.kind == Kind::Num && n.glued)?;
            let v = parse_num(&n.norm)?;
            return (v.fract() == 0.0 && (1.0..=1000.0).contains(&v)).then_some((
                v as u32,
                i,
                i + 1,
            ));
        }
        // "qty 3", "quantity: 3", "quantity of 3"
        if matches!(t.key.as_str(), "qty" | "quantity") {
            let mut j = i + 1;
            while self.is_any(j, &[":", "=", "of", "is", "to", "-"]) {
                j += 1;
            }
            let (n, end) = self.count_at(j)?;
            return Some((n, i, end));
        }
        let (n, end) = self.count_at(i)?;
        // "a dozen", "half a dozen", "a couple of" only ever count
        if (i..=end).any(|k| self.is_any(k, &["dozen", "couple"])) {
            return Some((n, i, end));
        }
        if t.kind == Kind::Num
            && (t.norm.contains('.') || t.norm.len() > 4 || (1900..=2100).contains(&n))
        {
            return None;
        }
        if self.followed_by_unit(end) {
            return None;
        }
        let next = self.next_word(end);
        let next_key = next.map_or("", |n| self.key(n));
        let prev = self.prev_word_in_sentence(i);
        let prev_key = prev.map_or("", |p| self.key(p));
        // "2 pcs", "three of those", "2 more"
        if st.count_nouns.contains(next_key) && next_key != "no" {
            return Some((n, i, next.unwrap_or(end)));
        }
        if next_key == "of"
            && next.is_some_and(|o| {
                self.is_any(o + 1, DEMONSTRATIVES)
                    || self.is_any(o + 1, &["the", "it", "this", "that"])
            })
        {
            return Some((n, i, end));
        }
        let word_number = t.kind == Kind::Word;
        let is_one = n == 1 && self.key(i) == "one";
        if n > 1000 || (is_one && !CART_VERBS.contains(&prev_key)) {
            return None;
        }
        // "add 2", "buy two", "get me 3", "i'll take 2"
        let verb_before = CART_VERBS.contains(&prev_key)
            || (matches!(prev_key, "me" | "us")
                && prev
                    .and_then(|p| self.prev_word(p))
                    .is_some_and(|q| self.is_any(q, CART_VERBS)));
        if verb_before && !RESULT_NOUNS.contains(&next_key) {
            return Some((n, i, end));
        }
        // "2 Nirlon kadhai": a brand after the count
        if n <= 100 && t.kind == Kind::Num && next.is_some_and(|b| self.used[b] == Used::Brand) && next == Some(end + 1) {
            return Some((n, i, end));
        }
        // "3 shirts", "2 blue t-shirts" (not after a model word: "pixel 8 phones")
        let prev_ok = prev.is_none_or(|p| !self.is_model_word(p) || self.is_any(p, FUNCTION_WORDS));
        if prev_ok
            && n <= 100
            && (word_number || !self.is_any(i + 1, &["-", "/", ".", ":"]))
            && !self.is_any(
                prev.unwrap_or(usize::MAX),
                &["with", "of", "for", "in", "has", "have"],
            )
        {
            if let Some(noun) = self.plural_noun_after(end) {
                if !RESULT_NOUNS.contains(&self.key(noun)) {
                    return Some((n, i, end));
                }
            }
        }
        None
    }

    /// A plural noun within two words after `end` ("2 blue shirts"), none of them units.
    fn plural_noun_after(&self, end: usize) -> Option<usize> {
        let st = statics();
        let mut k = end;
        for _ in 0..3 {
            let n = self.next_word(k)?;
            let key = self.key(n);
            if self.toks[n].kind != Kind::Word
                || st.units.contains(key)
                || st.common.contains(key) && !key.ends_with('s')
            {
                // colours and adjectives may stand between: "2 blue shirts"
                if !(st.colors.contains_key(key)
                    || self.toks[n].kind == Kind::Word
                        && key.len() > 2
                        && !st.units.contains(key)
                        && !FUNCTION_WORDS.contains(&key))
                {
                    return None;
                }
            }
            if key.len() >= 3
                && key.ends_with('s')
                && !key.ends_with("ss")
                && !st.units.contains(key)
                && !matches!(
                    key,
                    "is" | "was"
                        | "has"
                        | "does"
                        | "its"
                        | "this"
                        | "his"
                        | "us"
                        | "yes"
                        | "plus"
                        | "less"
                        | "always"
                        | "as"
                        | "pls"
                        | "thanks"
                        | "lets"
                        | "whats"
                )
            {
                return Some(n);
            }
            if FUNCTION_WORDS.contains(&key) {
                return None;
            }
            k = n;
        }
        None
    }
}

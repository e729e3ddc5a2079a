//! References to what was shown: ordinals ("the second one", "the 2nd", "number two", "option
//! 3", and "#2" only where it points at an item: "add #2", "#2 or #3"), "the first two", "the
//! last (two)", "the former"/"the latter", "both"/"these two", "all of them"/"all three", "the
//! cheaper one" (read with the comparatives table; its comparative is not repeated in
//! `comparative`), and focus pronouns ("that one", "the one you showed", "two of those", and
//! `it`/`this`/`that` only next to a verb: "add it", "is it waterproof"). Not "my first order",
//! "first time", "is it possible".

use super::Reference;
use super::context::{Ctx, Used};
use super::tokens::{Kind, ordinal_word, parse_num};
use super::words::{DEMONSTRATIVES, ORDER_WORDS, statics};

#[rustfmt::skip]
const REF_NOUNS: &[&str] = &[
    "one", "ones", "item", "option", "product", "result", "choice", "pick", "link", "model",
    "thing", "listed", "shown", "suggestion", "on", "in",
];
/// After an ordinal, these make it not a reference ("my first order", "second hand").
#[rustfmt::skip]
const ORDINAL_BLOCK: &[&str] = &[
    "time", "times", "order", "orders", "purchase", "date", "day", "week", "month", "year",
    "step", "page", "place", "name", "line", "address", "payment", "hand", "half", "class",
    "floor", "impression", "aid", "row", "delivery", "attempt", "try", "box", "person",
    "number", "digit", "word", "letter", "call", "message", "email", "minute", "second",
];
/// Verbs before `it`/`this`/`that` that make it point at the focused product.
#[rustfmt::skip]
const FOCUS_VERBS: &[&str] = &[
    "add", "remove", "delete", "drop", "buy", "get", "take", "want", "order", "purchase",
    "compare", "show", "is", "isnt", "does", "doesnt", "do", "did", "can", "could", "will",
    "would", "should", "has", "have", "about", "like", "love", "keep", "put", "return",
    "need", "try", "prefer", "choose", "pick", "whats", "hows", "with", "recommend", "ship",
    "deliver", "bought", "cancel", "exchange", "review", "rate", "wear", "use", "replace",
    "make",
];
/// Verbs after `it` that make it the focused product ("it comes in blue").
#[rustfmt::skip]
const FOCUS_FOLLOW: &[&str] = &[
    "is", "come", "comes", "have", "has", "work", "works", "fit", "fits", "support",
    "supports", "cost", "costs", "weigh", "weighs", "run", "runs", "last", "lasts", "ship",
    "ships", "looks", "look", "include", "includes", "take", "takes", "was", "in",
];
/// After "is it …": not a product question ("is it possible to …").
#[rustfmt::skip]
const FOCUS_NOT: &[&str] = &["possible", "ok", "okay", "true", "fine", "safe", "time", "raining", "allowed", "too", "normal", "likely"];

impl Ctx<'_> {
    fn push_ref(&mut self, r: Reference, from: usize, to: usize) {
        self.mark(from, to, Used::Reference);
        if !self.slots.references.contains(&r) {
            self.slots.references.push(r);
        }
    }

    pub(super) fn references(&mut self) {
        let mut i = 0;
        while i < self.len() {
            if self.free(i) {
                if let Some((r, from, to)) = self.reference_at(i) {
                    self.push_ref(r, from, to);
                    i = to + 1;
                    continue;
                }
            }
            i += 1;
        }
    }

    fn reference_at(&self, i: usize) -> Option<(Reference, usize, usize)> {
        let k = self.key(i);
        let the = usize::from(self.is_any(i, &["the", "that", "this"]));
        let j = i + the;
        // the first two / the last two / the last one / the second one / the 2nd
        if let Some(r) = self.ordinal_ref(i, j, the == 1) {
            return Some(r);
        }
        // number two, option 3, item #2, #2
        if let Some(r) = self.numbered_ref(i) {
            return Some(r);
        }
        match k {
            "both" => {
                let end = self
                    .seq(i + 1, &["of", "them"])
                    .or_else(|| self.seq(i + 1, &["of", "these"]))
                    .or_else(|| self.seq(i + 1, &["of", "those"]))
                    .unwrap_or(i);
                return Some((Reference::Both, i, end));
            }
            "these" | "those" | "the" | "them"
                if matches!(self.key(i + 1), "two" | "2" | "both") =>
            {
                return Some((Reference::Both, i, i + 1));
            }
            "all" => {
                if let Some(end) = ["them", "these", "those"]
                    .iter()
                    .find_map(|w| self.seq(i + 1, &["of", w]))
                {
                    return Some((Reference::All, i, end));
                }
                if let Some(end) = self.seq(i + 1, &["the", "above"]) {
                    return Some((Reference::All, i, end));
                }
                if let Some((n, end)) = self.count_at(i + 1) {
                    let next = self.next_word(end);
                    let counted = next.is_some_and(|x| {
                        self.followed_by_unit(end) || statics().count_nouns.contains(self.key(x))
                    });
                    if (2..=20).contains(&n) && !counted {
                        return Some((Reference::All, i, end));
                    }
                }
            }
            "them" | "these" | "those" if self.is(i + 1, "all") => {
                return Some((Reference::All, i, i + 1));
            }
            // "any of these", "a 9 in these", "from those", "these in maroon?": what was shown.
            "these" | "those"
                if self.prev_word_in_sentence(i).map_or(true, |p| {
                    self.is_any(p, &["in", "of", "from", "among", "between", "with"])
                }) && !self.next_word(i).is_some_and(|n| statics().count_nouns.contains(self.key(n)))
                    // "two of those" is a quantity of the focused product
                    && !self.prev_word_in_sentence(i).is_some_and(|p| {
                        self.is(p, "of") && self.prev_word(p).is_some_and(|q| self.count_at(q).is_some())
                    }) =>
            {
                return Some((Reference::All, i, i));
            }
            "every" | "each"
                if self.seq(i + 1, &["one", "of", "them"]).is_some()
                    || self.seq(i + 1, &["of", "them"]).is_some() =>
            {
                let end = self
                    .seq(i + 1, &["one", "of", "them"])
                    .or_else(|| self.seq(i + 1, &["of", "them"]))?;
                return Some((Reference::All, i, end));
            }
            _ => {}
        }
        // the cheaper one, the best rated one, the lightest
        if the == 1 {
            if let Some((comp, _, end)) = self.comparative_at(j) {
                let tail = self.key(end + 1);
                let ends = end + 1 >= self.len()
                    || matches!(tail, "?" | "." | "!" | "," | "please" | "pls");
                if let Some(t_end) = ["one", "ones", "option", "model", "pair", "version"]
                    .iter()
                    .find_map(|w| self.seq(end + 1, &[w]))
                    .or_else(|| {
                        ["them", "these", "those", "two", "both", "three"]
                            .iter()
                            .find_map(|w| self.seq(end + 1, &["of", w]))
                    })
                    .or_else(|| self.seq(end + 1, &["of", "the", "two"]))
                    .or(ends.then_some(end))
                {
                    return Some((Reference::ByComparative { comparative: comp }, i, t_end));
                }
            }
        }
        self.focus_ref(i)
    }

    fn ordinal_ref(&self, i: usize, j: usize, has_det: bool) -> Option<(Reference, usize, usize)> {
        let k = self.key(j);
        let prev_poss = self
            .prev_word(i)
            .is_some_and(|p| self.is_any(p, &["my", "your", "our", "his", "her", "their"]));
        if prev_poss {
            return None;
        }
        if matches!(k, "first" | "last") {
            if let Some((n, end)) = self.count_at(j + 1).filter(|(n, _)| (2..=20).contains(n)) {
                if !self.followed_by_unit(end) && !self.is_any(end + 1, ORDINAL_BLOCK) {
                    let r = if k == "first" {
                        Reference::First { count: n }
                    } else {
                        Reference::Last { count: n }
                    };
                    let end = if self.is_any(
                        end + 1,
                        &["ones", "items", "options", "products", "results"],
                    ) {
                        end + 1
                    } else {
                        end
                    };
                    return Some((r, i, end));
                }
            }
        }
        if matches!(k, "former" | "latter") && has_det {
            let r = if k == "former" {
                Reference::Ordinal { position: 1 }
            } else {
                Reference::Last { count: 1 }
            };
            return Some((r, i, j));
        }
        let pos = if k == "last" {
            Some(0)
        } else {
            ordinal_word(k)
        };
        let pos = pos?;
        if self.is_any(j + 1, ORDINAL_BLOCK) {
            return None;
        }
        let noun = self.is_any(j + 1, REF_NOUNS) && !matches!(self.key(j + 1), "on" | "in");
        if !(has_det || noun) {
            return None;
        }
        // "the first" alone at the end, or before a noun we don't know, still refers
        let end = if noun { j + 1 } else { j };
        let r = if pos == 0 {
            Reference::Last { count: 1 }
        } else {
            Reference::Ordinal { position: pos }
        };
        Some((r, i, end))
    }

    fn numbered_ref(&self, i: usize) -> Option<(Reference, usize, usize)> {
        let k = self.key(i);
        let mut j = i + 1;
        let lead = match k {
            "number" | "option" | "item" | "result" | "product" | "choice" | "pick" => true,
            "no" => {
                self.key(i + 1) == "." && {
                    j = i + 2;
                    true
                }
            }
            // "#2" only where it points at a listed item ("add #2", "#2 or #3", "#2?"), not in
            // "#1 best seller"
            "#" => {
                let prev = self.prev_word(i);
                let prev_order = prev.is_some_and(|p| self.is_any(p, ORDER_WORDS));
                let prev_ok = prev.is_some_and(|p| {
                    self.is_any(p, FOCUS_VERBS)
                        || self.is_any(
                            p,
                            &["and", "or", "vs", "versus", "than", "between", "about"],
                        )
                });
                let next_ok = self.next_word(i + 1).is_none_or(|n| {
                    self.is_any(
                        n,
                        &[
                            "and", "or", "vs", "versus", "to", "into", "please", "pls", "instead",
                            "is", "in", "from", "then", "too", "for", "with", "looks", "has",
                            "have", "does", "cost", "costs",
                        ],
                    )
                });
                !prev_order
                    && (prev_ok || next_ok)
                    && self
                        .toks
                        .get(i + 1)
                        .is_some_and(|t| t.glued && t.kind == Kind::Num)
            }
            _ => false,
        };
        if !lead {
            return None;
        }
        if self.key(j) == "#" {
            j += 1;
        }
        let t = self.toks.get(j)?;
        let (n, end) = match t.kind {
            Kind::Num if t.norm.len() <= 2 => (parse_num(&t.norm)? as u32, j),
            Kind::Word => self.word_number_at(j).filter(|(n, _)| *n <= 20)?,
            _ => return None,
        };
        if n == 0 || n > 20 || self.followed_by_unit(end) {
            return None;
        }
        Some((Reference::Ordinal { position: n }, i, end))
    }

    /// "that one", "this one", "the one you showed", "it"/"this"/"that" beside a verb,
    /// "two of those", "compare these".
    fn focus_ref(&self, i: usize) -> Option<(Reference, usize, usize)> {
        let k = self.key(i);
        let next = self.key(i + 1);
        if matches!(k, "that" | "this") && next == "one" {
            return Some((Reference::Focused, i, i + 1));
        }
        if k == "the"
            && next == "one"
            && self.is_any(
                i + 2,
                &[
                    "you",
                    "that",
                    "which",
                    "i",
                    "from",
                    "above",
                    "before",
                    "earlier",
                    "shown",
                    "mentioned",
                    "recommended",
                    "we",
                    "with",
                ],
            )
        {
            return Some((Reference::Focused, i, i + 1));
        }
        if k == "same"
            && self.prev_word(i).is_some_and(|p| self.is(p, "the"))
            && self.is_any(i + 1, &["one", "thing", "product", "item"])
        {
            return Some((Reference::Focused, i, i + 1));
        }
        let prev = self.prev_word_in_sentence(i);
        let prev_verb = prev.is_some_and(|p| self.is_any(p, FOCUS_VERBS));
        if DEMONSTRATIVES.contains(&k) {
            // "two of those": the focused product, counted by the quantity
            if let Some(p) = prev.filter(|&p| self.is(p, "of")) {
                if self.prev_word(p).is_some_and(|q| {
                    self.count_at(q).is_some() || self.is_any(q, &["dozen", "couple"])
                }) {
                    return Some((Reference::Focused, i, i));
                }
            }
            if prev_verb && !self.is_any(i + 1, &["who", "which", "that"]) {
                return Some((Reference::All, i, i));
            }
            return None;
        }
        let its = k == "its" && self.toks[i].raw.contains(['\'', '’']);
        if !(matches!(k, "it" | "this" | "that") || its) {
            return None;
        }
        if self.is_any(i + 1, FOCUS_NOT) || self.is_any(i + 2, FOCUS_NOT) {
            return None;
        }
        // "what time is it", "how far is it"
        let small_talk = [1, 2].iter().any(|&back| {
            i.checked_sub(back).is_some_and(|p| {
                self.is_any(
                    p,
                    &[
                        "time", "weather", "day", "date", "late", "early", "cold", "hot", "far",
                        "long",
                    ],
                )
            })
        });
        if small_talk {
            return None;
        }
        let follows = self.is_any(i + 1, FOCUS_FOLLOW);
        let starts = prev.is_none();
        // "this"/"that" also work as determiners ("add this blender") but not as conjunctions
        // ("shoes that fit"): a verb must come before them, or they start the sentence
        let ok = match k {
            "it" => prev_verb || follows || its,
            _ => prev_verb || (starts && follows) || its,
        };
        ok.then_some((Reference::Focused, i, i))
    }
}

//! The extraction context: the tokens of one utterance (their keys typo-corrected), which
//! extractor consumed each token ([`Used`]), the slots filled so far, and whether the text is
//! shouted (mostly capitals: capitals mean nothing then). Its helpers are what every extractor
//! reads with: the next and previous word (also within a sentence), phrases matched across a
//! glued `-` or `/` ("top-rated"), whether a unit follows a number ("500 ml", "5-star"; an "in"
//! only when it cannot be the preposition: "15 in laptop" but not "500 in black"), counts
//! in digits or words ("twenty five", "half a dozen", "a couple of"), a model word before a
//! number ("pixel 8"), and the tokens colour and gender words may still be read from.

use super::tokens::{
    Kind, Tok, correct_typo, num_then_letters, parse_num, small_number_word, tokenize,
};
use super::words::{
    COLOR_SHADES, FUNCTION_WORDS, IN_PREPOSITION_OBJECTS, INCH_CONTINUERS, statics,
};
use super::{Lexicon, Slots};

/// Inches are at most this many: a larger number before "in" is not a measure in inches
/// ("tv under 50000 in india"). The largest screens sold are about 100–150 in.
const MAX_INCHES: f64 = 150.0;

/// How an "in" after a number reads (see [`Ctx::in_reading`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum InReading {
    /// Inches: the number is a measure.
    Inch,
    /// The preposition: the number is whatever else it may be (a price, a quantity, a size).
    Preposition,
    /// Nothing tells: a unit, unless the amount has a comparator or a currency.
    Unclear,
}

/// Which extractor consumed a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Used {
    Free,
    Email,
    Order,
    Brand,
    Reference,
    Size,
    Price,
    Quantity,
    Comparative,
    /// Colour words: filters, not product words.
    Color,
    /// A child's age ("10 year old"): an audience, not product words.
    Age,
}

pub(super) struct Ctx<'a> {
    pub(super) toks: Vec<Tok<'a>>,
    pub(super) used: Vec<Used>,
    pub(super) lex: &'a Lexicon,
    pub(super) slots: Slots,
    /// Most letters of the text are upper case: capitals mean nothing then.
    pub(super) shouting: bool,
}

impl<'a> Ctx<'a> {
    pub(super) fn new(text: &'a str, lex: &'a Lexicon) -> Ctx<'a> {
        let mut toks = tokenize(text);
        let st = statics();
        for t in &mut toks {
            t.key = if t.kind == Kind::Word {
                correct_typo(&t.norm, st, lex)
            } else {
                t.norm.clone()
            };
        }
        let (upper, letters) = text
            .chars()
            .filter(|c| c.is_alphabetic())
            .fold((0, 0), |(u, l), c| {
                (u + usize::from(c.is_uppercase()), l + 1)
            });
        let used = vec![Used::Free; toks.len()];
        Ctx {
            toks,
            used,
            lex,
            slots: Slots::default(),
            shouting: letters > 3 && upper * 2 > letters,
        }
    }

    pub(super) fn len(&self) -> usize {
        self.toks.len()
    }

    pub(super) fn key(&self, i: usize) -> &str {
        self.toks.get(i).map_or("", |t| t.key.as_str())
    }

    fn kind(&self, i: usize) -> Option<Kind> {
        self.toks.get(i).map(|t| t.kind)
    }

    pub(super) fn is(&self, i: usize, w: &str) -> bool {
        self.key(i) == w
    }

    pub(super) fn is_any(&self, i: usize, ws: &[&str]) -> bool {
        i < self.len() && ws.contains(&self.key(i))
    }

    pub(super) fn free(&self, i: usize) -> bool {
        self.used.get(i) == Some(&Used::Free)
    }

    pub(super) fn mark(&mut self, from: usize, to: usize, how: Used) {
        for k in from..=to.min(self.len().saturating_sub(1)) {
            if self.used[k] == Used::Free {
                self.used[k] = how;
            }
        }
    }

    pub(super) fn is_word(&self, i: usize) -> bool {
        matches!(self.kind(i), Some(Kind::Word | Kind::Mixed | Kind::Num))
    }

    /// The next non-symbol token after `i`.
    pub(super) fn next_word(&self, i: usize) -> Option<usize> {
        (i + 1..self.len()).find(|&k| self.is_word(k))
    }

    /// The previous non-symbol token before `i`.
    pub(super) fn prev_word(&self, i: usize) -> Option<usize> {
        (0..i).rev().find(|&k| self.is_word(k))
    }

    /// The previous non-symbol token before `i`, stopping at sentence punctuation.
    pub(super) fn prev_word_in_sentence(&self, i: usize) -> Option<usize> {
        for k in (0..i).rev() {
            if self.is_word(k) {
                return Some(k);
            }
            if matches!(self.key(k), "." | "!" | "?" | ";") {
                return None;
            }
        }
        None
    }

    pub(super) fn sentence_start(&self, i: usize) -> bool {
        self.prev_word_in_sentence(i).is_none()
    }

    /// Matches `phrase` (keys) from token `i`, letting a glued `-` or `/` join two words
    /// ("top-rated", "off-white"). Returns the index of the last matched token.
    pub(super) fn seq(&self, i: usize, phrase: &[&str]) -> Option<usize> {
        let mut k = i;
        for (n, w) in phrase.iter().enumerate() {
            if n > 0 {
                k += 1;
                if matches!(self.key(k), "-" | "/") && self.toks.get(k).is_some_and(|t| t.glued) {
                    k += 1;
                }
            }
            if k >= self.len() || self.key(k) != *w {
                return None;
            }
        }
        Some(k)
    }

    /// Like [`Ctx::seq`] but every matched token must be free.
    pub(super) fn seq_free(&self, i: usize, phrase: &[&str]) -> Option<usize> {
        let end = self.seq(i, phrase)?;
        (i..=end).all(|k| self.free(k)).then_some(end)
    }

    /// Matches `phrase` ending exactly at token `end`; returns its first token.
    pub(super) fn seq_ending(&self, end: usize, phrase: &[&str]) -> Option<usize> {
        let mut k = end;
        for (n, w) in phrase.iter().rev().enumerate() {
            if n > 0 {
                k = k.checked_sub(1)?;
                if matches!(self.key(k), "-" | "/") && self.toks.get(k + 1).is_some_and(|t| t.glued)
                {
                    k = k.checked_sub(1)?;
                }
            }
            if self.key(k) != *w {
                return None;
            }
        }
        Some(k)
    }

    /// Whether token `i` is a unit: a word of the units list (but an "in" only when it is not
    /// the preposition, see [`Ctx::in_reading`]) or `%`, `"`, `'`, `°`.
    pub(super) fn is_unit_at(&self, i: usize) -> bool {
        let st = statics();
        match self.toks.get(i) {
            Some(t) if t.kind == Kind::Sym => matches!(t.key.as_str(), "%" | "\"" | "'" | "°"),
            Some(t) if t.key == "in" => self.in_reading(i) != InReading::Preposition,
            Some(t) => st.units.contains(t.key.as_str()),
            None => false,
        }
    }

    /// How the "in" at `i`, after a number, reads. The preposition when the number is too
    /// large for inches ("tv under 50000 in india") or the next word is something one is "in"
    /// ("in black", "in stock", "in the", "in leather", "in medium"); inches when nothing, a
    /// sign or a number follows ("15 in", "15 in.", "2 in 1") or a word that continues a
    /// measurement ("15 in laptop", "6 in x 4 in"); unclear otherwise ("500 in mumbai"): a unit
    /// unless the amount has a comparator or a currency (see the `prices` module).
    pub(super) fn in_reading(&self, i: usize) -> InReading {
        let st = statics();
        let mut n = i.wrapping_sub(1);
        if self.key(n) == "-" && self.toks.get(n).is_some_and(|t| t.glued) {
            n = n.wrapping_sub(1);
        }
        if self.amount_before_in(n).is_some_and(|v| v > MAX_INCHES) {
            return InReading::Preposition;
        }
        let Some(next) = self.toks.get(i + 1) else {
            return InReading::Inch;
        };
        let key = next.key.as_str();
        if next.kind == Kind::Sym
            || next.kind == Kind::Num
            || next.norm.starts_with(|c: char| c.is_ascii_digit())
            || INCH_CONTINUERS.contains(&key)
        {
            return InReading::Inch;
        }
        if IN_PREPOSITION_OBJECTS.contains(&key)
            || st.colors.contains_key(key)
            || COLOR_SHADES.contains(&key)
            || st.genders.contains_key(key)
            || self.used.get(i + 1) == Some(&Used::Size)
        {
            return InReading::Preposition;
        }
        InReading::Unclear
    }

    /// The value of the number ending at token `n` ("500", "2k", "5 thousand"), for the
    /// magnitude test of [`Ctx::in_reading`].
    fn amount_before_in(&self, n: usize) -> Option<f64> {
        let t = self.toks.get(n)?;
        match t.kind {
            Kind::Num => parse_num(&t.norm),
            Kind::Mixed => match num_then_letters(&t.norm)? {
                (v, "k") => Some(v * 1000.0),
                (v, _) => Some(v),
            },
            Kind::Word => match t.key.as_str() {
                "k" | "thousand" | "grand" => Some(1000.0),
                "lakh" | "lakhs" | "lac" | "lacs" => Some(100_000.0),
                _ => None,
            },
            Kind::Sym => None,
        }
    }

    /// Whether the token after a number at `i` makes it a measure ("500 ml", "50%", "5-star").
    pub(super) fn followed_by_unit(&self, i: usize) -> bool {
        let mut k = i + 1;
        if self.key(k) == "-" && self.toks.get(k).is_some_and(|t| t.glued) {
            k += 1;
        }
        self.is_unit_at(k)
    }

    /// A number (digits or words) at `i`: (value, last token).
    pub(super) fn count_at(&self, i: usize) -> Option<(u32, usize)> {
        let t = self.toks.get(i)?;
        match t.kind {
            Kind::Num => {
                let v = parse_num(&t.norm)?;
                (v.fract() == 0.0 && (0.0..=1_000_000.0).contains(&v)).then_some((v as u32, i))
            }
            Kind::Word => self.word_number_at(i),
            _ => None,
        }
    }

    /// Number words: "two", "twenty five", "a hundred", "two thousand", "a dozen",
    /// "half a dozen", "a couple (of)".
    pub(super) fn word_number_at(&self, i: usize) -> Option<(u32, usize)> {
        let k = self.key(i);
        if k == "half" && self.seq(i + 1, &["a", "dozen"]).is_some() {
            return Some((6, i + 2));
        }
        if matches!(k, "a" | "an") {
            return match self.key(i + 1) {
                "dozen" => Some((12, i + 1)),
                "couple" => Some((2, if self.is(i + 2, "of") { i + 2 } else { i + 1 })),
                "hundred" => Some((100, i + 1)),
                "thousand" => Some((1000, i + 1)),
                _ => None,
            };
        }
        if k == "couple" && self.is(i + 1, "of") {
            return Some((2, i + 1));
        }
        if k == "dozen" {
            return Some((12, i));
        }
        let mut v = small_number_word(k)?;
        let mut end = i;
        if v >= 20 && v % 10 == 0 {
            if let Some(u) = small_number_word(self.key(end + 1)).filter(|u| *u < 10) {
                v += u;
                end += 1;
            } else if self.key(end + 1) == "-" {
                if let Some(u) = small_number_word(self.key(end + 2)).filter(|u| *u < 10) {
                    v += u;
                    end += 2;
                }
            }
        }
        match self.key(end + 1) {
            "hundred" => Some((v * 100, end + 1)),
            "thousand" => Some((v * 1000, end + 1)),
            "dozen" => Some((v * 12, end + 1)),
            _ => Some((v, end)),
        }
    }

    /// A word that, before a number, makes it a model number ("pixel 8", "galaxy s24").
    pub(super) fn is_model_word(&self, p: usize) -> bool {
        let t = &self.toks[p];
        t.kind != Kind::Sym
            && !FUNCTION_WORDS.contains(&t.key.as_str())
            && !self.is_any(p, &["between", "from", "under", "over", "above", "below"])
    }

    /// Colours may be read from any token except e-mail, order id and brand tokens.
    pub(super) fn color_free(&self, i: usize) -> bool {
        !matches!(
            self.used.get(i),
            Some(Used::Email | Used::Order | Used::Brand) | None
        )
    }
}

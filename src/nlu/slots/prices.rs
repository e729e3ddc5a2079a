//! Prices and budgets: comparators (under, below, less than, up to, max, within, over, above, at
//! least, more than, between…and, from…to, `50-100`, around/about = ±20 %), negated comparators
//! ("not under 100" = min 100, "nothing above 600" = max 600), suffixes ("500 or less", "500+";
//! without a currency only when the text speaks of price or budget), `k`/`thousand`/`lakh`
//! multipliers, currency by symbol or word. A bare amount *with* a currency is the budget
//! (`price_max`); a bare number without one is not a price. Numbers followed by a unit (`kg`,
//! `ml`, `gb`, `inch`, `ton`, `stars`, `%`…) are never prices. "in" is a unit only when it cannot
//! be the preposition ("under 500 in black" is a price, "15 in laptop" a measure; see
//! `Ctx::in_reading`); when nothing after it tells ("under 500 in mumbai"), a comparator or a
//! currency before the amount makes it a price. When a bound is given twice the later one wins.

use super::context::{Ctx, InReading, Used};
use super::tokens::{Kind, is_currency_sym, letters_then_num, num_then_letters, parse_num};
use super::words::statics;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bound {
    Max,
    Min,
    Around,
}

/// An amount of money found at some tokens.
#[derive(Debug, Clone, Copy)]
pub(super) struct Money {
    value: f64,
    currency: Option<&'static str>,
    /// Last token of the amount (with its currency word or sign).
    end: usize,
}

/// Comparators before an amount. Negated forms are listed where "not" flips the meaning
/// differently from the plain flip (which swaps min and max).
#[rustfmt::skip]
const PRICE_BEFORE: &[(&[&str], Bound)] = &[
    (&["under"], Bound::Max), (&["below"], Bound::Max), (&["less", "than"], Bound::Max),
    (&["lesser", "than"], Bound::Max), (&["lower", "than"], Bound::Max),
    (&["cheaper", "than"], Bound::Max), (&["up", "to"], Bound::Max), (&["upto"], Bound::Max),
    (&["max"], Bound::Max), (&["maximum"], Bound::Max), (&["within"], Bound::Max),
    (&["at", "most"], Bound::Max), (&["no", "more", "than"], Bound::Max),
    (&["not", "more", "than"], Bound::Max), (&["not", "over"], Bound::Max),
    (&["not", "above"], Bound::Max), (&["not", "exceeding"], Bound::Max),
    (&["budget"], Bound::Max), (&["budget", "is"], Bound::Max), (&["budget", "of"], Bound::Max),
    (&["till"], Bound::Max), (&["until"], Bound::Max), (&["<"], Bound::Max),
    (&["<", "="], Bound::Max), (&["≤"], Bound::Max), (&["no", "pricier", "than"], Bound::Max),
    (&["over"], Bound::Min), (&["above"], Bound::Min), (&["more", "than"], Bound::Min),
    (&["greater", "than"], Bound::Min), (&["higher", "than"], Bound::Min),
    (&["at", "least"], Bound::Min), (&["min"], Bound::Min), (&["minimum"], Bound::Min),
    (&["starting", "at"], Bound::Min), (&["starting", "from"], Bound::Min),
    (&["no", "less", "than"], Bound::Min), (&["not", "less", "than"], Bound::Min),
    (&["not", "under"], Bound::Min), (&["not", "below"], Bound::Min),
    (&["pricier", "than"], Bound::Min), (&["costlier", "than"], Bound::Min),
    (&[">"], Bound::Min), (&[">", "="], Bound::Min), (&["≥"], Bound::Min),
    (&["around"], Bound::Around), (&["about"], Bound::Around), (&["approx"], Bound::Around),
    (&["approximately"], Bound::Around), (&["roughly"], Bound::Around),
    (&["close", "to"], Bound::Around), (&["~"], Bound::Around), (&["near"], Bound::Around),
    (&["somewhere", "around"], Bound::Around), (&["in", "the", "range", "of"], Bound::Around),
    (&["priced", "at"], Bound::Around), (&["costing"], Bound::Around),
];

/// Comparators after an amount ("500 or less", "500+").
#[rustfmt::skip]
const PRICE_AFTER: &[(&[&str], Bound)] = &[
    (&["or", "less"], Bound::Max), (&["or", "below"], Bound::Max), (&["or", "under"], Bound::Max),
    (&["and", "below"], Bound::Max), (&["and", "under"], Bound::Max), (&["max"], Bound::Max),
    (&["maximum"], Bound::Max), (&["tops"], Bound::Max), (&["at", "most"], Bound::Max),
    (&["or", "lower"], Bound::Max), (&["or", "cheaper"], Bound::Max),
    (&["+"], Bound::Min), (&["or", "more"], Bound::Min), (&["or", "above"], Bound::Min),
    (&["and", "above"], Bound::Min), (&["and", "up"], Bound::Min), (&["plus"], Bound::Min),
    (&["min"], Bound::Min), (&["minimum"], Bound::Min), (&["onwards"], Bound::Min),
    (&["or", "higher"], Bound::Min), (&["and", "over"], Bound::Min), (&["or", "over"], Bound::Min),
    (&["ish"], Bound::Around), (&["or", "so"], Bound::Around), (&["budget"], Bound::Max),
];

/// Hinglish comparators after an amount ("1000 ke andar", "500 se kam", "2000 tak"): they say
/// the amount is a price by themselves.
#[rustfmt::skip]
const PRICE_AFTER_HINGLISH: &[(&[&str], Bound)] = &[
    (&["ke", "andar"], Bound::Max), (&["ke", "under"], Bound::Max), (&["se", "kam"], Bound::Max),
    (&["se", "neeche"], Bound::Max), (&["tak"], Bound::Max), (&["se", "upar"], Bound::Min),
    (&["se", "zyada"], Bound::Min), (&["se", "jyada"], Bound::Min),
];

/// Words that may stand between a comparator and the amount ("under a price of 500").
#[rustfmt::skip]
const PRICE_FILLERS: &[&str] = &["the", "price", "prices", "priced", "of", "is", "a", "budget", "cost", "costs", "just", "only", "like", "maybe", "around", "about", "rs", "inr"];

fn currency_of_sym(s: &str) -> Option<&'static str> {
    Some(match s {
        "$" => "USD",
        "€" => "EUR",
        "£" => "GBP",
        "₹" => "INR",
        _ => return None,
    })
}

/// Currency words written before an amount ("rs 499", "usd 50").
fn currency_prefix_word(s: &str) -> Option<&'static str> {
    Some(match s {
        "rs" | "inr" | "rupees" => "INR",
        "usd" => "USD",
        "eur" => "EUR",
        "gbp" => "GBP",
        _ => return None,
    })
}

/// Currency words written after an amount ("499 rupees", "50 bucks").
fn currency_suffix_word(s: &str) -> Option<&'static str> {
    Some(match s {
        "rs" | "inr" | "rupees" | "rupee" | "rupaye" => "INR",
        "usd" | "dollars" | "dollar" | "bucks" => "USD",
        "eur" | "euro" | "euros" => "EUR",
        "gbp" | "quid" => "GBP",
        _ => return None,
    })
}

impl Ctx<'_> {
    /// An amount at token `i`: "$1,299.99", "₹499", "rs. 499", "rs499", "2k", "1.5k", "499
    /// rupees", "50 $", "5 thousand", "2 lakh". Word numbers only when `words` is set.
    pub(super) fn money_at(&self, i: usize, words: bool) -> Option<Money> {
        let t = self.toks.get(i)?;
        if !self.free(i) {
            return None;
        }
        let mut cur = None;
        let mut j = i;
        if t.kind == Kind::Sym {
            cur = Some(currency_of_sym(&t.key)?);
            j += 1;
        } else if let Some(c) = currency_prefix_word(&t.key) {
            if t.kind == Kind::Word {
                cur = Some(c);
                j += 1;
                if self.is(j, ".") {
                    j += 1;
                }
                if self.key(j).chars().next().is_some_and(is_currency_sym_char) {
                    j += 1;
                }
            }
        }
        let n = self.toks.get(j)?;
        if !self.free(j) {
            return None;
        }
        let (mut value, mut end) = match n.kind {
            Kind::Num => (parse_num(&n.norm)?, j),
            Kind::Mixed => {
                if let Some((v, rest)) = num_then_letters(&n.norm) {
                    match rest {
                        "k" => (v * 1000.0, j),
                        "l" | "lakh" | "lac" | "lakhs" if cur == Some("INR") => (v * 100_000.0, j),
                        _ => match currency_suffix_word(rest) {
                            Some(c) if cur.is_none() => {
                                cur = Some(c);
                                (v, j)
                            }
                            _ => return None,
                        },
                    }
                } else if let Some((lead, v)) = letters_then_num(&n.norm) {
                    let c = currency_prefix_word(lead).filter(|_| cur.is_none())?;
                    cur = Some(c);
                    (v, j)
                } else {
                    return None;
                }
            }
            Kind::Word if words || cur.is_some() => {
                let (v, e) = self.word_number_at(j)?;
                if self.key(j) == "dozen" || self.is_any(j + 1, &["dozen", "couple"]) {
                    return None;
                }
                (f64::from(v), e)
            }
            _ => return None,
        };
        // multipliers: "5 thousand", "2 k", "1.5 lakh"
        match self.key(end + 1) {
            "k" | "thousand" | "grand" => {
                value *= 1000.0;
                end += 1;
            }
            "lakh" | "lakhs" | "lac" | "lacs" => {
                value *= 100_000.0;
                end += 1;
            }
            _ => {}
        }
        // currency after: "499 rupees", "50$", "500/-"
        if cur.is_none() {
            let a = self.key(end + 1);
            if let Some(c) = currency_of_sym(a).or_else(|| currency_suffix_word(a)) {
                cur = Some(c);
                end += 1;
            }
        } else if currency_suffix_word(self.key(end + 1)).is_some()
            || currency_of_sym(self.key(end + 1)).is_some()
        {
            end += 1;
        }
        if self.is(end + 1, "/") && self.is(end + 2, "-") {
            // "500/-" is how Indian prices are written
            cur = cur.or(Some("INR"));
            end += 2;
        }
        Some(Money {
            value,
            currency: cur,
            end,
        })
    }

    pub(super) fn prices(&mut self) {
        let mut found: Vec<(Bound, Money, usize)> = Vec::new(); // bound, money, first token
        let mut i = 0;
        while i < self.len() {
            if !self.free(i) {
                i += 1;
                continue;
            }
            if let Some((lo, hi, from)) = self.price_range_at(i) {
                self.mark(from, hi.end, Used::Price);
                found.push((Bound::Min, lo, from));
                found.push((Bound::Max, hi, from));
                i = hi.end + 1;
                continue;
            }
            if let Some((bound, m, from, to)) = self.price_single_at(i) {
                self.mark(from, to, Used::Price);
                found.push((bound, m, from));
                i = to + 1;
                continue;
            }
            i += 1;
        }
        for (bound, m, _) in found {
            if self.slots.currency.is_none() {
                self.slots.currency = m.currency.map(str::to_string);
            }
            let v = round2(m.value);
            match bound {
                Bound::Max => self.slots.price_max = Some(v),
                Bound::Min => self.slots.price_min = Some(v),
                Bound::Around => {
                    self.slots.price_min = Some(round2(m.value * 0.8));
                    self.slots.price_max = Some(round2(m.value * 1.2));
                }
            }
        }
        if let (Some(lo), Some(hi)) = (self.slots.price_min, self.slots.price_max) {
            if lo > hi {
                self.slots.price_min = Some(hi);
                self.slots.price_max = Some(lo);
            }
        }
    }

    /// "between 50 and 100", "from 50 to 100", "50-100", "€30-€40", "50 to 100".
    fn price_range_at(&self, i: usize) -> Option<(Money, Money, usize)> {
        let lead = self.is_any(i, &["between", "from", "btw", "range"]);
        let start = if lead { i + 1 } else { i };
        let lo = self.money_at(start, lead)?;
        let sep = lo.end + 1;
        let sep_ok = match self.key(sep) {
            "-" | "–" | "to" | "till" => true,
            "and" => lead && self.is(i, "between"),
            _ => false,
        };
        if !sep_ok {
            return None;
        }
        let mut hi = self.money_at(sep + 1, lead)?;
        let currency = lo.currency.or(hi.currency);
        if hi.value <= lo.value || self.measure_after(hi.end, lead || currency.is_some()) {
            return None;
        }
        let lo_unit = self.followed_by_unit(lo.end);
        if currency.is_none() {
            // a bare "50-100" is a price range only when nothing says it is something else
            let prev_model = self
                .prev_word(start)
                .is_some_and(|p| !lead && self.is_model_word(p));
            if lo_unit
                || prev_model
                || hi.value < 10.0
                || (!lead && self.key(sep) == "to" && !self.price_context())
            {
                return None;
            }
        }
        let lo = Money { currency, ..lo };
        hi.currency = currency;
        Some((lo, hi, i))
    }

    /// A single amount with its comparator: (bound, money, first token, last token).
    fn price_single_at(&self, i: usize) -> Option<(Bound, Money, usize, usize)> {
        // the comparator before: the longest phrase ending right before the amount
        let (bound, from, m) = if let Some((bound, from, amount_at)) = self.comparator_before(i) {
            let m = self.money_at(amount_at, true)?;
            (Some(bound), from, m)
        } else {
            let m = self.money_at(i, false)?;
            (None, i, m)
        };
        if m.currency.is_none() && self.measure_after(m.end, bound.is_some()) {
            return None;
        }
        if m.currency.is_none()
            && self
                .next_word(m.end)
                .is_some_and(|n| statics().count_nouns.contains(self.key(n)))
        {
            return None;
        }
        let after = PRICE_AFTER
            .iter()
            .filter_map(|(p, b)| self.seq(m.end + 1, p).map(|e| (*b, e)))
            .max_by_key(|(_, e)| *e);
        let hinglish = PRICE_AFTER_HINGLISH
            .iter()
            .filter_map(|(p, b)| self.seq(m.end + 1, p).map(|e| (*b, e)))
            .max_by_key(|(_, e)| *e);
        let (bound, to) = match (bound, hinglish, after) {
            (Some(b), _, _) => (b, m.end),
            (None, Some(said), _) => said,
            (None, None, Some((b, e))) if m.currency.is_some() || self.price_context() => (b, e),
            (None, None, _) if m.currency.is_some() => (Bound::Max, m.end),
            (None, None, _) => return None,
        };
        // with neither currency nor comparator wording about money, "over 4" or "under 2" is
        // more likely a rating or a count than a price
        if m.currency.is_none() && m.value < 10.0 && !self.price_context() {
            return None;
        }
        Some((bound, m, from, to))
    }

    /// A comparator phrase starting at `i`, possibly negated and followed by fillers:
    /// (bound, first token, amount token).
    fn comparator_before(&self, i: usize) -> Option<(Bound, usize, usize)> {
        let mut best: Option<(Bound, usize)> = None;
        for (phrase, bound) in PRICE_BEFORE {
            if let Some(end) = self.seq_free(i, phrase) {
                if best.is_none_or(|(_, e)| end > e) {
                    best = Some((*bound, end));
                }
            }
        }
        let (mut bound, end) = best?;
        // "not under 100" = at least 100, "nothing above 600" = at most 600 (phrases starting
        // with "no"/"not" are listed as such)
        let negated = !self.is_any(i, &["not", "no"])
            && i > 0
            && self
                .prev_word(i)
                .is_some_and(|p| self.is_any(p, &["not", "no", "never", "nothing"]) && p + 1 == i);
        if negated {
            bound = match bound {
                Bound::Max => Bound::Min,
                Bound::Min => Bound::Max,
                Bound::Around => Bound::Around,
            };
        }
        let mut j = end + 1;
        let mut skipped = 0;
        while skipped < 3 && self.is_any(j, PRICE_FILLERS) && self.money_at(j, true).is_none() {
            j += 1;
            skipped += 1;
        }
        // "within 800" or "at least 100", but not "under the sofa"
        self.money_at(j, true)?;
        let from = if negated { i - 1 } else { i };
        Some((bound, from, j))
    }

    /// Whether a unit after the amount ending at `end` makes it a measure. An "in" that may be
    /// the preposition ("under 500 in mumbai") does not when the amount has a money cue (a
    /// comparator or a currency).
    fn measure_after(&self, end: usize, money_cue: bool) -> bool {
        self.followed_by_unit(end)
            && !(money_cue
                && self.is(end + 1, "in")
                && self.in_reading(end + 1) == InReading::Unclear)
    }

    /// Whether the text talks about money at all (for bare numbers).
    fn price_context(&self) -> bool {
        (0..self.len()).any(|k| {
            self.is_any(
                k,
                &[
                    "price",
                    "prices",
                    "priced",
                    "budget",
                    "cost",
                    "costs",
                    "spend",
                    "pay",
                    "rs",
                    "rupees",
                    "dollars",
                    "bucks",
                    "inr",
                    "usd",
                    "eur",
                    "euros",
                    "cheap",
                    "cheaper",
                    "expensive",
                ],
            ) || is_currency_sym(self.key(k))
        })
    }
}

fn is_currency_sym_char(c: char) -> bool {
    matches!(c, '$' | '€' | '£' | '₹')
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use crate::nlu::slots::{Lexicon, extract};

    #[test]
    fn hinglish_bounds_after_an_amount() {
        let lexicon = Lexicon::new(&[], &[], std::iter::empty::<(&str, &str)>());
        let read = |text: &str| {
            let s = extract(text, &lexicon);
            (s.price_min, s.price_max)
        };
        assert_eq!(read("mujhe ek kurti chahiye, 1000 ke andar"), (None, Some(1000.0)));
        assert_eq!(read("watch 500 se kam"), (None, Some(500.0)));
        assert_eq!(read("saree 2000 tak"), (None, Some(2000.0)));
        assert_eq!(read("shoes 800 se upar"), (Some(800.0), None));
    }

    #[test]
    fn nothing_above_a_price_is_a_maximum() {
        let lexicon = Lexicon::new(&[], &[], std::iter::empty::<(&str, &str)>());
        let slots = extract("watches for men, nothing above ₹600", &lexicon);
        assert_eq!((slots.price_min, slots.price_max), (None, Some(600.0)));
        let slots = extract("nothing below 300 please", &lexicon);
        assert_eq!((slots.price_min, slots.price_max), (Some(300.0), None));
    }

    #[test]
    fn an_amount_before_in_is_a_price_unless_the_in_is_inches() {
        let lexicon = Lexicon::default();
        let price = |text: &str| extract(text, &lexicon).price_max;
        let slots = extract("running shoes under 500 in black", &lexicon);
        assert_eq!(slots.price_max, Some(500.0));
        assert_eq!(slots.query, "running shoes");
        assert_eq!(price("tv under 50000 in india"), Some(50000.0));
        // nothing after "in", or a word that continues the measure: inches, not money
        assert_eq!(price("laptop bag under 15 in"), None);
        assert_eq!(price("under 15 in screen"), None);
        assert_eq!(price("a 32 in tv under 40k"), Some(40000.0));
    }
}

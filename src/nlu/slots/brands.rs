//! Brands and excluded brands, linked to the lexicon: multi-word (also written as one word:
//! "pepejeans"), case-insensitive, longest match first, with typo tolerance (1 edit for words of
//! ≥ 5 letters, 2 for ≥ 9, same first letter, and only for words that are neither English words
//! nor catalog words). A brand made only of common English words ("Only", "Prime", "Red Tape")
//! is *restricted*: never fuzzy, and it needs brand context ("by only", "from prime", "only
//! brand") or to be capitalized where a sentence does not start (and the text is not all
//! capitals). A brand of ≤ 2 letters ("W") needs the word "brand" next to it. A brand after
//! `not`/`no`/`except`/`without`/`anything but`/`other than`… (and brands listed after it with
//! "or"/"and"/",") is excluded.

use std::collections::{HashMap, HashSet};

use super::context::{Ctx, Used};
use super::tokens::{Kind, allowed_edits, content_words, deletions, edit_distance, singular};
use super::words::statics;

#[derive(Debug, Clone)]
struct Brand {
    name: String,
    /// Folded words of the name ("pepe", "jeans"); "&" and "and" dropped.
    words: Vec<String>,
    /// Every word is a common word, or the name has ≤ 2 letters: see module docs.
    restricted: bool,
    /// The name has ≤ 2 letters: only brand context makes it match.
    tiny: bool,
    products: u64,
}

/// Brand names by first word (exact and with deletions for typo lookup).
#[derive(Debug, Clone, Default)]
pub(super) struct BrandIndex {
    brands: Vec<Brand>,
    by_first: HashMap<String, Vec<u32>>,
    /// Multi-word names written as one word ("pepejeans").
    by_joined: HashMap<String, Vec<u32>>,
    /// Deletion variants of first words of ≥ 5 letters (symmetric-delete typo lookup).
    by_deletion: HashMap<String, Vec<u32>>,
    /// Every brand word, so that typo correction leaves them alone.
    pub(super) words: HashSet<String>,
    /// Every brand word singularized as product terms are ("adidas" → "adida").
    pub(super) terms: HashSet<String>,
}

impl BrandIndex {
    pub(super) fn new(brands: &[(String, u64)]) -> BrandIndex {
        let st = statics();
        let mut idx = BrandIndex::default();
        let mut seen = HashSet::new();
        for (name, count) in brands {
            let words = content_words(name);
            if words.is_empty() || !seen.insert(words.join(" ")) {
                continue;
            }
            let letters: usize = words.iter().map(|w| w.chars().count()).sum();
            let tiny = letters <= 2;
            let restricted = tiny || words.iter().all(|w| st.english.contains(w.as_str()));
            let id = idx.brands.len() as u32;
            idx.by_first.entry(words[0].clone()).or_default().push(id);
            if words.len() > 1 && !restricted && words.iter().all(|w| w.chars().count() >= 2) {
                idx.by_joined.entry(words.concat()).or_default().push(id);
            }
            let first_len = words[0].chars().count();
            if !restricted && first_len >= 5 {
                let mut dels = Vec::new();
                deletions(&words[0], allowed_edits(first_len), &mut dels);
                dels.push(words[0].clone());
                dels.sort();
                dels.dedup();
                for d in dels {
                    idx.by_deletion.entry(d).or_default().push(id);
                }
            }
            idx.words.extend(words.iter().cloned());
            idx.terms.extend(words.iter().map(|w| singular(w)));
            idx.brands.push(Brand {
                name: name.trim().to_string(),
                words,
                restricted,
                tiny,
                products: *count,
            });
        }
        idx
    }

    /// The brand a title starts with: the longest brand whose words are the first words of
    /// `title_words` (folded content words, as [`content_words`] gives them).
    pub(super) fn leading(&self, title_words: &[String]) -> Option<&str> {
        self.by_first
            .get(title_words.first()?)?
            .iter()
            .map(|&b| &self.brands[b as usize])
            .filter(|b| title_words.starts_with(&b.words))
            .max_by_key(|b| b.words.len())
            .map(|b| b.name.as_str())
    }

    /// Candidate brands whose first word is `w` or a typo of it.
    fn candidates(&self, w: &str, fuzzy: bool) -> Vec<(u32, bool)> {
        let mut out: Vec<(u32, bool)> = Vec::new();
        for list in [self.by_first.get(w), self.by_joined.get(w)]
            .into_iter()
            .flatten()
        {
            out.extend(list.iter().map(|&b| (b, true)));
        }
        if fuzzy && w.len() >= 5 && w.is_ascii() {
            let mut keys = vec![w.to_string()];
            deletions(w, if w.len() >= 8 { 2 } else { 1 }, &mut keys);
            for k in keys {
                if let Some(list) = self.by_deletion.get(&k) {
                    for &b in list {
                        if !out.iter().any(|(x, _)| *x == b) {
                            out.push((b, false));
                        }
                    }
                }
            }
        }
        out
    }
}

/// A word is fuzzily equal to a brand word: exact, or within the allowed edits when both are
/// long enough and the text word is not itself a known word.
fn brand_word_eq(text: &str, brand: &str, fuzzy: bool) -> Option<bool> {
    if text == brand {
        return Some(true);
    }
    if !fuzzy {
        return None;
    }
    let max = allowed_edits(brand.chars().count());
    let same_first = text.chars().next() == brand.chars().next();
    (max > 0 && same_first && text.len() >= 5 && edit_distance(text, brand, max).is_some())
        .then_some(false)
}

/// Words before a brand that exclude it.
#[rustfmt::skip]
const EXCLUDE_CUES: &[&[&str]] = &[
    &["not"], &["no"], &["except"], &["excluding"], &["exclude"], &["without"], &["avoid"],
    &["nor"], &["other", "than"], &["anything", "but"], &["everything", "but"], &["dont", "want"],
    &["dont", "like"], &["hate"], &["except", "for"], &["apart", "from"], &["isnt"], &["not", "from"],
];

struct BrandHit {
    brand: u32,
    start: usize,
    end: usize,
    exact: bool,
}

impl Ctx<'_> {
    pub(super) fn brands(&mut self) {
        let mut hits: Vec<BrandHit> = Vec::new();
        let mut i = 0;
        while i < self.len() {
            match self.best_brand_at(i) {
                Some(hit) => {
                    i = hit.end + 1;
                    hits.push(hit);
                }
                None => i += 1,
            }
        }
        let mut prev_excluded: Option<usize> = None;
        for hit in hits {
            self.mark(hit.start, hit.end, Used::Brand);
            let excluded = self.excluded_before(hit.start)
                || prev_excluded.is_some_and(|pe| self.only_list_glue_between(pe, hit.start));
            let name = self.lex.brands.brands[hit.brand as usize].name.clone();
            if excluded {
                self.slots.brands.retain(|b| *b != name);
                if !self.slots.excluded_brands.contains(&name) {
                    self.slots.excluded_brands.push(name);
                }
                prev_excluded = Some(hit.end);
            } else {
                if !self.slots.brands.contains(&name) && !self.slots.excluded_brands.contains(&name)
                {
                    self.slots.brands.push(name);
                }
                prev_excluded = None;
            }
        }
    }

    fn best_brand_at(&self, i: usize) -> Option<BrandHit> {
        let t = self.toks.get(i)?;
        if t.kind == Kind::Sym || !self.free(i) {
            return None;
        }
        let st = statics();
        let fuzzy_ok = |w: &str| {
            !st.english.contains(w)
                && !self.lex.products.vocab.contains_key(w)
                && !self.lex.brands.words.contains(w)
        };
        let index = &self.lex.brands;
        let mut best: Option<BrandHit> = None;
        for (b, first_exact) in index.candidates(&t.norm, fuzzy_ok(&t.norm)) {
            let brand = &index.brands[b as usize];
            let joined = first_exact && brand.words.len() > 1 && t.norm == brand.words.concat();
            let (end, exact) = if joined {
                (i, true)
            } else {
                match self.match_brand_words(i, brand, first_exact, &fuzzy_ok) {
                    Some(m) => m,
                    None => continue,
                }
            };
            if brand.restricted && (!exact || !self.restricted_brand_ok(i, end, brand)) {
                continue;
            }
            let better = match &best {
                None => true,
                Some(cur) => {
                    let cur_b = &index.brands[cur.brand as usize];
                    (brand.words.len(), exact, brand.products)
                        > (cur_b.words.len(), cur.exact, cur_b.products)
                }
            };
            if better {
                best = Some(BrandHit {
                    brand: b,
                    start: i,
                    end,
                    exact,
                });
            }
        }
        best
    }

    /// Matches the words of `brand` from token `i` (first word already looked up); returns the
    /// last token and whether every word matched exactly.
    fn match_brand_words(
        &self,
        i: usize,
        brand: &Brand,
        first_exact: bool,
        fuzzy_ok: &dyn Fn(&str) -> bool,
    ) -> Option<(usize, bool)> {
        let first = &self.toks[i].norm;
        let mut exact = first_exact;
        if !first_exact {
            exact &= brand_word_eq(first, &brand.words[0], fuzzy_ok(first))?;
        }
        let mut k = i;
        for w in &brand.words[1..] {
            let mut next = k + 1;
            while next < self.len()
                && (matches!(self.key(next), "-" | "&" | "." | "'" | "+")
                    || (self.key(next) == "and" && w != "and"))
            {
                next += 1;
            }
            let t = self.toks.get(next)?;
            if t.kind == Kind::Sym || !self.free(next) {
                return None;
            }
            exact &= brand_word_eq(&t.norm, w, fuzzy_ok(&t.norm))?;
            k = next;
        }
        Some((k, exact))
    }

    /// A restricted brand ("Only", "Red Tape") needs brand context or capitals mid-sentence.
    fn restricted_brand_ok(&self, start: usize, end: usize, brand: &Brand) -> bool {
        let brand_word = self.prev_word(start).is_some_and(|p| self.is(p, "brand"))
            || self
                .next_word(end)
                .is_some_and(|n| self.is_any(n, &["brand", "brands", "label"]));
        if brand.tiny {
            return brand_word;
        }
        let context = brand_word
            || self
                .prev_word(start)
                .is_some_and(|p| self.is_any(p, &["by", "from"]));
        if context {
            return true;
        }
        let capitalized = (start..=end)
            .filter(|&k| self.toks[k].kind != Kind::Sym)
            .all(|k| {
                self.toks[k]
                    .raw
                    .chars()
                    .next()
                    .is_some_and(char::is_uppercase)
            });
        capitalized && !self.shouting && !self.sentence_start(start)
    }

    fn excluded_before(&self, start: usize) -> bool {
        // skip a little filler: "not from nike", "no more adidas", "except for the puma"
        let mut end = start;
        for _ in 0..3 {
            let Some(p) = self.prev_word(end) else {
                return false;
            };
            if EXCLUDE_CUES
                .iter()
                .any(|cue| self.seq_ending(p, cue).is_some())
            {
                return true;
            }
            if !self.is_any(
                p,
                &[
                    "from", "by", "the", "any", "brand", "more", "for", "made", "of",
                ],
            ) {
                return false;
            }
            end = p;
        }
        false
    }

    /// Only list glue ("or", "and", "nor", ",", "/") between two tokens.
    fn only_list_glue_between(&self, a: usize, b: usize) -> bool {
        (a + 1..b).all(|k| self.is_any(k, &["or", "and", "nor", ",", "/", "&"]))
    }
}

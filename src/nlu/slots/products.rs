//! Product mentions: an inverted index of title tokens with IDF weights; a product is mentioned
//! when the text covers a good share of its title's weight *and* the matched words single it out
//! (see [`ProductIndex`]), so "love-music mug" names a product and "ceramic mug" does not. A brand
//! the text names (the `brands` slot) counts for the products whose titles start with it: with
//! the product's other words it may name one that no other word proposes ("the Lee men's
//! jeans"), when no other product of that brand has those words.
//! Colour, gender, unit and conversational words ("compare", "stock") are left out of the
//! product query; of the words that remain, those no extractor took are the `query` left to
//! search for.

use std::collections::{HashMap, HashSet};

use super::brands::BrandIndex;
use super::context::{Ctx, Used};
use super::tokens::{Kind, content_words, singular, tokenize};
use super::words::{COLOR_SHADES, FUNCTION_WORDS, statics};
use super::{MAX_PRODUCTS, ProductMention};

/// An inverted index of product-title terms.
///
/// Terms are the title's words, lower-cased and singularized (digits kept: `v15`, `240450`,
/// `1000xm5`, and for model numbers also their letter-led tail: `1000xm5` → `xm5`), stop words
/// dropped. A term weighs `idf = ln(1 + N / df)`; a word the catalog does not know weighs
/// `ln(1 + N)` on the query side (the shopper named something the catalog lacks).
///
/// Only *nominating* terms (not common English words, not brand words, not single letters, df ≤
/// [`ProductIndex::candidate_df`]) propose candidates. For a candidate with matched terms M:
/// - `title` = weight of M / weight of the title; `query` = weight of M / weight of the
///   query's terms (in a second pass, terms explained by an accepted mention are left out, so
///   "pixel 8 vs galaxy s24" can name both); `k` = products containing all of M;
/// - it is mentioned when `k = 1` (or `k = 2` with `title ≥ 0.6`) and either M has a rare
///   model number (`v15`, `240450`) and `query ≥ 0.4`, or `query ≥ 0.6` and one of:
///   `title ≥ 0.45`; M has ≥ 2 nominating terms and `title ≥ 0.3`; M has the title's head
///   noun ("blender" in "Prestige Blender PB 01") and `query ≥ 0.75`;
/// - its score is `0.5·title + 0.3·query + 0.2/k`; a candidate whose M is a strict subset of
///   a better mention's is dropped.
///
/// So "love-music mug" names the Akup mug, "ceramic mug" (many mugs) and "leather chair"
/// ("chair" only a modifier in "Chair Protectors") name nothing.
///
/// Brand words never nominate by themselves: "Slim" and "Regular" are brands in real catalogs
/// (a fit in the brand column), "jeans" is a word of "Pepe Jeans". A product's *leading brand*
/// is the brand its title starts with. When the brands slot names a product's leading brand
/// (the brand extractor's rules decide that, so a lower-case "slim" names none), the brand's
/// products that share another word with the query are candidates too (brands of at most
/// [`MAX_BRAND_PRODUCTS`] products), and such a candidate is also mentioned when M has a word
/// besides the brand's, no other product of the brand has all of M, `title ≥ 0.6` (the words
/// are most of the product's name) and `query ≥ 0.6`; then `k = 1`. So "the Lee men's jeans"
/// names "Lee Men's Jeans", while "Wrangler jeans" (two Wrangler jeans), "Nike running shoes"
/// and "Only dresses" (a few words of a longer title) name nothing.
#[derive(Debug, Clone, Default)]
pub(super) struct ProductIndex {
    pub(super) ids: Vec<String>,
    titles: Vec<String>,
    pub(super) vocab: HashMap<String, u32>,
    /// Products per term.
    postings: Vec<Vec<u32>>,
    /// Terms of product `p`: `terms[offsets[p]..offsets[p + 1]]`, sorted.
    terms: Vec<u32>,
    offsets: Vec<u32>,
    /// Sum of idf over each product's terms.
    weight: Vec<f32>,
    /// The head noun of each title (last plain word before "for"/"with"/" - "/","/"("), if any.
    head: Vec<Option<u32>>,
    idf: Vec<f32>,
    /// Per term: may propose candidates (not a common word, not a brand word).
    nominating: Vec<bool>,
    /// Per term: looks like a model number (see [`is_model_term`]).
    model: Vec<bool>,
    /// The brands titles start with, and each product's (index into `leads`).
    leads: Vec<Lead>,
    lead_of: Vec<Option<u32>>,
    lead_by_name: HashMap<String, u32>,
}

/// A brand some titles start with.
#[derive(Debug, Clone)]
struct Lead {
    /// The brand's words as terms ("pepe", "jean").
    terms: Vec<u32>,
    /// The products whose titles start with it.
    products: Vec<u32>,
}

/// A brand with more products than this does not propose candidates (its products are found by
/// their own words): a bound on the work of one lookup.
const MAX_BRAND_PRODUCTS: usize = 1000;

/// Least title share of a candidate that its named brand lets through.
const BRAND_TITLE_SHARE: f32 = 0.6;

/// Conversational words left out of the product query ("compare", "stock", "where").
#[rustfmt::skip]
const QUERY_STOP: &[&str] = &[
    "compare", "comparison", "vs", "versus", "stock", "available", "availability", "price",
    "cost", "much", "many", "tell", "about", "does", "do", "is", "are", "was", "were", "have",
    "has", "what", "whats", "which", "where", "wheres", "when", "how", "hows", "why", "who",
    "can", "could", "would", "will", "should", "cart", "delete", "order", "ordered",
    "bought", "return", "cancel", "refund", "deliver", "delivery", "ship", "shipping",
    "arrive", "still", "yet", "come", "comes", "work", "works", "good", "better", "best",
    "looking", "look", "search", "give", "recommend", "similar", "like", "love", "ones",
    "these", "those", "them", "they", "their", "there", "here", "we", "your", "our", "thanks",
    "thank", "hi", "hello", "hey", "ok", "okay", "yes", "no", "not", "also", "just", "really",
    "very", "too", "so", "any", "some", "all", "both", "other", "another", "again", "same",
    "different", "difference", "between", "but", "if", "then", "than", "without", "into",
    "as", "its", "im", "ill", "id", "dont", "doesnt", "isnt", "something", "anything",
    "which", "instead", "item", "items", "product", "products", "thing", "stuff", "gift",
    "package", "packages", "parcel", "shipment", "tracking", "status", "invoice",
    "account", "password", "payment", "card", "refunded", "returned", "cancelled", "canceled",
    // what someone loves and the occasion: the wish, not the product ("a birthday gift for my
    // daughter who loves painting" searches for painting)
    "loves", "loved", "likes", "liked", "enjoys", "enjoy", "enjoyed", "adores", "fond", "obsessed",
    "hobby", "hobbies", "passion", "birthday", "anniversary", "christmas", "diwali", "occasion",
    "ideas", "idea", "suggestions", "his", "hers",
    // the budget said in words ("I can spend up to 1000")
    "spend", "spending", "afford",
    // who it is for, said as a pronoun: never a product word
    "she", "shes", "he", "hes", "him", "her", "who", "whos", "whom", "they", "theyre", "someone",
    "somebody",
    // Hinglish function words ("mujhe ek kurti chahiye", "kadhai dikhao", "ye wala")
    "mujhe", "muje", "humein", "chahiye", "chahie", "chaiye", "dikhao", "dikhado", "dikha", "batao",
    "ek", "ke", "ki", "ka", "ko", "se", "hai", "hain", "kya", "ye", "yeh", "woh", "wo", "aur",
    "bhi", "mein", "wala", "wali", "wale", "koi", "kuch", "kitna", "kitne", "mera", "meri", "mere",
    "liye", "lie", "chahta", "chahti", "dena", "dedo", "daal", "dalo", "karo", "kar", "hua",
    // chat spellings and interjections
    "u", "ur", "pls", "plz", "thx", "hmm", "hmmm", "hm", "umm", "um", "uh", "ah", "oh", "wait",
];

/// Words that say the text speaks of what someone likes ("loves", "a big fan of", "is into",
/// "a coffee lover"): a wish, whose topic is searched for, not the words around it.
#[rustfmt::skip]
const WISH_CUES: &[&str] = &[
    "loves", "likes", "enjoys", "adores", "lover", "lovers", "enthusiast", "enthusiasts",
    "hobby", "hobbies", "passion",
];

/// Words that are wish cues only before one of their words: "a fan of", "crazy about".
#[rustfmt::skip]
const WISH_CUES_BEFORE: &[(&str, &[&str])] = &[
    ("fan", &["of"]), ("fans", &["of"]), ("crazy", &["about", "over"]), ("mad", &["about"]),
    ("passionate", &["about"]), ("obsessed", &["with"]),
];

/// Words that are wish cues only after someone is named ("she's into", "who plays", "he
/// drinks"): elsewhere they may be the product ("energy drinks").
const WISH_CUES_AFTER_SOMEONE: &[&str] = &["into", "drinks", "plays", "collects", "reads"];

/// The words that name someone before a [`WISH_CUES_AFTER_SOMEONE`] word.
#[rustfmt::skip]
const SOMEONE: &[&str] = &[
    "she", "he", "who", "they", "shes", "hes", "whos", "theyre", "is", "s", "really", "totally",
    "also", "getting", "always",
];

/// Words that, in a wish, are about the person and not the product ("she is a big fan of
/// yoga", "he drinks coffee all day", "a present for a friend"). Some are product words
/// elsewhere ("a table fan"), so they are left out only when a [`WISH_CUES`] word is there.
#[rustfmt::skip]
const WISH_FILLER: &[&str] = &[
    "fan", "fans", "lover", "lovers", "enthusiast", "enthusiasts", "buff", "big", "huge",
    "crazy", "mad", "passionate", "obsessed", "into", "really", "totally", "always", "all",
    "day", "every", "time", "drinks", "plays", "collects", "reads", "spends", "friend", "friends",
    "colleague", "coworker", "boss", "teacher", "neighbour", "neighbor", "guest", "person",
    "present", "presents", "surprise", "lot", "lots", "much",
];

/// Least score of a mention (see [`ProductIndex`] for the gates before it).
const MENTION_THRESHOLD: f32 = 0.35;

fn push_terms(norm: &str, kind: Kind, out: &mut Vec<String>) {
    match kind {
        Kind::Word => out.push(singular(norm)),
        Kind::Num => out.push(norm.to_string()),
        Kind::Mixed => {
            out.push(norm.to_string());
            // model numbers: "1000xm5" is also "xm5"
            let b = norm.as_bytes();
            for k in 1..b.len() {
                if b[k - 1].is_ascii_digit()
                    && b[k].is_ascii_alphabetic()
                    && norm.is_char_boundary(k)
                {
                    let tail = &norm[k..];
                    if tail.bytes().any(|c| c.is_ascii_digit()) && tail.len() >= 2 {
                        out.push(tail.to_string());
                    }
                }
            }
        }
        Kind::Sym => {}
    }
}

/// A model-number-like term: letters with digits (`v15`, `xm5`) or ≥ 4 digits (`240450`).
fn is_model_term(t: &str) -> bool {
    let digits = t.bytes().filter(u8::is_ascii_digit).count();
    digits > 0 && (digits < t.len() || digits >= 4)
}

/// The index terms of a title and its head noun: the last plain word before the first "for",
/// "with", " - ", ",", "(", "|" — skipping model numbers, short tokens, colours and units.
fn title_terms(title: &str, out: &mut Vec<String>) -> Option<String> {
    let st = statics();
    let mut head = None;
    let mut head_done = false;
    for t in tokenize(title) {
        let w = t.norm.as_str();
        if !head_done {
            let stop = match t.kind {
                Kind::Sym => matches!(w, "," | "(" | "|" | "[") || (w == "-" && !t.glued),
                _ => matches!(w, "for" | "with" | "in" | "by"),
            };
            if stop && head.is_some() {
                head_done = true;
            } else if t.kind == Kind::Word
                && w.chars().count() >= 3
                && !st.colors.contains_key(w)
                && !st.units.contains(w)
                && !st.genders.contains_key(w)
                && !st.title_stop.contains(w)
            {
                head = Some(singular(w));
            }
        }
        if t.kind != Kind::Sym && !st.title_stop.contains(w) {
            push_terms(w, t.kind, out);
        }
    }
    head
}

/// One scored candidate.
struct Candidate {
    product: u32,
    matched: Vec<u32>,
    title: f32,
    /// The text names the brand the product's title starts with.
    brand_named: bool,
    /// Only that brand proposed it (no nominating term): only the brand's gate applies.
    brand_only: bool,
}

impl ProductIndex {
    pub(super) fn new<'a>(
        products: impl IntoIterator<Item = (&'a str, &'a str)>,
        brands: &BrandIndex,
    ) -> ProductIndex {
        let mut idx = ProductIndex {
            offsets: vec![0],
            ..ProductIndex::default()
        };
        let mut scratch = Vec::new();
        let mut ids_buf: Vec<u32> = Vec::new();
        let mut heads = Vec::new();
        let mut lead_names: Vec<Option<String>> = Vec::new();
        for (id, title) in products {
            lead_names.push(brands.leading(&content_words(title)).map(str::to_string));
            scratch.clear();
            let head = title_terms(title, &mut scratch);
            ids_buf.clear();
            for term in scratch.drain(..) {
                let tid = idx.term_id(term);
                ids_buf.push(tid);
            }
            ids_buf.sort_unstable();
            ids_buf.dedup();
            let p = idx.ids.len() as u32;
            for &tid in &ids_buf {
                idx.postings[tid as usize].push(p);
            }
            idx.terms.extend_from_slice(&ids_buf);
            idx.offsets.push(idx.terms.len() as u32);
            idx.ids.push(id.to_string());
            idx.titles.push(title.to_string());
            heads.push(head);
        }
        idx.head = heads
            .into_iter()
            .map(|h| h.and_then(|h| idx.vocab.get(&h).copied()))
            .collect();
        for (p, name) in lead_names.into_iter().enumerate() {
            let lead = name.map(|name| {
                let next = idx.leads.len() as u32;
                let l = *idx.lead_by_name.entry(name.clone()).or_insert(next);
                if l == next {
                    let mut terms: Vec<u32> = content_words(&name)
                        .iter()
                        .filter_map(|w| idx.vocab.get(&singular(w)).or(idx.vocab.get(w)))
                        .copied()
                        .collect();
                    terms.sort_unstable();
                    terms.dedup();
                    idx.leads.push(Lead {
                        terms,
                        products: Vec::new(),
                    });
                }
                idx.leads[l as usize].products.push(p as u32);
                l
            });
            idx.lead_of.push(lead);
        }
        let n = idx.ids.len() as f32;
        idx.idf = idx
            .postings
            .iter()
            .map(|p| (1.0 + n / p.len().max(1) as f32).ln())
            .collect();
        idx.weight = (0..idx.ids.len())
            .map(|p| idx.terms_of(p).iter().map(|&t| idx.idf[t as usize]).sum())
            .collect();
        let st = statics();
        let mut nominating = vec![true; idx.postings.len()];
        let mut model = vec![false; idx.postings.len()];
        for (term, &tid) in &idx.vocab {
            let single_letter = term.chars().count() == 1 && term.chars().all(char::is_alphabetic);
            if single_letter || st.common.contains(term.as_str()) || brands.terms.contains(term) {
                nominating[tid as usize] = false;
            }
            model[tid as usize] = is_model_term(term);
        }
        idx.nominating = nominating;
        idx.model = model;
        idx
    }

    fn term_id(&mut self, term: String) -> u32 {
        let next = self.vocab.len() as u32;
        let tid = *self.vocab.entry(term).or_insert(next);
        if tid as usize == self.postings.len() {
            self.postings.push(Vec::new());
        }
        tid
    }

    fn terms_of(&self, p: usize) -> &[u32] {
        &self.terms[self.offsets[p] as usize..self.offsets[p + 1] as usize]
    }

    /// Terms shared by more products than this do not propose candidates (they still count in
    /// the score): they cannot single out a product, and their postings are long.
    fn candidate_df(&self) -> usize {
        (self.ids.len() / 50).clamp(8, 400)
    }

    /// Number of products containing every term of `terms` (stops counting at 50).
    fn count_containing(&self, terms: &[u32]) -> usize {
        let Some(&rarest) = terms
            .iter()
            .min_by_key(|&&t| self.postings[t as usize].len())
        else {
            return 0;
        };
        let mut k = 0;
        for &p in &self.postings[rarest as usize] {
            let own = self.terms_of(p as usize);
            if terms.iter().all(|t| own.binary_search(t).is_ok()) {
                k += 1;
                if k >= 50 {
                    break;
                }
            }
        }
        k
    }

    /// The score of a candidate if it passes the gates (see [`ProductIndex`]); terms in
    /// `explained` (matched by other mentions) are left out of the query's weight.
    fn accept(&self, c: &Candidate, query_weight: f32, explained: &HashSet<u32>) -> Option<f32> {
        let w = |t: &u32| self.idf[*t as usize];
        let matched_w: f32 = c.matched.iter().map(w).sum();
        let others_w: f32 = explained
            .iter()
            .filter(|t| !c.matched.contains(t))
            .map(w)
            .sum();
        let denom = (query_weight - others_w).max(matched_w);
        let query = if denom > 0.0 { matched_w / denom } else { 0.0 };
        let k = self.count_containing(&c.matched).max(1);
        if c.brand_named && self.brand_singles_out(c, query) {
            let score = 0.5 * c.title + 0.3 * query + 0.2;
            return (score >= MENTION_THRESHOLD).then_some(score.clamp(0.0, 1.0));
        }
        if c.brand_only {
            return None;
        }
        // two products may share the words only when those words cover most of the title
        if k > 2 || (k == 2 && c.title < 0.6) {
            return None;
        }
        let model = c
            .matched
            .iter()
            .any(|&t| self.model[t as usize] && self.postings[t as usize].len() <= 3);
        let nominators = c
            .matched
            .iter()
            .filter(|&&t| self.nominating[t as usize])
            .count();
        let head = self.head[c.product as usize].is_some_and(|h| c.matched.contains(&h));
        let ok = if model {
            query >= 0.4
        } else {
            query >= 0.6
                && (c.title >= 0.45
                    || (nominators >= 2 && c.title >= 0.3)
                    || (head && query >= 0.75))
        };
        let score = 0.5 * c.title + 0.3 * query + 0.2 / k as f32;
        (ok && score >= MENTION_THRESHOLD).then_some(score.clamp(0.0, 1.0))
    }

    /// Whether the named leading brand of `c` and its other matched words single it out: a
    /// word besides the brand's, most of its title, most of the query, and no other product of
    /// the brand with all of them.
    fn brand_singles_out(&self, c: &Candidate, query: f32) -> bool {
        let Some(lead) = self.lead_of[c.product as usize].map(|l| &self.leads[l as usize]) else {
            return false;
        };
        if c.title < BRAND_TITLE_SHARE
            || query < 0.6
            || c.matched.iter().all(|t| lead.terms.contains(t))
        {
            return false;
        }
        let of_brand = lead
            .products
            .iter()
            .filter(|&&p| {
                let own = self.terms_of(p as usize);
                c.matched.iter().all(|t| own.binary_search(t).is_ok())
            })
            .count();
        of_brand == 1
    }

    /// The products `query` (terms) mentions; `brands` are the brands the text names
    /// (canonical names, as the brands slot holds them).
    fn lookup(&self, query: &[String], brands: &[String]) -> Vec<ProductMention> {
        if self.ids.is_empty() || query.is_empty() {
            return Vec::new();
        }
        let unknown_weight = (1.0 + self.ids.len() as f32).ln();
        let mut q: Vec<u32> = Vec::new();
        let mut unknown = 0.0f32;
        let mut seen = HashSet::new();
        for t in query {
            if !seen.insert(t.as_str()) {
                continue;
            }
            match self.vocab.get(t) {
                Some(&tid) => q.push(tid),
                None => unknown += unknown_weight,
            }
        }
        q.sort_unstable();
        q.dedup();
        let cap = self.candidate_df();
        let mut cand: HashSet<u32> = HashSet::new();
        for &t in &q {
            let posting = &self.postings[t as usize];
            if self.nominating[t as usize] && posting.len() <= cap {
                cand.extend(posting.iter().copied());
            }
        }
        // a named brand proposes its products that share another word with the query
        let named: Vec<u32> = brands
            .iter()
            .filter_map(|b| self.lead_by_name.get(b).copied())
            .collect();
        let mut by_brand: HashSet<u32> = HashSet::new();
        for &l in &named {
            let lead = &self.leads[l as usize];
            if lead.products.len() > MAX_BRAND_PRODUCTS {
                continue;
            }
            for &p in &lead.products {
                let shares = self
                    .terms_of(p as usize)
                    .iter()
                    .any(|t| !lead.terms.contains(t) && q.binary_search(t).is_ok());
                if shares && !cand.contains(&p) {
                    by_brand.insert(p);
                }
            }
        }
        let mut cands: Vec<Candidate> = cand
            .into_iter()
            .chain(by_brand.iter().copied())
            .map(|p| {
                let matched: Vec<u32> = self
                    .terms_of(p as usize)
                    .iter()
                    .copied()
                    .filter(|t| q.binary_search(t).is_ok())
                    .collect();
                let w: f32 = matched.iter().map(|&t| self.idf[t as usize]).sum();
                let title = if self.weight[p as usize] > 0.0 {
                    w / self.weight[p as usize]
                } else {
                    0.0
                };
                Candidate {
                    product: p,
                    matched,
                    title,
                    brand_named: self.lead_of[p as usize].is_some_and(|l| named.contains(&l)),
                    brand_only: by_brand.contains(&p),
                }
            })
            .collect();
        cands.sort_by(|a, b| b.title.total_cmp(&a.title).then(a.product.cmp(&b.product)));
        cands.truncate(16);
        let query_weight: f32 = q.iter().map(|&t| self.idf[t as usize]).sum::<f32>() + unknown;
        let none = HashSet::new();
        let mut accepted: Vec<(f32, usize)> = Vec::new();
        let mut rejected = Vec::new();
        for (n, c) in cands.iter().enumerate() {
            match self.accept(c, query_weight, &none) {
                Some(score) => accepted.push((score, n)),
                None => rejected.push(n),
            }
        }
        // "pixel 8 vs galaxy s24": words another mention explains don't count against this one
        let explained: HashSet<u32> = accepted
            .iter()
            .flat_map(|&(_, n)| cands[n].matched.iter().copied())
            .collect();
        if !explained.is_empty() {
            for n in rejected {
                if let Some(score) = self.accept(&cands[n], query_weight, &explained) {
                    accepted.push((score, n));
                }
            }
        }
        accepted.sort_by(|a, b| {
            b.0.total_cmp(&a.0)
                .then(cands[a.1].product.cmp(&cands[b.1].product))
        });
        // a candidate matching a strict subset of a better one's terms is not meant
        let mut out: Vec<(f32, u32)> = Vec::new();
        let mut kept: Vec<usize> = Vec::new();
        for (score, n) in accepted {
            let c = &cands[n];
            let subsumed = kept.iter().any(|&m| {
                let better = &cands[m].matched;
                better.len() > c.matched.len() && c.matched.iter().all(|t| better.contains(t))
            });
            if !subsumed {
                kept.push(n);
                out.push((score, c.product));
            }
        }
        out.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        out.truncate(MAX_PRODUCTS);
        out.into_iter()
            .map(|(score, p)| ProductMention {
                id: self.ids[p as usize].clone(),
                title: self.titles[p as usize].clone(),
                score,
            })
            .collect()
    }
}

impl Ctx<'_> {
    /// Whether token `k` says the text speaks of what someone likes (see [`WISH_CUES`] and the
    /// lists after it).
    fn is_wish_cue(&self, k: usize) -> bool {
        let key = self.key(k);
        if WISH_CUES.contains(&key) {
            return true;
        }
        if WISH_CUES_AFTER_SOMEONE.contains(&key) {
            return self.prev_word(k).is_some_and(|p| SOMEONE.contains(&self.key(p)));
        }
        WISH_CUES_BEFORE.iter().find(|(w, _)| *w == key).is_some_and(|(_, before)| self.next_word(k).is_some_and(|n| before.contains(&self.key(n))))
    }

    pub(super) fn products(&mut self) {
        let st = statics();
        let mut query = Vec::new();
        self.slots.wish = (0..self.len()).any(|k| self.is_wish_cue(k));
        for k in 0..self.len() {
            let t = &self.toks[k];
            let key = t.key.as_str();
            let usable = matches!(self.used[k], Used::Free | Used::Brand);
            let filter_word = st.units.contains(key)
                || QUERY_STOP.contains(&key)
                || (self.slots.wish && WISH_FILLER.contains(&key))
                || st.colors.contains_key(key)
                || st.genders.contains_key(key)
                || FUNCTION_WORDS.contains(&key)
                || COLOR_SHADES.contains(&key);
            if t.kind == Kind::Sym
                || !usable
                || filter_word
                || st.title_stop.contains(t.norm.as_str())
            {
                continue;
            }
            push_terms(&t.norm, t.kind, &mut query);
            if self.used[k] == Used::Free && !self.slots.query.split(' ').any(|w| w == t.norm) {
                if !self.slots.query.is_empty() {
                    self.slots.query.push(' ');
                }
                self.slots.query.push_str(&t.norm);
            }
        }
        self.slots.products = self.lex.products.lookup(&query, &self.slots.brands);
    }
}

#[cfg(test)]
mod tests {
    use crate::nlu::slots::tests::Rng;
    use crate::nlu::slots::{Lexicon, extract};

    #[test]
    fn the_words_left_to_search_for_exclude_what_slots_took() {
        let lex = Lexicon::default();
        let query = |t: &str| extract(t, &lex).query;
        assert_eq!(query("i'm looking for waterproof hiking boots under $120"), "waterproof hiking boots");
        assert_eq!(query("show me running shoes in blue size 10"), "running shoes");
        assert_eq!(query("add the second one to my cart"), "");
        assert_eq!(query("2 ceramic mugs for my dad"), "ceramic mugs");
        assert_eq!(query("a birthday gift for my daughter who loves painting"), "painting");
        assert_eq!(query("my dad enjoys gardening, any ideas for his anniversary?"), "gardening");
        assert_eq!(query("something for my mom, she drinks coffee all day"), "coffee");
        assert_eq!(query("what should I get my sister, she is a big fan of yoga"), "yoga");
        assert_eq!(query("a present for a friend who is a huge music lover"), "music");
        // without a wish, the same words may be the product
        assert_eq!(query("a big table fan"), "big table fan");
        // a sort's "first", Hinglish function words, and a word said twice
        assert_eq!(query("swiss knife, cheapest first"), "swiss knife");
        assert_eq!(query("actually for my wife instead. same budget"), "");
        assert_eq!(query("hmm make it under 300 instead"), "");
        assert_eq!(query("mujhe ek kurti chahiye, 1000 ke andar"), "kurti");
        assert_eq!(query("my mom joined yoga classes, anything for yoga?"), "joined yoga classes");
    }

    #[test]
    fn a_wish_is_told_from_a_plain_search() {
        let lex = Lexicon::default();
        assert!(extract("my brother loves cooking", &lex).wish);
        assert!(extract("gift for a tea lover", &lex).wish);
        assert!(!extract("i love these shoes", &lex).wish);
        assert!(extract("she drinks coffee all day", &lex).wish);
        assert!(!extract("a big table fan", &lex).wish, "a fan is a product too");
        assert!(!extract("energy drinks", &lex).wish);
        assert!(!extract("smart watches for men", &lex).wish);
    }

    #[test]
    fn large_synthetic_lexicon_finds_one_product() {
        const NOUNS: &[&str] = &[
            "espresso machine",
            "kettle",
            "toaster",
            "blender",
            "air fryer",
            "rice cooker",
            "mixer",
            "juicer",
        ];
        const ADJS: &[&str] = &[
            "stainless",
            "compact",
            "digital",
            "classic",
            "smart",
            "deluxe",
            "mini",
            "pro",
        ];
        let mut rng = Rng(7);
        let mut titles: Vec<(String, String)> = (0..40_000)
            .map(|i| {
                let brand = format!("brand{}", i % 700);
                let model = format!(
                    "{}{}",
                    ["ka", "tx", "mz", "qp"][rng.below(4)],
                    rng.below(100_000)
                );
                let title = format!(
                    "{brand} {} {} {model}",
                    ADJS[rng.below(ADJS.len())],
                    NOUNS[rng.below(NOUNS.len())]
                );
                (format!("s{i}"), title)
            })
            .collect();
        titles.push(("target".into(), "Zephyrix QX-9031 Espresso Machine".into()));
        let brands: Vec<(String, u64)> = (0..700)
            .map(|i| (format!("Brand{i}"), 57))
            .chain([("Zephyrix".to_string(), 1)])
            .collect();
        let lex = Lexicon::new(
            &brands,
            &[],
            titles.iter().map(|(a, b)| (a.as_str(), b.as_str())),
        );
        assert_eq!(lex.product_count(), 40_001);
        let got = extract("is the zephyrix qx-9031 in stock?", &lex);
        assert_eq!(got.brands, vec!["Zephyrix"]);
        assert_eq!(
            got.products
                .iter()
                .map(|p| p.id.as_str())
                .collect::<Vec<_>>(),
            vec!["target"]
        );
        // a generic phrase shared by thousands of titles names nothing
        assert!(extract("espresso machine", &lex).products.is_empty());
        assert!(extract("stainless kettle", &lex).products.is_empty());
    }
}

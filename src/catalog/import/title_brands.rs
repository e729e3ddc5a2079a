//! Brands read from titles, for the Flipkart sample's products whose brand column and
//! specifications name none (373 of its 997 products: every watch, most clothing). Flipkart's
//! titles start with the brand ("Kms ironman_look_led_black11 Digital Watch", "Glus Wedding
//! Lingerie Set"); the question is only where the brand ends, and whether the first word is a
//! brand at all ("Printed Women's Top" has none). Used by `catalog convert` for that dataset
//! only: a shop's own feed (JSON Lines, Merchant Center CSV, Shopify) with an empty brand keeps
//! it empty.
//!
//! The brand is the title's first word or words, as the title writes them, when one of these
//! says where it ends, tried in this order (first that holds wins):
//!
//! 1. **Brand shelf**: the source's category tree has a segment that is its parent segment
//!    after the title's first words ("Wrist Watches > *Kms* Wrist Watches", "Tops > *Ozel
//!    Studio* Tops"; compared without spaces or punctuation, so "Dumdaarcom" is
//!    "Dumdaar.com"). Flipkart builds these shelves from its brand field.
//! 2. **Model code**: the product's style code or model number ("Style Code", "Model Number",
//!    "Model ID", "Model Name") follows the first one to four words ("Cobra Paris *co6394a1*
//!    Analog Watch"), and the first of them is not a common word.
//! 3. **Known brand**: the first words are a brand the same file gives another product — a
//!    brand column or specification that starts that product's own title (so a column that says
//!    "Slim" for a shirt's fit is not a brand here), or a shelf or model code found as above.
//!    The longest such brand wins ("Carlton London" before "Carlton").
//! 4. **Maker's line**: the first one to three words start at least two titles of the file, and
//!    in those titles they are followed by where a brand ends: a model code (a word with a
//!    digit), a descriptive word (below), or a word of the product's own category ("Boots" for
//!    boots). Titles of the line that go on with other words ("La Briza *Ashley* Boots") are
//!    allowed only when no such word recurs (a recurring one may be part of a longer name:
//!    "Urban Fashion Bank" against "Urban Country") and either two titles end at a boundary or
//!    three go on with different words. A title of the line whose brand the file already gives
//!    as something else rejects it.
//! 5. **Lone name**: one word that starts no other title, followed by a boundary as in 4, with
//!    nothing after it but common words and codes ("Roxy Boots", "Lyc White Casual Boots").
//!
//! No rule takes the whole title, or a brand made only of common words; rules 4 and 5 take no
//! common word or code at all. **Common words** come from the file itself: the words of its category
//! names (with their singular and plural forms), words that appear after the first word in
//! titles of at least three different lines (titles with different first words: "Printed",
//! "Solid", "Casual", "Analog"), plus a small explicit list: joining words, audiences, colours
//! and materials. **Descriptive words**, where a brand ends, are the explicit list but for the
//! joining words, and the words the file's titles put right after at least three different
//! known brands ("Casual", "Women's", "Solid"…).
//!
//! The link's slug and the description's opening ("key features of …") repeat the whole title
//! in this dataset, so they cannot say where a brand ends and are not used. A wrong brand is
//! worse than none: a title no rule settles keeps no brand.
//!
//! Measured on the sample with every stated brand taken away (column and specification): the
//! titles give a brand back for 519 of the 624 rows that state one; the 506 of those whose
//! stated brand starts the title all agree, and the other 13 are shirts and jeans whose column
//! holds the fit ("Slim", "Regular") where the shelf names the maker (`tests/import.rs`,
//! `flipkart_brands_read_from_titles_agree_with_the_rows_that_state_one`).

use std::collections::{HashMap, HashSet};

use tantivy::tokenizer::TextAnalyzer;

use crate::catalog::product::{Product, split_category_path};
use crate::catalog::schema::{plain, tokens};

/// Attributes that hold the maker's style or model code.
const CODE_KEYS: &[&str] = &["Style Code", "Model Number", "Model ID", "Model Name"];

/// Joining words: common, but a brand does not end before one ("Mom and Kid").
const JOINING: &[&str] = &["a", "an", "the", "and", "or", "of", "for", "with", "by", "in", "on", "at", "to", "from"];

/// Audiences, colours, materials and packaging words (compared folded and without
/// punctuation: "women's" is "womens").
const DESCRIPTIVE: &[&str] = &[
    "men", "mens", "man", "women", "womens", "woman", "ladies", "lady", "boys", "boy", "girls", "girl", "kids", "kid",
    "baby", "babies", "infant", "infants", "unisex", "couple", "black", "white", "red", "blue", "green", "yellow",
    "pink", "purple", "orange", "brown", "grey", "gray", "silver", "gold", "golden", "beige", "maroon", "navy", "tan",
    "cream", "olive", "khaki", "peach", "magenta", "violet", "multi", "multicolor", "multicolour", "cotton", "leather",
    "silk", "wool", "woollen", "denim", "synthetic", "plastic", "steel", "metal", "wooden", "wood", "nylon",
    "polyester", "rubber", "canvas", "brass", "glass", "ceramic", "acrylic", "velvet", "satin", "linen", "jute",
    "suede", "copper", "new", "pack", "set", "combo",
];

/// How many different lines (first words) must use a word after their first word for it to be
/// common, and how many brands it must follow to mark where a brand ends.
const SPREAD: usize = 3;

/// Gives a brand to each product without one whose title says it (see the module docs).
/// `trees[i]` is product `i`'s category tree as the source gives it, less the trailing entries
/// that name the product; `product_type` must already be without brand shelves.
pub(super) fn fill_from_titles(products: &mut [Product], trees: &[Vec<String>]) {
    debug_assert_eq!(products.len(), trees.len());
    let file = FileWords::new(products, trees);
    for (i, product) in products.iter_mut().enumerate() {
        if product.brand.is_some() {
            continue;
        }
        if let Some(len) = file.brand_len(i) {
            let brand = file.titles[i].words[..len].join(" ");
            let brand = brand.trim_end_matches([',', ';', ':', '-', '/']).trim();
            if !brand.is_empty() {
                product.brand = Some(brand.to_string());
            }
        }
    }
}

/// A title's words as written, and each word folded without punctuation ("Women's" →
/// "womens"), which is what is compared.
struct Title {
    words: Vec<String>,
    keys: Vec<String>,
}

impl Title {
    fn new(title: &str, analyzer: &mut TextAnalyzer) -> Title {
        let words: Vec<String> = title.split_whitespace().map(str::to_string).collect();
        let keys = words.iter().map(|w| key(analyzer, w)).collect();
        Title { words, keys }
    }

    fn prefix(&self, len: usize) -> String {
        self.keys[..len].join(" ")
    }

    /// How many leading words (at most five) spell `compact`, if whole words do.
    fn leading_words_spelling(&self, compact: &str) -> Option<usize> {
        spelled_by(&self.keys[..self.keys.len().min(5)], compact)
    }
}

/// How many of `keys`, from the first, spell `target` when put together (none when `target`
/// is empty or whole keys do not spell it).
fn spelled_by(keys: &[String], target: &str) -> Option<usize> {
    let mut spelled = String::new();
    for (n, k) in keys.iter().enumerate() {
        spelled.push_str(k);
        if !target.starts_with(spelled.as_str()) {
            return None;
        }
        if spelled.len() == target.len() && !target.is_empty() {
            return Some(n + 1);
        }
    }
    None
}

fn key(analyzer: &mut TextAnalyzer, text: &str) -> String {
    tokens(analyzer, text).concat()
}

fn has_digit(word: &str) -> bool {
    word.chars().any(|c| c.is_ascii_digit())
}

/// A word with its plural or singular form ("watches" → "watch", "boot" → "boots").
fn forms(word: &str) -> Vec<String> {
    let mut forms = vec![word.to_string()];
    forms.extend([word.strip_suffix("es"), word.strip_suffix('s')].into_iter().flatten().map(str::to_string));
    forms.push(format!("{word}s"));
    forms
}

/// What the whole file says about its titles.
struct FileWords {
    titles: Vec<Title>,
    /// Products by the folded words their titles start with (one to three words).
    lines: HashMap<String, Vec<usize>>,
    /// The brand each product had from its column or specifications, folded without spaces.
    given: Vec<Option<String>>,
    /// Words of the file's category names.
    category: HashSet<String>,
    /// Words used after the first word by titles of at least [`SPREAD`] lines.
    frequent: HashSet<String>,
    /// Words that follow at least [`SPREAD`] different known brands in titles.
    after_brands: HashSet<String>,
    /// Each product's own category (the last segment), as word forms.
    kinds: Vec<HashSet<String>>,
    /// Brands known from the file, as folded title prefixes.
    known: HashSet<String>,
    /// Per product: how many title words a brand shelf or a model code marks as the brand.
    marked: Vec<Option<usize>>,
}

impl FileWords {
    fn new(products: &[Product], trees: &[Vec<String>]) -> FileWords {
        let mut analyzer = plain();
        let titles: Vec<Title> = products.iter().map(|p| Title::new(&p.title, &mut analyzer)).collect();
        let mut lines: HashMap<String, Vec<usize>> = HashMap::new();
        let mut firsts_using: HashMap<&str, HashSet<&str>> = HashMap::new();
        for (i, t) in titles.iter().enumerate() {
            for len in 1..=t.keys.len().min(3) {
                lines.entry(t.prefix(len)).or_default().push(i);
            }
            for k in t.keys.iter().skip(1) {
                firsts_using.entry(k.as_str()).or_default().insert(t.keys[0].as_str());
            }
        }
        let frequent = firsts_using.into_iter().filter(|(_, firsts)| firsts.len() >= SPREAD).map(|(k, _)| k.to_string()).collect();
        let mut category = HashSet::new();
        let mut kinds = Vec::with_capacity(products.len());
        for p in products {
            let path = p.product_type.as_deref().map(split_category_path).unwrap_or_default();
            let mut words_of = |segment: &str| -> Vec<String> {
                segment.split_whitespace().map(|w| key(&mut analyzer, w)).filter(|k| !k.is_empty()).flat_map(|k| forms(&k)).collect()
            };
            for segment in &path {
                category.extend(words_of(segment));
            }
            kinds.push(path.last().map(|leaf| words_of(leaf).into_iter().collect()).unwrap_or_default());
        }
        let given = products.iter().map(|p| p.brand.as_deref().map(|b| key(&mut analyzer, b))).collect();
        let mut file = FileWords {
            titles,
            lines,
            given,
            category,
            frequent,
            after_brands: HashSet::new(),
            kinds,
            known: HashSet::new(),
            marked: Vec::new(),
        };
        file.marked = (0..products.len())
            .map(|i| {
                let len = file.titles[i].keys.len();
                let shelf = file.shelf_len(i, &trees[i], &mut analyzer).filter(|&n| !file.all_common(i, n));
                let code = || {
                    file.code_len(i, &products[i], &mut analyzer)
                        .filter(|&n| !file.common(&file.titles[i].keys[0]) && !file.all_common(i, n))
                };
                shelf.or_else(code).filter(|&n| n < len)
            })
            .collect();
        // Known brands, and the words that follow them.
        let mut following: HashMap<String, HashSet<String>> = HashMap::new();
        for (i, t) in file.titles.iter().enumerate() {
            let from_column = file.given[i].as_deref().and_then(|b| t.leading_words_spelling(b));
            let Some(len) = from_column.or(file.marked[i]) else { continue };
            let brand = t.prefix(len);
            if t.words.get(len).is_some_and(|w| !has_digit(w)) {
                following.entry(t.keys[len].clone()).or_default().insert(brand.clone());
            }
            file.known.insert(brand);
        }
        file.after_brands = following.into_iter().filter(|(_, brands)| brands.len() >= SPREAD).map(|(k, _)| k).collect();
        file
    }

    /// The number of leading title words that are product `i`'s brand, if a rule says so.
    fn brand_len(&self, i: usize) -> Option<usize> {
        let t = &self.titles[i];
        let most = t.keys.len().saturating_sub(1);
        self.marked[i]
            .or_else(|| (1..=most.min(4)).rev().find(|&n| self.known.contains(&t.prefix(n)) && !self.all_common(i, n)))
            .or_else(|| (1..=most.min(3)).rev().find(|&n| self.own_words(i, n) && self.line(i, n)))
            .or_else(|| self.lone_name(i).then_some(1))
    }

    /// Rule 1: the leading words that a shelf of the category tree names.
    fn shelf_len(&self, i: usize, tree: &[String], analyzer: &mut TextAnalyzer) -> Option<usize> {
        let compact: Vec<String> = tree.iter().map(|s| key(analyzer, s)).collect();
        compact.windows(2).find_map(|pair| {
            let prefix = pair[1].strip_suffix(pair[0].as_str()).filter(|p| !p.is_empty())?;
            self.titles[i].leading_words_spelling(prefix)
        })
    }

    /// Rule 2: the leading words before the product's style or model code.
    fn code_len(&self, i: usize, product: &Product, analyzer: &mut TextAnalyzer) -> Option<usize> {
        let keys = &self.titles[i].keys;
        CODE_KEYS.iter().filter_map(|k| product.attributes.get(*k)).find_map(|code| {
            let code = key(analyzer, code);
            (1..keys.len().min(5)).find(|&start| spelled_by(&keys[start..], &code).is_some())
        })
    }

    fn common(&self, key: &str) -> bool {
        key.is_empty()
            || key.chars().all(|c| c.is_ascii_digit())
            || JOINING.contains(&key)
            || DESCRIPTIVE.contains(&key)
            || self.category.contains(key)
            || self.frequent.contains(key)
    }

    fn all_common(&self, i: usize, len: usize) -> bool {
        self.titles[i].keys[..len].iter().all(|k| self.common(k))
    }

    /// Rules 4 and 5: the first `len` words are neither common words nor codes.
    fn own_words(&self, i: usize, len: usize) -> bool {
        let t = &self.titles[i];
        (0..len).all(|n| !has_digit(&t.words[n]) && !self.common(&t.keys[n]))
    }

    /// Whether product `i`'s title word `at` is where a brand ends: a code, a descriptive
    /// word, or a word of the product's own category.
    fn ends_brand(&self, i: usize, at: usize) -> bool {
        let t = &self.titles[i];
        t.words.get(at).is_some_and(|word| {
            let key = t.keys[at].as_str();
            has_digit(word)
                || DESCRIPTIVE.contains(&key)
                || self.after_brands.contains(key)
                || self.kinds[i].contains(key)
        })
    }

    /// Rule 4: the first `len` words of product `i`'s title are a maker's line.
    fn line(&self, i: usize, len: usize) -> bool {
        let prefix = self.titles[i].prefix(len);
        let Some(members) = self.lines.get(&prefix) else { return false };
        if members.len() < 2 {
            return false;
        }
        let compact = self.titles[i].keys[..len].concat();
        let mut ends = 0;
        let mut goes_on: HashMap<&str, usize> = HashMap::new();
        for &j in members {
            let t = &self.titles[j];
            if t.keys.len() <= len || self.given[j].as_deref().is_some_and(|b| b != compact) {
                return false;
            }
            if self.ends_brand(j, len) {
                ends += 1;
            } else {
                *goes_on.entry(t.keys[len].as_str()).or_default() += 1;
            }
        }
        ends > 0 && goes_on.values().all(|&n| n == 1) && (goes_on.is_empty() || ends >= 2 || goes_on.len() >= 3)
    }

    /// Rule 5: one word of its own, then where a brand ends, then only common words and codes.
    fn lone_name(&self, i: usize) -> bool {
        let t = &self.titles[i];
        t.keys.len() >= 2
            && self.own_words(i, 1)
            && self.lines.get(&t.keys[0]).is_some_and(|m| m.len() == 1)
            && self.ends_brand(i, 1)
            && (1..t.keys.len()).all(|n| has_digit(&t.words[n]) || self.common(&t.keys[n]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_words_spell_a_name() {
        let keys: Vec<String> = ["salt", "n", "pepper", "13019"].iter().map(|s| s.to_string()).collect();
        assert_eq!(spelled_by(&keys, "saltnpepper"), Some(3));
        assert_eq!(spelled_by(&keys, "saltn"), Some(2));
        assert_eq!(spelled_by(&keys, "saltnpep"), None, "not at a word's end");
        assert_eq!(spelled_by(&keys, ""), None);
        assert_eq!(forms("watches"), vec!["watches", "watch", "watche", "watchess"]);
    }
}

//! The tantivy schema and the text analyzers, defined once and shared by the indexer and
//! the query builder.

use tantivy::Index;
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, TextAnalyzer,
};

/// Bumped whenever the schema or analyzers change, so that `serve` rebuilds an older index.
pub(crate) const SCHEMA_VERSION: u32 = 5;

/// Stemmed English: what the BM25 fields use.
pub(crate) const STEMMED: &str = "aisle_en";
/// Lower-cased and folded but not stemmed: what typo-tolerant matching uses.
pub(crate) const PLAIN: &str = "aisle_plain";

/// The fields of the product index.
#[derive(Clone, Debug)]
pub(crate) struct Fields {
    pub id: Field,
    pub title: Field,
    pub brand_text: Field,
    pub category_text: Field,
    pub attributes_text: Field,
    pub description: Field,
    /// The title unstemmed: what fuzzy matching runs over first.
    pub fuzzy_title: Field,
    /// Brand and category unstemmed: fuzzy matches here count for less than in the title.
    pub fuzzy_other: Field,
    pub brand: Field,
    pub category: Field,
    pub color: Field,
    pub size: Field,
    pub gender: Field,
    /// One term per attribute value ([`attribute_terms`]): what an attribute filter matches.
    pub attribute: Field,
    /// Effective price (the sale price when there is one).
    pub price: Field,
    pub in_stock: Field,
    pub rating: Field,
    /// The product's row in the generation's vectors (its position in the build).
    pub row: Field,
    /// The product record as JSON.
    pub stored: Field,
}

impl Fields {
    pub(crate) fn schema() -> (Schema, Fields) {
        let mut b = Schema::builder();
        let text = |tokenizer: &str, positions: bool| {
            let record = if positions { IndexRecordOption::WithFreqsAndPositions } else { IndexRecordOption::WithFreqs };
            TextOptions::default().set_indexing_options(TextFieldIndexing::default().set_tokenizer(tokenizer).set_index_option(record))
        };
        let fields = Fields {
            id: b.add_text_field("id", STRING | FAST),
            title: b.add_text_field("title", text(STEMMED, true)),
            brand_text: b.add_text_field("brand_text", text(STEMMED, true)),
            category_text: b.add_text_field("category_text", text(STEMMED, true)),
            attributes_text: b.add_text_field("attributes_text", text(STEMMED, true)),
            description: b.add_text_field("description", text(STEMMED, true)),
            fuzzy_title: b.add_text_field("fuzzy_title", text(PLAIN, false)),
            fuzzy_other: b.add_text_field("fuzzy_other", text(PLAIN, false)),
            brand: b.add_facet_field("brand", INDEXED),
            category: b.add_facet_field("category", INDEXED),
            color: b.add_text_field("color", STRING),
            size: b.add_text_field("size", STRING),
            gender: b.add_text_field("gender", STRING),
            attribute: b.add_text_field("attribute", STRING),
            price: b.add_f64_field("price", INDEXED | FAST),
            in_stock: b.add_bool_field("in_stock", INDEXED | FAST),
            rating: b.add_f64_field("rating", FAST),
            row: b.add_u64_field("row", INDEXED | FAST),
            stored: b.add_text_field("product", STORED),
        };
        (b.build(), fields)
    }

    pub(crate) fn from_schema(schema: &Schema) -> tantivy::Result<Fields> {
        let f = |name: &str| schema.get_field(name);
        Ok(Fields {
            id: f("id")?,
            title: f("title")?,
            brand_text: f("brand_text")?,
            category_text: f("category_text")?,
            attributes_text: f("attributes_text")?,
            description: f("description")?,
            fuzzy_title: f("fuzzy_title")?,
            fuzzy_other: f("fuzzy_other")?,
            brand: f("brand")?,
            category: f("category")?,
            color: f("color")?,
            size: f("size")?,
            gender: f("gender")?,
            attribute: f("attribute")?,
            price: f("price")?,
            in_stock: f("in_stock")?,
            rating: f("rating")?,
            row: f("row")?,
            stored: f("product")?,
        })
    }
}

/// The stemmed analyzer.
pub(crate) fn stemmed() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(Stemmer::new(Language::English))
        .build()
}

/// The unstemmed analyzer.
pub(crate) fn plain() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

/// Registers the analyzers on an index (they are not persisted with it).
pub(crate) fn register_analyzers(index: &Index) {
    index.tokenizers().register(STEMMED, stemmed());
    index.tokenizers().register(PLAIN, plain());
}

/// Runs an analyzer over `text` and returns its tokens.
pub(crate) fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while let Some(token) = stream.next() {
        out.push(token.text.clone());
    }
    out
}

/// Lower-case key for case-insensitive matching of facet values and filters.
pub(crate) fn fold(text: &str) -> String {
    tokens(&mut plain(), text).join(" ")
}

/// The audiences a gender value names directly: Merchant Center's adult `male`, `female` and
/// `unisex`, and the children's `boys`, `girls`, `kids` and `baby`. Boys are not men.
fn audiences(folded: &str) -> Vec<&'static str> {
    let mut out = Vec::new();
    for word in folded.split(' ') {
        let audience = match word {
            "men" | "man" | "male" | "mens" | "gents" => "male",
            "women" | "woman" | "female" | "womens" | "ladies" | "lady" => "female",
            "unisex" => "unisex",
            "boys" | "boy" => "boys",
            "girls" | "girl" => "girls",
            "kids" | "kid" | "children" | "child" | "childrens" => "kids",
            "baby" | "babies" | "infant" | "infants" => "baby",
            _ => continue,
        };
        if !out.contains(&audience) {
            out.push(audience);
        }
    }
    out
}

/// A product's gender value as index terms: its [`audiences`], `unisex` when it names men and
/// women, and the folded value itself. (`kids` only when the value says so: a boys' watch is
/// not for girls.)
pub(crate) fn gender_terms(gender: &str) -> Vec<String> {
    let folded = fold(gender);
    let mut out: Vec<&str> = audiences(&folded);
    if out.contains(&"male") && out.contains(&"female") && !out.contains(&"unisex") {
        out.push("unisex");
    }
    let mut terms: Vec<String> = out.into_iter().map(str::to_string).collect();
    if !folded.is_empty() && !terms.contains(&folded) {
        terms.push(folded);
    }
    terms
}

/// The gender term of a product that names no audience (a paint brush, a mug).
pub(crate) const NO_AUDIENCE: &str = "anyone";
/// A gender filter for a child when nothing is made for one: children's items and items for no
/// one in particular, never adults' ("a gift for my daughter who loves painting" → brushes).
pub const CHILD_OR_ANYONE: &str = "child or anyone";

/// The index terms a gender filter matches: men's and women's items include unisex ones, a
/// boy's or a girl's include items for kids, and kids' include boys' and girls'.
pub fn gender_query_terms(gender: &str) -> Vec<String> {
    if gender == CHILD_OR_ANYONE {
        return ["kids", "boys", "girls", "baby", NO_AUDIENCE].map(str::to_string).to_vec();
    }
    let folded = fold(gender);
    let mut out: Vec<String> = Vec::new();
    let direct = audiences(&folded);
    let terms = if direct.is_empty() { vec![folded.as_str()] } else { direct };
    for term in terms {
        let wider: &[&str] = match term {
            "male" | "female" => &["unisex"],
            "boys" | "girls" => &["kids"],
            "kids" => &["boys", "girls"],
            _ => &[],
        };
        for t in std::iter::once(term).chain(wider.iter().copied()) {
            if !out.iter().any(|v| v == t) {
                out.push(t.to_string());
            }
        }
    }
    out
}

/// The audience a title states at its end ("Digital Watch - for Boys", "Kurta for Men and
/// Women"), which is what a shopper reads: it wins over a listing's broader gender value.
pub(crate) fn title_audience(title: &str) -> Option<&str> {
    let lower = title.to_ascii_lowercase();
    let at = lower.rfind("for ")?;
    if at > 0 && !lower[..at].ends_with([' ', '-', '(']) {
        return None;
    }
    let rest = &title[at + 4..];
    let words: Vec<String> = rest.split(|c: char| !c.is_alphanumeric() && c != '\'').filter(|w| !w.is_empty()).map(|w| w.to_lowercase().replace('\'', "")).collect();
    let audience = |w: &str| {
        matches!(
            w,
            "men" | "mens" | "women" | "womens" | "boys" | "boy" | "girls" | "girl" | "kids" | "baby" | "babies" | "unisex" | "and" | "couple"
        )
    };
    (!words.is_empty() && words.iter().all(|w| audience(w)) && words.iter().any(|w| w != "and" && w != "couple")).then_some(rest)
}

/// Split a colour or size value into its parts: `"Red/Black"` → `red`, `black`.
/// An attribute's values as filter labels, `"Name: value"`: a list ("Everyday, Party") gives
/// one each. What [`attribute_term`] indexes and a filter names.
pub fn attribute_labels(name: &str, value: &str) -> Vec<String> {
    value.split(',').map(str::trim).filter(|v| !v.is_empty()).map(|v| format!("{}: {v}", name.trim())).collect()
}

/// The indexed form of an attribute label: folded, so that a filter matches whatever the case
/// or accents.
pub(crate) fn attribute_term(label: &str) -> String {
    match label.split_once(':') {
        Some((name, value)) => format!("{}={}", fold(name), fold(value)),
        None => fold(label),
    }
}

pub(crate) fn value_terms(value: &str) -> Vec<String> {
    let mut out: Vec<String> = value.split(['/', ',', '&', '|']).map(fold).filter(|v| !v.is_empty()).collect();
    let whole = fold(value);
    if !whole.is_empty() && !out.contains(&whole) {
        out.push(whole);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boys_are_not_men_and_men_include_unisex() {
        assert_eq!(gender_terms("Men, Boys"), ["male", "boys", "men boys"]);
        assert_eq!(gender_terms("Boys"), ["boys"]);
        assert_eq!(gender_terms("Men, Women"), ["male", "female", "unisex", "men women"]);
        assert_eq!(gender_query_terms("male"), ["male", "unisex"]);
        assert_eq!(gender_query_terms("men"), ["male", "unisex"]);
        assert_eq!(gender_query_terms("boys"), ["boys", "kids"]);
        assert_eq!(gender_query_terms("kids"), ["kids", "boys", "girls"]);
        // What a men's filter matches never includes a boys-only listing.
        let boys_only = gender_terms("Boys");
        assert!(gender_query_terms("male").iter().all(|t| !boys_only.contains(t)));
        assert!(gender_query_terms("girls").iter().all(|t| !boys_only.contains(t)), "a boys' watch is not for girls");
    }

    #[test]
    fn a_title_states_its_audience_at_the_end() {
        assert_eq!(title_audience("Fluid dmf-002-gr01 Digital Watch - for Boys"), Some("Boys"));
        assert_eq!(title_audience("Eleganzza Denim Analog Watch - for Men, Women, Boys, Girls, Couple"), Some("Men, Women, Boys, Girls, Couple"));
        assert_eq!(title_audience("Cotton Kurta for Men and Women"), Some("Men and Women"));
        assert_eq!(title_audience("Oil for Hair Growth"), None);
        assert_eq!(title_audience("Stand for Mens Watches and Bracelets"), None);
        assert_eq!(title_audience("Comfort Women's Sandal"), None);
        assert_eq!(title_audience("Toy for Kidsand more"), None);
    }
}

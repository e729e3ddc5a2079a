//! Slot extraction: the entities of a shopper's utterance, by rules over the text and a
//! lexicon built from the catalog. Pure and deterministic; no model, no I/O.
//!
//! # Pipeline
//!
//! The text is cut to [`MAX_INPUT_BYTES`] / [`MAX_TOKENS`] (longer pastes are not utterances;
//! the cut keeps every call bounded), then split into tokens: words (any script, lower-cased,
//! apostrophes dropped: "men's" → `mens`), numbers (`1,299.99`, `9.5`), mixed letter/digit runs
//! (`v15`, `32gb`, `2xl`, `x2`) and single symbols (`$`, `#`, `-`, emoji). Common shopping
//! keywords with a one-letter typo ("undr", "blakc", "chepest") are corrected when the word is
//! not a known word.
//!
//! Extractors then run in a fixed order; each marks the tokens it consumed so that later ones do
//! not read them again (an order id is never a price, a size is never a quantity). Each has a
//! file of its own, whose docs give its rules:
//!
//! 1. **email** (`order.rs`): a plain `local@domain.tld`.
//! 2. **order_id** (`order.rs`): after `order`/`purchase`, `#48213`, an `ORD…` id anywhere, or a
//!    long bare number when the text speaks of orders.
//! 3. **brands** / **excluded_brands** (`brands.rs`): linked to the lexicon, typo-tolerant; a
//!    brand made of common words needs brand context; a brand after `not`/`except`… is excluded.
//! 4. **references** (`references.rs`): "the second one", "the first two", "both", "all of
//!    them", "the cheaper one", "that one", "add it".
//! 5. **sizes** (`sizes.rs`): `size 10`, `UK 8`, `XL`, "a large t-shirt", `32x34`.
//! 6. **prices** (`prices.rs`): bounds and ranges with their currency ("under $120", "between 50
//!    and 100", "around 200"); an amount before a unit is a measure, but "in" is inches only
//!    when it cannot be the preposition ("under 500 in black" is a price, "15 in laptop" not).
//! 7. **quantity** (`quantity.rs`): "2 pcs", "add two", "x2", "a dozen", "3 shirts".
//! 8. **comparative** / **sort** (`comparatives.rs`): "lighter" = weight asc; "cheapest" also
//!    sets `sort`; "premium" only sets `sort`.
//! 9. **colors** (`colors.rs`) and **gender** (`audience.rs`: gender words, relatives, a child's
//!    age).
//! 10. **categories** (`categories.rs`): the most specific catalog node whose words are all in
//!     the text.
//! 11. **products** (`products.rs`): catalog titles the text singles out; also `query`, the
//!     words left to search for.
//! 12. **elsewhere** (`elsewhere.rs`): another company or service the text names (a
//!     marketplace, a delivery app, an e-mail account), unless the shop sells it as a brand or
//!     is called so; it consumes nothing.
//!
//! Shared by the extractors: `tokens.rs` (the tokenizer, folding, singulars, typo correction,
//! number words), `words.rs` (the word lists several extractors read) and `context.rs` (the
//! tokens of one utterance, which extractor took each, and the helpers that read them).

mod audience;
mod brands;
mod categories;
mod colors;
mod comparatives;
mod context;
mod elsewhere;
mod order;
mod prices;
mod products;
mod quantity;
mod references;
mod sizes;
mod tokens;
mod words;

#[cfg(test)]
mod tests;

use std::collections::HashSet;

use serde::Serialize;

use self::brands::BrandIndex;
use self::categories::CategoryIndex;
use self::context::Ctx;
use self::products::ProductIndex;

pub(crate) use self::tokens::small_number_word;

/// Sort order a shopper asked for ("cheapest", "most expensive", "best rated").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SortSlot {
    PriceAsc,
    PriceDesc,
    Rating,
}

/// Which way a comparative goes: "lighter" is weight ascending (less is better).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Asc,
    Desc,
}

/// A comparative attribute: "lighter" → weight asc; "bigger battery" → battery desc.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparative {
    /// Normalized attribute name: weight, price, rating, battery, size, storage, memory,
    /// screen, speed, capacity, warranty, …
    pub attribute: String,
    pub direction: Direction,
}

/// A reference to products the assistant has shown.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Reference {
    /// "the second one" → 2 (1-based position in the last shown list).
    Ordinal { position: u32 },
    /// "the first two" → 2.
    First { count: u32 },
    /// "the last one" → 1, "the last two" → 2.
    Last { count: u32 },
    /// "that one", "it", "this", "the one you showed".
    Focused,
    /// "both", "these two" (the two in focus / first two).
    Both,
    /// "all of them", "all three".
    All,
    /// "the cheaper one", "the lighter one", "the best rated one": pick by a comparative.
    ByComparative { comparative: Comparative },
}

/// A catalog product the text names ("the dyson v15", "akup love-music mug").
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProductMention {
    pub id: String,
    pub title: String,
    /// Match strength in 0..=1.
    pub score: f32,
}

/// Everything extracted from one utterance. Empty fields mean "not mentioned".
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Slots {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quantity: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub price_min: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub price_max: Option<f64>,
    /// ISO 4217 code when the price named one ("$" → USD, "€" → EUR, "₹"/"rs" → INR).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sort: Option<SortSlot>,
    /// Canonical catalog brand names.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub brands: Vec<String>,
    /// Brands the shopper excluded ("but not nike", "no adidas").
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub excluded_brands: Vec<String>,
    /// Canonical catalog category paths or node names.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub colors: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sizes: Vec<String>,
    /// `male`, `female`, `unisex`, `boys`, `girls`, `kids`, `baby`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gender: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub products: Vec<ProductMention>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<Reference>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comparative: Option<Comparative>,
    /// An e-mail address in the text (guest order verification).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// The words left to search for: what no extractor took (prices, sizes, brands,
    /// references…), without colours, genders, units and conversational words.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub query: String,
    /// The text speaks of what someone likes ("she loves painting", "a coffee lover"): the
    /// `query` is the wish's topic, and the kind of product it implies is for the dialogue to
    /// find.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub wish: bool,
    /// Another company or service the text names ("my swiggy order", "my gmail password"):
    /// not this shop, and not a brand it sells.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub elsewhere: Option<String>,
}

/// What the extractor knows about the catalog: brands, categories, product titles.
#[derive(Debug, Clone, Default)]
pub struct Lexicon {
    brands: BrandIndex,
    categories: CategoryIndex,
    products: ProductIndex,
    /// The shop's own names, folded words joined by a space: its brands and its name. Never
    /// read as another company's.
    own: HashSet<String>,
}

impl Lexicon {
    /// `brands` and `categories` as the index meta lists them (canonical name or `"A > B"` path
    /// with product count); `products` as (id, title) pairs.
    pub fn new<'a>(
        brands: &[(String, u64)],
        categories: &[(String, u64)],
        products: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Lexicon {
        let own = brands.iter().map(|(name, _)| elsewhere::words_of(name).join(" ")).collect();
        let brands = BrandIndex::new(brands);
        let products = ProductIndex::new(products, &brands);
        Lexicon {
            brands,
            categories: CategoryIndex::new(categories),
            products,
            own,
        }
    }

    /// The lexicon, knowing the shop's own name too (a shop called "Nykaa" answers about "my
    /// nykaa order").
    pub fn with_shop_name(mut self, name: &str) -> Lexicon {
        self.own.insert(elsewhere::words_of(name).join(" "));
        self
    }

    /// Whether a name (folded words) is the shop's own or a brand it sells.
    fn is_own(&self, name: &[String]) -> bool {
        self.own.contains(&name.join(" "))
    }

    /// Number of products in the lexicon.
    pub fn product_count(&self) -> usize {
        self.products.ids.len()
    }

    /// Whether `word` (folded) is a word of some brand name or product title: such words are
    /// never "corrected" as typos.
    fn knows(&self, word: &str) -> bool {
        self.brands.words.contains(word) || self.products.vocab.contains_key(word)
    }
}

/// Extracts the slots of `text`.
pub fn extract(text: &str, lexicon: &Lexicon) -> Slots {
    let text = truncate(text, MAX_INPUT_BYTES);
    let mut ctx = Ctx::new(text, lexicon);
    ctx.email(text);
    ctx.order_id();
    ctx.brands();
    ctx.references();
    ctx.sizes();
    ctx.prices();
    ctx.quantity();
    ctx.comparative_and_sort();
    ctx.colors();
    ctx.gender();
    ctx.categories();
    ctx.products();
    ctx.elsewhere();
    ctx.slots
}

// ---------------------------------------------------------------------------------------------
// Limits

/// Longer input is cut (at a char boundary) before anything else: an utterance is short, and
/// the cut bounds the work of every extractor.
pub const MAX_INPUT_BYTES: usize = 4096;
/// At most this many tokens are read.
pub const MAX_TOKENS: usize = 600;
/// Most product mentions returned.
const MAX_PRODUCTS: usize = 3;
/// Most category paths returned.
const MAX_CATEGORIES: usize = 3;

fn truncate(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while end > 0 && !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

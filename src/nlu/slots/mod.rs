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
//! not read them again (an order id is never a price, a size is never a quantity):
//!
//! 1. **email**: a plain `local@domain.tld`.
//! 2. **order_id**: after `order`/`purchase` (+ `#`, `no.`, `number`, `id`, `is`): a number of
//!    ≥ 4 digits or a letter/digit id (`ORD-48213-X`); `#48213`; an `ORD…`/`OD…` id anywhere; a
//!    bare number of ≥ 5 digits when the text speaks of orders/packages/refunds. Returned as
//!    written, without `#`.
//! 3. **brands** / **excluded_brands**: linked to the lexicon, multi-word (also written as one
//!    word: "pepejeans"), case-insensitive, longest match first, with typo tolerance (1 edit for
//!    words of ≥ 5 letters, 2 for ≥ 9, same first letter, and only for words that are neither
//!    English words nor catalog words). A brand made only of common English words ("Only",
//!    "Prime", "Red Tape") is *restricted*: never fuzzy, and it needs brand context ("by only",
//!    "from prime", "only brand") or to be capitalized where a sentence does not start (and the
//!    text is not all capitals). A brand of ≤ 2 letters ("W") needs the word "brand" next to it.
//!    A brand after `not`/`no`/`except`/`without`/`anything but`/`other than`… (and brands listed
//!    after it with "or"/"and"/",") is excluded.
//! 4. **references**: ordinals ("the second one", "the 2nd", "number two", "option 3", and "#2"
//!    only where it points at an item: "add #2", "#2 or #3"), "the first two", "the last (two)",
//!    "both"/"these two", "all of them"/"all three", "the cheaper one" (its comparative is not
//!    repeated in `comparative`), and focus pronouns ("that one", "the one you showed", "two of
//!    those", and `it`/`this`/`that` only next to a verb: "add it", "is it waterproof"). Not
//!    "my first order", "first time", "is it possible".
//! 5. **sizes**: after `size`/`sz`; `UK 8`/`US 10`/`EU 42` (kept with the system); letter sizes
//!    `XS…XXXL`, `2XL`; single letters `S`/`M`/`L` only after `size` or as a capital after `in`;
//!    `small`/`medium`/`large`/`extra large` only after `size`/`in`, before `size`, or before an
//!    apparel noun ("a large t-shirt" → `L`, "a large bowl" → none); waist `32 waist`, `32x34`.
//! 6. **prices**: comparators (under, below, less than, up to, max, within, over, above, at least,
//!    more than, between…and, from…to, `50-100`, around/about = ±20 %), negated comparators
//!    ("not under 100" = min 100), suffixes ("500 or less", "500+"; without a currency only when
//!    the text speaks of price or budget), `k`/`thousand`/`lakh`
//!    multipliers, currency by symbol or word. A bare amount *with* a currency is the budget
//!    (`price_max`); a bare number without one is not a price. Numbers followed by a unit (`kg`,
//!    `ml`, `gb`, `inch`, `ton`, `stars`, `%`…) are never prices. When a bound is given twice the
//!    later one wins.
//! 7. **quantity**: digits or number words counting items: with a count noun ("2 pcs", "three of
//!    those"), after a cart verb ("add 2", "buy two"), `x2`/`2x`, `qty 3`, "a couple", "a dozen",
//!    "half a dozen", or before a plural noun ("3 shirts"). Never a model number ("pixel 8"), a
//!    year, a unit amount, or a token already taken.
//! 8. **comparative** / **sort**: the first comparative phrase ("lighter" = weight asc, "bigger
//!    battery" = battery desc…); superlatives of price/rating also set `sort`; "cheap", "premium",
//!    "low to high" set only `sort`.
//! 9. **colors** (normalized, `gray` → `grey`), skipping food phrases ("green tea") and colour
//!    words that begin a catalog category name, and negated colours ("not red");
//!    **gender** (first mention wins; relatives map: dad → male, daughter → girls…).
//! 10. **categories**: a category node (last path segment) matches when all its words,
//!     singularized, are in the text; the most specific, then most populous, node wins and its
//!     full path is returned (at most 3, nodes subsumed by a more specific match dropped).
//! 11. **products**: an inverted index of title tokens with IDF weights; a product is mentioned
//!     when the text covers a good share of its title's weight *and* the matched words single it
//!     out (see `ProductIndex`), so "love-music mug" names a product and "ceramic mug" does not.
//!     Colour, gender, unit and conversational words ("compare", "stock") are left out of the
//!     product query.

use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

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
}

/// What the extractor knows about the catalog: brands, categories, product titles.
#[derive(Debug, Clone, Default)]
pub struct Lexicon {
    brands: BrandIndex,
    categories: CategoryIndex,
    products: ProductIndex,
}

impl Lexicon {
    /// `brands` and `categories` as the index meta lists them (canonical name or `"A > B"` path
    /// with product count); `products` as (id, title) pairs.
    pub fn new<'a>(
        brands: &[(String, u64)],
        categories: &[(String, u64)],
        products: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Lexicon {
        let brands = BrandIndex::new(brands);
        let products = ProductIndex::new(products, &brands.terms);
        Lexicon {
            brands,
            categories: CategoryIndex::new(categories),
            products,
        }
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

// ---------------------------------------------------------------------------------------------
// Word lists

/// Common English and shopping words. A brand whose every word is here is "restricted" (see the
/// module docs), and none of these is ever treated as a typo.
#[rustfmt::skip]
const COMMON_WORDS: &[&str] = &[
    "a", "about", "above", "accessories", "active", "add", "after", "again", "air", "all", "also",
    "always", "am", "amazing", "an", "and", "any", "anything", "apple", "are", "art", "as",
    "asian", "at", "away", "baby", "back", "bag", "bags", "band", "bar", "base", "basic",
    "basics", "be", "beach", "beauty", "because", "bed", "been", "before", "being", "below",
    "best", "better", "between", "big", "bird", "black", "blue", "body", "bold", "book", "both",
    "bottle", "box", "boy", "boys", "brand", "bright", "bring", "brown", "buffet", "but", "buy",
    "by", "call", "campus", "can", "car", "care", "case", "cases", "casual", "catch", "center",
    "chair", "change", "cheap", "city", "class", "classic", "clean", "clear", "close", "club",
    "coffee", "cold", "color", "colors", "colour", "come", "comfort", "cool", "cotton", "could",
    "country", "cover", "craft", "cream", "crown", "cycle", "daily", "dark", "day", "days",
    "deal", "deals", "delivery", "design", "did", "diamond", "direct", "do", "does", "done",
    "door", "down", "dream", "dress", "drop", "duke", "each", "earth", "east", "eastern", "easy",
    "eat", "eco", "edge", "elegant", "elephant", "elite", "else", "empire", "energy", "engage",
    "even", "ever", "every", "everyday", "exclusive", "express", "extra", "eye", "fabric",
    "face", "family", "fashion", "fast", "feel", "few", "find", "fine", "finish", "fire",
    "first", "fit", "fix", "flair", "flat", "flex", "floral", "flower", "fly", "food", "for",
    "forever", "form", "fortune", "free", "fresh", "friend", "friends", "from", "fun", "future",
    "gala", "galaxy", "game", "garden", "gear", "generic", "genie", "get", "gift", "girl",
    "girls", "give", "glass", "glow", "go", "gold", "golden", "good", "got", "grace", "grand",
    "great", "green", "grey", "habit", "had", "hair", "half", "hand", "happy", "has", "have",
    "he", "health", "heart", "her", "here", "heritage", "high", "him", "his", "home", "hot",
    "house", "how", "i", "icon", "ideal", "if", "imported", "in", "india", "indian", "is", "it",
    "its", "jeans", "joy", "just", "keep", "kids", "king", "kitchen", "know", "lady", "large",
    "last", "leaf", "less", "let", "liberty", "life", "light", "like", "line", "link", "little",
    "live", "living", "local", "long", "look", "looks", "lord", "lot", "love", "low", "luxury",
    "made", "magic", "main", "make", "man", "many", "mark", "market", "master", "matrix", "max",
    "may", "me", "medium", "men", "metro", "might", "mini", "mirror", "mode", "modern", "moon",
    "more", "most", "mother", "much", "must", "my", "name", "native", "natural", "nature",
    "need", "new", "next", "nice", "night", "no", "north", "not", "nova", "now", "ocean", "of",
    "off", "office", "old", "on", "one", "only", "open", "or", "orange", "organic", "origami",
    "original", "other", "our", "out", "over", "own", "pack", "page", "paper", "park", "party",
    "pearl", "people", "perfect", "pet", "pick", "pink", "place", "plain", "planet", "play",
    "please", "plus", "point", "police", "power", "premium", "prime", "pro", "pure", "put",
    "quality", "queen", "quick", "rage", "rain", "real", "red", "regular", "rest", "rich",
    "right", "river", "road", "rock", "rose", "royal", "run", "safe", "sale", "same",
    "sapphire", "say", "school", "sea", "see", "select", "set", "shape", "she", "shine", "shoe",
    "shoes", "shop", "should", "show", "side", "silver", "simple", "size", "sky", "sleep",
    "slim", "small", "smart", "smile", "so", "soft", "some", "something", "sort", "soul",
    "south", "space", "special", "speed", "sport", "sports", "spring", "square", "standard",
    "star", "start", "still", "stop", "store", "story", "street", "strong", "studio", "style",
    "success", "such", "summer", "sun", "super", "sure", "sweet", "table", "take", "tape",
    "tea", "team", "tell", "than", "thank", "thanks", "that", "the", "their", "them", "then",
    "there", "these", "they", "thing", "think", "this", "those", "time", "to", "today", "too",
    "top", "total", "touch", "town", "trend", "trends", "true", "trust", "try", "twin", "two",
    "ultra", "under", "united", "up", "urban", "us", "use", "value", "very", "vibe", "view",
    "vision", "vogue", "want", "warm", "was", "watch", "water", "way", "we", "wear", "well",
    "went", "were", "west", "what", "when", "where", "which", "whisper", "white", "who", "why",
    "wild", "will", "win", "wish", "with", "women", "wonder", "wood", "work", "world", "would",
    "yes", "yet", "york", "you", "young", "your", "zone", "zero",
];

/// General English vocabulary (frequent words of everyday requests to an assistant), widening
/// [`COMMON_WORDS`] for two checks: a word here is never read as a typo of a brand or keyword,
/// and a brand made only of such words is restricted. Not used to stop product terms.
#[rustfmt::skip]
const ENGLISH_WORDS: &[&str] = &[
    "ab", "abc", "able", "about", "ac", "accept", "acceptable", "accepted", "access",
    "accomplish", "account", "accounts", "accrued", "acount", "acquire", "activities", "actually",
    "add", "added", "adding", "address", "adults", "affiliate", "affirmative", "afghanistan",
    "africa", "after", "afternoon", "again", "against", "age", "agent", "ago", "ahead", "ai",
    "aiken", "air", "airlines", "airport", "aj", "ajar", "al", "alarm", "alarms", "alert",
    "alerts", "alfredo", "alice", "alive", "all", "allow", "allowed", "almond", "already",
    "alternative", "altruism", "always", "am", "amazing", "america", "american", "amount", "an",
    "and", "andreas", "angeles", "animal", "animals", "ann", "anna", "anniversary", "another",
    "answer", "answering", "antipathy", "any", "anyone", "anything", "app", "apples",
    "application", "applied", "apply", "appointment", "appointments", "appreciate", "approval",
    "approved", "april", "are", "area", "argentina", "arizona", "around", "arrive", "arrived",
    "article", "articles", "as", "asia", "ask", "asked", "asking", "assist", "assistance",
    "assistant", "at", "ataraxy", "atlanta", "atm", "attractions", "august", "austin",
    "australia", "auto", "availability", "available", "average", "aware", "away", "awesome",
    "baby", "back", "bacon", "bad", "bag", "bags", "bake", "baking", "baltimore", "banana",
    "bangkok", "bangor", "bank", "bar", "barcelona", "bathroom", "battery", "be", "beach", "bear",
    "beatles", "because", "beef", "been", "before", "begin", "being", "believe", "bells", "ben",
    "best", "between", "beverly", "big", "bill", "bills", "bird", "birth", "birthday",
    "birthplace", "bit", "bjs", "black", "bloody", "blue", "board", "boarding", "bob", "boise",
    "book", "booked", "booking", "born", "boss", "boston", "bought", "bowl", "box", "brazil",
    "bread", "breast", "bride", "bring", "british", "broccoli", "broken", "brooklyn", "brother",
    "brown", "brownies", "buffalo", "building", "burger", "bus", "business", "busy", "but",
    "butter", "buy", "buying", "by", "bye", "cables", "cad", "cake", "calculate", "calendar",
    "cali", "call", "called", "calling", "caloric", "calorie", "calories", "came", "can",
    "canada", "canadian", "cancel", "canceling", "cancellation", "cancelling", "cancun", "cannot",
    "cant", "capitol", "car", "card", "care", "carl", "carrie", "carry", "cars", "case", "cases",
    "casserole", "cat", "catch", "cats", "cell", "cellphone", "centimeters", "central", "certain",
    "chance", "change", "changed", "changes", "changing", "character", "charge", "charges",
    "charlotte", "chase", "chat", "chatting", "cheapest", "check", "checked", "checking",
    "cheddar", "cheerios", "cheese", "chicago", "chicken", "chile", "chili", "chilis", "china",
    "chinese", "chipotle", "chips", "chocolate", "choose", "chores", "chow", "chris", "church",
    "circle", "city", "claim", "clean", "cleaning", "clear", "close", "closest", "closing",
    "code", "coffee", "coin", "cold", "college", "colorado", "columbus", "come", "comes",
    "coming", "comment", "commute", "company", "compensation", "compensations", "complaint",
    "complete", "conditions", "confirm", "consumer", "contact", "contain", "content",
    "conversation", "conversion", "convert", "converter", "cook", "cookie", "cookies", "cooking",
    "cool", "coordinates", "corporate", "correct", "correcting", "costa", "could", "count",
    "countries", "country", "craig", "cream", "create", "created", "creating", "creation",
    "credit", "cuba", "cuisine", "cup", "cups", "currency", "current", "currently", "customer",
    "dad", "dallas", "damn", "dan", "data", "date", "dates", "daughter", "dave", "david", "day",
    "days", "dc", "dead", "deal", "december", "decent", "decide", "declined", "define",
    "definitely", "definition", "delete", "deleting", "deletion", "deliver", "delivered",
    "delivery", "delta", "deltas", "demand", "denmark", "dentist", "denver", "describe",
    "dessert", "destination", "details", "detroit", "dial", "dice", "did", "didnt", "die", "died",
    "diego", "different", "dining", "dinner", "direct", "directions", "discover", "dish",
    "dishes", "divided", "dl", "do", "doctor", "doctors", "does", "dog", "dogs", "doing",
    "dollar", "dollars", "domestic", "done", "dont", "donut", "donuts", "doo", "door", "doors",
    "dough", "down", "download", "downtown", "drink", "drive", "driving", "dublin", "due",
    "during", "early", "earn", "earning", "earth", "eastern", "easy", "eat", "eating", "economy",
    "edit", "editing", "egg", "eggs", "ehlp", "eight", "el", "electrical", "elephants", "elvis",
    "empire", "end", "engine", "engineering", "england", "english", "enjoy", "enjoyed", "enough",
    "enter", "entering", "equal", "erase", "error", "errors", "eta", "euro", "europe", "euros",
    "evanescence", "evans", "evening", "event", "events", "every", "everything", "exact",
    "exactly", "exchange", "existence", "exit", "expect", "expected", "expiration", "expire",
    "explain", "express", "extent", "fact", "factory", "facts", "fair", "fake", "falls", "false",
    "familiar", "family", "famous", "fan", "far", "farm", "favorite", "february", "fee", "feed",
    "feedback", "feeding", "feel", "feeling", "fees", "feet", "few", "fiancee", "field",
    "fifteen", "figure", "file", "filing", "fill", "final", "find", "finding", "fine", "finland",
    "first", "fish", "fishing", "five", "fix", "fl", "flange", "flea", "flight", "flights",
    "flip", "floor", "florida", "flour", "fly", "flying", "folding", "follow", "following",
    "food", "foods", "foot", "for", "forecast", "forget", "form", "forms", "forward", "found",
    "four", "frame", "france", "francisco", "free", "freeman", "freemium", "freezer", "french",
    "friday", "fridge", "fried", "friend", "fries", "from", "frontier", "frozen", "fry", "ft",
    "fucking", "fuel", "full", "fun", "funniest", "funny", "furnace", "gallon", "gallons", "game",
    "garage", "garden", "garlic", "gas", "gasoline", "gatlinburg", "german", "germany", "get",
    "gets", "getting", "give", "given", "giving", "glad", "go", "goddamn", "goes", "going",
    "gold", "golden", "gone", "gonna", "good", "goodbye", "got", "gotta", "gps", "grams", "grand",
    "grapes", "grateful", "great", "greece", "green", "grill", "groceries", "grocery", "grub",
    "guide", "gumbo", "had", "half", "hall", "ham", "hamburger", "happened", "happening",
    "happiness", "happy", "harbor", "has", "have", "havent", "having", "hawaii", "hawkings", "he",
    "heading", "heads", "healthy", "hear", "heard", "hearing", "heavy", "hello", "help",
    "helpful", "helping", "her", "here", "hey", "hi", "high", "highway", "hills", "him",
    "history", "hit", "ho", "hobbies", "hold", "holiday", "holidays", "home", "honey", "hong",
    "hospital", "hot", "hotel", "hotels", "hour", "hours", "house", "houston", "how", "hows",
    "human", "hungary", "hut", "ice", "id", "idea", "ideas", "if", "ihop", "ill", "im",
    "immediately", "in", "inch", "inches", "include", "incorrect", "india", "indian", "info",
    "inform", "information", "informing", "ingredients", "initiate", "instead", "instructions",
    "interesting", "international", "internationally", "into", "invoice", "invoices", "involved",
    "ireland", "is", "isnt", "israel", "issue", "issues", "it", "italian", "italy", "item",
    "items", "its", "ive", "jamaica", "james", "jan", "january", "japan", "japanese", "jazz",
    "jerry", "jet", "jetblue", "jfk", "jim", "job", "joe", "john", "joke", "jokes", "jones",
    "jude", "juice", "july", "jump", "june", "just", "kaya", "keep", "kentucky", "kenya",
    "ketchup", "kevin", "key", "kids", "kilograms", "kilometers", "kilos", "kind", "kindly",
    "kinds", "king", "kitchen", "know", "kong", "korea", "korean", "la", "lakewood", "land",
    "landing", "lands", "large", "las", "lasagna", "last", "late", "later", "latest",
    "lauderdale", "laugh", "laundry", "lax", "learn", "leave", "leaving", "lebron", "left",
    "lemon", "length", "let", "lets", "level", "lexington", "liberty", "library", "life", "lifes",
    "light", "lights", "like", "limit", "limits", "line", "lisa", "list", "listed", "listen",
    "listening", "liters", "little", "live", "liverpool", "living", "lobster", "local", "locate",
    "located", "locating", "location", "lock", "locked", "lodge", "lodging", "london", "long",
    "longer", "look", "looked", "looking", "looks", "los", "lost", "lot", "love", "low",
    "luggage", "lunch", "mac", "macaroni", "made", "madison", "mail", "main", "maintenance",
    "make", "making", "malignant", "mall", "manhattan", "many", "map", "march", "mark",
    "marketing", "maroon", "mary", "mashed", "math", "may", "me", "meal", "meals", "mean",
    "meaning", "means", "meat", "meatloaf", "mechanic", "medicine", "meet", "meeting", "meetings",
    "mein", "mesa", "message", "meters", "method", "methods", "mexican", "mexico", "miami",
    "michaels", "microwave", "might", "mileage", "miles", "milk", "millimeters", "mind", "minus",
    "minute", "minutes", "misplaced", "missing", "mix", "modalities", "modify", "modifying",
    "mom", "moment", "moms", "monday", "money", "month", "months", "mop", "mopping", "more",
    "morning", "most", "mother", "motor", "mountain", "move", "movie", "movies", "mpg", "mr",
    "ms", "mt", "much", "muffins", "mug", "munich", "museum", "music", "must", "mustard", "my",
    "myself", "name", "nashville", "nd", "near", "nearby", "nearest", "neat", "necessary", "need",
    "needed", "needing", "needs", "negative", "new", "news", "newsletter", "next", "nice",
    "nigeria", "night", "no", "noel", "noodle", "noodles", "noon", "normal", "north", "not",
    "note", "notified", "notify", "notifying", "nov", "november", "now", "nuggets", "number",
    "nutrients", "nutrional", "nutrition", "nutritional", "ny", "nyc", "obtain", "obtaining",
    "ocean", "october", "of", "off", "offer", "office", "often", "oh", "ohare", "ohio", "oil",
    "ok", "okay", "okayed", "old", "olive", "olympia", "omelette", "on", "once", "one", "ones",
    "online", "only", "ons", "open", "opening", "operator", "opinion", "options", "or", "order",
    "ordered", "organization", "origin", "originate", "orlando", "orleans", "other", "ought",
    "ounces", "our", "out", "outback", "outlet", "outlets", "outside", "oven", "over", "own",
    "owner", "pacific", "package", "paid", "pancakes", "parcel", "park", "party", "paso", "pass",
    "passengers", "password", "past", "pasta", "pay", "payment", "payments", "penalties",
    "penalty", "people", "pepper", "per", "percent", "period", "person", "personal", "peruvian",
    "pesos", "pet", "pets", "philadelphia", "philly", "pho", "phoenix", "phone", "phrase", "pick",
    "pie", "piece", "pin", "pints", "pittsburgh", "pizza", "place", "placed", "places", "plan",
    "plane", "planned", "plants", "platinum", "play", "played", "playing", "playlist", "please",
    "plug", "plugs", "plus", "pm", "point", "policy", "popular", "pork", "portland", "positive",
    "possible", "post", "pot", "potato", "potatoes", "pounds", "power", "prefer", "premium",
    "prepare", "present", "pressure", "pro", "problem", "problems", "procedure", "process",
    "processed", "product", "products", "profile", "proper", "properly", "provide", "pto", "pull",
    "purchase", "purchases", "purpose", "put", "pwd", "qat", "qtips", "quarts", "question",
    "questions", "quick", "radio", "rain", "random", "rate", "rated", "ratings", "rb", "rd",
    "reach", "read", "really", "reason", "reasons", "rebate", "rebates", "receive", "received",
    "receiving", "recent", "recently", "recipe", "recipes", "reclamation", "recommend",
    "recommendations", "recommended", "recover", "recovering", "red", "redrobin", "refrigerator",
    "refund", "refunded", "refunding", "refunds", "regarding", "registration", "registrations",
    "regular", "reimburse", "reimbursed", "reimbursement", "reimbursements", "rejected",
    "remaining", "remember", "remind", "reminded", "reminder", "reminders", "removal", "remove",
    "removing", "reno", "rent", "rental", "repair", "repeat", "replace", "replaced", "report",
    "reported", "reporting", "request", "requesting", "require", "required", "rescind",
    "reservation", "reservations", "reserve", "reset", "response", "restaurant", "restaurants",
    "restitution", "restore", "restrictions", "result", "retrieve", "returning", "returns",
    "review", "reviewed", "reviews", "ribs", "rice", "rid", "ride", "right", "road", "roast",
    "robby", "rock", "roger", "roll", "rolled", "rome", "room", "rooms", "root", "round",
    "roundtrip", "route", "rubles", "ruby", "rules", "run", "running", "russia", "russian",
    "ruth", "sade", "safe", "safely", "safeway", "said", "sal", "salad", "salem", "salt", "sam",
    "san", "sarah", "saturday", "sauce", "sausage", "saved", "say", "saying", "says", "scampi",
    "schedule", "scheduled", "scoop", "scotland", "scratch", "seafood", "search", "seated",
    "seattle", "second", "secondary", "seconds", "section", "secure", "see", "seeing", "seems",
    "seen", "send", "sending", "sent", "serve", "service", "serviced", "services", "set",
    "setting", "seven", "several", "sfo", "share", "shark", "she", "shepherds", "ship",
    "shipment", "shipments", "shipped", "shipping", "shop", "shopping", "shot", "shots", "should",
    "show", "shower", "showing", "shows", "shrimp", "sick", "sided", "sides", "sign", "signed",
    "signup", "since", "singapore", "sioux", "siri", "sites", "situations", "six", "skins",
    "skip", "sky", "slow", "smith", "smooth", "snow", "so", "soccer", "socket", "soda", "solve",
    "solving", "some", "somebody", "someone", "something", "somewhere", "song", "songs", "soon",
    "sort", "sorts", "sound", "soup", "sour", "south", "southern", "southwest", "spaghetti",
    "spago", "spain", "spanish", "spare", "sparks", "speak", "speaker", "speakers", "speaking",
    "special", "specific", "spell", "spelled", "spelling", "spend", "spirit", "square", "st",
    "stadium", "staff", "standard", "star", "start", "started", "starting", "starts", "state",
    "statement", "states", "station", "statue", "status", "stay", "steak", "steakhouse", "steaks",
    "step", "steps", "steve", "steven", "stew", "still", "stole", "stolen", "stop", "store",
    "street", "stuff", "sub", "subjects", "submit", "submitted", "submitting", "subscribe",
    "subscribing", "subscription", "substitute", "subway", "sugar", "suggest", "suggestion",
    "suggestions", "sum", "sunday", "superficial", "support", "supports", "supposed", "sure",
    "sushi", "suv", "swap", "sweden", "swedish", "switch", "switching", "table", "tablespoons",
    "taco", "tacos", "tails", "take", "taken", "takes", "taking", "talk", "talking",
    "tallahassee", "tampa", "tank", "target", "tartine", "task", "tasks", "tax", "taxes", "teach",
    "teaspoons", "tell", "telling", "temp", "tempe", "temperature", "ten", "termination", "texas",
    "text", "tgi", "th", "thai", "thailand", "than", "thank", "thankful", "thanks", "that",
    "thats", "the", "theater", "their", "them", "there", "theres", "these", "they", "thing",
    "things", "think", "thirty", "this", "those", "three", "through", "throw", "thursday",
    "ticket", "till", "time", "timer", "times", "timezone", "tire", "tires", "title", "to",
    "today", "todays", "todo", "tokyo", "told", "tom", "tomato", "tommorow", "tomorrow",
    "tomorrows", "tonight", "took", "toronto", "toss", "total", "touch", "tourist", "tourists",
    "tower", "town", "track", "tracking", "trade", "traffic", "translate", "trash", "travel",
    "traveling", "travelling", "trenton", "tried", "trip", "trivia", "trouble", "troubles",
    "truck", "true", "try", "trying", "tuesday", "tuna", "tune", "turkey", "turn", "turned",
    "turns", "tv", "twelve", "twenty", "two", "tx", "type", "types", "typical", "typically",
    "udeliver", "uhelp", "uk", "umbrella", "under", "understand", "union", "united",
    "unsubscribe", "unsubscribing", "until", "up", "upcoming", "update", "updating", "ur",
    "uruguay", "us", "usa", "usd", "use", "used", "user", "uses", "using", "usually", "vacation",
    "vaccination", "vaccinations", "vaccines", "vacuuming", "valencia", "valid", "vegan", "vegas",
    "vehicle", "very", "via", "vietnam", "vietnamese", "village", "vinegar", "virgin", "virginia",
    "visit", "visiting", "wages", "wait", "waiting", "wake", "walk", "wanna", "want", "wanted",
    "wanting", "wants", "was", "wash", "washington", "water", "watering", "way", "ways", "we",
    "weather", "wednesday", "week", "weekend", "weeks", "well", "wendys", "went", "were", "what",
    "whats", "wheeler", "when", "whens", "where", "wheres", "whether", "which", "while", "white",
    "who", "whole", "why", "wife", "wild", "will", "win", "wine", "wings", "wish", "with",
    "withdrawal", "wonder", "wondering", "word", "work", "working", "workout", "worth", "would",
    "write", "writing", "wrong", "xenophobe", "ya", "yakamoto", "yardhouse", "yards", "yeah",
    "year", "years", "yen", "yens", "yes", "yesterday", "yet", "yogurt", "york", "you", "your",
    "youre", "youve", "zebee", "zesty", "zeus", "zone", "zoo",
];

/// Words that never identify a product and are left out of the title index.
#[rustfmt::skip]
const TITLE_STOP: &[&str] = &[
    "a", "an", "and", "the", "for", "with", "of", "in", "on", "to", "by", "at", "from", "or",
    "&", "is", "it", "my", "me", "i", "you", "this", "that", "one", "show", "want", "need",
    "please", "add", "remove", "cart", "buy", "get",
];

/// Words dropped from category node names before matching.
#[rustfmt::skip]
const CATEGORY_STOP: &[&str] = &["and", "of", "for", "the", "with", "other", "others", "more", "n", "&"];

/// Units: a number followed by one of these is a measure, never a price or quantity.
#[rustfmt::skip]
const UNITS: &[&str] = &[
    "kg", "kgs", "g", "gm", "gms", "gram", "grams", "mg", "ml", "l", "ltr", "ltrs", "litre",
    "litres", "liter", "liters", "gb", "tb", "mb", "mp", "mah", "w", "watt", "watts", "v",
    "volt", "volts", "hz", "khz", "ghz", "inch", "inches", "in", "cm", "mm", "m", "ft", "feet",
    "foot", "meter", "meters", "metre", "metres", "ton", "tons", "tonne", "seater", "star",
    "stars", "rating", "rated", "year", "years", "yr", "yrs", "month", "months", "day", "days",
    "week", "weeks", "hour", "hours", "hrs", "minute", "minutes", "mins", "sec", "seconds",
    "percent", "pound", "pounds", "lbs", "lb", "oz", "people", "persons", "person", "k",
    "burner", "burners", "door", "doors", "speed", "speeds", "zoom", "core", "cores", "bit",
    "channel", "watt", "rpm", "dpi", "fps", "series", "generation", "gen", "th", "st", "nd",
    "rd", "ply", "layer", "layers", "step", "steps", "way", "ways", "pin", "pins", "port",
    "ports", "slice", "slices", "cup", "cups", "seats", "seat", "reviews", "review", "sided",
    "piece_set",
];

/// Count nouns: a number before one of these counts items.
#[rustfmt::skip]
const COUNT_NOUNS: &[&str] = &[
    "pc", "pcs", "piece", "pieces", "unit", "units", "pair", "pairs", "pack", "packs", "set",
    "sets", "item", "items", "nos", "no", "qty", "box", "boxes", "bottle", "bottles", "packet",
    "packets", "dozen", "copies", "copy", "bag", "bags", "more", "each",
];

/// Verbs after which a bare number counts items ("add 2", "buy three").
#[rustfmt::skip]
const CART_VERBS: &[&str] = &[
    "add", "buy", "get", "order", "want", "need", "take", "purchase", "put", "make", "grab",
    "include", "send", "ship", "reserve", "keep", "bought", "ordered", "purchased", "received",
    "got", "returned", "return",
];

/// Nouns after "show me 5 …" that count results, not items.
#[rustfmt::skip]
const RESULT_NOUNS: &[&str] = &[
    "options", "results", "choices", "suggestions", "ideas", "alternatives", "products",
    "models", "brands", "ones", "more", "others", "times", "minutes", "reviews", "colors",
    "colours", "sizes", "stars", "years", "days", "weeks", "months", "hours", "people", "kids",
    "members", "persons", "seconds", "percent",
];

/// Words before a number that make it a count or a feature rather than a model number.
#[rustfmt::skip]
const FUNCTION_WORDS: &[&str] = &[
    "i", "me", "we", "us", "you", "please", "pls", "and", "or", "the", "just", "only", "also",
    "another", "like", "ill", "id", "im", "would", "could", "can", "to", "want", "need", "get",
    "add", "buy", "take", "order", "purchase", "put", "make", "grab", "show", "give", "send",
    "find", "of", "for", "about", "around", "maybe", "then", "now", "so", "ok", "okay", "yes",
    "hi", "hello", "hey", "thanks", "lets", "let", "actually", "instead", "keep", "change",
    "update", "set", "it", "them", "those", "these", "but", "than", "bought", "ordered",
    "purchased", "received", "got", "have", "had", "returned", "return", "need", "needs",
    "wanted", "buying", "adding", "ordering",
];

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

/// Food/product phrases whose colour word is not a colour filter.
#[rustfmt::skip]
const FOOD_PHRASES: &[&[&str]] = &[
    &["green", "tea"], &["black", "tea"], &["white", "tea"], &["black", "pepper"],
    &["white", "pepper"], &["red", "chilli"], &["red", "chili"], &["green", "chilli"],
    &["green", "chili"], &["red", "chillies"], &["green", "chillies"], &["white", "rice"],
    &["brown", "rice"], &["red", "rice"], &["black", "rice"], &["brown", "bread"],
    &["white", "bread"], &["orange", "juice"], &["green", "peas"], &["red", "wine"],
    &["white", "wine"], &["rose", "wine"], &["green", "beans"], &["black", "beans"],
    &["red", "beans"], &["brown", "sugar"], &["white", "sugar"], &["black", "coffee"],
    &["green", "apple"], &["green", "apples"], &["red", "apple"], &["red", "apples"],
    &["white", "chocolate"], &["black", "salt"], &["black", "olives"], &["green", "olives"],
    &["black", "olive"], &["green", "olive"], &["red", "onion"], &["red", "onions"],
    &["white", "onion"], &["white", "vinegar"], &["green", "gram"], &["black", "gram"],
    &["red", "lentils"], &["yellow", "lentils"], &["green", "cardamom"],
    &["black", "cardamom"], &["black", "sesame"], &["white", "sesame"], &["red", "bull"],
    &["green", "coffee"], &["brown", "eggs"], &["white", "eggs"], &["orange", "marmalade"],
    &["green", "capsicum"], &["red", "capsicum"], &["yellow", "capsicum"], &["red", "cabbage"],
    &["black", "grapes"], &["green", "grapes"], &["white", "oats"], &["brown", "onion"],
    &["orange", "peel"], &["red", "velvet"], &["black", "forest"], &["white", "sauce"],
    &["green", "chutney"], &["red", "sauce"], &["green", "salad"], &["black", "currant"],
    &["red", "currant"], &["silver", "foil"], &["gold", "coast"], &["white", "goods"],
    &["red", "tape"], &["black", "friday"],
];

/// Single colour words and their normalized name.
#[rustfmt::skip]
const COLORS: &[(&str, &str)] = &[
    ("black", "black"), ("white", "white"), ("red", "red"), ("blue", "blue"), ("navy", "navy"),
    ("green", "green"), ("olive", "olive"), ("yellow", "yellow"), ("orange", "orange"),
    ("pink", "pink"), ("purple", "purple"), ("maroon", "maroon"), ("beige", "beige"),
    ("brown", "brown"), ("grey", "grey"), ("gray", "grey"), ("silver", "silver"),
    ("gold", "gold"), ("golden", "gold"), ("multicolor", "multicolor"),
    ("multicolour", "multicolor"), ("multicolored", "multicolor"),
    ("multicoloured", "multicolor"), ("teal", "teal"), ("turquoise", "turquoise"),
    ("cream", "cream"), ("khaki", "khaki"), ("magenta", "magenta"), ("lavender", "lavender"),
    ("peach", "peach"), ("mustard", "mustard"), ("coral", "coral"), ("burgundy", "burgundy"),
    ("tan", "tan"), ("copper", "copper"), ("bronze", "bronze"), ("violet", "violet"),
    ("indigo", "indigo"), ("aqua", "aqua"), ("mint", "mint"), ("nude", "nude"), ("rust", "rust"),
    ("charcoal", "charcoal"), ("camel", "camel"), ("fuchsia", "fuchsia"), ("mauve", "mauve"),
    ("taupe", "taupe"), ("ivory", "ivory"), ("cyan", "cyan"), ("lilac", "lilac"),
    ("transparent", "transparent"), ("offwhite", "off white"),
];

/// Multi-word colours (matched before single words) and their normalized name.
#[rustfmt::skip]
const MULTI_COLORS: &[(&[&str], &str)] = &[
    (&["navy", "blue"], "navy blue"), (&["off", "white"], "off white"),
    (&["rose", "gold"], "rose gold"), (&["sky", "blue"], "sky blue"),
    (&["royal", "blue"], "royal blue"), (&["baby", "pink"], "baby pink"),
    (&["baby", "blue"], "baby blue"), (&["hot", "pink"], "hot pink"),
    (&["olive", "green"], "olive green"), (&["bottle", "green"], "bottle green"),
    (&["sea", "green"], "sea green"), (&["lime", "green"], "lime green"),
    (&["mint", "green"], "mint green"), (&["charcoal", "grey"], "charcoal grey"),
    (&["charcoal", "gray"], "charcoal grey"), (&["wine", "red"], "wine red"),
    (&["jet", "black"], "black"), (&["multi", "color"], "multicolor"),
    (&["multi", "colour"], "multicolor"), (&["multi", "colored"], "multicolor"),
    (&["multi", "coloured"], "multicolor"), (&["space", "grey"], "space grey"),
    (&["space", "gray"], "space grey"), (&["midnight", "blue"], "midnight blue"),
    (&["dusty", "pink"], "dusty pink"), (&["coffee", "brown"], "coffee brown"),
];

/// "light"/"dark"/… before a base colour make a compound colour ("light blue").
#[rustfmt::skip]
const COLOR_SHADES: &[&str] = &["light", "dark", "pale", "deep", "bright"];

/// (words, gender). Matched on folded keys; "mens"/"men's" fold to `mens`.
#[rustfmt::skip]
const GENDER_WORDS: &[(&str, &str)] = &[
    ("men", "male"), ("man", "male"), ("mens", "male"), ("male", "male"), ("males", "male"),
    ("gents", "male"), ("gent", "male"), ("guys", "male"), ("guy", "male"),
    ("gentlemen", "male"), ("dad", "male"), ("father", "male"), ("husband", "male"),
    ("boyfriend", "male"), ("brother", "male"), ("grandpa", "male"), ("grandfather", "male"),
    ("uncle", "male"), ("fiance", "male"), ("women", "female"), ("woman", "female"),
    ("womens", "female"), ("female", "female"), ("females", "female"), ("ladies", "female"),
    ("lady", "female"), ("mom", "female"), ("mum", "female"), ("mother", "female"),
    ("wife", "female"), ("girlfriend", "female"), ("sister", "female"), ("grandma", "female"),
    ("grandmother", "female"), ("aunt", "female"), ("fiancee", "female"), ("girls", "girls"),
    ("girl", "girls"), ("daughter", "girls"), ("boys", "boys"), ("boy", "boys"),
    ("son", "boys"), ("nephew", "boys"), ("grandson", "boys"), ("niece", "girls"),
    ("granddaughter", "girls"), ("kids", "kids"), ("kid", "kids"), ("children", "kids"),
    ("childrens", "kids"), ("child", "kids"), ("toddler", "kids"), ("toddlers", "kids"),
    ("baby", "baby"), ("babies", "baby"), ("infant", "baby"), ("infants", "baby"),
    ("newborn", "baby"), ("unisex", "unisex"),
];

/// Keywords that typo correction may produce (a word one edit away from exactly one of these,
/// not itself a known word, is read as it).
#[rustfmt::skip]
const KEYWORDS: &[&str] = &[
    "under", "below", "above", "between", "within", "around", "about", "least", "maximum",
    "minimum", "budget", "cheap", "cheaper", "cheapest", "expensive", "pricier", "priciest",
    "premium", "affordable", "lighter", "lightest", "heavier", "heaviest", "bigger", "biggest",
    "larger", "largest", "smaller", "smallest", "faster", "fastest", "battery", "storage",
    "memory", "screen", "warranty", "capacity", "rated", "rating", "order", "purchase",
    "number", "black", "white", "green", "yellow", "orange", "purple", "maroon", "beige",
    "brown", "silver", "golden", "navy", "multicolor", "multicolour", "medium", "large",
    "small", "extra", "women", "womens", "female", "ladies", "unisex", "children", "infant",
    "second", "third", "fourth", "fifth", "dozen", "couple", "quantity", "pieces", "rupees",
    "dollars", "euros", "waist", "except", "without", "excluding", "compare", "quieter",
];

/// Common misspellings too short for one-edit correction.
#[rustfmt::skip]
const TYPOS: &[(&str, &str)] = &[
    ("undr", "under"), ("uner", "under"), ("belw", "below"), ("blw", "below"),
    ("abv", "above"), ("abve", "above"), ("ovr", "over"), ("upto", "upto"), ("btw", "between"),
    ("cheep", "cheap"), ("chep", "cheap"), ("ordr", "order"), ("oder", "order"),
    ("orde", "order"), ("sze", "size"), ("sise", "size"), ("siz", "size"), ("szie", "size"),
    ("wmns", "womens"), ("womans", "womens"), ("mans", "mens"), ("blk", "black"),
    ("wht", "white"), ("gry", "grey"), ("prple", "purple"), ("lite", "light"),
    ("chepest", "cheapest"), ("cheapist", "cheapest"), ("cheapst", "cheapest"),
    ("rs.", "rs"), ("qty.", "qty"), ("2nd", "2nd"), ("tshirt", "tshirt"),
];

struct Statics {
    common: HashSet<&'static str>,
    /// [`COMMON_WORDS`] and [`ENGLISH_WORDS`].
    english: HashSet<&'static str>,
    title_stop: HashSet<&'static str>,
    units: HashSet<&'static str>,
    count_nouns: HashSet<&'static str>,
    colors: HashMap<&'static str, &'static str>,
    genders: HashMap<&'static str, &'static str>,
    typos: HashMap<&'static str, &'static str>,
    /// Keywords bucketed by first byte, for typo correction.
    keywords: HashMap<u8, Vec<&'static str>>,
    keyword_set: HashSet<&'static str>,
}

fn statics() -> &'static Statics {
    static S: OnceLock<Statics> = OnceLock::new();
    S.get_or_init(|| {
        let mut keywords: HashMap<u8, Vec<&'static str>> = HashMap::new();
        for k in KEYWORDS {
            keywords.entry(k.as_bytes()[0]).or_default().push(k);
        }
        Statics {
            common: COMMON_WORDS.iter().copied().collect(),
            english: COMMON_WORDS.iter().chain(ENGLISH_WORDS).copied().collect(),
            title_stop: TITLE_STOP.iter().copied().collect(),
            units: UNITS.iter().copied().collect(),
            count_nouns: COUNT_NOUNS.iter().copied().collect(),
            colors: COLORS.iter().copied().collect(),
            genders: GENDER_WORDS.iter().copied().collect(),
            typos: TYPOS.iter().copied().collect(),
            keywords,
            keyword_set: KEYWORDS.iter().copied().collect(),
        }
    })
}

// ---------------------------------------------------------------------------------------------
// Text helpers

/// Lower-cases and drops apostrophes: "Men's" → "mens".
fn fold(s: &str) -> String {
    s.chars()
        .filter(|c| *c != '\'' && *c != '’')
        .flat_map(char::to_lowercase)
        .collect()
}

/// A light English singularizer, applied alike to text and catalog words (so it only has to be
/// consistent, not right): "mugs" → "mug", "watches" → "watch", "accessories" → "accessory",
/// "women"/"womens" → "woman", "men"/"mens" → "man".
fn singular(w: &str) -> String {
    match w {
        "women" | "womens" | "woman" => return "woman".into(),
        "men" | "mens" | "man" => return "man".into(),
        "children" | "childrens" => return "child".into(),
        "feet" => return "foot".into(),
        "jeans" | "pants" | "shorts" | "trousers" | "glasses" | "scissors" | "leggings"
        | "series" | "news" | "species" | "headphones" | "earphones" => {
            return w.trim_end_matches('s').into();
        }
        _ => {}
    }
    let n = w.len();
    if n <= 3 || !w.is_ascii() || w.bytes().any(|b| b.is_ascii_digit()) {
        return w.into();
    }
    if let Some(stem) = w.strip_suffix("ies") {
        if n > 4 {
            return format!("{stem}y");
        }
    }
    for suffix in ["sses", "shes", "ches", "xes", "zes"] {
        if w.ends_with(suffix) {
            return w[..n - 2].into();
        }
    }
    if w.ends_with('s') && !w.ends_with("ss") && !w.ends_with("us") && !w.ends_with("is") {
        return w[..n - 1].into();
    }
    w.into()
}

/// Damerau-Levenshtein (optimal string alignment) distance, or `None` when above `max`.
fn edit_distance(a: &str, b: &str, max: usize) -> Option<usize> {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    let w = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * w];
    for (j, cell) in d.iter_mut().enumerate().take(w) {
        *cell = j;
    }
    for i in 1..=a.len() {
        d[i * w] = i;
        let mut row_min = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[(i - 1) * w + j] + 1)
                .min(d[i * w + j - 1] + 1)
                .min(d[(i - 1) * w + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[(i - 2) * w + j - 2] + 1);
            }
            d[i * w + j] = v;
            row_min = row_min.min(v);
        }
        if row_min > max {
            return None;
        }
    }
    let dist = d[a.len() * w + b.len()];
    (dist <= max).then_some(dist)
}

/// Edits tolerated in a word of `len` letters: none under 5, 1 from 5, 2 from 9.
fn allowed_edits(len: usize) -> usize {
    match len {
        0..=4 => 0,
        5..=8 => 1,
        _ => 2,
    }
}

/// All strings made by deleting `n` (1 or 2) chars of `w` (ASCII only; for the fuzzy index).
fn deletions(w: &str, n: usize, out: &mut Vec<String>) {
    if !w.is_ascii() {
        return;
    }
    for i in 0..w.len() {
        let d = format!("{}{}", &w[..i], &w[i + 1..]);
        if n > 1 {
            deletions(&d, n - 1, out);
        }
        out.push(d);
    }
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

// ---------------------------------------------------------------------------------------------
// Tokens

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Letters (any script), maybe with inner apostrophes.
    Word,
    /// ASCII digits with inner `,` (thousands) or `.` (decimals).
    Num,
    /// Letters and digits: `v15`, `32gb`, `2xl`.
    Mixed,
    /// One other char: punctuation, currency sign, emoji.
    Sym,
}

#[derive(Debug, Clone)]
struct Tok<'a> {
    raw: &'a str,
    /// Folded form (lower case, no apostrophes; numbers without commas).
    norm: String,
    /// `norm` after typo correction: what the rules read (filled by [`Ctx::new`] only).
    key: String,
    kind: Kind,
    start: usize,
    end: usize,
    /// No whitespace between this token and the previous one.
    glued: bool,
}

/// Splits `text` into tokens (see [`Kind`]), at most [`MAX_TOKENS`].
fn tokenize(text: &str) -> Vec<Tok<'_>> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let byte_at = |k: usize| chars.get(k).map_or(text.len(), |c| c.0);
    let digit_at = |k: usize| chars.get(k).is_some_and(|c| c.1.is_ascii_digit());
    let alpha_at = |k: usize| chars.get(k).is_some_and(|c| c.1.is_alphabetic());
    let mut out = Vec::new();
    let mut glued = false;
    let mut i = 0;
    while i < chars.len() && out.len() < MAX_TOKENS {
        let c = chars[i].1;
        if c.is_whitespace() {
            glued = false;
            i += 1;
            continue;
        }
        let mut j = i + 1;
        if c.is_alphanumeric() {
            while j < chars.len() {
                let c = chars[j].1;
                let inner = c.is_alphanumeric()
                    || (c == '.' && digit_at(j - 1) && digit_at(j + 1))
                    || (c == ',' && digit_at(j - 1) && thousands_group(&chars, j + 1))
                    || ((c == '\'' || c == '’') && alpha_at(j - 1) && alpha_at(j + 1));
                if !inner {
                    break;
                }
                j += 1;
            }
        }
        let (start, end) = (byte_at(i), byte_at(j));
        let raw = &text[start..end];
        let kind = if !c.is_alphanumeric() {
            Kind::Sym
        } else {
            let digits = raw.bytes().any(|b| b.is_ascii_digit());
            let letters = raw.chars().any(char::is_alphabetic);
            match (digits, letters) {
                (true, true) => Kind::Mixed,
                (true, false) => Kind::Num,
                _ => Kind::Word,
            }
        };
        let norm = match kind {
            Kind::Num => raw.replace(',', ""),
            Kind::Sym => raw.replace('’', "'"),
            _ => fold(raw),
        };
        out.push(Tok {
            raw,
            key: String::new(),
            norm,
            kind,
            start,
            end,
            glued,
        });
        glued = true;
        i = j;
    }
    out
}

/// After a comma at a digit: exactly 3 digits then a non-digit (1,299), or 2 digits and another
/// comma (Indian 1,50,000).
fn thousands_group(chars: &[(usize, char)], k: usize) -> bool {
    let d = |x: usize| chars.get(x).is_some_and(|c| c.1.is_ascii_digit());
    let at = |x: usize, ch: char| chars.get(x).is_some_and(|c| c.1 == ch);
    (d(k) && d(k + 1) && d(k + 2) && !d(k + 3)) || (d(k) && d(k + 1) && at(k + 2, ','))
}

/// Parses a plain number token: "1299.99", "9".
fn parse_num(s: &str) -> Option<f64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return None;
    }
    s.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// Splits a mixed token into a leading number and the letters after it: "2k" → (2, "k").
fn num_then_letters(s: &str) -> Option<(f64, &str)> {
    let split = s.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
    let (num, rest) = s.split_at(split);
    Some((parse_num(num)?, rest)).filter(|(_, r)| r.chars().all(char::is_alphabetic))
}

/// Splits a mixed token into leading letters and the number after them: "x2" → ("x", 2).
fn letters_then_num(s: &str) -> Option<(&str, f64)> {
    let split = s.find(|c: char| c.is_ascii_digit())?;
    let (letters, num) = s.split_at(split);
    if letters.is_empty() || !letters.chars().all(char::is_alphabetic) {
        return None;
    }
    Some((letters, parse_num(num)?))
}

/// A number word from one to twenty ("three" → 3).
pub(crate) fn small_number_word(w: &str) -> Option<u32> {
    Some(match w {
        "one" => 1,
        "two" => 2,
        "three" => 3,
        "four" => 4,
        "five" => 5,
        "six" => 6,
        "seven" => 7,
        "eight" => 8,
        "nine" => 9,
        "ten" => 10,
        "eleven" => 11,
        "twelve" => 12,
        "thirteen" => 13,
        "fourteen" => 14,
        "fifteen" => 15,
        "sixteen" => 16,
        "seventeen" => 17,
        "eighteen" => 18,
        "nineteen" => 19,
        "twenty" => 20,
        "thirty" => 30,
        "forty" => 40,
        "fifty" => 50,
        "sixty" => 60,
        "seventy" => 70,
        "eighty" => 80,
        "ninety" => 90,
        _ => return None,
    })
}

fn ordinal_word(w: &str) -> Option<u32> {
    Some(match w {
        "first" | "1st" => 1,
        "second" | "2nd" => 2,
        "third" | "3rd" => 3,
        "fourth" | "4th" => 4,
        "fifth" | "5th" => 5,
        "sixth" | "6th" => 6,
        "seventh" | "7th" => 7,
        "eighth" | "8th" => 8,
        "ninth" | "9th" => 9,
        "tenth" | "10th" => 10,
        _ => return None,
    })
}

// ---------------------------------------------------------------------------------------------
// Extraction context

/// Which extractor consumed a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Used {
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

struct Ctx<'a> {
    toks: Vec<Tok<'a>>,
    used: Vec<Used>,
    lex: &'a Lexicon,
    slots: Slots,
    /// Most letters of the text are upper case: capitals mean nothing then.
    shouting: bool,
}

impl<'a> Ctx<'a> {
    fn new(text: &'a str, lex: &'a Lexicon) -> Ctx<'a> {
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

    fn len(&self) -> usize {
        self.toks.len()
    }

    fn key(&self, i: usize) -> &str {
        self.toks.get(i).map_or("", |t| t.key.as_str())
    }

    fn kind(&self, i: usize) -> Option<Kind> {
        self.toks.get(i).map(|t| t.kind)
    }

    fn is(&self, i: usize, w: &str) -> bool {
        self.key(i) == w
    }

    fn is_any(&self, i: usize, ws: &[&str]) -> bool {
        i < self.len() && ws.contains(&self.key(i))
    }

    fn free(&self, i: usize) -> bool {
        self.used.get(i) == Some(&Used::Free)
    }

    fn mark(&mut self, from: usize, to: usize, how: Used) {
        for k in from..=to.min(self.len().saturating_sub(1)) {
            if self.used[k] == Used::Free {
                self.used[k] = how;
            }
        }
    }

    fn is_word(&self, i: usize) -> bool {
        matches!(self.kind(i), Some(Kind::Word | Kind::Mixed | Kind::Num))
    }

    /// The next non-symbol token after `i`.
    fn next_word(&self, i: usize) -> Option<usize> {
        (i + 1..self.len()).find(|&k| self.is_word(k))
    }

    /// The previous non-symbol token before `i`.
    fn prev_word(&self, i: usize) -> Option<usize> {
        (0..i).rev().find(|&k| self.is_word(k))
    }

    /// The previous non-symbol token before `i`, stopping at sentence punctuation.
    fn prev_word_in_sentence(&self, i: usize) -> Option<usize> {
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

    fn sentence_start(&self, i: usize) -> bool {
        self.prev_word_in_sentence(i).is_none()
    }

    /// Matches `phrase` (keys) from token `i`, letting a glued `-` or `/` join two words
    /// ("top-rated", "off-white"). Returns the index of the last matched token.
    fn seq(&self, i: usize, phrase: &[&str]) -> Option<usize> {
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
    fn seq_free(&self, i: usize, phrase: &[&str]) -> Option<usize> {
        let end = self.seq(i, phrase)?;
        (i..=end).all(|k| self.free(k)).then_some(end)
    }

    /// Matches `phrase` ending exactly at token `end`; returns its first token.
    fn seq_ending(&self, end: usize, phrase: &[&str]) -> Option<usize> {
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

    fn is_unit_at(&self, i: usize) -> bool {
        let st = statics();
        match self.toks.get(i) {
            Some(t) if t.kind == Kind::Sym => matches!(t.key.as_str(), "%" | "\"" | "'" | "°"),
            Some(t) => st.units.contains(t.key.as_str()),
            None => false,
        }
    }

    /// Whether the token after a number at `i` makes it a measure ("500 ml", "50%", "5-star").
    fn followed_by_unit(&self, i: usize) -> bool {
        let mut k = i + 1;
        if self.key(k) == "-" && self.toks.get(k).is_some_and(|t| t.glued) {
            k += 1;
        }
        self.is_unit_at(k)
    }
}

/// Corrects a one-edit typo of a keyword ("undr" → "under" via the table, "blakc" → "black"),
/// unless the word is known (common word, keyword, brand or title word).
fn correct_typo(norm: &str, st: &Statics, lex: &Lexicon) -> String {
    if let Some(fixed) = st.typos.get(norm) {
        return (*fixed).to_string();
    }
    let len = norm.chars().count();
    if len < 5
        || !norm.is_ascii()
        || st.keyword_set.contains(norm)
        || st.english.contains(norm)
        || st.colors.contains_key(norm)
        || st.genders.contains_key(norm)
        || lex.knows(norm)
    {
        return norm.to_string();
    }
    let Some(bucket) = st.keywords.get(&norm.as_bytes()[0]) else {
        return norm.to_string();
    };
    let mut found: Option<&str> = None;
    for k in bucket {
        if edit_distance(norm, k, 1).is_some() {
            if found.is_some() {
                return norm.to_string(); // ambiguous
            }
            found = Some(k);
        }
    }
    found.map_or_else(|| norm.to_string(), str::to_string)
}

// ---------------------------------------------------------------------------------------------
// Email and order id

fn is_local_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'%' | b'+' | b'-')
}

fn is_domain_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-')
}

/// Finds the first plain e-mail address; returns its byte range.
fn find_email(text: &str) -> Option<(usize, usize)> {
    let b = text.as_bytes();
    for (at, _) in text.match_indices('@') {
        let mut s = at;
        while s > 0 && is_local_byte(b[s - 1]) {
            s -= 1;
        }
        while s < at && b[s] == b'.' {
            s += 1;
        }
        let mut e = at + 1;
        while e < b.len() && is_domain_byte(b[e]) {
            e += 1;
        }
        while e > at + 1 && matches!(b[e - 1], b'.' | b'-') {
            e -= 1;
        }
        if s == at || e <= at + 1 {
            continue;
        }
        let domain = &text[at + 1..e];
        let Some(dot) = domain.rfind('.') else {
            continue;
        };
        let tld = &domain[dot + 1..];
        if dot > 0 && tld.len() >= 2 && tld.bytes().all(|c| c.is_ascii_alphabetic()) {
            return Some((s, e));
        }
    }
    None
}

/// Words that announce an order id right after them.
#[rustfmt::skip]
const ORDER_WORDS: &[&str] = &["order", "orders", "purchase", "ord", "orderid", "invoice"];
/// Tokens allowed between an order word and the id.
#[rustfmt::skip]
const ORDER_FILLERS: &[&str] =
    &["#", "no", ".", "number", "num", "nr", "id", ":", "is", "was", "-", "ref", "reference", "="];
/// Words anywhere in the text that make a long bare number an order id.
#[rustfmt::skip]
const ORDER_CONTEXT: &[&str] = &[
    "order", "orders", "purchase", "package", "parcel", "shipment", "delivery", "tracking",
    "refund", "cancel", "return", "invoice", "shipped", "delivered", "arrive", "track",
];

impl Ctx<'_> {
    fn email(&mut self, text: &str) {
        let Some((s, e)) = find_email(text) else {
            return;
        };
        self.slots.email = Some(text[s..e].to_string());
        for k in 0..self.len() {
            if self.toks[k].start < e && self.toks[k].end > s {
                self.used[k] = Used::Email;
            }
        }
    }

    /// The glued run of word/number tokens joined by `-`, `_` or `/` from `i` ("ORD-48213-X"):
    /// (last token, digit count, raw text).
    fn id_run(&self, i: usize) -> Option<(usize, usize, String)> {
        if !self.is_word(i) || !self.free(i) {
            return None;
        }
        let mut end = i;
        while matches!(self.key(end + 1), "-" | "_" | "/")
            && self.toks.get(end + 1).is_some_and(|t| t.glued)
            && self
                .toks
                .get(end + 2)
                .is_some_and(|t| t.glued && t.kind != Kind::Sym)
        {
            end += 2;
        }
        let raw = &self.toks[i].raw;
        let text: String = if end == i {
            raw.to_string()
        } else {
            self.toks[i..=end].iter().map(|t| t.raw).collect()
        };
        let digits = text.bytes().filter(u8::is_ascii_digit).count();
        Some((end, digits, text))
    }

    /// Whether the id candidate at `i` looks like one: ≥ 4 digits if only digits, else ≥ 3
    /// digits among letters; not a price, a decimal or a count ("order 1000 units").
    fn id_candidate(&self, i: usize) -> Option<(usize, String)> {
        let (end, digits, text) = self.id_run(i)?;
        let numeric = end == i && self.toks[i].kind == Kind::Num;
        if numeric && (text.contains('.') || text.contains(',')) {
            return None;
        }
        let ok = if numeric {
            digits >= 4
        } else {
            digits >= 3 && text.len() >= 4
        };
        let next = self.next_word(end);
        let counted =
            next.is_some_and(|n| statics().count_nouns.contains(self.key(n)) || self.is_unit_at(n));
        (ok && !counted).then_some((end, text))
    }

    fn order_id(&mut self) {
        let has_context = (0..self.len()).any(|k| self.is_any(k, ORDER_CONTEXT));
        for i in 0..self.len() {
            if self.slots.order_id.is_some() {
                return;
            }
            if !self.free(i) {
                continue;
            }
            // "ORD-48213-X", "OD123456789" anywhere
            if let Some((end, id)) = self.prefixed_order_id(i) {
                self.take_order(i, end, id);
                continue;
            }
            // "order 48213", "order no. 48213", "order #48213", "order id: ABC123"
            if self.is_any(i, ORDER_WORDS) {
                let mut j = i + 1;
                let mut skipped = 0;
                while skipped < 4 && self.is_any(j, ORDER_FILLERS) {
                    j += 1;
                    skipped += 1;
                }
                if let Some((end, id)) = self.id_candidate(j) {
                    self.take_order(i, end, id);
                    continue;
                }
            }
            // "#48213"
            if self.key(i) == "#" && self.toks.get(i + 1).is_some_and(|t| t.glued) {
                if let Some((end, id)) = self.id_candidate(i + 1) {
                    if id.bytes().filter(u8::is_ascii_digit).count() >= 4 {
                        self.take_order(i, end, id);
                        continue;
                    }
                }
            }
            // a long bare number when the text talks about orders
            if has_context && self.toks[i].kind == Kind::Num && self.toks[i].norm.len() >= 5 {
                let prev_ok = match self.prev_word(i) {
                    None => true,
                    Some(p) => {
                        let pk = self.key(p);
                        FUNCTION_WORDS.contains(&pk)
                            || ORDER_CONTEXT.contains(&pk)
                            || matches!(
                                pk,
                                "my" | "is" | "was" | "number" | "id" | "with" | "where" | "status"
                            )
                    }
                };
                let money = i > 0 && is_currency_sym(self.key(i - 1));
                if prev_ok && !money {
                    if let Some((end, id)) = self.id_candidate(i) {
                        self.take_order(i, end, id);
                    }
                }
            }
        }
    }

    fn prefixed_order_id(&self, i: usize) -> Option<(usize, String)> {
        let t = self.toks.get(i)?;
        let lead = match t.kind {
            Kind::Word => t.norm.as_str(),
            Kind::Mixed => letters_then_num(&t.norm)?.0,
            _ => return None,
        };
        if !matches!(lead, "ord" | "od" | "order" | "ordr") {
            return None;
        }
        let (end, digits, text) = self.id_run(i)?;
        (digits >= 3 && (end > i || t.kind == Kind::Mixed)).then_some((end, text))
    }

    fn take_order(&mut self, from: usize, to: usize, id: String) {
        self.slots.order_id = Some(id);
        self.mark(from, to, Used::Order);
    }
}

// ---------------------------------------------------------------------------------------------
// Brands

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
struct BrandIndex {
    brands: Vec<Brand>,
    by_first: HashMap<String, Vec<u32>>,
    /// Multi-word names written as one word ("pepejeans").
    by_joined: HashMap<String, Vec<u32>>,
    /// Deletion variants of first words of ≥ 5 letters (symmetric-delete typo lookup).
    by_deletion: HashMap<String, Vec<u32>>,
    /// Every brand word, so that typo correction leaves them alone.
    words: HashSet<String>,
    /// Every brand word singularized as product terms are ("adidas" → "adida").
    terms: HashSet<String>,
}

fn content_words(text: &str) -> Vec<String> {
    tokenize(text)
        .into_iter()
        .filter(|t| t.kind != Kind::Sym && t.norm != "and")
        .map(|t| t.norm)
        .collect()
}

impl BrandIndex {
    fn new(brands: &[(String, u64)]) -> BrandIndex {
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
    fn brands(&mut self) {
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

// ---------------------------------------------------------------------------------------------
// References

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
#[rustfmt::skip]
const DEMONSTRATIVES: &[&str] = &["those", "these", "them"];
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

    /// A number (digits or words) at `i`: (value, last token).
    fn count_at(&self, i: usize) -> Option<(u32, usize)> {
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
    fn word_number_at(&self, i: usize) -> Option<(u32, usize)> {
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

    fn references(&mut self) {
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

// ---------------------------------------------------------------------------------------------
// Sizes

#[rustfmt::skip]
const SIZE_KEYWORDS: &[&str] = &["size", "sz", "sizes", "sized"];
#[rustfmt::skip]
const LETTER_SIZES: &[&str] =
    &["xxs", "xs", "xl", "xxl", "xxxl", "xxxxl", "2xs", "2xl", "3xl", "4xl", "5xl", "6xl"];
/// Before "us 10": "us" is a pronoun ("show us 10 options").
#[rustfmt::skip]
const US_PRONOUN_VERBS: &[&str] =
    &["show", "give", "send", "tell", "let", "help", "get", "find", "bring", "offer", "email", "call", "sell", "ship"];

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

    fn sizes(&mut self) {
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

// ---------------------------------------------------------------------------------------------
// Prices

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bound {
    Max,
    Min,
    Around,
}

/// An amount of money found at some tokens.
#[derive(Debug, Clone, Copy)]
struct Money {
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

/// Words that may stand between a comparator and the amount ("under a price of 500").
#[rustfmt::skip]
const PRICE_FILLERS: &[&str] = &["the", "price", "prices", "priced", "of", "is", "a", "budget", "cost", "costs", "just", "only", "like", "maybe", "around", "about", "rs", "inr"];

fn is_currency_sym(s: &str) -> bool {
    matches!(s, "$" | "€" | "£" | "₹")
}

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
    fn money_at(&self, i: usize, words: bool) -> Option<Money> {
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

    fn prices(&mut self) {
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
        if hi.value <= lo.value || self.followed_by_unit(hi.end) {
            return None;
        }
        let lo_unit = self.followed_by_unit(lo.end);
        let currency = lo.currency.or(hi.currency);
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
        if m.currency.is_none() && self.followed_by_unit(m.end) {
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
        let (bound, to) = match (bound, after) {
            (Some(b), _) => (b, m.end),
            (None, Some((b, e))) if m.currency.is_some() || self.price_context() => (b, e),
            (None, _) if m.currency.is_some() => (Bound::Max, m.end),
            (None, _) => return None,
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

    /// A word that, before a number, makes it a model number ("pixel 8", "galaxy s24").
    fn is_model_word(&self, p: usize) -> bool {
        let t = &self.toks[p];
        t.kind != Kind::Sym
            && !FUNCTION_WORDS.contains(&t.key.as_str())
            && !self.is_any(p, &["between", "from", "under", "over", "above", "below"])
    }
}

fn is_currency_sym_char(c: char) -> bool {
    matches!(c, '$' | '€' | '£' | '₹')
}

// ---------------------------------------------------------------------------------------------
// Quantity

impl Ctx<'_> {
    fn quantity(&mut self) {
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

// ---------------------------------------------------------------------------------------------
// Comparatives and sort

/// (phrase, attribute, direction, sort set by it).
type CompEntry = (
    &'static [&'static str],
    &'static str,
    Direction,
    Option<SortSlot>,
);

#[rustfmt::skip]
const COMPARATIVES: &[CompEntry] = {
    use Direction::{Asc, Desc};
    use SortSlot::{PriceAsc, PriceDesc, Rating};
    &[
        (&["lighter"], "weight", Asc, None), (&["lightest"], "weight", Asc, None),
        (&["less", "heavy"], "weight", Asc, None), (&["weighs", "less"], "weight", Asc, None),
        (&["heavier"], "weight", Desc, None), (&["heaviest"], "weight", Desc, None),
        (&["cheaper"], "price", Asc, None), (&["cheapest"], "price", Asc, Some(PriceAsc)),
        (&["costs", "less"], "price", Asc, None), (&["cost", "less"], "price", Asc, None),
        (&["costs", "more"], "price", Desc, None), (&["cost", "more"], "price", Desc, None),
        (&["less", "expensive"], "price", Asc, None), (&["least", "expensive"], "price", Asc, Some(PriceAsc)),
        (&["more", "affordable"], "price", Asc, None), (&["most", "affordable"], "price", Asc, Some(PriceAsc)),
        (&["lower", "price"], "price", Asc, None), (&["lower", "priced"], "price", Asc, None),
        (&["lowest", "price"], "price", Asc, Some(PriceAsc)), (&["lowest", "priced"], "price", Asc, Some(PriceAsc)),
        (&["more", "expensive"], "price", Desc, None), (&["most", "expensive"], "price", Desc, Some(PriceDesc)),
        (&["pricier"], "price", Desc, None), (&["priciest"], "price", Desc, Some(PriceDesc)),
        (&["costlier"], "price", Desc, None), (&["costliest"], "price", Desc, Some(PriceDesc)),
        (&["higher", "price"], "price", Desc, None), (&["higher", "priced"], "price", Desc, None),
        (&["highest", "price"], "price", Desc, Some(PriceDesc)), (&["highest", "priced"], "price", Desc, Some(PriceDesc)),
        (&["better", "rated"], "rating", Desc, None), (&["higher", "rated"], "rating", Desc, None),
        (&["best", "rated"], "rating", Desc, Some(Rating)), (&["top", "rated"], "rating", Desc, Some(Rating)),
        (&["highest", "rated"], "rating", Desc, Some(Rating)), (&["better", "reviewed"], "rating", Desc, None),
        (&["best", "reviewed"], "rating", Desc, Some(Rating)), (&["better", "reviews"], "rating", Desc, None),
        (&["highly", "rated"], "rating", Desc, Some(Rating)), (&["best", "rating"], "rating", Desc, Some(Rating)),
        (&["higher", "rating"], "rating", Desc, None), (&["highest", "rating"], "rating", Desc, Some(Rating)),
        (&["rated", "higher"], "rating", Desc, None), (&["rated", "better"], "rating", Desc, None),
        (&["rated", "highest"], "rating", Desc, Some(Rating)), (&["rated", "best"], "rating", Desc, Some(Rating)),
        (&["better", "ratings"], "rating", Desc, None), (&["higher", "ratings"], "rating", Desc, None),
        (&["more", "stars"], "rating", Desc, None), (&["most", "stars"], "rating", Desc, Some(Rating)),
        (&["reviewed", "better"], "rating", Desc, None), (&["better", "rating"], "rating", Desc, None),
        (&["more", "popular"], "rating", Desc, None), (&["rate", "higher"], "rating", Desc, None),
        (&["rate", "better"], "rating", Desc, None), (&["rates", "higher"], "rating", Desc, None),
        (&["bigger", "battery"], "battery", Desc, None), (&["larger", "battery"], "battery", Desc, None),
        (&["longer", "battery"], "battery", Desc, None), (&["longer", "battery", "life"], "battery", Desc, None),
        (&["more", "battery"], "battery", Desc, None), (&["better", "battery"], "battery", Desc, None),
        (&["better", "battery", "life"], "battery", Desc, None), (&["best", "battery"], "battery", Desc, None),
        (&["best", "battery", "life"], "battery", Desc, None), (&["biggest", "battery"], "battery", Desc, None),
        (&["longest", "battery", "life"], "battery", Desc, None), (&["lasts", "longer"], "battery", Desc, None),
        (&["bigger", "screen"], "screen", Desc, None), (&["larger", "screen"], "screen", Desc, None),
        (&["bigger", "display"], "screen", Desc, None), (&["larger", "display"], "screen", Desc, None),
        (&["biggest", "screen"], "screen", Desc, None), (&["largest", "screen"], "screen", Desc, None),
        (&["smaller", "screen"], "screen", Asc, None), (&["smaller", "display"], "screen", Asc, None),
        (&["more", "storage"], "storage", Desc, None), (&["bigger", "storage"], "storage", Desc, None),
        (&["larger", "storage"], "storage", Desc, None), (&["most", "storage"], "storage", Desc, None),
        (&["more", "space"], "storage", Desc, None),
        (&["more", "ram"], "memory", Desc, None), (&["more", "memory"], "memory", Desc, None),
        (&["most", "ram"], "memory", Desc, None), (&["most", "memory"], "memory", Desc, None),
        (&["bigger"], "size", Desc, None), (&["larger"], "size", Desc, None),
        (&["biggest"], "size", Desc, None), (&["largest"], "size", Desc, None),
        (&["smaller"], "size", Asc, None), (&["smallest"], "size", Asc, None),
        (&["more", "compact"], "size", Asc, None), (&["most", "compact"], "size", Asc, None),
        (&["faster"], "speed", Desc, None), (&["fastest"], "speed", Desc, None),
        (&["quicker"], "speed", Desc, None), (&["quickest"], "speed", Desc, None),
        (&["more", "powerful"], "power", Desc, None), (&["most", "powerful"], "power", Desc, None),
        (&["longer", "warranty"], "warranty", Desc, None), (&["better", "warranty"], "warranty", Desc, None),
        (&["longest", "warranty"], "warranty", Desc, None),
        (&["more", "capacity"], "capacity", Desc, None), (&["bigger", "capacity"], "capacity", Desc, None),
        (&["larger", "capacity"], "capacity", Desc, None), (&["holds", "more"], "capacity", Desc, None),
        (&["most", "capacity"], "capacity", Desc, None),
        (&["quieter"], "noise", Asc, None), (&["quietest"], "noise", Asc, None),
        (&["thinner"], "thickness", Asc, None), (&["thinnest"], "thickness", Asc, None),
        (&["brighter"], "brightness", Desc, None), (&["brightest"], "brightness", Desc, None),
        (&["newer"], "release", Desc, None), (&["newest"], "release", Desc, None),
        (&["better", "camera"], "camera", Desc, None), (&["best", "camera"], "camera", Desc, None),
    ]
};

/// Phrases that set only `sort`.
#[rustfmt::skip]
const SORT_ONLY: &[(&[&str], SortSlot)] = &[
    (&["cheap"], SortSlot::PriceAsc), (&["affordable"], SortSlot::PriceAsc),
    (&["inexpensive"], SortSlot::PriceAsc), (&["low", "price"], SortSlot::PriceAsc),
    (&["low", "priced"], SortSlot::PriceAsc), (&["low", "cost"], SortSlot::PriceAsc),
    (&["budget"], SortSlot::PriceAsc), (&["low", "to", "high"], SortSlot::PriceAsc),
    (&["price", "ascending"], SortSlot::PriceAsc), (&["sort", "by", "price"], SortSlot::PriceAsc),
    (&["not", "expensive"], SortSlot::PriceAsc), (&["not", "too", "expensive"], SortSlot::PriceAsc),
    (&["economical"], SortSlot::PriceAsc), (&["value", "for", "money"], SortSlot::PriceAsc),
    (&["premium"], SortSlot::PriceDesc), (&["luxury"], SortSlot::PriceDesc),
    (&["high", "end"], SortSlot::PriceDesc), (&["high", "to", "low"], SortSlot::PriceDesc),
    (&["price", "descending"], SortSlot::PriceDesc),
    (&["sort", "by", "rating"], SortSlot::Rating), (&["by", "rating"], SortSlot::Rating),
    (&["by", "ratings"], SortSlot::Rating), (&["well", "rated"], SortSlot::Rating),
    (&["good", "reviews"], SortSlot::Rating), (&["best", "reviews"], SortSlot::Rating),
];

impl Ctx<'_> {
    /// The longest comparative phrase starting at `i` (free tokens only).
    fn comparative_at(&self, i: usize) -> Option<(Comparative, Option<SortSlot>, usize)> {
        let mut best: Option<(&CompEntry, usize)> = None;
        for e in COMPARATIVES {
            if let Some(end) = self.seq_free(i, e.0) {
                if best.is_none_or(|(_, b)| end > b) {
                    best = Some((e, end));
                }
            }
        }
        let ((_, attr, dir, sort), end) = best?;
        // "cheaper than $50" is a price bound (taken earlier); "not cheaper" flips nothing useful
        if self.is(end + 1, "than") && self.money_at(end + 2, true).is_some() {
            return None;
        }
        Some((
            Comparative {
                attribute: (*attr).to_string(),
                direction: *dir,
            },
            *sort,
            end,
        ))
    }

    fn comparative_and_sort(&mut self) {
        let mut i = 0;
        while i < self.len() {
            if !self.free(i) {
                i += 1;
                continue;
            }
            if let Some((comp, sort, end)) = self.comparative_at(i) {
                if self.slots.comparative.is_none() {
                    self.slots.comparative = Some(comp);
                }
                if sort.is_some() && self.slots.sort.is_none() {
                    self.slots.sort = sort;
                }
                self.mark(i, end, Used::Comparative);
                i = end + 1;
                continue;
            }
            let sort_hit = SORT_ONLY
                .iter()
                .filter_map(|(p, s)| self.seq_free(i, p).map(|e| (*s, e)))
                .max_by_key(|(_, e)| *e);
            if let Some((s, end)) = sort_hit {
                let negated = self
                    .prev_word(i)
                    .is_some_and(|p| self.is_any(p, &["not", "no", "never"]))
                    && !self.is(i, "not");
                // "budget" before an amount is a price bound, taken earlier
                if !negated && self.slots.sort.is_none() {
                    self.slots.sort = Some(s);
                }
                i = end + 1;
                continue;
            }
            i += 1;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Colors and gender

impl Ctx<'_> {
    fn colors(&mut self) {
        let st = statics();
        let mut i = 0;
        while i < self.len() {
            if !self.color_free(i) {
                i += 1;
                continue;
            }
            let Some((name, end)) = self.color_at(i, st) else {
                i += 1;
                continue;
            };
            let negated = self.prev_word(i).is_some_and(|p| {
                self.is_any(
                    p,
                    &[
                        "not",
                        "no",
                        "except",
                        "without",
                        "excluding",
                        "nothing",
                        "avoid",
                    ],
                )
            }) || self
                .prev_word(i)
                .and_then(|p| self.prev_word(p))
                .is_some_and(|q| {
                    self.seq(q, &["anything", "but"]).is_some()
                        || self.seq(q, &["other", "than"]).is_some()
                });
            if self.color_in_phrase(i, end) {
                // skip the phrase's noun too: "red wine glasses" has no colour
                i = self.next_word(end).map_or(end + 1, |n| n + 1);
                continue;
            }
            if !negated && !self.slots.colors.contains(&name) {
                self.slots.colors.push(name);
            }
            self.mark(i, end, Used::Color);
            i = end + 1;
        }
    }

    /// Colours may be read from any token except e-mail, order id and brand tokens.
    fn color_free(&self, i: usize) -> bool {
        !matches!(
            self.used.get(i),
            Some(Used::Email | Used::Order | Used::Brand) | None
        )
    }

    fn color_at(&self, i: usize, st: &Statics) -> Option<(String, usize)> {
        for (phrase, name) in MULTI_COLORS {
            if let Some(end) = self.seq(i, phrase) {
                return Some(((*name).to_string(), end));
            }
        }
        let k = self.key(i);
        if COLOR_SHADES.contains(&k) {
            if let Some(base) = self
                .toks
                .get(i + 1)
                .and_then(|t| st.colors.get(t.key.as_str()))
            {
                return Some((format!("{k} {base}"), i + 1));
            }
            if self.key(i + 1) == "-" {
                if let Some(base) = self
                    .toks
                    .get(i + 2)
                    .and_then(|t| st.colors.get(t.key.as_str()))
                {
                    return Some((format!("{k} {base}"), i + 2));
                }
            }
        }
        st.colors.get(k).map(|c| ((*c).to_string(), i))
    }

    /// The colour words start a food phrase ("green tea") or a catalog category name.
    fn color_in_phrase(&self, i: usize, end: usize) -> bool {
        let Some(n) = self.next_word(end) else {
            return false;
        };
        let food = FOOD_PHRASES.iter().any(|p| {
            p.len() == 2 && self.key(end) == p[0] && singular(self.key(n)) == singular(p[1])
        });
        let cats = &self.lex.categories.phrases;
        let two = format!("{} {}", self.key(i), singular(self.key(n)));
        let whole: Vec<String> = (i..=end)
            .filter(|&k| self.is_word(k))
            .map(|k| self.key(k).to_string())
            .collect();
        let with_next = format!("{} {}", whole.join(" "), singular(self.key(n)));
        food || cats.contains(&two) || cats.contains(&with_next)
    }

    fn gender(&mut self) {
        let st = statics();
        for i in 0..self.len() {
            if !self.color_free(i) {
                continue;
            }
            let k = self.key(i);
            // "for her" / "for him"
            let pronoun = match k {
                // "for her birthday" is still for her
                "her" | "hers" if self.prev_word(i).is_some_and(|p| self.is(p, "for")) => {
                    Some("female")
                }
                "him" if self.prev_word(i).is_some_and(|p| self.is(p, "for")) => Some("male"),
                _ => None,
            };
            if let Some(g) = pronoun.or_else(|| st.genders.get(k).copied()) {
                // "baby pink" is a colour, taken above; "man" in "spider-man" is not a gender
                if self.key(i.wrapping_sub(1)) == "-" && self.toks[i].glued {
                    continue;
                }
                self.slots.gender = Some(g.to_string());
                return;
            }
        }
        // "for a 10 year old", "my 8-year-old": a child, when no word above said boy or girl.
        if let Some((age, from, to)) = self.child_age() {
            self.slots.gender = Some(if age <= 2 { "baby" } else { "kids" }.to_string());
            self.mark(from, to, Used::Age);
        }
    }

    /// The age of "N year(s) old" / "N yr old" / "N-year-old" when it is a child's (0 to 12),
    /// with the tokens it spans.
    fn child_age(&self) -> Option<(u32, usize, usize)> {
        (0..self.len()).find_map(|i| {
            if !matches!(self.key(i), "year" | "years" | "yr" | "yrs" | "yo") {
                return None;
            }
            let old = self.next_word(i).filter(|&n| self.key(n) == "old");
            let end = if self.key(i) == "yo" { i } else { old? };
            let start = self.prev_word(i).filter(|&p| self.toks[p].kind == Kind::Num)?;
            let age = parse_num(&self.toks[start].norm)?;
            (age.fract() == 0.0 && (0.0..=12.0).contains(&age)).then_some((age as u32, start, end))
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Categories

#[derive(Debug, Clone)]
struct CatNode {
    path: String,
    /// Singularized words of the node (last path segment), stop words dropped.
    words: Vec<String>,
    /// Singularized words of the ancestors: break ties between same-named nodes.
    parent_words: Vec<String>,
    depth: usize,
    products: u64,
}

/// Category nodes by word.
#[derive(Debug, Clone, Default)]
struct CategoryIndex {
    nodes: Vec<CatNode>,
    by_word: HashMap<String, Vec<u32>>,
    /// Node names as space-joined singular words: colour words that start one are not colours.
    phrases: HashSet<String>,
}

fn category_words(segment: &str) -> Vec<String> {
    content_words(segment)
        .into_iter()
        .filter(|w| !CATEGORY_STOP.contains(&w.as_str()))
        .map(|w| singular(&w))
        .collect()
}

impl CategoryIndex {
    fn new(categories: &[(String, u64)]) -> CategoryIndex {
        let mut idx = CategoryIndex::default();
        for (path, count) in categories {
            let segments: Vec<&str> = path
                .split('>')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .collect();
            let Some(last) = segments.last() else {
                continue;
            };
            let words = category_words(last);
            if words.is_empty() {
                continue;
            }
            let parent_words = segments[..segments.len() - 1]
                .iter()
                .flat_map(|s| category_words(s))
                .collect();
            let id = idx.nodes.len() as u32;
            let mut keys: Vec<&String> = words.iter().collect();
            keys.sort();
            keys.dedup();
            for w in keys {
                idx.by_word.entry(w.clone()).or_default().push(id);
            }
            if words.len() > 1 {
                idx.by_word.entry(words.concat()).or_default().push(id);
            }
            idx.phrases.insert(words.join(" "));
            idx.nodes.push(CatNode {
                path: segments.join(" > "),
                words,
                parent_words,
                depth: segments.len(),
                products: *count,
            });
        }
        idx
    }

    /// The best matching node paths for a set of singular text words.
    fn find(&self, text_words: &HashSet<String>) -> Vec<String> {
        let mut matched: Vec<(u32, HashSet<&str>)> = Vec::new();
        let mut seen = HashSet::new();
        for w in text_words {
            for &id in self.by_word.get(w).into_iter().flatten() {
                if !seen.insert(id) {
                    continue;
                }
                let node = &self.nodes[id as usize];
                let all = node.words.iter().all(|nw| text_words.contains(nw));
                let joined = node.words.len() > 1 && text_words.contains(&node.words.concat());
                if all || joined {
                    matched.push((id, node.words.iter().map(String::as_str).collect()));
                }
            }
        }
        let score = |id: u32| {
            let n = &self.nodes[id as usize];
            let parents = n
                .parent_words
                .iter()
                .filter(|w| text_words.contains(*w))
                .count();
            (n.words.len(), parents, n.depth, n.products)
        };
        matched.sort_by(|a, b| score(b.0).cmp(&score(a.0)).then(a.0.cmp(&b.0)));
        let mut kept: Vec<(u32, HashSet<&str>)> = Vec::new();
        for (id, words) in matched {
            // drop nodes whose words a better match already covers ("Footwear" under
            // "Womens Footwear"; the same node name under another parent)
            if kept.iter().any(|(_, k)| words.is_subset(k)) {
                continue;
            }
            kept.push((id, words));
            if kept.len() == MAX_CATEGORIES {
                break;
            }
        }
        kept.into_iter()
            .map(|(id, _)| self.nodes[id as usize].path.clone())
            .collect()
    }
}

impl Ctx<'_> {
    fn categories(&mut self) {
        if self.lex.categories.nodes.is_empty() {
            return;
        }
        let words: HashSet<String> = (0..self.len())
            .filter(|&k| {
                self.is_word(k)
                    && matches!(self.used[k], Used::Free | Used::Comparative | Used::Size)
            })
            .map(|k| singular(self.key(k)))
            .collect();
        self.slots.categories = self.lex.categories.find(&words);
    }
}

// ---------------------------------------------------------------------------------------------
// Products

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
#[derive(Debug, Clone, Default)]
struct ProductIndex {
    ids: Vec<String>,
    titles: Vec<String>,
    vocab: HashMap<String, u32>,
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
}

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
}

impl ProductIndex {
    fn new<'a>(
        products: impl IntoIterator<Item = (&'a str, &'a str)>,
        brand_terms: &HashSet<String>,
    ) -> ProductIndex {
        let mut idx = ProductIndex {
            offsets: vec![0],
            ..ProductIndex::default()
        };
        let mut scratch = Vec::new();
        let mut ids_buf: Vec<u32> = Vec::new();
        let mut heads = Vec::new();
        for (id, title) in products {
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
            if single_letter || st.common.contains(term.as_str()) || brand_terms.contains(term) {
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

    fn lookup(&self, query: &[String]) -> Vec<ProductMention> {
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
        let mut cands: Vec<Candidate> = cand
            .into_iter()
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
    fn products(&mut self) {
        let st = statics();
        let mut query = Vec::new();
        for k in 0..self.len() {
            let t = &self.toks[k];
            let key = t.key.as_str();
            let usable = matches!(self.used[k], Used::Free | Used::Brand);
            let filter_word = st.units.contains(key)
                || QUERY_STOP.contains(&key)
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
            if self.used[k] == Used::Free {
                if !self.slots.query.is_empty() {
                    self.slots.query.push(' ');
                }
                self.slots.query.push_str(&t.norm);
            }
        }
        self.slots.products = self.lex.products.lookup(&query);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Direction::{Asc, Desc};

    fn owned(list: &[(&str, u64)]) -> Vec<(String, u64)> {
        list.iter().map(|(n, c)| ((*n).to_string(), *c)).collect()
    }

    #[rustfmt::skip]
    const TITLES: &[(&str, &str)] = &[
        ("p1", "Dyson V15 Detect Cordless Vacuum"),
        ("p2", "Dyson V8 Absolute Cordless Vacuum"),
        ("p3", "Sony WH-1000XM5 Wireless Headphones"),
        ("p4", "Sony WH-1000XM4 Wireless Headphones"),
        ("p5", "Bose QuietComfort 45 Headphones"),
        ("p6", "Akup Love-music Ceramic Mug"),
        ("p7", "Akup Coffee Lover Ceramic Mug"),
        ("p8", "Plain White Ceramic Mug 350 ml"),
        ("p9", "Borosil Glass Coffee Mug"),
        ("p10", "Speedwav 240450 Sun Shade for Maruti Wagonr"),
        ("p11", "Speedwav 212543 Car Body Cover for Hyundai i20"),
        ("p12", "Philips HL7756 Mixer Grinder"),
        ("p13", "Prestige Blender PB 01"),
        ("p14", "Nike Air Zoom Pegasus 40 Running Shoes"),
        ("p15", "Nike Revolution 6 Running Shoes"),
        ("p16", "Adidas Ultraboost 22 Running Shoes"),
        ("p17", "Pepe Jeans Slim Fit Men's Jeans"),
        ("p18", "Only Women's Floral Midi Dress"),
        ("p19", "Tetley Green Tea Lemon & Honey"),
        ("p20", "Red Tape Men's Leather Sneakers"),
        ("p21", "Puma Men's Regular Fit T-shirt"),
        ("p22", "Apple iPhone 15 128GB Black"),
        ("p23", "Google Pixel 8 128GB Obsidian"),
        ("p24", "Samsung Galaxy S24 256GB Onyx Black"),
        ("p25", "Puma Essentials Logo Polo Shirt"),
        ("p26", "Pepe Jeans Men's Slim Fit Casual Shirt"),
        ("p27", "Nike Dri-FIT Men's Running T-Shirt"),
    ];

    #[rustfmt::skip]
    fn lexicon() -> Lexicon {
        let brands = owned(&[
            ("Speedwav", 28), ("Akup", 22), ("Pepe Jeans", 40), ("Nike", 120), ("Adidas", 90),
            ("Puma", 80), ("Only", 35), ("Dyson", 12), ("Sony", 60), ("Bose", 15),
            ("Philips", 45), ("Prestige", 30), ("Slim", 5), ("Prime", 7), ("Red Tape", 18),
            ("United Colors of Benetton", 25), ("Tetley", 10), ("Apple", 20), ("Google", 12),
            ("Samsung", 50), ("W", 9), ("Borosil", 14),
        ]);
        let categories = owned(&[
            ("Footwear", 121), ("Footwear > Womens Footwear", 60), ("Footwear > Mens Footwear", 55),
            ("Footwear > Mens Footwear > Sports Shoes", 30), ("Kitchen & Dining", 80),
            ("Kitchen & Dining > Coffee Mugs", 25), ("Home Appliances > Vacuum Cleaners", 12),
            ("Home Appliances > Mixer Grinders", 18), ("Electronics > Headphones", 40),
            ("Automotive > Car Sun Shades", 9), ("Clothing > Mens Clothing > T-Shirts", 70),
            ("Clothing > Womens Clothing > Dresses", 45), ("Beverages > Tea > Green Tea", 20),
            ("Clothing > Mens Clothing > Jeans", 33), ("Electronics > Mobiles", 50),
        ]);
        Lexicon::new(&brands, &categories, TITLES.iter().copied())
    }

    /// Expected slots: a full [`Slots`] (products compared by id only).
    #[derive(Default)]
    struct E {
        s: Slots,
        products: Vec<&'static str>,
    }

    fn e() -> E {
        E::default()
    }

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_string()).collect()
    }

    fn comp(attribute: &str, direction: Direction) -> Comparative {
        Comparative {
            attribute: attribute.to_string(),
            direction,
        }
    }

    impl E {
        fn order(mut self, v: &str) -> Self {
            self.s.order_id = Some(v.into());
            self
        }
        fn qty(mut self, q: u32) -> Self {
            self.s.quantity = Some(q);
            self
        }
        fn min(mut self, v: f64) -> Self {
            self.s.price_min = Some(v);
            self
        }
        fn max(mut self, v: f64) -> Self {
            self.s.price_max = Some(v);
            self
        }
        fn cur(mut self, c: &str) -> Self {
            self.s.currency = Some(c.into());
            self
        }
        fn sort(mut self, s: SortSlot) -> Self {
            self.s.sort = Some(s);
            self
        }
        fn brands(mut self, b: &[&str]) -> Self {
            self.s.brands = strings(b);
            self
        }
        fn excl(mut self, b: &[&str]) -> Self {
            self.s.excluded_brands = strings(b);
            self
        }
        fn cats(mut self, c: &[&str]) -> Self {
            self.s.categories = strings(c);
            self
        }
        fn colors(mut self, c: &[&str]) -> Self {
            self.s.colors = strings(c);
            self
        }
        fn sizes(mut self, s: &[&str]) -> Self {
            self.s.sizes = strings(s);
            self
        }
        fn gender(mut self, g: &str) -> Self {
            self.s.gender = Some(g.into());
            self
        }
        fn prods(mut self, p: &[&'static str]) -> Self {
            self.products = p.to_vec();
            self
        }
        fn refs(mut self, r: Vec<Reference>) -> Self {
            self.s.references = r;
            self
        }
        fn comp(mut self, attribute: &str, direction: Direction) -> Self {
            self.s.comparative = Some(comp(attribute, direction));
            self
        }
        fn email(mut self, m: &str) -> Self {
            self.s.email = Some(m.into());
            self
        }
    }

    fn ord(position: u32) -> Reference {
        Reference::Ordinal { position }
    }

    fn by(attribute: &str, direction: Direction) -> Reference {
        Reference::ByComparative {
            comparative: comp(attribute, direction),
        }
    }

    const FOCUSED: Reference = Reference::Focused;

    /// (text, expected). The adversarial cases are grouped at the end.
    #[rustfmt::skip]
    fn cases() -> Vec<(&'static str, E)> {
        use SortSlot::{PriceAsc, PriceDesc, Rating};
        vec![
            // ---- order ids
            ("where's my order 48213 at?", e().order("48213")),
            ("order #48213", e().order("48213")),
            ("order no. 48213 status", e().order("48213")),
            ("order number 00004587345", e().order("00004587345")),
            ("cancel purchase 00004587345", e().order("00004587345")),
            ("i need help to cancel order 113542617735902", e().order("113542617735902")),
            ("my order number is ORD-48213-X", e().order("ORD-48213-X")),
            ("#48213 hasn't arrived", e().order("48213")),
            ("where is my package 73220", e().order("73220")),
            ("order id: AB12C345", e().order("AB12C345")),
            ("track ord-99812-b please", e().order("ord-99812-b")),
            ("I want to order 2 shirts", e().qty(2)),
            ("I bought 2 mugs for 500 rupees, order 77812, refund please", e().qty(2).max(500.0).cur("INR").order("77812")),
            ("email me at jane.doe+shop@mail.example.co.uk about order 99812", e().email("jane.doe+shop@mail.example.co.uk").order("99812")),
            // ---- quantity
            ("add two of those please", e().qty(2).refs(vec![FOCUSED])),
            ("x2", e().qty(2)),
            ("2 pcs", e().qty(2)),
            ("a dozen eggs", e().qty(12)),
            ("half a dozen", e().qty(6)),
            ("a couple of mugs", e().qty(2)),
            ("buy three", e().qty(3)),
            ("add 2 more", e().qty(2)),
            ("qty: 4", e().qty(4)),
            ("I want 3 t-shirts", e().qty(3).cats(&["Clothing > Mens Clothing > T-Shirts"])),
            ("add just one more", e().qty(1)),
            ("make it 2x", e().qty(2).refs(vec![FOCUSED])),
            ("remove 1 item", e().qty(1)),
            ("get me twenty five pieces", e().qty(25)),
            // ---- prices
            ("under $120", e().max(120.0).cur("USD")),
            ("below 500", e().max(500.0)),
            ("less than 2k", e().max(2000.0)),
            ("up to ₹1,500", e().max(1500.0).cur("INR")),
            ("max 300", e().max(300.0)),
            ("within 800", e().max(800.0)),
            ("over 50", e().min(50.0)),
            ("above €30", e().min(30.0).cur("EUR")),
            ("at least 100", e().min(100.0)),
            ("more than 1.5k", e().min(1500.0)),
            ("between 50 and 100 please", e().min(50.0).max(100.0)),
            ("from 50 to 100", e().min(50.0).max(100.0)),
            ("50-100", e().min(50.0).max(100.0)),
            ("€30-€40", e().min(30.0).max(40.0).cur("EUR")),
            ("$1,299.99", e().max(1299.99).cur("USD")),
            ("shoes ₹499", e().max(499.0).cur("INR")),
            ("rs 499", e().max(499.0).cur("INR")),
            ("shoes under rs.999", e().max(999.0).cur("INR")),
            ("499 rupees", e().max(499.0).cur("INR")),
            ("usd 50", e().max(50.0).cur("USD")),
            ("under 20 euros", e().max(20.0).cur("EUR")),
            ("under £20", e().max(20.0).cur("GBP")),
            ("2 lakh budget", e().max(200000.0)),
            ("around 200", e().min(160.0).max(240.0)),
            ("about $50", e().min(40.0).max(60.0).cur("USD")),
            ("not under 100", e().min(100.0)),
            ("not more than 50", e().max(50.0)),
            ("under a hundred", e().max(100.0)),
            ("under 2000 rs", e().max(2000.0).cur("INR")),
            ("500/-", e().max(500.0).cur("INR")),
            ("₹ 1,50,000 budget", e().max(150000.0).cur("INR")),
            ("over 50 and under 100 dollars", e().min(50.0).max(100.0).cur("USD")),
            ("500 or less", e()),
            ("price 500 or less", e().max(500.0)),
            // ---- sort and comparatives
            ("the cheapest 4k tv you have", e().sort(PriceAsc).comp("price", Asc)),
            ("most expensive watch", e().sort(PriceDesc).comp("price", Desc)),
            ("best rated headphones", e().sort(Rating).comp("rating", Desc).cats(&["Electronics > Headphones"])),
            ("top-rated", e().sort(Rating).comp("rating", Desc)),
            ("premium headphones", e().sort(PriceDesc).cats(&["Electronics > Headphones"])),
            ("cheap mugs", e().sort(PriceAsc)),
            ("price low to high", e().sort(PriceAsc)),
            ("sort by rating please", e().sort(Rating)),
            ("not too expensive", e().sort(PriceAsc)),
            ("priciest", e().sort(PriceDesc).comp("price", Desc)),
            ("lowest price", e().sort(PriceAsc).comp("price", Asc)),
            ("which one is lighter then?", e().comp("weight", Asc)),
            ("heavier", e().comp("weight", Desc)),
            ("show me cheaper ones", e().comp("price", Asc)),
            ("less expensive", e().comp("price", Asc)),
            ("more affordable", e().comp("price", Asc)),
            ("more expensive", e().comp("price", Desc)),
            ("pricier", e().comp("price", Desc)),
            ("better rated", e().comp("rating", Desc)),
            ("higher rated", e().comp("rating", Desc)),
            ("bigger battery", e().comp("battery", Desc)),
            ("longer battery life", e().comp("battery", Desc)),
            ("bigger", e().comp("size", Desc)),
            ("smaller", e().comp("size", Asc)),
            ("more compact", e().comp("size", Asc)),
            ("more storage", e().comp("storage", Desc)),
            ("more ram", e().comp("memory", Desc)),
            ("bigger screen", e().comp("screen", Desc)),
            ("faster", e().comp("speed", Desc)),
            ("longer warranty", e().comp("warranty", Desc)),
            ("holds more", e().comp("capacity", Desc)),
            ("lightest", e().comp("weight", Asc)),
            ("cheaper than $50", e().max(50.0).cur("USD")),
            // ---- colours
            ("navy blue shirt", e().colors(&["navy blue"])),
            ("off-white sneakers", e().colors(&["off white"]).prods(&["p20"])),
            ("rose gold watch", e().colors(&["rose gold"])),
            ("grey or gray", e().colors(&["grey"])),
            ("light blue jeans", e().colors(&["light blue"]).cats(&["Clothing > Mens Clothing > Jeans"])),
            ("black and white", e().colors(&["black", "white"])),
            ("green tea", e().cats(&["Beverages > Tea > Green Tea"])),
            ("black pepper and white rice", e()),
            ("orange juice", e()),
            ("red wine glasses", e()),
            ("not red, maybe blue", e().colors(&["blue"])),
            ("multi-colour rug", e().colors(&["multicolor"])),
            ("blakc shoes", e().colors(&["black"])),
            ("olive chinos", e().colors(&["olive"])),
            // ---- sizes
            ("size 10 please", e().sizes(&["10"])),
            ("sz 9.5", e().sizes(&["9.5"])),
            ("uk 8 sneakers", e().sizes(&["UK 8"]).prods(&["p20"])),
            ("eu 42 please", e().sizes(&["EU 42"])),
            ("us 10 running shoes", e().sizes(&["US 10"])),
            ("XL", e().sizes(&["XL"])),
            ("2XL hoodie", e().sizes(&["2XL"])),
            ("in medium", e().sizes(&["M"])),
            ("size M or L", e().sizes(&["M", "L"])),
            ("do you have it in M", e().sizes(&["M"]).refs(vec![FOCUSED])),
            ("a large t-shirt", e().sizes(&["L"]).cats(&["Clothing > Mens Clothing > T-Shirts"])),
            ("extra large hoodie", e().sizes(&["XL"])),
            ("a large bowl", e()),
            ("32 waist jeans", e().sizes(&["32"]).cats(&["Clothing > Mens Clothing > Jeans"])),
            ("32x34", e().sizes(&["32x34"])),
            ("size10", e().sizes(&["10"])),
            // ---- gender
            ("for my dad", e().gender("male")),
            ("for my daughter", e().gender("girls")),
            ("for my son", e().gender("boys")),
            ("gift for my wife", e().gender("female")),
            ("mens shoes", e().gender("male")),
            ("gents watch", e().gender("male")),
            ("ladies handbag", e().gender("female")),
            ("men's shoes", e().gender("male")),
            ("a gift for her", e().gender("female")),
            ("girls' dresses", e().gender("girls").cats(&["Clothing > Womens Clothing > Dresses"])),
            ("kids shoes", e().gender("kids")),
            ("baby blanket", e().gender("baby")),
            ("unisex hoodie", e().gender("unisex")),
            // ---- brands
            ("nike running shoes", e().brands(&["Nike"])),
            ("pepe jeans slim fit", e().brands(&["Pepe Jeans"])),
            ("pepejeans", e().brands(&["Pepe Jeans"])),
            ("adiddas sneakers", e().brands(&["Adidas"])),
            ("dysen vacuum", e().brands(&["Dyson"])),
            ("united colors of benetton tshirt", e().brands(&["United Colors of Benetton"]).cats(&["Clothing > Mens Clothing > T-Shirts"])),
            ("looking for Red Tape sneakers", e().brands(&["Red Tape"]).prods(&["p20"])),
            ("only nike please", e().brands(&["Nike"])),
            ("Show me Only dresses", e().brands(&["Only"]).cats(&["Clothing > Womens Clothing > Dresses"])),
            ("dresses by only", e().brands(&["Only"]).cats(&["Clothing > Womens Clothing > Dresses"])),
            ("slim fit jeans", e().cats(&["Clothing > Mens Clothing > Jeans"])),
            ("prime delivery", e()),
            ("size 10 but not nike", e().sizes(&["10"]).excl(&["Nike"])),
            ("no adidas please", e().excl(&["Adidas"])),
            ("except puma", e().excl(&["Puma"])),
            ("anything but Only", e().excl(&["Only"])),
            ("not nike or adidas", e().excl(&["Nike", "Adidas"])),
            ("nike but not adidas", e().brands(&["Nike"]).excl(&["Adidas"])),
            ("w brand kurtas", e().brands(&["W"])),
            // ---- categories
            ("womens footwear", e().cats(&["Footwear > Womens Footwear"]).gender("female")),
            ("footwear", e().cats(&["Footwear"])),
            ("footwear for women", e().cats(&["Footwear > Womens Footwear"]).gender("female")),
            ("coffee mugs", e().cats(&["Kitchen & Dining > Coffee Mugs"])),
            ("vacuum cleaner", e().cats(&["Home Appliances > Vacuum Cleaners"])),
            ("mixer grinder", e().cats(&["Home Appliances > Mixer Grinders"]).prods(&["p12"])),
            ("sports shoes for men", e().cats(&["Footwear > Mens Footwear > Sports Shoes"]).gender("male")),
            // ---- products
            ("the speedwav 240450", e().brands(&["Speedwav"]).prods(&["p10"])),
            ("sun shade for wagonr", e().prods(&["p10"])),
            ("car sun shade", e().cats(&["Automotive > Car Sun Shades"])),
            ("akup love-music ceramic mug", e().brands(&["Akup"]).prods(&["p6"])),
            ("love-music mug", e().prods(&["p6"])),
            ("ceramic mug", e()),
            ("remove the blender please", e().prods(&["p13"])),
            ("remove the toaster", e()),
            ("the dyson v15", e().brands(&["Dyson"]).prods(&["p1"])),
            ("is the dyson v15 in stock now", e().brands(&["Dyson"]).prods(&["p1"])),
            ("compare the xm5 with the qc45", e().prods(&["p3"])),
            ("sony wh-1000xm4", e().brands(&["Sony"]).prods(&["p4"])),
            ("philips hl7756", e().brands(&["Philips"]).prods(&["p12"])),
            ("iphone 15", e().prods(&["p22"])),
            ("pixel 8 vs galaxy s24", e().prods(&["p23", "p24"])),
            ("sony wireless headphones", e().brands(&["Sony"]).cats(&["Electronics > Headphones"])),
            // ---- references
            ("the second one", e().refs(vec![ord(2)])),
            ("what about the second one?", e().refs(vec![ord(2)])),
            ("the 2nd", e().refs(vec![ord(2)])),
            ("number two", e().refs(vec![ord(2)])),
            ("option 3", e().refs(vec![ord(3)])),
            ("add #2 to cart", e().refs(vec![ord(2)])),
            ("#2 or #3?", e().refs(vec![ord(2), ord(3)])),
            ("the former", e().refs(vec![ord(1)])),
            ("the first two", e().refs(vec![Reference::First { count: 2 }])),
            ("the last one", e().refs(vec![Reference::Last { count: 1 }])),
            ("i'll take the last two", e().refs(vec![Reference::Last { count: 2 }])),
            ("that one", e().refs(vec![FOCUSED])),
            ("this one", e().refs(vec![FOCUSED])),
            ("the one you showed", e().refs(vec![FOCUSED])),
            ("add it to my cart", e().refs(vec![FOCUSED])),
            ("is it waterproof at all?", e().refs(vec![FOCUSED])),
            ("does it come in blue", e().refs(vec![FOCUSED]).colors(&["blue"])),
            ("how much is it", e().refs(vec![FOCUSED])),
            ("both", e().refs(vec![Reference::Both])),
            ("these two", e().refs(vec![Reference::Both])),
            ("compare both of them", e().refs(vec![Reference::Both])),
            ("all of them", e().refs(vec![Reference::All])),
            ("show all three", e().refs(vec![Reference::All])),
            ("the cheaper one", e().refs(vec![by("price", Asc)])),
            ("the lighter one please", e().refs(vec![by("weight", Asc)])),
            ("the best rated one", e().refs(vec![by("rating", Desc)])),
            ("which is better, the first or the second?", e().refs(vec![ord(1), ord(2)])),
            // ---- email
            ("mail me at a.b@c.io.", e().email("a.b@c.io")),
            ("foo@bar", e()),
            // ---- adversarial
            ("", e()),
            ("   \t\n ", e()),
            ("👟 size 9 under $80 🔥", e().sizes(&["9"]).max(80.0).cur("USD")),
            ("'; DROP TABLE orders; --", e()),
            ("Robert'); DROP TABLE students;-- order 48213", e().order("48213")),
            ("chaussures rouges taille 42 sous 50€", e().max(50.0).cur("EUR")),
            ("我想买鞋 under $50", e().max(50.0).cur("USD")),
            ("मुझे जूते चाहिए under ₹500", e().max(500.0).cur("INR")),
            ("café crème mug", e()),
            ("4k tv", e()),
            ("32gb", e()),
            ("1.5 ton ac", e()),
            ("500 ml", e()),
            ("under 5 kg", e()),
            ("over 4 stars", e()),
            ("50% off", e()),
            ("iphone 15 pro max", e()),
            ("2020 model", e()),
            ("between 100 and 50", e()),
            ("sonny headphones", e().cats(&["Electronics > Headphones"])),
            ("Only dresses", e().cats(&["Clothing > Womens Clothing > Dresses"])),
            // lower-case "red tape" is neither the restricted brand nor a colour filter
            ("red tape shoes", e()),
            ("mug", e()),
            ("my first order", e()),
            ("#1 best seller", e()),
            ("dial the last number", e()),
            ("first time buyer", e()),
            ("is it possible to cancel my order", e()),
            ("it is raining", e()),
            ("shoes that fit wide feet", e()),
            ("show us 10 options", e()),
            ("can x's music be played", e()),
            ("$$$", e()),
            ("under", e()),
            ("size", e()),
            ("order #", e()),
            ("###", e()),
            ("1,2,3", e()),
            ("@@@ a@b", e()),
            ("order 2020", e().order("2020")),
            ("pixel 8 under $500", e().max(500.0).cur("USD").prods(&["p23"])),
            ("SHOW ME ONLY NIKE UNDER $50", e().brands(&["Nike"]).max(50.0).cur("USD")),
            ("add 2 of the dyson v15 under 500 dollars in black", e().qty(2).brands(&["Dyson"]).prods(&["p1"]).max(500.0).cur("USD").colors(&["black"])),
        ]
    }

    fn check(text: &str, want: &E, lex: &Lexicon) -> Result<(), String> {
        let mut got = extract(text, lex);
        got.query.clear(); // the words left over have their own tests
        for p in &got.products {
            if !(0.0..=1.0).contains(&p.score) {
                return Err(format!("{text:?}: score {} out of range", p.score));
            }
        }
        if got.products.windows(2).any(|w| w[0].score < w[1].score) {
            return Err(format!("{text:?}: products not best first"));
        }
        let ids: Vec<String> = got.products.drain(..).map(|p| p.id).collect();
        if got != want.s || ids != want.products {
            return Err(format!(
                "{text:?}\n   got  {got:?} products {ids:?}\n   want {:?} products {:?}",
                want.s, want.products
            ));
        }
        Ok(())
    }

    #[test]
    fn table() {
        let lex = lexicon();
        let cases = cases();
        assert!(cases.len() >= 130, "only {} cases", cases.len());
        let failures: Vec<String> = cases
            .iter()
            .filter_map(|(text, want)| check(text, want, &lex).err())
            .collect();
        assert!(
            failures.is_empty(),
            "{} of {} cases failed:\n{}",
            failures.len(),
            cases.len(),
            failures.join("\n")
        );
    }

    #[test]
    fn the_words_left_to_search_for_exclude_what_slots_took() {
        let lex = Lexicon::default();
        let query = |t: &str| extract(t, &lex).query;
        assert_eq!(query("i'm looking for waterproof hiking boots under $120"), "waterproof hiking boots");
        assert_eq!(query("show me running shoes in blue size 10"), "running shoes");
        assert_eq!(query("add the second one to my cart"), "");
        assert_eq!(query("2 ceramic mugs for my dad"), "ceramic mugs");
    }

    #[test]
    fn empty_lexicon_still_extracts_text_slots() {
        let lex = Lexicon::default();
        let got = extract("2 red nike shoes size 9 under $80 for order 48213", &lex);
        assert_eq!(got.quantity, Some(2));
        assert_eq!(got.colors, vec!["red"]);
        assert_eq!(got.sizes, vec!["9"]);
        assert_eq!(got.price_max, Some(80.0));
        assert_eq!(got.order_id.as_deref(), Some("48213"));
        assert!(got.brands.is_empty() && got.products.is_empty() && got.categories.is_empty());
    }

    #[test]
    fn long_repeated_text_is_bounded_and_reads_its_start() {
        let lex = lexicon();
        let text = "👟 size 9 under $80 🔥 ".repeat(500);
        assert!(text.len() > 10_000);
        let got = extract(&text, &lex);
        assert_eq!(got.sizes, vec!["9"]);
        assert_eq!(got.price_max, Some(80.0));
        assert_eq!(got.currency.as_deref(), Some("USD"));
        // a cut in the middle of a multi-byte char must not panic
        let cjk = "鞋".repeat(5000);
        let got = extract(&cjk, &lex);
        assert_eq!(Slots { query: String::new(), ..got }, Slots::default());
    }

    /// A small xorshift generator: deterministic pseudo-random input without a dependency.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    #[test]
    fn random_bytes_never_panic() {
        let lex = lexicon();
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        for _ in 0..3000 {
            let len = rng.below(80);
            let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
            let text = String::from_utf8_lossy(&bytes);
            let got = extract(&text, &lex);
            assert!(got.products.len() <= MAX_PRODUCTS);
        }
    }

    #[test]
    fn random_token_soup_never_panics() {
        const SOUP: &[&str] = &[
            "order",
            "#",
            "48213",
            "under",
            "$",
            "₹",
            "1,299.99",
            "-",
            "to",
            "between",
            "and",
            "not",
            "no",
            "size",
            "uk",
            "us",
            "x",
            "2",
            "two",
            "dozen",
            "half",
            "a",
            "the",
            "first",
            "last",
            "one",
            "it",
            "that",
            "of",
            "those",
            "both",
            "all",
            "cheaper",
            "than",
            "nike",
            "Only",
            "pepe",
            "jeans",
            "red",
            "tape",
            "navy",
            "blue",
            "in",
            "medium",
            "xl",
            "32",
            "waist",
            "k",
            "lakh",
            "/",
            "@",
            ".",
            "com",
            "mug",
            "dyson",
            "v15",
            "🔥",
            "é",
            "鞋",
            "?",
            "'",
            "’s",
            "for",
            "her",
            "son",
            "0",
            "99999999999999999999",
        ];
        let lex = lexicon();
        let mut rng = Rng(42);
        for _ in 0..5000 {
            let n = rng.below(14);
            let words: Vec<&str> = (0..n).map(|_| SOUP[rng.below(SOUP.len())]).collect();
            let sep = if rng.below(2) == 0 { " " } else { "" };
            let text = words.join(sep);
            let got = extract(&text, &lex);
            if let (Some(lo), Some(hi)) = (got.price_min, got.price_max) {
                assert!(lo <= hi, "{text:?}: {lo} > {hi}");
            }
        }
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

    #[test]
    fn serializes_compactly() {
        let lex = lexicon();
        let got = extract("the cheaper one under $50", &lex);
        let json = serde_json::to_value(&got).unwrap_or_default();
        assert_eq!(
            json,
            serde_json::json!({
                "price_max": 50.0,
                "currency": "USD",
                "references": [{"kind": "by_comparative", "comparative": {"attribute": "price", "direction": "asc"}}]
            })
        );
    }

    #[test]
    fn helpers() {
        assert_eq!(singular("mugs"), "mug");
        assert_eq!(singular("watches"), "watch");
        assert_eq!(singular("accessories"), "accessory");
        assert_eq!(singular("womens"), "woman");
        assert_eq!(singular("jeans"), "jean");
        assert_eq!(edit_distance("adidas", "adiddas", 1), Some(1));
        assert_eq!(edit_distance("blakc", "black", 1), Some(1));
        assert_eq!(edit_distance("sony", "sonny", 0), None);
        assert_eq!(find_email("write to x@y.org."), Some((9, 16)));
        assert_eq!(truncate("ab鞋", 3), "ab");
    }
}

#[cfg(test)]
mod audience_and_budget_tests {
    use super::*;

    fn gender(text: &str) -> Option<String> {
        extract(text, &Lexicon::new(&[], &[], std::iter::empty::<(&str, &str)>())).gender
    }

    #[test]
    fn a_childs_age_is_a_kids_audience_unless_a_word_says_more() {
        assert_eq!(gender("a present for a 10 year old").as_deref(), Some("kids"));
        assert_eq!(gender("something for my 7-year-old").as_deref(), Some("kids"));
        assert_eq!(gender("toys for a 2 yr old").as_deref(), Some("baby"));
        assert_eq!(gender("a watch for my 9 year old son").as_deref(), Some("boys"));
        assert_eq!(gender("a 30 year old recipe book"), None);
        assert_eq!(gender("a 5 year warranty"), None);
        assert_eq!(gender("a watch for my nephew").as_deref(), Some("boys"));
    }

    #[test]
    fn nothing_above_a_price_is_a_maximum() {
        let lexicon = Lexicon::new(&[], &[], std::iter::empty::<(&str, &str)>());
        let slots = extract("watches for men, nothing above ₹600", &lexicon);
        assert_eq!((slots.price_min, slots.price_max), (None, Some(600.0)));
        let slots = extract("nothing below 300 please", &lexicon);
        assert_eq!((slots.price_min, slots.price_max), (Some(300.0), None));
    }
}

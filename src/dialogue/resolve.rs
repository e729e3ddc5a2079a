//! Which products a message means when it names none by position: the card it describes ("the
//! peach one", "the one by Womaniya"), the one catalog product its brand and kind name ("Medimix
//! soap ke 4 piece cart mein daal do"), one product per brand named ("compare the Autofurnish
//! car cover and the Rainfun car cover"), or the product in focus when a question names one of
//! its facts ("and what's the heel height?"). Each reads the parse against the catalog and the
//! session, and adds what it finds to the parse, before the policy decides.

use crate::catalog::{Product, SearchRequest};
use crate::nlu::Parse;
use crate::nlu::slots::{ProductMention, Reference};
use crate::session::state::{SearchContext, SessionState};

use super::DialogueError;
use super::assistant::Assistant;
use super::product::{asks_price, facts, named_facts, words};

impl Assistant {
    /// Adds to the parse the products the message means, as the module docs list them.
    pub(super) fn resolve(&self, parse: &mut Parse, text: &str, state: &SessionState) -> Result<(), DialogueError> {
        self.described_among_shown(parse, text, state)?;
        self.named_in_catalog(parse)?;
        self.asks_of_focus(parse, text, state)
    }

    /// "The orange one", "the aviator one", "the one by Womaniya": when a question or a cart
    /// request points at none of the products shown by position or name, the one shown product
    /// its words describe best (title, brand, colour, kind) is named by them. A tie names none.
    fn described_among_shown(&self, parse: &mut Parse, text: &str, state: &SessionState) -> Result<(), DialogueError> {
        let slots = &parse.slots;
        let pointing = matches!(parse.intent.as_str(), "product_question" | "add_to_cart" | "remove_from_cart" | "compare");
        // "the one by Womaniya": a bare "one" points at nothing by itself.
        let bare = slots.references.iter().all(|r| *r == Reference::Focused);
        if !pointing || state.shown.len() < 2 || !bare || !slots.products.is_empty() {
            return Ok(());
        }
        // A colour or brand says which ("the peach one", "the one by Womaniya"); other words
        // do too when nothing points, or a "one" does ("the aviator one", "the one for the
        // pulsar"), but not beside an "it" ("is it waterproof?" is about the one in focus).
        let said = words(text);
        let says_which = said.iter().any(|w| w == "one") && !said.iter().any(|w| matches!(w.as_str(), "it" | "this" | "that"));
        let mut describing: Vec<&str> = slots.colors.iter().chain(&slots.brands).map(String::as_str).collect();
        if slots.references.is_empty() || says_which {
            describing.extend(slots.query.split_whitespace());
        }
        let shown = self.products(&state.shown)?;
        let described: Vec<&Product> = by_words(&shown, &describing.join(" ")).collect();
        if let [only] = described.as_slice() {
            parse.slots.products.push(ProductMention { id: only.id.clone(), title: only.title.clone(), score: 1.0 });
            parse.slots.references.clear();
        }
        Ok(())
    }

    /// "Medimix soap ke 4 piece cart mein daal do": a cart request naming a brand or a kind of
    /// product but no product shown or titled, when exactly one product of the catalog is that
    /// brand's or kind's and matches its words, names that product. "Compare the Autofurnish
    /// car cover and the Rainfun car cover", "a Sonik helmet and a Cross Fingers bike cover in
    /// my cart": each brand named with the words names its product the same way (for a
    /// comparison, its best match).
    fn named_in_catalog(&self, parse: &mut Parse) -> Result<(), DialogueError> {
        let slots = &parse.slots;
        let adds = parse.intent == "add_to_cart";
        let per_brand = slots.brands.len() >= 2 && (adds || parse.intent == "compare");
        let alone = adds && slots.products.is_empty() && (!slots.brands.is_empty() || !slots.categories.is_empty());
        if !slots.references.is_empty() || !(per_brand || alone) {
            return Ok(());
        }
        let brands: Vec<Vec<String>> = if per_brand { slots.brands.iter().map(|b| vec![b.clone()]).collect() } else { vec![slots.brands.clone()] };
        let mut named = Vec::new();
        for brands in brands {
            let search = SearchContext { query: slots.query.clone(), brands, colors: slots.colors.clone(), ..SearchContext::default() };
            let found = self.catalog.search(&SearchRequest { facets: false, ..super::shop::request(&search, 2) })?;
            let taken = if adds { found.total == 1 } else { found.total >= 1 };
            if let (true, Some(best)) = (taken, found.hits.first()) {
                named.push(ProductMention { id: best.product.id.clone(), title: best.product.title.clone(), score: 1.0 });
            }
        }
        for mention in named {
            if !parse.slots.products.iter().any(|p| p.id == mention.id) {
                parse.slots.products.push(mention);
            }
        }
        Ok(())
    }

    /// "And what's the heel height?" read as a search for heels, "price?" read as a refinement:
    /// a question that names a fact of the product in focus, or its price, pointing at no other,
    /// is a question about it.
    fn asks_of_focus(&self, parse: &mut Parse, text: &str, state: &SessionState) -> Result<(), DialogueError> {
        let slots = &parse.slots;
        let searching = matches!(parse.intent.as_str(), "search" | "refine");
        if !searching || !super::policy::is_question(text) || !slots.references.is_empty() || !slots.products.is_empty() {
            return Ok(());
        }
        let Some(product) = state.focus.as_deref().map(|id| self.product(id)).transpose()?.flatten() else { return Ok(()) };
        let said = words(text);
        // ("price?" alone, too.)
        if !named_facts(&facts(&product), &said).is_empty() || (said.len() <= 3 && asks_price(&said)) {
            parse.intent = "product_question".into();
            parse.slots.references.push(Reference::Focused);
        }
        Ok(())
    }

}

/// The products `words` describe best: a word of the title counts most; the brand, colour and
/// kind (category) name a product too ("the soap" is the Medimix bar whose title never says
/// soap). None when no word matches.
pub(super) fn by_words<'a>(products: &'a [Product], words: &str) -> impl Iterator<Item = &'a Product> {
    let wanted: Vec<String> = words.split_whitespace().map(super::kinds::word_key).filter(|w| w.len() > 2).collect();
    let score = move |p: &Product| {
        let title = p.title.to_lowercase();
        let other = [p.brand.as_deref(), p.color.as_deref(), p.product_type.as_deref()].into_iter().flatten().collect::<Vec<_>>().join(" ").to_lowercase();
        wanted.iter().map(|w| if title.contains(w.as_str()) { 2 } else { usize::from(other.contains(w.as_str())) }).sum::<usize>()
    };
    let best = products.iter().map(&score).max().unwrap_or(0);
    products.iter().filter(move |p| best > 0 && score(p) == best)
}

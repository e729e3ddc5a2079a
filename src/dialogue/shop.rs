//! Finding products: search with constraints relaxed when nothing matches, refinements of the
//! active search, the next page, recommendations and similar items.

use crate::catalog::schema::CHILD_OR_ANYONE;
use crate::catalog::smart_filters::SuggestedFilter;
use crate::catalog::{Filters, Hit, Product, SearchRequest, SearchResults, Sort};
use crate::nlu::slots::{Direction, SortSlot};
use crate::recommend::engine::{Context, Reason};
use crate::recommend::profile::Profile;
use crate::session::recommender::Shopper;
use crate::session::state::{NarrowTo, Narrowing, SearchContext, SessionState};

use super::DialogueError;
use super::assistant::Assistant;
use super::kinds::word_key;
use super::compose::{Draft, money};
use super::orders::TurnContext;
use super::policy::Target;
use super::responses::Template;

/// Products shown per page in a chat reply.
pub const PAGE_SIZE: usize = 5;
/// Candidates a recommendation re-ranks.
const RECOMMEND_POOL: usize = 30;
/// How much the shopper's profile may lift a search result, against relevance relative to the
/// best result (1): results further apart in relevance never swap.
const PROFILE_LIFT: f32 = 0.15;
/// Products bought with what was just added that a cart reply offers.
const ADD_ONS: usize = 2;

/// The order in which constraints are dropped to find something: who it is for, the size, the
/// price, the brand. The product asked for is never dropped.
const LADDER: [Relaxable; 4] = [Relaxable::Gender, Relaxable::Sizes, Relaxable::Price, Relaxable::Brands];

/// A constraint that may be dropped to find something, in the order they are dropped.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Relaxable {
    Gender,
    Sizes,
    Price,
    Brands,
}

impl Assistant {
    /// Runs a search (new or refined), shows the first page and remembers it. The page is
    /// re-ranked gently by the shopper's `profile` when it is sorted by relevance.
    pub(super) fn search(&self, state: &mut SessionState, search: SearchContext, profile: &Profile) -> Result<Draft, DialogueError> {
        let (mut results, shown_search, relaxed) = self.search_relaxed(&search, PAGE_SIZE)?;
        let query = describe(&search, &self.shop.currency);
        if results.hits.is_empty() {
            state.narrowing.clear();
            state.search = Some(search);
            return Ok(self.say(state, Template::SearchNone, &[("query", &query)]));
        }
        let lifted = search.sort.is_none() && lift_by_profile(&mut results.hits, profile);
        let products = show(state, std::mem::take(&mut results.hits));
        let mut relaxed_words: Vec<String> = relaxed.iter().map(|r| relaxed_name(*r, &search, &self.shop.currency)).collect();
        relaxed_words.extend(results.dropped_words.iter().map(|w| format!("\"{w}\"")));
        let count = products.len().to_string();
        let draft = if !relaxed_words.is_empty() {
            let relaxed = super::compose::join_words(&relaxed_words);
            self.say(state, Template::SearchRelaxed, &[("relaxed", &relaxed), ("query", &query)])
        } else if results.total > products.len() {
            self.say(state, Template::SearchResultsTotal, &[("count", &count), ("total", &results.total.to_string()), ("query", &query)])
        } else {
            self.say(state, Template::SearchResults, &[("results", &super::compose::counted(products.len(), "result")), ("query", &query)])
        };
        let mut draft = draft;
        if lifted && profile.from_orders() {
            draft.text = format!("{} {}", draft.text, self.render(state, Template::SearchForYou, &[]));
        }
        let more = results.total > products.len();
        state.search = Some(shown_search);
        Ok(self.shown(state, draft, &products, &results.suggested_filters, &search, more))
    }

    /// A page of results with quick replies that narrow them (those of a kind of product or a
    /// property remembered, to apply exactly when one is pressed).
    fn shown(&self, state: &mut SessionState, draft: Draft, products: &[Product], suggested: &[SuggestedFilter], search: &SearchContext, more: bool) -> Draft {
        state.narrowing = narrowing(suggested, search);
        draft.with_products(products).with_refinements(suggested, &state.narrowing, search, more, &self.shop.currency)
    }

    /// Who this conversation's shopper is, for lists: their stored events count only with
    /// consent.
    pub(super) fn shopper<'a>(ctx: &TurnContext<'a>, state: &'a SessionState) -> Shopper<'a> {
        Shopper {
            session_id: Some(ctx.session_id),
            customer_id: state.customer_id.as_deref(),
            remembered: state.consent,
            here: state.in_front(),
        }
    }

    /// The shopper's profile: empty without consent, or when this request turned
    /// personalization off.
    pub(super) async fn profile(&self, ctx: &TurnContext<'_>, state: &SessionState) -> Result<Profile, DialogueError> {
        if !ctx.personalize || !state.consent {
            return Ok(Profile::default());
        }
        Ok(ctx.recommender.profile(&self.catalog, &Self::shopper(ctx, state)).await?)
    }

    /// A cart reply with one or two products often bought with what was just added (shown as
    /// cards, not made the products "the first one" refers to).
    pub(super) async fn with_add_ons(&self, ctx: &TurnContext<'_>, state: &SessionState, draft: Draft) -> Result<Draft, DialogueError> {
        let Some(added) = state.focus.clone() else { return Ok(draft) };
        let profile = self.profile(ctx, state).await?;
        let add_ons: Vec<Product> = ctx
            .recommender
            .list(&self.catalog, &Self::shopper(ctx, state), &profile, Context::Cart, std::slice::from_ref(&added), ADD_ONS)
            .into_iter()
            .filter(|(_, reason)| matches!(reason, Reason::BoughtWith(_)))
            .map(|(p, _)| p)
            .collect();
        let Some(product) = self.product(&added)?.filter(|_| !add_ons.is_empty()) else { return Ok(draft) };
        let title = super::compose::spoken_title(&product);
        let offer = self.render(state, Template::GoesWith.for_count(add_ons.len()), &[("title", &title), ("count", &add_ons.len().to_string())]);
        let mut draft = draft.with_products(&add_ons);
        draft.text = format!("{} {offer}", draft.text);
        Ok(draft)
    }

    /// The search as asked, else with the fewest constraints dropped that finds something;
    /// `limit` results.
    ///
    /// The product asked for is never left out: results that match only after its noun was
    /// dropped ("tents under ₹500" finding ₹400 tent pegs is fine; finding shoes is not) do not
    /// count, and when nothing else is left to relax there are no results.
    /// Kinds a wish implied stand for the product asked for: when its words find nothing in
    /// them, the kinds' best are shown; when the kinds have nothing, the words alone are searched.
    fn search_relaxed(&self, search: &SearchContext, limit: usize) -> Result<(SearchResults, SearchContext, Vec<Relaxable>), DialogueError> {
        let mut attempts = vec![search.clone()];
        if !search.kinds.is_empty() {
            attempts.push(SearchContext { query: String::new(), ..search.clone() });
            attempts.push(SearchContext { kinds: Vec::new(), ..search.clone() });
        }
        let mut first = None;
        for attempt in &attempts {
            let found = self.search_relaxed_in_kinds(attempt, limit)?;
            if found.0.total > 0 {
                return Ok(found);
            }
            first.get_or_insert(found);
        }
        Ok(first.expect("one attempt at least"))
    }

    /// [`Self::search_relaxed`] within the search's kinds (when it has some, they are the
    /// product asked for: its words may all be left out).
    fn search_relaxed_in_kinds(&self, search: &SearchContext, limit: usize) -> Result<(SearchResults, SearchContext, Vec<Relaxable>), DialogueError> {
        let mut current = search.clone();
        let mut relaxed = Vec::new();
        let nouns = if search.kinds.is_empty() { self.product_nouns(&search.query) } else { Vec::new() };
        let found = |results: &SearchResults| results.total > 0 && !lost_the_product(&nouns, &results.dropped_words);
        let mut results = self.catalog.search(&self.request(&current, limit))?;
        for step in LADDER {
            if found(&results) {
                break;
            }
            if !relax(&mut current, step) {
                continue;
            }
            relaxed.push(step);
            results = self.catalog.search(&self.request(&current, limit))?;
        }
        if !found(&results) {
            results.hits.clear();
            results.total = 0;
        }
        Ok((results, current, relaxed))
    }

    /// The catalog request for a search context, its words that name a catalog category
    /// being the kind of product asked for.
    fn request(&self, search: &SearchContext, limit: usize) -> SearchRequest {
        let kind_words = self.kinds.of(&search.query).into_iter().map(str::to_string).collect();
        SearchRequest { kind_words, ..request(search, limit) }
    }

    /// The words of a query that name the kind of product: those that are words of a catalog
    /// category ("boots" in "waterproof hiking boots"), else its last word.
    fn product_nouns(&self, query: &str) -> Vec<String> {
        let named: Vec<String> = self.kinds.of(query).into_iter().map(word_key).collect();
        if named.is_empty() { query.split_whitespace().last().map(word_key).into_iter().collect() } else { named }
    }

    /// "Cheaper ones": the search limited to prices below the dearest product shown, cheapest
    /// first, without the products shown ("pricier ones": above the cheapest, dearest first);
    /// never relaxed back to what was shown.
    pub(super) fn price_step(&self, state: &mut SessionState, mut search: SearchContext, direction: Direction) -> Result<Draft, DialogueError> {
        let prices: Vec<f64> = self.products(&state.shown)?.iter().map(|p| p.effective_price().amount).collect();
        let (Some(low), Some(high)) = (prices.iter().copied().reduce(f64::min), prices.iter().copied().reduce(f64::max)) else {
            return self.search(state, search, &Profile::default());
        };
        search.page = 0;
        search.excluded_ids = state.shown.clone();
        let edge = match direction {
            Direction::Asc => {
                search.price_max = Some(high - 0.01);
                search.price_min = search.price_min.filter(|min| *min < high);
                search.sort = Some(SortSlot::PriceAsc);
                low
            }
            Direction::Desc => {
                search.price_min = Some(low + 0.01);
                search.price_max = search.price_max.filter(|max| *max > low);
                search.sort = Some(SortSlot::PriceDesc);
                high
            }
        };
        let mut results = self.catalog.search(&self.request(&search, PAGE_SIZE))?;
        if results.hits.is_empty() {
            let query = if search.query.is_empty() { "products".to_string() } else { search.query.clone() };
            let template = if direction == Direction::Asc { Template::SearchNoneCheaper } else { Template::SearchNonePricier };
            return Ok(self.say(state, template, &[("query", &query), ("price", &money(edge, &self.shop.currency))]));
        }
        let products = show(state, std::mem::take(&mut results.hits));
        let query = describe(&search, &self.shop.currency);
        let draft = if results.total > products.len() {
            self.say(state, Template::SearchResultsTotal, &[("count", &products.len().to_string()), ("total", &results.total.to_string()), ("query", &query)])
        } else {
            self.say(state, Template::SearchResults, &[("results", &super::compose::counted(products.len(), "result")), ("query", &query)])
        };
        let more = results.total > products.len();
        state.search = Some(search.clone());
        Ok(self.shown(state, draft, &products, &results.suggested_filters, &search, more))
    }

    pub(super) fn next_page(&self, state: &mut SessionState) -> Result<Draft, DialogueError> {
        let Some(mut search) = state.search.clone() else {
            return Ok(self.say(state, Template::RefineNothing, &[]));
        };
        search.page += 1;
        let mut results = self.catalog.search(&self.request(&search, PAGE_SIZE))?;
        if results.hits.is_empty() {
            return Ok(self.say(state, Template::SearchNoMore, &[]));
        }
        let products = show(state, std::mem::take(&mut results.hits));
        let more = results.total > (search.page + 1) * PAGE_SIZE;
        let draft = self.say(state, Template::SearchMore.for_count(products.len()), &[("count", &products.len().to_string())]);
        state.search = Some(search.clone());
        Ok(self.shown(state, draft, &products, &results.suggested_filters, &search, more))
    }

    /// Descriptive search re-ranked by rating and popularity.
    pub(super) fn recommend(&self, state: &mut SessionState, search: SearchContext) -> Result<Draft, DialogueError> {
        let (results, shown_search, _) = self.search_relaxed(&search, RECOMMEND_POOL)?;
        let mut hits = results.hits;
        // Said as found: without the words left out ("for cricket for boys", not "for started
        // cricket coaching last gear for boys").
        let mut said = SearchContext { query: without_words(&search.query, &results.dropped_words), ..search.clone() };
        if hits.is_empty() && search.vector.is_some() {
            // A need in words the catalog does not use ("a frock for her school function",
            // "we got a new puppy"): the products nearest in meaning, within the filters.
            let nearest = SearchRequest { text: String::new(), retrieval: crate::catalog::Retrieval::Semantic, ..request(&search, RECOMMEND_POOL) };
            hits = self.catalog.search(&nearest)?.hits;
            said.query = String::new();
        }
        if hits.is_empty() {
            return Ok(self.say(state, Template::RecommendNone, &[]));
        }
        let top = hits[0].score.max(f32::EPSILON);
        let appeal = |p: &Product, score: f32| -> f32 {
            let rating = p.rating.unwrap_or(3.5);
            let reviews = p.review_count.unwrap_or(0) as f32;
            score / top + 0.15 * (rating - 3.5) + 0.05 * (1.0 + reviews).ln() + if p.in_stock() { 0.0 } else { -1.0 }
        };
        hits.sort_by(|a, b| appeal(&b.product, b.score).total_cmp(&appeal(&a.product, a.score)));
        let products = show(state, hits.into_iter().take(PAGE_SIZE));
        state.search = Some(shown_search);
        let query = describe(&said, &self.shop.currency);
        let draft = self.say(state, Template::RecommendResults.for_count(products.len()), &[("count", &products.len().to_string()), ("query", &query)]);
        Ok(draft.with_products(&products))
    }

    /// "Recommend me something": the recommendation snapshot's list for this shopper — their
    /// stored history (with consent), this session's cart and focus — else what is popular.
    pub(super) async fn for_you(&self, state: &mut SessionState, ctx: &TurnContext<'_>) -> Result<Draft, DialogueError> {
        let profile = self.profile(ctx, state).await?;
        let listed = ctx.recommender.list(&self.catalog, &Self::shopper(ctx, state), &profile, Context::ForYou, &[], PAGE_SIZE);
        if listed.is_empty() {
            // Nothing learned yet (a new shop): the best-rated.
            return self.recommend(state, SearchContext::default());
        }
        let personal = listed.iter().any(|(_, reason)| matches!(reason, Reason::BecauseOf(_) | Reason::BuyAgain));
        let near = match listed.first() {
            Some((_, Reason::PopularIn(kind))) => Some(kind.to_lowercase()),
            _ => None,
        };
        let products: Vec<Product> = listed.into_iter().map(|(p, _)| p).collect();
        state.show(products.iter().map(|p| p.id.clone()));
        let draft = match near {
            _ if personal => self.say(state, Template::RecommendPersonal, &[]),
            Some(kind) => self.say(state, Template::RecommendPopularIn, &[("kind", &kind)]),
            None => self.say(state, Template::RecommendPopular, &[]),
        };
        Ok(draft.with_products(&products))
    }

    pub(super) fn similar(&self, state: &mut SessionState, target: Target) -> Result<Draft, DialogueError> {
        let id = match target {
            Target::Ids(ids) => ids.into_iter().next(),
            Target::Best { candidates, .. } => candidates.into_iter().next(),
            Target::Unknown => state.focus.clone(),
        };
        let Some(product) = id.map(|id| self.product(&id)).transpose()?.flatten() else {
            return Ok(self.say(state, Template::QuestionWhich, &[]));
        };
        let hits = self.catalog.similar(&product.id, PAGE_SIZE, &Filters::default())?;
        if hits.is_empty() {
            return Ok(self.say(state, Template::RecommendNone, &[]));
        }
        let products = show(state, hits);
        let title = super::compose::spoken_title(&product);
        let draft = self.say(state, Template::RecommendSimilar.for_count(products.len()), &[("title", &title), ("count", &products.len().to_string())]);
        Ok(draft.with_products(&products))
    }

    /// "What goes with this?": what shoppers buy with the product (the recommendation
    /// snapshot's co-purchases), else related products of other kinds, else similar ones.
    pub(super) async fn goes_with(&self, ctx: &TurnContext<'_>, state: &mut SessionState, target: Target) -> Result<Draft, DialogueError> {
        let id = match target {
            Target::Ids(ids) => ids.into_iter().next(),
            Target::Best { candidates, .. } => candidates.into_iter().next(),
            Target::Unknown => state.focus.clone().or_else(|| state.cart.last().map(|l| l.product_id.clone())),
        };
        let Some(product) = id.map(|id| self.product(&id)).transpose()?.flatten() else {
            return Ok(self.say(state, Template::QuestionWhich, &[]));
        };
        let title = super::compose::spoken_title(&product);
        let profile = self.profile(ctx, state).await?;
        let listed = ctx.recommender.list(&self.catalog, &Self::shopper(ctx, state), &profile, Context::BoughtTogether, std::slice::from_ref(&product.id), PAGE_SIZE);
        let template = match listed.first() {
            Some((_, Reason::BoughtWith(_))) => Template::GoesWith.for_count(listed.len()),
            Some((_, Reason::GoesWith(_))) => Template::GoesWithRelated,
            // Nothing bought with it or related to it: what is popular is no answer to this.
            _ => return self.similar(state, Target::Ids(vec![product.id.clone()])),
        };
        let products: Vec<Product> = listed.into_iter().map(|(p, _)| p).collect();
        state.show(products.iter().map(|p| p.id.clone()));
        let draft = self.say(state, template, &[("title", &title), ("count", &products.len().to_string())]);
        Ok(draft.with_products(&products))
    }
}

/// Most quick replies that narrow results to a kind of product or a property.
const MOST_NARROWING: usize = 2;

/// Quick replies for the suggested filters of a kind of product (its last name: "Shampoo") or a
/// property ("Wedding" for `Occasion: Wedding`) that the search does not already keep to.
fn narrowing(suggested: &[SuggestedFilter], search: &SearchContext) -> Vec<Narrowing> {
    let mut replies: Vec<Narrowing> = Vec::new();
    for filter in suggested {
        let (label, text, to) = match filter {
            SuggestedFilter::Category { value, .. } if search.kinds.is_empty() => {
                let leaf = value.rsplit('>').next().unwrap_or(value).trim().to_string();
                (leaf.clone(), format!("just {}", leaf.to_lowercase()), NarrowTo::Kind(value.clone()))
            }
            SuggestedFilter::Attribute { value, .. } if !search.attributes.contains(value) => {
                let Some((_, shown)) = value.split_once(':') else { continue };
                let shown = shown.trim().to_string();
                (shown.clone(), format!("just the {} ones", shown.to_lowercase()), NarrowTo::Attribute(value.clone()))
            }
            _ => continue,
        };
        if replies.len() < MOST_NARROWING && !replies.iter().any(|r| r.text == text) {
            replies.push(Narrowing { label, text, to });
        }
    }
    replies
}

impl Draft {
    /// Quick replies that narrow the results: a kind of product or a property, a brand or
    /// two from the facets, cheaper, more.
    fn with_refinements(self, suggested: &[SuggestedFilter], narrowing: &[Narrowing], search: &SearchContext, more: bool, currency: &str) -> Draft {
        let mut replies: Vec<(String, String)> = narrowing.iter().map(|n| (n.label.clone(), n.text.clone())).collect();
        let mut brands = 0;
        for filter in suggested {
            match filter {
                SuggestedFilter::Brand { value, .. } if search.brands.is_empty() && brands < 2 => {
                    brands += 1;
                    replies.push((format!("Only {value}"), format!("only {value}")));
                }
                SuggestedFilter::Price { max_price, .. } if search.price_max.is_none() => {
                    let cap = money(*max_price, currency);
                    replies.push((format!("Under {cap}"), format!("under {cap}")));
                }
                _ => {}
            }
        }
        if search.sort != Some(SortSlot::PriceAsc) {
            replies.push(("Cheaper".into(), "show me cheaper ones".into()));
        }
        if more {
            replies.push(("Show more".into(), "show more".into()));
        }
        let pairs: Vec<(&str, &str)> = replies.iter().map(|(l, t)| (l.as_str(), t.as_str())).collect();
        self.with_quick_replies(&pairs)
    }
}

/// Re-ranks `hits` (best first) by relevance relative to the best plus up to
/// [`PROFILE_LIFT`] for the shopper's affinity to each; whether the order changed.
fn lift_by_profile(hits: &mut [Hit], profile: &Profile) -> bool {
    if profile.is_empty() || hits.len() < 2 {
        return false;
    }
    let top = hits[0].score.max(f32::EPSILON);
    let key = |h: &Hit| h.score / top + PROFILE_LIFT * profile.affinity(&h.product);
    let before: Vec<String> = hits.iter().map(|h| h.product.id.clone()).collect();
    hits.sort_by(|a, b| key(b).total_cmp(&key(a)));
    hits.iter().zip(&before).any(|(h, id)| &h.product.id != id)
}

/// The products of `hits`, remembered as the list shown.
fn show(state: &mut SessionState, hits: impl IntoIterator<Item = Hit>) -> Vec<Product> {
    let products: Vec<Product> = hits.into_iter().map(|h| h.product).collect();
    state.show(products.iter().map(|p| p.id.clone()));
    products
}

/// `query` without the words a search left out (each a word or a phrase of words).
fn without_words(query: &str, dropped: &[String]) -> String {
    let dropped: Vec<&str> = dropped.iter().flat_map(|d| d.split_whitespace()).collect();
    query.split_whitespace().filter(|w| !dropped.iter().any(|d| d.eq_ignore_ascii_case(w))).collect::<Vec<_>>().join(" ")
}

/// Whether the search left out every word naming the product asked for.
fn lost_the_product(nouns: &[String], dropped: &[String]) -> bool {
    let dropped: Vec<String> = dropped.iter().flat_map(|d| d.split_whitespace().map(word_key).collect::<Vec<_>>()).collect();
    !nouns.is_empty() && nouns.iter().all(|n| dropped.contains(n))
}

/// Drops one kind of constraint; `false` when the search had none of it.
fn relax(search: &mut SearchContext, step: Relaxable) -> bool {
    match step {
        // A child's search widens to kids' items, never to adults' ("shoes for my son" is not
        // a men's shoe at ₹9,000).
        Relaxable::Gender => match search.gender.as_deref() {
            Some("boys" | "girls" | "kids" | "baby") => {
                search.gender = Some(CHILD_OR_ANYONE.into());
                true
            }
            Some(CHILD_OR_ANYONE) | None => false,
            Some(_) => search.gender.take().is_some(),
        },
        Relaxable::Sizes => !std::mem::take(&mut search.sizes).is_empty(),
        Relaxable::Price => {
            let had = search.price_min.is_some() || search.price_max.is_some();
            search.price_min = None;
            search.price_max = None;
            had
        }
        Relaxable::Brands => !std::mem::take(&mut search.brands).is_empty(),
    }
}

fn relaxed_name(step: Relaxable, search: &SearchContext, currency: &str) -> String {
    match step {
        Relaxable::Gender => format!("\"for {}\"", gender_words(search.gender.as_deref().unwrap_or(""))),
        Relaxable::Sizes => format!("size {}", search.sizes.join(" or ")),
        Relaxable::Price => match (search.price_min, search.price_max) {
            (Some(lo), Some(hi)) => format!("the {} to {} price range", money(lo, currency), money(hi, currency)),
            (None, Some(hi)) => format!("the {} limit", money(hi, currency)),
            (Some(lo), None) => format!("the {} minimum", money(lo, currency)),
            (None, None) => "the price".into(),
        },
        Relaxable::Brands => search.brands.join(" or "),
    }
}

/// The catalog request for a search context: the words and colours as text (many records
/// carry colours only in the title), everything else as filters.
pub fn request(search: &SearchContext, limit: usize) -> SearchRequest {
    let mut words = vec![search.query.clone()];
    words.extend(search.colors.iter().cloned());
    let text = words.join(" ").trim().to_string();
    SearchRequest {
        text,
        kind_words: Vec::new(),
        filters: Filters {
            min_price: search.price_min,
            max_price: search.price_max,
            brands: search.brands.clone(),
            exclude_brands: search.excluded_brands.clone(),
            sizes: search.sizes.clone(),
            genders: search.gender.iter().cloned().collect(),
            in_stock: search.in_stock.then_some(true),
            exclude_ids: search.excluded_ids.clone(),
            categories: search.kinds.clone(),
            attributes: search.attributes.clone(),
            ..Filters::default()
        },
        vector: search.vector.as_deref().cloned(),
        retrieval: crate::catalog::Retrieval::Backfill,
        sort: match search.sort {
            Some(SortSlot::PriceAsc) => Sort::PriceAsc,
            Some(SortSlot::PriceDesc) => Sort::PriceDesc,
            Some(SortSlot::Rating) => Sort::Rating,
            None => Sort::Relevance,
        },
        limit,
        offset: search.page * limit,
        facets: true,
    }
}

/// The search in words: "blue Nike running shoes under $120".
pub fn describe(search: &SearchContext, currency: &str) -> String {
    let mut parts: Vec<String> = Vec::new();
    parts.extend(search.colors.iter().cloned());
    parts.extend(search.brands.iter().cloned());
    parts.push(if search.query.is_empty() { "products".into() } else { search.query.clone() });
    if !search.sizes.is_empty() {
        parts.push(format!("in size {}", search.sizes.join(" or ")));
    }
    if let Some(g) = search.gender.as_deref().filter(|g| *g != CHILD_OR_ANYONE) {
        parts.push(format!("for {}", gender_words(g)));
    }
    match (search.price_min, search.price_max) {
        (Some(lo), Some(hi)) => parts.push(format!("between {} and {}", money(lo, currency), money(hi, currency))),
        (None, Some(hi)) => parts.push(format!("under {}", money(hi, currency))),
        (Some(lo), None) => parts.push(format!("over {}", money(lo, currency))),
        (None, None) => {}
    }
    if !search.excluded_brands.is_empty() {
        parts.push(format!("not from {}", search.excluded_brands.join(" or ")));
    }
    parts.join(" ")
}

fn gender_words(gender: &str) -> &str {
    match gender {
        "male" => "men",
        "female" => "women",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every step of the ladder, in order, on a search that has each constraint: what is dropped
    /// and how the reply names it.
    #[test]
    fn constraints_are_dropped_in_order_and_named() {
        let mut search = SearchContext {
            query: "shoes".into(),
            gender: Some("male".into()),
            sizes: vec!["9".into(), "10".into()],
            price_max: Some(500.0),
            brands: vec!["Nike".into()],
            ..SearchContext::default()
        };
        let mut named = Vec::new();
        for step in LADDER {
            named.push(relaxed_name(step, &search, "INR"));
            assert!(relax(&mut search, step), "{step:?} had something to drop");
            assert!(!relax(&mut search.clone(), step), "{step:?} is gone after it was dropped");
        }
        assert_eq!(named, ["\"for men\"", "size 9 or 10", "the ₹500 limit", "Nike"]);
        assert_eq!(search.query, "shoes", "the product itself stays");
        assert_eq!((search.gender, search.sizes.len(), search.price_max, search.brands.len()), (None, 0, None, 0));
        // A price range and a minimum are named as such.
        let range = SearchContext { price_min: Some(100.0), price_max: Some(200.0), ..SearchContext::default() };
        assert_eq!(relaxed_name(Relaxable::Price, &range, "USD"), "the $100 to $200 price range");
        let minimum = SearchContext { price_min: Some(100.0), ..SearchContext::default() };
        assert_eq!(relaxed_name(Relaxable::Price, &minimum, "USD"), "the $100 minimum");
    }

    #[test]
    fn a_childs_search_widens_to_kids_never_to_adults() {
        let mut son = SearchContext { gender: Some("boys".into()), ..SearchContext::default() };
        assert!(relax(&mut son, Relaxable::Gender));
        assert_eq!(son.gender.as_deref(), Some(CHILD_OR_ANYONE));
        assert!(!relax(&mut son, Relaxable::Gender), "children's items and items for anyone are as wide as a child's search goes");
        assert_eq!(son.gender.as_deref(), Some(CHILD_OR_ANYONE));
        let terms = crate::catalog::schema::gender_query_terms(CHILD_OR_ANYONE);
        assert!(terms.contains(&"kids".to_string()) && terms.contains(&"anyone".to_string()));
        assert!(!terms.iter().any(|t| t == "male" || t == "female" || t == "unisex"), "never adults' items: {terms:?}");
        assert_eq!(describe(&son, "USD"), describe(&SearchContext::default(), "USD"), "not said as an audience");
    }

    #[test]
    fn the_product_is_lost_only_when_every_word_naming_it_was_dropped() {
        let nouns = vec!["boot".to_string()];
        assert!(lost_the_product(&nouns, &["boots".into()]));
        assert!(!lost_the_product(&nouns, &["waterproof".into()]));
        assert!(!lost_the_product(&[], &["anything".into()]));
        assert_eq!(word_key("Boots"), "boot");
        assert_eq!(word_key("glass"), "glass");
    }
}

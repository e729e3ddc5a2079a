//! The assistant: one turn of a conversation. Parses the message, lets the policy pick an
//! action, runs the skill for it against the catalog, the shop's policies and the session's
//! context, and composes the reply. The session layer numbers, stores and sends it.

use std::path::Path;
use std::sync::Arc;

use crate::catalog::{Catalog, Product};
use crate::nlu::context::Context;
use crate::nlu::{Nlu, Parse};
use crate::protocol::{ActionFrame, IntentRef, Reply, SessionStatus};
use crate::recommend::profile::Profile;
use crate::session::state::{HandoffReason, Pending, SearchContext, SessionState};

use super::compose::{self, Draft, OFFER_PERSON};
use super::faq::{Faq, FaqEntry, FaqIndex};
use super::kinds::KindWords;
use super::orders::TurnContext;
use super::policy::{self, Action, Target};
use super::product::DescriptionCache;
use super::responses::{Responses, Template};
use super::DialogueError;

/// Least cosine similarity for a policy question to be answered from an FAQ entry.
const FAQ_MATCH: f32 = 0.55;
/// Least similarity for a message the model read otherwise to be answered from the FAQ, and for
/// a search (which may share words with a policy: "shop", "delivery"). Chosen on the labelled
/// data with `aisle eval faq` (BENCHMARKS.md): few out-of-scope texts reach them.
const FAQ_REROUTE: f32 = 0.60;
const FAQ_REROUTE_SEARCH: f32 = 0.75;
/// For a search that names no kind of product, brand or product.
const FAQ_REROUTE_VAGUE: f32 = 0.65;
/// Small-talk readings the FAQ is consulted before.
const FAQ_BEFORE: [&str; 6] = ["out_of_scope", "complaint", "help", "feedback", "account_help", "payment_issue"];

/// Shop settings the replies use.
#[derive(Debug, Clone)]
pub struct ShopSettings {
    /// Where "checkout" sends the shopper.
    pub checkout_url: String,
    /// Currency of the catalog's prices: of cart totals and of prices the shopper names
    /// without one ("under 500").
    pub currency: String,
    /// Where the server is reached from outside, for links it serves (invoices).
    pub public_url: String,
}

/// What one turn produced.
#[derive(Debug)]
pub struct Turn {
    pub reply: Reply,
    /// Who answers the conversation from now on, when that changed.
    pub status: Option<SessionStatus>,
}

/// The input of a turn.
#[derive(Debug, Clone, Copy)]
pub enum Input<'a> {
    Text(&'a str),
    Action(&'a ActionFrame),
}

/// The shop's words: the reply templates and the FAQ with its questions' embeddings. Reloaded
/// whole ([`Assistant::reload`]); a turn keeps the ones it started with.
pub(super) struct Prompts {
    pub(super) responses: Responses,
    pub(super) faq: Faq,
    faq_index: FaqIndex,
}

impl Prompts {
    /// Loads `responses.yaml` and `faq.yaml` from `dir` and embeds the FAQ questions; a bad
    /// file is an error that names it.
    async fn load(dir: &Path, nlu: &Nlu) -> Result<Prompts, DialogueError> {
        let responses = Responses::load(&dir.join("responses.yaml"))?;
        let faq = Faq::load(&dir.join("faq.yaml"))?;
        let texts: Vec<String> = faq.texts().into_iter().map(|(_, t)| t.to_string()).collect();
        let embeddings = nlu.encoder().embed(texts).await?;
        let faq_index = FaqIndex::new(&faq, embeddings);
        Ok(Prompts { responses, faq, faq_index })
    }
}

pub struct Assistant {
    pub(super) catalog: Arc<Catalog>,
    pub(super) nlu: Arc<Nlu>,
    prompts: std::sync::RwLock<Arc<Prompts>>,
    prompts_dir: std::path::PathBuf,
    pub(super) descriptions: DescriptionCache,
    pub(super) shop: ShopSettings,
    /// The words that name a kind of product, read from the catalog's category names.
    pub(super) kinds: KindWords,
}

impl Assistant {
    /// Loads `responses.yaml` and `faq.yaml` from `prompts` and embeds the FAQ questions.
    pub async fn load(catalog: Arc<Catalog>, nlu: Arc<Nlu>, prompts: &Path, shop: ShopSettings) -> Result<Assistant, DialogueError> {
        let loaded = Prompts::load(prompts, &nlu).await?;
        let kinds = KindWords::new(catalog.meta().categories.iter().map(|(path, _)| path.as_str()));
        Ok(Assistant {
            catalog,
            nlu,
            prompts: std::sync::RwLock::new(Arc::new(loaded)),
            prompts_dir: prompts.to_path_buf(),
            descriptions: DescriptionCache::default(),
            shop,
            kinds,
        })
    }

    /// Reads the reply templates and the FAQ again from their folder, checked whole before
    /// they replace the ones in use: a bad file changes nothing and says why. The number of
    /// FAQ entries now in use.
    pub async fn reload_prompts(&self) -> Result<usize, DialogueError> {
        let loaded = Prompts::load(&self.prompts_dir, &self.nlu).await?;
        let entries = loaded.faq.entries.len();
        *self.prompts.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(loaded);
        Ok(entries)
    }

    /// The templates and FAQ in use now.
    pub(super) fn prompts(&self) -> Arc<Prompts> {
        Arc::clone(&self.prompts.read().unwrap_or_else(|e| e.into_inner()))
    }

    pub fn nlu(&self) -> &Nlu {
        &self.nlu
    }

    /// Runs one turn, updating the session's state.
    pub async fn respond(&self, ctx: TurnContext<'_>, state: &mut SessionState, input: Input<'_>) -> Result<Turn, DialogueError> {
        state.turns += 1;
        let (draft, intent) = match input {
            // An emoji or a row of dots: nothing to act on, and nothing of the context changes
            // (what was shown, the search, a pending question).
            Input::Text(text) if super::cues::is_contentless(text) => (self.say(state, Template::NotUnderstood, &[]), None),
            Input::Text(text) => {
                // A long paste ending in a request: the request is what to act on.
                let text = super::cues::request_part(text);
                let parse = match self.settled_without_model(state, text) {
                    Some(parse) => parse,
                    None => self.nlu.parse_in(text, Context { shown: !state.shown.is_empty() || state.focus.is_some() }).await?,
                };
                let (draft, intent) = self.message(ctx, state, text, parse).await?;
                (draft, Some(intent))
            }
            Input::Action(action) => (self.action(ctx, state, action).await?, None),
        };
        let status = draft.status;
        if let Some(status) = status {
            state.status = status;
        }
        Ok(Turn { reply: compose::reply(draft, intent, state.channel), status })
    }

    /// The reading of a message that answers the assistant's question by its slots alone (the
    /// email asked for to verify an order): the model is not needed, and not run.
    fn settled_without_model(&self, state: &SessionState, text: &str) -> Option<Parse> {
        let slots = match &state.pending {
            Some(Pending::OrderDetails { .. }) => self.nlu.slots(text),
            _ => return None,
        };
        let intent = policy::settled_by_slots(&slots, state)?;
        Some(Parse { intent, confidence: 1.0, top: Vec::new(), slots, latency_ms: 0.0, embedding: Vec::new() })
    }

    /// Answers a message; the intent returned is how it was understood: the model's reading,
    /// or the one the policy acted on when it read the message otherwise ("refine" with nothing
    /// to refine is a search; an out-of-scope reading the FAQ answers is a policy question).
    async fn message(&self, ctx: TurnContext<'_>, state: &mut SessionState, text: &str, mut parse: Parse) -> Result<(Draft, IntentRef), DialogueError> {
        self.resolve(&mut parse, text, state)?;
        let (action, searched) = match policy::clarified(text, state) {
            Some((asked, intent)) => {
                let (asked, intent) = (asked.to_string(), intent.to_string());
                let mut parse = self.nlu.parse(&asked).await?;
                parse.intent = intent;
                parse.confidence = 1.0;
                state.pending = None;
                (policy::decide(&parse, &asked, state), parse.embedding)
            }
            None => (policy::decide(&parse, text, state), parse.embedding.clone()),
        };
        let action = match self.prefer_faq(action, &parse, text, state) {
            // A new search or request for ideas looks for what the message means, too, and
            // within the kinds of product a wish implies.
            Action::Search(search) => Action::Search(self.searched(self.for_recipient(with_avoided(search, state), state), searched, parse.slots.wish).await?),
            Action::Recommend(search) => Action::Recommend(self.searched(self.for_recipient(with_avoided(search, state), state), searched, parse.slots.wish).await?),
            other => other,
        };
        let intent = match action.intent() {
            Some(name) if name != parse.intent => {
                let confidence = parse.top.iter().find(|s| s.name == name).map_or(parse.confidence, |s| s.confidence);
                IntentRef { name: name.to_string(), confidence }
            }
            _ => IntentRef { name: parse.intent.clone(), confidence: parse.confidence },
        };
        state.pending = None;
        state.remember(text);
        Ok((self.run(ctx, state, action).await?, intent))
    }

    /// A new search with the message's embedding (none when it has none), and the kinds of
    /// product its words imply when they are a wish ("she loves painting").
    async fn searched(&self, search: SearchContext, embedding: Vec<f32>, wish: bool) -> Result<SearchContext, DialogueError> {
        let vector = (!embedding.is_empty()).then(|| Arc::new(embedding)).or(search.vector.clone());
        // (Not only when no word of a category is named: "coffee" is one of "Coffee Mugs".)
        let kinds = if wish && !search.query.is_empty() && search.brands.is_empty() && search.kinds.is_empty() {
            let words = self.nlu.encoder().embed(vec![search.query.clone()]).await?;
            words.first().map(|v| self.catalog.implied_kinds(v)).unwrap_or_default()
        } else {
            search.kinds
        };
        Ok(SearchContext { vector, kinds, ..search })
    }

    /// Buttons pressed in the widget.
    async fn action(&self, ctx: TurnContext<'_>, state: &mut SessionState, action: &ActionFrame) -> Result<Draft, DialogueError> {
        let one = || Target::Ids(action.product_id.iter().cloned().collect());
        let chosen = match action.action.as_str() {
            "add_to_cart" => Action::AddToCart { target: one(), quantity: action.quantity.unwrap_or(1).max(1) },
            "remove_from_cart" => Action::RemoveFromCart { target: one(), words: String::new(), quantity: action.quantity },
            "view_cart" => Action::ViewCart,
            "checkout" => Action::Checkout,
            "similar" => Action::Similar(one()),
            "compare" => Action::Compare { target: Target::Ids(action.product_ids.clone()), comparative: None, text: String::new() },
            "show_product" => {
                return match action.product_id.as_deref().map(|id| self.product(id)).transpose()?.flatten() {
                    Some(product) => {
                        state.view(&product.id);
                        Ok(Draft::text(product.title.clone()).with_products(std::slice::from_ref(&product)))
                    }
                    None => Ok(self.say(state, Template::ProductNotFound, &[("query", action.product_id.as_deref().unwrap_or(""))])),
                };
            }
            "handoff" => Action::Handoff(HandoffReason::Asked),
            other => return Err(DialogueError::BadInput(format!("unknown action {other:?}"))),
        };
        self.run(ctx, state, chosen).await
    }

    async fn run(&self, ctx: TurnContext<'_>, state: &mut SessionState, action: Action) -> Result<Draft, DialogueError> {
        match action {
            Action::Search(search) | Action::Refine(search) => {
                let profile = self.profile(&ctx, state).await?;
                self.search(state, search, &profile)
            }
            Action::NextPage => self.next_page(state),
            Action::PriceStep { search, direction } => self.price_step(state, search, direction),
            Action::NothingToRefine => Ok(self.say(state, Template::RefineNothing, &[])),
            Action::Question { target, text, embedding } => {
                let embedding = match embedding {
                    Some(e) => e,
                    None => self.nlu.encoder().embed(vec![text.clone()]).await?.remove(0),
                };
                self.question(state, target, &text, &embedding).await
            }
            Action::Compare { target, comparative, text } => self.compare(state, target, comparative.as_ref(), &text),
            Action::Recommend(search) if search.is_open() => self.for_you(state, &ctx).await,
            Action::Recommend(search) => self.recommend(state, search),
            Action::Similar(target) => self.similar(state, target),
            Action::GoesWith(target) => self.goes_with(&ctx, state, target).await,
            Action::Preferences(about) => {
                let profile = if about == super::preferences::About::Tell { self.profile(&ctx, state).await? } else { Profile::default() };
                self.preferences(state, about, &profile)
            }
            Action::AddToCart { target, quantity } => {
                let mut draft = self.add_to_cart(state, target, quantity)?;
                if draft.cart.is_some() {
                    draft = self.with_add_ons(&ctx, state, draft).await?;
                }
                Ok(draft)
            }
            Action::SetQuantity { target, words, quantity } => self.set_quantity(state, target, &words, quantity),
            Action::RemoveFromCart { target, words, quantity } => self.remove_from_cart(state, target, &words, quantity),
            Action::ViewCart => self.view_cart(state),
            Action::Checkout => self.checkout(state),
            Action::Policy(embedding) => Ok(self.policy_answer(state, &embedding)),
            Action::Handoff(reason) => Ok(self.handoff(state, reason, ctx.agents_online, ctx.now_ms())),
            Action::LeaveEmail(email) => {
                let draft = self.say(state, Template::ContactSaved, &[("email", &email)]);
                state.contact_email = Some(email);
                Ok(draft)
            }
            Action::Frustrated => Ok(self.frustrated(state)),
            Action::Clarify { text, intents } => {
                let [first, second] = &intents;
                let (a, b) = (policy::intent_label(first), policy::intent_label(second));
                let draft = self
                    .say(state, Template::Clarify, &[("first", &a.to_lowercase()), ("second", &b.to_lowercase())])
                    .with_quick_replies(&[(a, a), (b, b)]);
                state.pending = Some(Pending::Clarify { text, intents: intents.to_vec() });
                Ok(draft)
            }
            Action::Small(intent) => Ok(self.small(state, &intent)),
            Action::Order(request) => self.order_request(ctx, state, request).await,
            Action::OrderConfirmed(pending) => self.order_confirmed(ctx, state, pending).await,
            Action::OrderDeclined => Ok(self.say(state, Template::OrderDeclined, &[])),
            Action::OrderAddress { order_id, address } => Ok(self.order_address(state, order_id, address)),
        }
    }

    /// A template reply with this turn's variant.
    pub(super) fn say(&self, state: &SessionState, template: Template, vars: &[(&str, &str)]) -> Draft {
        Draft::text(self.render(state, template, vars))
    }

    pub(super) fn render(&self, state: &SessionState, template: Template, vars: &[(&str, &str)]) -> String {
        self.prompts().responses.render(template, state.turns, vars)
    }

    /// Whether the catalog has a product of this id (an index that cannot be read has none).
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    pub fn knows_product(&self, id: &str) -> bool {
        matches!(self.catalog.product(id), Ok(Some(_)))
    }

    pub(super) fn product(&self, id: &str) -> Result<Option<Product>, DialogueError> {
        Ok(self.catalog.product(id)?)
    }

    /// The products of a target that exist, in order.
    pub(super) fn products(&self, ids: &[String]) -> Result<Vec<Product>, DialogueError> {
        let mut out = Vec::new();
        for id in ids {
            if let Some(p) = self.product(id)? {
                out.push(p);
            }
        }
        Ok(out)
    }

    fn small(&self, state: &mut SessionState, intent: &str) -> Draft {
        let shop = self.prompts().faq.shop.name.clone();
        let template = match intent {
            "greet" => Template::Greet,
            "help" => Template::Help,
            "thanks" => Template::Thanks,
            "goodbye" => Template::Goodbye,
            "affirm" => Template::AffirmIdle,
            "deny" => Template::DenyIdle,
            "payment_issue" => Template::PaymentIssue,
            "account_help" => Template::AccountHelp,
            "complaint" => Template::Complaint,
            "feedback" => Template::Feedback,
            _ => Template::OutOfScope,
        };
        let draft = self.say(state, template, &[("shop", &shop)]);
        match template {
            Template::Greet | Template::Help | Template::OutOfScope | Template::AffirmIdle => draft.with_quick_replies(&[
                ("Search products", "show me popular products"),
                ("My cart", "what's in my cart"),
                ("Shipping", "what are the shipping options"),
            ]),
            Template::PaymentIssue | Template::AccountHelp | Template::Complaint => {
                state.offer_handoff(match template {
                    Template::PaymentIssue => HandoffReason::PaymentIssue,
                    Template::AccountHelp => HandoffReason::AccountHelp,
                    _ => HandoffReason::Complaint,
                });
                draft.with_quick_replies(&[OFFER_PERSON])
            }
            _ => draft,
        }
    }

    /// The FAQ entry whose questions are closest in meaning to the text, when close enough.
    fn faq_entry(&self, query: &[f32]) -> Option<FaqEntry> {
        let prompts = self.prompts();
        let best = prompts.faq_index.best(query);
        best.filter(|(_, score)| *score >= FAQ_MATCH).map(|(index, _)| prompts.faq.entries[index].clone())
    }

    /// A request read as something else that the shop's FAQ answers closely enough: an
    /// out-of-scope or small-talk reading, an order request that names no order and speaks of
    /// orders in general ("can I return sale items?"), a product question with no product, a
    /// checkout with an empty cart, or (more strictly) a search. The FAQ is the shop's own
    /// topics, which the intent model may never have seen.
    fn prefer_faq(&self, action: Action, parse: &Parse, text: &str, state: &SessionState) -> Action {
        let threshold = match &action {
            Action::Small(intent) if FAQ_BEFORE.contains(&intent.as_str()) => FAQ_REROUTE,
            Action::Order(request) if request.order_id.is_none() && request.email.is_none() && !super::cues::is_personal(text) => FAQ_REROUTE,
            // With nothing shown, "which product do you mean?" is no help: an FAQ entry as close
            // as a policy answer needs ("are your watches original or copies?") is better.
            Action::Question { target: Target::Unknown, .. } if state.focus.is_none() && state.shown.is_empty() => FAQ_MATCH,
            // "I saw this cheaper elsewhere, will you match it?": a doubt with a policy reading in
            // it, or any doubt with nothing shown to ask about, that the FAQ answers closely.
            Action::Clarify { intents, .. } if intents.iter().any(|i| i == "policy_question") => FAQ_MATCH,
            Action::Clarify { .. } if state.focus.is_none() && state.shown.is_empty() => FAQ_MATCH,
            // "what number do I ring to reach your support team?" asks for the contact details
            // the FAQ gives, not for a person now.
            Action::Handoff(HandoffReason::Asked) if policy::is_question(text) && super::cues::asks_contact(text) => FAQ_REROUTE,
            // "do I have to sign up to buy something?", not "I want to pay now".
            Action::Checkout | Action::ViewCart if state.cart.is_empty() && policy::is_question(text) => FAQ_REROUTE,
            // "is there a shop where I can pick my stuff up?" names no kind of product.
            Action::Search(search) if !self.kinds.named_in(&search.query) && search.brands.is_empty() && parse.slots.products.is_empty() => FAQ_REROUTE_VAGUE,
            Action::Search(_) | Action::Recommend(_) => FAQ_REROUTE_SEARCH,
            _ => return action,
        };
        match self.prompts().faq_index.best(&parse.embedding) {
            Some((_, score)) if score >= threshold => Action::Policy(parse.embedding.clone()),
            _ => action,
        }
    }

    fn policy_answer(&self, state: &mut SessionState, query: &[f32]) -> Draft {
        match self.faq_entry(query) {
            Some(entry) => {
                let mut draft = self.say(state, Template::PolicyAnswer, &[("answer", &entry.answer)]);
                draft.speech = Some(entry.speech.clone());
                draft
            }
            _ => {
                state.offer_handoff(HandoffReason::Unanswered);
                self.say(state, Template::PolicyUnknown, &[]).with_quick_replies(&[OFFER_PERSON])
            }
        }
    }

    /// "This is useless", or the same request a third time: an apology and a person offered at
    /// once, so the shopper need not ask for one.
    fn frustrated(&self, state: &mut SessionState) -> Draft {
        if state.status == SessionStatus::WaitingForAgent || state.status == SessionStatus::AgentJoined {
            return self.say(state, Template::HandoffAlready, &[]);
        }
        state.offer_handoff(HandoffReason::Frustration);
        self.say(state, Template::Frustrated, &[]).with_quick_replies(&[OFFER_PERSON])
    }

    /// Hands the conversation to a person: in line for one (`waiting_for_agent`); when nobody
    /// from the team is connected, said honestly, with an email asked for (unless one was left).
    fn handoff(&self, state: &mut SessionState, reason: HandoffReason, agents_online: bool, now_ms: i64) -> Draft {
        let waiting = state.status == SessionStatus::WaitingForAgent || state.status == SessionStatus::AgentJoined;
        if waiting && (agents_online || state.contact_email.is_some()) {
            return self.say(state, Template::HandoffAlready, &[]);
        }
        let mut draft = if agents_online {
            self.say(state, Template::HandoffWaiting, &[])
        } else {
            state.pending = Some(Pending::ContactEmail);
            self.say(state, Template::HandoffNobody, &[])
        };
        if !waiting {
            state.handoff_reason = Some(reason);
            state.waiting_since = Some(now_ms);
            tracing::info!(?reason, agents_online, "handed to a person");
            draft.status = Some(SessionStatus::WaitingForAgent);
        }
        draft
    }
}

/// A search without the brands the shopper said they'd rather not see (unless it names them).
fn with_avoided(mut search: SearchContext, state: &SessionState) -> SearchContext {
    for p in state.stated.iter().filter(|p| p.kind == crate::session::state::PreferenceKind::AvoidBrand) {
        if !search.brands.contains(&p.value) && !search.excluded_brands.contains(&p.value) {
            search.excluded_brands.push(p.value.clone());
        }
    }
    search
}

/// Cosine similarity of two L2-normalized vectors.
pub(super) fn cosine(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

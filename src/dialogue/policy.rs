//! The dialogue policy: from what the shopper said (intent and slots) and what the conversation
//! remembers, to the one action to take. Pure and deterministic: no catalog, no I/O, so every
//! rule is tested on its own.

use crate::nlu::Parse;
use crate::protocol::SessionStatus;
use crate::nlu::slots::{Comparative, Direction, Reference, Slots, SortSlot};
use crate::session::state::{HandoffReason, Pending, RECENT_MESSAGES, SearchContext, SessionState};

use super::cues;

/// Below this confidence an in-scope reading is checked with the shopper.
pub const CLARIFY_BELOW: f32 = 0.45;
/// The second reading must be at least this likely to be offered.
const SECOND_READING: f32 = 0.15;
/// Most products compared side by side.
pub const MAX_COMPARED: usize = 4;

/// Which products a request is about, before the catalog is consulted.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    /// Known product ids, in the order meant.
    Ids(Vec<String>),
    /// "The cheaper one" of these candidates: picked with the catalog.
    Best { candidates: Vec<String>, comparative: Comparative },
    /// Nothing in the text or the context says which.
    Unknown,
}

/// What to do about one message.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Search(SearchContext),
    /// The active search with changed constraints ("in blue", "under 500 instead").
    Refine(SearchContext),
    /// The next page of the active search.
    NextPage,
    /// "Cheaper ones" / "pricier ones": the active search (with the message's other
    /// constraints) limited to prices beyond those shown, in `direction` (ascending: cheaper).
    PriceStep { search: SearchContext, direction: Direction },
    /// A refinement with no search to refine.
    NothingToRefine,
    /// A question about one product; `embedding` is its text's, when the parse has it.
    Question { target: Target, text: String, embedding: Option<Vec<f32>> },
    /// Two or more products side by side; `comparative` asks for a winner. `text` is the
    /// shopper's, to find products it names by their titles ("X or Y, which is bigger?").
    Compare { target: Target, comparative: Option<Comparative>, text: String },
    Recommend(SearchContext),
    Similar(Target),
    /// Something the shopper says about themselves, asks about, or wants forgotten.
    Preferences(super::preferences::About),
    /// "What goes with this?": products bought with the target (or, lacking those, related
    /// ones of other kinds).
    GoesWith(Target),
    AddToCart { target: Target, quantity: u32 },
    /// "Make that 2": the cart line's quantity set, not added to (0 removes it); `words` name
    /// the line when no reference does.
    SetQuantity { target: Target, words: String, quantity: u32 },
    RemoveFromCart { target: Target, words: String, quantity: Option<u32> },
    ViewCart,
    Checkout,
    /// A policy question, by the embedding of its text.
    Policy(Vec<f32>),
    /// A person asked to join, and why.
    Handoff(HandoffReason),
    /// The email the shopper leaves for the team when no one could join.
    LeaveEmail(String),
    /// The shopper is fed up (or asked the same thing again and again): apologize, offer a person.
    Frustrated,
    /// "Did you mean A or B?" with two intents.
    Clarify { text: String, intents: [String; 2] },
    /// Intents answered with a short template (greet, help, thanks, goodbye, affirm, deny,
    /// out_of_scope, payment_issue, account_help, complaint, feedback).
    Small(String),
    /// An order request: status, cancel, change, return or refund, invoice.
    Order(OrderRequest),
    /// Yes to an order change the assistant asked to confirm (the pending question).
    OrderConfirmed(Pending),
    /// No to it: the order stays as it is.
    OrderDeclined,
    /// The new delivery address the assistant asked for.
    OrderAddress { order_id: String, address: String },
}

impl Action {
    /// The intent of the taxonomy this action carries out, when it is one intent's; `None`
    /// for answers to the assistant's own questions and for readings the model's intent
    /// describes as well as any (a quantity set, a clarifying question, frustration).
    pub fn intent(&self) -> Option<&str> {
        Some(match self {
            Action::Search(_) => "search",
            Action::Refine(_) | Action::NextPage | Action::PriceStep { .. } | Action::NothingToRefine => "refine",
            Action::Question { .. } => "product_question",
            Action::Compare { .. } => "compare",
            Action::Recommend(_) | Action::Similar(_) | Action::GoesWith(_) => "recommend",
            Action::AddToCart { .. } => "add_to_cart",
            Action::RemoveFromCart { .. } => "remove_from_cart",
            Action::ViewCart => "view_cart",
            Action::Checkout => "checkout",
            Action::Policy(_) => "policy_question",
            Action::Handoff(_) => "human_handoff",
            Action::Small(intent) => intent,
            Action::Order(request) => &request.intent,
            Action::Preferences(_)
            | Action::SetQuantity { .. }
            | Action::Frustrated
            | Action::Clarify { .. }
            | Action::OrderConfirmed(_)
            | Action::OrderDeclined
            | Action::OrderAddress { .. }
            | Action::LeaveEmail(_) => return None,
        })
    }
}

/// What an order request names; the skill finds the order the shopper may see.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderRequest {
    /// One of [`ORDER_INTENTS`].
    pub intent: String,
    pub order_id: Option<String>,
    /// The email the shopper gave for the order.
    pub email: Option<String>,
    /// Other words of the request ("the blender"), to pick an order line.
    pub words: String,
}

/// The intents about orders.
pub const ORDER_INTENTS: [&str; 5] = ["order_status", "cancel_order", "change_order", "return_refund", "invoice"];

/// Longest delivery address taken from a message.
const MAX_ADDRESS_CHARS: usize = 300;

/// Readings a bare choice ("the second one") gets, which answer "which product?".
const CHOICE_READINGS: [&str; 4] = ["product_question", "refine", "search", "recommend"];

/// Labels of the quick replies offered for an intent when clarifying.
pub fn intent_label(intent: &str) -> &'static str {
    match intent {
        "search" => "Find products",
        "refine" => "Narrow the results",
        "product_question" => "Ask about a product",
        "compare" => "Compare products",
        "recommend" => "Get a suggestion",
        "add_to_cart" => "Add to cart",
        "remove_from_cart" => "Remove from cart",
        "view_cart" => "See my cart",
        "checkout" => "Check out",
        "policy_question" => "Shop policies",
        "human_handoff" => "Talk to a person",
        "order_status" => "Track an order",
        "cancel_order" => "Cancel an order",
        "change_order" => "Change an order",
        "return_refund" => "Returns and refunds",
        "invoice" => "Get an invoice",
        "payment_issue" => "Payment problem",
        "account_help" => "Account help",
        "complaint" => "Report a problem",
        "feedback" => "Leave feedback",
        _ => "Something else",
    }
}

/// Decides the action for a parsed message in the session's context.
pub fn decide(parse: &Parse, text: &str, state: &SessionState) -> Action {
    let slots = &parse.slots;
    // An answer to a question the assistant asked.
    match &state.pending {
        Some(Pending::WhichProduct { intent, text: asked }) => {
            // "the second one" answers the question; "is the first one waterproof?" is a new one.
            // A confident cart request in words of the cart ("add the first one to my cart"
            // while asked which product a question was about) is a new request; "the second
            // one", whatever the model read, is the answer.
            let target = target(slots, state);
            let only_a_choice = slots.query.is_empty() && slots.comparative.is_none();
            let answers = !confident(parse)
                || parse.intent == *intent
                || CHOICE_READINGS.contains(&parse.intent.as_str())
                || !cues::mentions_cart(text);
            if target != Target::Unknown && only_a_choice && answers {
                let mut chosen = parse.clone();
                chosen.intent = intent.clone();
                chosen.confidence = 1.0;
                chosen.embedding.clear(); // the embedding of "the second one", not of the question
                return with_target(&chosen, asked, state, target);
            }
        }
        Some(Pending::OfferHandoff { reason }) => match parse.intent.as_str() {
            "affirm" | "human_handoff" => return Action::Handoff(*reason),
            "deny" => return Action::Small("deny".into()),
            _ => {}
        },
        Some(Pending::OrderDetails { intent, order_id, email, words }) => {
            let given_id = slots.order_id.clone().or_else(|| order_id.is_none().then(|| bare_order_id(text)).flatten());
            if given_id.is_some() || slots.email.is_some() {
                // "cancel it instead" while asked for the number: the new request wins.
                let intent = if ORDER_INTENTS.contains(&parse.intent.as_str()) && confident(parse) { &parse.intent } else { intent };
                return Action::Order(OrderRequest {
                    intent: intent.clone(),
                    order_id: given_id.or_else(|| order_id.clone()),
                    email: slots.email.clone().or_else(|| email.clone()),
                    words: if slots.query.is_empty() { words.clone() } else { slots.query.clone() },
                });
            }
            if parse.intent == "deny" {
                return Action::Small("deny".into());
            }
        }
        Some(pending @ (Pending::ConfirmCancel { .. } | Pending::ConfirmAddress { .. } | Pending::ConfirmReturn { .. })) => {
            // "yes", or the request again ("yes cancel it") about the same order.
            let same_request = matches!(
                (pending, parse.intent.as_str()),
                (Pending::ConfirmCancel { .. }, "cancel_order") | (Pending::ConfirmAddress { .. }, "change_order") | (Pending::ConfirmReturn { .. }, "return_refund")
            ) && slots.order_id.is_none();
            match parse.intent.as_str() {
                "affirm" => return Action::OrderConfirmed(pending.clone()),
                "deny" => return Action::OrderDeclined,
                _ if same_request => return Action::OrderConfirmed(pending.clone()),
                _ => {}
            }
        }
        Some(Pending::NewAddress { order_id }) => {
            if parse.intent == "deny" {
                return Action::OrderDeclined;
            }
            if slots.order_id.is_none() && slots.email.is_none() && looks_like_address(text) {
                return Action::OrderAddress { order_id: order_id.clone(), address: text.split_whitespace().collect::<Vec<_>>().join(" ") };
            }
        }
        Some(Pending::ContactEmail) => {
            if let Some(email) = &slots.email {
                return Action::LeaveEmail(email.clone());
            }
        }
        Some(Pending::Clarify { .. }) | None => {}
    }
    // A quick reply of the last results pressed (or typed): exactly the filter it offered.
    if let Some(narrowed) = state.narrowed(text) {
        return Action::Refine(narrowed);
    }
    if waiting_for_person(parse, state) {
        // "hello?", "how long will it take?" while a person is on the way: about the wait, not a
        // new conversation.
        return Action::Handoff(HandoffReason::Asked);
    }
    if cues::is_frustrated(text) || asked_again(parse, text, state) {
        return Action::Frustrated;
    }
    if let Some(added) = adds_to_the_cart(parse, text, state) {
        return act(&added, text, state);
    }
    if parse.intent != "out_of_scope" && parse.confidence < CLARIFY_BELOW {
        // "and what about clutches for that price?": a kind of product of its own, nothing
        // shown pointed at: a search, however unsure the model.
        let names_a_kind = !parse.slots.categories.is_empty() && parse.slots.references.is_empty() && parse.slots.products.is_empty();
        let doubts_a_search = parse.top.iter().take(2).any(|s| s.name == "search");
        if names_a_kind && doubts_a_search && !cues::mentions_cart(text) {
            return act(&read_as(parse, "search"), text, state);
        }
        // "what all comes in the jaspo thunder kit?": a question naming a product (or a brand's
        // kind of product), with no word of the cart and no search in doubt, is about that
        // product, however unsure the model.
        let names_a_product = !parse.slots.products.is_empty() || (!parse.slots.brands.is_empty() && !parse.slots.categories.is_empty());
        if names_a_product && !doubts_a_search && is_question(text) && !cues::mentions_cart(text) && !ORDER_INTENTS.contains(&parse.intent.as_str()) {
            return act(&read_as(parse, "product_question"), text, state);
        }
        if let Some(second) = parse.top.iter().find(|s| s.name != parse.intent && s.name != "out_of_scope") {
            // "find products or narrow the results?" is no question before any search: both search.
            let both_search = [parse.intent.as_str(), second.name.as_str()].iter().all(|i| SEARCHING.contains(i))
                && (state.search.is_none() || !parse.slots.query.is_empty());
            if second.confidence >= SECOND_READING && !both_search {
                return Action::Clarify { text: text.to_string(), intents: [parse.intent.clone(), second.name.clone()] };
            }
        }
    }
    act(parse, text, state)
}

/// "and one of the Platex bottles too" after adding to the cart: when the message adds a
/// product to what came before and cart adding is one of the two best readings — or the
/// message names a product of the catalog and the model read a search for it — it adds that
/// product (asking "a suggestion, or add to cart?" would be absurd).
fn adds_to_the_cart(parse: &Parse, text: &str, state: &SessionState) -> Option<Parse> {
    if state.cart.is_empty() || !cues::adds_more(text) || parse.intent == "add_to_cart" {
        return None;
    }
    let top_two = parse.top.iter().filter(|s| s.name != "out_of_scope").take(2).any(|s| s.name == "add_to_cart");
    let names_product = !parse.slots.products.is_empty() || !parse.slots.references.is_empty();
    let searches_a_product = !parse.slots.products.is_empty() && SEARCHING.contains(&parse.intent.as_str());
    let doubtful = parse.intent != "out_of_scope" && parse.confidence < CLARIFY_BELOW;
    ((doubtful && top_two && names_product) || searches_a_product).then(|| Parse { intent: "add_to_cart".into(), ..parse.clone() })
}

/// The intent of a message that answers a pending question by its slots alone, so the model
/// need not read it: an email given when the assistant asked for the one on an order. (An order
/// number is not enough: "cancel 48213 instead" changes the request.)
pub fn settled_by_slots(slots: &Slots, state: &SessionState) -> Option<String> {
    match &state.pending {
        Some(Pending::OrderDetails { intent, order_id: Some(_), .. }) if slots.email.is_some() && slots.order_id.is_none() => Some(intent.clone()),
        _ => None,
    }
}

/// When the message picks one of the readings offered by a clarifying question: the text the
/// question was about and the intent chosen. The caller parses that text again and decides
/// with the chosen intent.
pub fn clarified<'a>(text: &str, state: &'a SessionState) -> Option<(&'a str, &'a str)> {
    match &state.pending {
        Some(Pending::Clarify { text: asked, intents }) => intents
            .iter()
            .find(|i| intent_label(i).eq_ignore_ascii_case(text.trim()))
            .map(|i| (asked.as_str(), i.as_str())),
        _ => None,
    }
}

/// Whether a request for products or answers is the third asking of the same thing in a row
/// (cart and order requests may well be repeated on purpose).
fn asked_again(parse: &Parse, text: &str, state: &SessionState) -> bool {
    const ASKING: [&str; 7] = ["search", "refine", "product_question", "recommend", "compare", "out_of_scope", "help"];
    ASKING.contains(&parse.intent.as_str()) && state.recent.len() >= RECENT_MESSAGES && state.recent.iter().all(|earlier| cues::repeats(text, earlier))
}

/// Whether a message sent while a person is on the way is about the wait: small talk, a
/// request for a person again, or a question that names nothing (no product, order, or words
/// to search). Requests that name something are still served by the assistant meanwhile.
fn waiting_for_person(parse: &Parse, state: &SessionState) -> bool {
    if state.status != SessionStatus::WaitingForAgent {
        return false;
    }
    let slots = &parse.slots;
    let names_nothing = slots.order_id.is_none()
        && slots.products.is_empty()
        && slots.brands.is_empty()
        && slots.categories.is_empty()
        && target(slots, state) == Target::Unknown;
    let words = slots.query.split_whitespace().count();
    match parse.intent.as_str() {
        "greet" | "help" | "human_handoff" | "complaint" | "affirm" | "out_of_scope" => true,
        // "how long will it take?" leaves a word or so; a product search names what it wants.
        "product_question" | "order_status" | "policy_question" => names_nothing && words <= 1,
        "compare" | "recommend" | "refine" | "search" => names_nothing && words == 0,
        _ => false,
    }
}

fn confident(parse: &Parse) -> bool {
    parse.confidence >= 0.8 && parse.intent != "out_of_scope"
}

fn act(parse: &Parse, text: &str, state: &SessionState) -> Action {
    let slots = &parse.slots;
    // A cart reading of a message that says nothing about a cart ("who won the match
    // yesterday?", "ok, just mugs"): its words decide.
    // "how much is that all together?" with something in the cart: its total.
    let asks_total = !state.cart.is_empty() && cues::asks_total(text);
    if asks_total && parse.intent != "view_cart" {
        return act(&read_as(parse, "view_cart"), text, state);
    }
    // "and a tie in the same budget" read as comparing or as a question about a product: a kind
    // of product of its own (or, for a comparison, a product's words and no word of comparing),
    // with nothing pointed at and no question, is a search.
    let points_at_nothing = slots.references.is_empty() && slots.products.is_empty() && slots.comparative.is_none();
    let own_product = !slots.categories.is_empty() || (parse.intent == "compare" && !slots.query.is_empty() && !cues::compares(text));
    if matches!(parse.intent.as_str(), "compare" | "product_question") && points_at_nothing && own_product && !is_question(text) {
        return act(&read_as(parse, "search"), text, state);
    }
    // "got any more of these?" read as a question about them: the next page of the search.
    if state.search.is_some() && cues::more_of_the_same(text) && !ORDER_INTENTS.contains(&parse.intent.as_str()) && !CART_READINGS.contains(&parse.intent.as_str()) {
        return Action::NextPage;
    }
    // "hmm no, remove it": a cart removal after a no, not only the no.
    if matches!(parse.intent.as_str(), "deny" | "affirm") && !state.cart.is_empty() && cues::removes(text) {
        return act(&read_as(parse, "remove_from_cart"), text, state);
    }
    // "make it under 300 instead" after a search: a new price for it, not a cart change.
    let priced = slots.price_min.is_some() || slots.price_max.is_some();
    let points_at_it = slots.references.iter().all(|r| *r == Reference::Focused);
    if (parse.intent == "add_to_cart" || CART_READINGS.contains(&parse.intent.as_str())) && priced && slots.quantity.is_none() && points_at_it && slots.products.is_empty() && state.search.is_some() {
        return act(&read_as(parse, "refine"), text, state);
    }
    // (So does "and one of the blue ones too" after adding to the cart.)
    let speaks_of_cart = cues::mentions_cart(text) || asks_total || (!state.cart.is_empty() && cues::adds_more(text));
    // "ok now watches, same budget" read as adding: a kind of product, no cart, nothing pointed at.
    let adds_nothing_named = parse.intent == "add_to_cart" && slots.references.is_empty() && slots.products.is_empty() && !slots.categories.is_empty();
    if (CART_READINGS.contains(&parse.intent.as_str()) || adds_nothing_named) && !speaks_of_cart {
        let names_products = !slots.query.is_empty() || !slots.products.is_empty();
        return act(&read_as(parse, if names_products && !is_question(text) { "search" } else { "out_of_scope" }), text, state);
    }
    // "my nephew turns 9, maybe a watch for him?": a kind of product the shop sells, for
    // someone, is shopping whatever the model read.
    if parse.intent == "out_of_scope" && !slots.categories.is_empty() && (slots.gender.is_some() || cues::is_shopping(text)) {
        return act(&read_as(parse, "recommend"), text, state);
    }
    // "I'm a size 10", "I don't like Nike", "what do you know about me?", "forget that":
    // about the shopper, whatever the model read (a cart removal, out of scope).
    if let Some(about) = super::preferences::about(text, slots) {
        if !ORDER_INTENTS.contains(&parse.intent.as_str()) {
            return Action::Preferences(about);
        }
    }
    // "what goes with this?", "anything that pairs well with the second one?": what is bought
    // with a product, whatever the model read (an add, a product question).
    if cues::asks_what_goes_with(text) && !ORDER_INTENTS.contains(&parse.intent.as_str()) && slots.order_id.is_none() {
        return Action::GoesWith(target(slots, state));
    }
    // "can you recommend me something?" read as asking what the assistant can do.
    if parse.intent == "help" && cues::asks_ideas(text) {
        return act(&read_as(parse, "recommend"), text, state);
    }
    // "my brother loves cooking": what someone likes, with something to look for, asks for
    // ideas whatever the model read.
    if parse.intent == "out_of_scope" && slots.wish && !slots.query.is_empty() && slots.order_id.is_none() {
        return act(&read_as(parse, "recommend"), text, state);
    }
    // "what's the story with my order?": a question about one's own order, whatever the tone.
    // ("where is the school bag I ordered for my son?", read as a question about the bag: the
    // bag is in an order of theirs.)
    let about_own_order = matches!(parse.intent.as_str(), "complaint" | "feedback" | "out_of_scope" | "help")
        || (parse.intent == "product_question" && cues::asks_where(text));
    if about_own_order && cues::is_personal(text) && is_question(text) && slots.products.is_empty() {
        return Action::Order(OrderRequest { intent: "order_status".into(), order_id: slots.order_id.clone(), email: slots.email.clone(), words: slots.query.clone() });
    }
    // "change it to 2" with something in the cart: a quantity set, whatever the model read.
    if !state.cart.is_empty() && !ORDER_INTENTS.contains(&parse.intent.as_str()) && slots.price_min.is_none() && slots.price_max.is_none() {
        if let Some(change) = super::cues::quantity_change(text) {
            return Action::SetQuantity { target: target(slots, state), words: change.words, quantity: change.quantity };
        }
    }
    // "and order 50005?": an order number with no product named is about that order, whatever
    // product reading the model gave it.
    let product_reading = PRODUCT_READINGS.contains(&parse.intent.as_str());
    if product_reading && slots.order_id.is_some() && slots.products.is_empty() && slots.brands.is_empty() && slots.query.split_whitespace().count() <= 2 {
        return Action::Order(OrderRequest { intent: "order_status".into(), order_id: slots.order_id.clone(), email: slots.email.clone(), words: String::new() });
    }
    let target = target(slots, state);
    // "what material is the cheapest one?", "more details on the third one", "how much does it
    // hold?": a question about a product shown, whatever the model read.
    let misread = match parse.intent.as_str() {
        "search" | "refine" | "out_of_scope" => true,
        "recommend" => !asks_for_alternatives(text),
        _ => false,
    };
    // ("any of those in black?" names a constraint: a refinement.)
    if misread && !has_constraints(slots) && !slots.references.is_empty() && target != Target::Unknown && is_question(text) {
        return question(parse, text, target);
    }
    with_target(parse, text, state, target)
}

/// The parse with another intent: the policy's reading where the words outweigh the model's.
fn read_as(parse: &Parse, intent: &str) -> Parse {
    Parse { intent: intent.to_string(), ..parse.clone() }
}

/// A question about `target`, with the embedding of its text when the parse has one.
fn question(parse: &Parse, text: &str, target: Target) -> Action {
    let embedding = (!parse.embedding.is_empty()).then(|| parse.embedding.clone());
    Action::Question { target, text: text.to_string(), embedding }
}

/// Whether a message asks for other products like one ("anything similar to the second one?").
fn asks_for_alternatives(text: &str) -> bool {
    let lower = text.to_lowercase();
    lower.split(|c: char| !c.is_alphanumeric()).any(|w| matches!(w, "similar" | "like" | "alternative" | "alternatives" | "instead" | "other" | "others"))
}

/// Words a question about a product starts with.
const QUESTION_STARTS: [&str; 18] =
    ["what", "whats", "which", "how", "hows", "is", "does", "do", "can", "will", "are", "tell", "more", "any", "has", "have", "could", "would"];

/// Whether a message reads as a question: it ends with a question mark or starts like one.
pub(super) fn is_question(text: &str) -> bool {
    let text = text.trim();
    // ("and what's the heel height", "so is it cotton": after a word that joins it on.)
    let mut words = text.split_whitespace().map(|w| w.to_lowercase().replace(['\'', '’'], ""));
    let first = words.next().unwrap_or_default();
    let first = if matches!(first.as_str(), "and" | "so" | "also" | "but" | "ok" | "okay") { words.next().unwrap_or_default() } else { first };
    text.ends_with('?') || QUESTION_STARTS.contains(&first.as_str())
}

/// Readings that all find products.
const SEARCHING: [&str; 3] = ["search", "refine", "recommend"];

/// Readings about the cart.
const CART_READINGS: [&str; 3] = ["view_cart", "checkout", "remove_from_cart"];

/// Readings an order number overrides.
const PRODUCT_READINGS: [&str; 7] = ["search", "refine", "product_question", "compare", "recommend", "help", "out_of_scope"];

fn with_target(parse: &Parse, text: &str, state: &SessionState, target: Target) -> Action {
    let slots = &parse.slots;
    if matches!(parse.intent.as_str(), "search" | "refine") {
        if let Some(step) = price_step_action(parse, state) {
            return step;
        }
    }
    match parse.intent.as_str() {
        "search" => match &state.search {
            // Only constraints, no new product words: it narrows the active search.
            Some(active) if slots.query.is_empty() && has_constraints(slots) => Action::Refine(refine(active, slots)),
            Some(active) if cues::keeps_budget(text) => Action::Search(with_budget(new_search(slots), active)),
            _ => Action::Search(new_search(slots)),
        },
        "refine" => match &state.search {
            Some(_) if asks_for_more(text) && !has_constraints(slots) && only_more_words(&slots.query) => Action::NextPage,
            Some(active) => Action::Refine(refine(active, slots)),
            None if !slots.query.is_empty() || has_constraints(slots) => Action::Search(new_search(slots)),
            None => Action::NothingToRefine,
        },
        "product_question" => question(parse, text, target),
        // "more details on the second one", "what does the second one cost?": one product.
        "compare" if slots.comparative.is_none() && !matches!(target, Target::Best { .. }) && target_len(&target) == 1 => {
            question(parse, text, target)
        }
        "compare" => {
            // "which one has the better rating?" reads as a reference to the best-rated one.
            let mut comparative = slots.comparative.clone();
            let target = match target {
                // "which one is cheaper?" over what was shown.
                Target::Unknown | Target::Ids(_) if target_len(&target) < 2 && state.shown.len() >= 2 => {
                    Target::Ids(state.shown.iter().take(10).cloned().collect())
                }
                Target::Best { candidates, comparative: by } => {
                    comparative = comparative.or(Some(by));
                    Target::Ids(candidates)
                }
                other => other,
            };
            Action::Compare { target, comparative, text: text.to_string() }
        }
        "recommend" => {
            let similar = text.to_lowercase().contains("similar") || text.to_lowercase().contains(" like ");
            if similar && target != Target::Unknown {
                Action::Similar(target)
            } else if similar && slots.query.is_empty() && state.focus.is_some() {
                Action::Similar(Target::Ids(state.focus.iter().cloned().collect()))
            } else {
                match &state.search {
                    // "actually for my wife instead, same budget": only who it is for, or the
                    // price, changes in the search on screen.
                    Some(active) if slots.query.is_empty() && slots.categories.is_empty() && has_constraints(slots) => Action::Refine(refine(active, slots)),
                    Some(active) if cues::keeps_budget(text) => Action::Recommend(with_budget(new_search(slots), active)),
                    _ => Action::Recommend(new_search(slots)),
                }
            }
        }
        "add_to_cart" => Action::AddToCart { target, quantity: slots.quantity.unwrap_or(1).max(1) },
        "remove_from_cart" => {
            // "just one not two": fewer units of the product in focus.
            Action::RemoveFromCart { target, words: slots.query.clone(), quantity: slots.quantity }
        }
        "view_cart" => Action::ViewCart,
        "checkout" => Action::Checkout,
        "policy_question" => Action::Policy(parse.embedding.clone()),
        "human_handoff" => Action::Handoff(HandoffReason::Asked),
        intent if ORDER_INTENTS.contains(&intent) => Action::Order(OrderRequest {
            intent: intent.to_string(),
            order_id: slots.order_id.clone(),
            email: slots.email.clone(),
            words: slots.query.clone(),
        }),
        other => Action::Small(other.to_string()),
    }
}

/// An order number given alone, as the answer to "what's your order number?": a short message
/// with one token of at least four digits ("48213", "it's #48213", "ORD-7781").
fn bare_order_id(text: &str) -> Option<String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    if words.len() > 4 {
        return None;
    }
    let ids: Vec<&str> = words
        .iter()
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|w| w.chars().filter(char::is_ascii_digit).count() >= 4 && w.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') && w.len() <= 40)
        .collect();
    match ids.as_slice() {
        [one] => Some(one.to_string()),
        _ => None,
    }
}

/// Whether a message reads as a postal address: a few words with a number (house or postcode)
/// and letters, not too long.
fn looks_like_address(text: &str) -> bool {
    let text = text.trim();
    let words = text.split_whitespace().count();
    words >= 3
        && text.chars().count() <= MAX_ADDRESS_CHARS
        && text.chars().any(|c| c.is_ascii_digit())
        && text.chars().filter(|c| c.is_alphabetic()).count() >= 5
        && !text.chars().any(|c| c.is_control() || matches!(c, '<' | '>' | '{' | '}' | '`' | '|' | '*'))
}

fn target_len(target: &Target) -> usize {
    match target {
        Target::Ids(ids) => ids.len(),
        _ => 0,
    }
}

/// Resolves the products a message points at: named products first, then references to what
/// was shown, then the focus.
pub fn target(slots: &Slots, state: &SessionState) -> Target {
    let mut ids: Vec<String> = Vec::new();
    for reference in &slots.references {
        match reference {
            Reference::Ordinal { position } => {
                if let Some(id) = (*position as usize).checked_sub(1).and_then(|i| state.shown.get(i)) {
                    ids.push(id.clone());
                }
            }
            Reference::First { count } => ids.extend(state.shown.iter().take(*count as usize).cloned()),
            Reference::Last { count } => {
                let n = state.shown.len();
                ids.extend(state.shown.iter().skip(n.saturating_sub(*count as usize)).cloned());
            }
            Reference::Focused => match (&state.focus, state.shown.as_slice()) {
                (Some(focus), _) => ids.push(focus.clone()),
                (None, [only]) => ids.push(only.clone()),
                _ => {}
            },
            Reference::Both => ids.extend(state.shown.iter().take(2).cloned()),
            Reference::All => ids.extend(state.shown.iter().cloned()),
            Reference::ByComparative { comparative } => {
                if state.shown.is_empty() {
                    continue;
                }
                return Target::Best { candidates: state.shown.clone(), comparative: comparative.clone() };
            }
        }
    }
    // Named products the shopper was shown come first; others count when nothing else does.
    let named: Vec<&str> = slots.products.iter().map(|p| p.id.as_str()).collect();
    if ids.is_empty() && !named.is_empty() {
        ids.extend(named.iter().map(|s| s.to_string()));
    }
    let mut seen = std::collections::HashSet::new();
    ids.retain(|id| seen.insert(id.clone()));
    if ids.is_empty() { Target::Unknown } else { Target::Ids(ids) }
}

fn has_constraints(slots: &Slots) -> bool {
    !slots.brands.is_empty()
        || !slots.excluded_brands.is_empty()
        || !slots.colors.is_empty()
        || !slots.sizes.is_empty()
        || slots.gender.is_some()
        || slots.price_min.is_some()
        || slots.price_max.is_some()
        || slots.sort.is_some()
        || slots.comparative.is_some()
}

/// "Cheaper ones", "these are too expensive, something cheaper?": a step in price from what
/// was shown, keeping the active search; `None` when the message is not one, or names a new
/// product ("cheaper mugs" after watches is a new search).
fn price_step_action(parse: &Parse, state: &SessionState) -> Option<Action> {
    let direction = price_step(&parse.slots)?;
    let active = state.search.as_ref().filter(|_| !state.shown.is_empty())?;
    let mut slots = parse.slots.clone();
    slots.query = without(&slots.query, &PRICE_FILLER);
    slots.comparative = None;
    if parse.intent == "search" && !slots.query.is_empty() {
        return None;
    }
    Some(Action::PriceStep { search: refine(active, &slots), direction })
}

/// The direction of "cheaper ones" / "more expensive ones": a price comparative with no price
/// named and no superlative ("the cheapest" sorts instead).
fn price_step(slots: &Slots) -> Option<Direction> {
    let c = slots.comparative.as_ref().filter(|c| c.attribute == "price")?;
    (slots.sort.is_none() && slots.price_min.is_none() && slots.price_max.is_none()).then_some(c.direction)
}

/// Words of "these are too expensive, something cheaper?" that say nothing about the product.
const PRICE_FILLER: [&str; 18] = [
    "expensive", "costly", "pricey", "overpriced", "something", "anything", "bit", "little", "lot", "way", "much", "too",
    "option", "options", "alternative", "alternatives", "one", "ones",
];

/// Words that ask for the next page ("show more", "next ones", "any others?").
const MORE_WORDS: [&str; 5] = ["more", "next", "other", "others", "else"];
/// Words that may come with them and say nothing else.
const PAGE_WORDS: [&str; 8] = ["ones", "results", "options", "products", "items", "page", "please", "some"];

fn asks_for_more(text: &str) -> bool {
    let lower = text.to_lowercase();
    lower.split(|c: char| !c.is_alphanumeric()).any(|t| MORE_WORDS.contains(&t))
}

fn only_more_words(query: &str) -> bool {
    query.split_whitespace().all(|w| MORE_WORDS.contains(&w) || PAGE_WORDS.contains(&w))
}

/// A new search from the slots of one message.
pub fn new_search(slots: &Slots) -> SearchContext {
    SearchContext {
        query: slots.query.clone(),
        brands: slots.brands.clone(),
        excluded_brands: slots.excluded_brands.clone(),
        colors: slots.colors.clone(),
        sizes: slots.sizes.clone(),
        gender: slots.gender.clone(),
        price_min: slots.price_min,
        price_max: slots.price_max,
        sort: slots.sort,
        in_stock: false,
        excluded_ids: Vec::new(),
        kinds: Vec::new(),
        attributes: Vec::new(),
        page: 0,
        vector: None,
    }
}

/// A new search with the price range of the one before, unless it names its own
/// ("now sunglasses in the same budget").
fn with_budget(mut search: SearchContext, before: &SearchContext) -> SearchContext {
    if search.price_min.is_none() && search.price_max.is_none() {
        search.price_min = before.price_min;
        search.price_max = before.price_max;
    }
    search.query = without(&search.query, &BUDGET_WORDS);
    search
}

/// A query without the words of a phrase that said something else ("too expensive", "same
/// budget").
fn without(query: &str, words: &[&str]) -> String {
    query.split_whitespace().filter(|w| !words.contains(w)).collect::<Vec<_>>().join(" ")
}

/// Words of "in the same budget" left in a query.
const BUDGET_WORDS: [&str; 6] = ["same", "budget", "range", "similar", "price", "much"];

/// The active search with a message's constraints applied: what the message names replaces
/// the same kind of constraint, the rest is kept.
fn refine(active: &SearchContext, slots: &Slots) -> SearchContext {
    let mut next = active.clone();
    next.page = 0;
    next.excluded_ids.clear();
    if !slots.query.is_empty() {
        next.query = format!("{} {}", active.query, slots.query).trim().to_string();
    }
    if !slots.brands.is_empty() {
        next.brands = slots.brands.clone();
        next.excluded_brands.retain(|b| !slots.brands.contains(b));
    }
    if !slots.excluded_brands.is_empty() {
        next.excluded_brands.extend(slots.excluded_brands.iter().cloned());
        next.brands.retain(|b| !slots.excluded_brands.contains(b));
    }
    if !slots.colors.is_empty() {
        next.colors = slots.colors.clone();
    }
    if !slots.sizes.is_empty() {
        next.sizes = slots.sizes.clone();
    }
    if slots.gender.is_some() {
        next.gender = slots.gender.clone();
    }
    if slots.price_min.is_some() || slots.price_max.is_some() {
        next.price_min = slots.price_min;
        next.price_max = slots.price_max;
    }
    if let Some(sort) = slots.sort {
        next.sort = Some(sort);
    }
    if let Some(c) = &slots.comparative {
        if c.attribute == "price" && slots.price_max.is_none() && slots.sort.is_none() {
            // "cheaper ones": cheapest first; "pricier": dearest first.
            next.sort = Some(match c.direction {
                crate::nlu::slots::Direction::Asc => SortSlot::PriceAsc,
                crate::nlu::slots::Direction::Desc => SortSlot::PriceDesc,
            });
        }
        if c.attribute == "rating" {
            next.sort = Some(SortSlot::Rating);
        }
    }
    next
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nlu::intents::IntentScore;

    fn parse(intent: &str, confidence: f32, slots: Slots) -> Parse {
        Parse {
            intent: intent.into(),
            confidence,
            top: vec![
                IntentScore { name: intent.into(), confidence },
                IntentScore { name: "compare".into(), confidence: (1.0 - confidence) * 0.8 },
            ],
            slots,
            latency_ms: 0.0,
            embedding: vec![1.0],
        }
    }

    fn shown(ids: &[&str]) -> SessionState {
        let mut state = SessionState::default();
        state.show(ids.iter().map(|s| s.to_string()));
        state.search = Some(SearchContext { query: "watches".into(), colors: vec!["black".into()], ..SearchContext::default() });
        state
    }

    fn refs(references: Vec<Reference>) -> Slots {
        Slots { references, ..Slots::default() }
    }

    #[test]
    fn references_resolve_against_what_was_shown() {
        let state = shown(&["a", "b", "c"]);
        assert_eq!(target(&refs(vec![Reference::Ordinal { position: 2 }]), &state), Target::Ids(vec!["b".into()]));
        assert_eq!(target(&refs(vec![Reference::First { count: 2 }]), &state), Target::Ids(vec!["a".into(), "b".into()]));
        assert_eq!(target(&refs(vec![Reference::Last { count: 1 }]), &state), Target::Ids(vec!["c".into()]));
        assert_eq!(target(&refs(vec![Reference::Ordinal { position: 9 }]), &state), Target::Unknown, "no ninth one");
        assert_eq!(target(&refs(vec![Reference::Focused]), &state), Target::Unknown, "three shown, none focused");
        let cheaper = Comparative { attribute: "price".into(), direction: Direction::Asc };
        assert!(matches!(
            target(&refs(vec![Reference::ByComparative { comparative: cheaper }]), &state),
            Target::Best { candidates, .. } if candidates.len() == 3
        ));
    }

    #[test]
    fn constraints_alone_refine_the_active_search_and_keep_the_rest() {
        let state = shown(&["a", "b"]);
        let under = Slots { price_max: Some(500.0), ..Slots::default() };
        match decide(&parse("search", 0.9, under), "under 500", &state) {
            Action::Refine(s) => {
                assert_eq!((s.query.as_str(), s.price_max), ("watches", Some(500.0)));
                assert_eq!(s.colors, vec!["black"]);
            }
            other => panic!("{other:?}"),
        }
        let new_words = Slots { query: "mugs".into(), ..Slots::default() };
        assert!(matches!(decide(&parse("search", 0.9, new_words), "mugs", &state), Action::Search(s) if s.query == "mugs"));
        assert_eq!(decide(&parse("refine", 0.9, Slots::default()), "show more", &state), Action::NextPage);
        let none = SessionState::default();
        assert_eq!(decide(&parse("refine", 0.9, Slots::default()), "in blue", &none), Action::NothingToRefine);
    }

    #[test]
    fn which_one_questions_compare_what_was_shown() {
        let state = shown(&["a", "b", "c"]);
        let lighter = Slots { comparative: Some(Comparative { attribute: "weight".into(), direction: Direction::Asc }), ..Slots::default() };
        match decide(&parse("compare", 0.9, lighter), "which one is lighter?", &state) {
            Action::Compare { target: Target::Ids(ids), comparative: Some(c), .. } => {
                assert_eq!(ids, vec!["a", "b", "c"]);
                assert_eq!(c.attribute, "weight");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_unsure_parse_is_checked_with_the_two_readings() {
        let state = SessionState::default();
        match decide(&parse("product_question", 0.4, Slots::default()), "hmm that one", &state) {
            Action::Clarify { text, intents } => {
                assert_eq!(text, "hmm that one");
                assert_eq!(intents, ["product_question".to_string(), "compare".to_string()]);
            }
            other => panic!("{other:?}"),
        }
        let mut asked = state.clone();
        asked.pending = Some(Pending::Clarify { text: "hmm that one".into(), intents: vec!["product_question".into(), "compare".into()] });
        assert_eq!(clarified("Compare products", &asked), Some(("hmm that one", "compare")));
        assert_eq!(clarified("something else", &asked), None);
    }

    #[test]
    fn a_bare_choice_answers_which_one_but_a_new_question_does_not() {
        let mut state = shown(&["a", "b"]);
        state.pending = Some(Pending::WhichProduct { intent: "product_question".into(), text: "is it in stock?".into() });
        let second = refs(vec![Reference::Ordinal { position: 2 }]);
        match decide(&parse("refine", 0.5, second.clone()), "the second one", &state) {
            Action::Question { target, text, embedding } => {
                assert_eq!(target, Target::Ids(vec!["b".into()]));
                assert_eq!(text, "is it in stock?");
                assert_eq!(embedding, None, "the embedding of the choice is not the question's");
            }
            other => panic!("{other:?}"),
        }
        // A bare choice the model reads as a cart request still answers; a cart request in
        // words of the cart is that request.
        assert!(matches!(decide(&parse("add_to_cart", 0.95, second.clone()), "the second one", &state), Action::Question { .. }));
        match decide(&parse("add_to_cart", 0.95, second.clone()), "add the second one to my cart", &state) {
            Action::AddToCart { target, .. } => assert_eq!(target, Target::Ids(vec!["b".into()])),
            other => panic!("{other:?}"),
        }
        let new_question = Slots { query: "waterproof".into(), ..second };
        match decide(&parse("product_question", 0.9, new_question), "is the second one waterproof", &state) {
            Action::Question { text, .. } => assert_eq!(text, "is the second one waterproof"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_offer_of_a_person_is_taken_with_yes() {
        let mut state = SessionState::default();
        state.offer_handoff(HandoffReason::Unanswered);
        assert_eq!(decide(&parse("affirm", 0.95, Slots::default()), "yes please", &state), Action::Handoff(HandoffReason::Unanswered));
        assert_eq!(decide(&parse("affirm", 0.95, Slots::default()), "yes", &SessionState::default()), Action::Small("affirm".into()));
    }

    #[test]
    fn words_outweigh_a_reading_they_contradict() {
        let mut state = shown(&["a", "b", "c"]);
        // A cart reading with no word of a cart: a search, or out of scope when asked.
        let mugs = Slots { query: "mugs".into(), ..Slots::default() };
        assert!(matches!(decide(&parse("remove_from_cart", 0.9, mugs.clone()), "ok, just mugs", &state), Action::Search(s) if s.query == "mugs"));
        let match_words = Slots { query: "won cricket match".into(), ..Slots::default() };
        assert_eq!(decide(&parse("view_cart", 0.9, match_words), "who won the cricket match?", &state), Action::Small("out_of_scope".into()));
        // "compare" of one product is a question about it.
        let second = refs(vec![Reference::Ordinal { position: 2 }]);
        assert!(matches!(decide(&parse("compare", 0.9, second), "more details on the second one", &state), Action::Question { target: Target::Ids(ids), .. } if ids == ["b"]));
        // A set quantity, once the cart has something.
        let focused = refs(vec![Reference::Focused]);
        assert!(matches!(decide(&parse("add_to_cart", 0.9, focused.clone()), "make that 2", &state), Action::AddToCart { .. }));
        state.add_to_cart("b", 3);
        state.focus = Some("b".into());
        assert_eq!(
            decide(&parse("add_to_cart", 0.9, focused.clone()), "make that 2", &state),
            Action::SetQuantity { target: Target::Ids(vec!["b".into()]), words: String::new(), quantity: 2 }
        );
        let three = Slots { query: "3".into(), ..focused };
        assert_eq!(
            decide(&parse("add_to_cart", 0.92, three), "make it 3 actually", &state),
            Action::SetQuantity { target: Target::Ids(vec!["b".into()]), words: String::new(), quantity: 3 }
        );
    }

    #[test]
    fn messages_read_as_something_else_act_on_the_search_on_screen() {
        let mut state = shown(&["a", "b"]);
        state.search = Some(SearchContext { query: "charger".into(), price_max: Some(500.0), ..SearchContext::default() });
        let cheaper = Slots { price_max: Some(300.0), ..Slots::default() };
        let it = Slots { references: vec![Reference::Focused], ..cheaper.clone() };
        let action = decide(&parse("add_to_cart", 0.9, it), "hmm make it under 300 instead", &state);
        assert!(matches!(&action, Action::Refine(s) if s.query == "charger" && s.price_max == Some(300.0)), "{action:?}");
        let ties = Slots { categories: vec!["Clothing > Accessories > Ties".into()], query: "tie".into(), ..Slots::default() };
        let action = decide(&parse("compare", 0.9, ties), "and a tie in the same budget", &state);
        assert!(matches!(&action, Action::Search(s) if s.query == "tie" && s.price_max == Some(500.0)), "{action:?}");
        // An unsure reading of a question that names a brand's kind of product is about it.
        let kit = Slots { brands: vec!["Jaspo".into()], categories: vec!["Sports > Skating > Kits".into()], query: "thunder kit".into(), ..Slots::default() };
        let action = decide(&parse("recommend", 0.38, kit), "what all comes in the jaspo thunder kit?", &state);
        assert!(matches!(action, Action::Question { .. }), "{action:?}");
        let these = Slots { references: vec![Reference::All], ..Slots::default() };
        assert_eq!(decide(&parse("product_question", 0.9, these), "got any more of these?", &state), Action::NextPage);
        let tie = Slots { query: "tie".into(), ..Slots::default() };
        let action = decide(&parse("compare", 0.9, tie), "and a tie in the same budget", &state);
        assert!(matches!(&action, Action::Search(s) if s.query == "tie"), "{action:?}");
        let for_her = Slots { gender: Some("female".into()), ..Slots::default() };
        let action = decide(&parse("recommend", 0.9, for_her), "actually for women instead, same budget", &state);
        assert!(matches!(&action, Action::Refine(s) if s.query == "charger" && s.gender.as_deref() == Some("female")), "{action:?}");
        state.search = None;
        assert!(!matches!(decide(&parse("add_to_cart", 0.9, cheaper), "make it under 300 instead", &state), Action::Refine(_)), "nothing to refine");
    }

    #[test]
    fn cheaper_ones_step_from_the_shown_and_the_same_budget_carries_over() {
        let mut state = shown(&["a", "b"]);
        state.search.as_mut().unwrap().price_max = Some(600.0);
        let cheaper = Slots { comparative: Some(Comparative { attribute: "price".into(), direction: Direction::Asc }), query: "too expensive something".into(), ..Slots::default() };
        match decide(&parse("refine", 0.9, cheaper.clone()), "these are too expensive, something cheaper?", &state) {
            Action::PriceStep { search, direction } => {
                assert_eq!((search.query.as_str(), direction), ("watches", Direction::Asc), "the filler is not searched");
            }
            other => panic!("{other:?}"),
        }
        // "cheaper mugs" after watches is a new search.
        let mugs = Slots { query: "mugs".into(), ..cheaper };
        assert!(matches!(decide(&parse("search", 0.9, mugs), "cheaper mugs", &state), Action::Search(s) if s.query == "mugs"));
        let sunglasses = Slots { query: "sunglasses same budget".into(), ..Slots::default() };
        match decide(&parse("search", 0.9, sunglasses), "now sunglasses in the same budget", &state) {
            Action::Search(s) => assert_eq!((s.query.as_str(), s.price_max), ("sunglasses", Some(600.0))),
            other => panic!("{other:?}"),
        }
        // A kind of product with the budget, read as adding to the cart or doubted as a
        // question: still a search.
        let watches = Slots { query: "watches same budget".into(), categories: vec!["Watches".into()], ..Slots::default() };
        match decide(&parse("add_to_cart", 0.9, watches.clone()), "ok now watches, same budget", &state) {
            Action::Search(s) => assert_eq!((s.query.as_str(), s.price_max), ("watches", Some(600.0))),
            other => panic!("{other:?}"),
        }
        let mut doubted = parse("product_question", 0.4, watches);
        doubted.top[1] = IntentScore { name: "search".into(), confidence: 0.35 };
        assert!(matches!(decide(&doubted, "and what about watches for that price?", &state), Action::Search(s) if s.price_max == Some(600.0)));
    }

    #[test]
    fn while_a_person_is_on_the_way_the_wait_is_answered_and_frustration_offers_one() {
        let mut state = shown(&["a", "b"]);
        assert_eq!(decide(&parse("greet", 0.9, Slots::default()), "hello?", &state), Action::Small("greet".into()));
        assert_eq!(decide(&parse("thanks", 0.9, Slots::default()), "this is useless", &state), Action::Frustrated);
        state.status = SessionStatus::WaitingForAgent;
        assert_eq!(decide(&parse("greet", 0.9, Slots::default()), "hello?", &state), Action::Handoff(HandoffReason::Asked));
        let long = Slots { query: "long".into(), ..Slots::default() };
        assert_eq!(decide(&parse("product_question", 0.8, long), "how long will it take?", &state), Action::Handoff(HandoffReason::Asked));
        let shoes = Slots { query: "red shoes".into(), ..Slots::default() };
        assert!(matches!(decide(&parse("search", 0.9, shoes), "red shoes", &state), Action::Search(_)), "a request is still served");
    }

    #[test]
    fn an_order_request_waits_for_the_number_or_the_email() {
        let mut state = SessionState::default();
        state.pending = Some(Pending::OrderDetails { intent: "cancel_order".into(), order_id: None, email: None, words: String::new() });
        // A bare number answers "what's your order number?", whatever the intent reads.
        let expected = |id: &str, email: Option<&str>| {
            Action::Order(OrderRequest { intent: "cancel_order".into(), order_id: Some(id.into()), email: email.map(str::to_string), words: String::new() })
        };
        assert_eq!(decide(&parse("out_of_scope", 0.9, Slots::default()), "48213", &state), expected("48213", None));
        assert_eq!(decide(&parse("search", 0.6, Slots::default()), "it's #48213", &state), expected("48213", None));
        // Not a number of an order: handled as usual.
        assert!(matches!(decide(&parse("search", 0.9, Slots::default()), "size 10 shoes for running in the rain", &state), Action::Search(_)));
        // Asked for the email of a known number.
        state.pending = Some(Pending::OrderDetails { intent: "cancel_order".into(), order_id: Some("48213".into()), email: None, words: String::new() });
        let email = Slots { email: Some("a@b.co".into()), ..Slots::default() };
        assert_eq!(decide(&parse("account_help", 0.9, email), "my email is a@b.co", &state), expected("48213", Some("a@b.co")));
        // No: the request is dropped.
        assert_eq!(decide(&parse("deny", 0.9, Slots::default()), "no", &state), Action::Small("deny".into()));
    }

    #[test]
    fn an_order_number_alone_is_about_the_order() {
        let state = shown(&["a", "b"]);
        let slots = Slots { order_id: Some("50005".into()), query: "and".into(), ..Slots::default() };
        match decide(&parse("refine", 0.98, slots.clone()), "and order 50005?", &state) {
            Action::Order(request) => assert_eq!((request.intent.as_str(), request.order_id.as_deref()), ("order_status", Some("50005"))),
            other => panic!("{other:?}"),
        }
        // A request naming products stays what it is.
        let with_words = Slots { query: "blue running shoes".into(), ..slots };
        assert!(!matches!(decide(&parse("search", 0.9, with_words), "blue running shoes like order 50005", &state), Action::Order(_)));
    }

    #[test]
    fn an_email_asked_for_needs_no_model() {
        let mut state = SessionState::default();
        let email = Slots { email: Some("a@b.co".into()), ..Slots::default() };
        assert_eq!(settled_by_slots(&email, &state), None);
        state.pending = Some(Pending::OrderDetails { intent: "invoice".into(), order_id: Some("48213".into()), email: None, words: String::new() });
        assert_eq!(settled_by_slots(&email, &state), Some("invoice".into()));
        assert_eq!(settled_by_slots(&Slots::default(), &state), None);
        let with_id = Slots { order_id: Some("50000".into()), ..email };
        assert_eq!(settled_by_slots(&with_id, &state), None, "another order: read it all");
    }

    #[test]
    fn order_changes_are_confirmed_by_yes_or_the_same_request() {
        let mut state = SessionState::default();
        let pending = Pending::ConfirmCancel { order_id: "48213".into() };
        state.pending = Some(pending.clone());
        assert_eq!(decide(&parse("affirm", 0.95, Slots::default()), "yes", &state), Action::OrderConfirmed(pending.clone()));
        assert_eq!(decide(&parse("cancel_order", 0.95, Slots::default()), "yes cancel it", &state), Action::OrderConfirmed(pending.clone()));
        assert_eq!(decide(&parse("deny", 0.95, Slots::default()), "no keep it", &state), Action::OrderDeclined);
        // Another order named: a new request, not a confirmation.
        let other = Slots { order_id: Some("50000".into()), ..Slots::default() };
        assert!(matches!(decide(&parse("cancel_order", 0.95, other), "cancel 50000", &state), Action::Order(_)));
    }

    #[test]
    fn a_new_address_is_taken_when_it_reads_as_one() {
        let mut state = SessionState::default();
        state.pending = Some(Pending::NewAddress { order_id: "48213".into() });
        let address = "Flat #4, 12  Park Street, Kolkata 700016";
        assert_eq!(
            decide(&parse("search", 0.4, Slots::default()), address, &state),
            Action::OrderAddress { order_id: "48213".into(), address: "Flat #4, 12 Park Street, Kolkata 700016".into() }
        );
        assert_eq!(decide(&parse("deny", 0.9, Slots::default()), "never mind", &state), Action::OrderDeclined);
        assert!(matches!(decide(&parse("search", 0.9, Slots::default()), "red shoes", &state), Action::Search(_)));
        assert!(!matches!(
            decide(&parse("search", 0.9, Slots::default()), &format!("12 {}", "very long street ".repeat(30)), &state),
            Action::OrderAddress { .. }
        ));
    }

    #[test]
    fn a_cart_continues_with_another_product_and_is_totalled() {
        let mut state = shown(&["a", "b"]);
        state.cart.push(crate::session::state::CartLine { product_id: "a".into(), quantity: 3 });
        let named = Slots { products: vec![crate::nlu::slots::ProductMention { id: "b".into(), title: "Platex Bottle".into(), score: 0.9 }], ..Slots::default() };
        // Unsure between a suggestion and the cart: the cart, as the message adds to it.
        let unsure = Parse {
            top: vec![IntentScore { name: "recommend".into(), confidence: 0.28 }, IntentScore { name: "add_to_cart".into(), confidence: 0.21 }],
            ..parse("recommend", 0.28, named.clone())
        };
        match decide(&unsure, "and one Platex bottle too", &state) {
            Action::AddToCart { target, quantity } => assert_eq!((target, quantity), (Target::Ids(vec!["b".into()]), 1)),
            other => panic!("{other:?}"),
        }
        assert!(!matches!(decide(&unsure, "a Platex bottle maybe", &state), Action::AddToCart { .. }), "no addition said");
        assert!(matches!(decide(&parse("product_question", 0.7, Slots::default()), "how much is that all together?", &state), Action::ViewCart));
        state.cart.clear();
        assert!(!matches!(decide(&parse("product_question", 0.7, Slots::default()), "how much is that all together?", &state), Action::ViewCart), "no cart, no total");
    }
}

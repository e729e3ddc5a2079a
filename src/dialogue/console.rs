//! What the agent console shows beside a conversation: the session's context (identity, the
//! orders the shopper may see, cart, focus, shown products, search and pending question) in
//! the wire's words, read with the assistant's own catalog and order rules.

use crate::protocol::ProductCard;
use crate::protocol::agent::{ConsoleContext, SearchView};
use crate::session::state::{Pending, SearchContext, SessionState};

use super::DialogueError;
use super::assistant::Assistant;
use super::compose::money;
use super::orders::TurnContext;

/// Most orders the console lists.
const MAX_ORDERS: u32 = 10;

impl Assistant {
    /// The context of a conversation for the console.
    pub async fn console_context(&self, ctx: &TurnContext<'_>, state: &SessionState) -> Result<ConsoleContext, DialogueError> {
        let viewer = super::orders::viewer(state, ctx.now);
        let orders = ctx.orders.recent(&viewer, MAX_ORDERS).await?.iter().map(super::orders::view).collect();
        let cards = |ids: &[String]| -> Result<Vec<ProductCard>, DialogueError> { Ok(self.products(ids)?.iter().map(ProductCard::from).collect()) };
        let mut priced = state.clone();
        let cart = if state.cart.is_empty() { None } else { Some(self.cart(&mut priced)?) };
        Ok(ConsoleContext {
            status: state.status,
            owner: state.agent.clone(),
            reason: state.handoff_reason.map(|r| r.as_str().to_string()),
            email: state.contact_email.clone(),
            customer_id: state.customer(ctx.now).map(str::to_string),
            channel: state.channel.as_str().to_string(),
            orders,
            cart,
            focus: cards(state.focus.as_slice())?.into_iter().next(),
            shown: cards(&state.shown)?,
            search: state.search.as_ref().map(|s| SearchView { query: s.query.clone(), constraints: constraints(s, &self.shop.currency) }),
            pending: state.pending.as_ref().map(pending_words),
        })
    }
}

/// Each constraint of a search in words.
fn constraints(search: &SearchContext, currency: &str) -> Vec<String> {
    let mut words = Vec::new();
    words.extend(search.brands.iter().map(|b| format!("brand {b}")));
    words.extend(search.excluded_brands.iter().map(|b| format!("not {b}")));
    words.extend(search.colors.iter().map(|c| format!("colour {c}")));
    words.extend(search.sizes.iter().map(|s| format!("size {s}")));
    words.extend(search.gender.iter().map(|g| format!("for {g}")));
    words.extend(search.price_min.map(|p| format!("over {}", money(p, currency))));
    words.extend(search.price_max.map(|p| format!("under {}", money(p, currency))));
    words.extend(search.sort.map(|s| format!("sorted by {s:?}").to_lowercase()));
    if search.in_stock {
        words.push("in stock".into());
    }
    words
}

/// The question the assistant is waiting on, for a person to read.
fn pending_words(pending: &Pending) -> String {
    match pending {
        Pending::Clarify { text, intents } => format!("which was meant by {text:?}: {}", intents.join(" or ")),
        Pending::WhichProduct { text, .. } => format!("which product {text:?} is about"),
        Pending::OfferHandoff { .. } => "whether to connect a person".into(),
        Pending::OrderDetails { order_id: None, .. } => "the order number".into(),
        Pending::OrderDetails { order_id: Some(id), .. } => format!("the email on order {id}"),
        Pending::ContactEmail => "an email address for the team".into(),
        Pending::ConfirmCancel { order_id } => format!("whether to cancel order {order_id}"),
        Pending::NewAddress { order_id } => format!("the new address for order {order_id}"),
        Pending::ConfirmAddress { order_id, .. } => format!("whether to ship order {order_id} to the new address"),
        Pending::ConfirmReturn { order_id, .. } => format!("whether to return items of order {order_id}"),
    }
}

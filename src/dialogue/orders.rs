//! The order skills: status, cancel, change of address, return and refund, invoice.
//!
//! Every order is reached through [`Orders`](crate::orders::Orders), which shows a shopper only
//! their own: by the customer of their identity token, or after they give the order's email
//! here. Until then the reply asks for the number or the email in words that do not depend on
//! whether the order exists; a wrong email and an unknown number get the same reply.
//! Changes (cancel, new address, return) are confirmed in a second turn and re-checked when
//! made, so a change the order no longer allows is refused then.

use crate::orders::access::Verification;
use crate::orders::store::Canceled;
use crate::orders::{Order, OrderLine, OrderStatus, Orders, Seconds, Viewer, format_time};
use crate::protocol::{OrderItem, OrderView, TimelineEntry};
use crate::session::state::{HandoffReason, Pending, SessionState};

use super::DialogueError;
use super::assistant::Assistant;
use super::compose::{self, Draft, OFFER_PERSON, counted, join_words, money};
use super::policy::OrderRequest;
use super::responses::Template;

/// Orders offered as quick replies besides the one shown.
const OTHER_ORDERS: usize = 3;
/// How long an invoice link works, in seconds.
const INVOICE_LINK_SECONDS: Seconds = 7 * 24 * 3600;

/// What a turn reaches besides the assistant's own parts: the orders, and who and when it is.
#[derive(Clone, Copy)]
pub struct TurnContext<'a> {
    pub orders: &'a Orders,
    pub session_id: &'a str,
    pub now: Seconds,
    /// Recommendations and shopper profiles.
    pub recommender: &'a crate::session::recommender::Recommender,
    /// Whether this request may use the shopper's profile (`personalize: false` turns it off).
    pub personalize: bool,
    /// Whether someone from the team is connected to the agent console.
    pub agents_online: bool,
}

impl TurnContext<'_> {
    /// "Now" in unix milliseconds.
    pub fn now_ms(&self) -> i64 {
        self.now * 1000
    }
}

impl Assistant {
    /// An order request: find the order the shopper may see (asking for what is missing), then
    /// act on it.
    pub(super) async fn order_request(&self, ctx: TurnContext<'_>, state: &mut SessionState, request: OrderRequest) -> Result<Draft, DialogueError> {
        let viewer = viewer(state, ctx.now);
        let order = match &request.order_id {
            Some(id) => match ctx.orders.visible(&viewer, id).await? {
                Some(order) => order,
                None => return self.verify(ctx, state, &request, id).await,
            },
            None => {
                let recent = ctx.orders.recent(&viewer, 10).await?;
                match pick(&recent, &request) {
                    Some(order) => {
                        let others: Vec<&Order> = recent.iter().filter(|o| o.id != order.id).take(OTHER_ORDERS).collect();
                        let draft = self.act_on_order(ctx, state, &request, order.clone()).await?;
                        return Ok(self.with_other_orders(state, draft, &request.intent, &others));
                    }
                    None => {
                        state.pending = Some(waiting(&request, None, request.email.clone()));
                        return Ok(self.say(state, Template::OrderAskNumber, &[]));
                    }
                }
            }
        };
        self.act_on_order(ctx, state, &request, order).await
    }

    /// A guest proves the order is theirs with its email.
    async fn verify(&self, ctx: TurnContext<'_>, state: &mut SessionState, request: &OrderRequest, order_id: &str) -> Result<Draft, DialogueError> {
        let shown_id = crate::orders::normalize_order_id(order_id);
        let Some(email) = &request.email else {
            state.pending = Some(waiting(request, Some(shown_id.clone()), None));
            return Ok(self.say(state, Template::OrderAskEmail, &[("order_id", &shown_id)]));
        };
        match ctx.orders.verify(ctx.session_id, &shown_id, email, ctx.now).await? {
            Verification::Verified(order) => {
                state.verified(&order.id);
                self.act_on_order(ctx, state, request, *order).await
            }
            Verification::Failed { locked_until: Some(until) } | Verification::Locked { until } => {
                let minutes = ((until - ctx.now).max(60) + 59) / 60;
                state.offer_handoff(HandoffReason::OrderProblem);
                Ok(self.say(state, Template::OrderLocked, &[("minutes", &minutes.to_string())]).with_quick_replies(&[OFFER_PERSON]))
            }
            Verification::Failed { locked_until: None } => {
                state.pending = Some(waiting(request, None, None));
                Ok(self.say(state, Template::OrderNotFound, &[("order_id", &shown_id)]))
            }
        }
    }

    async fn act_on_order(&self, ctx: TurnContext<'_>, state: &mut SessionState, request: &OrderRequest, order: Order) -> Result<Draft, DialogueError> {
        Ok(match request.intent.as_str() {
            "cancel_order" => self.cancel_offer(state, order),
            "change_order" => self.address_offer(state, order),
            "return_refund" => self.return_offer(ctx, state, order, &request.words),
            "invoice" => self.invoice(ctx, state, order),
            _ => self.status(ctx, state, order),
        })
    }

    /// Where the order is: the status in words, tracking, the estimated delivery; a late order
    /// gets an apology and an offer of a person.
    fn status(&self, ctx: TurnContext<'_>, state: &mut SessionState, order: Order) -> Draft {
        let status = self.render(state, Template::OrderStatus, &[("order_id", &order.id), ("status", &self.status_words(state, &order))]);
        let tracking = match (&order.tracking, order.status) {
            (Some(tracking), OrderStatus::Shipped) => {
                let carrier = order.carrier.as_deref().unwrap_or("the carrier");
                Some(self.render(state, Template::OrderTracking, &[("carrier", carrier), ("tracking", tracking)]))
            }
            _ => None,
        };
        let late = order.is_late(ctx.now);
        let arrival = order.estimated_delivery.filter(|_| order.status.in_flight()).map(|eta| {
            let template = if late { Template::OrderLate } else { Template::OrderEta };
            self.render(state, template, &[("date", &day(eta))])
        });
        let mut text = status.clone();
        for sentence in tracking.iter().chain(&arrival) {
            push_sentence(&mut text, sentence);
        }
        let mut draft = Draft::text(text);
        // Spoken: the status and when it arrives (a late one: the apology and the offer); a
        // tracking number is for reading, not hearing.
        let speech = match &arrival {
            Some(arrival) if late => arrival.clone(),
            Some(arrival) => format!("{status} {arrival}"),
            None => status,
        };
        draft.speech = Some(compose::speech(&speech, &[]));
        draft.order = Some(view(&order));
        if late {
            state.offer_handoff(HandoffReason::OrderProblem);
            draft = draft.with_quick_replies(&[OFFER_PERSON]);
        }
        draft
    }

    fn status_words(&self, state: &SessionState, order: &Order) -> String {
        let at = |status| day(order.reached(status).unwrap_or(order.placed_at));
        let (template, date) = match order.status {
            OrderStatus::Placed => (Template::OrderIsPlaced, at(OrderStatus::Placed)),
            OrderStatus::Approved => (Template::OrderIsApproved, at(OrderStatus::Approved)),
            OrderStatus::Invoiced => (Template::OrderIsInvoiced, at(OrderStatus::Invoiced)),
            OrderStatus::Shipped => (Template::OrderIsShipped, at(OrderStatus::Shipped)),
            OrderStatus::Delivered => (Template::OrderIsDelivered, at(OrderStatus::Delivered)),
            OrderStatus::Canceled => (Template::OrderIsCanceled, at(OrderStatus::Canceled)),
            OrderStatus::Unavailable => (Template::OrderIsUnavailable, at(OrderStatus::Unavailable)),
        };
        let carrier = order.carrier.as_deref().unwrap_or("the carrier");
        self.render(state, template, &[("date", &date), ("carrier", carrier)])
    }

    fn cancel_offer(&self, state: &mut SessionState, order: Order) -> Draft {
        let draft = if order.status.before_shipment() {
            let items = counted(order.lines.iter().map(|l| l.quantity as usize).sum(), "item");
            let total = money(order.total(), &order.currency);
            state.pending = Some(Pending::ConfirmCancel { order_id: order.id.clone() });
            self.say(state, Template::OrderCancelConfirm, &[("order_id", &order.id), ("items", &items), ("total", &total)])
                .with_quick_replies(&[("Yes, cancel it", "yes"), ("No, keep it", "no")])
        } else {
            self.not_changeable(state, &order, Template::OrderCancelTooLate)
        };
        with_order(draft, &order)
    }

    /// Why a shipped or ended order cannot be canceled or changed.
    fn not_changeable(&self, state: &mut SessionState, order: &Order, too_late: Template) -> Draft {
        let status = order.status.as_str();
        if matches!(order.status, OrderStatus::Canceled | OrderStatus::Unavailable) {
            return self.say(state, Template::OrderEnded, &[("order_id", &order.id), ("status", status)]);
        }
        let days = self.prompts().faq.shop.return_window_days.to_string();
        let draft = self.say(state, too_late, &[("order_id", &order.id), ("status", status), ("days", &days)]);
        if too_late == Template::OrderChangeTooLate {
            state.offer_handoff(HandoffReason::OrderProblem);
            return draft.with_quick_replies(&[OFFER_PERSON]);
        }
        draft
    }

    fn address_offer(&self, state: &mut SessionState, order: Order) -> Draft {
        let draft = if order.status.before_shipment() {
            state.pending = Some(Pending::NewAddress { order_id: order.id.clone() });
            let address = order.shipping_address.clone().unwrap_or_else(|| "the address you gave".into());
            self.say(state, Template::OrderAskAddress, &[("order_id", &order.id), ("address", &address)])
        } else {
            self.not_changeable(state, &order, Template::OrderChangeTooLate)
        };
        with_order(draft, &order)
    }

    /// The new address, to confirm.
    pub(super) fn order_address(&self, state: &mut SessionState, order_id: String, address: String) -> Draft {
        let draft = self
            .say(state, Template::OrderAddressConfirm, &[("order_id", &order_id), ("address", &address)])
            .with_quick_replies(&[("Yes, change it", "yes"), ("No", "no")]);
        state.pending = Some(Pending::ConfirmAddress { order_id, address });
        draft
    }

    /// A return: the status of one in progress, or whether the lines asked about can go back
    /// (delivered, within the shop's return window), to confirm.
    fn return_offer(&self, ctx: TurnContext<'_>, state: &mut SessionState, order: Order, words: &str) -> Draft {
        let returnable: Vec<&OrderLine> = order.lines.iter().filter(|l| !already_returned(&order, &l.product_id)).collect();
        let asked = matching_lines(&returnable, words);
        let in_progress = !order.returns.is_empty() || !order.refunds.is_empty();
        if in_progress && (asked.is_empty() || words.trim().is_empty() || mentions_refund(words)) {
            return with_order(self.return_status(state, &order), &order);
        }
        if order.status != OrderStatus::Delivered {
            let draft = if order.status.in_flight() {
                self.say(state, Template::OrderReturnNotDelivered, &[("order_id", &order.id)])
            } else {
                self.say(state, Template::OrderEnded, &[("order_id", &order.id), ("status", order.status.as_str())])
            };
            return with_order(draft, &order);
        }
        let window = i64::from(self.prompts().faq.shop.return_window_days) * 86_400;
        let delivered = order.reached(OrderStatus::Delivered).unwrap_or(order.placed_at);
        if ctx.now > delivered + window {
            let days = self.prompts().faq.shop.return_window_days.to_string();
            state.offer_handoff(HandoffReason::OrderProblem);
            let draft = self
                .say(state, Template::OrderReturnWindowClosed, &[("order_id", &order.id), ("days", &days), ("date", &day(delivered + window))])
                .with_quick_replies(&[OFFER_PERSON]);
            return with_order(draft, &order);
        }
        let lines: Vec<&OrderLine> = if asked.is_empty() { returnable } else { asked };
        if lines.is_empty() {
            return with_order(self.return_status(state, &order), &order);
        }
        let items = line_names(&lines);
        let amount = money(lines.iter().map(|l| l.price * f64::from(l.quantity)).sum(), &order.currency);
        state.pending = Some(Pending::ConfirmReturn { order_id: order.id.clone(), product_ids: lines.iter().map(|l| l.product_id.clone()).collect() });
        let draft = self
            .say(state, Template::OrderReturnConfirm, &[("order_id", &order.id), ("items", &items), ("amount", &amount)])
            .with_quick_replies(&[("Yes, start the return", "yes"), ("No", "no")]);
        with_order(draft, &order)
    }

    fn return_status(&self, state: &SessionState, order: &Order) -> Draft {
        let mut text = String::new();
        for r in &order.returns {
            let lines: Vec<&OrderLine> = r.lines.iter().collect();
            let vars = [("reference", r.reference.as_str()), ("status", r.status.as_str()), ("items", &line_names(&lines)), ("date", &day(r.created_at))];
            push_sentence(&mut text, &self.render(state, Template::OrderReturnStatus, &vars));
        }
        for refund in &order.refunds {
            let amount = money(refund.amount, &refund.currency);
            let vars = [("amount", amount.as_str()), ("status", refund.status.as_str()), ("date", &day(refund.updated_at))];
            push_sentence(&mut text, &self.render(state, Template::OrderRefundStatus, &vars));
        }
        if text.is_empty() {
            // Nothing returned and nothing left to return.
            text = self.render(state, Template::OrderStatus, &[("order_id", &order.id), ("status", &self.status_words(state, order))]);
        }
        Draft::text(text)
    }

    fn invoice(&self, ctx: TurnContext<'_>, state: &mut SessionState, order: Order) -> Draft {
        let draft = if order.status.invoiced() {
            let link = self.invoice_link(ctx, &order.id);
            let mut draft = self.say(state, Template::OrderInvoice, &[("order_id", &order.id), ("link", &link)]);
            draft.speech = Some(self.render(state, Template::OrderInvoiceSpoken, &[("order_id", &order.id)]));
            draft
        } else if order.status.before_shipment() {
            self.say(state, Template::OrderInvoiceNotReady, &[("order_id", &order.id)])
        } else {
            self.say(state, Template::OrderEnded, &[("order_id", &order.id), ("status", order.status.as_str())])
        };
        with_order(draft, &order)
    }

    /// A link to the invoice that works for [`INVOICE_LINK_SECONDS`] without a login: signed
    /// with the server's key (checked by the server's invoice route).
    fn invoice_link(&self, ctx: TurnContext<'_>, order_id: &str) -> String {
        let expires = ctx.now + INVOICE_LINK_SECONDS;
        let signature = ctx.orders.key().sign_link(&invoice_message(order_id, expires));
        format!("{}/v1/orders/{order_id}/invoice?expires={expires}&signature={signature}", self.shop.public_url.trim_end_matches('/'))
    }

    /// The shopper said yes to a change: make it, if the order (still) allows it.
    pub(super) async fn order_confirmed(&self, ctx: TurnContext<'_>, state: &mut SessionState, pending: Pending) -> Result<Draft, DialogueError> {
        let order_id = match &pending {
            Pending::ConfirmCancel { order_id } | Pending::ConfirmAddress { order_id, .. } | Pending::ConfirmReturn { order_id, .. } => order_id.clone(),
            _ => return Ok(self.say(state, Template::AffirmIdle, &[])),
        };
        let store = ctx.orders.store();
        // The identity may have expired since the question: check again.
        let Some(order) = ctx.orders.visible(&viewer(state, ctx.now), &order_id).await? else {
            return Ok(self.say(state, Template::OrderNotFound, &[("order_id", &order_id)]));
        };
        let draft = match pending {
            Pending::ConfirmCancel { .. } => match store.cancel(&order.id, &change_id("cancel"), ctx.now).await? {
                Canceled::Done { refund } => {
                    let mut text = self.render(state, Template::OrderCanceled, &[("order_id", &order.id)]);
                    if refund {
                        push_sentence(&mut text, &self.render(state, Template::OrderRefundPending, &[("amount", &money(order.total(), &order.currency))]));
                    }
                    Draft::text(text)
                }
                Canceled::TooLate => {
                    let order = self.reload(ctx, &order.id).await?.unwrap_or(order);
                    let draft = self.not_changeable(state, &order, Template::OrderCancelTooLate);
                    return Ok(with_order(draft, &order));
                }
            },
            Pending::ConfirmAddress { address, .. } => {
                if store.change_address(&order.id, &address, ctx.now).await? {
                    self.say(state, Template::OrderAddressChanged, &[("order_id", &order.id), ("address", &address)])
                } else {
                    let order = self.reload(ctx, &order.id).await?.unwrap_or(order);
                    let draft = self.not_changeable(state, &order, Template::OrderChangeTooLate);
                    return Ok(with_order(draft, &order));
                }
            }
            Pending::ConfirmReturn { product_ids, .. } => {
                let lines: Vec<OrderLine> = order.lines.iter().filter(|l| product_ids.contains(&l.product_id)).cloned().collect();
                let reference = change_id("R").to_uppercase();
                if lines.is_empty() || !store.create_return(&order.id, &reference, &lines, ctx.now).await? {
                    return Ok(with_order(self.return_status(state, &order), &order));
                }
                let refs: Vec<&OrderLine> = lines.iter().collect();
                let amount = money(lines.iter().map(|l| l.price * f64::from(l.quantity)).sum(), &order.currency);
                self.say(state, Template::OrderReturnCreated, &[("reference", &reference), ("items", &line_names(&refs)), ("amount", &amount)])
            }
            _ => unreachable!("matched above"),
        };
        let order = self.reload(ctx, &order.id).await?.unwrap_or(order);
        Ok(with_order(draft, &order))
    }

    async fn reload(&self, ctx: TurnContext<'_>, order_id: &str) -> Result<Option<Order>, DialogueError> {
        Ok(ctx.orders.store().order(order_id).await?)
    }

    /// Quick replies for the shopper's other recent orders, on a status reply.
    fn with_other_orders(&self, state: &SessionState, mut draft: Draft, intent: &str, others: &[&Order]) -> Draft {
        if intent != "order_status" || others.is_empty() {
            return draft;
        }
        push_sentence(&mut draft.text, &self.render(state, Template::OrderOthers, &[]));
        let replies: Vec<(String, String)> =
            others.iter().map(|o| (format!("Order {}", o.id), format!("where is my order {}", o.id))).collect();
        let replies: Vec<(&str, &str)> = replies.iter().map(|(l, t)| (l.as_str(), t.as_str())).collect();
        draft.with_quick_replies(&replies)
    }
}

/// Who the conversation's shopper is, to the orders.
pub(super) fn viewer(state: &SessionState, now: Seconds) -> Viewer {
    Viewer { customer_id: state.customer(now).map(str::to_string), verified: state.verified_orders.clone() }
}

/// The request, waiting for what is still missing (the number, or the email on it).
fn waiting(request: &OrderRequest, order_id: Option<String>, email: Option<String>) -> Pending {
    Pending::OrderDetails { intent: request.intent.clone(), order_id, email, words: request.words.clone() }
}

/// Which of the viewer's orders (newest first) a request without a number means: one with a
/// line named in it, else the newest that the request can act on, else the newest.
fn pick<'a>(orders: &'a [Order], request: &OrderRequest) -> Option<&'a Order> {
    if let Some(named) = orders.iter().find(|o| !matching_lines(&o.lines.iter().collect::<Vec<_>>(), &request.words).is_empty()) {
        return Some(named);
    }
    let fits = |o: &&Order| match request.intent.as_str() {
        "cancel_order" | "change_order" => o.status.before_shipment(),
        "return_refund" => o.status == OrderStatus::Delivered || !o.refunds.is_empty(),
        "invoice" => o.status.invoiced(),
        _ => true,
    };
    orders.iter().find(fits).or(orders.first())
}

/// Lines whose title shares a word (of 3+ letters) with `words`.
fn matching_lines<'a>(lines: &[&'a OrderLine], words: &str) -> Vec<&'a OrderLine> {
    let wanted: Vec<String> = words.split(|c: char| !c.is_alphanumeric()).filter(|w| w.len() >= 3).map(str::to_lowercase).filter(|w| !IGNORED_WORDS.contains(&w.as_str())).collect();
    if wanted.is_empty() {
        return Vec::new();
    }
    lines
        .iter()
        .filter(|l| l.title.to_lowercase().split(|c: char| !c.is_alphanumeric()).any(|t| wanted.iter().any(|w| w == t || (w.len() >= 4 && t.starts_with(w.as_str())))))
        .copied()
        .collect()
}

/// Words of order requests that never name a product.
const IGNORED_WORDS: [&str; 24] = [
    "order", "orders", "return", "refund", "refunds", "money", "back", "the", "and", "for", "bought", "ordered", "last", "week", "month",
    "item", "items", "package", "parcel", "stuff", "invoice", "receipt", "cancel", "status",
];

fn mentions_refund(words: &str) -> bool {
    let lower = words.to_lowercase();
    lower.contains("refund") || lower.contains("money back")
}

fn already_returned(order: &Order, product_id: &str) -> bool {
    order.returns.iter().any(|r| r.lines.iter().any(|l| l.product_id == product_id))
}

fn line_names(lines: &[&OrderLine]) -> String {
    let names: Vec<String> = lines
        .iter()
        .map(|l| if l.quantity > 1 { format!("{} × {}", l.quantity, l.title) } else { l.title.clone() })
        .collect();
    join_words(&names)
}

fn push_sentence(text: &mut String, sentence: &str) {
    if !text.is_empty() {
        text.push(' ');
    }
    text.push_str(sentence);
}

fn with_order(mut draft: Draft, order: &Order) -> Draft {
    draft.order = Some(view(order));
    draft
}

/// The order as the protocol's OrderView.
pub(super) fn view(order: &Order) -> OrderView {
    OrderView {
        order_id: order.id.clone(),
        status: order.status.as_str().to_string(),
        placed_at: format_time(order.placed_at),
        items: order
            .lines
            .iter()
            .map(|l| OrderItem { product_id: l.product_id.clone(), title: l.title.clone(), quantity: l.quantity, price: l.price })
            .collect(),
        timeline: order.events.iter().map(|e| TimelineEntry { status: e.status.as_str().to_string(), at: format_time(e.at) }).collect(),
        carrier: order.carrier.clone(),
        tracking: order.tracking.clone(),
        estimated_delivery: order.estimated_delivery.map(format_time),
    }
}

/// What an invoice link signs.
pub fn invoice_message(order_id: &str, expires: Seconds) -> String {
    format!("invoice:{order_id}:{expires}")
}

/// A day as shoppers read it: "24 Nov 2026" (UTC).
pub fn day(at: Seconds) -> String {
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    match jiff::Timestamp::from_second(at) {
        Ok(t) => {
            let date = jiff::tz::Offset::UTC.to_datetime(t).date();
            format!("{} {} {}", date.day(), MONTHS[(date.month() - 1) as usize], date.year())
        }
        Err(_) => String::new(),
    }
}

/// A new id for a change made in the chat: `prefix-` and 8 random letters and digits.
fn change_id(prefix: &str) -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).expect("the operating system provides randomness");
    let tail: String = bytes.iter().map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char).collect();
    format!("{prefix}-{tail}")
}


#[cfg(test)]
mod tests {
    use super::*;

    fn line(id: &str, title: &str) -> OrderLine {
        OrderLine { product_id: id.into(), title: title.into(), quantity: 1, price: 10.0 }
    }

    #[test]
    fn lines_are_matched_by_the_words_of_the_request() {
        let lines = [line("a", "Philips Blender 500W"), line("b", "Nike Running Shoes")];
        let refs: Vec<&OrderLine> = lines.iter().collect();
        assert_eq!(matching_lines(&refs, "the blender I bought last week").len(), 1);
        assert_eq!(matching_lines(&refs, "my running shoes")[0].product_id, "b");
        assert!(matching_lines(&refs, "my last order").is_empty());
        assert!(matching_lines(&refs, "").is_empty());
    }

    #[test]
    fn days_read_plainly() {
        assert_eq!(day(0), "1 Jan 1970");
        assert_eq!(day(1_795_000_000), "18 Nov 2026");
    }
}

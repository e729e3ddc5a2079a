//! `aisle chat`: an interactive terminal client. Reads lines from stdin, sends each as a
//! message and prints the reply (text, product cards, comparison table, cart, quick replies)
//! and whatever else the server sends meanwhile (agent messages, status). `/quit` or end of
//! input exits.
//!
//! When the connection drops (the server restarts, the network blips), it says so and
//! reconnects with backoff (`--reconnect-attempts` tries, 250 ms doubling up to 5 s between
//! them), resuming the session from the last `seq` seen: what the server replays is printed
//! (never twice), and an interrupted message is sent again under the same id (the server
//! answers a repeated id from its transcript). When every attempt fails it ends with an error
//! naming the session to resume later.
//!
//! The rendering is pure ([`render_reply`], [`render_frame`]) and unit-tested; the session
//! logic runs over any [`Terminal`] (scripted lines, captured output) and [`Clock`].

use std::fmt::Write as _;
use std::io::{BufRead, IsTerminal, Write};
use std::time::Duration;

use anyhow::Context;
use clap::Args;
use tokio::sync::mpsc;

use super::clock::Clock;
use super::{ClientError, Connection, Welcome, connect_failure, describe_error};
use crate::protocol::{Cart, Channel, Comparison, OrderView, ProductCard, Reply, ServerFrame, SessionStatus};

/// The pause before the second reconnection attempt; it doubles after each failure…
const FIRST_RETRY: Duration = Duration::from_millis(250);
/// …up to this.
const MAX_RETRY: Duration = Duration::from_secs(5);

#[derive(Debug, Args)]
pub struct ChatArgs {
    /// WebSocket URL of the server's chat endpoint (ws:// only)
    #[arg(long, default_value = "ws://127.0.0.1:8080/ws/chat")]
    pub url: String,
    /// Channel: web, voice (replies also print their spoken form) or api
    #[arg(long, default_value = "web", value_parser = parse_channel)]
    pub channel: Channel,
    /// Resume this session (the server replays its transcript)
    #[arg(long)]
    pub session: Option<String>,
    /// Chat as a logged-in customer: an identity token from `aisle token --customer ID`
    #[arg(long, env = "AISLE_CHAT_TOKEN")]
    pub token: Option<String>,
    /// Attempts to reconnect after the connection drops before giving up (0: give up at once);
    /// the pauses between them grow from 250 ms to 5 s
    #[arg(long, default_value_t = 8)]
    pub reconnect_attempts: u32,
}

pub fn parse_channel(s: &str) -> Result<Channel, String> {
    match s {
        "web" => Ok(Channel::Web),
        "voice" => Ok(Channel::Voice),
        "api" => Ok(Channel::Api),
        _ => Err(format!("'{s}' is not one of web, voice, api")),
    }
}

/// The session could not go on.
#[derive(Debug, thiserror::Error)]
pub enum ChatError {
    #[error("the connection to {url} was lost and {attempts} attempts to reconnect failed; resume later with --session {session}")]
    GaveUp {
        url: String,
        attempts: u32,
        session: String,
        /// Why the last attempt failed (or the connection dropped, with no attempts allowed).
        #[source]
        last: ClientError,
    },
}

/// Where the conversation happens: lines typed in, the transcript printed out.
pub struct Terminal<W> {
    /// The shopper's lines; closed at end of input.
    pub lines: mpsc::Receiver<String>,
    pub out: W,
    /// Print a `> ` prompt before each line (an interactive terminal).
    pub prompt: bool,
}

/// Runs the interactive client on stdin and stdout until `/quit`, end of input, or a
/// connection that cannot be resumed (an error: the process exits non-zero).
pub fn run(args: ChatArgs) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().context("cannot start the async runtime")?;
    let terminal = Terminal { lines: stdin_lines(), out: std::io::stdout(), prompt: std::io::stdin().is_terminal() };
    runtime.block_on(chat(&args, terminal, Clock::default()))
}

/// `aisle chat` over any terminal: connects, says hello (resuming `--session` when given) and
/// converses; `clock` times the pauses between reconnection attempts.
pub async fn chat<W: Write>(args: &ChatArgs, terminal: Terminal<W>, clock: Clock) -> anyhow::Result<()> {
    let mut conn = Connection::connect(&args.url).await?;
    conn.set_token(args.token.clone());
    let welcome = conn.hello(args.channel, args.session.clone(), 0).await?;
    let mut screen = Screen { out: terminal.out, voice: args.channel == Channel::Voice, shown_seq: 0 };
    screen.line(&describe_welcome(&welcome, args.session.is_some()))?;
    screen.line("(type a message; /quit to leave)")?;
    let reconnect = Reconnect { attempts: args.reconnect_attempts, clock };
    converse(conn, terminal.lines, &mut screen, &reconnect, terminal.prompt).await
}

/// How a dropped connection is retried.
struct Reconnect {
    attempts: u32,
    clock: Clock,
}

impl Reconnect {
    /// The pause after failed attempt `attempt` (from 1): 250 ms, 500 ms, 1 s, … at most 5 s.
    fn delay(attempt: u32) -> Duration {
        FIRST_RETRY.saturating_mul(1 << attempt.saturating_sub(1).min(16)).min(MAX_RETRY)
    }
}

/// The conversation after the welcome: each line is sent and answered in turn, and frames the
/// server sends unasked are shown as they come.
async fn converse<W: Write>(
    mut conn: Connection,
    mut lines: mpsc::Receiver<String>,
    screen: &mut Screen<W>,
    reconnect: &Reconnect,
    prompt: bool,
) -> anyhow::Result<()> {
    screen.show_stashed(&mut conn)?;
    loop {
        if prompt {
            screen.prompt()?;
        }
        let line = tokio::select! {
            line = lines.recv() => line,
            frame = conn.recv() => {
                match frame {
                    Ok(frame) => screen.show(&frame)?,
                    Err(e) if e.is_disconnect() => resume(&mut conn, screen, reconnect, e).await?,
                    Err(e) => return Err(e.into()),
                }
                continue;
            }
        };
        let Some(line) = line else { break };
        let text = line.trim();
        if text == "/quit" {
            break;
        }
        if text.is_empty() {
            continue;
        }
        // A dropped connection is resumed and the line sent once more under the same id; a
        // line that drops it again (a frame the server refuses by closing) is not sent a third time.
        let id = conn.next_message_id();
        let result = match send_and_wait(&mut conn, &id, text).await {
            Err(e) if e.is_disconnect() => {
                resume(&mut conn, screen, reconnect, e).await?;
                match send_and_wait(&mut conn, &id, text).await {
                    Err(e) if e.is_disconnect() => {
                        resume(&mut conn, screen, reconnect, e).await?;
                        screen.line("(that message was not answered: the connection dropped each time it was sent)")?;
                        continue;
                    }
                    result => result,
                }
            }
            result => result,
        };
        screen.show_stashed(&mut conn)?;
        match result {
            Ok(reply) => {
                screen.show(&ServerFrame::Reply(reply))?;
                // A failed ack means a lost connection, which the next read finds and resumes.
                let _ = conn.ack().await;
            }
            Err(ClientError::Server(e)) => screen.line(&format!("error: {}", describe_error(&e)))?,
            Err(e) => return Err(e.into()),
        }
    }
    conn.close().await;
    Ok(())
}

async fn send_and_wait(conn: &mut Connection, id: &str, text: &str) -> Result<Reply, ClientError> {
    conn.send_message(id, text).await?;
    conn.reply_to(id).await
}

/// Reconnects after `lost` dropped the connection, trying up to `reconnect.attempts` times with
/// growing pauses and saying so, and shows what the server replays. A session the server no
/// longer knows is replaced by a new one, whose frames count from seq 1 again.
async fn resume<W: Write>(conn: &mut Connection, screen: &mut Screen<W>, reconnect: &Reconnect, lost: ClientError) -> anyhow::Result<()> {
    // Frames a turn set aside before the drop are not replayed (their seq was seen): show them now.
    screen.show_stashed(conn)?;
    let session = conn.session_id().unwrap_or_default().to_string();
    screen.line(&format!("(connection lost; reconnecting to resume session {session} from seq {})", conn.last_seq()))?;
    let mut last = lost;
    for attempt in 1..=reconnect.attempts {
        match conn.reconnect().await {
            Ok(welcome) => {
                if !welcome.resumed {
                    screen.shown_seq = 0;
                }
                screen.line(&describe_welcome(&welcome, true))?;
                return screen.show_stashed(conn);
            }
            Err(e) if !retryable(&e) => return Err(e).context("the connection dropped and could not be resumed"),
            Err(e) if attempt == reconnect.attempts => last = e,
            Err(e) => {
                let delay = Reconnect::delay(attempt);
                let (attempts, ms, why) = (reconnect.attempts, delay.as_millis(), connect_failure(&e));
                screen.line(&format!("(attempt {attempt} of {attempts} failed: {why}; retrying in {ms} ms)"))?;
                reconnect.clock.sleep(delay).await;
                last = e;
            }
        }
    }
    Err(ChatError::GaveUp { url: conn.url().to_string(), attempts: reconnect.attempts, session, last }.into())
}

/// Whether a failed reconnection may succeed later: the server is unreachable or went away
/// again, rather than answering that it will not take the session.
fn retryable(e: &ClientError) -> bool {
    matches!(e, ClientError::Connect { .. }) || e.is_disconnect()
}

fn describe_welcome(welcome: &Welcome, asked_to_resume: bool) -> String {
    match (welcome.resumed, asked_to_resume) {
        (true, _) => format!("(resumed session {})", welcome.session_id),
        (false, true) => format!("(the session could not be resumed; new session {})", welcome.session_id),
        (false, false) => format!("(connected: session {})", welcome.session_id),
    }
}

/// Where the conversation is printed. Frames with a `seq` are shown once, even when a resumed
/// session replays them or a resent message is answered again from the transcript.
struct Screen<W> {
    out: W,
    voice: bool,
    shown_seq: u64,
}

impl<W: Write> Screen<W> {
    fn line(&mut self, text: &str) -> std::io::Result<()> {
        writeln!(self.out, "{text}")
    }

    fn prompt(&mut self) -> std::io::Result<()> {
        write!(self.out, "> ")?;
        self.out.flush()
    }

    fn show(&mut self, frame: &ServerFrame) -> std::io::Result<()> {
        if let Some(seq) = frame.seq() {
            if seq <= self.shown_seq {
                return Ok(());
            }
            self.shown_seq = seq;
        }
        if let Some(text) = render_frame(frame) {
            self.line(&text)?;
        }
        match (self.voice, frame) {
            (true, ServerFrame::Reply(reply)) => self.line(&format!("(spoken) {}", reply.speech)),
            _ => Ok(()),
        }
    }

    fn show_stashed(&mut self, conn: &mut Connection) -> anyhow::Result<()> {
        for frame in conn.take_stashed() {
            self.show(&frame)?;
        }
        Ok(())
    }
}

/// Lines of stdin, read on a thread of their own (stdin has no async reader that can be
/// cancelled); the channel closes at end of input.
fn stdin_lines() -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel(16);
    std::thread::spawn(move || {
        for line in std::io::stdin().lock().lines() {
            let Ok(line) = line else { break };
            if tx.blocking_send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// A server frame as terminal text; `None` for frames with nothing to show (`typing`, `pong`).
pub fn render_frame(frame: &ServerFrame) -> Option<String> {
    match frame {
        ServerFrame::Reply(reply) => Some(render_reply(reply)),
        ServerFrame::AgentMessage { text, agent, .. } => Some(format!("[{agent}] {text}")),
        ServerFrame::Status { status, .. } => Some(
            match status {
                SessionStatus::Bot => "(the assistant is answering again)",
                SessionStatus::WaitingForAgent => "(waiting for an agent)",
                SessionStatus::AgentJoined => "(an agent joined)",
                SessionStatus::AgentLeft => "(the agent left; the assistant is answering again)",
            }
            .to_string(),
        ),
        ServerFrame::Error(e) => Some(format!("error: {}", describe_error(e))),
        ServerFrame::Welcome { session_id, resumed, .. } => Some(format!("(welcome: session {session_id}, resumed: {resumed})")),
        ServerFrame::ShopperMessage { text, .. } => Some(format!("(you, elsewhere) {text}")),
        ServerFrame::Typing { agent: Some(agent) } => Some(format!("({agent} is typing…)")),
        ServerFrame::Typing { agent: None } | ServerFrame::Pong => None,
    }
}

/// A reply as terminal text: its text, then the product cards, comparison, order, cart and
/// quick replies it carries, each only when present.
pub fn render_reply(reply: &Reply) -> String {
    let mut out = reply.text.clone();
    for (i, card) in reply.products.iter().enumerate() {
        let _ = write!(out, "\n{}. {}", i + 1, render_card(card));
    }
    if let Some(comparison) = &reply.comparison {
        out.push('\n');
        out.push_str(&render_comparison(comparison));
    }
    if let Some(order) = &reply.order {
        out.push('\n');
        out.push_str(&render_order(order));
    }
    if let Some(cart) = &reply.cart {
        out.push('\n');
        out.push_str(&render_cart(cart));
    }
    if !reply.quick_replies.is_empty() {
        let labels: Vec<String> = reply.quick_replies.iter().map(|q| format!("[{}]", q.label)).collect();
        out.push('\n');
        out.push_str(&labels.join(" "));
    }
    out
}

/// `Title — Brand — $12.99 (was $15.00) ★4.3 [in stock] id=P123`.
fn render_card(card: &ProductCard) -> String {
    let mut out = card.title.clone();
    if let Some(brand) = &card.brand {
        let _ = write!(out, " — {brand}");
    }
    let _ = write!(out, " — {}", money(card.price, &card.currency));
    if let Some(list) = card.list_price {
        let _ = write!(out, " (was {})", money(list, &card.currency));
    }
    if let Some(rating) = card.rating {
        let _ = write!(out, " ★{rating:.1}");
    }
    let stock = if card.in_stock { "in stock" } else { "out of stock" };
    let _ = write!(out, " [{stock}] id={}", card.id);
    out
}

/// Attributes down, products across, the best value of a row marked with `*`; then the summary.
fn render_comparison(c: &Comparison) -> String {
    let mut table: Vec<Vec<String>> = Vec::with_capacity(c.rows.len() + 1);
    table.push(std::iter::once(String::new()).chain(c.products.iter().cloned()).collect());
    for row in &c.rows {
        let values = (0..c.products.len().max(row.values.len())).map(|i| {
            let value = row.values.get(i).map(String::as_str).unwrap_or("");
            if row.best == Some(i) { format!("{value}*") } else { value.to_string() }
        });
        table.push(std::iter::once(row.attribute.clone()).chain(values).collect());
    }
    let columns = table.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> =
        (0..columns).map(|col| table.iter().filter_map(|row| row.get(col)).map(|s| s.chars().count()).max().unwrap_or(0)).collect();
    let mut lines: Vec<String> = table
        .iter()
        .map(|row| {
            let cells: Vec<String> = row.iter().zip(&widths).map(|(cell, &w)| format!("{cell:<w$}")).collect();
            cells.join(" | ").trim_end().to_string()
        })
        .collect();
    if !c.summary.is_empty() {
        lines.push(c.summary.clone());
    }
    lines.join("\n")
}

fn render_cart(cart: &Cart) -> String {
    if cart.items.is_empty() {
        return "Cart: empty".to_string();
    }
    let mut out = String::from("Cart:");
    for item in &cart.items {
        let _ = write!(out, "\n  {} × {} — {} id={}", item.quantity, item.title, money(item.price, &cart.currency), item.product_id);
    }
    let _ = write!(out, "\n  total {}", money(cart.total, &cart.currency));
    out
}

fn render_order(order: &OrderView) -> String {
    let mut out = format!("Order {}: {} (placed {})", order.order_id, order.status, order.placed_at);
    for item in &order.items {
        let _ = write!(out, "\n  {} × {} id={}", item.quantity, item.title, item.product_id);
    }
    for step in &order.timeline {
        let _ = write!(out, "\n  {} {}", step.at, step.status);
    }
    match (&order.carrier, &order.tracking) {
        (Some(carrier), Some(tracking)) => {
            let _ = write!(out, "\n  {carrier} tracking {tracking}");
        }
        (Some(carrier), None) => {
            let _ = write!(out, "\n  carrier {carrier}");
        }
        (None, Some(tracking)) => {
            let _ = write!(out, "\n  tracking {tracking}");
        }
        (None, None) => {}
    }
    if let Some(eta) = &order.estimated_delivery {
        let _ = write!(out, "\n  estimated delivery {eta}");
    }
    out
}

/// `$12.99`, `€5.00`, `₹2999.00` (no digit grouping); other currencies as `12.99 CHF`.
fn money(amount: f64, currency: &str) -> String {
    let symbol = match currency {
        "USD" => "$",
        "EUR" => "€",
        "GBP" => "£",
        "INR" => "₹",
        "JPY" => "¥",
        _ => return format!("{amount:.2} {currency}"),
    };
    format!("{symbol}{amount:.2}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{CartItem, ComparisonRow, QuickReply};

    fn card(id: &str, title: &str, price: f64) -> ProductCard {
        ProductCard {
            id: id.into(),
            title: title.into(),
            brand: None,
            price,
            currency: "USD".into(),
            list_price: None,
            rating: None,
            in_stock: true,
            image: None,
            url: None,
        }
    }

    #[test]
    fn a_plain_reply_is_its_text() {
        let reply = Reply { text: "Our return window is 30 days.".into(), ..Reply::default() };
        assert_eq!(render_reply(&reply), "Our return window is 30 days.");
    }

    #[test]
    fn product_cards_are_numbered_lines() {
        let mut sale = card("P123", "Trail Runner", 12.99);
        sale.brand = Some("Stride".into());
        sale.list_price = Some(15.0);
        sale.rating = Some(4.3);
        let mut gone = card("P9", "Canvas Tote", 20.0);
        gone.in_stock = false;
        gone.currency = "CHF".into();
        let reply = Reply { text: "Here are two:".into(), products: vec![sale, gone], ..Reply::default() };
        assert_eq!(
            render_reply(&reply),
            "Here are two:\n\
             1. Trail Runner — Stride — $12.99 (was $15.00) ★4.3 [in stock] id=P123\n\
             2. Canvas Tote — 20.00 CHF [out of stock] id=P9"
        );
    }

    #[test]
    fn a_comparison_is_an_aligned_table_with_the_best_marked() {
        let comparison = Comparison {
            products: vec!["P1".into(), "P22".into()],
            rows: vec![
                ComparisonRow { attribute: "weight".into(), values: vec!["250 g".into(), "310 g".into()], best: Some(0) },
                ComparisonRow { attribute: "price".into(), values: vec!["$80.00".into(), "$65.00".into()], best: Some(1) },
                ComparisonRow { attribute: "colour".into(), values: vec!["black".into(), "".into()], best: None },
            ],
            summary: "P1 is lighter; P22 is cheaper.".into(),
        };
        let reply = Reply { text: "Side by side:".into(), comparison: Some(comparison), ..Reply::default() };
        assert_eq!(
            render_reply(&reply),
            "Side by side:\n\
             \x20      | P1     | P22\n\
             weight | 250 g* | 310 g\n\
             price  | $80.00 | $65.00*\n\
             colour | black  |\n\
             P1 is lighter; P22 is cheaper."
        );
    }

    #[test]
    fn cart_and_quick_replies() {
        let cart = Cart {
            items: vec![
                CartItem { product_id: "P1".into(), title: "Mug".into(), quantity: 2, price: 4.5 },
                CartItem { product_id: "P2".into(), title: "Saree".into(), quantity: 1, price: 1999.0 },
            ],
            total: 2008.0,
            currency: "INR".into(),
        };
        let reply = Reply {
            text: "Your cart:".into(),
            cart: Some(cart),
            quick_replies: vec![
                QuickReply { label: "Checkout".into(), text: "checkout".into() },
                QuickReply { label: "Keep shopping".into(), text: "show me more".into() },
            ],
            ..Reply::default()
        };
        assert_eq!(
            render_reply(&reply),
            "Your cart:\nCart:\n  2 × Mug — ₹4.50 id=P1\n  1 × Saree — ₹1999.00 id=P2\n  total ₹2008.00\n[Checkout] [Keep shopping]"
        );
        let empty = Reply { text: "Nothing yet.".into(), cart: Some(Cart { items: vec![], total: 0.0, currency: "USD".into() }), ..Reply::default() };
        assert_eq!(render_reply(&empty), "Nothing yet.\nCart: empty");
    }

    #[test]
    fn frames_without_content_render_nothing() {
        assert_eq!(render_frame(&ServerFrame::TYPING), None);
        assert_eq!(render_frame(&ServerFrame::Pong), None);
        assert_eq!(
            render_frame(&ServerFrame::AgentMessage { seq: 4, text: "Hi, Dana here.".into(), agent: "Dana".into(), products: Vec::new() }).as_deref(),
            Some("[Dana] Hi, Dana here.")
        );
    }

    #[tokio::test]
    async fn a_conversation_resumes_after_a_dropped_connection() {
        let url = crate::client::fake::start().await;
        let mut conn = Connection::connect(&url).await.unwrap();
        conn.hello(Channel::Voice, None, 0).await.unwrap();
        let (tx, lines) = mpsc::channel(8);
        for line in ["hi", "", "drop", "fail", "/quit", "never sent"] {
            tx.send(line.to_string()).await.unwrap();
        }
        let mut screen = Screen { out: Vec::new(), voice: true, shown_seq: 0 };
        let reconnect = Reconnect { attempts: 1, clock: Clock::manual() };
        converse(conn, lines, &mut screen, &reconnect, false).await.unwrap();
        // The fake server closes the connection at the first "drop" and answers it when the
        // message is sent again under the same id after the resume.
        assert_eq!(
            String::from_utf8(screen.out).unwrap(),
            "you said: hi\n(spoken) \n\
             (connection lost; reconnecting to resume session s_0 from seq 1)\n\
             (resumed session s_0)\n\
             you said: drop\n(spoken) \n\
             error: rate_limited: slow down (retry after 500 ms)\n"
        );
    }

    #[tokio::test]
    async fn a_message_that_always_drops_the_connection_is_sent_twice_at_most() {
        let url = crate::client::fake::start().await;
        let mut conn = Connection::connect(&url).await.unwrap();
        conn.hello(Channel::Web, None, 0).await.unwrap();
        let (tx, lines) = mpsc::channel(8);
        for line in ["crash", "hi"] {
            tx.send(line.to_string()).await.unwrap();
        }
        drop(tx);
        let mut screen = Screen { out: Vec::new(), voice: false, shown_seq: 0 };
        let reconnect = Reconnect { attempts: 1, clock: Clock::manual() };
        converse(conn, lines, &mut screen, &reconnect, false).await.unwrap();
        let lost = "(connection lost; reconnecting to resume session s_0 from seq 0)\n(resumed session s_0)\n";
        assert_eq!(
            String::from_utf8(screen.out).unwrap(),
            format!("{lost}{lost}(that message was not answered: the connection dropped each time it was sent)\nyou said: hi\n")
        );
    }

    #[tokio::test]
    async fn no_reconnection_attempts_means_giving_up_at_the_first_drop() {
        let url = crate::client::fake::start().await;
        let mut conn = Connection::connect(&url).await.unwrap();
        conn.hello(Channel::Web, None, 0).await.unwrap();
        let (tx, lines) = mpsc::channel(8);
        for line in ["hi", "drop", "never sent"] {
            tx.send(line.to_string()).await.unwrap();
        }
        let mut screen = Screen { out: Vec::new(), voice: false, shown_seq: 0 };
        let reconnect = Reconnect { attempts: 0, clock: Clock::manual() };
        let err = converse(conn, lines, &mut screen, &reconnect, false).await.unwrap_err();
        match err.downcast_ref::<ChatError>() {
            Some(ChatError::GaveUp { attempts: 0, session, last, .. }) => {
                assert_eq!(session, "s_0");
                assert!(last.is_disconnect(), "{last:?}");
            }
            other => panic!("expected GaveUp, got {other:?} from {err:?}"),
        }
        assert!(err.to_string().ends_with("resume later with --session s_0"), "{err}");
        assert!(!String::from_utf8(screen.out).unwrap().contains("never sent"));
    }

    #[test]
    fn reconnection_pauses_double_up_to_five_seconds() {
        let ms: Vec<u128> = (1..=8).map(|attempt| Reconnect::delay(attempt).as_millis()).collect();
        assert_eq!(ms, [250, 500, 1000, 2000, 4000, 5000, 5000, 5000]);
        assert_eq!(Reconnect::delay(u32::MAX), MAX_RETRY);
    }

    #[test]
    fn channels_parse() {
        assert_eq!(parse_channel("voice"), Ok(Channel::Voice));
        assert!(parse_channel("sms").is_err());
    }
}

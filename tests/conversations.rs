//! The conversation suite: realistic multi-turn conversations, as a shopper and a shop owner see
//! them, played over a real WebSocket against a server on port 0 (the real model, the demo
//! catalog, a real SQLite file with the demo customers and orders).
//!
//! The conversations are data: `tests/conversations/*.yaml`, one file per theme. Each turn is a
//! message, a widget action or a product view, with expectations from a closed set
//! ([`Expect`]); every expectation is a fact of the catalog, orders or FAQ files (the product
//! records are read here straight from `data/demo/products.jsonl`), never a wording of aisle's.
//! Every reply is also checked for what any reply must get right ([`reads_well`],
//! [`facts_hold`]): prices from the record, exact cart totals, no double spaces or "₹-0".
//! `scripts/conversations_facts.py` prints the data facts the files name (cheapest products,
//! attributes, orders) and checks that no shopper text is a training example word for word.
//!
//! `tests/conversations/held_out/` holds batches written later by other writers, who read
//! neither the dialogue code nor the suite; they are played by a test of their own, with their
//! own ratchet, to measure conversations the dialogue was not built against.
//!
//! `tests/conversations/known_failing.txt` is a ratchet: the conversations that fail today, one
//! name a line with a `# why`. The test fails when a conversation not listed fails, and when a
//! listed one passes (take it off the list), so the list only shrinks.

mod common;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use aisle::client::{ClientError, Connection, error_code_name};
use aisle::protocol::{ActionFrame, Channel, ClientFrame, EventFrame, Reply, ServerFrame, SessionStatus};
use common::{CHECKOUT_URL, TestServer};
use futures_util::StreamExt;
use serde::Deserialize;

/// How many conversations run at once.
const CONCURRENCY: usize = 4;
/// A bound on waiting for one answer, so that a server that never answers fails the turn
/// instead of hanging the test (not a synchronization: answers are awaited, not slept for).
const ANSWER_BOUND: Duration = Duration::from_secs(60);

// ---------------------------------------------------------------------------------------------
// The conversation files

/// One file: a theme's conversations.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Suite {
    conversations: Vec<Conversation>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Conversation {
    /// Unique over all files; the name `known_failing.txt` lists.
    name: String,
    #[serde(default)]
    channel: ChannelName,
    /// A demo customer id (`customers.jsonl`): the session carries that customer's identity token.
    #[serde(default)]
    customer: Option<String>,
    turns: Vec<Turn>,
}

#[derive(Debug, Default, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
enum ChannelName {
    #[default]
    Web,
    Voice,
}

/// One step of a conversation: exactly one of `say`, `action`, `view`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Turn {
    /// What the shopper types.
    #[serde(default)]
    say: Option<String>,
    /// A widget button.
    #[serde(default)]
    action: Option<Action>,
    /// The shopper opens a product page (a `view_product` event; nothing answers it).
    #[serde(default)]
    view: Option<String>,
    /// An error frame is an acceptable answer too (e.g. to a message with only blanks); the
    /// expectations then apply only when a reply comes.
    #[serde(default)]
    may_refuse: bool,
    #[serde(default)]
    expect: Vec<Expect>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Action {
    action: String,
    #[serde(default)]
    product_id: Option<String>,
    #[serde(default)]
    product_ids: Vec<String>,
    #[serde(default)]
    quantity: Option<u32>,
}

/// What a turn's answer must satisfy. A list of words matches case-insensitively. A product is
/// a catalog id, or a reference to the list the shopper last saw (the cards of the latest
/// earlier reply that had any): `#2` (the second card), `#last`, `#cheapest`, `#priciest`, `#top_rated`
/// (by the records' prices and ratings).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Expect {
    /// The parsed intent is one of these.
    Intent(OneOrMore),
    /// The parsed intent is none of these.
    NotIntent(OneOrMore),
    /// At least one product card.
    Products,
    /// No product card.
    NoProducts,
    /// At least this many product cards.
    ProductsAtLeast(usize),
    /// At least one card, and every card's record satisfies the filter.
    Cards(CardFilter),
    /// Every card's record (there may be none: an honest "nothing") satisfies the filter.
    OnlyCards(CardFilter),
    /// The first card is this product.
    FirstCard(String),
    /// The reply is about this product: it is the first card, or the text names it.
    About(String),
    /// The dearest card costs less than the dearest card shown before.
    CheaperThanShown,
    /// At least one card, and none of them was in the list shown before.
    NotShownBefore,
    /// These products are among the cards.
    CardsInclude(Vec<String>),
    /// None of these products is among the cards.
    CardsExclude(Vec<String>),
    /// The cards go from the cheapest up.
    CheapestFirst,
    /// The text contains every one of these.
    Says(OneOrMore),
    /// The text contains at least one of these.
    SaysAny(Vec<String>),
    /// The text contains none of these.
    NotSays(OneOrMore),
    /// The text names this product (its title, or the title's first four words).
    Names(String),
    /// The text does not name this product.
    NotNames(String),
    /// The text gives this product's price (what the shopper pays, in whole rupees).
    SaysPrice(String),
    /// The text gives this amount in whole rupees (a total computed from the records).
    SaysAmount(f64),
    /// The text gives this attribute of the product, as its record has it (`Material`, `Mug
    /// Capacity`…; `material` and `color` are the record's own fields).
    SaysAttribute(AttributeRef),
    /// The cart in the reply holds exactly these lines (its total is checked on every reply).
    Cart(Vec<CartLine>),
    /// The reply shows an empty cart (or says so without one).
    CartEmpty,
    /// The checkout link is given (in the text or a quick reply).
    CheckoutLink,
    /// A comparison of exactly these products.
    Comparison(Vec<String>),
    /// The reply is about this order (its order view).
    Order(String),
    /// No order view.
    NoOrder,
    /// A `status` frame with this status follows the reply.
    Status(String),
    /// `speech` is whole sentences: no link, no cut at a colon, ends like a sentence.
    SpeechWhole,
    /// The answer is an error frame with this code.
    Error(String),
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum OneOrMore {
    One(String),
    More(Vec<String>),
}

impl OneOrMore {
    fn items(&self) -> Vec<&str> {
        match self {
            OneOrMore::One(s) => vec![s.as_str()],
            OneOrMore::More(v) => v.iter().map(String::as_str).collect(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AttributeRef {
    product: String,
    key: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CartLine {
    product: String,
    quantity: u32,
}

/// Conditions on a product record; all given ones must hold.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CardFilter {
    /// What the shopper pays is at most this.
    #[serde(default)]
    max_price: Option<f64>,
    #[serde(default)]
    min_price: Option<f64>,
    /// One of these words is in the title or the category path (the kind of product).
    #[serde(default)]
    kind: Vec<String>,
    /// None of these words is in the title or the category path.
    #[serde(default)]
    not_kind: Vec<String>,
    /// The product is for this group: `men`, `women`, `boys`, `girls`, or `kids` (boys or girls).
    #[serde(default, rename = "for")]
    for_group: Option<String>,
    /// The brand (or, for records without one, the title's first word) is this.
    #[serde(default)]
    brand: Option<String>,
    /// The colour, title or attributes mention this colour.
    #[serde(default)]
    colour: Option<String>,
}

/// Reads every `*.yaml` file of `dir`, sorted by name.
fn load_suites(dir: &Path) -> Vec<(String, Suite)> {
    let mut files: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|e| e == "yaml")).collect();
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).unwrap();
            // Expectations are written `- intent: search` (a one-key map), not as YAML tags.
            let deserializer = serde_norway::Deserializer::from_str(&text);
            let suite: Suite = serde_norway::with::singleton_map_recursive::deserialize(deserializer).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            (path.file_name().unwrap().to_string_lossy().into_owned(), suite)
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// The data the expectations are facts of

/// A product record of `data/demo/products.jsonl`, the fields the expectations read.
#[derive(Debug, Deserialize)]
struct Record {
    id: String,
    title: String,
    price: String,
    #[serde(default)]
    sale_price: Option<String>,
    #[serde(default)]
    brand: Option<String>,
    #[serde(default)]
    product_type: Option<String>,
    #[serde(default)]
    gender: Option<String>,
    #[serde(default)]
    color: Option<String>,
    #[serde(default)]
    material: Option<String>,
    #[serde(default)]
    rating: Option<f32>,
    #[serde(default)]
    attributes: BTreeMap<String, String>,
}

impl Record {
    /// What the shopper pays: the sale price when there is one ("499.00 INR").
    fn pays(&self) -> f64 {
        let text = self.sale_price.as_deref().unwrap_or(&self.price);
        text.split_whitespace().next().unwrap().parse().unwrap()
    }

    /// Title and category path, lower-case: what kind of product this is.
    fn kind_text(&self) -> String {
        format!("{} {}", self.title, self.product_type.as_deref().unwrap_or("")).to_lowercase()
    }

    /// The groups of the gender field ("Men, Boys" → men, boys); unisex is everyone.
    fn groups(&self) -> BTreeSet<String> {
        let gender = self.gender.as_deref().unwrap_or("").to_lowercase();
        let mut groups: BTreeSet<String> = gender
            .split(|c: char| c == ',' || c.is_whitespace())
            .map(|w| w.trim_end_matches("'s").trim_end_matches('s').to_string())
            .filter_map(|w| match w.as_str() {
                "men" | "man" => Some("men".to_string()),
                "women" | "woman" => Some("women".to_string()),
                "boy" => Some("boys".to_string()),
                "girl" => Some("girls".to_string()),
                _ => None,
            })
            .collect();
        if gender.contains("unisex") {
            groups.extend(["men", "women", "boys", "girls"].map(String::from));
        }
        groups
    }

    /// Whether the product is for `group` (`kids`: boys or girls). A record without a gender
    /// counts by its category and title ("Mens Clothing", "Kids", "Boys"…).
    fn is_for(&self, group: &str) -> bool {
        let groups = self.groups();
        let wanted: &[&str] = match group {
            "kids" => &["boys", "girls"],
            "men" => &["men"],
            "women" => &["women"],
            "boys" => &["boys"],
            "girls" => &["girls"],
            other => panic!("unknown group {other:?}"),
        };
        if !groups.is_empty() {
            return wanted.iter().any(|g| groups.contains(*g));
        }
        let kind = self.kind_text();
        let names = |g: &str| -> &'static [&'static str] {
            match g {
                "men" => &["men", "mens", "men's"],
                "women" => &["women", "womens", "women's", "ladies"],
                "boys" => &["boy", "boys", "boy's", "kids"],
                _ => &["girl", "girls", "girl's", "kids"],
            }
        };
        let says = |g: &str| names(g).iter().any(|n| contains_words(&kind, n));
        let others = ["men", "women", "boys", "girls"].into_iter().filter(|g| !wanted.contains(g));
        wanted.iter().any(|g| says(g)) || !others.into_iter().any(|g| says(g))
    }

    /// An attribute by key, any case; `material` and `color` fall back on the record's fields.
    fn attribute(&self, key: &str) -> Option<&str> {
        let found = self.attributes.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v.as_str());
        found.or(match key.to_lowercase().as_str() {
            "material" => self.material.as_deref(),
            "color" | "colour" => self.color.as_deref(),
            _ => None,
        })
    }

    fn brand_name(&self) -> String {
        self.brand.clone().unwrap_or_else(|| self.title.split_whitespace().next().unwrap_or("").to_string()).to_lowercase()
    }

    fn mentions_colour(&self, colour: &str) -> bool {
        let colour = colour.to_lowercase();
        let attributes: String = self.attributes.values().map(|v| v.to_lowercase()).collect::<Vec<_>>().join(" ");
        self.color.as_deref().unwrap_or("").to_lowercase().contains(&colour) || self.title.to_lowercase().contains(&colour) || attributes.contains(&colour)
    }
}

/// The demo catalog, by id.
fn catalog() -> HashMap<String, Record> {
    let text = std::fs::read_to_string(common::repo_path("data/demo/products.jsonl")).unwrap();
    text.lines().map(|line| serde_json::from_str::<Record>(line).unwrap()).map(|r| (r.id.clone(), r)).collect()
}

/// Every product id the conversations name exists in the catalog (a typo is the suite's error).
fn check_product_ids(suites: &[(String, Suite)], catalog: &HashMap<String, Record>) {
    for (file, suite) in suites {
        for conversation in &suite.conversations {
            for turn in &conversation.turns {
                let mut ids: Vec<&str> = turn.view.iter().map(String::as_str).collect();
                if let Some(action) = &turn.action {
                    ids.extend(action.product_id.as_deref());
                    ids.extend(action.product_ids.iter().map(String::as_str));
                }
                for expect in &turn.expect {
                    match expect {
                        Expect::FirstCard(id) | Expect::About(id) | Expect::Names(id) | Expect::NotNames(id) | Expect::SaysPrice(id) => ids.push(id),
                        Expect::SaysAttribute(a) => ids.push(&a.product),
                        Expect::CardsInclude(v) | Expect::CardsExclude(v) | Expect::Comparison(v) => ids.extend(v.iter().map(String::as_str)),
                        Expect::Cart(lines) => ids.extend(lines.iter().map(|l| l.product.as_str())),
                        _ => {}
                    }
                }
                for id in ids.into_iter().filter(|id| !id.starts_with('#')) {
                    assert!(catalog.contains_key(id), "{file}: {:?} names {id}, which is not in the catalog", conversation.name);
                }
            }
        }
    }
}

/// `known_failing.txt`: name → why.
fn known_failing(path: &Path) -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (name, why) = l.split_once('#').unwrap_or((l, ""));
            (name.trim().to_string(), why.trim().to_string())
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Playing a conversation

/// What answered one turn.
enum Answer {
    Reply {
        reply: Box<Reply>,
        statuses: Vec<SessionStatus>,
    },
    Refused {
        code: String,
        message: String,
    },
    /// A view: nothing answers it.
    Nothing,
}

/// One expectation a turn missed.
struct Miss {
    turn: usize,
    said: String,
    expectation: String,
    reply: String,
}

async fn play(url: String, conversation: &Conversation, catalog: &HashMap<String, Record>) -> Vec<Miss> {
    let mut misses = Vec::new();
    let mut chat = match open(&url, conversation).await {
        Ok(chat) => chat,
        Err(e) => {
            misses.push(Miss { turn: 0, said: "(hello)".into(), expectation: "the session opens".into(), reply: e.to_string() });
            return misses;
        }
    };
    let mut shown: Vec<String> = Vec::new();
    for (i, turn) in conversation.turns.iter().enumerate() {
        let said = describe_turn(turn);
        let mut miss = |expectation: String, reply: String| misses.push(Miss { turn: i + 1, said: said.clone(), expectation, reply });
        let answer = match tokio::time::timeout(ANSWER_BOUND, answer(&mut chat, turn)).await {
            Ok(Ok(answer)) => answer,
            Ok(Err(e)) => {
                miss("an answer".into(), e.to_string());
                break;
            }
            Err(_) => {
                miss("an answer".into(), format!("none within {ANSWER_BOUND:?}"));
                break;
            }
        };
        for problem in check(turn, &answer, catalog, conversation.channel, &shown) {
            miss(problem, summary(&answer));
        }
        if let Answer::Reply { reply, .. } = &answer {
            shown = now_shown(reply).unwrap_or(shown);
        }
    }
    chat.close().await;
    misses
}

async fn open(url: &str, conversation: &Conversation) -> Result<Connection, ClientError> {
    let mut chat = Connection::connect(url).await?;
    if let Some(customer) = &conversation.customer {
        chat.set_token(Some(common::identity_token(customer, 3600)));
    }
    let channel = match conversation.channel {
        ChannelName::Web => Channel::Web,
        ChannelName::Voice => Channel::Voice,
    };
    chat.hello(channel, None, 0).await?;
    Ok(chat)
}

fn describe_turn(turn: &Turn) -> String {
    match (&turn.say, &turn.action, &turn.view) {
        (Some(text), _, _) => format!("{text:?}"),
        (_, Some(action), _) => format!("[{} {}{}]", action.action, action.product_id.as_deref().unwrap_or(""), action.product_ids.join(",")),
        (_, _, Some(id)) => format!("[view {id}]"),
        _ => "(nothing)".into(),
    }
}

/// The list a reply shows the shopper, if it shows one: a comparison's products, else its cards.
fn now_shown(reply: &Reply) -> Option<Vec<String>> {
    match &reply.comparison {
        Some(comparison) if !comparison.products.is_empty() => Some(comparison.products.clone()),
        _ if !reply.products.is_empty() => Some(reply.products.iter().map(|c| c.id.clone()).collect()),
        _ => None,
    }
}

/// Sends the turn and collects what answers it: the reply, then every frame up to the `pong`
/// of a ping sent after it (the server answers a connection's frames in order, so a `status`
/// the turn caused arrives before that `pong`).
async fn answer(chat: &mut Connection, turn: &Turn) -> Result<Answer, ClientError> {
    let result = if let Some(text) = &turn.say {
        chat.turn(text).await
    } else if let Some(action) = &turn.action {
        let id = chat.next_message_id();
        let frame = ActionFrame {
            id: Some(id.clone()),
            action: action.action.clone(),
            product_id: action.product_id.clone(),
            product_ids: action.product_ids.clone(),
            quantity: action.quantity,
        };
        chat.send(&ClientFrame::Action(frame)).await?;
        chat.reply_to(&id).await
    } else if let Some(id) = &turn.view {
        chat.send(&ClientFrame::Event(EventFrame { event: "view_product".into(), product_id: Some(id.clone()), ..EventFrame::default() })).await?;
        let frames = drain(chat).await?;
        if let Some(e) = frames.iter().find_map(|f| if let ServerFrame::Error(e) = f { Some(e) } else { None }) {
            return Ok(Answer::Refused { code: error_code_name(e), message: e.message.clone() });
        }
        return Ok(Answer::Nothing);
    } else {
        panic!("a turn says, acts or views");
    };
    let reply = match result {
        Ok(reply) => reply,
        Err(ClientError::Server(e)) => return Ok(Answer::Refused { code: error_code_name(&e), message: e.message }),
        Err(e) => return Err(e),
    };
    let statuses = drain(chat).await?.into_iter().filter_map(|f| if let ServerFrame::Status { status, .. } = f { Some(status) } else { None }).collect();
    Ok(Answer::Reply { reply: Box::new(reply), statuses })
}

/// Every frame up to the answer to a ping.
async fn drain(chat: &mut Connection) -> Result<Vec<ServerFrame>, ClientError> {
    let mut frames = chat.take_stashed();
    chat.send(&ClientFrame::Ping).await?;
    loop {
        match chat.recv().await? {
            ServerFrame::Pong => return Ok(frames),
            ServerFrame::Typing { .. } => {}
            frame => frames.push(frame),
        }
    }
}

fn summary(answer: &Answer) -> String {
    match answer {
        Answer::Reply { reply, .. } => {
            let intent = reply.intent.as_ref().map(|i| i.name.as_str()).unwrap_or("-");
            let cards: Vec<&str> = reply.products.iter().take(4).map(|c| c.id.as_str()).collect();
            let cart =
                reply.cart.as_ref().map(|c| format!(" cart={:?}", c.items.iter().map(|i| (&i.product_id, i.quantity)).collect::<Vec<_>>())).unwrap_or_default();
            format!("[{intent}] {:?} cards={cards:?}{cart}", reply.text)
        }
        Answer::Refused { code, message } => format!("error {code}: {message}"),
        Answer::Nothing => "(nothing)".into(),
    }
}

// ---------------------------------------------------------------------------------------------
// Checking an answer

/// The expectations the answer misses, described.
fn check(turn: &Turn, answer: &Answer, catalog: &HashMap<String, Record>, channel: ChannelName, shown: &[String]) -> Vec<String> {
    let wants_error = turn.expect.iter().find_map(|e| if let Expect::Error(code) = e { Some(code.as_str()) } else { None });
    let (reply, statuses) = match answer {
        Answer::Reply { reply, statuses } => (reply, statuses),
        Answer::Refused { code, .. } => {
            return match wants_error {
                Some(wanted) if wanted == code => vec![],
                _ if turn.may_refuse => vec![],
                _ => vec![format!("a reply, not an error {code}")],
            };
        }
        Answer::Nothing => return vec![],
    };
    if let Some(code) = wants_error {
        return vec![format!("an error {code}")];
    }
    let mut problems: Vec<String> = reads_well(reply, channel).into_iter().chain(facts_hold(reply, catalog)).collect();
    for expect in &turn.expect {
        if let Err(why) = expectation(expect, reply, statuses, catalog, shown) {
            problems.push(format!("{expect:?}: {why}"));
        }
    }
    problems
}

/// What every reply gets right in its wording: no double spaces, no "₹-0" or "-0", number
/// agreement ("1 result", not "1 results"), no "0 items".
fn reads_well(reply: &Reply, channel: ChannelName) -> Vec<String> {
    let mut problems = Vec::new();
    for (field, text) in [("text", &reply.text), ("speech", &reply.speech)] {
        let lower = text.to_lowercase();
        if text.contains("  ") {
            problems.push(format!("reads well: a double space in {field}"));
        }
        if text.contains("₹-") || has_minus_zero(text) {
            problems.push(format!("reads well: a negative or minus-zero amount in {field}"));
        }
        if let Some(bad) =
            ["results", "picks", "products", "items", "matches", "options", "units"].iter().find(|noun| contains_words(&lower, &format!("1 {noun}")))
        {
            problems.push(format!("reads well: \"1 {bad}\" in {field}"));
        }
        if contains_words(&lower, "0 items") || contains_words(&lower, "0 products") {
            problems.push(format!("reads well: a count of zero in {field}"));
        }
    }
    if reply.speech.trim().is_empty() {
        problems.push("reads well: speech is empty".into());
    }
    if matches!(channel, ChannelName::Voice) && reply.text.contains("http") {
        problems.push("reads well: a link in a voice reply".into());
    }
    problems
}

/// A "-0" standing alone ("-0", "₹-0.00"), not inside a model number like "iw-005".
fn has_minus_zero(text: &str) -> bool {
    let chars: Vec<char> = text.chars().collect();
    chars
        .windows(2)
        .enumerate()
        .any(|(i, w)| w == ['-', '0'] && (i == 0 || !chars[i - 1].is_alphanumeric()) && chars.get(i + 2).is_none_or(|c| !c.is_alphanumeric()))
}

/// `phrase` in `text` with no letter or digit right before or after it.
fn contains_words(text: &str, phrase: &str) -> bool {
    text.match_indices(phrase).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + phrase.len()..].chars().next();
        !before.is_some_and(|c| c.is_alphanumeric()) && !after.is_some_and(|c| c.is_alphanumeric())
    })
}

/// What every reply gets right in its facts: card prices are the records', a cart's lines are
/// priced from the records and its total is their sum.
fn facts_hold(reply: &Reply, catalog: &HashMap<String, Record>) -> Vec<String> {
    let mut problems = Vec::new();
    for card in &reply.products {
        match catalog.get(&card.id) {
            Some(record) if (record.pays() - card.price).abs() < 0.005 => {}
            Some(record) => problems.push(format!("facts: card {} priced {} but the record says {}", card.id, card.price, record.pays())),
            None => problems.push(format!("facts: card {} is not in the catalog", card.id)),
        }
    }
    if let Some(cart) = &reply.cart {
        let mut sum = 0.0;
        for item in &cart.items {
            let Some(record) = catalog.get(&item.product_id) else {
                problems.push(format!("facts: cart line {} is not in the catalog", item.product_id));
                continue;
            };
            if (record.pays() - item.price).abs() >= 0.005 {
                problems.push(format!("facts: cart line {} priced {} but the record says {}", item.product_id, item.price, record.pays()));
            }
            sum += record.pays() * f64::from(item.quantity);
        }
        if (cart.total - sum).abs() >= 0.005 {
            problems.push(format!("facts: cart total {} but its lines add up to {sum}", cart.total));
        }
    }
    problems
}

fn expectation(expect: &Expect, reply: &Reply, statuses: &[SessionStatus], catalog: &HashMap<String, Record>, shown: &[String]) -> Result<(), String> {
    let product = |reference: &str| resolve(reference, shown, catalog);
    let products = |references: &[String]| references.iter().map(|r| product(r)).collect::<Result<Vec<&Record>, String>>();
    let text = reply.text.to_lowercase();
    let intent = reply.intent.as_ref().map(|i| i.name.as_str()).unwrap_or("");
    let card_ids: Vec<&str> = reply.products.iter().map(|c| c.id.as_str()).collect();
    let holds = |ok: bool, why: String| if ok { Ok(()) } else { Err(why) };
    match expect {
        Expect::Intent(names) => holds(names.items().contains(&intent), format!("intent was {intent:?}")),
        Expect::NotIntent(names) => holds(!names.items().contains(&intent), format!("intent was {intent:?}")),
        Expect::Products => holds(!card_ids.is_empty(), "no cards".into()),
        Expect::NoProducts => holds(card_ids.is_empty(), format!("cards {card_ids:?}")),
        Expect::ProductsAtLeast(n) => holds(card_ids.len() >= *n, format!("{} cards", card_ids.len())),
        Expect::Cards(filter) => {
            if card_ids.is_empty() {
                return Err("no cards".into());
            }
            let wrong: Vec<String> = card_ids.iter().filter_map(|id| filter.refuses(&catalog[*id]).map(|why| format!("{id} {why}"))).collect();
            holds(wrong.is_empty(), wrong.join("; "))
        }
        Expect::OnlyCards(filter) => {
            let wrong: Vec<String> = card_ids.iter().filter_map(|id| filter.refuses(&catalog[*id]).map(|why| format!("{id} {why}"))).collect();
            holds(wrong.is_empty(), wrong.join("; "))
        }
        Expect::About(id) => {
            let record = product(id)?;
            holds(card_ids.first() == Some(&record.id.as_str()) || names(&text, record), format!("not about {}", record.id))
        }
        Expect::CheaperThanShown => {
            let dearest = |prices: &mut dyn Iterator<Item = f64>| prices.fold(f64::NEG_INFINITY, f64::max);
            let before = dearest(&mut shown.iter().map(|id| catalog[id].pays()));
            let now = dearest(&mut reply.products.iter().map(|c| c.price));
            holds(!card_ids.is_empty() && now < before, format!("dearest now {now}, before {before}"))
        }
        Expect::NotShownBefore => {
            let again: Vec<&&str> = card_ids.iter().filter(|id| shown.iter().any(|s| s == **id)).collect();
            holds(!card_ids.is_empty() && again.is_empty(), format!("cards {card_ids:?}, shown again {again:?}"))
        }
        Expect::FirstCard(id) => {
            let id = product(id)?.id.as_str();
            holds(card_ids.first() == Some(&id), format!("first card {:?}, not {id}", card_ids.first()))
        }
        Expect::CardsInclude(ids) => {
            let missing: Vec<&str> = products(ids)?.iter().map(|r| r.id.as_str()).filter(|id| !card_ids.contains(id)).collect();
            holds(missing.is_empty(), format!("missing {missing:?} in {card_ids:?}"))
        }
        Expect::CardsExclude(ids) => {
            let present: Vec<&str> = products(ids)?.iter().map(|r| r.id.as_str()).filter(|id| card_ids.contains(id)).collect();
            holds(present.is_empty(), format!("shows {present:?}"))
        }
        Expect::CheapestFirst => {
            let prices: Vec<f64> = reply.products.iter().map(|c| c.price).collect();
            holds(!prices.is_empty() && prices.windows(2).all(|w| w[0] <= w[1]), format!("prices {prices:?}"))
        }
        Expect::Says(words) => {
            let missing: Vec<&str> = words.items().into_iter().filter(|w| !text.contains(&w.to_lowercase())).collect();
            holds(missing.is_empty(), format!("no {missing:?}"))
        }
        Expect::SaysAny(words) => holds(words.iter().any(|w| text.contains(&w.to_lowercase())), "none of them".into()),
        Expect::NotSays(words) => {
            let present: Vec<&str> = words.items().into_iter().filter(|w| text.contains(&w.to_lowercase())).collect();
            holds(present.is_empty(), format!("says {present:?}"))
        }
        Expect::Names(id) => {
            let record = product(id)?;
            holds(names(&text, record), format!("{} not named", record.id))
        }
        Expect::NotNames(id) => {
            let record = product(id)?;
            holds(!names(&text, record), format!("{} named", record.id))
        }
        Expect::SaysPrice(id) => {
            let price = product(id)?.pays();
            holds(says_amount(&reply.text, price), format!("no {price}"))
        }
        Expect::SaysAmount(amount) => holds(says_amount(&reply.text, *amount), format!("no {amount}")),
        Expect::SaysAttribute(AttributeRef { product: reference, key }) => {
            let record = product(reference)?;
            let value = record.attribute(key).ok_or_else(|| format!("the suite's error: {} has no {key:?}", record.id))?;
            holds(text.contains(&value.to_lowercase()), format!("no {value:?}"))
        }
        Expect::Cart(lines) => {
            let Some(cart) = &reply.cart else { return Err("no cart".into()) };
            let got: BTreeMap<&str, u32> = cart.items.iter().map(|i| (i.product_id.as_str(), i.quantity)).collect();
            let want: BTreeMap<&str, u32> = lines.iter().map(|l| Ok((product(&l.product)?.id.as_str(), l.quantity))).collect::<Result<_, String>>()?;
            holds(got == want, format!("cart {got:?}"))
        }
        Expect::CartEmpty => match &reply.cart {
            Some(cart) => holds(cart.items.is_empty() && cart.total == 0.0, format!("cart {:?}", cart.items.iter().map(|i| &i.product_id).collect::<Vec<_>>())),
            None => holds(text.contains("empty") || text.contains("nothing"), "no cart and not said empty".into()),
        },
        Expect::CheckoutLink => {
            holds(reply.text.contains(CHECKOUT_URL) || reply.quick_replies.iter().any(|q| q.text.contains(CHECKOUT_URL)), "no checkout link".into())
        }
        Expect::Comparison(ids) => {
            let Some(comparison) = &reply.comparison else { return Err("no comparison".into()) };
            let got: BTreeSet<&str> = comparison.products.iter().map(String::as_str).collect();
            let want: BTreeSet<&str> = products(ids)?.iter().map(|r| r.id.as_str()).collect();
            holds(got == want, format!("compares {got:?}"))
        }
        Expect::Order(id) => holds(reply.order.as_ref().is_some_and(|o| &o.order_id == id), format!("order {:?}", reply.order.as_ref().map(|o| &o.order_id))),
        Expect::NoOrder => holds(reply.order.is_none(), "an order view".into()),
        Expect::Status(name) => {
            let names: Vec<String> = statuses.iter().map(|s| serde_json::to_value(s).unwrap().as_str().unwrap().to_string()).collect();
            holds(names.contains(name), format!("statuses {names:?}"))
        }
        Expect::SpeechWhole => speech_whole(&reply.speech),
        Expect::Error(code) => Err(format!("a reply, not an error {code}")),
    }
}

/// The record a product reference names: a catalog id, or `#N`, `#cheapest`, `#priciest`,
/// `#top_rated` of the list last shown. A superlative with a tie is the suite's error.
fn resolve<'a>(reference: &str, shown: &[String], catalog: &'a HashMap<String, Record>) -> Result<&'a Record, String> {
    let Some(which) = reference.strip_prefix('#') else { return Ok(&catalog[reference]) };
    let records: Vec<&Record> = shown.iter().map(|id| &catalog[id]).collect();
    if which == "last" {
        return records.last().copied().ok_or_else(|| format!("{reference}: nothing was shown"));
    }
    if let Ok(n) = which.parse::<usize>() {
        return records.get(n.wrapping_sub(1)).copied().ok_or_else(|| format!("{reference}: only {} cards were shown", records.len()));
    }
    let key = |r: &Record| -> f64 {
        match which {
            "cheapest" => -r.pays(),
            "priciest" => r.pays(),
            "top_rated" => f64::from(r.rating.unwrap_or(0.0)),
            other => panic!("unknown product reference #{other}"),
        }
    };
    let best = records.iter().map(|r| key(r)).fold(f64::NEG_INFINITY, f64::max);
    match records.iter().filter(|r| key(r) == best).collect::<Vec<_>>().as_slice() {
        [one] => Ok(one),
        [] => Err(format!("{reference}: nothing was shown")),
        tied => Err(format!("{reference}: the records tie: {:?}", tied.iter().map(|r| &r.id).collect::<Vec<_>>())),
    }
}

impl CardFilter {
    /// Why `record` fails the filter, if it does.
    fn refuses(&self, record: &Record) -> Option<String> {
        let pays = record.pays();
        let kind = record.kind_text();
        if self.max_price.is_some_and(|max| pays > max) {
            return Some(format!("costs {pays}"));
        }
        if self.min_price.is_some_and(|min| pays < min) {
            return Some(format!("costs {pays}"));
        }
        if !self.kind.is_empty() && !self.kind.iter().any(|k| kind.contains(&k.to_lowercase())) {
            return Some(format!("is not {:?}: {:?}", self.kind, record.title));
        }
        if let Some(word) = self.not_kind.iter().find(|k| kind.contains(&k.to_lowercase())) {
            return Some(format!("is {word:?}: {:?}", record.title));
        }
        if let Some(group) = &self.for_group
            && !record.is_for(group)
        {
            return Some(format!("is not for {group}: {:?}", record.gender));
        }
        if let Some(brand) = &self.brand
            && record.brand_name() != brand.to_lowercase()
        {
            return Some(format!("is by {:?}", record.brand_name()));
        }
        if let Some(colour) = &self.colour
            && !record.mentions_colour(colour)
        {
            return Some(format!("is not {colour}: {:?}", record.title));
        }
        None
    }
}

/// Whether `text` (lower-case) names the product: its title, or its first four words.
fn names(text: &str, record: &Record) -> bool {
    let title = record.title.to_lowercase();
    let short: Vec<&str> = title.split_whitespace().take(4).collect();
    text.contains(&title) || text.contains(&short.join(" "))
}

/// Whether `text` gives `amount` in whole rupees: "107750", "107,750" or "1,07,750" (Indian
/// grouping), optionally with paise.
fn says_amount(text: &str, amount: f64) -> bool {
    let plain = (amount.round() as u64).to_string();
    [group(&plain, false), group(&plain, true), plain].iter().any(|form| contains_number(text, form))
}

/// Digits grouped with commas: in threes, or (Indian) the last three and then in twos.
fn group(digits: &str, indian: bool) -> String {
    let n = digits.len();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        let left = n - i;
        let boundary = if indian { left == 3 || (left > 3 && (left - 3) % 2 == 0) } else { left % 3 == 0 };
        if i > 0 && boundary {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `number` in `text` not as part of a longer number.
fn contains_number(text: &str, number: &str) -> bool {
    text.match_indices(number).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after: Vec<char> = text[at + number.len()..].chars().take(2).collect();
        let digit_after = match after.as_slice() {
            [c, ..] if c.is_ascii_digit() => true,
            [',', d] if d.is_ascii_digit() => true,
            _ => false,
        };
        !before.is_some_and(|c| c.is_ascii_digit() || c == ',') && !digit_after
    })
}

/// Speech is whole sentences: no link, does not end at a colon or mid-sentence.
fn speech_whole(speech: &str) -> Result<(), String> {
    let trimmed = speech.trim();
    if trimmed.contains("http") || trimmed.contains("://") {
        return Err(format!("a link in speech: {trimmed:?}"));
    }
    if trimmed.contains(":.") || trimmed.contains(": .") || trimmed.ends_with(':') {
        return Err(format!("a sentence cut at a colon: {trimmed:?}"));
    }
    match trimmed.chars().last() {
        Some('.' | '!' | '?') => Ok(()),
        _ => Err(format!("does not end a sentence: {trimmed:?}")),
    }
}

// ---------------------------------------------------------------------------------------------
// The test

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn realistic_conversations() {
    // Another folder of conversations can be played with `AISLE_CONVERSATIONS=/path`; its own
    // `known_failing.txt` is optional there.
    match std::env::var_os("AISLE_CONVERSATIONS") {
        Some(dir) => play_folder(Path::new(&dir), 1).await,
        None => play_folder(&common::repo_path("tests/conversations"), 80).await,
    }
}

/// Batches written after the suite by other writers, who read neither the dialogue code nor
/// the suite: how the dialogue does on conversations it was not built against. Their own
/// `known_failing.txt` is the ratchet.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn held_out_conversations() {
    play_folder(&common::repo_path("tests/conversations/held_out"), 1).await;
}

/// Plays every conversation of `dir` (at least `least` of them) and checks the outcome against
/// the folder's `known_failing.txt`.
async fn play_folder(dir: &Path, least: usize) {
    let suites = load_suites(dir);
    let catalog = Arc::new(catalog());
    check_product_ids(&suites, &catalog);
    let conversations: Vec<&Conversation> = suites.iter().flat_map(|(_, s)| &s.conversations).collect();
    assert!(conversations.len() >= least, "{} conversations in {}", conversations.len(), dir.display());
    let mut seen = BTreeSet::new();
    for c in &conversations {
        assert!(seen.insert(c.name.as_str()), "two conversations are named {:?}", c.name);
        assert!(
            c.turns.iter().all(|t| [t.say.is_some(), t.action.is_some(), t.view.is_some()].iter().filter(|b| **b).count() == 1),
            "{:?}: a turn says, acts or views",
            c.name
        );
    }
    let known = known_failing(&dir.join("known_failing.txt"));
    let stale: Vec<&String> = known.keys().filter(|name| !seen.contains(name.as_str())).collect();
    assert!(stale.is_empty(), "known_failing.txt lists conversations that do not exist: {stale:?}");

    let server = TestServer::start().await;
    aisle::orders::demo::load_once(server.orders.store(), &common::repo_path("data/demo"), aisle::orders::now()).await.unwrap().expect("the demo orders load");
    let url = server.ws_url();
    let results: Vec<(&str, Vec<Miss>)> = futures_util::stream::iter(conversations.iter().map(|c| {
        let (url, catalog) = (url.clone(), catalog.clone());
        async move { (c.name.as_str(), play(url, c, &catalog).await) }
    }))
    .buffered(CONCURRENCY)
    .collect()
    .await;

    let report = report(&results, &known);
    println!("{report}");
    let failed: BTreeSet<&str> = results.iter().filter(|(_, m)| !m.is_empty()).map(|(n, _)| *n).collect();
    let new_failures: Vec<&&str> = failed.iter().filter(|n| !known.contains_key(**n)).collect();
    let now_passing: Vec<&String> = known.keys().filter(|n| !failed.contains(n.as_str())).collect();
    assert!(
        new_failures.is_empty() && now_passing.is_empty(),
        "conversations failing that known_failing.txt does not list: {new_failures:?}; listed but now passing (take them off): {now_passing:?}\n{report}"
    );
}

/// The table: how many passed, then each failure's conversation, turn, expectation and reply.
fn report(results: &[(&str, Vec<Miss>)], known: &BTreeMap<String, String>) -> String {
    let failed = results.iter().filter(|(_, m)| !m.is_empty()).count();
    let mut out = format!("conversations: {} passed, {failed} failed, {} in all\n", results.len() - failed, results.len());
    for (name, misses) in results.iter().filter(|(_, m)| !m.is_empty()) {
        let listed = if known.contains_key(*name) { " (known)" } else { " (NEW)" };
        let _ = writeln!(out, "FAILED {name}{listed}");
        for miss in misses {
            let _ = writeln!(out, "  turn {} {}\n    expected {}\n    got {}", miss.turn, miss.said, miss.expectation, miss.reply);
        }
    }
    out
}

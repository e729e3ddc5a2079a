//! Live sessions: opening, resuming and running turns. A session's turns run one at a time
//! (a lock per session held only while one is in flight); state is read from the store at the
//! start of a turn and written with the turn's frames, numbered and stored before they are
//! returned to be sent. Nothing lives only in memory, so a restart or another connection
//! carries on the conversation.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tracing::Instrument;

use crate::dialogue::{Assistant, DialogueError, Input, TurnContext};
use crate::events::store::{EventStore, EventStoreError, Inserted};
use crate::events::{Event, Kind, RawEvent, Source};
use crate::nlu::NluError;
use crate::orders::Orders;
use crate::orders::identity::{Claims, TokenError};
use crate::protocol::{Channel, EventFrame, ServerFrame};

use super::clock::Clock;
use super::live::Live;
use super::recommender::Recommender;
use crate::recommend::profile::Rebuyable;
use super::state::{Preference, PreferenceKind, SessionState};
use super::store::{NewFrame, Role, ShopperMessage, Store, StoreError};

/// Errors of the session layer.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Orders(#[from] crate::orders::StoreError),
    #[error(transparent)]
    Dialogue(#[from] DialogueError),
    #[error("unknown session {0}")]
    UnknownSession(String),
    #[error("stored state of session {session} cannot be read: {source}")]
    State { session: String, source: serde_json::Error },
    /// An identity token that is forged, tampered with or expired.
    #[error("the identity token was refused: {0}")]
    Unauthorized(TokenError),
    #[error("bad event: {0}")]
    BadEvent(String),
    /// A request that is wrong as asked (an agent's empty message, an unknown product).
    #[error("{0}")]
    BadRequest(String),
    /// Another agent owns the conversation.
    #[error("{0} is handling this conversation")]
    Owned(String),
    /// An agent wrote to a conversation nobody took over.
    #[error("take the conversation over first")]
    NotTaken,
    #[error(transparent)]
    Events(#[from] EventStoreError),
}

impl SessionError {
    /// The encoder queue is full: the caller should retry shortly.
    pub fn is_overloaded(&self) -> bool {
        matches!(self, SessionError::Dialogue(DialogueError::Nlu(NluError::Overloaded)))
    }

    /// The shopper's input was wrong (not the server).
    pub fn bad_input(&self) -> Option<&str> {
        match self {
            SessionError::Dialogue(DialogueError::BadInput(message)) | SessionError::BadEvent(message) | SessionError::BadRequest(message) => Some(message),
            _ => None,
        }
    }
}

/// A session opened or resumed.
#[derive(Debug)]
pub struct Opened {
    pub session_id: String,
    pub resumed: bool,
    /// The highest stored seq.
    pub seq: u64,
    /// Stored frames after the client's `last_seq`, in order (JSON text).
    pub replay: Vec<String>,
}

/// One shopper message or action to answer.
#[derive(Debug, Clone, Copy)]
pub struct TurnInput<'a> {
    /// The client's message id: a repeated id is answered from the transcript.
    pub client_id: Option<&'a str>,
    pub input: Input<'a>,
    /// The shopper's frame as received, for the transcript.
    pub body: &'a str,
    /// Whether the shopper's profile may shape the answer (`personalize: false` says no).
    pub personalize: bool,
}

/// Numbers turns for their log lines, process-wide.
static TURN_IDS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

pub struct Sessions {
    store: Store,
    events: EventStore,
    recommender: Arc<Recommender>,
    assistant: Arc<Assistant>,
    orders: Orders,
    /// What "now" is for turns (order states, tokens, lockouts) and for the server's rate limits.
    clock: Clock,
    /// Per-session turn locks, present only while a turn is in flight or waiting.
    locks: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    /// Notices to a session's other connections and to the agent consoles.
    live: Arc<Live>,
}

impl Sessions {
    pub fn new(store: Store, assistant: Arc<Assistant>, orders: Orders) -> Sessions {
        let events = EventStore::new(store.pool().clone());
        let recommender = Arc::new(Recommender::new(events.clone(), Rebuyable::default()));
        Sessions { store, events, recommender, assistant, orders, clock: Clock::system(), locks: Mutex::new(HashMap::new()), live: Arc::default() }
    }

    /// The same sessions, offering products of these categories again after a purchase.
    pub fn with_rebuyable(mut self, rebuyable: Rebuyable) -> Sessions {
        self.recommender = Arc::new(Recommender::new(self.events.clone(), rebuyable));
        self
    }

    /// The same sessions on another clock (a manual one in tests).
    pub fn with_clock(mut self, clock: Clock) -> Sessions {
        self.clock = clock;
        self
    }

    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// Notices between connections: a session's tabs, the agent consoles.
    pub fn live(&self) -> &Arc<Live> {
        &self.live
    }

    pub fn orders(&self) -> &Orders {
        &self.orders
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn assistant(&self) -> &Assistant {
        &self.assistant
    }

    pub fn events(&self) -> &EventStore {
        &self.events
    }

    /// The recommendation snapshot (retrain it with `refresh`).
    pub fn recommender(&self) -> Arc<Recommender> {
        Arc::clone(&self.recommender)
    }

    /// Resumes `session_id` when it exists (replaying what came after `last_seq`), else starts
    /// a new session.
    pub async fn open(&self, session_id: Option<&str>, last_seq: u64, channel: Channel) -> Result<Opened, SessionError> {
        if let Some(id) = session_id {
            if let Some(stored) = self.store.load(id).await? {
                let replay = self.store.replay(id, last_seq).await?;
                return Ok(Opened { session_id: stored.id, resumed: true, seq: stored.last_seq, replay });
            }
        }
        let id = new_session_id();
        let state = SessionState::new(channel);
        self.store.create(&id, channel, None, &to_json(&state)).await?;
        Ok(Opened { session_id: id, resumed: false, seq: 0, replay: Vec::new() })
    }

    /// Answers one message or action: runs the assistant on the session's state, numbers the
    /// frames, stores them with the new state, and returns them to be sent.
    pub async fn turn(&self, session_id: &str, turn: TurnInput<'_>) -> Result<Vec<ServerFrame>, SessionError> {
        // Every log line of the turn carries its id.
        let span = tracing::info_span!("turn", id = TURN_IDS.fetch_add(1, std::sync::atomic::Ordering::Relaxed), session = session_id);
        let lock = self.lock(session_id);
        let result = {
            let _guard = lock.lock().await;
            self.turn_locked(session_id, turn).instrument(span).await
        };
        self.release(session_id, lock);
        result
    }

    async fn turn_locked(&self, session_id: &str, turn: TurnInput<'_>) -> Result<Vec<ServerFrame>, SessionError> {
        if let Some(client_id) = turn.client_id {
            if let Some(bodies) = self.store.answers_to(session_id, client_id).await? {
                return Ok(bodies.iter().filter_map(|b| serde_json::from_str(b).ok()).collect());
            }
        }
        let started = std::time::Instant::now();
        let (last_seq, mut state) = self.load_state(session_id).await?;
        if state.agent.is_some() {
            // A person has taken over: the message is theirs to answer.
            if let Input::Text(text) = turn.input {
                state.remember(text);
            }
            let shopper = ShopperMessage { client_id: turn.client_id, body: turn.body };
            self.store.commit_turn(session_id, &to_json(&state), state.customer_id.as_deref(), Some(shopper), &[], &[]).await?;
            self.live.stored(session_id, last_seq);
            return Ok(Vec::new());
        }
        let before = state.clone();
        let loaded = started.elapsed();
        let ctx = TurnContext {
            orders: &self.orders,
            session_id,
            now: self.clock.now(),
            recommender: &self.recommender,
            personalize: turn.personalize,
            agents_online: self.live.agents_online(),
        };
        let answer = self.assistant.respond(ctx, &mut state, turn.input).await?;
        let events = if state.consent { chat_events(session_id, &before, &state, &answer.reply.products, self.clock.now_ms()) } else { Vec::new() };
        let answered = started.elapsed();
        let intent = answer.reply.intent.as_ref().map_or("", |i| i.name.as_str()).to_string();
        let channel = state.channel.as_str();
        let mut reply = answer.reply;
        reply.seq = last_seq + 1;
        reply.in_reply_to = turn.client_id.map(str::to_string);
        let mut frames = vec![ServerFrame::Reply(reply)];
        if let Some(status) = answer.status {
            frames.push(ServerFrame::Status { seq: last_seq + 2, status, agent: None });
        }
        let shopper = ShopperMessage { client_id: turn.client_id, body: turn.body };
        self.commit(session_id, &state, Some(shopper), &frames, &events, last_seq).await?;
        if let Some(customer) = state.customer_id.as_deref().filter(|_| state.consent && state.stated != before.stated) {
            self.save_preferences(customer, &state.stated).await?;
        }
        let label = if intent.is_empty() { "action".to_string() } else { intent.clone() };
        metrics::histogram!(crate::telemetry::TURN_SECONDS, "intent" => label, "channel" => channel).record(started.elapsed().as_secs_f64());
        tracing::debug!(
            intent,
            load_ms = loaded.as_secs_f64() * 1e3,
            answer_ms = (answered - loaded).as_secs_f64() * 1e3,
            store_ms = (started.elapsed() - answered).as_secs_f64() * 1e3,
            "turn"
        );
        Ok(frames)
    }

    /// The claims of a valid identity token.
    pub fn verify_token(&self, token: &str) -> Result<Claims, SessionError> {
        self.orders.authenticate(token, self.clock.now()).map_err(SessionError::Unauthorized)
    }

    /// Makes the customer of a verified token the session's, until the token expires.
    pub async fn identify(&self, session_id: &str, claims: Claims) -> Result<(), SessionError> {
        let customer = claims.customer_id.clone();
        let saved = self.saved_preferences(&customer).await?;
        let state = self
            .change(session_id, None, |state| {
                state.customer_id = Some(claims.customer_id);
                state.customer_expires_at = Some(claims.expires_at);
                if state.consent {
                    let said = std::mem::replace(&mut state.stated, saved);
                    crate::dialogue::preferences::remember(&mut state.stated, said);
                }
            })
            .await?;
        if state.consent {
            self.events.join_customer(session_id, &customer).await?;
            self.save_preferences(&customer, &state.stated).await?;
        }
        Ok(())
    }

    /// The preferences a customer stated in earlier sessions.
    async fn saved_preferences(&self, customer: &str) -> Result<Vec<Preference>, SessionError> {
        Ok(self.events.preferences(customer).await?.into_iter().filter_map(|(kind, value)| Some(Preference { kind: PreferenceKind::parse(&kind)?, value })).collect())
    }

    async fn save_preferences(&self, customer: &str, stated: &[Preference]) -> Result<(), SessionError> {
        // Who they shop for is this conversation's, not theirs.
        let pairs: Vec<(&str, &str)> = stated.iter().filter(|p| p.kind != PreferenceKind::Recipient).map(|p| (p.kind.as_str(), p.value.as_str())).collect();
        self.events.set_preferences(customer, &pairs, self.clock.now_ms()).await?;
        Ok(())
    }

    /// Sets whether the shopper allows personalization. Given, the session's events are kept
    /// from now on (and joined to its customer when it has one); withdrawn, the events it had
    /// are deleted.
    pub async fn set_consent(&self, session_id: &str, consent: bool) -> Result<(), SessionError> {
        // Given by an identified shopper: what they said before joins what they say now.
        let saved = match self.state(session_id).await?.customer_id {
            Some(customer) if consent => self.saved_preferences(&customer).await?,
            _ => Vec::new(),
        };
        let state = self
            .change(session_id, None, |state| {
                if consent && !state.consent {
                    let said = std::mem::replace(&mut state.stated, saved);
                    crate::dialogue::preferences::remember(&mut state.stated, said);
                }
                state.consent = consent;
            })
            .await?;
        match (&state.customer_id, consent) {
            (Some(customer), true) => {
                self.events.join_customer(session_id, customer).await?;
                self.save_preferences(customer, &state.stated).await?;
            }
            (_, false) => {
                self.events.forget_session(session_id).await?;
            }
            (None, true) => {}
        }
        Ok(())
    }

    /// Records a shopper event from the widget: viewing a product makes it the one in focus;
    /// with consent, the event is stored (a bad one is refused and changes nothing).
    pub async fn event(&self, session_id: &str, event: &EventFrame, body: &str) -> Result<(), SessionError> {
        let focus = match (&event.product_id, event.event.as_str()) {
            (Some(id), "view_product" | "click") => Some(id.clone()),
            _ => None,
        };
        let now = self.clock.now_ms();
        let raw = RawEvent {
            id: Some(event.id.clone().unwrap_or_else(|| format!("widget:{session_id}:{now}:{}", event.product_id.as_deref().unwrap_or("")))),
            kind: Some(event.event.clone()),
            session_id: Some(session_id.to_string()),
            product_id: event.product_id.clone(),
            list: event.list.clone(),
            query: event.query.clone(),
            quantity: event.quantity,
            ..RawEvent::default()
        };
        let mut checked = raw.check(Source::Widget, now, |id| self.assistant.knows_product(id)).map_err(SessionError::BadEvent)?;
        let state = self
            .change(session_id, Some(ShopperMessage { client_id: None, body }), |state| {
                if let Some(id) = focus {
                    state.view(&id);
                }
            })
            .await?;
        if state.consent {
            checked.customer_id = state.customer_id.clone();
            self.events.record(&[checked], now).await?;
        }
        Ok(())
    }

    /// Stores a batch of events from `POST /v1/events`: each is checked, and one of a
    /// session is kept only when its shopper gave consent (then joined to its customer).
    /// Naming a customer directly is for the shop's backend (`trusted`: the admin key).
    pub async fn record_events(&self, batch: Vec<RawEvent>, trusted: bool) -> Result<Recorded, SessionError> {
        let now = self.clock.now_ms();
        let mut recorded = Recorded::default();
        let mut keep: Vec<Event> = Vec::new();
        for (index, raw) in batch.into_iter().enumerate() {
            match self.admit(raw, trusted, now).await? {
                Ok(Some(event)) => keep.push(event),
                Ok(None) => recorded.without_consent += 1,
                Err(message) => recorded.errors.push((index, message)),
            }
        }
        recorded.inserted = self.events.record(&keep, now).await?;
        Ok(recorded)
    }

    /// One event of a batch: checked, its session's consent and customer applied; `None`
    /// when it is not to be kept.
    async fn admit(&self, raw: RawEvent, trusted: bool, now: i64) -> Result<Result<Option<Event>, String>, SessionError> {
        if raw.customer_id.is_some() && !trusted {
            return Ok(Err("'customer_id' is for the shop's backend (Authorization: Bearer <admin key>); a page sends its session_id".into()));
        }
        let mut event = match raw.check(Source::Api, now, |id| self.assistant.knows_product(id)) {
            Ok(event) => event,
            Err(message) => return Ok(Err(message)),
        };
        let Some(session_id) = event.session_id.clone() else { return Ok(Ok(Some(event))) };
        let Some(stored) = self.store.load(&session_id).await? else {
            return Ok(Err(format!("unknown session {session_id:?}")));
        };
        let state: SessionState = serde_json::from_value(stored.state).map_err(|source| SessionError::State { session: session_id.clone(), source })?;
        if !state.consent {
            return Ok(Ok(None));
        }
        event.customer_id = event.customer_id.or(state.customer_id);
        Ok(Ok(Some(event)))
    }

    /// Changes the session's state outside a turn (no frames), under its turn lock; the state
    /// as changed.
    async fn change(&self, session_id: &str, shopper: Option<ShopperMessage<'_>>, update: impl FnOnce(&mut SessionState)) -> Result<SessionState, SessionError> {
        let (state, _) = self
            .append(session_id, shopper, |state, _| {
                update(state);
                Ok(Vec::new())
            })
            .await?;
        Ok(state)
    }

    /// Stores a turn's state, shopper message, frames and events in one transaction, then tells
    /// the session's connections and the consoles that frames up to the last one are stored.
    async fn commit(
        &self,
        session_id: &str,
        state: &SessionState,
        shopper: Option<ShopperMessage<'_>>,
        frames: &[ServerFrame],
        events: &[Event],
        last_seq: u64,
    ) -> Result<(), SessionError> {
        let bodies: Vec<String> = frames.iter().map(to_text).collect();
        let rows: Vec<NewFrame> = frames.iter().zip(&bodies).map(|(f, body)| NewFrame { seq: f.seq().unwrap_or_default(), role: role_of(f), body }).collect();
        self.store.commit_turn(session_id, &to_json(state), state.customer_id.as_deref(), shopper, &rows, events).await?;
        self.live.stored(session_id, rows.last().map_or(last_seq, |f| f.seq));
        Ok(())
    }

    /// Changes the session's state outside a turn, under its turn lock, with the frames
    /// `update` makes (numbered from the `u64` it is given), stored before they are returned
    /// and announced to the session's connections and the consoles.
    pub(super) async fn append(
        &self,
        session_id: &str,
        shopper: Option<ShopperMessage<'_>>,
        update: impl FnOnce(&mut SessionState, u64) -> Result<Vec<ServerFrame>, SessionError>,
    ) -> Result<(SessionState, Vec<ServerFrame>), SessionError> {
        let lock = self.lock(session_id);
        let result = async {
            let _guard = lock.lock().await;
            let (last_seq, mut state) = self.load_state(session_id).await?;
            let frames = update(&mut state, last_seq + 1)?;
            self.commit(session_id, &state, shopper, &frames, &[], last_seq).await?;
            Ok((state, frames))
        }
        .await;
        self.release(session_id, lock);
        result
    }

    /// A session's state as stored (no lock: a turn in flight may change it).
    pub async fn state(&self, session_id: &str) -> Result<SessionState, SessionError> {
        Ok(self.load_state(session_id).await?.1)
    }

    /// The stored session's highest seq and its state.
    async fn load_state(&self, session_id: &str) -> Result<(u64, SessionState), SessionError> {
        let stored = self.store.load(session_id).await?.ok_or_else(|| SessionError::UnknownSession(session_id.into()))?;
        let state = serde_json::from_value(stored.state).map_err(|source| SessionError::State { session: session_id.into(), source })?;
        Ok((stored.last_seq, state))
    }

    fn lock(&self, session_id: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut locks = self.locks.lock().unwrap_or_else(|e| e.into_inner());
        locks.entry(session_id.to_string()).or_default().clone()
    }

    /// Forgets the lock when no other turn holds or waits for it.
    fn release(&self, session_id: &str, lock: Arc<tokio::sync::Mutex<()>>) {
        let mut locks = self.locks.lock().unwrap_or_else(|e| e.into_inner());
        drop(lock);
        if locks.get(session_id).is_some_and(|l| Arc::strong_count(l) == 1) {
            locks.remove(session_id);
        }
    }
}

fn role_of(frame: &ServerFrame) -> Role {
    match frame {
        ServerFrame::AgentMessage { .. } => Role::Agent,
        ServerFrame::Status { .. } => Role::System,
        _ => Role::Assistant,
    }
}

fn to_json(state: &SessionState) -> serde_json::Value {
    serde_json::to_value(state).expect("session state serializes")
}

fn to_text(frame: &ServerFrame) -> String {
    serde_json::to_string(frame).expect("frames serialize")
}

/// `s_` and 128 random bits in hex: a session id is as good as a password to its transcript.
fn new_session_id() -> String {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).expect("the operating system provides randomness");
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("s_{hex}")
}

/// What a batch of events did.
#[derive(Debug, Default)]
pub struct Recorded {
    pub inserted: Inserted,
    /// Events of sessions whose shopper did not give consent: not kept.
    pub without_consent: usize,
    /// The events refused, by their place in the batch, and why.
    pub errors: Vec<(usize, String)>,
}

/// The assistant's own actions in a turn, as events: the cart's changes, a new search and
/// the cards shown (in the list "chat").
fn chat_events(session_id: &str, before: &SessionState, after: &SessionState, shown: &[crate::protocol::ProductCard], now: i64) -> Vec<Event> {
    let mut events: Vec<Event> = Vec::new();
    let mut push = |kind: Kind, fill: &dyn Fn(&mut Event)| {
        let mut event = Event::of_chat(session_id, after.turns, events.len(), kind, now);
        event.customer_id = after.customer_id.clone();
        fill(&mut event);
        events.push(event);
    };
    let quantity = |state: &SessionState, id: &str| state.cart.iter().filter(|l| l.product_id == id).map(|l| l.quantity).sum::<u32>();
    let mut seen = std::collections::HashSet::new();
    for id in after.cart.iter().chain(&before.cart).map(|l| l.product_id.as_str()).filter(|id| seen.insert(*id)) {
        let (was, is) = (quantity(before, id), quantity(after, id));
        if was != is {
            let kind = if is > was { Kind::AddToCart } else { Kind::RemoveFromCart };
            push(kind, &|e| {
                e.product_id = Some(id.to_string());
                e.quantity = Some(is.abs_diff(was));
            });
        }
    }
    if let Some(search) = after.search.as_ref().filter(|s| !s.query.is_empty() && before.search.as_ref().is_none_or(|b| b.query != s.query)) {
        push(Kind::Search, &|e| e.query = Some(search.query.clone()));
    }
    for card in shown {
        push(Kind::Impression, &|e| {
            e.product_id = Some(card.id.clone());
            e.list = Some("chat".into());
        });
    }
    events
}


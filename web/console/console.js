// aisle's support-agent console over `/ws/agent` (docs/protocol.md, "Agent console"): sign-in
// (name + agent key, kept in sessionStorage), the live inbox in four groups, the open
// conversation's transcript as the shopper saw it (bot turns annotated with intent and
// confidence; private notes marked), its context, take over / hand back, messages, product
// cards from a catalog search, canned replies (localStorage) and typing both ways. On a lost
// connection it reconnects with backoff and jitter, says hello again and resubscribes after
// the last entry id it has: entries are deduped by id, so there is never a "refresh" banner.
// Server text only ever goes through textContent.

const AGENT_KEY = 'aisle-console:agent';
const CANNED_KEY = 'aisle-console:canned';
const DEFAULT_CANNED = [
  'Hi, I am here to help. One moment while I read the conversation.',
  'Let me check that for you.',
  'Here is one I would suggest.',
  'Is there anything else I can help you with?',
];
const TYPING_EVERY_MS = 2000;
const TYPING_SHOWN_MS = 4000;
const LIVE_WINDOW_MS = 30 * 60 * 1000;

const state = {
  agent: null, // { name, key }
  socket: null,
  welcomed: false,
  refused: false,
  attempt: 0,
  reconnectTimer: 0,
  clockOffset: 0, // server now - local now
  sessions: new Map(), // session_id -> Summary
  open: null, // session_id of the open conversation
  entries: new Map(), // entry id -> Entry (of the open conversation)
  lastEntryId: 0,
  context: null,
  lastTypingSent: 0,
  typingTimer: 0,
  searchId: 0,
  frameId: 0,
  stick: true, // the transcript follows new entries while scrolled to its end
};

const $ = (id) => document.getElementById(id);

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

const moneyFormats = new Map();
function money(amount, currency = 'INR') {
  const key = `${currency}:${Number.isInteger(amount)}`;
  if (!moneyFormats.has(key)) {
    try {
      moneyFormats.set(key, new Intl.NumberFormat(currency === 'INR' ? 'en-IN' : undefined, {
        style: 'currency', currency, minimumFractionDigits: Number.isInteger(amount) ? 0 : 2, maximumFractionDigits: 2,
      }));
    } catch {
      moneyFormats.set(key, { format: (n) => `${Number(n).toFixed(2)} ${currency}` });
    }
  }
  return moneyFormats.get(key).format(Number(amount) || 0);
}

function serverNow() {
  return Date.now() + state.clockOffset;
}

function ago(ms) {
  const seconds = Math.max(0, Math.round((serverNow() - ms) / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  return `${Math.round(minutes / 60)} h`;
}

function clockTime(ms) {
  return new Date(ms).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

// ---------------------------------------------------------------- sign-in

function start() {
  wireControls();
  try {
    state.agent = JSON.parse(sessionStorage.getItem(AGENT_KEY) || 'null');
  } catch {
    state.agent = null;
  }
  if (state.agent?.name && state.agent?.key) enterApp();
  else showSignIn('');
}

/** Reopens the conversation named in the page's hash (after a reload). */
function openFromHash() {
  const hash = decodeURIComponent(location.hash.slice(1));
  if (hash.startsWith('s_')) openConversation(hash);
}

function showSignIn(error) {
  $('app').hidden = true;
  $('signin-view').hidden = false;
  $('signin-error').textContent = error;
  $('agent-name').value = state.agent?.name || $('agent-name').value;
  $('agent-name').focus();
}

function enterApp() {
  $('signin-view').hidden = true;
  $('app').hidden = false;
  $('agent-self').textContent = state.agent.name;
  state.refused = false;
  state.attempt = 0;
  connect();
  openFromHash();
}

function signOut() {
  sessionStorage.removeItem(AGENT_KEY);
  state.refused = true; // no reconnect
  clearTimeout(state.reconnectTimer);
  state.socket?.close(1000);
  state.socket = null;
  state.sessions.clear();
  closeConversation();
  state.agent = null;
  $('agent-key').value = '';
  showSignIn('');
}

// ---------------------------------------------------------------- connection

function connect() {
  clearTimeout(state.reconnectTimer);
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const socket = new WebSocket(`${scheme}://${location.host}/ws/agent`);
  state.socket = socket;
  state.welcomed = false;
  setConnection(state.attempt ? 'Reconnecting…' : 'Connecting…', 'pending');
  socket.addEventListener('open', () => {
    socket.send(JSON.stringify({ type: 'hello', key: state.agent.key, name: state.agent.name }));
  });
  socket.addEventListener('message', (event) => {
    if (socket !== state.socket) return;
    let frame;
    try {
      frame = JSON.parse(event.data);
    } catch {
      return;
    }
    onFrame(frame);
  });
  socket.addEventListener('close', (event) => {
    if (socket !== state.socket) return;
    state.socket = null;
    if (event.code === 1008 && !state.welcomed) state.refused = true;
    if (state.refused) {
      if (state.agent) refuse('The agent key was not accepted.');
      return;
    }
    scheduleReconnect();
  });
}

function refuse(message) {
  state.refused = true;
  sessionStorage.removeItem(AGENT_KEY);
  const keep = state.agent;
  state.agent = null;
  showSignIn(message);
  if (keep) $('agent-name').value = keep.name;
}

function scheduleReconnect() {
  updateComposer();
  const base = Math.min(10000, 250 * 2 ** state.attempt);
  const delay = base / 2 + Math.random() * (base / 2); // backoff with jitter
  state.attempt += 1;
  setConnection(`Connection lost; reconnecting in ${Math.ceil(delay / 1000)} s…`, 'down');
  state.reconnectTimer = setTimeout(connect, delay);
}

function send(frame) {
  if (!state.socket || state.socket.readyState !== WebSocket.OPEN || !state.welcomed) return false;
  state.socket.send(JSON.stringify(frame));
  return true;
}

function setConnection(text, kind) {
  const node = $('connection');
  node.textContent = text;
  node.dataset.state = kind;
}

// ---------------------------------------------------------------- frames from the server

function onFrame(frame) {
  switch (frame.type) {
    case 'welcome': return onWelcome(frame);
    case 'inbox': return onInbox(frame.sessions || []);
    case 'session': return onSession(frame.session);
    case 'transcript': return onTranscript(frame);
    case 'entry': return onEntry(frame.session_id, frame.entry);
    case 'context': return onContext(frame.session_id, frame.context);
    case 'typing': return onTyping(frame);
    case 'search_results': return onSearchResults(frame);
    case 'error': return onError(frame);
    default: return undefined; // pong and anything newer
  }
}

function onWelcome(frame) {
  state.welcomed = true;
  state.attempt = 0;
  if (typeof frame.now === 'number') state.clockOffset = frame.now - Date.now();
  setConnection('Connected', 'up');
  if (state.open) send({ type: 'subscribe', session_id: state.open, after: state.lastEntryId });
  updateComposer();
}

function onInbox(sessions) {
  state.sessions = new Map(sessions.map((s) => [s.session_id, s]));
  renderInbox();
  if (state.open) updateConversationHead();
}

function onSession(summary) {
  if (!summary?.session_id) return;
  state.sessions.set(summary.session_id, summary);
  renderInbox();
  if (summary.session_id !== state.open) return;
  // the summary is the newest word on who answers; the context may follow later
  if (state.context) state.context = { ...state.context, status: summary.status, owner: summary.owner ?? null };
  renderContext();
  updateConversationHead();
}

function onTranscript(frame) {
  if (frame.session_id !== state.open) return;
  for (const entry of frame.entries || []) addEntry(entry);
  if (frame.context) onContext(frame.session_id, frame.context);
  renderTranscript();
}

function onEntry(sessionId, entry) {
  if (sessionId !== state.open || !entry) return;
  if (state.entries.has(entry.id)) return;
  const appended = addEntry(entry);
  if (appended) appendEntryNode(entry); else renderTranscript();
  if (entry.role === 'shopper' || entry.role === 'agent') clearTyping(); // their message ends their typing
}

/** Keeps an entry (deduped by id); whether it comes after every entry already kept. */
function addEntry(entry) {
  if (state.entries.has(entry.id)) return false;
  const last = entry.id > state.lastEntryId;
  state.entries.set(entry.id, entry);
  state.lastEntryId = Math.max(state.lastEntryId, entry.id);
  return last;
}

function onContext(sessionId, context) {
  if (sessionId !== state.open || !context) return;
  state.context = context;
  renderContext();
  updateConversationHead();
}

function onTyping(frame) {
  if (frame.session_id !== state.open || frame.who === state.agent?.name) return;
  const who = frame.who === 'shopper' ? 'The shopper' : frame.who;
  $('typing').textContent = `${who} is typing…`;
  clearTimeout(state.typingTimer);
  state.typingTimer = setTimeout(clearTyping, TYPING_SHOWN_MS);
}

function clearTyping() {
  clearTimeout(state.typingTimer);
  $('typing').textContent = '';
}

function onError(frame) {
  if (frame.code === 'unauthorized' && !state.welcomed) {
    refuse('The agent key was not accepted.');
    state.socket?.close();
    return;
  }
  notice(frame.message || frame.code || 'Something went wrong.');
}

function notice(text) {
  $('notice').textContent = text;
}

// ---------------------------------------------------------------- inbox

/** Which inbox group a summary belongs to. */
function groupOf(summary) {
  if (summary.owner && summary.owner === state.agent?.name && summary.status === 'agent_joined') return 'mine';
  if (summary.status === 'waiting_for_agent') return 'waiting';
  if (summary.status === 'agent_joined') return 'live';
  if (serverNow() - (summary.updated_at || 0) <= LIVE_WINDOW_MS) return 'live';
  return 'closed';
}

function renderInbox() {
  const groups = { waiting: [], mine: [], live: [], closed: [] };
  for (const summary of state.sessions.values()) groups[groupOf(summary)].push(summary);
  groups.waiting.sort((a, b) => (a.waiting_since ?? a.updated_at) - (b.waiting_since ?? b.updated_at));
  for (const name of ['mine', 'live', 'closed']) groups[name].sort((a, b) => b.updated_at - a.updated_at);
  for (const [name, list] of Object.entries(groups)) {
    $(`group-${name}`).replaceChildren(...(list.length ? list.map(inboxItem) : [el('li', 'inbox-none', 'None')]));
    $(`count-${name}`).textContent = String(list.length);
  }
}

function inboxItem(summary) {
  const li = el('li', 'inbox-item');
  li.dataset.sessionId = summary.session_id;
  li.dataset.status = summary.status;
  const button = el('button', 'inbox-button');
  button.type = 'button';
  if (summary.session_id === state.open) button.setAttribute('aria-current', 'true');
  const top = el('span', 'inbox-top');
  top.append(el('span', 'inbox-who', summary.customer_id ? `Customer ${summary.customer_id}` : `Guest ${summary.session_id.slice(2, 8)}`));
  top.append(el('span', 'inbox-channel', summary.channel));
  button.append(top);
  if (summary.status === 'waiting_for_agent') {
    const since = summary.waiting_since ?? summary.updated_at;
    button.append(el('span', 'inbox-wait', `Waiting ${ago(since)}${summary.reason ? ` · ${summary.reason}` : ''}`));
  } else if (summary.owner) {
    button.append(el('span', 'inbox-owner', summary.owner === state.agent?.name ? 'Yours' : `Owned by ${summary.owner}`));
  } else {
    button.append(el('span', 'inbox-when', `Updated ${ago(summary.updated_at)} ago`));
  }
  if (summary.email) button.append(el('span', 'inbox-email', `Email: ${summary.email}`));
  if (summary.preview) button.append(el('span', 'inbox-preview', summary.preview));
  button.addEventListener('click', () => openConversation(summary.session_id));
  li.append(button);
  return li;
}

// ---------------------------------------------------------------- the open conversation

function openConversation(sessionId) {
  if (state.open === sessionId) return;
  if (state.open) send({ type: 'unsubscribe', session_id: state.open });
  closeConversation();
  state.open = sessionId;
  history.replaceState(null, '', `#${encodeURIComponent(sessionId)}`);
  $('conversation-empty').hidden = true;
  $('transcript').hidden = false;
  $('composer').hidden = false;
  $('tools').hidden = false;
  send({ type: 'subscribe', session_id: sessionId, after: 0 });
  renderInbox();
  updateConversationHead();
  $('conversation').focus();
}

function closeConversation() {
  state.open = null;
  state.entries.clear();
  state.lastEntryId = 0;
  state.context = null;
  clearTyping();
  notice('');
  $('transcript').replaceChildren();
  $('transcript').hidden = true;
  $('composer').hidden = true;
  $('tools').hidden = true;
  $('catalog-results').replaceChildren();
  $('conversation-empty').hidden = false;
  $('conversation-title').textContent = 'No conversation open';
  $('conversation-owner').textContent = '';
  $('take-over').hidden = true;
  $('hand-back').hidden = true;
  renderContext();
}

/** The open conversation's status and owner, from its context or else its summary. */
function openStatus() {
  const summary = state.sessions.get(state.open) || {};
  const context = state.context || {};
  return {
    status: context.status ?? summary.status ?? 'bot',
    owner: context.owner !== undefined ? context.owner : summary.owner ?? null,
    summary,
  };
}

function updateConversationHead() {
  if (!state.open) return;
  const { status, owner, summary } = openStatus();
  const who = summary.customer_id ? `Customer ${summary.customer_id}` : `Guest ${state.open.slice(2, 8)}`;
  $('conversation-title').textContent = `${who} · ${statusLabel(status)}`;
  const mine = status === 'agent_joined' && owner === state.agent?.name;
  const other = status === 'agent_joined' && owner && !mine;
  $('conversation-owner').textContent = mine ? 'You own this conversation.' : other ? `Owned by ${owner}` : '';
  $('take-over').hidden = mine;
  $('take-over').disabled = Boolean(other);
  $('hand-back').hidden = !mine;
  updateComposer();
}

function ownsOpen() {
  const { status, owner } = openStatus();
  return status === 'agent_joined' && owner === state.agent?.name;
}

function updateComposer() {
  const online = Boolean(state.welcomed && state.socket);
  const mine = state.open && ownsOpen();
  $('send').disabled = !online || !mine;
  $('add-note').disabled = !online || !state.open;
  for (const button of document.querySelectorAll('.send-card')) button.disabled = !online || !mine;
  $('composer-hint').textContent = !online ? 'Offline: reconnecting…' : mine ? '' : 'Take over to message the shopper; notes are private.';
}

function statusLabel(status) {
  return {
    bot: 'assistant answering',
    waiting_for_agent: 'waiting for a person',
    agent_joined: 'with an agent',
    agent_left: 'handed back to the assistant',
  }[status] || status;
}

// ---------------------------------------------------------------- transcript

function renderTranscript() {
  const list = $('transcript');
  const entries = [...state.entries.values()].sort((a, b) => a.id - b.id);
  list.replaceChildren(...entries.map(entryNode));
  state.stick = true;
  list.scrollTop = list.scrollHeight;
}

/** Appends a new entry; follows it unless the agent scrolled up to read. */
function appendEntryNode(entry) {
  const list = $('transcript');
  list.append(entryNode(entry));
  if (state.stick) list.scrollTop = list.scrollHeight;
}

/** One transcript entry, rendered as the shopper saw it (notes only for agents). */
function entryNode(entry) {
  const frame = entry.frame || {};
  const li = el('div', `entry entry-${entry.role}`);
  li.dataset.entryId = String(entry.id);
  li.dataset.role = entry.role;
  const meta = el('p', 'entry-meta');
  meta.append(el('span', 'entry-who', whoLabel(entry)));
  if (entry.at) meta.append(el('time', 'entry-time', clockTime(entry.at)));
  if (entry.role === 'assistant' && frame.intent) {
    const confidence = Math.round((Number(frame.intent.confidence) || 0) * 100);
    meta.append(el('span', 'entry-intent', `intent ${frame.intent.name} · ${confidence}%`));
  }
  li.append(meta);
  if (entry.role === 'note') {
    li.append(el('p', 'note-label', 'Private note: the shopper never sees this'));
    li.append(el('p', 'entry-text', frame.text ?? ''));
    return li;
  }
  if (entry.role === 'shopper') return shopperBody(li, frame);
  if (frame.type === 'status') {
    li.classList.add('entry-status');
    li.append(el('p', 'entry-text', statusLine(frame)));
    return li;
  }
  if (frame.text) li.append(el('p', 'entry-text', frame.text));
  if (frame.products?.length) li.append(cardsNode(frame.products));
  if (frame.comparison) li.append(comparisonNode(frame.comparison));
  if (frame.order) li.append(orderNode(frame.order));
  if (frame.cart) li.append(cartNode(frame.cart));
  if (frame.quick_replies?.length) li.append(chipsNode(frame.quick_replies));
  return li;
}

function whoLabel(entry) {
  switch (entry.role) {
    case 'shopper': return 'Shopper';
    case 'assistant': return 'Assistant';
    case 'agent': return entry.agent || entry.frame?.agent || 'Agent';
    case 'note': return `Note by ${entry.agent || entry.frame?.agent || 'an agent'}`;
    default: return 'Status';
  }
}

function shopperBody(li, frame) {
  if (frame.type === 'action') {
    li.classList.add('entry-status');
    const target = frame.product_id || (frame.product_ids || []).join(', ');
    li.append(el('p', 'entry-text', `Pressed “${String(frame.action || '').replaceAll('_', ' ')}”${target ? ` (${target})` : ''}`));
  } else if (frame.type === 'event') {
    li.classList.add('entry-status');
    li.append(el('p', 'entry-text', `${String(frame.event || 'event').replaceAll('_', ' ')}${frame.product_id ? `: ${frame.product_id}` : ''}`));
  } else {
    li.append(el('p', 'entry-text', frame.text ?? ''));
  }
  return li;
}

function statusLine(frame) {
  const agent = frame.agent || 'An agent';
  switch (frame.status) {
    case 'waiting_for_agent': return 'The shopper asked for a person: waiting for an agent.';
    case 'agent_joined': return `${agent} joined the conversation.`;
    case 'agent_left': return `${agent} left; the assistant answers again.`;
    case 'bot': return 'The assistant answers.';
    default: return `Status: ${frame.status}`;
  }
}

function cardsNode(products) {
  const list = el('ul', 'cards');
  for (const card of products) {
    const item = el('li', 'card');
    item.dataset.productId = card.id;
    item.append(...cardParts(card));
    list.append(item);
  }
  return list;
}

function cardParts(card) {
  const parts = [];
  const box = el('div', 'card-image');
  if (card.image) {
    const img = document.createElement('img');
    img.alt = card.title;
    img.loading = 'lazy';
    img.referrerPolicy = 'no-referrer';
    img.addEventListener('error', () => { img.remove(); box.textContent = 'Image unavailable'; });
    img.src = card.image;
    box.append(img);
  } else {
    box.textContent = 'No image';
  }
  parts.push(box, el('p', 'card-title', card.title));
  const price = el('p', 'card-price', money(card.price, card.currency));
  if (card.list_price && card.list_price > card.price) price.append(' ', el('s', null, money(card.list_price, card.currency)));
  parts.push(price);
  const meta = [card.brand, card.in_stock === false ? 'out of stock' : 'in stock', card.id].filter(Boolean).join(' · ');
  parts.push(el('p', 'card-meta', meta));
  return parts;
}

function comparisonNode(comparison) {
  const table = el('table', 'comparison');
  const head = el('tr');
  head.append(el('th', null, 'Attribute'));
  for (const product of comparison.products || []) head.append(el('th', null, product));
  const thead = el('thead');
  thead.append(head);
  table.append(thead);
  const body = el('tbody');
  for (const row of comparison.rows || []) {
    const tr = el('tr');
    const th = el('th', null, row.attribute);
    th.scope = 'row';
    tr.append(th);
    (row.values || []).forEach((value, i) => {
      const td = el('td', i === row.best ? 'best' : null, value);
      if (i === row.best) td.append(el('span', 'best-mark', ' (best)'));
      tr.append(td);
    });
    body.append(tr);
  }
  table.append(body);
  const wrap = el('div', 'comparison-wrap');
  wrap.append(table);
  if (comparison.summary) wrap.append(el('p', 'comparison-summary', comparison.summary));
  return wrap;
}

function orderNode(order) {
  const box = el('div', 'order');
  box.append(el('p', 'order-head', `Order ${order.order_id}: ${order.status}`));
  const facts = [];
  if (order.placed_at) facts.push(`placed ${new Date(order.placed_at).toLocaleDateString()}`);
  if (order.carrier) facts.push(order.carrier);
  if (order.tracking) facts.push(`tracking ${order.tracking}`);
  if (order.estimated_delivery) facts.push(`expected ${new Date(order.estimated_delivery).toLocaleDateString()}`);
  if (facts.length) box.append(el('p', 'order-facts', facts.join(' · ')));
  const items = el('ul', 'order-items');
  for (const item of order.items || []) items.append(el('li', null, `${item.quantity} × ${item.title} (${money(item.price)})`));
  if (items.children.length) box.append(items);
  return box;
}

function cartNode(cart) {
  const box = el('div', 'cart');
  const items = cart.items || [];
  box.append(el('p', 'cart-head', items.length ? `Cart: ${money(cart.total, cart.currency)}` : 'Cart: empty'));
  const list = el('ul', 'cart-items');
  for (const item of items) list.append(el('li', null, `${item.quantity} × ${item.title} (${money(item.price, cart.currency)})`));
  if (items.length) box.append(list);
  return box;
}

function chipsNode(quickReplies) {
  const list = el('ul', 'chips');
  list.setAttribute('aria-label', 'Quick replies offered');
  for (const reply of quickReplies) list.append(el('li', 'chip', reply.label));
  return list;
}

// ---------------------------------------------------------------- context sidebar

function renderContext() {
  const context = state.context;
  $('context-empty').hidden = Boolean(state.open);
  $('context-body').hidden = !state.open;
  if (!state.open) return;
  const summary = state.sessions.get(state.open) || {};
  const c = context || {};
  const facts = [
    ['Status', statusLabel(c.status ?? summary.status ?? 'bot')],
    ['Owner', c.owner ?? summary.owner ?? 'nobody'],
    ['Channel', c.channel ?? summary.channel],
    ['Customer', (c.customer_id ?? summary.customer_id) || 'anonymous'],
    ['Handoff reason', c.reason ?? summary.reason],
    ['Email left', c.email ?? summary.email],
    ['Session', state.open],
  ];
  $('ctx-conversation').replaceChildren(...facts.filter(([, v]) => v).map(([term, value]) => {
    const wrap = el('div', 'fact');
    wrap.append(el('dt', null, term), el('dd', null, value));
    return wrap;
  }));
  const orders = c.orders || [];
  $('ctx-orders').replaceChildren(...(orders.length ? orders.map(orderNode) : [el('p', 'none', 'No verified orders')]));
  $('ctx-cart').replaceChildren(c.cart?.items?.length ? cartNode(c.cart) : el('p', 'none', 'Empty'));
  $('ctx-focus').replaceChildren(c.focus ? cardsNode([c.focus]) : el('p', 'none', 'None'));
  $('ctx-shown').replaceChildren(c.shown?.length ? cardsNode(c.shown) : el('p', 'none', 'None'));
  $('ctx-search').replaceChildren(...searchParts(c.search));
  $('ctx-pending').textContent = c.pending || 'None';
}

function searchParts(search) {
  if (!search) return [el('p', 'none', 'None')];
  const parts = [el('p', 'search-query', `“${search.query ?? ''}”`)];
  if (search.constraints?.length) {
    const list = el('ul', 'chips');
    for (const constraint of search.constraints) list.append(el('li', 'chip', constraint));
    parts.push(list);
  }
  return parts;
}

// ---------------------------------------------------------------- composer, canned replies, catalog

function nextId(prefix) {
  state.frameId += 1;
  return `${prefix}${state.frameId}`;
}

function sendMessage(text, productIds) {
  if (!state.open || !ownsOpen()) return false;
  const frame = { type: 'send', session_id: state.open, text, id: nextId('m') };
  if (productIds?.length) frame.product_ids = productIds;
  return send(frame);
}

function wireComposer() {
  const text = $('composer-text');
  $('composer').addEventListener('submit', (event) => {
    event.preventDefault();
    const value = text.value.trim();
    if (value && sendMessage(value)) { text.value = ''; notice(''); }
  });
  text.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey) {
      event.preventDefault();
      $('composer').requestSubmit();
    }
  });
  text.addEventListener('input', () => {
    if (!state.open || !ownsOpen() || !text.value) return;
    const now = Date.now();
    if (now - state.lastTypingSent < TYPING_EVERY_MS) return;
    state.lastTypingSent = now;
    send({ type: 'typing', session_id: state.open });
  });
  $('add-note').addEventListener('click', () => {
    const value = text.value.trim();
    if (!value || !state.open) return;
    if (send({ type: 'note', session_id: state.open, text: value, id: nextId('n') })) text.value = '';
  });
}

function cannedReplies() {
  try {
    const saved = JSON.parse(localStorage.getItem(CANNED_KEY) || 'null');
    if (Array.isArray(saved) && saved.every((s) => typeof s === 'string')) return saved;
  } catch { /* fall back to the defaults */ }
  return DEFAULT_CANNED;
}

function renderCanned() {
  $('canned-list').replaceChildren(...cannedReplies().map((reply) => {
    const li = el('li');
    const button = el('button', 'button canned-button', reply);
    button.type = 'button';
    button.addEventListener('click', () => {
      const text = $('composer-text');
      text.value = text.value ? `${text.value} ${reply}` : reply;
      text.focus();
    });
    li.append(button);
    return li;
  }));
}

function wireCanned() {
  const toggle = $('canned-edit');
  toggle.addEventListener('click', () => {
    const open = $('canned-editor').hidden;
    $('canned-editor').hidden = !open;
    toggle.setAttribute('aria-expanded', String(open));
    if (open) {
      $('canned-text').value = cannedReplies().join('\n');
      $('canned-text').focus();
    }
  });
  $('canned-save').addEventListener('click', () => {
    const lines = $('canned-text').value.split('\n').map((s) => s.trim()).filter(Boolean);
    localStorage.setItem(CANNED_KEY, JSON.stringify(lines));
    renderCanned();
    $('canned-editor').hidden = true;
    toggle.setAttribute('aria-expanded', 'false');
    toggle.focus();
  });
  renderCanned();
}

function wireCatalog() {
  $('catalog-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const q = $('catalog-q').value.trim();
    if (!q) return;
    state.searchId += 1;
    if (!send({ type: 'search', q, id: `q${state.searchId}` })) notice('Offline: the search will work once reconnected.');
  });
}

function onSearchResults(frame) {
  if (frame.id && frame.id !== `q${state.searchId}`) return; // an older search
  const list = $('catalog-results');
  const products = frame.products || [];
  list.replaceChildren(...products.map((card) => {
    const li = el('li', 'result');
    li.dataset.productId = card.id;
    const info = el('div', 'result-info');
    info.append(...cardParts(card));
    const button = el('button', 'button send-card', 'Send card');
    button.type = 'button';
    button.setAttribute('aria-label', `Send card: ${card.title}`);
    button.addEventListener('click', () => {
      const text = $('composer-text');
      const message = text.value.trim() || `Have a look at this one: ${card.title}`;
      if (sendMessage(message, [card.id])) text.value = '';
    });
    li.append(info, button);
    return li;
  }));
  if (products.length === 0) list.append(el('li', 'none', 'No products found.'));
  updateComposer();
}

// ---------------------------------------------------------------- controls

function wireControls() {
  const transcript = $('transcript');
  transcript.addEventListener('scroll', () => {
    state.stick = transcript.scrollHeight - transcript.scrollTop - transcript.clientHeight < 80;
  });
  $('signin-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const name = $('agent-name').value.trim();
    const key = $('agent-key').value;
    if (!name || name.length > 40 || !key) {
      $('signin-error').textContent = 'Give your name (up to 40 characters) and the agent key.';
      return;
    }
    state.agent = { name, key };
    sessionStorage.setItem(AGENT_KEY, JSON.stringify(state.agent));
    $('signin-error').textContent = '';
    enterApp();
  });
  $('sign-out').addEventListener('click', signOut);
  $('take-over').addEventListener('click', () => {
    if (state.open) send({ type: 'take_over', session_id: state.open, id: nextId('t') });
  });
  $('hand-back').addEventListener('click', () => {
    if (state.open) send({ type: 'hand_back', session_id: state.open, id: nextId('h') });
  });
  wireComposer();
  wireCanned();
  wireCatalog();
  setInterval(() => {
    if (state.sessions.size) renderInbox(); // wait times and the 30-minute live window
    if (state.welcomed) send({ type: 'ping' });
  }, 15000);
}

start();

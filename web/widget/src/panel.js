/**
 * aisle chat widget — the panel (built into `web/widget/panel.<hash>.js`, imported by the
 * loader). `mount(host)` adds the panel to the host's shadow root and returns its controller.
 *
 * - State: one record per server in localStorage (`aisle:<origin>`): the session id, the highest
 *   seq, the transcript (last 100 entries), the outbox, the token. Every change re-reads it,
 *   changes it and writes it back, so every tab and page shares one conversation; a `storage`
 *   event re-renders the other tabs.
 * - Connection: protocol v1 on `/ws/chat` (docs/protocol.md). `hello` resumes with the session
 *   id and last seq; stored frames are deduplicated by seq; the outbox is resent after every
 *   `welcome` with the same ids (the server answers a known id from its transcript). Reconnects
 *   back off exponentially with jitter, and at once on online / visibility / focus.
 * - DOM: createElement and textContent only; server text never becomes markup.
 */

import { STRINGS, RTL } from './i18n.js';
import CSS from './panel.css';

const KEEP = 100;
const J = JSON.stringify;
let sheet;

/** `h('button', {part: 'send', type: 'submit'}, 'Send')`: an element with attributes and children. */
function h(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const k in attrs) if (attrs[k] != null && attrs[k] !== false) e.setAttribute(k, attrs[k]);
  for (const k of kids) if (k != null) e.append(k);
  return e;
}

const fill = (s, ...a) => s.replace(/\{(\d)\}/g, (_, i) => a[i] ?? '');
const newId = () => 'w' + Date.now().toString(36) + Math.random().toString(36).slice(2, 8);
const reduced = () => matchMedia('(prefers-reduced-motion: reduce)').matches;

/** Text with its http(s) links as anchors (the rest stays text). */
function linked(text) {
  const out = [];
  (text || '').split(/(https?:\/\/[^\s<>"]+[^\s<>".,;:!?)])/).forEach((part, i) =>
    out.push(i % 2 ? h('a', { href: part, target: '_blank', rel: 'noopener' }, part) : part));
  return out;
}

export function mount(host) {
  const root = host.shadowRoot;
  const locale = host.locale;
  const T = { ...STRINGS.en, ...STRINGS[locale] };
  const dir = RTL.includes(locale) ? 'rtl' : 'ltr';
  const key = host.key;
  const url = host.server.replace(/^http/, 'ws') + '/ws/chat';
  const inline = host.hasAttribute('inline');
  const launcher = host.l;

  // ---- state (shared through localStorage) ----
  // `cart` / `cs`: the last Cart a reply carried, and that reply's seq (kept beyond the log).
  const fresh = () => ({ sid: null, seq: 0, log: [], out: [], token: null, voice: false, cart: null, cs: 0 });
  const load = () => {
    try { return { ...fresh(), ...JSON.parse(localStorage.getItem(key)) }; } catch { return fresh(); }
  };
  let S = load();
  const mutate = (fn) => {
    S = load();
    fn(S);
    S.log = S.log.slice(-KEEP);
    try { localStorage.setItem(key, J(S)); } catch { /* full or blocked: this tab still works */ }
    render();
  };

  // ---- formatting ----
  const money = (v, cur) => {
    try {
      return new Intl.NumberFormat(locale, { style: 'currency', currency: cur, minimumFractionDigits: v % 1 ? 2 : 0, maximumFractionDigits: 2 }).format(v);
    } catch { return v + ' ' + cur; }
  };
  const date = (s, time) => {
    const d = new Date(s);
    return isNaN(d) ? s || '' : d.toLocaleString(locale, time ? { dateStyle: 'medium', timeStyle: 'short' } : { dateStyle: 'medium' });
  };

  // ---- DOM ----
  if (!sheet) { sheet = new CSSStyleSheet(); sheet.replaceSync(CSS); }
  root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
  const panelId = 'aisle-panel';
  const closeBtn = inline ? null : h('button', { part: 'close', type: 'button', 'aria-label': T.close }, '×');
  const synth = window.speechSynthesis;
  const voiceBtn = synth ? h('button', { part: 'voice', type: 'button', 'aria-label': T.voice, 'aria-pressed': 'false' }, '🔊') : null;
  const log = h('div', { part: 'log', role: 'log', 'aria-live': 'off', 'aria-label': T.log });
  const greeting = h('p', { part: 'greeting' }, T.hello);
  const typingLine = h('p', { part: 'typing', hidden: '' });
  const body = h('div', { part: 'body' }, greeting, log, typingLine);
  const notice = h('p', { part: 'notice', role: 'status' });
  const live = h('div', { class: 'sr', 'aria-live': 'polite', 'aria-atomic': 'true' });
  const input = h('input', { part: 'input', type: 'text', id: 'aisle-input', maxlength: 2000, autocomplete: 'off', enterkeyhint: 'send', placeholder: T.input });
  const Rec = window.SpeechRecognition || window.webkitSpeechRecognition;
  const mic = Rec ? h('button', { part: 'mic', type: 'button', 'aria-label': T.mic, 'aria-pressed': 'false' }, '🎤') : null;
  const form = h('form', { part: 'composer' }, h('label', { class: 'sr', for: 'aisle-input' }, T.input), input, mic, h('button', { part: 'send', type: 'submit' }, T.send));
  const panel = h('section', { part: 'panel', id: panelId, role: 'dialog', 'aria-label': T.title, dir, lang: locale, hidden: '' },
    h('div', { part: 'header' }, h('h2', { part: 'title' }, T.title), voiceBtn, closeBtn), body, notice, form, live);
  root.append(panel);
  launcher.setAttribute('aria-controls', panelId);
  host.setAttribute('dir', dir);

  // ---- connection ----
  let ws = null, ready = false, tries = 0, timer = 0, dog = 0, cd = 0, cdText = '', micText = '', lastTyping = 0, typingTimer = 0;
  let sent = new Set();
  const want = () => S.sid || S.out.length;
  const backoff = () => Math.min(30000, 300 * 2 ** tries) * (0.5 + Math.random() / 2);

  function connect() {
    clearTimeout(timer);
    if (ws || !want()) return;
    const w = (ws = new WebSocket(url));
    ready = false;
    sent = new Set();
    w.onopen = () => w.send(J({ type: 'hello', protocol: 1, channel: 'web', session_id: S.sid, last_seq: S.seq, token: S.token, locale }));
    w.onmessage = (e) => { if (w == ws) onFrame(JSON.parse(e.data)); };
    w.onclose = () => {
      if (w != ws) return;
      ws = null;
      ready = false;
      tries++;
      showTyping(0);
      render();
      if (want()) timer = setTimeout(connect, backoff());
    };
  }
  /** Forgets the socket at once (its late events are ignored). */
  function drop() {
    const w = ws;
    ws = null;
    ready = false;
    clearTimeout(dog);
    if (w) { w.onclose = null; w.close(); }
    showTyping(0);
  }
  /** Online, visible or focused again: check the socket, or reconnect now. */
  function wake() {
    if (ready) {
      ws.send(J({ type: 'ping' }));
      clearTimeout(dog);
      dog = setTimeout(() => { drop(); connect(); }, 5000);
    } else if (!ws) {
      tries = 0;
      connect();
    }
  }
  /** Sends what the outbox holds and this connection has not sent (all of it after welcome). */
  function flush() {
    if (!ready || cd) return;
    let events = 0;
    for (const o of S.out) {
      if (sent.has(o.id)) continue;
      sent.add(o.id);
      ws.send(J(o));
      events |= o.type == 'event';
    }
    if (events) ws.send(J({ type: 'ping' }));
  }
  function queue(frame, label) {
    frame.id = frame.id || newId();
    mutate((s) => {
      s.out.push(frame);
      if (label) s.log.push({ k: 'me', id: frame.id, text: label, st: 'sending', f: frame });
    });
    ws ? flush() : connect();
  }

  function onFrame(f) {
    switch (f.type) {
      case 'welcome':
        tries = 0;
        ready = true;
        mutate((s) => {
          if (s.sid && !f.resumed) {
            // The server forgot the session: start clean, keeping what waits to be sent.
            s.log = s.log.filter((e) => e.k == 'me' && s.out.some((o) => o.id == e.id));
            s.seq = s.cs = 0;
            s.cart = null;
          }
          s.sid = f.session_id;
        });
        flush();
        break;
      case 'typing':
        showTyping(f.agent || 1);
        break;
      case 'reply':
      case 'status':
      case 'agent_message':
        if (f.type != 'status') showTyping(0);
        mutate((s) => {
          if (f.seq > s.seq) {
            s.seq = f.seq;
            s.log.push({ k: 'f', f });
            if (f.cart) { s.cart = f.cart; s.cs = f.seq; }
          }
          answered(s, f.in_reply_to, 'sent');
        });
        break;
      case 'shopper_message':
        mutate((s) => { s.log.some((e) => e.id == f.id) || s.log.push({ k: 'me', id: f.id, text: f.text, st: 'sent' }); });
        break;
      case 'error':
        onError(f);
        break;
      case 'pong':
        clearTimeout(dog);
        if (S.out.some((o) => o.type == 'event' && sent.has(o.id))) mutate((s) => { s.out = s.out.filter((o) => o.type != 'event' || !sent.has(o.id)); });
    }
  }
  /** The outbox entry `id` has its answer (or a refusal): out of the outbox, marked `st`. */
  function answered(s, id, st, err) {
    if (!id) return;
    s.out = s.out.filter((o) => o.id != id);
    const m = s.log.find((e) => e.id == id);
    if (m) { m.st = st; m.err = err; }
  }
  function onError(f) {
    showTyping(0);
    const id = f.in_reply_to;
    if (f.retry_after_ms != null && (f.code == 'rate_limited' || f.code == 'overloaded')) {
      if (id) sent.delete(id);
      return countdown(T[f.code], f.retry_after_ms);
    }
    if (f.code == 'unauthorized') mutate((s) => { s.token = null; micText = T.unauthorized; });
    // Errors about nothing we sent (a `typing` an older server does not know) are dropped.
    else if (id) mutate((s) => answered(s, id, 'failed', f.message));
  }
  function countdown(text, ms) {
    const until = Date.now() + ms;
    clearInterval(cd);
    const tick = () => {
      const left = Math.ceil((until - Date.now()) / 1000);
      cdText = left > 0 ? fill(text, left) : '';
      if (left <= 0) { clearInterval(cd); cd = 0; flush(); }
      render();
    };
    cd = setInterval(tick, 1000);
    tick();
  }
  function showTyping(who) {
    clearTimeout(typingTimer);
    typingLine.hidden = !who;
    typingLine.textContent = who == 1 ? T.typing : who ? fill(T.agentTyping, who) : '';
    if (who) typingTimer = setTimeout(showTyping, who == 1 ? 60000 : 6000, 0);
  }

  // ---- rendering ----
  const nodes = new Map();
  let seen = S.seq, unread = 0, isOpen = false;

  function render() {
    const keep = new Set();
    let prev = null, added = false;
    for (const e of S.log) {
      const k = e.k == 'me' ? 'm' + e.id : 's' + e.f.seq;
      if (keep.has(k)) continue;
      keep.add(k);
      let n = nodes.get(k);
      if (!n) { nodes.set(k, (n = e.k == 'me' ? mine(e) : frame(e.f))); added = true; }
      if (e.k == 'me') n.update(e);
      const next = prev ? prev.nextSibling : log.firstChild;
      if (n != next) log.insertBefore(n, next);
      prev = n;
    }
    for (const [k, n] of nodes) if (!keep.has(k)) { n.remove(); nodes.delete(k); }
    const qr = log.querySelectorAll('[part~=quick-replies]');
    qr.forEach((q, i) => (q.hidden = i < qr.length - 1 || q.parentNode != log.lastChild));
    greeting.hidden = S.log.length > 0;
    notice.textContent = cdText || micText || (!navigator.onLine ? T.offline : tries > 1 && want() ? T.reconnecting : '');
    if (voiceBtn) voiceBtn.setAttribute('aria-pressed', !!S.voice);
    announceNew();
    cartEvent();
    if (added) body.scrollTop = body.scrollHeight;
  }
  /** `aisle:cart` on the document when the last known cart changed (a reply in this tab or
   * another, a replay, the stored one on load); an empty cart when the session's was forgotten. */
  let cartSeq = 0, cartCur;
  function cartEvent() {
    if (S.cs == cartSeq) return;
    cartSeq = S.cs;
    const c = S.cart || { items: [], total: 0, currency: cartCur };
    cartCur = c.currency;
    document.dispatchEvent(new CustomEvent('aisle:cart', { detail: c, bubbles: false }));
  }
  /** Frames newer than this tab has shown: announced once, read aloud, counted as unread. */
  function announceNew() {
    if (S.seq < seen) seen = S.seq;
    const news = S.log.filter((e) => e.k == 'f' && e.f.seq > seen);
    if (!news.length) return;
    seen = S.seq;
    const f = news[news.length - 1].f;
    const say = f.type == 'reply' ? f.speech : f.type == 'status' ? statusText(f) : (f.agent ? f.agent + ': ' : '') + f.text;
    live.textContent = say;
    if (S.voice && synth && document.visibilityState == 'visible') {
      synth.cancel();
      const u = new SpeechSynthesisUtterance(say);
      u.lang = locale;
      synth.speak(u);
    }
    if (!isOpen) badge((unread += news.length));
  }
  function badge(n) {
    host.b.hidden = !n;
    host.b.textContent = n;
    launcher.setAttribute('aria-label', launcher.getAttribute('aria-label').split(' (')[0] + (n ? ' (' + fill(T.unread, n) + ')' : ''));
  }
  const statusText = (f) => fill(T[f.status] || '', f.agent || T.agent);

  /** A shopper's message, with its sending / failed / retry state. */
  function mine(e) {
    const state = h('span', { part: 'state' });
    const retry = h('button', { type: 'button' }, T.retry);
    const n = h('div', { part: 'message me' }, h('span', { class: 'sr' }, T.you), h('p', { part: 'bubble' }, ...linked(e.text)), state);
    let cur = e;
    retry.onclick = () => {
      if (cur.st == 'failed' && cur.f) {
        sent.delete(cur.id);
        mutate((s) => { s.out.push(cur.f); s.log.find((x) => x.id == cur.id).st = 'sending'; });
      }
      tries = 0;
      ws ? flush() : connect();
      render();
    };
    n.update = (e) => {
      cur = e;
      const stalled = e.st == 'sending' && (!navigator.onLine || tries > 2);
      const failed = e.st == 'failed' || stalled;
      state.className = failed ? 'failed' : '';
      state.replaceChildren(e.st == 'sent' ? '' : failed ? (e.err || (stalled ? T.notSent : T.failed)) : T.sending);
      if (failed) state.append(retry);
    };
    return n;
  }

  /** A stored server frame: reply, agent_message or status. */
  function frame(f) {
    if (f.type == 'status') return h('p', { part: 'status-line' }, statusText(f));
    const agent = f.type == 'agent_message';
    const n = h('div', { part: 'message ' + (agent ? 'agent' : 'bot'), 'data-seq': f.seq },
      agent ? h('span', { part: 'agent-name' }, f.agent || T.agent) : h('span', { class: 'sr' }, T.bot),
      h('p', { part: 'bubble' }, ...linked(f.text)));
    if (f.products && f.products.length && !f.comparison) n.append(cards(f.products));
    if (f.comparison) n.append(table(f.comparison, f.products || []));
    if (f.cart) n.append(cart(f.cart));
    if (f.order) n.append(order(f.order));
    if (f.quick_replies && f.quick_replies.length)
      n.append(h('div', { part: 'quick-replies' }, ...f.quick_replies.map((q) => {
        const b = h('button', { part: 'quick-reply', type: 'button' }, q.label);
        b.onclick = () => queue({ type: 'message', text: q.text }, q.text);
        return b;
      })));
    return n;
  }

  const action = (name, extra, label) => queue({ type: 'action', action: name, ...extra }, label);
  const button = (text, part, label, onclick) => {
    const b = h('button', { type: 'button', part, 'aria-label': label });
    b.append(text);
    b.onclick = onclick;
    return b;
  };

  /** Product cards in a horizontal carousel: buttons, scroll snapping and arrow keys. */
  function cards(list) {
    const track = h('ul', { part: 'track' }, ...list.map(card));
    const slide = (d) => track.scrollBy({ left: d * (dir == 'rtl' ? -1 : 1) * track.clientWidth * 0.8, behavior: reduced() ? 'auto' : 'smooth' });
    track.onkeydown = (e) => {
      const step = { ArrowRight: 1, ArrowLeft: -1 }[e.key] * (dir == 'rtl' ? -1 : 1);
      const li = e.target.closest('li');
      if (!step || !li) return;
      const to = step > 0 ? li.nextElementSibling : li.previousElementSibling;
      const focusables = (x) => [...x.querySelectorAll('a,button:not(:disabled)')];
      const target = to && (focusables(to)[focusables(li).indexOf(e.target)] || focusables(to)[0]);
      if (target) { e.preventDefault(); target.focus(); }
    };
    const many = list.length > 1;
    return h('div', { part: 'carousel', role: 'group', 'aria-roledescription': T.carousel, 'aria-label': T.products },
      many ? button(dir == 'rtl' ? '›' : '‹', 'prev', T.prev, () => slide(-1)) : null,
      track,
      many ? button(dir == 'rtl' ? '‹' : '›', 'next', T.next, () => slide(1)) : null);
  }
  function card(p) {
    const title = p.url ? h('a', { href: p.url, target: '_blank', rel: 'noopener' }, p.title) : h('span', {}, p.title);
    title.onclick = () => queue({ type: 'event', event: 'click', list: 'chat', product_id: p.id });
    const sale = p.list_price > p.price;
    const add = button(T.add, 'add', T.add + ': ' + p.title, () => action('add_to_cart', { product_id: p.id, quantity: 1 }, T.add + ': ' + p.title));
    add.disabled = !p.in_stock;
    return h('li', { part: 'card' },
      p.image ? h('img', { src: p.image, alt: p.title, loading: 'lazy', decoding: 'async', width: 134, height: 120 }) : null,
      title,
      p.brand ? h('p', { class: 'mu' }, p.brand) : null,
      h('p', { part: 'price' }, h('strong', {}, money(p.price, p.currency)),
        sale ? ' ' : null, sale ? h('span', { class: 'sr' }, T.was) : null, sale ? h('s', {}, money(p.list_price, p.currency)) : null),
      p.rating != null ? h('p', {}, h('span', { 'aria-hidden': 'true' }, '★ '), fill(T.rating, p.rating)) : null,
      h('p', { part: 'stock', class: p.in_stock ? '' : 'out' }, p.in_stock ? T.inStock : T.outStock),
      add,
      button(T.similar, 'similar', T.similar + ': ' + p.title, () => action('similar', { product_id: p.id }, T.similar + ': ' + p.title)));
  }

  /** The comparison as a table: one column per product, one row per attribute. */
  function table(c, products) {
    const name = (id) => (products.find((p) => p.id == id) || {}).title || id;
    return h('div', { part: 'table-wrap', role: 'group', 'aria-label': T.comparison, tabindex: 0 },
      h('table', { part: 'table' },
        h('caption', {}, c.summary),
        h('thead', {}, h('tr', {}, h('td'), ...c.products.map((id) => h('th', { scope: 'col' }, name(id))))),
        h('tbody', {}, ...c.rows.map((r) => h('tr', {}, h('th', { scope: 'row' }, r.attribute),
          ...r.values.map((v, i) => h('td', {}, v, r.best === i ? h('strong', {}, ' (' + T.best + ')') : null)))))));
  }

  /** The cart: each line with a quantity stepper (add / remove one), the total, checkout. */
  function cart(c) {
    const line = (it) => h('li', {},
      h('span', {}, it.title),
      button('−', 'less', T.less + ' ' + it.title, () => action('remove_from_cart', { product_id: it.product_id, quantity: 1 }, T.less + ' ' + it.title)),
      h('span', { part: 'qty' }, h('span', { class: 'sr' }, T.qty + ' '), it.quantity),
      button('+', 'more', T.more + ' ' + it.title, () => action('add_to_cart', { product_id: it.product_id, quantity: 1 }, T.more + ' ' + it.title)),
      h('span', { class: 'mu' }, '× ' + money(it.price, c.currency)));
    return h('div', { part: 'cart', role: 'group', 'aria-label': T.cart },
      h('h3', {}, T.cart),
      c.items.length ? h('ul', {}, ...c.items.map(line)) : h('p', {}, T.empty),
      h('p', {}, h('strong', {}, T.total + ' ' + money(c.total, c.currency))),
      c.items.length ? button(T.checkout, 'checkout', null, () => action('checkout', {}, T.checkout)) : null);
  }

  /** An order: its status, items, timeline and tracking. */
  function order(o) {
    const st = (s) => T.st[s] || s;
    // An order names no currency: the one of the conversation's last prices.
    const known = S.log.map((e) => e.f && (e.f.cart || (e.f.products || [])[0])).filter(Boolean).pop();
    const price = (v) => (known ? money(v, known.currency) : v.toLocaleString(locale));
    const head = fill(T.order, o.order_id);
    return h('div', { part: 'order', role: 'group', 'aria-label': head },
      h('h3', {}, head + ' · ' + st(o.status)),
      h('p', { class: 'mu' }, fill(T.placed, date(o.placed_at))),
      h('ul', {}, ...o.items.map((i) => h('li', {}, i.quantity + ' × ' + i.title + ' — ' + price(i.price)))),
      h('ol', { part: 'timeline' }, ...o.timeline.map((t) => h('li', {}, st(t.status) + ' — ' + date(t.at, 1)))),
      o.tracking ? h('p', {}, fill(T.tracking, o.carrier || '', o.tracking)) : null,
      o.estimated_delivery ? h('p', {}, fill(T.eta, date(o.estimated_delivery))) : null);
  }

  // ---- composer, voice, keys ----
  form.onsubmit = (e) => {
    e.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = '';
    queue({ type: 'message', text }, text);
  };
  input.oninput = () => {
    if (ready && S.sid && Date.now() - lastTyping > 2000) { lastTyping = Date.now(); ws.send(J({ type: 'typing' })); }
  };
  let rec = null;
  if (mic) mic.onclick = () => {
    if (rec) return rec.stop();
    rec = new Rec();
    rec.lang = locale;
    rec.interimResults = true;
    rec.onresult = (e) => {
      input.value = [...e.results].map((r) => r[0].transcript).join('');
      if (e.results[e.results.length - 1].isFinal) form.requestSubmit();
    };
    rec.onerror = (e) => {
      micText = { 'not-allowed': T.micDenied, 'service-not-allowed': T.micDenied, 'no-speech': T.micSilence, network: T.micNetwork, 'audio-capture': T.micMissing }[e.error] || T.micFailed;
      render();
    };
    rec.onend = () => { rec = null; mic.setAttribute('aria-pressed', 'false'); };
    micText = '';
    mic.setAttribute('aria-pressed', 'true');
    rec.start();
    render();
  };
  if (voiceBtn) voiceBtn.onclick = () => { mutate((s) => (s.voice = !s.voice)); S.voice || synth.cancel(); };
  if (closeBtn) closeBtn.onclick = () => close(true);
  panel.onkeydown = (e) => { if (e.key == 'Escape' && !inline) close(true); };

  // The mobile sheet follows the visual viewport, so the on-screen keyboard never covers it.
  const vv = window.visualViewport;
  const sheetQuery = matchMedia('(max-width: 480px)');
  const ride = () => {
    const on = vv && sheetQuery.matches && !inline;
    panel.style.height = on ? vv.height + 'px' : '';
    panel.style.top = on ? vv.offsetTop + 'px' : '';
  };
  if (vv) { vv.addEventListener('resize', ride); vv.addEventListener('scroll', ride); }

  addEventListener('storage', (e) => {
    if (e.key != key) return;
    const sid = S.sid;
    S = load();
    if (sid != S.sid) { drop(); connect(); }
    render();
  });
  addEventListener('online', wake);
  addEventListener('offline', render);
  addEventListener('focus', wake);
  document.addEventListener('visibilitychange', () => document.visibilityState == 'visible' && wake());

  function open() {
    isOpen = true;
    panel.hidden = false;
    launcher.setAttribute('aria-expanded', 'true');
    badge((unread = 0));
    ride();
    body.scrollTop = body.scrollHeight;
    input.focus();
    connect();
  }
  function close(refocus) {
    if (inline) return;
    isOpen = false;
    panel.hidden = true;
    launcher.setAttribute('aria-expanded', 'false');
    if (refocus) launcher.focus();
  }

  render();
  connect();
  return {
    open,
    close,
    toggle: () => (isOpen ? close(true) : open()),
    /** Logout: forget the session, its transcript, outbox and token (in every tab). */
    reset() {
      drop();
      clearTimeout(timer);
      clearInterval(cd);
      cd = 0;
      cdText = micText = '';
      localStorage.removeItem(key);
      S = fresh();
      seen = 0;
      badge((unread = 0));
      render();
    },
    /** Login: the token goes in the next `hello`; an open connection says hello again. */
    setToken(t) {
      if (S.token == t) return;
      mutate((s) => (s.token = t));
      if (ws) { drop(); connect(); }
    },
    /** `track({event: 'view_product', product_id})`: an `event` frame, kept in the outbox until sent. */
    track(ev) {
      if (ev && ev.event) queue({ ...ev, type: 'event' });
    },
    /** `send(text)`: the shopper's message, as if typed. */
    send(text) {
      if ((text = String(text || '').trim())) queue({ type: 'message', text }, text);
    },
    /** `action({action: 'add_to_cart', product_id, quantity?, label?})`: an `action` frame, as a
     * widget button sends it; `label` is the shopper's line in the transcript (default: the
     * action's button text, else its name). */
    action(a) {
      if (!a || !a.action) return;
      const { label, ...f } = a;
      queue({ ...f, type: 'action' }, label || T[{ add_to_cart: 'add', similar: 'similar', checkout: 'checkout', view_cart: 'cart' }[a.action]] || a.action);
    },
  };
}

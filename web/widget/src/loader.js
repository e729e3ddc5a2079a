/**
 * aisle chat widget — the loader (built into `web/widget/aisle.js`, the one file a shop embeds).
 *
 * Defines `<aisle-chat>`: an open shadow root holding the launcher button and its unread badge,
 * and the queued `window.aisle(command, argument)` API (open, close, toggle, reset, setToken,
 * track, send, action). Everything else — the panel, the connection, the outbox — is in `panel.<hash>.js`,
 * imported on the first open, or at once when this browser already has a conversation with
 * the server (so it resumes, keeps the tabs in step and counts unread replies).
 *
 * Budget: ≤ 2 KB gzipped. No framework, no innerHTML, styles through a constructable sheet.
 */

/* global __PANEL__ */
const SCRIPT = import.meta.url;
const LABEL = { en: 'Chat with us', ar: 'تحدث معنا', hi: 'हमसे बात करें' };
const CSS = `:host{position:fixed;bottom:16px;right:16px;z-index:var(--aisle-z,2147483000);font:var(--aisle-font,15px/1.4 system-ui,sans-serif);color:var(--aisle-text,#1f1f1f)}
:host([position=left]){right:auto;left:16px}
:host([inline]){position:relative;display:block;bottom:auto;right:auto;left:auto;z-index:auto}
[part=launcher]{position:relative;width:56px;height:56px;border:0;border-radius:50%;background:var(--aisle-accent,#0b57d0);color:var(--aisle-accent-text,#fff);box-shadow:0 4px 14px #0004;cursor:pointer;display:grid;place-items:center}
[part=launcher]:focus-visible{outline:3px solid var(--aisle-focus,#1f1f1f);outline-offset:3px}
[part=launcher] svg{width:28px;height:28px;fill:currentColor}
[part=badge]{position:absolute;top:-4px;right:-4px;min-width:20px;height:20px;padding:0 5px;box-sizing:border-box;border-radius:10px;background:var(--aisle-badge,#b3261e);color:#fff;font-size:12px;line-height:20px}
[hidden]{display:none!important}`;

const el = (tag, attrs, parent) => {
  const e = document.createElement(tag);
  for (const k in attrs) e.setAttribute(k, attrs[k]);
  return parent ? parent.appendChild(e) : e;
};

class AisleChat extends HTMLElement {
  connectedCallback() {
    if (this.l) return;
    const root = this.attachShadow({ mode: 'open' });
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    root.adoptedStyleSheets = [sheet];
    this.server = new URL(this.getAttribute('server') || SCRIPT).origin;
    this.key = 'aisle:' + this.server;
    const lang = (this.getAttribute('locale') || document.documentElement.lang || navigator.language || 'en').split('-')[0];
    this.locale = LABEL[lang] ? lang : 'en';
    this.dir = this.locale == 'ar' ? 'rtl' : 'ltr';
    const b = (this.l = el('button', { part: 'launcher', type: 'button', 'aria-expanded': 'false', 'aria-label': LABEL[this.locale] }, root));
    const svg = b.appendChild(document.createElementNS('http://www.w3.org/2000/svg', 'svg'));
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('aria-hidden', 'true');
    svg.appendChild(document.createElementNS(svg.namespaceURI, 'path')).setAttribute('d', 'M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z');
    this.b = el('span', { part: 'badge', hidden: '', 'aria-hidden': 'true' }, b);
    b.onclick = () => this.toggle();
    b.onpointerenter = b.onfocus = () => this.load();
    if (this.hasAttribute('inline')) {
      b.hidden = true;
      this.open();
    } else {
      // After the page's own modules ran (DOMContentLoaded), so their `aisle:cart` listeners
      // hear the stored cart; at once when the page has loaded already.
      const resume = () => { try { localStorage.getItem(this.key) && this.load(); } catch { /* storage blocked: load on open */ } };
      document.readyState == 'complete' ? resume() : ['DOMContentLoaded', 'load'].map((e) => addEventListener(e, resume, { once: true }));
    }
    addEventListener('storage', (e) => e.key == this.key && e.newValue && this.load());
    requestAnimationFrame(() => performance.mark('aisle:paint'));
  }
  /** Imports the panel once; resolves to its controller. */
  load() {
    return (this.p ||= import(new URL(__PANEL__, SCRIPT).href).then((m) => m.mount(this)));
  }
  open() { return this.load().then((c) => c.open()); }
  close() { return this.p && this.p.then((c) => c.close()); }
  toggle() { return this.load().then((c) => c.toggle()); }
  reset() { return this.load().then((c) => c.reset()); }
  setToken(t) { return this.load().then((c) => c.setToken(t)); }
  track(e) { return this.load().then((c) => c.track(e)); }
  send(t) { return this.load().then((c) => c.send(t)); }
  action(a) { return this.load().then((c) => c.action(a)); }
}

customElements.get('aisle-chat') || customElements.define('aisle-chat', AisleChat);

/** The element the API drives: the page's first `<aisle-chat>`, else one added to the body
 * with the `data-*` attributes of this script tag. */
const widget = () => {
  let w = document.querySelector('aisle-chat');
  if (!w) {
    w = el('aisle-chat');
    const s = [...document.scripts].find((s) => s.src == SCRIPT);
    if (s) for (const k in s.dataset) w.setAttribute(k, s.dataset[k]);
    document.body.append(w);
  }
  return w;
};

const queued = (window.aisle && window.aisle.q) || [];
window.aisle = (cmd, arg) => {
  const w = widget();
  return w[cmd] ? w[cmd](arg) : Promise.reject(new Error('aisle: unknown command ' + cmd));
};
const start = () => {
  widget();
  for (const a of queued) window.aisle(...a);
};
document.readyState == 'loading' ? addEventListener('DOMContentLoaded', start) : start();

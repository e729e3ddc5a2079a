// Shared helpers of the demo shop's pages: the queued `window.aisle` API stub (the widget
// drains `window.aisle.q` when it loads, so the shop works with or without it), JSON fetches
// from the HTTP API, price formatting, and the product card of a result grid. Every piece of
// server text is set with textContent: nothing from the server is parsed as HTML.

/** The widget's API, queued until the widget loads (the standard stub); never throws. */
export function aisle(...args) {
  window.aisle = window.aisle || function () { (window.aisle.q = window.aisle.q || []).push(arguments); };
  try {
    const result = window.aisle(...args);
    if (result && typeof result.catch === 'function') result.catch(() => {}); // e.g. an unknown command
  } catch {
    // the chat is optional: the shop works without it
  }
}

/** Resolves to whether the widget, once defined, offers `command` (e.g. `send`). */
export function chatOffers(command) {
  if (!window.customElements) return Promise.resolve(false);
  // (read the class with get(): older browsers resolve whenDefined with undefined)
  return customElements.whenDefined('aisle-chat').then(() => typeof customElements.get('aisle-chat')?.prototype[command] === 'function');
}

/** Opens the chat and, when the widget offers `send`, sends `text` as the shopper's message. */
export async function askChat(text) {
  aisle('open');
  if (await chatOffers('send')) aisle('send', text);
}

/**
 * Opens the chat and sends a protocol action (`{action: 'add_to_cart', product_id}`) through
 * the widget's `action` command; a widget without it gets `fallbackText` as a message instead.
 */
export async function chatAction(frame, fallbackText) {
  aisle('open');
  if (await chatOffers('action')) aisle('action', frame);
  else if (fallbackText && (await chatOffers('send'))) aisle('send', fallbackText);
}

// Define the stub as soon as any page module is evaluated, before the widget's module runs.
window.aisle = window.aisle || function () { (window.aisle.q = window.aisle.q || []).push(arguments); };

/** GETs (or POSTs `body` as JSON to) an API path; null on 404; throws on other failures. */
export async function api(path, { body, signal } = {}) {
  const init = body === undefined
    ? { signal }
    : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal };
  const response = await fetch(path, init);
  if (response.status === 404) return null;
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return response.json();
}

const formatters = new Map();

/** `amount` in `currency` (ISO 4217), e.g. ₹1,099; Indian digit grouping for INR. */
export function money(amount, currency = 'INR') {
  const code = currency || 'INR';
  const whole = Number.isInteger(amount);
  const key = `${code}:${whole}`;
  if (!formatters.has(key)) {
    const locale = code === 'INR' ? 'en-IN' : undefined;
    try {
      formatters.set(key, new Intl.NumberFormat(locale, { style: 'currency', currency: code, minimumFractionDigits: whole ? 0 : 2, maximumFractionDigits: 2 }));
    } catch {
      formatters.set(key, { format: (n) => `${n.toFixed(2)} ${code}` });
    }
  }
  return formatters.get(key).format(amount);
}

/** Reads a full record's price string ("1099.00 INR") as { amount, currency }. */
export function parsePrice(text) {
  if (typeof text !== 'string') return null;
  const [amount, currency] = text.trim().split(/\s+/);
  const value = Number(amount);
  return Number.isFinite(value) ? { amount: value, currency: currency || 'INR' } : null;
}

/** An element with a class and text. */
export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = text;
  return node;
}

/** The URL of a product's page in the demo shop. */
export function productUrl(id) {
  return `/web/demo/product.html?id=${encodeURIComponent(id)}`;
}

/**
 * A fixed-size image box: the image with its alt text, or a visible fallback when there is
 * no image or it fails to load (remote images may be unreachable).
 */
export function imageBox(src, alt, size = 'small') {
  const box = el('div', `thumb thumb-${size}`);
  const fallback = el('span', 'thumb-fallback', 'No image');
  fallback.setAttribute('aria-hidden', 'true');
  box.append(fallback);
  if (!src) {
    box.classList.add('no-image');
    return box;
  }
  const img = document.createElement('img');
  img.alt = alt;
  img.loading = 'lazy';
  img.decoding = 'async';
  img.referrerPolicy = 'no-referrer';
  img.addEventListener('error', () => {
    img.remove();
    box.classList.add('no-image');
    fallback.textContent = 'Image unavailable';
  });
  img.src = src;
  box.append(img);
  return box;
}

/** The price line of a card: the price now, and the struck regular price when on sale. */
export function priceLine(price, listPrice, currency) {
  const line = el('p', 'price');
  line.append(el('span', 'price-now', money(price, currency)));
  if (listPrice && listPrice > price) {
    const was = el('s', 'price-was', money(listPrice, currency));
    const label = el('span', 'visually-hidden', 'Regular price ');
    line.append(' ', label, was);
    const off = Math.round((1 - price / listPrice) * 100);
    if (off > 0) line.append(' ', el('span', 'price-off', `${off}% off`));
  }
  return line;
}

/** A ProductCard as a grid item linking to its page; its title is a heading of `level`. */
export function productCardItem(card, level = 3) {
  const item = el('li', 'card');
  item.dataset.productId = card.id;
  // The image keeps its alt text outside the link (the title is the link's text); the link's
  // ::after covers the whole card, so a click anywhere on it opens the product.
  const link = el('a', 'card-link', card.title);
  link.href = productUrl(card.id);
  const title = el(`h${level}`, 'card-title');
  title.append(link);
  item.append(imageBox(card.image, card.title), title);
  if (card.brand) item.append(el('p', 'card-brand', card.brand));
  item.append(priceLine(card.price, card.list_price, card.currency));
  const meta = el('p', 'card-meta');
  if (typeof card.rating === 'number') meta.append(el('span', 'rating', `Rated ${card.rating.toFixed(1)} of 5`));
  meta.append(el('span', card.in_stock ? 'stock in' : 'stock out', card.in_stock ? 'In stock' : 'Out of stock'));
  item.append(meta);
  if (card.reason) item.append(el('p', 'card-reason', card.reason));
  return item;
}

/** Replaces a list's children with the cards, or a message when there are none. */
export function renderCards(list, cards, emptyText, level = 3) {
  list.replaceChildren(...cards.map((card) => productCardItem(card, level)));
  if (cards.length === 0 && emptyText) list.append(el('li', 'empty', emptyText));
}

// The demo shop's header, shared by every page: the search box with autocomplete from
// `/v1/suggest` (an ARIA 1.2 combobox), the mini-cart that follows the chat's cart (the widget
// dispatches `aisle:cart` on `document` with the protocol's Cart as `detail`), and the "sign in
// as a demo customer" switch (`/v1/demo/customers`, `/v1/demo/token`, both 404 outside demo
// mode), kept in localStorage and handed to the widget with `aisle('setToken', …)`.

import { aisle, api, askChat, chatAction, el, money } from './common.js';

const CUSTOMER_KEY = 'aisle-demo:customer';

/**
 * Wires the header. `onPick(params)` receives a search the shopper chose (URLSearchParams:
 * `q`, or a `brand` / `category` from a suggestion); by default it opens the grid page.
 */
export function initHeader({ onPick } = {}) {
  const pick = onPick || ((params) => { location.href = `/?${params}`; });
  initSearchBox(pick);
  initMiniCart();
  initAccount();
}

// ---- search box and autocomplete ----

function initSearchBox(pick) {
  const form = document.getElementById('search-form');
  const input = document.getElementById('q');
  const list = document.getElementById('suggestions');
  let items = [];
  let active = -1;
  let timer = 0;
  let controller = null;

  const close = () => {
    list.hidden = true;
    list.replaceChildren();
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
    items = [];
    active = -1;
  };

  const choose = (item) => {
    close();
    const params = new URLSearchParams();
    if (item.kind === 'brand') params.append('brand', item.text);
    else if (item.kind === 'category') params.set('category', item.text);
    else { params.set('q', item.text); input.value = item.text; }
    if (item.kind === 'brand' || item.kind === 'category') input.value = '';
    pick(params);
  };

  const highlight = (index) => {
    active = index;
    [...list.children].forEach((option, i) => option.setAttribute('aria-selected', String(i === index)));
    if (index >= 0) {
      input.setAttribute('aria-activedescendant', list.children[index].id);
      list.children[index].scrollIntoView({ block: 'nearest' });
    } else {
      input.removeAttribute('aria-activedescendant');
    }
  };

  const show = (suggestions) => {
    items = suggestions;
    active = -1;
    list.replaceChildren(...suggestions.map((item, i) => {
      const option = el('li', 'suggestion');
      option.id = `suggestion-${i}`;
      option.setAttribute('role', 'option');
      option.setAttribute('aria-selected', 'false');
      option.append(el('span', 'suggestion-text', item.text));
      if (item.kind === 'brand' || item.kind === 'category') option.append(el('span', 'suggestion-kind', item.kind));
      // mousedown, so the choice happens before the input's blur closes the list
      option.addEventListener('mousedown', (event) => { event.preventDefault(); choose(item); });
      return option;
    }));
    list.hidden = suggestions.length === 0;
    input.setAttribute('aria-expanded', String(suggestions.length > 0));
  };

  const suggest = async () => {
    const q = input.value.trim();
    controller?.abort();
    if (q.length === 0) { close(); return; }
    controller = new AbortController();
    try {
      const body = await api(`/v1/suggest?q=${encodeURIComponent(q)}&limit=8`, { signal: controller.signal });
      if (input.value.trim() === q && document.activeElement === input) show(body?.items || []);
    } catch (error) {
      if (error.name !== 'AbortError') close();
    }
  };

  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(suggest, 120);
  });
  input.addEventListener('keydown', (event) => {
    if (event.key === 'ArrowDown' && items.length) {
      event.preventDefault();
      highlight((active + 1) % items.length);
    } else if (event.key === 'ArrowUp' && items.length) {
      event.preventDefault();
      highlight(active <= 0 ? items.length - 1 : active - 1);
    } else if (event.key === 'Enter' && active >= 0) {
      event.preventDefault();
      choose(items[active]);
    } else if (event.key === 'Escape') {
      close();
    }
  });
  input.addEventListener('blur', () => setTimeout(close, 0));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    close();
    const params = new URLSearchParams();
    if (input.value.trim()) params.set('q', input.value.trim());
    pick(params);
  });
}

// ---- mini-cart ----

function initMiniCart() {
  const toggle = document.getElementById('cart-toggle');
  const panel = document.getElementById('cart-panel');
  const checkout = document.getElementById('cart-checkout');

  toggle.addEventListener('click', () => {
    const open = panel.hidden;
    panel.hidden = !open;
    toggle.setAttribute('aria-expanded', String(open));
  });
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && !panel.hidden) {
      panel.hidden = true;
      toggle.setAttribute('aria-expanded', 'false');
      toggle.focus();
    }
  });
  checkout.addEventListener('click', () => chatAction({ action: 'checkout' }, 'checkout'));
  document.addEventListener('aisle:cart', (event) => renderCart(event.detail));
  renderCart(null);
}

/** Shows the chat's Cart (`{items:[{product_id,title,quantity,price}],total,currency}`). */
function renderCart(cart) {
  const items = Array.isArray(cart?.items) ? cart.items : [];
  const currency = cart?.currency || 'INR';
  const count = items.reduce((n, item) => n + (Number(item.quantity) || 0), 0);
  const total = typeof cart?.total === 'number' ? cart.total : 0;
  document.getElementById('cart-count').textContent = String(count);
  document.getElementById('cart-total').textContent = count ? money(total, currency) : '';
  document.getElementById('cart-toggle').setAttribute('aria-label', `Cart: ${count} ${count === 1 ? 'item' : 'items'}${count ? `, ${money(total, currency)}` : ''}`);
  const list = document.getElementById('cart-items');
  list.replaceChildren(...items.map((item) => {
    const row = el('li', 'cart-item');
    const link = el('a', 'cart-item-title', item.title);
    link.href = `/web/demo/product.html?id=${encodeURIComponent(item.product_id)}`;
    row.append(link, el('span', 'cart-item-qty', `× ${item.quantity}`), el('span', 'cart-item-price', money(item.price * item.quantity, currency)));
    return row;
  }));
  document.getElementById('cart-empty').hidden = items.length > 0;
  document.getElementById('cart-summary').hidden = items.length === 0;
  document.getElementById('cart-sum').textContent = money(total, currency);
  document.getElementById('cart-checkout').hidden = items.length === 0;
  if (cart) document.getElementById('cart-status').textContent = `Cart updated: ${count} ${count === 1 ? 'item' : 'items'}`;
}

// ---- demo customer sign-in ----

/** The signed-in demo customer kept in localStorage, or null (also when expired). */
export function storedCustomer() {
  try {
    const customer = JSON.parse(localStorage.getItem(CUSTOMER_KEY) || 'null');
    if (!customer?.token) return null;
    const expires = typeof customer.expires_at === 'number' ? customer.expires_at : Date.parse(customer.expires_at);
    if (Number.isFinite(expires) && expires < (expires < 1e12 ? Date.now() / 1000 : Date.now())) return null;
    return customer;
  } catch {
    return null;
  }
}

async function initAccount() {
  const account = document.getElementById('account');
  const toggle = document.getElementById('signin-toggle');
  const form = document.getElementById('signin-form');
  const select = document.getElementById('customer-select');
  const message = document.getElementById('signin-message');

  toggle.addEventListener('click', () => {
    const open = form.hidden;
    form.hidden = !open;
    toggle.setAttribute('aria-expanded', String(open));
    if (open) select.focus();
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    message.textContent = '';
    try {
      const minted = await api('/v1/demo/token', { body: { customer_id: select.value } });
      if (!minted) throw new Error('demo sign-in is off on this server');
      localStorage.setItem(CUSTOMER_KEY, JSON.stringify(minted));
      aisle('setToken', minted.token);
      form.hidden = true;
      toggle.setAttribute('aria-expanded', 'false');
      showAccount(minted);
      document.getElementById('my-orders').focus();
    } catch (error) {
      message.textContent = `Could not sign in: ${error.message}`;
    }
  });
  document.getElementById('sign-out').addEventListener('click', () => {
    localStorage.removeItem(CUSTOMER_KEY);
    aisle('reset');
    showAccount(null);
    toggle.focus();
  });
  // No orders endpoint: the chat shows them (it knows the customer from the token). No action
  // asks for orders, so a message does (worded so the assistant reads it as order status).
  document.getElementById('my-orders').addEventListener('click', () => askChat('what are my recent orders?'));

  const customer = storedCustomer();
  if (!customer) localStorage.removeItem(CUSTOMER_KEY);
  if (customer) aisle('setToken', customer.token); // a widget that kept it ignores a repeat
  showAccount(customer);

  let list = null;
  try {
    list = await api('/v1/demo/customers');
  } catch {
    list = null;
  }
  if (!list || !Array.isArray(list.customers) || list.customers.length === 0) {
    if (!customer) account.hidden = true; // not in demo mode: no sign-in switch
    toggle.hidden = true;
    return;
  }
  select.replaceChildren(...list.customers.map((c) => {
    const option = el('option', null, `${c.name} (${c.id})`);
    option.value = c.id;
    return option;
  }));
  account.hidden = false;
}

function showAccount(customer) {
  const signedIn = document.getElementById('signed-in');
  const toggle = document.getElementById('signin-toggle');
  signedIn.hidden = !customer;
  toggle.hidden = Boolean(customer);
  document.getElementById('customer-name').textContent = customer ? customer.name : '';
  if (customer) document.getElementById('account').hidden = false;
}

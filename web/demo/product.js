// The demo shop's product page (`/web/demo/product.html?id=…`): the full record from
// `/v1/products/{id}`, similar products, "goes with" from `/v1/recommendations`, and a
// `view_product` event through the widget (`aisle('track', …)`), which forwards it over the
// chat socket so that "is it in stock?" in the chat is about this product. Add to cart sends
// the protocol's `add_to_cart` action through the widget (`aisle('action', …)`): the cart is the
// chat's, and the header's mini-cart follows it through `aisle:cart`.

import { aisle, api, chatAction, chatOffers, el, imageBox, parsePrice, priceLine, renderCards } from './common.js';
import { initHeader } from './header.js';

const id = new URLSearchParams(location.search).get('id');

initHeader();
load();

async function load() {
  const article = document.getElementById('product');
  if (!id) return notFound('No product was named.');
  let record;
  try {
    record = await api(`/v1/products/${encodeURIComponent(id)}`);
  } catch {
    article.setAttribute('aria-busy', 'false');
    document.getElementById('product-title').textContent = 'The catalog could not be reached. Try again in a moment.';
    return;
  }
  if (!record) return notFound('We could not find that product.');
  aisle('track', { event: 'view_product', product_id: record.id });
  renderRecord(record);
  article.setAttribute('aria-busy', 'false');
  wireActions(record);
  loadRelated(record.id);
}

function notFound(text) {
  document.getElementById('product').setAttribute('aria-busy', 'false');
  document.getElementById('product-title').textContent = text;
  document.getElementById('product-brand').replaceChildren(linkHome('Back to all products'));
  document.title = 'Product not found · aisle demo shop';
}

function linkHome(text) {
  const link = el('a', null, text);
  link.href = '/';
  return link;
}

function renderRecord(record) {
  document.title = `${record.title} · aisle demo shop`;
  renderCrumbs(record.product_type);
  document.getElementById('product-media').replaceChildren(imageBox(record.image_link, record.title, 'large'));
  document.getElementById('product-title').textContent = record.title;
  document.getElementById('product-brand').textContent = record.brand ? `by ${record.brand}` : '';

  const regular = parsePrice(record.price);
  const sale = parsePrice(record.sale_price);
  const now = sale || regular;
  if (now) document.getElementById('product-price').replaceChildren(priceLine(now.amount, sale ? regular?.amount : null, now.currency));

  const inStock = record.availability !== 'out_of_stock';
  const stock = document.getElementById('product-stock');
  stock.textContent = inStock ? 'In stock' : 'Out of stock';
  stock.className = `stock ${inStock ? 'in' : 'out'}`;
  document.getElementById('product-rating').textContent = typeof record.rating === 'number' ? `Rated ${record.rating.toFixed(1)} of 5` : '';

  if (record.description) {
    document.getElementById('product-description').textContent = record.description;
    document.getElementById('description-section').hidden = false;
  }
  renderDetails(record);
}

function renderCrumbs(path) {
  const list = document.getElementById('crumbs');
  const items = [el('li')];
  items[0].append(linkHome('All products'));
  for (const name of (path || '').split('>').map((s) => s.trim()).filter(Boolean)) {
    const li = el('li');
    const link = el('a', null, name);
    link.href = `/?category=${encodeURIComponent(name)}`;
    li.append(link);
    items.push(li);
  }
  list.replaceChildren(...items);
}

/** The record's fields and attributes as a description list. */
function renderDetails(record) {
  const rows = [];
  const add = (term, value) => { if (value !== undefined && value !== null && value !== '') rows.push([term, String(value)]); };
  add('Category', record.product_type);
  add('Colour', record.color);
  add('Size', record.size);
  add('For', record.gender);
  add('Material', record.material);
  for (const [key, value] of Object.entries(record.attributes || {})) add(key, value);
  add('Product id', record.id);
  const list = document.getElementById('product-details');
  list.replaceChildren(...rows.map(([term, value]) => {
    const wrap = el('div', 'detail');
    wrap.append(el('dt', null, term), el('dd', null, value));
    return wrap;
  }));
  document.getElementById('details-section').hidden = rows.length === 0;
}

function wireActions(record) {
  document.getElementById('product-actions').hidden = false;
  const add = document.getElementById('add-to-cart');
  add.hidden = true; // the cart is the chat's: shown once the widget can take an action or a message
  Promise.all([chatOffers('action'), chatOffers('send')]).then(([action, send]) => {
    add.hidden = !(action || send) || record.availability === 'out_of_stock';
  });
  // The exact action for this product; an older widget gets a message instead (the page's
  // view_product made it the chat's focus, so "it" is this product).
  add.addEventListener('click', () => chatAction({ action: 'add_to_cart', product_id: record.id, quantity: 1, label: `Add to cart: ${record.title}` }, 'add it to my cart'));
  document.getElementById('ask-assistant').addEventListener('click', () => aisle('open'));
}

async function loadRelated(productId) {
  const id = encodeURIComponent(productId);
  const [similar, together] = await Promise.allSettled([
    api(`/v1/products/${id}/similar?limit=8&in_stock=true`),
    api(`/v1/recommendations?context=bought_together&product_id=${id}&limit=8`),
  ]);
  showRelated('similar', similar);
  showRelated('together', together);
}

function showRelated(name, result) {
  const products = result.status === 'fulfilled' ? result.value?.products || [] : [];
  renderCards(document.getElementById(name), products);
  document.getElementById(`${name}-section`).hidden = products.length === 0;
}

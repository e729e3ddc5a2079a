// The demo shop's catalog page (`/`): a grid of products from `/v1/search` with the query,
// facets (category drill-down, brands, price range, in stock), sorting and paging. The state
// lives in the page's URL (`?q=&brand=&category=&min_price=&max_price=&in_stock=&sort=&page=`),
// so Back, reload and shared links show the same results.

import { api, el, money, renderCards } from './common.js';
import { initHeader } from './header.js';

const PAGE_SIZE = 24;
/** The last name of a category path ("Watches > Wrist Watches" → "Wrist Watches"). */
const leaf = (path) => path.split('>').pop().trim();
const FILTER_KEYS = ['q', 'brand', 'category', 'min_price', 'max_price', 'in_stock', 'sort', 'page'];

let controller = null;

initHeader({ onPick: (params) => navigate(params) });
window.addEventListener('popstate', () => load());
wireStaticControls();
load();

/** The page's search state, from its URL. */
function state() {
  return new URLSearchParams(location.search);
}

/** Shows the results of `params` and records them in the history. */
function navigate(params) {
  params.delete('page');
  go(params);
}

function go(params) {
  const clean = new URLSearchParams();
  for (const [key, value] of params) if (FILTER_KEYS.includes(key) && value !== '') clean.append(key, value);
  const query = clean.toString();
  history.pushState(null, '', query ? `/?${query}` : '/');
  load();
}

/** A copy of the state with `change(params)` applied, back on page 1. */
function withChange(change) {
  const params = state();
  change(params);
  params.delete('page');
  return params;
}

async function load() {
  const params = state();
  const page = Math.max(1, Number(params.get('page')) || 1);
  const request = new URLSearchParams();
  for (const key of ['q', 'category', 'min_price', 'max_price', 'in_stock', 'sort']) {
    if (params.get(key)) request.set(key, params.get(key));
  }
  for (const brand of params.getAll('brand')) request.append('brand', brand);
  request.set('limit', String(PAGE_SIZE));
  request.set('offset', String((page - 1) * PAGE_SIZE));

  controller?.abort();
  controller = new AbortController();
  const results = document.getElementById('results');
  results.setAttribute('aria-busy', 'true');
  document.getElementById('q').value = params.get('q') || '';
  try {
    const body = await api(`/v1/search?${request}`, { signal: controller.signal });
    render(params, page, body);
  } catch (error) {
    if (error.name === 'AbortError') return;
    document.getElementById('results-count').textContent = 'The catalog could not be reached. Try again in a moment.';
    document.getElementById('grid').replaceChildren();
  }
  results.setAttribute('aria-busy', 'false');
}

function render(params, page, body) {
  const q = params.get('q');
  const heading = q ? `Results for “${q}”` : params.get('category') ? leaf(params.get('category')) : 'All products';
  document.getElementById('results-heading').textContent = heading;
  document.title = `${heading} · aisle demo shop`;
  const from = body.total === 0 ? 0 : (page - 1) * PAGE_SIZE + 1;
  const to = Math.min(body.total, page * PAGE_SIZE);
  let count = body.total === 0 ? 'No products match.' : `Showing ${from}–${to} of ${body.total} products`;
  if (body.dropped_words?.length) count += ` (without “${body.dropped_words.join(' ')}”)`;
  document.getElementById('results-count').textContent = count;
  document.getElementById('sort').value = params.get('sort') || 'relevance';
  renderCards(document.getElementById('grid'), body.products, 'Nothing here: try fewer filters or other words.', 2);
  renderActiveFilters(params);
  renderFacets(params, body);
  renderPager(page, body.total);
}

// ---- facets ----

function renderFacets(params, body) {
  renderCategoryFacet(params, body.facets?.category || []);
  renderBrandFacet(params, body.facets?.brand || []);
  renderPriceFacet(params, body.suggested_filters || []);
  document.getElementById('in-stock').checked = params.get('in_stock') === 'true';
}

function renderCategoryFacet(params, values) {
  const list = document.getElementById('category-values');
  const current = params.get('category');
  const items = [];
  if (current) {
    const all = facetButton('All categories', null, () => go(withChange((p) => p.delete('category'))));
    all.classList.add('facet-up');
    items.push(wrapLi(all));
    const here = el('li', 'facet-current', leaf(current));
    here.setAttribute('aria-current', 'true');
    items.push(here);
  }
  for (const { value, count } of values) {
    if (value.toLowerCase() === current?.toLowerCase()) continue;
    items.push(wrapLi(facetButton(leaf(value), count, () => go(withChange((p) => p.set('category', value))))));
  }
  if (items.length === 0) items.push(el('li', 'facet-none', 'No narrower category'));
  list.replaceChildren(...items);
}

function renderBrandFacet(params, values) {
  const list = document.getElementById('brand-values');
  const selected = params.getAll('brand');
  const shown = new Map(values.map(({ value, count }) => [value, count]));
  for (const brand of selected) if (!shown.has(brand)) shown.set(brand, null);
  list.replaceChildren(...[...shown].slice(0, 20).map(([value, count], i) => {
    const id = `brand-${i}`;
    const box = el('input');
    box.type = 'checkbox';
    box.id = id;
    box.value = value;
    box.checked = selected.some((b) => b.toLowerCase() === value.toLowerCase());
    box.addEventListener('change', () => go(withChange((p) => {
      const rest = p.getAll('brand').filter((b) => b.toLowerCase() !== value.toLowerCase());
      p.delete('brand');
      for (const b of rest) p.append('brand', b);
      if (box.checked) p.append('brand', value);
    })));
    const label = el('label', 'facet-check');
    label.htmlFor = id;
    label.append(box, el('span', 'facet-name', value));
    if (count !== null) label.append(el('span', 'facet-count', `(${count})`));
    return wrapLi(label);
  }));
  if (shown.size === 0) list.replaceChildren(el('li', 'facet-none', 'No brands'));
}

function renderPriceFacet(params, suggested) {
  document.getElementById('min-price').value = params.get('min_price') || '';
  document.getElementById('max-price').value = params.get('max_price') || '';
  const list = document.getElementById('price-suggestions');
  const caps = suggested.filter((f) => f.field === 'price' && typeof f.max_price === 'number');
  list.replaceChildren(...caps.map((f) => wrapLi(facetButton(`Under ${money(f.max_price, 'INR')}`, f.count, () =>
    go(withChange((p) => { p.set('max_price', String(f.max_price)); p.delete('min_price'); }))))));
}

function facetButton(label, count, onClick) {
  const button = el('button', 'facet-button');
  button.type = 'button';
  button.append(el('span', 'facet-name', label));
  if (count !== null && count !== undefined) button.append(el('span', 'facet-count', `(${count})`));
  button.addEventListener('click', onClick);
  return button;
}

function wrapLi(node) {
  const li = el('li');
  li.append(node);
  return li;
}

/** Chips naming each active filter, each removing it. */
function renderActiveFilters(params) {
  const chips = [];
  const chip = (label, change) => {
    const button = el('button', 'chip', label);
    button.type = 'button';
    button.setAttribute('aria-label', `Remove filter ${label}`);
    button.addEventListener('click', () => go(withChange(change)));
    chips.push(wrapLi(button));
  };
  if (params.get('q')) chip(`“${params.get('q')}”`, (p) => p.delete('q'));
  if (params.get('category')) chip(leaf(params.get('category')), (p) => p.delete('category'));
  for (const brand of params.getAll('brand')) {
    chip(brand, (p) => { const rest = p.getAll('brand').filter((b) => b !== brand); p.delete('brand'); rest.forEach((b) => p.append('brand', b)); });
  }
  if (params.get('min_price')) chip(`From ${money(Number(params.get('min_price')), 'INR')}`, (p) => p.delete('min_price'));
  if (params.get('max_price')) chip(`Up to ${money(Number(params.get('max_price')), 'INR')}`, (p) => p.delete('max_price'));
  if (params.get('in_stock') === 'true') chip('In stock', (p) => p.delete('in_stock'));
  const list = document.getElementById('active-filters');
  list.replaceChildren(...chips);
  list.hidden = chips.length === 0;
}

// ---- paging ----

function renderPager(page, total) {
  const pages = Math.max(1, Math.ceil(Math.min(total, 10000 + PAGE_SIZE) / PAGE_SIZE));
  const prev = document.getElementById('prev-page');
  const next = document.getElementById('next-page');
  prev.disabled = page <= 1;
  next.disabled = page >= pages;
  document.getElementById('page-status').textContent = `Page ${page} of ${pages}`;
  document.getElementById('pager').hidden = total <= PAGE_SIZE;
}

function wireStaticControls() {
  const turn = (delta) => {
    const params = state();
    const page = Math.max(1, (Number(params.get('page')) || 1) + delta);
    if (page === 1) params.delete('page'); else params.set('page', String(page));
    go(params);
    document.getElementById('results-heading').focus();
  };
  document.getElementById('prev-page').addEventListener('click', () => turn(-1));
  document.getElementById('next-page').addEventListener('click', () => turn(1));
  document.getElementById('sort').addEventListener('change', (event) => go(withChange((p) => {
    if (event.target.value === 'relevance') p.delete('sort'); else p.set('sort', event.target.value);
  })));
  document.getElementById('in-stock').addEventListener('change', (event) => go(withChange((p) => {
    if (event.target.checked) p.set('in_stock', 'true'); else p.delete('in_stock');
  })));
  document.getElementById('price-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const min = document.getElementById('min-price').value;
    const max = document.getElementById('max-price').value;
    go(withChange((p) => {
      if (min) p.set('min_price', min); else p.delete('min_price');
      if (max) p.set('max_price', max); else p.delete('max_price');
    }));
  });
  document.getElementById('clear-filters').addEventListener('click', () => go(new URLSearchParams()));
}

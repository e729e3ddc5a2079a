// Browser tests of the agent console (web/console/) with the chat widget on the demo page as
// the shopper, both in one Chromium against a real `aisle serve --agent-key …`: the full
// handoff (asks for a person → waiting with transcript and cart → take over, the bot silent →
// a product card → hand back → the bot answers about that product), a wrong key refused, a
// second agent refused with the owner named, a private note never reaching the shopper, a
// console that resumes after a dropped connection without duplicates, and the latency from a
// shopper's send to the console showing it (printed, not asserted).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { startServer, launchBrowser, strictPage, artifacts } from './harness.mjs';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

const KEY = 'test-agent-key-0123456789abcdef';
const LATENCY_MESSAGES = 30;

let server;
let browser;
let consoleAvailable = true;

before(async () => {
  server = await startServer({ args: ['--agent-key', KEY] });
  browser = await launchBrowser();
  consoleAvailable = (await fetch(`${server.url}/console`)).status === 200;
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

function skipWithoutConsole(t) {
  if (consoleAvailable) return false;
  t.skip('this server has no /console (built before the agent console)');
  return true;
}

/** A page in its own context (its own storage), from the harness: CSP violations and page
 * errors recorded, off-site requests kept off the network. */
async function newPage() {
  const { page, errors, violations } = await strictPage(browser, null, { viewport: { width: 1400, height: 900 } });
  page.violations = violations;
  page.pageErrors = () => errors().filter((e) => !/Failed to load resource/.test(e));
  return page;
}

/** axe-core's violations on the page (axe served from this origin, so the CSP lets it run). */
async function axeViolations(page) {
  await page.route('**/__test__/axe.min.js', (route) => route.fulfill({ contentType: 'text/javascript', body: AXE_SOURCE }));
  await page.addScriptTag({ url: '/__test__/axe.min.js' });
  const result = await page.evaluate(() => window.axe.run(document));
  return result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

// ---- the shopper: the widget on the demo page ----

async function openShopper() {
  const page = await newPage();
  await page.goto(`${server.url}/`);
  await page.evaluate(() => window.aisle('open'));
  await page.locator('aisle-chat #aisle-input').waitFor();
  return page;
}

/** How many of the widget's elements match `selector` (inside its shadow root). */
function widgetCount(page, selector) {
  return page.evaluate((s) => document.querySelector('aisle-chat').shadowRoot.querySelectorAll(s).length, selector);
}

/** Waits until the widget has more than `count` elements matching `selector`. */
function widgetMore(page, selector, count) {
  return page.waitForFunction(([s, n]) => document.querySelector('aisle-chat').shadowRoot.querySelectorAll(s).length > n,
    [selector, count], { timeout: 15000 });
}

async function shopperSays(page, text) {
  const input = page.locator('aisle-chat #aisle-input');
  await input.fill(text);
  await input.press('Enter');
}

/** Says `text` and waits for the bot's answer; returns the answer's text. */
async function shopperAsks(page, text) {
  const bots = await widgetCount(page, '[part~="bot"]');
  await shopperSays(page, text);
  await widgetMore(page, '[part~="bot"]', bots);
  return page.locator('aisle-chat [part~="bot"]').last().textContent();
}

// ---- the agents: the console ----

async function openConsole(name, key = KEY) {
  const page = await newPage();
  await page.goto(`${server.url}/console`);
  await page.locator('#agent-name').fill(name);
  await page.locator('#agent-key').fill(key);
  await page.locator('#signin-form button[type="submit"]').click();
  return page;
}

async function connected(page) {
  await page.locator('#connection[data-state="up"]').waitFor();
}

/** The inbox item of the conversation whose last message contains `text`. */
function inboxItem(page, group, text) {
  return page.locator(`#group-${group} .inbox-item`, { hasText: text });
}

test('a wrong agent key is refused, by the console and by /ws/agent', async (t) => {
  if (skipWithoutConsole(t)) return;
  const page = await openConsole('Mallory', 'not-the-key');
  try {
    await page.locator('#signin-error', { hasText: 'not accepted' }).waitFor();
    assert.equal(await page.locator('#app').isVisible(), false);
    assert.equal(await page.evaluate(() => sessionStorage.getItem('aisle-console:agent')), null);
    const raw = await page.evaluate(() => new Promise((resolve) => {
      const frames = [];
      const ws = new WebSocket(`ws://${location.host}/ws/agent`);
      ws.onopen = () => ws.send(JSON.stringify({ type: 'hello', key: 'nope', name: 'Mallory' }));
      ws.onmessage = (e) => frames.push(JSON.parse(e.data));
      ws.onclose = (e) => resolve({ frames, code: e.code });
    }));
    assert.equal(raw.code, 1008);
    assert.deepEqual(raw.frames.map((f) => [f.type, f.code]), [['error', 'unauthorized']]);
    assert.deepEqual(await page.violations(), []);
    assert.deepEqual(await axeViolations(page), [], 'the sign-in form is accessible');
  } finally {
    await page.context().close();
  }
});

test('a full handoff: waiting with transcript and cart, take over, a card, a note, hand back', async (t) => {
  if (skipWithoutConsole(t)) return;
  const dana = await openConsole('Dana');
  await connected(dana);
  const shopper = await openShopper();
  let sam;
  try {
    // the shopper shops, then asks for a person
    assert.match(await shopperAsks(shopper, 'show me analog watches'), /\S/);
    await shopperAsks(shopper, 'add the first one to my cart');
    await widgetMore(shopper, '[part="cart"]', 0);
    const cartTitle = (await shopper.locator('aisle-chat [part="cart"]').last().textContent()).trim();
    await shopperAsks(shopper, 'I want to talk to a person');
    await widgetMore(shopper, '[part="status-line"]', 0);

    // the console sees it waiting, with the transcript and the cart
    const waiting = inboxItem(dana, 'waiting', 'talk to a person');
    await waiting.waitFor();
    const sessionId = await waiting.getAttribute('data-session-id');
    await waiting.locator('button').click();
    await dana.locator('#transcript .entry-shopper', { hasText: 'show me analog watches' }).waitFor();
    await dana.locator('#transcript .entry-assistant .entry-intent', { hasText: /intent \w+ · \d+%/ }).first().waitFor();
    await dana.locator('#ctx-cart .cart-items li').first().waitFor();
    const cartLine = await dana.locator('#ctx-cart .cart-items li').first().textContent();
    assert.ok(cartTitle.includes(cartLine.replace(/^\d+ × /, '').replace(/ \(.*\)$/, '').slice(0, 20)),
      `the console's cart (${cartLine}) is the shopper's (${cartTitle})`);
    assert.equal(await dana.locator('#take-over').isEnabled(), true);
    assert.equal(await dana.locator('#send').isDisabled(), true, 'no sending before taking over');
    assert.deepEqual(await axeViolations(dana), [], 'the console with a conversation open is accessible');

    // take over: the shopper is told, and the bot stays silent
    const statusLines = await widgetCount(shopper, '[part="status-line"]');
    await dana.locator('#take-over').click();
    await dana.locator('#hand-back').waitFor();
    await dana.locator('#conversation-owner', { hasText: 'You own' }).waitFor();
    await widgetMore(shopper, '[part="status-line"]', statusLines);
    await inboxItem(dana, 'mine', '').first().waitFor();

    // a second agent sees who owns it, and the server refuses a second take over
    sam = await openConsole('Sam');
    await connected(sam);
    const samItem = sam.locator(`.inbox-item[data-session-id="${sessionId}"]`);
    await samItem.locator('button').click();
    await sam.locator('#conversation-owner', { hasText: 'Owned by Dana' }).waitFor();
    assert.equal(await sam.locator('#take-over').isDisabled(), true);
    assert.match(await samItem.textContent(), /Owned by Dana/);
    const refused = await sam.evaluate((id) => new Promise((resolve) => {
      const ws = new WebSocket(`ws://${location.host}/ws/agent`);
      ws.onopen = () => ws.send(JSON.stringify({ type: 'hello', key: JSON.parse(sessionStorage.getItem('aisle-console:agent')).key, name: 'Sam' }));
      ws.onmessage = (e) => {
        const frame = JSON.parse(e.data);
        if (frame.type === 'welcome') ws.send(JSON.stringify({ type: 'take_over', session_id: id, id: 't1' }));
        if (frame.type === 'error') { ws.close(); resolve(frame); }
      };
    }), sessionId);
    assert.equal(refused.code, 'conflict');
    assert.equal(refused.in_reply_to, 't1');
    assert.match(refused.message, /Dana/);

    // the shopper types, at a person's pace (the widget says so at most every 2 s): the console shows it
    const typed = shopper.locator('aisle-chat #aisle-input').pressSequentially('do you have something for', { delay: 130 });
    await dana.locator('#typing', { hasText: 'shopper is typing' }).waitFor();
    await typed;

    // the shopper writes: the console shows it, no bot reply comes
    const botsBefore = await widgetCount(shopper, '[part~="bot"]');
    await shopperSays(shopper, 'do you have something for my sister?');
    await dana.locator('#transcript .entry-shopper', { hasText: 'something for my sister' }).waitFor();
    await sam.locator('#transcript .entry-shopper', { hasText: 'something for my sister' }).waitFor();

    // typing reaches the shopper; the shopper's message cleared the console's typing line
    assert.equal(await dana.locator('#typing').textContent(), '');
    await dana.locator('#composer-text').pressSequentially('Let me look');
    await shopper.locator('aisle-chat [part="typing"]', { hasText: 'Dana' }).waitFor();
    await dana.locator('#composer-text').fill('');

    // a private note: agents see it, the shopper never does
    await dana.locator('#composer-text').fill('VIP: offered free gift wrap');
    await dana.locator('#add-note').click();
    const note = dana.locator('#transcript .entry-note', { hasText: 'VIP: offered free gift wrap' });
    await note.waitFor();
    assert.match(await note.textContent(), /Private note/);
    await sam.locator('#transcript .entry-note', { hasText: 'VIP: offered free gift wrap' }).waitFor();

    // a product card from a catalog search
    await dana.locator('#catalog-q').fill('bellies');
    await dana.locator('#catalog-form button[type="submit"]').click();
    const result = dana.locator('#catalog-results .result').first();
    await result.waitFor();
    const productId = await result.getAttribute('data-product-id');
    const productTitle = (await result.locator('.card-title').textContent()).trim();
    await dana.locator('#composer-text').fill('These would suit her');
    await result.locator('.send-card').click();
    const agentMessage = shopper.locator('aisle-chat [part~="agent"]', { hasText: 'These would suit her' });
    await agentMessage.waitFor();
    assert.ok((await agentMessage.textContent()).includes(productTitle), `the shopper sees the card of ${productTitle}`);
    await dana.locator(`#transcript .entry-agent .card[data-product-id="${productId}"]`).waitFor();
    assert.equal(await widgetCount(shopper, '[part~="bot"]'), botsBefore, 'the bot stayed silent while Dana owned it');

    // hand back: the shopper is told; the bot answers about the product Dana sent
    const linesBefore = await widgetCount(shopper, '[part="status-line"]');
    await dana.locator('#hand-back').click();
    await widgetMore(shopper, '[part="status-line"]', linesBefore);
    await dana.locator('#take-over').waitFor();
    const answer = await shopperAsks(shopper, 'is it in stock?');
    const named = productTitle.split(' ').slice(0, 2).join(' ');
    assert.ok(answer.includes(named), `the bot answers about ${productTitle}: ${answer}`);

    const widgetText = await shopper.evaluate(() => document.querySelector('aisle-chat').shadowRoot.textContent);
    assert.match(widgetText, /These would suit her/, 'the widget text is readable here');
    assert.ok(!widgetText.includes('VIP'), 'the private note never reached the shopper');
    for (const page of [dana, sam, shopper]) assert.deepEqual(await page.violations(), []);
    assert.deepEqual(dana.pageErrors(), []);
  } finally {
    await dana.screenshot({ path: join(artifacts, 'console-handoff.png') });
    await shopper.screenshot({ path: join(artifacts, 'console-handoff-shopper.png') });
    await sam?.context().close();
    await dana.context().close();
    await shopper.context().close();
  }
});

test('the console resumes after a dropped connection: no gap, no duplicate, no banner', async (t) => {
  if (skipWithoutConsole(t)) return;
  const page = await newPage();
  const sockets = [];
  await page.routeWebSocket(/\/ws\/agent$/, (ws) => {
    ws.connectToServer();
    sockets.push(ws);
  });
  await page.goto(`${server.url}/console`);
  await page.locator('#agent-name').fill('Rita');
  await page.locator('#agent-key').fill(KEY);
  await page.locator('#signin-form button[type="submit"]').click();
  await connected(page);
  const shopper = await openShopper();
  try {
    await shopperAsks(shopper, 'I need a human please');
    const item = inboxItem(page, 'waiting', 'human please');
    await item.waitFor();
    await item.locator('button').click();
    await page.locator('#transcript .entry-shopper', { hasText: 'human please' }).waitFor();
    const before = await page.locator('#transcript .entry').count();

    await sockets.at(-1).close({ code: 1001, reason: 'test drop' });
    await page.locator('#connection[data-state="down"]').waitFor();
    await shopperSays(shopper, 'hello, anyone there?'); // stored while the console is away
    await page.locator('#connection[data-state="up"]').waitFor();
    await page.locator('#transcript .entry-shopper', { hasText: 'anyone there' }).waitFor();
    const ids = await page.locator('#transcript .entry').evaluateAll((nodes) => nodes.map((n) => n.dataset.entryId));
    assert.equal(new Set(ids).size, ids.length, 'no entry twice');
    assert.ok(ids.length > before);
    assert.equal(sockets.length, 2, 'one reconnect');
    assert.equal(await page.getByText(/refresh/i).count(), 0, 'never a refresh banner');
  } finally {
    await shopper.context().close();
    await page.context().close();
  }
});

test(`latency: a shopper's message to the console, over ${LATENCY_MESSAGES} messages (reported)`, async (t) => {
  if (skipWithoutConsole(t)) return;
  const agent = await openConsole('Lena');
  await connected(agent);
  const shopper = await openShopper();
  try {
    await shopperAsks(shopper, 'can I speak to an agent');
    const item = inboxItem(agent, 'waiting', 'speak to an agent');
    await item.waitFor();
    await item.locator('button').click();
    await agent.locator('#take-over').click();
    await agent.locator('#hand-back').waitFor();
    await agent.evaluate(() => {
      window.__seen = {};
      new MutationObserver(() => {
        for (const node of document.querySelectorAll('#transcript .entry-shopper .entry-text')) {
          if (!(node.textContent in window.__seen)) window.__seen[node.textContent] = performance.timeOrigin + performance.now();
        }
      }).observe(document.getElementById('transcript'), { childList: true, subtree: true });
    });

    const latencies = [];
    for (let i = 0; i < LATENCY_MESSAGES; i += 1) {
      const text = `latency probe ${i}`;
      const sentAt = await shopper.evaluate((message) => {
        const root = document.querySelector('aisle-chat').shadowRoot;
        root.querySelector('#aisle-input').value = message;
        const at = performance.timeOrigin + performance.now();
        root.querySelector('form[part="composer"]').requestSubmit();
        return at;
      }, text);
      const seenAt = await (await agent.waitForFunction((m) => window.__seen[m], text)).jsonValue();
      latencies.push(seenAt - sentAt);
      // pacing, not synchronization: stay under the server's 5 messages a second per connection
      await new Promise((resolve) => setTimeout(resolve, 210));
    }
    latencies.sort((a, b) => a - b);
    const pick = (q) => latencies[Math.min(latencies.length - 1, Math.ceil(q * latencies.length) - 1)];
    const line = `console latency (shopper send → console shows it), n=${latencies.length}: p50 ${pick(0.5).toFixed(1)} ms, p99 ${pick(0.99).toFixed(1)} ms, max ${latencies.at(-1).toFixed(1)} ms`;
    console.log(line);
    t.diagnostic(line);
    assert.equal(latencies.length, LATENCY_MESSAGES);
  } finally {
    await agent.context().close();
    await shopper.context().close();
  }
});

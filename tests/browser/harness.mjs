/**
 * Shared by every browser test (widget, demo shop, agent console): start an aisle server on a
 * free port with a fresh database, launch Debian's Chromium through playwright-core (never a
 * downloaded browser), and a folder for screenshots.
 *
 *   const server = await startServer();          // { url, port, stop }
 *   const browser = await launchBrowser();
 *   const { page, violations } = await strictPage(browser, server.url + '/web/widget/example.html');
 *
 * AISLE_BIN picks the server binary (default: target/debug/aisle of this repository).
 */

import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const artifacts = join(repo, 'target', 'browser-artifacts');
mkdirSync(artifacts, { recursive: true });

/** How long a server may take to listen (the first start builds the index): a failure bound. */
const START_TIMEOUT_MS = Number(process.env.AISLE_START_TIMEOUT_MS || 240_000);

/**
 * Spawns `aisle serve` on 127.0.0.1:0 with a fresh database and resolves when it logs that it
 * is listening, with the address it logged. Rejects with the server's output if it exits
 * first or does not listen in time.
 */
export async function startServer({ args = [], env = {} } = {}) {
  const bin = process.env.AISLE_BIN || join(repo, 'target', 'debug', 'aisle');
  const dir = mkdtempSync(join(tmpdir(), 'aisle-browser-'));
  const child = spawn(bin, [
    '--log-format', 'json', 'serve',
    '--addr', '127.0.0.1:0',
    '--database', join(dir, 'aisle.db'),
    '--index-dir', join(repo, 'target', 'browser', 'index'),
    '--web-dir', join(repo, 'web'),
    ...args,
  ], { cwd: repo, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });

  let output = '';
  let stopped = false;
  const stop = async () => {
    if (!stopped) {
      stopped = true;
      if (child.exitCode === null && child.signalCode === null) {
        const gone = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const force = setTimeout(() => child.kill('SIGKILL'), 5000);
        await gone;
        clearTimeout(force);
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    const port = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`aisle did not listen within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
      const onLine = (line) => {
        let rec;
        try { rec = JSON.parse(line); } catch { return; }
        const f = rec.fields || {};
        if (f.message === 'listening' && f.addr) {
          clearTimeout(timer);
          resolve(Number(String(f.addr).split(':').pop()));
        }
      };
      let pending = '';
      const read = (chunk) => {
        output += chunk;
        pending += chunk;
        const lines = pending.split('\n');
        pending = lines.pop();
        lines.forEach(onLine);
      };
      child.stdout.setEncoding('utf8').on('data', read);
      child.stderr.setEncoding('utf8').on('data', read);
      child.once('error', (e) => { clearTimeout(timer); reject(e); });
      child.once('exit', (code, signal) => { clearTimeout(timer); reject(new Error(`aisle exited (${code ?? signal}) before listening`)); });
    });
    if (process.env.AISLE_SERVER_LOG) child.stderr.on('data', (c) => process.stderr.write(c));
    return { url: `http://127.0.0.1:${port}`, port, stop, output: () => output };
  } catch (e) {
    await stop();
    e.message += `\n--- server output ---\n${output.slice(-8000)}`;
    throw e;
  }
}

/** Debian's Chromium, headless, without its background traffic. */
export async function launchBrowser() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** A 1×1 grey PNG served for every off-site product image (the tests have no network). */
export const PIXEL = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mO89+7dfwAJZAPjgYvMZAAAAABJRU5ErkJggg==', 'base64');

/** Routes off-site images to PIXEL and aborts any other off-site request. */
export async function offline(target) {
  await target.route((u) => !/^https?:\/\/127\.0\.0\.1[:/]/.test(u.href), (route) =>
    route.request().resourceType() === 'image' ? route.fulfill({ contentType: 'image/png', body: PIXEL }) : route.abort());
}

/**
 * A new page (in a new context unless `context` is given) that records every
 * `securitypolicyviolation`, page error and console error from before the first script runs.
 * `violations()`, `errors()` read them back.
 */
export async function strictPage(browser, url, { context, viewport, ...options } = {}) {
  const ctx = context || (await browser.newContext({ viewport: viewport || { width: 1280, height: 800 }, ...options }));
  if (!context) await offline(ctx);
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      window.__cspViolations.push({ directive: e.violatedDirective, blocked: e.blockedURI, sample: e.sample, source: e.sourceFile, line: e.lineNumber }));
  });
  let response = null;
  if (url) response = await page.goto(url);
  return {
    page,
    context: ctx,
    response,
    errors: () => errors,
    violations: () => page.evaluate(() => window.__cspViolations),
  };
}

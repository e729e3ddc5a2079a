/**
 * Builds the chat widget from web/widget/src/ into web/widget/: `panel.<hash>.js` (the panel,
 * named by the first 8 hex digits of its content's SHA-256) and `aisle.js` (the loader, which
 * imports the panel by that name). Deterministic: the same sources and esbuild version give
 * the same bytes, and widget.test.mjs fails when the committed files differ from a fresh build.
 *
 *   node tests/browser/build-widget.mjs        # write web/widget/aisle.js and panel.<hash>.js
 *   import { buildWidget } from './build-widget.mjs'   # the files in memory, for the tests
 */

import { createHash } from 'node:crypto';
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';

export const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const widgetDir = join(repo, 'web', 'widget');
const src = join(widgetDir, 'src');

/** Browsers with constructable stylesheets, `||=` and dynamic import. */
const TARGET = ['chrome100', 'firefox101', 'safari16.4'];

/** `import CSS from './x.css'`: the sheet minified, as a string. */
const cssText = {
  name: 'css-text',
  setup(build) {
    build.onLoad({ filter: /\.css$/ }, async (args) => {
      const { readFile } = await import('node:fs/promises');
      const css = await esbuild.transform(await readFile(args.path, 'utf8'), { loader: 'css', minify: true, target: TARGET });
      return { contents: `export default ${JSON.stringify(css.code.trim())};`, loader: 'js' };
    });
  },
};

async function bundle(entry, define = {}) {
  const out = await esbuild.build({
    entryPoints: [join(src, entry)],
    bundle: true,
    format: 'esm',
    minify: true,
    write: false,
    charset: 'utf8',
    legalComments: 'none',
    target: TARGET,
    define,
    plugins: [cssText],
    logLevel: 'silent',
  });
  return out.outputFiles[0].text;
}

/** The built files: `{ 'aisle.js': text, 'panel.<hash>.js': text }`. */
export async function buildWidget() {
  const panel = await bundle('panel.js');
  const panelName = `panel.${createHash('sha256').update(panel).digest('hex').slice(0, 8)}.js`;
  const loader = await bundle('loader.js', { __PANEL__: JSON.stringify('./' + panelName) });
  return { 'aisle.js': loader, [panelName]: panel };
}

/** The built files now in web/widget/ (the loader and every hashed panel). */
export function builtNames() {
  return readdirSync(widgetDir).filter((n) => n == 'aisle.js' || /^panel\.[0-9a-f]{8}\.js$/.test(n));
}

export const gz = (text) => gzipSync(Buffer.from(text), { level: 9 }).length;

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const files = await buildWidget();
  for (const old of builtNames()) if (!(old in files)) rmSync(join(widgetDir, old));
  for (const [name, text] of Object.entries(files)) {
    writeFileSync(join(widgetDir, name), text);
    console.log(`${name}: ${Buffer.byteLength(text)} bytes, ${gz(text)} gzipped`);
  }
}

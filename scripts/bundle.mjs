// The command line as one file: `npm run build` runs this after tsc. It bundles tsc's
// dist/src/cli-main.js, with every module of ours it imports, statically or on first use (the rules
// through rules/_index.ts, the formatters, --fix, the language server, the rule docs), into one
// CommonJS file, dist/src/cli-main.cjs, which dist/src/cli.js (src/cli.ts, bundled too) compiles
// through the code cache and runs; and the parse worker into one ES module, in place. Packages stay
// in node_modules. Every other module stays as tsc wrote it: tests import those.
//
// Why: a one-file check spent about as long loading some fifty ES modules (resolving, reading and
// linking each) as checking. One file loads faster, and as CommonJS it can be compiled through V8's
// code cache, which Node 20 offers for no ES module: from the second run on, its functions come
// compiled (see src/cli.ts). The bundles sit in dist/src, so paths taken from import.meta.url (the
// project root, rules/, the parse worker) are what they are for tsc's files; in the CommonJS bundle,
// import.meta.url is the bundle's own URL.
//
// The packages loaded on first use (js-yaml, yaml, ajv; the last two are published as many modules)
// are also bundled, each into one CommonJS file, dist/src/vendor-<name>.cjs, headed by the versions
// and license texts of the packages in it; src/vendor.ts loads them (see there for why).

import { build } from 'esbuild';
import { mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

const root = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..');
const src = join(root, 'dist', 'src');

/** Files of earlier builds that this one no longer writes: the chunks of the ES-module bundle. */
const STALE = /^cli-[\w-]+-[A-Z0-9]{8}\.js$/;
for (const f of readdirSync(src)) if (STALE.test(f)) rmSync(join(src, f));

const common = { bundle: true, platform: 'node', target: 'node20', packages: 'external', logLevel: 'warning', minify: false };
// Keep tsc's line breaks and names (minify: false): stack traces and profiles stay readable.
const tmp = mkdtempSync(join(tmpdir(), 'kube-preflight-bundle-'));
try {
  // import.meta.url, as CommonJS has it: the URL of the file running (esbuild's documented shim).
  const shim = join(tmp, 'import-meta-url.js');
  writeFileSync(shim, 'export const importMetaUrl = require("node:url").pathToFileURL(__filename).href;\n');
  await build({
    ...common,
    entryPoints: [join(src, 'cli-main.js')],
    outfile: join(src, 'cli-main.cjs'),
    format: 'cjs',
    define: { 'import.meta.url': 'importMetaUrl' },
    inject: [shim],
  });
  // Written to a temporary directory first: each bundle replaces the tsc module it is built from.
  // The launcher's import of tsc's cli-main.js (used only without the CommonJS bundle) stays one.
  const launcher = { name: 'launcher', setup: (b) => b.onResolve({ filter: /^\.\/cli-main\.js$/ }, (a) => ({ path: a.path, external: true })) };
  for (const name of ['cli.js', 'parse-worker.js']) {
    await build({ ...common, entryPoints: [join(src, name)], outfile: join(tmp, name), format: 'esm', plugins: [launcher] });
    renameSync(join(tmp, name), join(src, name));
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

const require = createRequire(join(root, 'package.json'));
/** A package's name, version and license notice, for a bundle's header. */
function notice(dir) {
  const { name, version, license } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const file = readdirSync(dir).find((f) => /^licen[cs]e(\.md|\.txt)?$/i.test(f));
  const text = file ? readFileSync(join(dir, file), 'utf8').trim() : `${license} (no license file in the package)`;
  return [`${name}@${version} (${license}):`, '', ...text.split('\n')].map((l) => ` * ${l}`.trimEnd()).join('\n');
}
/**
 * What a bundle adds to its package's exports. ajv's standalone code generator (src/crd-schema.ts)
 * must share the codegen classes of the ajv that compiled the schema, so it goes in the same bundle.
 */
const EXTRA = {
  ajv: 'Object.defineProperty(module.exports, "standaloneCode", { value: require("ajv/dist/standalone").default });',
};
for (const name of ['js-yaml', 'yaml', 'ajv']) {
  const options = {
    stdin: { contents: `module.exports = require(${JSON.stringify(name)});\n${EXTRA[name] ?? ''}`, resolveDir: root, loader: 'js' },
    absWorkingDir: root,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    logLevel: 'warning',
    minify: false,
  };
  // First learn which packages go in (ajv brings three of its own), to name each with its license.
  const { metafile } = await build({ ...options, write: false, metafile: true });
  const dirs = new Set();
  for (const input of Object.keys(metafile.inputs)) {
    const m = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (m) dirs.add(join(root, m[1]));
  }
  const header = [`/*!`, ` * Bundled by scripts/bundle.mjs from node_modules: ${name} and what it requires.`, ...[...dirs].sort().map((d) => ` *\n${notice(d)}`), ' */'].join('\n');
  await build({ ...options, outfile: join(src, `vendor-${name}.cjs`), banner: { js: header } });
}

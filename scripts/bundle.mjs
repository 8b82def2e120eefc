// The command line as one module: `npm run build` runs this after tsc. It bundles dist/src/cli.js
// and dist/src/parse-worker.js (tsc's output) with every module of ours they import, statically or
// on first use, and writes the bundles back in their place, with the parts loaded on first use (the
// language server, the formatters, --fix, the rule docs) and the parts both share split into
// chunks beside them. Packages stay in node_modules.
//
// Why: a one-file check spent about as long loading some fifty ES modules (resolving, reading and
// linking each) as checking; a dozen load in well under half that time (`npm run bench`, single
// file). Chunks sit in dist/src, so paths taken from import.meta.url (the project root, rules/, the
// parse worker) are what they are for tsc's files. Every other module stays as tsc wrote it: tests
// import those.
//
// The packages loaded on first use (js-yaml, yaml, ajv; the last two are published as many modules)
// are also bundled, each into one CommonJS file, dist/src/vendor-<name>.cjs, headed by the versions
// and license texts of the packages in it; src/vendor.ts loads them (see there for why).

import { build } from 'esbuild';
import { mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

const root = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..');
const src = join(root, 'dist', 'src');
/** Chunks of an earlier bundle: `cli-<name>-<hash>.js`. */
const CHUNK = /^cli-[\w-]+-[A-Z0-9]{8}\.js$/;

const out = mkdtempSync(join(tmpdir(), 'kube-preflight-bundle-'));
try {
  await build({
    entryPoints: [join(src, 'cli.js'), join(src, 'parse-worker.js')],
    outdir: out,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    chunkNames: 'cli-[name]-[hash]',
    logLevel: 'warning',
    // Keep tsc's line breaks and names: stack traces and profiles stay readable.
    minify: false,
  });
  for (const f of readdirSync(src)) if (CHUNK.test(f)) rmSync(join(src, f));
  for (const f of readdirSync(out)) renameSync(join(out, f), join(src, f));
} finally {
  rmSync(out, { recursive: true, force: true });
}

const require = createRequire(join(root, 'package.json'));
/** A package's name, version and license notice, for a bundle's header. */
function notice(dir) {
  const { name, version, license } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const file = readdirSync(dir).find((f) => /^licen[cs]e(\.md|\.txt)?$/i.test(f));
  const text = file ? readFileSync(join(dir, file), 'utf8').trim() : `${license} (no license file in the package)`;
  return [`${name}@${version} (${license}):`, '', ...text.split('\n')].map((l) => ` * ${l}`.trimEnd()).join('\n');
}
for (const name of ['js-yaml', 'yaml', 'ajv']) {
  const options = {
    stdin: { contents: `module.exports = require(${JSON.stringify(name)});`, resolveDir: root, loader: 'js' },
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

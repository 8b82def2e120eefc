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

import { build } from 'esbuild';
import { mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
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

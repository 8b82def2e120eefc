// The command line ships bundled (scripts/bundle.mjs, run by `npm run build`): a one-file check
// loads a dozen modules instead of some fifty. These tests check that dist/src/cli.js (and the parse
// worker it starts) are those bundles, and that they report exactly what tsc's modules report; and
// that js-yaml, yaml and ajv load from their own one-file bundles.

import t from 'tap';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../src/run.js';
import { stream } from '../src/formatters/json.js';
import { CLI, ROOT } from './helpers/harness.js';
import { createRequire } from 'node:module';
import { loadVendored, VENDORED } from '../src/vendor.js';

const CHUNK = /^\.\/cli-[\w-]+-[A-Z0-9]{8}\.js$/;

/** The relative modules a built file imports, statically or on first use. */
function relativeImports(file: string): string[] {
  // esbuild's comments name the imports it replaced (`// import("./**/*.js") in ...`): not code.
  const text = readFileSync(file, 'utf8').replace(/^\s*\/\/.*$/gm, '');
  return [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)"(\.[^"]+)"/g)].map((m) => m[1]!);
}

t.test('dist/src/cli.js and the parse worker are bundles: they import only chunks, never the modules tsc wrote', async (t) => {
  const worker = join(ROOT, 'dist', 'src', 'parse-worker.js');
  const direct = [...relativeImports(CLI), ...relativeImports(worker)];
  t.ok(relativeImports(CLI).length > 0 && relativeImports(worker).length > 0, 'both entries import chunks');
  const seen = new Set<string>();
  const queue = [...direct];
  while (queue.length > 0) {
    const spec = queue.shift()!;
    if (seen.has(spec)) continue;
    seen.add(spec);
    t.match(spec, CHUNK, `${spec} is a chunk of the bundle`);
    const file = join(ROOT, 'dist', 'src', spec.slice(2));
    t.ok(existsSync(file), `${spec} exists`);
    if (existsSync(file)) queue.push(...relativeImports(file));
  }
  // The rules travel in the bundle (through rules/_index.ts), not from dist/rules.
  const all = [...seen].map((s) => readFileSync(join(ROOT, 'dist', 'src', s.slice(2)), 'utf8')).join('\n');
  t.match(all, /meta:\s*\{\s*id:\s*"hostport-conflict"/, 'the rules are in the bundle');
  t.notMatch(all, /\.\.\/rules\/[\w-]+\.js/, 'no chunk imports a rule module from dist/rules');
});

t.test('the bundle reports exactly what the modules report', async (t) => {
  for (const dir of ['examples', 'test/corpus-sample']) {
    const cli = spawnSync(process.execPath, [CLI, dir, '--format', 'json'], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 28 });
    t.equal(cli.status, 1, `${dir}: the bundle exits 1 (errors found)`);
    const outcome = await run({ cwd: ROOT, paths: [dir] });
    const parts: string[] = [];
    stream(outcome.result, { rules: [], color: false, toolVersion: '', cwd: ROOT }, (s) => parts.push(s));
    const modules = parts.join('');
    t.ok(JSON.parse(modules).findings.length > 0, `${dir}: there are findings to compare`);
    t.equal(cli.stdout, modules, `${dir}: same JSON report, byte for byte`);
  }
});

t.test('js-yaml, yaml and ajv load from their one-file bundles (scripts/bundle.mjs, src/vendor.ts), through the code cache', async (t) => {
  // In a process of its own: tap itself loads yaml into this one.
  const cacheRoot = mkdtempSync(join(tmpdir(), 'kp-vendor-cache-'));
  t.teardown(() => rmSync(cacheRoot, { recursive: true, force: true }));
  const script = `
    import { createRequire } from 'node:module';
    const { run } = await import(${JSON.stringify(join(ROOT, 'dist', 'src', 'run.js'))});
    const { vendorLoaded } = await import(${JSON.stringify(join(ROOT, 'dist', 'src', 'vendor.js'))});
    const { codeCacheStats } = await import(${JSON.stringify(join(ROOT, 'dist', 'src', 'code-cache.js'))});
    const cache = createRequire(import.meta.url).cache;
    const before = [...Object.keys(cache), ...[...vendorLoaded.values()].map((v) => v.file)];
    // A syntax error (the precise parse) and a custom resource checked against its CRD (ajv).
    const outcome = await run({ cwd: ${JSON.stringify(ROOT)}, paths: ['fixtures/parse-error/broken-document.yaml', 'fixtures/schema'] });
    console.log(JSON.stringify({ before, modules: Object.keys(cache), vendor: Object.fromEntries(vendorLoaded), hits: codeCacheStats.hits, findings: outcome.result.findings }));`;
  const runChild = () => {
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 26, env: { ...process.env, NODE_COMPILE_CACHE: cacheRoot } });
    t.equal(child.status, 0, child.stderr || 'the run in its own process exits 0');
    return JSON.parse(child.stdout) as { before: string[]; modules: string[]; vendor: Record<string, { file: string; cached: boolean }>; hits: number; findings: Array<{ ruleId: string; message: string }> };
  };
  const first = runChild();
  t.notOk(first.before.some((f) => /vendor-(yaml|ajv)\.cjs$|node_modules\/(yaml|ajv)\//.test(f)), 'neither is loaded before a run needs it');
  t.ok(first.findings.some((f) => f.ruleId === 'parse-error') && first.findings.some((f) => f.ruleId === 'schema' && /CustomResourceDefinition/.test(f.message)), 'the run needed both');
  for (const [name, file] of Object.entries(VENDORED)) {
    t.same(first.vendor[name], { file: join(ROOT, file), cached: false }, `${name} came from ${file}, compiled (an empty cache)`);
    t.notOk(first.modules.some((f) => f.includes(`/node_modules/${name}/`)), `nothing of node_modules/${name} was loaded`);
    const { version } = JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string };
    t.match(readFileSync(join(ROOT, file), 'utf8').slice(0, 8192), new RegExp(`^ \\* ${name}@${version.replace(/\./g, '\\.')} \\(`, 'm'), `${file} is ${name}@${version}, what node_modules has, with its license`);
  }
  t.match(readFileSync(join(ROOT, VENDORED.ajv), 'utf8').slice(0, 16384), /^ \* fast-uri@[\d.]+ \(BSD-3-Clause\):$/m, 'a package a bundle took in is named with its license too');
  // The first run made the bundles' cache entries (with the validators'); the second is served them.
  const second = runChild();
  t.same(second.findings, first.findings, 'a second run reports the same');
  const entries = readdirSync(join(cacheRoot, 'kube-preflight', `${process.version}-${process.arch}`));
  t.ok(entries.length >= 3 && entries.every((e) => e.endsWith('.run.bin')), 'the first run left complete entries');
  t.ok(second.hits >= entries.length, `the second run was served every entry (${second.hits} hits)`);
  for (const [name, file] of Object.entries(VENDORED)) t.same(second.vendor[name], { file: join(ROOT, file), cached: true }, `${name}'s compiled code came from the cache`);
  // Without a bundle (a build that stopped after tsc), the package itself.
  t.equal(loadVendored('yaml', join(ROOT, 'no-such-dir')), createRequire(join(ROOT, 'package.json'))('yaml'), 'no bundle: node_modules/yaml');
});

// The command line ships bundled (scripts/bundle.mjs, run by `npm run build`): dist/src/cli.js is a
// launcher that compiles one CommonJS file, dist/src/cli-main.cjs, through the code cache, and the
// parse worker is one ES module. These tests check that those are the bundles, that they report
// exactly what tsc's modules report, that the launcher is served the bundle's code from the cache,
// and that js-yaml, yaml and ajv load from their own one-file bundles.

import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../src/run.js';
import { stream } from '../src/formatters/json.js';
import { CLI, ROOT } from './helpers/harness.js';
import { createRequire } from 'node:module';
import { loadVendored, VENDORED } from '../src/vendor.js';

const MAIN = join(ROOT, 'dist', 'src', 'cli-main.cjs');
const WORKER = join(ROOT, 'dist', 'src', 'parse-worker.js');

/** The relative modules a built file imports or requires, statically or on first use. */
function relativeImports(file: string): string[] {
  // esbuild's comments and keys name the imports it replaced (`'import("./**/*.js") in ...'`): not code.
  const text = readFileSync(file, 'utf8').replace(/^\s*\/\/.*$/gm, '').replace(/'import\("[^"]*"\) in [^']*'/g, '');
  return [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|\brequire\s*\(\s*)"(\.[^"]+)"/g)].map((m) => m[1]!);
}

t.test('dist/src/cli.js launches one CommonJS bundle of the command line; the parse worker is one file', async (t) => {
  t.same(relativeImports(CLI), ['./cli-main.js'], "the launcher imports only tsc's command line (used when there is no bundle)");
  t.match(readFileSync(CLI, 'utf8'), /new URL\("\.\/cli-main\.cjs", import\.meta\.url\)/, 'and runs dist/src/cli-main.cjs');
  t.same(relativeImports(MAIN), [], 'the command line imports or requires no module of ours: all are in it');
  t.same(relativeImports(WORKER), [], 'nor does the parse worker');
  const main = readFileSync(MAIN, 'utf8');
  // The rules travel in the bundle (through rules/_index.ts), and so do the parts loaded on first use.
  t.match(main, /meta:\s*\{\s*id:\s*"hostport-conflict"/, 'the rules are in the bundle');
  t.match(main, /function startServer\(/, 'the language server is in the bundle');
  t.match(main, /var init_junit = __esm\(/, 'the formatters are in the bundle');
  t.notMatch(main, /\bimport\.meta\b/, 'import.meta, which CommonJS lacks, is replaced');
  t.match(readFileSync(WORKER, 'utf8'), /meta:\s*\{\s*id:\s*"schema"/, 'the worker has the rules it prepares for');
});

t.test('the launcher is served the bundle compiled from the code cache, and lends it import() for yargs', async (t) => {
  const cacheRoot = mkdtempSync(join(tmpdir(), 'kp-cli-cache-'));
  t.teardown(() => rmSync(cacheRoot, { recursive: true, force: true }));
  const dir = join(cacheRoot, 'kube-preflight', `${process.version}-${process.arch}`);
  // --version goes to yargs (an ES module only: the bundle cannot import() it by itself) and loads
  // nothing but the command line, so the one entry made is the bundle's.
  const version = () => spawnSync(process.execPath, [CLI, '--version'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NODE_COMPILE_CACHE: cacheRoot } });
  const first = version();
  t.equal(first.status, 0, first.stderr || '--version exits 0');
  t.equal(first.stdout.trim(), (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version, 'yargs printed the version');
  const entries = readdirSync(dir).filter((f) => f.endsWith('.bin')); // not the pruning's marker
  t.equal(entries.length, 1, 'one entry, the bundle');
  t.match(entries[0], /^[0-9a-f]{40}\.run\.bin$/, 'made at exit, with the functions that ran');
  const made = statSync(join(dir, entries[0]!), { bigint: true }).mtimeNs;
  await new Promise((r) => setTimeout(r, 20));
  const second = version();
  t.equal(second.stdout, first.stdout, 'the second run prints the same');
  t.same(readdirSync(dir).filter((f) => f.endsWith('.bin')), entries, 'and makes no other entry');
  // A rejected entry would be compiled again, and written again at exit.
  t.equal(statSync(join(dir, entries[0]!), { bigint: true }).mtimeNs, made, 'it was served the entry, and left it as it was');
});

t.test("without the CommonJS bundle (a build that stopped after tsc), the launcher imports tsc's module", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kp-launcher-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'cli.js'), readFileSync(CLI));
  writeFileSync(join(dir, 'package.json'), '{"type": "module"}\n');
  writeFileSync(join(dir, 'cli-main.js'), 'export function runCommandLine() { console.log("tsc module"); }\n');
  const run = () => spawnSync(process.execPath, [join(dir, 'cli.js')], { encoding: 'utf8', env: { ...process.env, NODE_DISABLE_COMPILE_CACHE: '1' } });
  t.equal(run().stdout, 'tsc module\n', 'no bundle: cli-main.js');
  writeFileSync(join(dir, 'cli-main.cjs'), 'exports.runCommandLine = () => console.log("bundle");\n');
  t.equal(run().stdout, 'bundle\n', 'with the bundle: cli-main.cjs');
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
    // Only ajv's runtime helpers, which the validators it generates for CRD schemas require (src/crd-schema.ts).
    const own = first.modules.filter((f) => f.includes(`/node_modules/${name}/`) && !/\/node_modules\/ajv\/(dist\/runtime\/\w+\.js|package\.json)$/.test(f));
    t.same(own, [], `nothing of node_modules/${name} was loaded`);
    const { version } = JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string };
    t.match(readFileSync(join(ROOT, file), 'utf8').slice(0, 8192), new RegExp(`^ \\* ${name}@${version.replace(/\./g, '\\.')} \\(`, 'm'), `${file} is ${name}@${version}, what node_modules has, with its license`);
  }
  t.match(readFileSync(join(ROOT, VENDORED.ajv), 'utf8').slice(0, 16384), /^ \* fast-uri@[\d.]+ \(BSD-3-Clause\):$/m, 'a package a bundle took in is named with its license too');
  // The first run made the bundles' cache entries (with the validators'); the second is served them.
  const second = runChild();
  t.same(second.findings, first.findings, 'a second run reports the same');
  // Not ajv's code for the CRD schema (crd-validators.test.ts), nor the pruning's marker (code-cache.test.ts).
  const entries = readdirSync(join(cacheRoot, 'kube-preflight', `${process.version}-${process.arch}`)).filter((e) => !e.endsWith('.ajv.js') && e !== 'pruned');
  t.ok(entries.length >= 3 && entries.every((e) => e.endsWith('.run.bin')), 'the first run left complete entries');
  t.ok(second.hits >= entries.length, `the second run was served every entry (${second.hits} hits)`);
  for (const name of ['js-yaml', 'yaml'] as const) t.same(second.vendor[name], { file: join(ROOT, VENDORED[name]), cached: true }, `${name}'s compiled code came from the cache`);
  t.notOk(second.vendor.ajv, "ajv is not loaded at all: the CRD schema's validator was kept");
  // Without a bundle (a build that stopped after tsc), the package itself.
  t.equal(loadVendored('yaml', join(ROOT, 'no-such-dir')), createRequire(join(ROOT, 'package.json'))('yaml'), 'no bundle: node_modules/yaml');
});

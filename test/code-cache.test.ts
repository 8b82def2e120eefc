// The validators' code cache (src/code-cache.ts): an entry is made once the module has run (at
// exit, or when a parse worker retires), with the functions compiled as it ran, and served to the next
// compile; an edited module never runs stale code;
// and the cache stays off when told to or when its directory is not safe.

import t from 'tap';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { codeCacheStats, compileCached, completeEntries, pruneCache, resetCodeCache } from '../src/code-cache.js';
import { yamlFiles } from './helpers/quick-diff.js';

/** A module body of some size (V8 caches little for a one-liner), returning `answer`. */
function body(answer: string): string {
  const helpers = Array.from({ length: 40 }, (_, i) => `function h${i}(x) { return x + ${i}; }`).join('\n');
  return `${helpers}\nmodule.exports = { answer: ${answer}, sum: h39(h1(0)) };`;
}

function load(file: string, code: string): { answer: number; sum: number } {
  const module = { exports: {} as { answer: number; sum: number } };
  compileCached(file, code, ['module']).call(null, module);
  return module.exports;
}

function withCacheAt(t: { teardown(fn: () => void): void }, env: Record<string, string | undefined>): string {
  const root = mkdtempSync(join(tmpdir(), 'kp-code-cache-'));
  const saved = { NODE_COMPILE_CACHE: process.env['NODE_COMPILE_CACHE'], NODE_DISABLE_COMPILE_CACHE: process.env['NODE_DISABLE_COMPILE_CACHE'] };
  process.env['NODE_COMPILE_CACHE'] = root;
  delete process.env['NODE_DISABLE_COMPILE_CACHE'];
  Object.assign(process.env, env);
  resetCodeCache();
  t.teardown(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    resetCodeCache();
    rmSync(root, { recursive: true, force: true });
  });
  return root;
}

const entries = (root: string) => readdirSync(join(root, 'kube-preflight', `${process.version}-${process.arch}`)).filter((f) => f.endsWith('.bin'));

t.test('a module compiled and run is served from the cache next time, and runs the same code', async (t) => {
  const root = withCacheAt(t, {});
  const { hits, completed } = codeCacheStats;
  t.same(load('/virtual/a.js', body('41')), { answer: 41, sum: 40 }, 'first compile runs');
  t.equal(entries(root).length, 0, 'the main thread makes no entry at compile time');
  completeEntries();
  t.equal(codeCacheStats.completed - completed, 1, 'but once the module has run (at exit)');
  t.equal(entries(root).length, 1);
  t.equal(codeCacheStats.hits - hits, 0);
  t.same(load('/virtual/a.js', body('41')), { answer: 41, sum: 40 }, 'second compile runs');
  t.equal(codeCacheStats.hits - hits, 1, 'from the cache');
  completeEntries();
  t.equal(codeCacheStats.completed - completed, 1, 'an entry made after the module ran is not made again');
});

t.test("an entry made after its module ran holds the functions it compiled", async (t) => {
  const root = withCacheAt(t, {});
  const dir = join(root, 'kube-preflight', `${process.version}-${process.arch}`);
  // Two modules of the same size: one calls each of its forty helpers as it runs (so V8 compiles
  // them), the other calls none.
  const calls = Array.from({ length: 40 }, (_, i) => `h${i}`).reduce((acc, h) => `${h}(${acc})`, '0');
  const called = body('5').replace('sum: h39(h1(0))', `sum: ${calls}`);
  const idle = body('5').replace('sum: h39(h1(0))', `sum: ${' '.repeat(calls.length - 1)}0`);
  t.equal(idle.length, called.length, 'same length');
  t.same(load('/virtual/g.js', called), { answer: 5, sum: 780 });
  completeEntries();
  const [calledEntry] = entries(root);
  t.same(load('/virtual/i.js', idle), { answer: 5, sum: 0 });
  completeEntries();
  const idleEntry = entries(root).find((f) => f !== calledEntry)!;
  t.match(calledEntry, /^[0-9a-f]{40}\.run\.bin$/, 'named <hash>.run.bin');
  t.ok(statSync(join(dir, calledEntry!)).size > statSync(join(dir, idleEntry)).size + 40 * 16, 'the helpers that ran are in the entry');
});

t.test('a worker makes no entry at compile time, and makes it, with the functions that ran, when it completes them (as a parse worker retiring does)', async (t) => {
  const root = withCacheAt(t, {});
  const dir = join(root, 'kube-preflight', `${process.version}-${process.arch}`);
  const module = pathToFileURL(join(import.meta.dirname, '..', 'src', 'code-cache.js')).href;
  const calls = Array.from({ length: 40 }, (_, i) => `h${i}`).reduce((acc, h) => `${h}(${acc})`, '0');
  const code = body('6').replace('sum: h39(h1(0))', `sum: ${calls}`);
  const worker = new Worker(
    `const { parentPort } = require('node:worker_threads');
    const fs = require('node:fs');
    import(${JSON.stringify(module)}).then(({ compileCached, completeEntries }) => {
      const m = { exports: {} };
      compileCached('/virtual/w.js', ${JSON.stringify(code)}, ['module']).call(null, m);
      const before = fs.readdirSync(${JSON.stringify(dir)}).length;
      completeEntries();
      parentPort.postMessage([m.exports.answer, before]);
    });`,
    { eval: true, env: { ...process.env, NODE_COMPILE_CACHE: root } },
  );
  const [answer, before] = await new Promise<[number, number]>((res, rej) => worker.once('message', res).once('error', rej));
  await worker.terminate();
  t.equal(answer, 6, 'the worker ran the module');
  t.equal(before, 0, 'and made no entry when it compiled it');
  const made = entries(root);
  t.equal(made.length, 1, 'but one when it completed its entries');
  t.match(made[0], /^[0-9a-f]{40}\.run\.bin$/, '<hash>.run.bin');
  const { hits, completed } = codeCacheStats;
  t.equal(load('/virtual/w.js', code).answer, 6, 'the main thread runs the module');
  t.equal(codeCacheStats.hits - hits, 1, "served the worker's entry");
  completeEntries();
  t.equal(codeCacheStats.completed - completed, 0, 'and does not make it again');
  // The same module with none of its helpers run, completed here: smaller by the forty helpers.
  const idle = body('6').replace('sum: h39(h1(0))', `sum: ${' '.repeat(calls.length - 1)}0`);
  t.same(load('/virtual/w2.js', idle), { answer: 6, sum: 0 });
  completeEntries();
  const idleEntry = entries(root).find((f) => f !== made[0])!;
  t.ok(statSync(join(dir, made[0]!)).size > statSync(join(dir, idleEntry)).size + 40 * 16, "the worker's entry holds the helpers that ran");
});

t.test('a parse worker retiring makes its entries: a second pool over the same files is served them', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'kp-pool-cache-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const dir = join(root, 'kube-preflight', `${process.version}-${process.arch}`);
  const pool = pathToFileURL(join(import.meta.dirname, '..', 'src', 'parse-pool.js')).href;
  const sample = join(import.meta.dirname, '..', '..', 'test', 'corpus-sample');
  // A run in a process of its own, so that its workers start with this cache directory; the
  // Deployments' validators load on the workers (the schema rule's prepare()).
  const inputs = yamlFiles(sample).map((path) => ({ path, display: path, context: false }));
  const script = `
    import { readdirSync } from 'node:fs';
    const { ParsePool } = await import(${JSON.stringify(pool)});
    const files = ${JSON.stringify(inputs)};
    const p = new ParsePool(files, 1, [{ id: 'schema', options: {} }]);
    for (let i = 0; i < files.length; i++) if ('local' in (await p.take(i))) process.exit(3);
    while (p.exited < 1) await new Promise((r) => setTimeout(r, 5));
    console.log(readdirSync(${JSON.stringify(dir)}).join(' '));
    p.close();`;
  // A file, not --input-type=module (workers inherit the flag, and fail on it).
  const file = join(root, 'pool.mjs');
  writeFileSync(file, script);
  const run = () => spawnSync(process.execPath, [file], { env: { ...process.env, NODE_COMPILE_CACHE: root }, encoding: 'utf8' });
  const first = run();
  t.equal(first.status, 0, first.stderr || 'the first pool ran, its worker read every file');
  const made = first.stdout.trim().split(' ').filter((f) => f.endsWith('.bin'));
  t.ok(made.length >= 10, `the retired worker made entries (${made.length}) before it exited`);
  t.ok(made.every((f) => /^[0-9a-f]{40}\.run\.bin$/.test(f)), 'all complete ones');
  const mtimes = made.map((f) => statSync(join(dir, f), { bigint: true }).mtimeNs);
  await new Promise((r) => setTimeout(r, 20));
  const second = run();
  t.equal(second.status, 0, second.stderr || 'the second pool ran');
  t.same(second.stdout.trim().split(' ').filter((f) => f.endsWith('.bin')), made, 'the second made no other entry');
  t.same(made.map((f) => statSync(join(dir, f), { bigint: true }).mtimeNs), mtimes, 'and was served the first one\'s, leaving them as they were');
});

t.test('a process makes its entries at exit', async (t) => {
  const root = withCacheAt(t, {});
  const dir = join(root, 'kube-preflight', `${process.version}-${process.arch}`);
  const module = pathToFileURL(join(import.meta.dirname, '..', 'src', 'code-cache.js')).href;
  const script = `import { compileCached } from ${JSON.stringify(module)};
    const m = { exports: {} };
    compileCached('/virtual/h.js', ${JSON.stringify(body('3'))}, ['module']).call(null, m);
    if (m.exports.answer !== 3) process.exit(2);`;
  const run = () => spawnSync(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, NODE_COMPILE_CACHE: root }, encoding: 'utf8' });
  const first = run();
  t.equal(first.status, 0, first.stderr || 'the process ran the module');
  const made = entries(root);
  t.equal(made.length, 1, 'one entry');
  t.match(made[0], /\.run\.bin$/, 'made at exit');
  const mtime = statSync(join(dir, made[0]!)).mtimeMs;
  t.equal(run().status, 0, 'a second process runs the module from it');
  t.same(entries(root), made, 'and leaves the entry');
  t.equal(statSync(join(dir, made[0]!)).mtimeMs, mtime, 'as it was');
});

t.test('an edited module of the same length gets its own entry, never the stale code', async (t) => {
  const root = withCacheAt(t, {});
  const { hits } = codeCacheStats;
  const before = body('41');
  const after = body('42');
  t.equal(after.length, before.length, 'same length (V8 checks only the length)');
  t.equal(load('/virtual/b.js', before).answer, 41);
  t.equal(load('/virtual/b.js', after).answer, 42, 'the edited text runs');
  completeEntries();
  t.equal(entries(root).length, 2, 'one entry per text');
  t.equal(load('/virtual/b.js', before).answer, 41, 'each text its own code');
  t.equal(load('/virtual/b.js', after).answer, 42);
  t.equal(codeCacheStats.hits - hits, 2, 'from its own entry');
  t.equal(load('/virtual/c.js', before).answer, 41, 'the same text at another path');
  t.equal(codeCacheStats.hits - hits, 2, 'is not served the other path\'s entry');
  completeEntries();
  t.equal(entries(root).length, 3, 'and gets one of its own');
});

t.test('off with NODE_DISABLE_COMPILE_CACHE, and in a directory others can write', async (t) => {
  const root = withCacheAt(t, { NODE_DISABLE_COMPILE_CACHE: '1' });
  const { hits, completed } = codeCacheStats;
  t.equal(load('/virtual/d.js', body('7')).answer, 7);
  t.equal(load('/virtual/d.js', body('7')).answer, 7);
  completeEntries();
  t.equal(codeCacheStats.completed - completed, 0, 'disabled: nothing stored');
  t.equal(codeCacheStats.hits - hits, 0, 'disabled: nothing served');
  t.same(readdirSync(root), [], 'disabled: no directory made');

  delete process.env['NODE_DISABLE_COMPILE_CACHE'];
  resetCodeCache();
  t.equal(load('/virtual/e.js', body('8')).answer, 8);
  completeEntries();
  t.equal(codeCacheStats.completed - completed, 1, 'enabled again: stored');
  chmodSync(join(root, 'kube-preflight', `${process.version}-${process.arch}`), 0o777);
  resetCodeCache();
  t.equal(load('/virtual/e.js', body('8')).answer, 8, 'a world-writable directory: compiled without it');
  completeEntries();
  t.equal(codeCacheStats.hits - hits, 0, 'nothing read from a directory others could have written');
  t.equal(codeCacheStats.completed - completed, 1, 'nor written to it');
});

t.test('a cache directory that cannot be made (under /proc) leaves the cache off, and does not hang', async (t) => {
  withCacheAt(t, {});
  process.env['NODE_COMPILE_CACHE'] = '/proc/kube-preflight-nope';
  resetCodeCache();
  const { hits, completed } = codeCacheStats;
  t.equal(load('/virtual/f.js', body('9')).answer, 9, 'compiled without it');
  completeEntries();
  t.equal(codeCacheStats.completed - completed, 0, 'nothing stored');
  t.equal(codeCacheStats.hits - hits, 0, 'nothing served');
});

t.test('entries no run has read for 30 days are removed, at most once a day, by a run that made entries', async (t) => {
  const root = withCacheAt(t, {});
  const dir = join(root, 'kube-preflight', `${process.version}-${process.arch}`);
  load('/virtual/p.js', body('7')); // makes the directory
  const day = 24 * 3600 * 1000;
  const now = Date.now();
  const file = (name: string, daysAgo: number) => {
    const f = join(dir, name);
    writeFileSync(f, 'x');
    const at = new Date(now - daysAgo * day);
    utimesSync(f, at, at);
    return f;
  };
  const hash = (c: string) => c.repeat(40);
  const old = [file(`${hash('a')}.run.bin`, 31), file(`${hash('b')}.ajv.js`, 40), file(`${hash('c')}.bin`, 400), file(`${hash('d')}.run.bin.1234.tmp`, 31)];
  const recent = [file(`${hash('e')}.run.bin`, 20), file(`${hash('f')}.ajv.js`, 1)];
  const foreign = file('notes.txt', 400);
  // Read 2 days ago, written 60 days ago: in use.
  const read = join(dir, `${hash('9')}.run.bin`);
  writeFileSync(read, 'x');
  utimesSync(read, new Date(now - 2 * day), new Date(now - 60 * day));
  t.equal(pruneCache(now), 4, 'the four entries unread for over 30 days are removed');
  t.same(old.filter(existsSync), [], 'entries of each kind, and a write cut short');
  t.same([...recent, foreign, read].filter((f) => !existsSync(f)), [], 'recent ones, one read lately, and files not the cache\'s stay');
  const again = file(`${hash('0')}.run.bin`, 50);
  t.equal(pruneCache(now + 3600 * 1000), 0, 'an hour later it does not look again');
  t.ok(existsSync(again));
  t.equal(pruneCache(now + day + 1000), 1, 'a day later it does');
  t.notOk(existsSync(again));
  // At exit, after making an entry: the run's own completion prunes.
  const stale = file(`${hash('1')}.run.bin`, 45);
  utimesSync(join(dir, 'pruned'), new Date(now - 2 * day), new Date(now - 2 * day));
  load('/virtual/q.js', body('8'));
  completeEntries();
  t.notOk(existsSync(stale), 'making an entry prunes the directory');
  const kept = file(`${hash('2')}.run.bin`, 45);
  utimesSync(join(dir, 'pruned'), new Date(now - 2 * day), new Date(now - 2 * day));
  completeEntries();
  t.ok(existsSync(kept), 'a run that makes none does not look');
});

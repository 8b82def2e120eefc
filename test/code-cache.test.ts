// The validators' code cache (src/code-cache.ts): a second compile is served from it, an entry is
// made again with the functions compiled as the module ran, an edited module never runs stale code,
// and it stays off when told to or when its directory is not safe.

import t from 'tap';
import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { codeCacheStats, compileCached, completeEntries, resetCodeCache } from '../src/code-cache.js';

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

t.test('the second compile of a module is served from the cache, and runs the same code', async (t) => {
  const root = withCacheAt(t, {});
  const { hits, stored } = codeCacheStats;
  t.same(load('/virtual/a.js', body('41')), { answer: 41, sum: 40 }, 'first compile runs');
  t.equal(codeCacheStats.stored - stored, 1, 'and stores an entry');
  t.equal(codeCacheStats.hits - hits, 0);
  t.equal(entries(root).length, 1);
  t.same(load('/virtual/a.js', body('41')), { answer: 41, sum: 40 }, 'second compile runs');
  t.equal(codeCacheStats.hits - hits, 1, 'from the cache');
  t.equal(codeCacheStats.stored - stored, 1, 'storing nothing more');
});

t.test('once a module has run, its entry is made again with the functions it compiled, and served from then on', async (t) => {
  const root = withCacheAt(t, {});
  const dir = join(root, 'kube-preflight', `${process.version}-${process.arch}`);
  // Every helper is called, so V8 compiles each as the module runs: none is in the first entry.
  const calls = Array.from({ length: 40 }, (_, i) => `h${i}`).reduce((acc, h) => `${h}(${acc})`, '0');
  const code = body('5').replace('sum: h39(h1(0))', `sum: ${calls}`);
  const { hits, stored, completed } = codeCacheStats;
  t.same(load('/virtual/g.js', code), { answer: 5, sum: 780 }, 'first compile runs');
  const first = readdirSync(dir);
  t.equal(first.length, 1, 'one entry');
  t.match(first[0], /^[0-9a-f]{40}\.bin$/, 'made at compile time');
  const firstSize = statSync(join(dir, first[0]!)).size;
  completeEntries();
  t.equal(codeCacheStats.completed - completed, 1, 'made again once the module ran');
  const second = readdirSync(dir);
  t.same(second, [first[0]!.replace('.bin', '.run.bin')], 'as <hash>.run.bin, in place of the first');
  t.ok(statSync(join(dir, second[0]!)).size > firstSize + 40 * 16, 'holding more: the forty helpers compiled');
  t.same(load('/virtual/g.js', code), { answer: 5, sum: 780 }, 'compiled again, it runs the same');
  t.equal(codeCacheStats.hits - hits, 1, 'served from the completed entry');
  completeEntries();
  t.equal(codeCacheStats.completed - completed, 1, 'which is complete: not made a third time');
  t.equal(codeCacheStats.stored - stored, 1, 'one entry made at compile time in all');
});

t.test('a process completes its entries at exit', async (t) => {
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
  const made = readdirSync(dir);
  t.equal(made.length, 1, 'one entry');
  t.match(made[0], /\.run\.bin$/, 'completed at exit');
  t.equal(run().status, 0, 'a second process runs the module from it');
  t.same(readdirSync(dir), made, 'and leaves the complete entry as it is');
});

t.test('an edited module of the same length gets its own entry, never the stale code', async (t) => {
  const root = withCacheAt(t, {});
  const { hits } = codeCacheStats;
  const before = body('41');
  const after = body('42');
  t.equal(after.length, before.length, 'same length (V8 checks only the length)');
  t.equal(load('/virtual/b.js', before).answer, 41);
  t.equal(load('/virtual/b.js', after).answer, 42, 'the edited text runs');
  t.equal(codeCacheStats.hits - hits, 0, 'no entry served across texts');
  t.equal(entries(root).length, 2, 'one entry per text');
  t.equal(load('/virtual/c.js', before).answer, 41, 'the same text at another path');
  t.equal(entries(root).length, 3, 'is an entry of its own');
});

t.test('off with NODE_DISABLE_COMPILE_CACHE, and in a directory others can write', async (t) => {
  const root = withCacheAt(t, { NODE_DISABLE_COMPILE_CACHE: '1' });
  const { hits, stored } = codeCacheStats;
  t.equal(load('/virtual/d.js', body('7')).answer, 7);
  t.equal(load('/virtual/d.js', body('7')).answer, 7);
  t.equal(codeCacheStats.stored - stored, 0, 'disabled: nothing stored');
  t.equal(codeCacheStats.hits - hits, 0, 'disabled: nothing served');
  t.same(readdirSync(root), [], 'disabled: no directory made');

  delete process.env['NODE_DISABLE_COMPILE_CACHE'];
  resetCodeCache();
  t.equal(load('/virtual/e.js', body('8')).answer, 8);
  t.equal(codeCacheStats.stored - stored, 1, 'enabled again: stored');
  chmodSync(join(root, 'kube-preflight', `${process.version}-${process.arch}`), 0o777);
  resetCodeCache();
  t.equal(load('/virtual/e.js', body('8')).answer, 8, 'a world-writable directory: compiled without it');
  t.equal(codeCacheStats.hits - hits, 0, 'nothing read from a directory others could have written');
  t.equal(codeCacheStats.stored - stored, 1, 'nor written to it');
});

t.test('a cache directory that cannot be made (under /proc) leaves the cache off, and does not hang', async (t) => {
  withCacheAt(t, {});
  process.env['NODE_COMPILE_CACHE'] = '/proc/kube-preflight-nope';
  resetCodeCache();
  const { hits, stored } = codeCacheStats;
  t.equal(load('/virtual/f.js', body('9')).answer, 9, 'compiled without it');
  t.equal(codeCacheStats.stored - stored, 0, 'nothing stored');
  t.equal(codeCacheStats.hits - hits, 0, 'nothing served');
});

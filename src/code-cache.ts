// V8's code cache for the schema validators' modules, the vendored packages (src/vendor.ts), the
// command line's own bundle (src/cli.ts) and ajv's code for CRD schemas (src/crd-schema.ts, which
// keeps that code here too: generatedModule()). Compiling them is most of what loading a kind's
// validators costs (a Deployment's 166 modules, 430 KB of generated code: about 20 ms of a one-file
// check's 110 ms of work); with the cache V8 made the first time, compiling takes about a third of
// that. This is what Node 22's compile cache (module.enableCompileCache(), which
// TypeScript turns on) does for modules: Node 20 has none, and the validators are compiled here
// (vm.Script), which it would not cover anyway.
//
// Where: $NODE_COMPILE_CACHE, else <tmpdir>/node-compile-cache, as Node 22 does, in a
// kube-preflight/<node version>-<arch> directory of the user's own (mode 0700, owned by them: a
// directory someone else could write is never read). Off with NODE_DISABLE_COMPILE_CACHE=1, as
// Node's. An entry is named by a hash of the module's path and full text, so an edited module never
// meets a stale entry (V8 itself checks only the text's length); V8 rejects an entry made by another
// V8 or with other flags, and the module is then compiled as if there were none, and its entry
// made again. Any error reading or writing the cache is ignored: it is only ever a shortcut. Entries
// no run has read for 30 days are removed (pruneCache()).
//
// An entry made when a module is compiled holds only its top level: V8 compiles each function the
// first time it is called, and the validators are mostly functions (a kind's validate21,
// validate30...). On the real corpus that was about 1,000 functions parsed and compiled on every
// run, about 130 ms (V8's --log-function-events). So entries are made once their modules have run,
// with every function compiled by then (V8 includes those in cached data made after they ran), as
// `<hash>.run.bin`: the main thread makes them at exit, and a parse worker when it retires, its last
// file sent (completeEntries(), called by parse-worker.ts). A later run finds those functions
// compiled; a function first called in a later run is compiled then, as before. A worker ended
// from outside (a failed run) makes none.

import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Script } from 'node:vm';
import { isMainThread } from 'node:worker_threads';
import { makeDirs } from './paths.js';

/**
 * Uses of the cache over the process (tests check a second compile is served from it): entries
 * served, and entries made after their modules ran.
 */
export const codeCacheStats = { hits: 0, completed: 0 };

/** Scripts this thread compiled without an entry, by entry name (no suffix). */
const incomplete = new Map<string, Script>();
let exitHook = false;

let dir: string | null | undefined;

/** The cache directory, made on first use; null when the cache is off or cannot be trusted. */
function cacheDir(): string | null {
  if (dir !== undefined) return dir;
  dir = null;
  const env = process.env;
  if (env['NODE_DISABLE_COMPILE_CACHE']) return dir;
  try {
    const d = join(env['NODE_COMPILE_CACHE'] || join(tmpdir(), 'node-compile-cache'), 'kube-preflight', `${process.version}-${process.arch}`);
    makeDirs(d, 0o700);
    const st = statSync(d);
    const uid = process.getuid?.();
    if (uid !== undefined && (st.uid !== uid || (st.mode & 0o022) !== 0)) return dir;
    dir = d;
  } catch {
    // no cache
  }
  return dir;
}

/** The function `(params) => code`, compiled (as vm.compileFunction would) through the code cache. */
export function compileCached(file: string, code: string, params: string[]): (...args: unknown[]) => unknown {
  const source = `(function (${params.join(', ')}) {${code}\n})`;
  const d = cacheDir();
  if (d === null) return new Script(source, { filename: file }).runInThisContext() as (...args: unknown[]) => unknown;
  const base = join(d, createHash('sha1').update(file).update('\0').update(source).digest('hex'));
  const cachedData = readEntry(`${base}.run.bin`);
  const script = new Script(source, cachedData ? { filename: file, cachedData } : { filename: file });
  if (cachedData && !script.cachedDataRejected) {
    codeCacheStats.hits++;
  } else {
    incomplete.set(base, script);
    if (!exitHook && isMainThread) {
      exitHook = true;
      process.on('exit', completeEntries);
    }
  }
  return script.runInThisContext() as (...args: unknown[]) => unknown;
}

/**
 * Run the CommonJS file `file` as Node's loader would, compiled through the cache, and give its
 * exports, and whether the cache served its compiled code.
 */
export function runCommonJs(file: string): { exports: unknown; cached: boolean } {
  const module = { exports: {} as unknown };
  const hits = codeCacheStats.hits;
  compileCached(file, readFileSync(file, 'utf8'), ['exports', 'require', 'module', '__filename', '__dirname'])
    .call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  return { exports: module.exports, cached: codeCacheStats.hits > hits };
}

/**
 * The text of a module that `make` generates, kept in the cache directory as `name`, which must
 * name everything the text depends on (a hash of it): made and kept when it is not there, or when
 * `remake` (the kept one failed). With the file it is kept in, for compileCached(); when the cache
 * is off, made each time, under a name of no file.
 */
export function generatedModule(name: string, make: () => string, remake = false): { file: string; code: string } {
  const d = cacheDir();
  if (d === null) return { file: `kube-preflight:generated/${name}`, code: make() };
  const file = join(d, name);
  if (!remake) {
    const kept = readEntry(file);
    if (kept !== undefined) return { file, code: kept.toString('utf8') };
  }
  const code = make();
  writeEntry(file, Buffer.from(code, 'utf8'));
  return { file, code };
}

/**
 * Make the entry of each module this thread compiled and found none for, now that it has run: with
 * the functions compiled since (see above). Runs at the main thread's exit; parse workers call it
 * when they retire, and tests when they like.
 */
export function completeEntries(): void {
  let made = 0;
  for (const [base, script] of incomplete) {
    try {
      if (writeEntry(`${base}.run.bin`, script.createCachedData())) made++;
    } catch {
      // only ever a shortcut
    }
  }
  incomplete.clear();
  codeCacheStats.completed += made;
  // A run that made entries may have left others behind (a new version, an edited CRD).
  if (made > 0 && isMainThread) pruneCache();
}

/** An entry unread for this long is removed (see pruneCache()). */
const UNREAD_MS = 30 * 24 * 3600 * 1000;
/** The directory is looked through at most this often. */
const PRUNE_EVERY_MS = 24 * 3600 * 1000;
/** What the cache writes: V8's entries, ajv's code, and what a write cut short leaves. */
const OURS = /^[0-9a-f]{40}\.(?:run\.bin|bin|ajv\.js)(?:\.\d+\.tmp)?$/;

/**
 * Remove the entries no run has read for 30 days: each version of kube-preflight, each edited CRD
 * schema leaves its own, and nothing else would ever remove them. Called when the main thread has
 * made entries, and then at most once a day (the `pruned` file's time), so a run that makes none
 * never looks. Read times are the file system's: with `relatime` (Linux's default) a read updates
 * them at most once a day, enough here; where they are never updated (`noatime`), an entry still
 * in use is removed after 30 days and made again by the next run. Gives how many were removed.
 */
export function pruneCache(now = Date.now()): number {
  const d = cacheDir();
  if (d === null) return 0;
  const marker = join(d, 'pruned');
  let removed = 0;
  try {
    if (now - statSync(marker).mtimeMs < PRUNE_EVERY_MS) return 0;
  } catch {
    // never pruned yet
  }
  try {
    writeFileSync(marker, '', { mode: 0o600 });
    for (const name of readdirSync(d)) {
      if (!OURS.test(name)) continue;
      const file = join(d, name);
      const st = statSync(file);
      if (now - Math.max(st.atimeMs, st.mtimeMs) > UNREAD_MS) {
        rmSync(file, { force: true });
        removed++;
      }
    }
  } catch {
    // only ever a shortcut
  }
  return removed;
}

function readEntry(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
}

/** Whole or not at all: another run may read the entry while this one writes it. */
function writeEntry(path: string, data: Buffer): boolean {
  try {
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, data, { mode: 0o600 });
    renameSync(tmp, path);
    return true;
  } catch {
    return false;
  }
}

/** Forget the directory chosen (tests point NODE_COMPILE_CACHE elsewhere). */
export function resetCodeCache(): void {
  dir = undefined;
}

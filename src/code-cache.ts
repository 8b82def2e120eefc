// V8's code cache for the schema validators' modules. Compiling them is most of what loading a
// kind's validators costs (a Deployment's 166 modules, 430 KB of generated code: about 20 ms of a
// one-file check's 110 ms of work); with the cache V8 made the first time, compiling takes about a
// third of that. This is what Node 22's compile cache (module.enableCompileCache(), which
// TypeScript turns on) does for modules: Node 20 has none, and the validators are compiled with
// vm.compileFunction, which it would not cover anyway.
//
// Where: $NODE_COMPILE_CACHE, else <tmpdir>/node-compile-cache, as Node 22 does, in a
// kube-preflight/<node version>-<arch> directory of the user's own (mode 0700, owned by them: a
// directory someone else could write is never read). Off with NODE_DISABLE_COMPILE_CACHE=1, as
// Node's. An entry is named by a hash of the module's path and full text, so an edited module never
// meets a stale entry (V8 itself checks only the text's length); V8 rejects an entry made by another
// V8 or with other flags, and the module is then compiled as if there were none, and its entry
// made again. Any error reading or writing the cache is ignored: it is only ever a shortcut.

import { createHash } from 'node:crypto';
import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileFunction } from 'node:vm';
import { makeDirs } from './paths.js';

/** Uses of the cache over the process (tests check a second compile is served from it). */
export const codeCacheStats = { hits: 0, stored: 0 };

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

/** vm.compileFunction(code, params, {filename}), served from and feeding the code cache. */
export function compileCached(file: string, code: string, params: string[]): ReturnType<typeof compileFunction> {
  const d = cacheDir();
  if (d === null) return compileFunction(code, params, { filename: file });
  const entry = join(d, `${createHash('sha1').update(file).update('\0').update(code).digest('hex')}.bin`);
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(entry);
  } catch {
    cachedData = undefined;
  }
  const fn = compileFunction(code, params, { filename: file, cachedData, produceCachedData: cachedData === undefined });
  if (cachedData !== undefined && !fn.cachedDataRejected) {
    codeCacheStats.hits++;
    return fn;
  }
  const made = cachedData === undefined ? fn.cachedData : compileFunction(code, params, { filename: file, produceCachedData: true }).cachedData;
  if (made) {
    try {
      // Whole or not at all: another run may read the entry while this one writes it.
      const tmp = `${entry}.${process.pid}.tmp`;
      writeFileSync(tmp, made, { mode: 0o600 });
      renameSync(tmp, entry);
      codeCacheStats.stored++;
    } catch {
      // no cache
    }
  }
  return fn;
}

/** Forget the directory chosen (tests point NODE_COMPILE_CACHE elsewhere). */
export function resetCodeCache(): void {
  dir = undefined;
}

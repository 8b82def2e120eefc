// Finds the input files: explicit files, directories walked for *.yaml|*.yml|*.json (skipping
// .git, node_modules and ignorePatterns), '-' for stdin, and --context paths.

import { readdirSync, readFileSync, realpathSync, statSync, type Dirent, type Stats } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { globMatch } from './glob.js';
import { UsageError, displayPath } from './errors.js';

export interface InputFile {
  /** Absolute path, or '-' for stdin. */
  path: string;
  /** Path shown in findings. */
  display: string;
  /** Loaded with --context: never reported on. */
  context: boolean;
  /** Text given directly (stdin, editor buffers, fix passes). */
  text?: string;
  /** Found by walking a directory (not named on the command line). */
  walked?: boolean;
}

export interface DiscoverOptions {
  cwd: string;
  paths: string[];
  context: string[];
  /** Globs relative to `ignoreBase` (the config file's directory). */
  ignorePatterns: string[];
  ignoreBase: string;
  stdinFilename?: string;
  readStdin?: () => string;
  /**
   * Treat files named in `paths` like files found by walking a directory: skip those matching
   * ignorePatterns, and check only the syntax of those that are not manifests (hooks that pass
   * every staged *.yaml, such as pre-commit).
   */
  filterNamed?: boolean;
}

const MANIFEST = /\.(ya?ml|json)$/i;
/** The C library's realpath: one system call, where realpathSync's JavaScript walk lstat()s every component. */
const realpath = realpathSync.native;
const SKIP_DIRS = new Set(['.git', 'node_modules']);

export function discover(opts: DiscoverOptions): InputFile[] {
  const out: InputFile[] = [];
  const seen = new Map<string, InputFile>();
  const ignored = (abs: string) => {
    if (opts.ignorePatterns.length === 0) return false;
    const rel = relative(opts.ignoreBase, abs).split(sep).join('/');
    if (rel.startsWith('..')) return false;
    return opts.ignorePatterns.some((g) => globMatch(rel, g, { dot: true }) || globMatch(rel, `${g.replace(/\/$/, '')}/**`, { dot: true }));
  };
  /** `real`: the file's real path when the caller knows it (a walk's regular files), saving a system call. */
  const add = (abs: string, context: boolean, walked: boolean, real?: string) => {
    let key: string;
    if (real !== undefined) key = real;
    else {
      try {
        key = realpath(abs);
      } catch {
        key = abs;
      }
    }
    const prev = seen.get(key);
    if (prev) {
      // A file both checked and given as context is checked; one named explicitly is explicit.
      if (prev.context && !context) prev.context = false;
      if (!walked) delete prev.walked;
      return;
    }
    const f: InputFile = { path: abs, display: displayPath(abs, opts.cwd), context, ...(walked ? { walked } : {}) };
    seen.set(key, f);
    out.push(f);
  };
  const walk = (dir: string, context: boolean, visited: Set<string>): number => {
    let real: string;
    try {
      real = realpath(dir);
    } catch {
      return 0;
    }
    if (visited.has(real)) return 0;
    visited.add(real);
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    } catch (e) {
      throw new UsageError(`cannot read directory ${displayPath(dir, opts.cwd)}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
    }
    let count = 0;
    for (const entry of entries) {
      const name = entry.name;
      const abs = join(dir, name);
      // The entry's own type saves a stat per file; links (and file systems that report no type) are followed.
      let isDir = entry.isDirectory();
      let isFile = entry.isFile();
      // A regular file's real path is its directory's, joined with its name: no realpath() per file
      // (about 2% of a check of 1,460 small files). Links (and entries of no type) are resolved.
      const linked = !isDir && !isFile;
      if (linked) {
        try {
          const st = statSync(abs);
          isDir = st.isDirectory();
          isFile = st.isFile();
        } catch {
          continue; // dangling link
        }
      }
      if (isDir) {
        if (SKIP_DIRS.has(name) || ignored(abs)) continue;
        count += walk(abs, context, visited);
      } else if (isFile && MANIFEST.test(name) && !ignored(abs)) {
        add(abs, context, true, linked ? undefined : join(real, name));
        count++;
      }
    }
    return count;
  };
  const take = (p: string, context: boolean) => {
    if (p === '-') {
      if (context) throw new UsageError('--context does not take stdin (-)');
      if (seen.has('-')) return;
      const text = opts.readStdin ? opts.readStdin() : readFileSync(0, 'utf8');
      const f: InputFile = { path: '-', display: opts.stdinFilename ?? '<stdin>', context: false, text };
      seen.set('-', f);
      out.push(f);
      return;
    }
    const abs = resolve(opts.cwd, p);
    let st: Stats;
    try {
      st = statSync(abs);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new UsageError(code === 'ENOENT' ? `no such file or directory: ${p}` : `cannot read ${p}: ${code ?? 'error'}`);
    }
    if (st.isDirectory()) {
      const n = walk(abs, context, new Set());
      if (n === 0 && !context) throw new UsageError(`no manifests (*.yaml, *.yml, *.json) found in ${displayPath(abs, opts.cwd)}`);
    } else if (opts.filterNamed && !context) {
      if (!ignored(abs)) add(abs, false, true);
    } else {
      add(abs, context, false); // a file given explicitly is always read
    }
  };
  for (const p of opts.paths) take(p, false);
  for (const p of opts.context) take(p, true);
  return out;
}

export type ReadResult = { text: string; bom: boolean } | { problem: string };

/** A file's text, with the bytes it was decoded from (a parse worker sends those, see parse-worker.ts). */
export type ReadBytesResult = { text: string; bom: boolean; bytes: Buffer } | { problem: string };

/** Files larger than this are reported, not parsed. */
export const MAX_FILE_BYTES = 64 * 1024 * 1024;

/**
 * Read one input as text, or say why it is not YAML text. `size`: its size in bytes as this run
 * already found it (the engine stats every input to decide on parse workers), which saves a stat;
 * 0 or absent when unknown.
 */
export function readInput(f: InputFile, size?: number): ReadResult {
  const r = readInputBytes(f, size);
  return 'problem' in r ? r : { text: r.text, bom: r.bom };
}

/** readInput(), with the bytes the text was decoded from. */
export function readInputBytes(f: InputFile, size?: number): ReadBytesResult {
  if (f.text !== undefined) return checkText(Buffer.from(f.text, 'utf8'), f.text);
  let buf: Buffer;
  try {
    const bytes = size || statSync(f.path).size;
    if (bytes > MAX_FILE_BYTES) return { problem: `file is ${(bytes / 1048576).toFixed(0)} MiB, over the ${MAX_FILE_BYTES / 1048576} MiB limit: not read` };
    buf = readFileSync(f.path);
  } catch (e) {
    throw new UsageError(`cannot read ${f.display}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  return checkText(buf);
}

function checkText(buf: Buffer, text?: string): ReadBytesResult {
  const head = buf.subarray(0, 8192);
  if (head.includes(0)) return { problem: 'file is binary (it contains NUL bytes), not YAML' };
  const t = text ?? buf.toString('utf8');
  if (text === undefined && t.includes('\uFFFD') && !isValidUtf8(buf)) return { problem: 'file is not valid UTF-8 text' };
  const bom = t.charCodeAt(0) === 0xfeff;
  return { text: bom ? t.slice(1) : t, bom, bytes: buf };
}

/**
 * The text readInput() gives for these bytes (valid UTF-8: readInput() checked them): the same
 * decoding, without the byte order mark.
 */
export function textOfBytes(bytes: Uint8Array, bom: boolean): string {
  const t = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  return bom ? t.slice(1) : t;
}

function isValidUtf8(buf: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(buf);
    return true;
  } catch {
    return false;
  }
}

// .kube-preflight.yaml: lookup, parsing and validation against schema/config.schema.json.

import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { SourceFile } from './yaml-source.js';
import { UsageError, displayPath } from './errors.js';
import { projectPath } from './paths.js';
import { ptr } from './pointer.js';
import { loadVendored } from './vendor.js';
import type { Severity, SeveritySetting } from './types.js';

export interface IgnoreEntry {
  rule: string | string[];
  kind?: string;
  name?: string;
  namespace?: string;
  files?: string[];
  reason: string;
}

export interface Config {
  kubernetesVersion?: string;
  linkerd?: { controlPlaneVersion?: string; cliVersion?: string };
  telepresence?: { version?: string };
  spegel?: { version?: string };
  nodePortRange?: string;
  reservedHostPorts?: number[];
  rules?: Record<string, SeveritySetting | { severity?: SeveritySetting; options?: Record<string, unknown> }>;
  ignorePatterns?: string[];
  context?: string[];
  ignores?: IgnoreEntry[];
}

export interface LoadedConfig {
  config: Config;
  /** The file it came from, or null when none was found. */
  file: string | null;
  /** Directory relative paths in the config resolve against. */
  dir: string;
  /** Where each `ignores` entry stands in the file (for unused-suppression reports). */
  ignoreLocations: Array<{ file: string; line: number; column: number; endLine: number; endColumn: number }>;
}

export const CONFIG_NAMES = ['.kube-preflight.yaml', '.kube-preflight.yml'];

/** Look up the config from `start` upwards, stopping at the filesystem root or a directory with .git. */
export function findConfig(start: string): string | null {
  let dir = resolve(start);
  for (;;) {
    for (const n of CONFIG_NAMES) {
      const f = join(dir, n);
      if (existsSync(f)) return f;
    }
    if (existsSync(join(dir, '.git'))) return null;
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

export async function loadConfig(opts: { explicit?: string; cwd: string; ruleIds: () => string[] }): Promise<LoadedConfig> {
  const file = opts.explicit ? resolve(opts.cwd, opts.explicit) : findConfig(opts.cwd);
  if (!file) return { config: {}, file: null, dir: opts.cwd, ignoreLocations: [] };
  const shown = displayPath(file, opts.cwd);
  let text: string;
  try {
    if (!statSync(file).isFile()) throw new Error('not a file');
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read config ${shown}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const src = new SourceFile(text);
  const docs = src.documents.filter((d) => !d.empty);
  const at = (off: number) => {
    const p = src.position(off);
    return `${shown}:${p.line}:${p.column}`;
  };
  if (docs.length > 1) throw new UsageError(`invalid config ${at(docs[1]!.range[0])}: expected one YAML document`);
  const doc = docs[0];
  if (doc?.problems.length) throw new UsageError(`invalid config ${at(doc.problems[0]!.range[0])}: ${doc.problems[0]!.message}`);
  const value = doc?.value ?? {};
  const docIndex = doc ? src.documents.indexOf(doc) : 0;
  const where = (pointer: string) => {
    const r = src.locate(docIndex, pointer, 'key') ?? src.locate(docIndex, src.nearestResolvable(docIndex, pointer));
    return r ? at(r[0]) : shown;
  };

  const validate = await configValidator();
  if (!validate(value)) {
    const e = validate.errors![0]!;
    let pointer = e.instancePath;
    let why = e.message ?? 'is invalid';
    if (e.keyword === 'additionalProperties') {
      const extra = String((e.params as { additionalProperty: string }).additionalProperty);
      pointer = ptr(pointer, extra);
      why = `unknown key "${extra}"`;
    } else if (e.keyword === 'enum') {
      why = `must be one of ${((e.params as { allowedValues: unknown[] }).allowedValues).map((v) => JSON.stringify(v)).join(', ')}`;
    } else if (e.keyword === 'oneOf' && pointer.startsWith('/rules/')) {
      why = 'must be off, info, warning or error, or { severity, options }';
    }
    throw new UsageError(`invalid config ${where(pointer)}: ${keyName(pointer)}: ${why}`);
  }
  const config = value as Config;
  const known = opts.ruleIds();
  const check = (id: string, pointer: string) => {
    if (!known.includes(id)) throw new UsageError(`invalid config ${where(pointer)}: ${keyName(pointer)}: unknown rule "${id}"${didYouMean(id, known)}`);
  };
  for (const id of Object.keys(config.rules ?? {})) check(id, ptr('/rules', id));
  (config.ignores ?? []).forEach((ig, i) => {
    const ids = Array.isArray(ig.rule) ? ig.rule : [ig.rule];
    ids.forEach((id) => check(id, ptr('/ignores', i, 'rule')));
  });
  const ignoreLocations = (config.ignores ?? []).map((_, i) => {
    const r = src.locate(docIndex, ptr('/ignores', i))!;
    const a = src.position(r[0]);
    const b = src.position(r[1]);
    return { file: shown, line: a.line, column: a.column, endLine: b.line, endColumn: b.column };
  });
  return { config, file, dir: dirname(file), ignoreLocations };
}

function keyName(pointer: string): string {
  return pointer === '' ? '(top level)' : pointer.slice(1).split('/').join('.');
}

type Validator = ((v: unknown) => boolean) & { errors?: Array<{ instancePath: string; keyword: string; message?: string; params: unknown }> | null };
let cachedValidator: Validator | undefined;

async function configValidator(): Promise<Validator> {
  if (!cachedValidator) {
    const { Ajv } = loadVendored('ajv') as typeof import('ajv');
    const ajv = new Ajv({ allErrors: false, strict: false });
    const schema = JSON.parse(readFileSync(projectPath('schema/config.schema.json'), 'utf8'));
    cachedValidator = ajv.compile(schema) as unknown as Validator;
  }
  return cachedValidator;
}

export function severityOf(setting: Config['rules'] extends Record<string, infer V> | undefined ? V : never): SeveritySetting | undefined {
  if (typeof setting === 'string') return setting;
  return setting?.severity;
}

export function isSeverity(s: string): s is Severity {
  return s === 'error' || s === 'warning' || s === 'info';
}

/** Levenshtein distance, capped: enough for "did you mean" suggestions. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  const m = a.length;
  const n = b.length;
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  for (let i = 1; i <= m; i++) {
    const cur = [i];
    for (let j = 1; j <= n; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[n]!;
}

export function didYouMean(word: string, candidates: readonly string[]): string {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(word, c);
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(word.length / 3)) ? ` (did you mean "${best}"?)` : '';
}

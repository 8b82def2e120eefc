// The one module that knows the YAML parser. Everything else sees plain values, JSON Pointers
// and offsets. Swapping the parser (or how positions are obtained) must not change any caller.

import type jsyaml from 'js-yaml';
import { quickParse, valuesFromTree, type ImplicitType, type QuickTree } from './quick-yaml.js';
import type { Document, Node as YNode, Pair, YAMLMap, Scalar } from 'yaml';
import { escapeToken, splitPointer } from './pointer.js';
import { loadVendored } from './vendor.js';
import type { ParseProblem } from './types.js';
import type { NodeStack, RangeList, TreeCursor } from './skeleton.js';

// js-yaml (its schema's scalar types for the quick reader, and the parse of files that reader leaves)
// loads from its bundle through the code cache (src/vendor.ts) when the first file is read.
type JsYamlLib = typeof jsyaml;
let jsYamlLib: { lib: JsYamlLib; schema: jsyaml.Schema; implicit: ImplicitType[] } | undefined;
function J(): { lib: JsYamlLib; schema: jsyaml.Schema; implicit: ImplicitType[] } {
  if (!jsYamlLib) {
    const lib = loadVendored('js-yaml') as JsYamlLib;
    // YAML 1.2 core types plus merge keys: what the `yaml` package reads by default.
    const schema = lib.CORE_SCHEMA.extend([(lib as unknown as { types: { merge: jsyaml.Type } }).types.merge]);
    // The schema's implicit scalar types, in js-yaml's order, for the quick reader to resolve plain scalars alike.
    jsYamlLib = { lib, schema, implicit: (schema as unknown as { compiledImplicit: ImplicitType[] }).compiledImplicit };
  }
  return jsYamlLib;
}

// The `yaml` package is only needed on the precise path (errors, aliases, edits): load it then, so a
// run whose files all take the fast path never pays for it.
type YamlLib = typeof import('yaml');
let yamlLib: YamlLib | undefined;
function Y(): YamlLib {
  return (yamlLib ??= loadVendored('yaml') as YamlLib);
}

/** Kubernetes' decoder expands aliases; a document expanding more than this is an alias bomb. */
const MAX_ALIAS_COUNT = 1000;

export interface SourceDocument {
  /** Plain value; undefined when the document is empty or could not be read. */
  value: unknown;
  problems: ParseProblem[];
  /** [start, end) of the document's content (after any `---` and leading comments). */
  range: [number, number];
  /** Offset where this document's text begins (its `---` marker, comments, or content). */
  start: number;
  empty: boolean;
}

export interface Position {
  line: number;
  column: number;
}

export type LocateOn = 'node' | 'key';

type AnyNode = YNode | null | undefined;

/** The `yaml` package's full parse: exact errors, recovery per document, comments, edits. */
export class PreciseSource {
  readonly text: string;
  readonly documents: SourceDocument[];
  readonly eol: '\n' | '\r\n';
  private readonly lineCounter = new (Y().LineCounter)();
  private readonly yamlDocs: Document.Parsed[];

  constructor(text: string) {
    this.text = text;
    this.eol = /\r\n/.test(text.slice(0, 4096)) ? '\r\n' : '\n';
    const docs = Y().parseAllDocuments(text, {
      lineCounter: this.lineCounter,
      prettyErrors: false,
      uniqueKeys: true,
      merge: true,
      keepSourceTokens: false,
    });
    this.yamlDocs = Array.isArray(docs) ? docs : [];
    this.documents = [];
    let prevEnd = 0;
    for (const d of this.yamlDocs) {
      const problems: ParseProblem[] = d.errors.map((e) => {
        let end = Math.max(e.pos[1], e.pos[0]);
        if (e.code === 'DUPLICATE_KEY') {
          // Mark the whole repeated key, not its first character.
          const m = /^("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s:,[\]{}#]+)/.exec(text.slice(e.pos[0], e.pos[0] + 4096));
          if (m) end = e.pos[0] + m[0].length;
        }
        return { message: cleanMessage(e.message), range: [e.pos[0], end], code: e.code };
      });
      const contents = d.contents as AnyNode;
      const range: [number, number] = contents?.range
        ? [contents.range[0], nodeEnd(contents, text)]
        : [d.range[0], d.range[1]];
      let value: unknown;
      if (problems.length === 0 && contents != null) {
        try {
          value = d.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
        } catch (err) {
          problems.push({
            message: /alias/i.test(String((err as Error).message))
              ? `too many alias expansions (more than ${MAX_ALIAS_COUNT}): an alias bomb is not read`
              : cleanMessage(String((err as Error).message)),
            range: [range[0], range[0] + 1],
            code: 'ALIAS_LIMIT',
          });
        }
      }
      // `---` with nothing after it composes a zero-width null scalar: that document is empty too.
      const nothing = contents == null || (Y().isScalar(contents) && contents.value === null && !!contents.range && contents.range[1] <= contents.range[0]);
      const empty = nothing && problems.length === 0;
      this.documents.push({ value, problems, range, start: prevEnd, empty });
      // Comments of an empty document (a `# Source:` line between two `---`) belong to the next one.
      if (!empty) prevEnd = d.range[2];
    }
  }

  /** 1-based line and column of an offset. */
  position(offset: number): Position {
    const p = this.lineCounter.linePos(Math.max(0, Math.min(offset, this.text.length)));
    return { line: p.line, column: p.col };
  }

  /** [start, end) offsets of the node at `pointer` in document `doc`, or null when it does not resolve. */
  locate(doc: number, pointer: string, on: LocateOn = 'node'): [number, number] | null {
    const found = this.find(doc, pointer);
    if (!found) return null;
    if (on === 'key' && found.pair) {
      const k = found.pair.key as AnyNode;
      if (k?.range) return [k.range[0], nodeEnd(k, this.text)];
    }
    const n = found.node;
    // An empty value (`name:`) has a zero-width node: point at its key instead.
    if (n?.range && !(Y().isScalar(n) && n.value === null && n.range[1] <= n.range[0] && found.pair)) return [n.range[0], nodeEnd(n, this.text)];
    // A key with an empty value (`name:`): point at the key.
    const k = found.pair?.key as AnyNode;
    if (k?.range) return [k.range[0], nodeEnd(k, this.text)];
    return null;
  }

  /**
   * Source text of the node at `pointer`, including a scalar's tag and anchor (`!!str yes`), or null.
   * (The parser's node range starts after those properties.)
   */
  sourceText(doc: number, pointer: string, on: LocateOn = 'node'): string | null {
    const range = this.locate(doc, pointer, on);
    if (!range) return null;
    let start = range[0];
    const found = on === 'node' ? this.find(doc, pointer) : null;
    const n = found?.node;
    if (n && Y().isScalar(n) && (n.tag || n.anchor)) {
      // Walk back over `!tag` / `&anchor` tokens separated by blanks.
      for (;;) {
        let i = start;
        while (i > 0 && (this.text[i - 1] === ' ' || this.text[i - 1] === '\t')) i--;
        let j = i;
        while (j > 0 && !/\s/.test(this.text[j - 1]!)) j--;
        const token = this.text.slice(j, i);
        if (j < i && (token[0] === '!' || token[0] === '&')) start = j;
        else break;
      }
    }
    return this.text.slice(start, range[1]);
  }

  /** The nearest ancestor of `pointer` that resolves, for error messages about a bad path. */
  nearestResolvable(doc: number, pointer: string): string {
    return nearestAncestor(pointer, (p) => this.find(doc, p) !== null);
  }

  // ---- edits (used by the fixer) ---------------------------------------------------------

  /** An edit replacing the scalar at pointer with `value`, keeping its quoting style when possible. */
  replaceScalar(doc: number, pointer: string, value: string | number | boolean): { range: [number, number]; text: string } | null {
    const found = this.find(doc, pointer);
    const n = found?.node;
    if (!n || !Y().isScalar(n) || !n.range) return null;
    return { range: [n.range[0], n.range[1]], text: renderScalar(value, n.type) };
  }

  renameKey(doc: number, pointer: string, newKey: string): { range: [number, number]; text: string } | null {
    const found = this.find(doc, pointer);
    const k = found?.pair?.key as AnyNode;
    if (!k || !Y().isScalar(k) || !k.range) return null;
    return { range: [k.range[0], k.range[1]], text: renderScalar(newKey, k.type) };
  }

  insertPair(doc: number, pointer: string, key: string, value: string | number | boolean): { range: [number, number]; text: string } | null {
    const found = this.find(doc, pointer);
    const m = found?.node;
    if (!m || !Y().isMap(m) || !m.range) return null;
    const pairs = m.items as Pair[];
    const firstKey = pairs[0]?.key as AnyNode;
    const quoted = firstKey && Y().isScalar(firstKey) ? firstKey.type : undefined;
    const k = renderScalar(key, quoted === 'QUOTE_DOUBLE' ? 'QUOTE_DOUBLE' : undefined);
    const v = renderScalar(value, quoted === 'QUOTE_DOUBLE' && typeof value === 'string' ? 'QUOTE_DOUBLE' : undefined);
    if (m.flow) {
      // Before the closing brace.
      let close = m.range[1] - 1;
      while (close > m.range[0] && this.text[close] !== '}') close--;
      let before = close;
      while (before > m.range[0] && /\s/.test(this.text[before - 1]!)) before--;
      const empty = pairs.length === 0;
      return { range: [before, before], text: `${empty ? '' : ', '}${k}: ${v}` };
    }
    const last = pairs[pairs.length - 1];
    if (!last || !firstKey?.range) return null;
    const lastNode = (last.value as AnyNode) ?? (last.key as AnyNode);
    let at = lastNode?.range ? nodeEnd(lastNode, this.text) : m.range[1];
    // After any trailing comment on that line.
    while (at < this.text.length && this.text[at] !== '\n' && this.text[at] !== '\r') at++;
    const lineStart = this.text.lastIndexOf('\n', firstKey.range[0] - 1) + 1;
    const indent = ' '.repeat(firstKey.range[0] - lineStart);
    return { range: [at, at], text: `${this.eol}${indent}${k}: ${v}` };
  }

  // ---- internals -------------------------------------------------------------------------

  private find(doc: number, pointer: string): { node: AnyNode; pair: Pair | null } | null {
    const d = this.yamlDocs[doc];
    if (!d) return null;
    let node: AnyNode = d.contents as AnyNode;
    let pair: Pair | null = null;
    for (const token of splitPointer(pointer)) {
      node = this.deref(d, node);
      if (Y().isMap(node)) {
        const p = findPair(d, node, token, this);
        if (!p) return null;
        pair = p;
        node = p.value as AnyNode;
      } else if (Y().isSeq(node)) {
        if (!/^(0|[1-9]\d*)$/.test(token)) return null;
        const item = node.items[Number(token)] as AnyNode;
        if (item === undefined) return null;
        pair = null;
        node = item;
      } else {
        return null;
      }
    }
    return { node: this.deref(d, node), pair };
  }

  deref(d: Document.Parsed, node: AnyNode): AnyNode {
    let n = node;
    for (let i = 0; i < 32 && n && Y().isAlias(n); i++) n = n.resolve(d) as AnyNode;
    return n;
  }
}

function findPair(d: Document.Parsed, map: YAMLMap, token: string, src: PreciseSource): Pair | null {
  let merge: Pair | null = null;
  for (const p of map.items as Pair[]) {
    const k = p.key as AnyNode;
    const kv = Y().isScalar(k) ? k.value : k;
    // With merge keys on, `<<` is a Scalar whose value is a symbol and whose source is '<<'.
    if (Y().isScalar(k) && (typeof kv === 'symbol' || (kv === '<<' && k.type === 'PLAIN'))) merge = p;
    else if (Y().isScalar(k) && String(kv) === token) return p;
  }
  if (merge) {
    // `<<: *base` or `<<: [*a, *b]`: look inside the merged mappings.
    const v = src.deref(d, merge.value as AnyNode);
    const sources = Y().isSeq(v) ? (v.items as AnyNode[]).map((i) => src.deref(d, i)) : [v];
    for (const s of sources) {
      if (Y().isMap(s)) {
        const p = findPair(d, s, token, src);
        if (p) return p;
      }
    }
  }
  return null;
}

/** End offset of a node, excluding trailing blank lines and comments of block collections. */
function nodeEnd(node: YNode, text: string): number {
  if (Y().isCollection(node) && !node.flow) {
    const items = node.items as Array<Pair | YNode>;
    for (let i = items.length - 1; i >= 0; i--) {
      const it = items[i] as Pair | YNode;
      if (Y().isMap(node)) {
        const p = it as Pair;
        const v = p.value as AnyNode;
        const empty = !v?.range || (Y().isScalar(v) && v.value === null && v.range[1] <= v.range[0]);
        const last = empty ? (p.key as AnyNode) : v;
        if (last?.range) return nodeEnd(last, text);
      } else if ((it as YNode)?.range) {
        return nodeEnd(it as YNode, text);
      }
    }
  }
  const r = node.range;
  if (!r) return 0;
  let end = r[1];
  if (Y().isScalar(node) && (node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED')) {
    while (end > r[0] && /\s/.test(text[end - 1]!)) end--;
  }
  return end;
}

function renderScalar(value: string | number | boolean, style?: Scalar.Type | string | null): string {
  if (typeof value === 'string') {
    if (style === 'QUOTE_DOUBLE') return JSON.stringify(value);
    if (style === 'QUOTE_SINGLE') return `'${value.replace(/'/g, "''")}'`;
  }
  // YAML 1.1 rendering quotes what Kubernetes' decoder (go-yaml, YAML 1.1) would read as non-strings.
  return Y().stringify(value, { version: '1.1', lineWidth: 0 }).replace(/\n$/, '');
}

/** The longest proper prefix of `pointer` (by tokens) that `resolves`; '' when none does. */
function nearestAncestor(pointer: string, resolves: (p: string) => boolean): string {
  const tokens = [...splitPointer(pointer)];
  while (tokens.length > 0) {
    tokens.pop();
    const p = tokens.map((t) => '/' + escapeToken(t)).join('');
    if (resolves(p)) return p;
  }
  return '';
}

function cleanMessage(m: string): string {
  // yaml's messages may carry "at line X, column Y:" plus a code excerpt; keep the first sentence.
  return m.split('\n')[0]!.replace(/\s*at line \d+, column \d+:?\s*$/, '').trim();
}

/**
 * Parse a YAML string embedded in a manifest (the `values` key of ConfigMap `linkerd-config`).
 * Never throws; aliases are capped as for manifests. Positions inside the string are not tracked.
 */
export function parseYamlValue(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  if (!(ANCHOR.test(text) && ALIAS.test(text))) {
    try {
      const docs: unknown[] = [];
      J().lib.loadAll(text, (v) => docs.push(v), { schema: J().schema });
      if (docs.length === 1) return { ok: true, value: docs[0] };
    } catch {
      // the precise parse says what is wrong
    }
  }
  try {
    const docs = Y().parseAllDocuments(text, { prettyErrors: false, uniqueKeys: true, merge: true });
    const list = Array.isArray(docs) ? docs : [];
    if (list.length !== 1) return { ok: false, error: `expected one YAML document, found ${list.length}` };
    const d = list[0]!;
    if (d.errors.length > 0) return { ok: false, error: cleanMessage(d.errors[0]!.message) };
    return { ok: true, value: d.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) };
  } catch (err) {
    return { ok: false, error: cleanMessage(String((err as Error).message)) };
  }
}

// ---- the fast path -------------------------------------------------------------------------
//
// js-yaml parses several times faster than the `yaml` Document API. Its `listener` reports where
// every node opens and closes, which is all we need for positions: a small tree of offsets, built
// in the same single parse. Files with a syntax error, a duplicate key (js-yaml throws; the precise
// parse reports each problem), or anchors (aliases need the precise parse's expansion limit) take
// the precise path. Where the offset tree disagrees with the parsed value, the precise parse is used
// for that file's positions, so a finding is never placed on a guess.

// Node kinds in the flat offset tree, and "no node".
const K_NONE = 0;
const K_SCALAR = 1;
const K_SEQUENCE = 2;
const K_MAPPING = 3;
const NONE = -1;
const KIND_CODE: Record<string, number> = { scalar: K_SCALAR, sequence: K_SEQUENCE, mapping: K_MAPPING };

// An anchor (`&name`) and an alias (`*name`) at the start of a node; `&&` and `*.yaml` in scripts are
// not. Only both together can expand, so only both together need the precise parse's limit.
const ANCHOR = /(?:^|[\s[{,:-])&[^\s[\]{},&*]/m;
const ALIAS = /(?:^|[\s[{,:-])\*[^\s[\]{},&*.]/m;

/**
 * The offset tree of one file, flat: three int32 per node in post-order (where composing the node
 * began, before separating blanks and comments; where it ended; kind | subtree size << 2). A node's
 * children are the subtrees just before it. Once the tree has been checked against the parsed
 * values, mapping keys are kept as ids into a table of names, and the values can go.
 */
class FastTree {
  a: Int32Array;
  readonly n: number;
  readonly roots: number[] = [];
  values: unknown[] | null;
  /** Scalar results while the tree is checked against the values; dropped afterwards. */
  private res: unknown[] | null;
  /** Per node: 1 + index of its key string in keyNames, or 0 when it is not a mapping key. */
  keyIds: Int32Array | Uint16Array = new Int32Array(0);
  keyNames: string[] = [];
  constructor(text: string | FastTreeParts, parsedValues: unknown[] | null = null) {
    if (typeof text !== 'string') {
      // A tree built together with its values by quickParse(): nothing to check.
      this.a = text.a;
      this.n = text.n;
      this.roots = text.roots;
      this.keyIds = text.keyIds;
      this.keyNames = text.keyNames;
      this.res = null;
      this.values = parsedValues;
      return;
    }
    let a = new Int32Array(Math.max(64, (text.length >> 3) * 3));
    const res: unknown[] = [];
    const roots = this.roots;
    // Open nodes: where each began and how many nodes had closed then.
    const opens: number[] = [];
    let n = 0;
    const values: unknown[] = [];
    const { lib, schema } = J();
    lib.loadAll(text, (v) => values.push(v), {
      schema,
      json: false,
      listener(type, state) {
        if (type === 'open') {
          opens.push(state.position, n);
        } else {
          const first = opens.pop()!;
          const s = opens.pop()!;
          if (3 * n + 3 > a.length) {
            const b = new Int32Array(a.length * 2);
            b.set(a);
            a = b;
          }
          const kind = KIND_CODE[state.kind as string] ?? K_NONE;
          a[3 * n] = s;
          a[3 * n + 1] = state.position;
          a[3 * n + 2] = kind | ((n - first + 1) << 2);
          if (kind === K_SCALAR) {
            res[n] = state.result;
          }
          if (opens.length === 0) roots.push(n);
          n++;
        }
      },
    } as jsyaml.LoadOptions);
    this.a = a;
    this.n = n;
    this.res = res;
    this.values = values;
  }
  s(i: number): number {
    return this.a[3 * i]!;
  }
  e(i: number): number {
    return this.a[3 * i + 1]!;
  }
  k(i: number): number {
    return this.a[3 * i + 2]! & 3;
  }
  size(i: number): number {
    return this.a[3 * i + 2]! >>> 2;
  }
  /** Children in document order. */
  kids(i: number): number[] {
    const out: number[] = [];
    const first = i - this.size(i) + 1;
    for (let j = i - 1; j >= first; j -= this.size(j)) out.push(j);
    return out.reverse();
  }
  /** kids(), pushed onto `out` instead of a list of their own; how many. */
  kidsInto(i: number, out: NodeStack): number {
    const from = out.top;
    const first = i - this.size(i) + 1;
    for (let j = i - 1; j >= first; j -= this.size(j)) out.push(j);
    out.reverseFrom(from);
    return out.top - from;
  }
  result(i: number): unknown {
    return this.res![i];
  }
  keyName(i: number): string | undefined {
    const id = this.keyIds[i]!;
    return id === 0 ? undefined : this.keyNames[id - 1];
  }
  /** After the check: keep key names only, and let the values go. */
  settle(): void {
    this.res = null;
    this.values = null;
    if (this.a.length > 3 * this.n) this.a = this.a.slice(0, 3 * this.n);
  }
}

/** A quick parse as a parse worker sends it: the tree, and how valuesFromTree() makes the values. */
export interface ShippedTree extends QuickTree {
  how: Uint8Array;
  side: unknown[];
}

/** An offset tree built consistent with its values (by quickParse()). */
export interface FastTreeParts {
  a: Int32Array;
  n: number;
  roots: number[];
  keyIds: Int32Array | Uint16Array;
  keyNames: string[];
}

/**
 * True when a value shares collections through aliases: the precise parse then expands them under
 * its alias limit (an alias bomb is reported there), and rules see independent copies. Aliased
 * scalars (Linkerd's `&containerName linkerd-proxy`) are harmless and stay on the fast path.
 */
function aliasesExpand(v: unknown): boolean {
  const seen = new Set<object>();
  const walk = (x: unknown): boolean => {
    if (x === null || typeof x !== 'object') return false;
    if (seen.has(x)) return true;
    seen.add(x);
    for (const child of Array.isArray(x) ? x : Object.values(x)) if (walk(child)) return true;
    return false;
  };
  return walk(v);
}

function isBlank(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r';
}

/** Skip blanks, line breaks and comments. */
function skipTrivia(text: string, i: number, end: number): number {
  while (i < end) {
    const c = text[i];
    if (isBlank(c)) i++;
    else if (c === '#') {
      while (i < end && text[i] !== '\n') i++;
    } else break;
  }
  return i;
}

/** Skip a node's `!tag` and `&anchor` properties. */
function skipProperties(text: string, i: number, end: number): number {
  while (i < end && (text[i] === '!' || text[i] === '&')) {
    while (i < end && !isBlank(text[i])) i++;
    i = skipTrivia(text, i, end);
  }
  return i;
}

/** Line starts being found (see LineIndex); grows to the longest file's line count. */
let lineScratch = new Int32Array(4096);

/** Line and column of offsets into a text, without the text. */
export class LineIndex {
  /**
   * Where each line starts, outside the JS heap (large runs keep one per file until the end): 16-bit
   * for a text under 64 KB, as nearly all files are.
   */
  private readonly starts: Int32Array | Uint16Array;
  private readonly length: number;
  constructor(t: string) {
    // One pass over the text into a scratch list, then a copy at the exact size (counting the lines
    // first took a second pass: 40% more time, some 20 ms of a large run's engine thread).
    let s = lineScratch;
    let k = 1;
    for (let i = t.indexOf('\n'); i !== -1; i = t.indexOf('\n', i + 1)) {
      if (k === s.length) {
        const grown = new Int32Array(s.length * 2);
        grown.set(s);
        lineScratch = s = grown;
      }
      s[k++] = i + 1;
    }
    const starts = t.length <= 0xffff ? new Uint16Array(k) : new Int32Array(k);
    starts.set(s.subarray(1, k), 1);
    this.starts = starts;
    this.length = t.length;
  }

  position(offset: number): Position {
    const o = Math.max(0, Math.min(offset, this.length));
    const ls = this.starts;
    let lo = 0;
    let hi = ls.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (ls[mid]! <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: o - ls[lo]! + 1 };
  }
}

export class SourceFile {
  readonly text: string;
  documents: SourceDocument[];
  readonly eol: '\n' | '\r\n';
  private readonly tree: FastTree | null;
  private preciseSource?: PreciseSource;
  private lineIndex?: LineIndex;
  private fallback = false;
  /** With `record`: the quick parse's tree and how its values are made again (see shippedTree()). */
  private recorded: ShippedTree | null = null;
  /** The quick reader's plain strings that Kubernetes may read otherwise (see mayBePlain()). */
  private plain: ReadonlySet<string> | null = null;
  /**
   * True when the values come from the quick reader (here or on a parse worker): it makes every
   * collection once (an anchored one is left to js-yaml, which shares it with its aliases).
   */
  readonly unshared: boolean = false;

  /**
   * `precise: true` skips the fast parse (tests compare both strategies); `quick: false` skips the
   * quick reader (tests compare it with js-yaml). `fastOnly: true` makes no precise parse when the
   * fast one fails (a parse worker: the file then has no documents there, and is prepared where it is used).
   * `record: true` keeps what shippedTree() gives (a parse worker); `tree` is that, from a worker: the
   * values are made from it instead of reading the text again.
   */
  constructor(text: string, opts: { precise?: boolean; fastOnly?: boolean; quick?: boolean; record?: boolean; tree?: ShippedTree } = {}) {
    this.text = text;
    this.eol = /\r\n/.test(text.slice(0, 4096)) ? '\r\n' : '\n';
    let tree: FastTree | null = null;
    let checked = false;
    // Most manifests take the quick reader (quick-yaml.ts), which builds a consistent tree; what it
    // leaves goes to js-yaml, whose tree is checked against its values.
    if (opts.tree) {
      tree = new FastTree(opts.tree, valuesFromTree(text, opts.tree, opts.tree.how, opts.tree.side));
      checked = true;
      this.unshared = true;
    } else {
      const quick = opts.precise || opts.quick === false ? null : quickParse(text, J().implicit, opts.record);
      if (quick) {
        tree = new FastTree(quick, quick.values);
        checked = true;
        this.unshared = true;
        this.plain = quick.plain;
        if (quick.how && quick.side) this.recorded = { a: quick.a, n: quick.n, roots: quick.roots, keyIds: quick.keyIds, keyNames: quick.keyNames, how: quick.how, side: quick.side };
      }
    }
    // js-yaml drops a byte-order mark (shifting offsets) and shares aliased nodes: both go the precise way.
    if (!tree && !opts.precise && text.charCodeAt(0) !== 0xfeff) {
      try {
        tree = new FastTree(text);
        if (tree.roots.length !== tree.values!.length) tree = null;
        // js-yaml shares aliased nodes instead of copying them: an alias bomb goes to the precise
        // parse, whose expansion limit reports it.
        else if (text.includes('&') && text.includes('*') && ANCHOR.test(text) && ALIAS.test(text) && tree.values!.some(aliasesExpand)) tree = null;
      } catch {
        tree = null; // a syntax error or a duplicate key: the precise parse reports it
      }
    }
    this.tree = tree;
    if (!tree && opts.fastOnly) {
      // A parse worker: the precise parse is made where the file is used.
      this.documents = [];
      return;
    }
    if (!tree) {
      this.preciseSource = new PreciseSource(text);
      this.documents = this.preciseSource.documents;
      return;
    }
    this.documents = [];
    let prevEnd = 0;
    const values = tree.values!;
    tree.roots.forEach((root, i) => {
      const value = values[i] ?? undefined;
      const start = skipTrivia(text, tree.s(root), text.length);
      const empty = tree.k(root) === K_NONE && (value === undefined || value === null);
      const end = empty ? start : this.end(this.norm(root));
      // A document's own text begins on the line after the previous document's content.
      const nl = i === 0 ? -1 : text.indexOf('\n', prevEnd);
      const docStart = i === 0 ? 0 : nl === -1 ? prevEnd : nl + 1;
      this.documents.push({ value: empty ? undefined : value, problems: [], range: [start, Math.max(start, end)], start: Math.min(docStart, start), empty });
      if (!empty) prevEnd = end;
    });
    // Where the offset tree disagrees with the parsed values anywhere, positions come from the
    // precise parse, so a finding is never placed on a guess.
    if (!checked && !this.check(values)) this.fallback = true;
    tree.settle();
  }

  /**
   * The quick parse's tree and how to make its values from it (parsed with `record`), for another
   * thread's `new SourceFile(text, {tree})`; null when the file did not take the quick reader. Its
   * arrays are meant to be transferred: this parse is not used after.
   */
  shippedTree(): ShippedTree | null {
    return this.recorded;
  }

  /**
   * False when no plain scalar of the file has this value, so that no node's text is the value
   * unquoted; true when one may (or the quick reader did not read the file). Only for values that
   * Kubernetes may read as something other than a string (yaml11.ts mayBeNonString).
   */
  mayBePlain(value: string): boolean {
    return this.plain === null || this.plain.has(value);
  }

  /** True when positions come from the fast parse (tests compare the two). */
  get fast(): boolean {
    return this.tree !== null && !this.fallback;
  }

  /**
   * Drop the parsed values: positions still resolve (from the offset tree, or by parsing precisely
   * again), so a file's parse can be kept for findings reported after the whole set was read.
   */
  release(): void {
    this.documents = this.documents.map((d) => ({ ...d, value: undefined }));
  }

  private precise(): PreciseSource {
    return (this.preciseSource ??= new PreciseSource(this.text));
  }

  position(offset: number): Position {
    if (!this.tree) return this.precise().position(offset);
    return this.lines().position(offset);
  }

  /** Where the lines start (fast parses): positions without the text or the tree. */
  lines(): LineIndex {
    return (this.lineIndex ??= new LineIndex(this.text));
  }

  /** The offset tree as captureSkeleton() walks it; null when positions do not come from it. */
  cursor(): TreeCursor | null {
    if (!this.fast) return null;
    const tree = this.tree!;
    // Each node's end, plus one (0: not known yet): a collection ends where its last child does, so
    // the walk down a skeleton would find the same ends again at every level.
    const ends = new Int32Array(tree.n);
    const text = this.text;
    const span = (n: number, out: RangeList, twice: boolean) => {
      const s = this.start(n);
      const e = Math.max(s, this.end(n, ends));
      if (twice) out.push(s, e, s, e);
      else out.push2(s, e);
    };
    return {
      at: (doc, pointer) => this.find(doc, pointer),
      items: (node, out) => {
        if (node === NONE || tree.k(node) !== K_SEQUENCE) return -1;
        const from = out.top;
        const count = this.realInto(node, out);
        const a = out.a;
        for (let i = from; i < from + count; i++) a[i] = this.norm(a[i]!);
        return count;
      },
      pairs: (node, out) => {
        if (node === NONE || tree.k(node) !== K_MAPPING) return -1;
        const from = out.top;
        if (text[this.start(node)] === '{') {
          for (const p of this.pairs(node)) {
            out.push(p.key);
            out.push(p.value);
          }
          return out.top - from;
        }
        // Block mappings: keys and values alternate among the children; a last key has no value.
        const count = this.realInto(node, out);
        const a = out.a;
        for (let i = from; i < from + count; i++) a[i] = this.norm(a[i]!);
        if (count % 2 === 1) out.push(NONE);
        return out.top - from;
      },
      name: (key) => tree.keyName(key),
      ranges: (node, key, out) => {
        // What locate() gives for 'node' and for 'key' (nodeRange, range); an alias it leaves to the precise parse.
        if (this.isAlias(node)) return false;
        const n = node !== NONE && tree.k(node) !== K_NONE ? node : key !== NONE ? key : node;
        if (n === NONE) out.push(-1, -1, -1, -1);
        else if (key === NONE || key === n) span(n, out, true);
        else {
          span(n, out, false);
          span(key, out, false);
        }
        return true;
      },
    };
  }

  locate(doc: number, pointer: string, on: LocateOn = 'node'): [number, number] | null {
    if (!this.fast) return this.precise().locate(doc, pointer, on);
    const f = this.find(doc, pointer);
    if (!f) return null;
    if (this.isAlias(f.node)) {
      // An alias: the precise parse knows what it stands for.
      this.fallback = true;
      return this.precise().locate(doc, pointer, on);
    }
    return on === 'key' && f.key !== NONE ? this.range(f.key) : this.nodeRange(f.node, f.key);
  }

  private isAlias(node: number): boolean {
    return node !== NONE && this.tree!.k(node) === K_NONE && this.text[this.start(node)] === '*';
  }

  /** The range locate() gives for 'node': the node, or its key when the value is empty. */
  private nodeRange(node: number, key: number): [number, number] | null {
    if (node !== NONE && this.tree!.k(node) !== K_NONE) return this.range(node);
    return key !== NONE ? this.range(key) : node !== NONE ? this.range(node) : null;
  }

  sourceText(doc: number, pointer: string, on: LocateOn = 'node'): string | null {
    if (!this.fast) return this.precise().sourceText(doc, pointer, on);
    const r = this.locate(doc, pointer, on);
    if (!r || !this.fast) return r ? this.precise().sourceText(doc, pointer, on) : null;
    // Include the node's `!tag` / `&anchor` properties, as the precise parse does.
    const f = this.find(doc, pointer);
    const n = on === 'key' ? f?.key : f?.node;
    const start = n !== undefined && n !== NONE ? skipTrivia(this.text, this.tree!.s(n), r[0]) : r[0];
    return this.text.slice(start, r[1]);
  }

  nearestResolvable(doc: number, pointer: string): string {
    if (!this.fast) return this.precise().nearestResolvable(doc, pointer);
    return nearestAncestor(pointer, (p) => this.locate(doc, p) !== null);
  }

  // Edits are rare (--fix, editor quick fixes): the precise parse has the node styles they need.
  // The two parsers count empty documents differently, so documents are matched by where their
  // content starts.
  replaceScalar(doc: number, pointer: string, value: string | number | boolean) {
    const j = this.preciseIndex(doc);
    return j === -1 ? null : this.precise().replaceScalar(j, pointer, value);
  }

  renameKey(doc: number, pointer: string, newKey: string) {
    const j = this.preciseIndex(doc);
    return j === -1 ? null : this.precise().renameKey(j, pointer, newKey);
  }

  insertPair(doc: number, pointer: string, key: string, value: string | number | boolean) {
    const j = this.preciseIndex(doc);
    return j === -1 ? null : this.precise().insertPair(j, pointer, key, value);
  }

  private preciseIndex(doc: number): number {
    if (!this.tree) return doc;
    const d = this.documents[doc];
    return d ? this.precise().documents.findIndex((x) => !x.empty && x.range[0] === d.range[0]) : -1;
  }

  // ---- the offset tree -------------------------------------------------------------------

  /** Collapse the wrapper nodes js-yaml composes around a flow collection in a block context. */
  private norm(n: number): number {
    const t = this.tree!;
    let cur = n;
    // A single child is the node just before, one node smaller.
    while (t.k(cur) !== K_SCALAR && t.size(cur) > 1 && t.size(cur - 1) === t.size(cur) - 1 && t.k(cur - 1) === t.k(cur) && t.e(cur - 1) === t.e(cur)) cur--;
    return cur;
  }

  private start(n: number): number {
    const t = this.text;
    const e = this.tree!.e(n);
    return skipProperties(t, skipTrivia(t, this.tree!.s(n), e), e);
  }

  /** Where node `n` ends; with `memo` (each node's end plus one, 0 while not known), once per node. */
  private end(n: number, memo?: Int32Array): number {
    if (memo === undefined) return this.endOf(n);
    const m = memo[n]!;
    if (m > 0) return m - 1;
    const e = this.endOf(n, memo);
    memo[n] = e + 1;
    return e;
  }

  private endOf(n: number, memo?: Int32Array): number {
    const t = this.text;
    const tree = this.tree!;
    const s = this.start(n);
    const k = tree.k(n);
    if (k === K_SCALAR || k === K_NONE) {
      // A plain scalar followed by a comment closes after the blanks before `#`.
      let e = tree.e(n);
      while (e > s && isBlank(t[e - 1])) e--;
      return Math.max(s, e);
    }
    if (t[s] === '{' || t[s] === '[') {
      let e = tree.e(n);
      while (e > s && isBlank(t[e - 1])) e--;
      return e;
    }
    // A block collection ends where its last node does. Children are the subtrees just before a
    // node, the last one first (kids() without its array: ranges are taken by the million).
    const first = n - tree.size(n) + 1;
    for (let j = n - 1; j >= first; j -= tree.size(j)) {
      const kid = this.norm(j);
      // An empty value (`key:`) has no node of its own: the collection ends at its key. An alias
      // (`*name`) has no kind either, but it has text.
      if (tree.k(kid) !== K_NONE || this.text[this.start(kid)] === '*') return this.end(kid, memo);
    }
    let e = tree.e(n);
    while (e > s && isBlank(t[e - 1])) e--;
    return e;
  }

  private range(n: number): [number, number] {
    const s = this.start(n);
    return [s, Math.max(s, this.end(n))];
  }

  /**
   * Children without the phantom node js-yaml composes when it probes for one more key or item
   * at the end of a block collection (no content, no kind).
   */
  private real(n: number): number[] {
    const kids = this.tree!.kids(n);
    if (this.phantomLast(n, kids.length, kids[kids.length - 1] ?? NONE)) kids.pop();
    return kids;
  }

  /** real(), pushed onto `out` instead of a list of their own; how many. */
  private realInto(n: number, out: NodeStack): number {
    const count = this.tree!.kidsInto(n, out);
    if (!this.phantomLast(n, count, count > 0 ? out.a[out.top - 1]! : NONE)) return count;
    out.top--;
    return count - 1;
  }

  /** Whether `last`, the last of node `n`'s `count` children, is that phantom node. */
  private phantomLast(n: number, count: number, last: number): boolean {
    const tree = this.tree!;
    if (last === NONE || tree.k(last) !== K_NONE || skipTrivia(this.text, tree.s(last), tree.e(last)) < tree.e(last)) return false;
    const t = this.text[this.start(n)];
    const block = t !== '{' && t !== '[';
    return block && (tree.k(n) === K_SEQUENCE || count % 2 === 1);
  }

  /** Key and value nodes of a mapping (NONE for an empty value). */
  private pairs(n: number): Array<{ key: number; value: number }> {
    const tree = this.tree!;
    const kids = this.real(n);
    const t = this.text;
    const flow = t[this.start(n)] === '{';
    const out: Array<{ key: number; value: number }> = [];
    for (let i = 0; i < kids.length; ) {
      const key = this.norm(kids[i]!);
      const next = kids[i + 1];
      if (flow) {
        const after = skipTrivia(t, tree.e(key), tree.e(n));
        if (t[after] === ':') {
          out.push({ key, value: next !== undefined ? this.norm(next) : NONE });
          i += 2;
        } else {
          out.push({ key, value: NONE });
          i += 1;
        }
      } else {
        out.push({ key, value: next !== undefined ? this.norm(next) : NONE });
        i += 2;
      }
    }
    return out;
  }

  /** The pair of a mapping whose key is `token`: pairs() without building every pair (paths are resolved by the thousand). */
  private pairOf(n: number, token: string): { key: number; value: number } | null {
    const tree = this.tree!;
    if (this.text[this.start(n)] === '{') return this.pairs(n).find((x) => tree.keyName(x.key) === token) ?? null;
    const kids = this.real(n);
    for (let i = 0; i < kids.length; i += 2) {
      const key = this.norm(kids[i]!);
      if (tree.keyName(key) !== token) continue;
      const next = kids[i + 1];
      return { key, value: next !== undefined ? this.norm(next) : NONE };
    }
    return null;
  }

  /**
   * Check the tree against the parsed values (every mapping's keys, every sequence's length) and
   * keep each key's string, so that paths resolve from the tree alone.
   */
  private check(values: unknown[]): boolean {
    const tree = this.tree!;
    const names = new Map<string, number>();
    const visit = (n: number, v: unknown): boolean => {
      if (v === null || typeof v !== 'object') return true;
      if (Array.isArray(v)) {
        if (tree.k(n) !== K_SEQUENCE) return false;
        const items = this.real(n);
        if (items.length !== v.length) return false;
        for (let i = 0; i < items.length; i++) if (!visit(this.norm(items[i]!), v[i])) return false;
        return true;
      }
      if (tree.k(n) !== K_MAPPING) return false;
      const obj = v as Record<string, unknown>;
      const pairs = this.pairs(n);
      if (pairs.length !== Object.keys(obj).length) return false;
      for (const p of pairs) {
        if (tree.k(p.key) !== K_SCALAR) return false;
        const key = String(tree.result(p.key));
        if (!Object.prototype.hasOwnProperty.call(obj, key)) return false;
        let id = names.get(key);
        if (id === undefined) names.set(key, (id = names.size));
        tree.keyIds[p.key] = id + 1;
        if (p.value !== NONE && !visit(p.value, obj[key])) return false;
      }
      return true;
    };
    tree.keyIds = new Int32Array(tree.n);
    let ok = true;
    tree.roots.forEach((root, i) => {
      if (ok && !this.documents[i]!.empty) ok = visit(this.norm(root), values[i]);
    });
    tree.keyNames = [...names.keys()];
    return ok;
  }

  private find(doc: number, pointer: string): { node: number; key: number } | null {
    const tree = this.tree!;
    const root = tree.roots[doc];
    if (root === undefined) return null;
    let node = this.norm(root);
    let key = NONE;
    const empty = this.documents[doc]!.empty;
    for (const token of splitPointer(pointer)) {
      if (node === NONE || empty) return null;
      const k = tree.k(node);
      if (k === K_SEQUENCE) {
        if (!/^(0|[1-9]\d*)$/.test(token)) return null;
        const items = this.real(node);
        const i = Number(token);
        if (i >= items.length) return null;
        node = this.norm(items[i]!);
        key = NONE;
      } else if (k === K_MAPPING) {
        const p = this.pairOf(node, token);
        if (!p) return null;
        key = p.key;
        node = p.value;
      } else return null;
    }
    return { node, key };
  }
}

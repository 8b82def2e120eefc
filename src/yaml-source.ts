// The one module that knows the YAML parser. Everything else sees plain values, JSON Pointers
// and offsets. Swapping the parser (or how positions are obtained) must not change any caller.

import {
  parseAllDocuments,
  LineCounter,
  isMap,
  isSeq,
  isScalar,
  isAlias,
  isCollection,
  Scalar,
  stringify,
  type Document,
  type Node as YNode,
  type Pair,
  type YAMLMap,
} from 'yaml';
import { splitPointer } from './pointer.js';
import type { ParseProblem } from './types.js';

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

export class SourceFile {
  readonly text: string;
  readonly documents: SourceDocument[];
  readonly eol: '\n' | '\r\n';
  private readonly lineCounter = new LineCounter();
  private readonly yamlDocs: Document.Parsed[];

  constructor(text: string) {
    this.text = text;
    this.eol = /\r\n/.test(text.slice(0, 4096)) ? '\r\n' : '\n';
    const docs = parseAllDocuments(text, {
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
      this.documents.push({ value, problems, range, start: prevEnd, empty: contents == null && problems.length === 0 });
      prevEnd = d.range[2];
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
    if (n?.range) return [n.range[0], nodeEnd(n, this.text)];
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
    if (n && isScalar(n) && (n.tag || n.anchor)) {
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
    const tokens = splitPointer(pointer);
    while (tokens.length > 0) {
      tokens.pop();
      const p = tokens.map((t) => '/' + t.replace(/~/g, '~0').replace(/\//g, '~1')).join('');
      if (this.find(doc, p)) return p;
    }
    return '';
  }

  // ---- edits (used by the fixer) ---------------------------------------------------------

  /** An edit replacing the scalar at pointer with `value`, keeping its quoting style when possible. */
  replaceScalar(doc: number, pointer: string, value: string | number | boolean): { range: [number, number]; text: string } | null {
    const found = this.find(doc, pointer);
    const n = found?.node;
    if (!n || !isScalar(n) || !n.range) return null;
    return { range: [n.range[0], n.range[1]], text: renderScalar(value, n.type) };
  }

  renameKey(doc: number, pointer: string, newKey: string): { range: [number, number]; text: string } | null {
    const found = this.find(doc, pointer);
    const k = found?.pair?.key as AnyNode;
    if (!k || !isScalar(k) || !k.range) return null;
    return { range: [k.range[0], k.range[1]], text: renderScalar(newKey, k.type) };
  }

  insertPair(doc: number, pointer: string, key: string, value: string | number | boolean): { range: [number, number]; text: string } | null {
    const found = this.find(doc, pointer);
    const m = found?.node;
    if (!m || !isMap(m) || !m.range) return null;
    const pairs = m.items as Pair[];
    const firstKey = pairs[0]?.key as AnyNode;
    const quoted = firstKey && isScalar(firstKey) ? firstKey.type : undefined;
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
      if (isMap(node)) {
        const p = findPair(d, node, token, this);
        if (!p) return null;
        pair = p;
        node = p.value as AnyNode;
      } else if (isSeq(node)) {
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
    for (let i = 0; i < 32 && n && isAlias(n); i++) n = n.resolve(d) as AnyNode;
    return n;
  }
}

function findPair(d: Document.Parsed, map: YAMLMap, token: string, src: SourceFile): Pair | null {
  let merge: Pair | null = null;
  for (const p of map.items as Pair[]) {
    const k = p.key as AnyNode;
    const kv = isScalar(k) ? k.value : k;
    // With merge keys on, `<<` is a Scalar whose value is a symbol and whose source is '<<'.
    if (isScalar(k) && (typeof kv === 'symbol' || (kv === '<<' && k.type === 'PLAIN'))) merge = p;
    else if (isScalar(k) && String(kv) === token) return p;
  }
  if (merge) {
    // `<<: *base` or `<<: [*a, *b]`: look inside the merged mappings.
    const v = src.deref(d, merge.value as AnyNode);
    const sources = isSeq(v) ? (v.items as AnyNode[]).map((i) => src.deref(d, i)) : [v];
    for (const s of sources) {
      if (isMap(s)) {
        const p = findPair(d, s, token, src);
        if (p) return p;
      }
    }
  }
  return null;
}

/** End offset of a node, excluding trailing blank lines and comments of block collections. */
function nodeEnd(node: YNode, text: string): number {
  if (isCollection(node) && !node.flow) {
    const items = node.items as Array<Pair | YNode>;
    for (let i = items.length - 1; i >= 0; i--) {
      const it = items[i] as Pair | YNode;
      if (isMap(node)) {
        const p = it as Pair;
        const last = (p.value as AnyNode)?.range ? (p.value as YNode) : (p.key as AnyNode);
        if (last?.range) return nodeEnd(last, text);
      } else if ((it as YNode)?.range) {
        return nodeEnd(it as YNode, text);
      }
    }
  }
  const r = node.range;
  if (!r) return 0;
  let end = r[1];
  if (isScalar(node) && (node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED')) {
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
  return stringify(value, { version: '1.1', lineWidth: 0 }).replace(/\n$/, '');
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
  try {
    const docs = parseAllDocuments(text, { prettyErrors: false, uniqueKeys: true, merge: true });
    const list = Array.isArray(docs) ? docs : [];
    if (list.length !== 1) return { ok: false, error: `expected one YAML document, found ${list.length}` };
    const d = list[0]!;
    if (d.errors.length > 0) return { ok: false, error: cleanMessage(d.errors[0]!.message) };
    return { ok: true, value: d.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) };
  } catch (err) {
    return { ok: false, error: cleanMessage(String((err as Error).message)) };
  }
}

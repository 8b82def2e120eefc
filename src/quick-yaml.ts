// A single-pass reader for the YAML that Kubernetes manifests are made of: block mappings and
// sequences, single-line plain and quoted scalars, literal and folded block scalars, one-line flow
// sequences of scalars, `{}`, comments and `---` documents. It builds the values and the offset
// tree (see FastTree in yaml-source.ts) in one go, several times faster than js-yaml with its
// listener. Anything else (anchors, aliases, tags, multi-line flow or plain scalars, tabs, CRLF,
// duplicate keys, `...`, directives, complex keys) makes it give up on the whole file, which then
// goes to js-yaml as before: this reader never guesses. What it accepts it reads exactly as
// js-yaml does (test/quick-yaml.test.ts compares values, documents and every position).

import { mayBeNonString } from './yaml11.js';

/** An implicit scalar type as js-yaml defines it (null, bool, int, float of its core schema). */
export interface ImplicitType {
  resolve(data: string): boolean;
  construct(data: string): unknown;
}

export interface QuickParse extends QuickTree {
  values: unknown[];
  /**
   * The plain scalars that stayed strings and that Kubernetes may read as something else (see
   * mayBeNonString): a string not in here is not written plain anywhere in the file.
   */
  plain: Set<string>;
  /** With `record`: how valuesFromTree() builds the values again (see QuickTree). */
  how?: Uint8Array;
  side?: unknown[];
}

/** The offset tree of a quick parse: all that valuesFromTree() needs, with the text, to make its values. */
export interface QuickTree {
  /** The flat offset tree: per node, start, end, kind | subtree size << 2, in post-order. */
  a: Int32Array;
  n: number;
  roots: number[];
  /** Per node: 1 + index of its key in keyNames, or 0. */
  keyIds: Int32Array | Uint16Array;
  keyNames: string[];
}

/**
 * How each scalar (or kindless) node that is not a key has its value: 0 (the default) null (an empty
 * value, `~`, `null`), VERBATIM its text (as in the offset tree), SIDE the next of the values
 * recorded aside (numbers, booleans, quoted and block scalars, aliases). Recorded by a parse worker,
 * which sends the tree to the engine's thread instead of having it parse the text again.
 */
const VERBATIM = 1;
const SIDE = 2;

const K_NONE = 0;
const K_SCALAR = 1;
const K_SEQUENCE = 2;
const K_MAPPING = 3;

const NL = 10;
const SP = 32;
const HASH = 35;
const DASH = 45;
const COLON = 58;
const DQ = 34;
const SQ = 39;

/** Thrown (one shared object, no stack) when the text needs the full parser. */
const GIVE_UP = { quickYaml: 'give up' };

/**
 * Whether a plain scalar of this first character and length may resolve to something other than
 * a string: `~`, null/Null/NULL, true/True/TRUE, false/False/FALSE, and numbers.
 */
function mayResolve(c: number, length: number): boolean {
  if (c === 45 || c === 43 || c === 46 || (c >= 48 && c <= 57)) return true; // - + . 0-9
  if (c === 110 || c === 78 || c === 116 || c === 84) return length === 4; // n N t T
  if (c === 102 || c === 70) return length === 5; // f F
  return c === 126 && length === 1; // ~
}

/** A plain key's text, the key it resolves to, and that key's id in the file last read that had it. */
interface KeyEntry {
  raw: string;
  key: string;
  reader: number;
  id: number;
}
const KEY_TABLE = 1 << 12;
/**
 * Plain keys seen, by a hash of their text, over the process: each key's string is made and
 * resolved once, and files share it.
 */
const keyTable: Array<KeyEntry | undefined> = new Array(KEY_TABLE);
/** The interned copy of a string, independent of the text it was sliced from. */
const internal = (s: string): string => Object.keys({ [s]: 0 })[0]!;
let readers = 0;

/** Characters that may not start a plain scalar or key here (or that this reader leaves to js-yaml). */
function badPlainStart(c: number, next: number): boolean {
  switch (c) {
    case 63: // ?
    case 58: // :
    case 44: // ,
    case 91: // [
    case 93: // ]
    case 123: // {
    case 125: // }
    case 35: // #
    case 38: // &
    case 42: // *
    case 33: // !
    case 124: // |
    case 62: // >
    case 39: // '
    case 34: // "
    case 37: // %
    case 64: // @
    case 96: // `
      return true;
    case DASH:
      return next === SP || next === NL || next !== next;
  }
  return false;
}

class Reader {
  private readonly t: string;
  private readonly len: number;
  private a: Int32Array;
  private keyIds: Int32Array;
  private n = 0;
  private readonly names = new Map<string, number>();
  /** Lookahead after each value: where the next content is, its column, and where its line starts. */
  private pos = 0;
  private col = 0;
  private lineStart = 0;
  /** The value of the node just read. */
  private v: unknown = null;
  /** Anchored scalars' values, by name. */
  private readonly anchors = new Map<string, unknown>();
  /** Whether the last nextLine() passed a comment line. */
  private sawComment = false;
  private readonly serial = ++readers;
  /** Key ids of the mappings being read, innermost last (duplicate keys are left to js-yaml). */
  private idStack = new Int32Array(256);
  private idTop = 0;
  /** Where the last continuation of a plain scalar ended. */
  private contEnd = 0;
  /** The last keyEnd() asked and its answer (a mapping's first key is asked twice). */
  private kePos = -1;
  private keVal = -1;

  /** With `record`: per node, how its value is had (null, VERBATIM, SIDE), and the SIDE values in node order. */
  private how: Uint8Array | null = null;
  private readonly side: unknown[] = [];
  private readonly plain = new Set<string>();

  constructor(text: string, private readonly implicit: readonly ImplicitType[], record: boolean) {
    this.t = text;
    this.len = text.length;
    const cap = Math.max(64, (text.length >> 3) * 3);
    this.a = new Int32Array(cap);
    this.keyIds = new Int32Array(cap / 3);
    if (record) this.how = new Uint8Array(cap / 3);
  }

  read(): QuickParse {
    const values: unknown[] = [];
    const roots: number[] = [];
    if (this.len > 0) {
      this.nextLine(0);
      if (this.col >= 0) {
        // An implicit first document.
        roots.push(this.block(-1));
        values.push(this.v);
        if (this.col >= 0) throw GIVE_UP;
      } else if (!this.atMarker()) {
        // Nothing but blanks and comments: one empty document.
        roots.push(this.emit(0, 0, K_NONE, this.n));
        values.push(null);
      }
      while (this.atMarker()) {
        const after = this.pos + 3;
        this.nextLine(this.endLine(after));
        if (this.col >= 0) {
          roots.push(this.block(-1));
          values.push(this.v);
          if (this.col >= 0) throw GIVE_UP;
        } else {
          roots.push(this.emit(after, after, K_NONE, this.n));
          values.push(null);
        }
      }
    }
    const keyNames = [...this.names.keys()];
    // Kept past the file for findings reported later (the tree's arrays are most of what a file
    // costs then): trimmed to their use, and key ids in 16 bits when the file has fewer names.
    const n = this.n;
    let keyIds: Int32Array | Uint16Array;
    if (keyNames.length < 0xffff) (keyIds = new Uint16Array(n)).set(this.keyIds.subarray(0, n));
    else keyIds = this.keyIds.slice(0, n);
    const out: QuickParse = { a: this.a.length > 3 * n ? this.a.slice(0, 3 * n) : this.a, n, roots, keyIds, keyNames, values, plain: this.plain };
    if (this.how) {
      out.how = this.how.slice(0, n);
      out.side = this.side;
    }
    return out;
  }

  /** A plain scalar's value that stayed a string: noted when Kubernetes may read it otherwise. */
  private plainString(s: string): void {
    if (mayBeNonString(s.charCodeAt(0))) this.plain.add(s);
  }

  /** With `record`: how the value node just made gets its value again (see VERBATIM, SIDE). */
  private valued(node: number, v: unknown, verbatim: boolean): void {
    if (this.how === null || v === null) return;
    if (verbatim) {
      this.how[node] = VERBATIM;
    } else {
      this.how[node] = SIDE;
      this.side.push(v);
    }
  }

  // ---- lines ---------------------------------------------------------------------------------

  private atMarker(): boolean {
    return this.col === -1 && this.pos < this.len;
  }

  /** After a value, the rest of its line: blanks and a comment only. Returns the next line's start. */
  private endLine(i: number): number {
    const t = this.t;
    while (i < this.len && t.charCodeAt(i) === SP) i++;
    if (i >= this.len) return this.len;
    const c = t.charCodeAt(i);
    if (c === NL) return i + 1;
    if (c === HASH && t.charCodeAt(i - 1) === SP) {
      const nl = t.indexOf('\n', i);
      return nl === -1 ? this.len : nl + 1;
    }
    throw GIVE_UP;
  }

  /**
   * From a line's start, skip blank and comment lines. Sets pos/col/lineStart to the next content;
   * col is -1 at the end of the text and at a `---` marker (pos then at the marker).
   */
  private nextLine(i: number): void {
    const t = this.t;
    this.sawComment = false;
    for (;;) {
      if (i >= this.len) {
        this.pos = this.len;
        this.col = -1;
        return;
      }
      let j = i;
      while (j < this.len && t.charCodeAt(j) === SP) j++;
      const c = j < this.len ? t.charCodeAt(j) : NL;
      if (c === NL) {
        i = j + 1;
        continue;
      }
      if (c === HASH) {
        this.sawComment = true;
        const nl = t.indexOf('\n', j);
        i = nl === -1 ? this.len : nl + 1;
        continue;
      }
      if (j === i && (c === DASH || c === 46) && t.charCodeAt(i + 1) === c && t.charCodeAt(i + 2) === c) {
        const d = i + 3 < this.len ? t.charCodeAt(i + 3) : NL;
        if (d === SP || d === NL) {
          if (c === 46) throw GIVE_UP; // `...`
          this.pos = i;
          this.col = -1;
          this.lineStart = i;
          return;
        }
      }
      if (c === 37 && j === i) throw GIVE_UP; // a directive
      this.pos = j;
      this.col = j - i;
      this.lineStart = i;
      return;
    }
  }

  // ---- the tree ------------------------------------------------------------------------------

  private emit(s: number, e: number, kind: number, first: number): number {
    const n = this.n;
    if (3 * n + 3 > this.a.length) {
      const b = new Int32Array(this.a.length * 2);
      b.set(this.a);
      this.a = b;
      const k = new Int32Array(this.keyIds.length * 2);
      k.set(this.keyIds);
      this.keyIds = k;
      if (this.how) {
        const h = new Uint8Array(this.how.length * 2);
        h.set(this.how);
        this.how = h;
      }
    }
    this.a[3 * n] = s;
    this.a[3 * n + 1] = e;
    this.a[3 * n + 2] = kind | ((n - first + 1) << 2);
    this.n = n + 1;
    return n;
  }

  private end(node: number): number {
    return this.a[3 * node + 1]!;
  }

  // ---- block structure -----------------------------------------------------------------------

  /** A node whose content starts at the lookahead, more indented than `parent`. */
  private block(parent: number): number {
    const t = this.t;
    const p = this.pos;
    const c = t.charCodeAt(p);
    if (c === DASH && this.blankAfter(p + 1)) return this.sequence(this.col);
    if (this.keyEnd(p) !== -1) return this.mapping(this.col);
    const node = this.inline(p, parent);
    return node;
  }

  private blankAfter(i: number): boolean {
    if (i >= this.len) return true;
    const c = this.t.charCodeAt(i);
    return c === SP || c === NL;
  }

  /** A block mapping whose first key is at the lookahead, at column `indent`. */
  private mapping(indent: number): number {
    const t = this.t;
    const first = this.n;
    const s = this.pos;
    const obj: Record<string, unknown> = {};
    let last = -1;
    const base = this.idTop;
    for (;;) {
      const p = this.pos;
      const ke = this.keyEnd(p);
      if (ke === -1) throw GIVE_UP;
      const c = t.charCodeAt(p);
      let key: string;
      let id: number;
      if (c === DQ || c === SQ) {
        key = c === DQ ? this.doubleQuoted(p, ke) : this.singleQuoted(p, ke);
        if (key === '__proto__') throw GIVE_UP;
        id = this.idOf(key);
      } else {
        const k = this.plainKey(p, ke);
        key = k.key;
        id = k.id;
      }
      this.key(p, ke, id, base);
      // The value: on this line, on the lines below, or none.
      let q = ke + 1;
      while (q < this.len && t.charCodeAt(q) === SP) q++;
      const qc = q < this.len ? t.charCodeAt(q) : NL;
      if (qc === NL || (qc === HASH && q > ke + 1)) {
        this.nextLine(this.endLine(ke + 1));
        if (this.col > indent) {
          last = this.block(indent);
        } else if (this.col === indent && t.charCodeAt(this.pos) === DASH && this.blankAfter(this.pos + 1)) {
          last = this.sequence(indent);
        } else {
          last = this.emit(ke + 1, ke + 1, K_NONE, this.n);
          this.v = null;
        }
      } else {
        last = this.inline(q, indent);
      }
      obj[key] = this.v;
      if (this.col === indent) {
        if (t.charCodeAt(this.pos) === DASH && this.blankAfter(this.pos + 1)) throw GIVE_UP;
        continue;
      }
      if (this.col > indent) throw GIVE_UP;
      break;
    }
    this.idTop = base;
    const node = this.emit(s, this.end(last), K_MAPPING, first);
    this.v = obj;
    return node;
  }

  /** A block sequence whose first `-` is at the lookahead, at column `indent`. */
  private sequence(indent: number): number {
    const t = this.t;
    const first = this.n;
    const s = this.pos;
    const arr: unknown[] = [];
    let last = -1;
    for (;;) {
      const p = this.pos;
      let q = p + 1;
      while (q < this.len && t.charCodeAt(q) === SP) q++;
      const qc = q < this.len ? t.charCodeAt(q) : NL;
      if (qc === NL || qc === HASH) {
        if (qc === HASH && q === p + 1) throw GIVE_UP;
        this.nextLine(this.endLine(p + 1));
        if (this.col <= indent) throw GIVE_UP; // an empty item
        if (t.charCodeAt(this.pos) === DASH && this.blankAfter(this.pos + 1)) throw GIVE_UP; // a sequence in a sequence
        last = this.block(indent);
      } else if (qc === DASH && this.blankAfter(q + 1)) {
        throw GIVE_UP; // `- - a`
      } else if (this.keyEnd(q) !== -1) {
        this.pos = q;
        this.col = q - this.lineStart;
        last = this.mapping(this.col);
      } else {
        last = this.inline(q, indent);
      }
      arr.push(this.v);
      if (this.col === indent && t.charCodeAt(this.pos) === DASH && this.blankAfter(this.pos + 1)) continue;
      if (this.col > indent) throw GIVE_UP;
      break;
    }
    const node = this.emit(s, this.end(last), K_SEQUENCE, first);
    this.v = arr;
    return node;
  }

  /**
   * Where the mapping key that starts at `p` ends (its `:`), or -1 when no key starts there: a
   * plain or quoted scalar on one line followed by `:` and a blank or the line's end.
   */
  private keyEnd(p: number): number {
    if (p === this.kePos) return this.keVal;
    this.kePos = p;
    return (this.keVal = this.findKeyEnd(p));
  }

  private findKeyEnd(p: number): number {
    const t = this.t;
    const c = t.charCodeAt(p);
    let i: number;
    if (c === DQ) {
      i = p + 1;
      for (;;) {
        if (i >= this.len) return -1;
        const d = t.charCodeAt(i);
        if (d === DQ) break;
        if (d === NL || (d === 92 && t.charCodeAt(i + 1) === NL)) return -1;
        i += d === 92 ? 2 : 1;
      }
      i++;
    } else if (c === SQ) {
      i = p + 1;
      for (;;) {
        if (i >= this.len) return -1;
        const d = t.charCodeAt(i);
        if (d === NL) return -1;
        if (d === SQ) {
          if (t.charCodeAt(i + 1) === SQ) i += 2;
          else break;
        } else i++;
      }
      i++;
    } else {
      if (badPlainStart(c, t.charCodeAt(p + 1))) return -1;
      for (i = p; i < this.len; i++) {
        const d = t.charCodeAt(i);
        if (d === NL) return -1;
        if (d === COLON && this.blankAfter(i + 1)) return i;
        if (d === HASH && t.charCodeAt(i - 1) === SP) return -1;
      }
      return -1;
    }
    return t.charCodeAt(i) === COLON && this.blankAfter(i + 1) ? i : -1;
  }

  // ---- values on a line ----------------------------------------------------------------------

  /** A scalar, block scalar or flow collection starting at `q`, in a collection at column `parent`. */
  private inline(q: number, parent: number): number {
    const t = this.t;
    const c = t.charCodeAt(q);
    let node: number;
    let e: number;
    if (c === 38) return this.anchored(q, parent);
    if (c === 42) return this.alias(q, parent);
    if (c === DQ || c === SQ) {
      e = this.quotedEnd(q, parent);
      this.v = c === DQ ? this.doubleQuoted(q, e) : this.singleQuoted(q, e);
      node = this.emit(q, e, K_SCALAR, this.n);
      this.valued(node, this.v, false);
    } else if (c === 124 || c === 62) {
      return this.blockScalar(q, parent);
    } else if (c === 91) {
      return this.flowSequence(q, parent);
    } else if (c === 123) {
      return this.flowMapping(q, parent);
    } else {
      if (badPlainStart(c, t.charCodeAt(q + 1))) throw GIVE_UP;
      const stop = this.plainLine(q);
      e = stop;
      while (e > q && t.charCodeAt(e - 1) === SP) e--;
      let raw = t.slice(q, e);
      let oneLine = true;
      // More indented lines below continue the scalar (a comment ends it).
      if (stop < this.len && t.charCodeAt(stop) === NL && parent >= 0) {
        const more = this.plainContinuation(stop, parent);
        if (more !== null) {
          raw += more;
          e = this.contEnd;
          oneLine = false;
        }
      }
      this.v = mayResolve(raw.charCodeAt(0), raw.length) ? this.resolve(raw) : raw;
      if (this.v === raw) this.plainString(raw);
      node = this.emit(q, e, K_SCALAR, this.n);
      this.valued(node, this.v, oneLine && this.v === raw);
      this.nextLine(this.endLine(e));
      // A more indented line after a plain scalar would have continued it.
      if (this.col > parent) throw GIVE_UP;
      return node;
    }
    this.nextLine(this.endLine(e));
    if (this.col > parent) throw GIVE_UP;
    return node;
  }

  /**
   * Where a plain scalar's text on the line from `i` stops: the line break, the end, or the `#`
   * of a comment. A `: ` (a key where a scalar is read) is left to js-yaml.
   */
  private plainLine(i: number): number {
    const t = this.t;
    for (; i < this.len; i++) {
      const d = t.charCodeAt(i);
      if (d === NL) return i;
      if (d === COLON && this.blankAfter(i + 1)) throw GIVE_UP;
      if (d === HASH && t.charCodeAt(i - 1) === SP) return i;
    }
    return this.len;
  }

  /** Where the anchor or alias name that starts after `q` ends. */
  private nameEnd(q: number): number {
    const t = this.t;
    let i = q + 1;
    for (; i < this.len; i++) {
      const d = t.charCodeAt(i);
      if (d === SP || d === NL || d === 44 || d === 91 || d === 93 || d === 123 || d === 125) break;
    }
    if (i === q + 1) throw GIVE_UP;
    return i;
  }

  /**
   * `&name` and a scalar on the same line. An anchored collection is left to js-yaml: its aliases
   * would share it, which the precise parse expands under its limit.
   */
  private anchored(q: number, parent: number): number {
    const t = this.t;
    const i = this.nameEnd(q);
    if (t.charCodeAt(i) !== SP) throw GIVE_UP;
    let j = i;
    while (j < this.len && t.charCodeAt(j) === SP) j++;
    const c = j < this.len ? t.charCodeAt(j) : NL;
    // A collection below, a flow collection, or more properties.
    if (c === NL || c === HASH || c === 91 || c === 123 || c === 38 || c === 42 || c === 33) throw GIVE_UP;
    const node = this.inline(j, parent);
    if ((this.a[3 * node + 2]! & 3) !== K_SCALAR) throw GIVE_UP;
    this.a[3 * node] = q; // the node's text starts with its properties, as js-yaml sees it
    if (this.how?.[node] === VERBATIM) {
      // Its text now starts with the anchor: the value goes aside.
      this.how[node] = SIDE;
      this.side.push(this.v);
    }
    this.anchors.set(t.slice(q + 1, i), this.v);
    return node;
  }

  /**
   * `*name` for an anchored scalar: a node without kind, as js-yaml makes it (positions of aliases
   * come from the precise parse). js-yaml ends an alias after the blanks and comments that follow
   * it, so an alias followed by a comment is left to it.
   */
  private alias(q: number, parent: number): number {
    const i = this.nameEnd(q);
    const name = this.t.slice(q + 1, i);
    if (!this.anchors.has(name)) throw GIVE_UP;
    this.v = this.anchors.get(name);
    const node = this.emit(q, i, K_NONE, this.n);
    this.valued(node, this.v, false);
    let k = i;
    while (k < this.len && this.t.charCodeAt(k) === SP) k++;
    if (this.t.charCodeAt(k) === HASH) throw GIVE_UP; // a comment on the alias's line
    this.nextLine(this.endLine(i));
    if (this.sawComment || this.col > parent) throw GIVE_UP;
    return node;
  }

  /**
   * The continuation lines of a plain scalar whose first line ends at the line break `nl`, in a
   * collection at column `parent`, folded as js-yaml folds them (a line break is a space, each empty
   * line a line break); null when there are none. Sets contEnd to where the last one ends.
   */
  private plainContinuation(nl: number, parent: number): string | null {
    const t = this.t;
    let out: string | null = null;
    let empties = 0;
    let line = nl + 1;
    while (line < this.len) {
      let j = line;
      while (j < this.len && t.charCodeAt(j) === SP) j++;
      const c = j < this.len ? t.charCodeAt(j) : NL;
      if (c === NL) {
        empties++;
        line = j + 1;
        continue;
      }
      // Less indented, or a comment: the scalar ended on the line before.
      if (j - line <= parent || c === HASH) break;
      // Any character goes on a plain scalar's next line (`- x` included), but a key's `: `.
      const stop = this.plainLine(j);
      if (stop < this.len && t.charCodeAt(stop) === HASH) throw GIVE_UP; // a comment after a continuation: left to js-yaml
      let e = stop;
      while (e > j && t.charCodeAt(e - 1) === SP) e--;
      out = (out ?? '') + (empties === 0 ? ' ' : '\n'.repeat(empties)) + t.slice(j, e);
      this.contEnd = e;
      empties = 0;
      if (stop >= this.len) break;
      line = stop + 1;
    }
    return out;
  }

  /** The offset after the closing quote of the quoted scalar at `q` (one line only). */
  private quotedEnd(q: number, parent = -2): number {
    const t = this.t;
    const quote = t.charCodeAt(q);
    let i = q + 1;
    for (;;) {
      if (i >= this.len) throw GIVE_UP;
      const d = t.charCodeAt(i);
      if (d === NL) {
        // A value in a block collection may go on over more indented lines. Not at a document's
        // root (parent -1), where a `---` line inside is an error js-yaml reports, nor in a flow
        // sequence (parent -2).
        if (parent < 0) throw GIVE_UP;
        let j = i + 1;
        while (j < this.len && t.charCodeAt(j) === SP) j++;
        const c = j < this.len ? t.charCodeAt(j) : NL;
        if (c !== NL && j - (i + 1) <= parent) throw GIVE_UP;
        i++;
        continue;
      }
      if (d === 92 && quote === DQ && t.charCodeAt(i + 1) === NL) throw GIVE_UP; // an escaped line break
      if (d === quote) {
        if (quote === SQ && t.charCodeAt(i + 1) === SQ) {
          i += 2;
          continue;
        }
        return i + 1;
      }
      i += quote === DQ && d === 92 ? 2 : 1;
    }
  }

  /** The value of the double-quoted scalar in [q, e). */
  private doubleQuoted(q: number, e: number): string {
    const t = this.t;
    const text = t.slice(q + 1, e - 1);
    // An escape before a line break (`\ ` keeps a blank the fold would drop): left to js-yaml.
    if (text.indexOf('\n') !== -1 && /\\ *\n/.test(text)) throw GIVE_UP;
    const body = fold(text);
    if (body.indexOf('\\') === -1) return body;
    let out = '';
    for (let i = 0; i < body.length; i++) {
      const ch = body[i]!;
      if (ch !== '\\') {
        out += ch;
        continue;
      }
      const x = body[++i];
      switch (x) {
        case '\\': out += '\\'; break;
        case '"': out += '"'; break;
        case '/': out += '/'; break;
        case ' ': out += ' '; break;
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case 'r': out += '\r'; break;
        case '0': out += '\0'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'x':
        case 'u': {
          const width = x === 'x' ? 2 : 4;
          const hex = body.slice(i + 1, i + 1 + width);
          if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== width) throw GIVE_UP;
          const code = parseInt(hex, 16);
          if (code >= 0xd800 && code <= 0xdfff) throw GIVE_UP;
          out += String.fromCharCode(code);
          i += width;
          break;
        }
        default:
          throw GIVE_UP;
      }
    }
    return out;
  }

  /** The value of the single-quoted scalar in [q, e). */
  private singleQuoted(q: number, e: number): string {
    const body = fold(this.t.slice(q + 1, e - 1));
    return body.indexOf("''") === -1 ? body : body.replace(/''/g, "'");
  }

  /** A literal (`|`) or folded (`>`) block scalar whose indicator is at `q`. */
  private blockScalar(q: number, parent: number): number {
    const t = this.t;
    const folded = t.charCodeAt(q) === 62;
    let i = q + 1;
    let chomp = 0; // 0 clip, -1 strip, 1 keep
    const h = t.charCodeAt(i);
    if (h === DASH) {
      chomp = -1;
      i++;
    } else if (h === 43) {
      chomp = 1;
      i++;
    }
    const after = i < this.len ? t.charCodeAt(i) : NL;
    if (after !== SP && after !== NL) throw GIVE_UP; // an indentation indicator, or more
    let line = this.endLine(i);
    let indent = -1;
    const lines: string[] = [];
    /** Empty lines before each content line, and after the last. */
    const gaps: number[] = [];
    let empty = 0;
    let contentEnd = -1;
    let leadingMax = 0;
    while (line < this.len) {
      let j = line;
      while (j < this.len && t.charCodeAt(j) === SP) j++;
      const c = j < this.len ? t.charCodeAt(j) : NL;
      const spaces = j - line;
      if (c === NL) {
        if (indent === -1) {
          if (spaces > leadingMax) leadingMax = spaces;
        } else if (spaces > indent) throw GIVE_UP; // spaces that are content
        empty++;
        line = j + 1;
        continue;
      }
      if (indent === -1) {
        if (spaces <= parent || spaces === 0) break;
        if (leadingMax > spaces) throw GIVE_UP;
        indent = spaces;
      } else if (spaces < indent) break;
      const nl = t.indexOf('\n', j);
      const lineEnd = nl === -1 ? this.len : nl;
      lines.push(t.slice(line + indent, lineEnd));
      gaps.push(empty);
      empty = 0;
      contentEnd = lineEnd;
      line = nl === -1 ? this.len : nl + 1;
    }
    if (lines.length === 0) throw GIVE_UP; // an empty block scalar
    // Line breaks as js-yaml keeps or folds them: a folded scalar joins two lines with a space
    // unless empty lines separate them, and never folds around a more-indented line.
    let body = '';
    let more = false;
    for (let k = 0; k < lines.length; k++) {
      const line = lines[k]!;
      const gap = gaps[k]!;
      if (!folded || line.charCodeAt(0) === SP) {
        if (folded) more = true;
        body += '\n'.repeat(k > 0 ? gap + 1 : gap) + line;
      } else if (more) {
        more = false;
        body += '\n'.repeat(gap + 1) + line;
      } else if (gap === 0) {
        body += k > 0 ? ' ' + line : line;
      } else {
        body += '\n'.repeat(gap) + line;
      }
    }
    if (chomp === 0) body += '\n';
    else if (chomp === 1) body += '\n' + '\n'.repeat(empty);
    this.v = body;
    const node = this.emit(q, contentEnd, K_SCALAR, this.n);
    this.valued(node, body, false);
    this.nextLine(line);
    if (this.col > parent) throw GIVE_UP;
    return node;
  }

  /** A flow sequence of scalars on one line, `[` at `q`. */
  private flowSequence(q: number, parent: number): number {
    const t = this.t;
    const first = this.n;
    const arr: unknown[] = [];
    let i = q + 1;
    for (;;) {
      while (i < this.len && t.charCodeAt(i) === SP) i++;
      if (i >= this.len) throw GIVE_UP;
      const c = t.charCodeAt(i);
      if (c === 93 && arr.length === 0) break; // `[]`
      if (c !== DQ && c !== SQ && badPlainStart(c, t.charCodeAt(i + 1))) throw GIVE_UP;
      const e = this.flowScalar(i, c, false);
      arr.push(this.v);
      i = this.flowSeparator(e, 93);
      if (t.charCodeAt(i) === 93) break;
    }
    return this.flowClose(q, i, K_SEQUENCE, first, parent, arr);
  }

  /**
   * A flow mapping on one line, `{cpu: 100m, memory: "128Mi"}`: plain or quoted keys, each followed
   * by `: ` and a plain or quoted scalar. Anything else (nested collections, an empty value, a `:`
   * or `#` in a plain scalar, a key without its `: `, a line break) is left to js-yaml.
   */
  private flowMapping(q: number, parent: number): number {
    const t = this.t;
    const first = this.n;
    const obj: Record<string, unknown> = {};
    const base = this.idTop;
    let i = q + 1;
    for (;;) {
      while (i < this.len && t.charCodeAt(i) === SP) i++;
      if (i >= this.len) throw GIVE_UP;
      let c = t.charCodeAt(i);
      if (c === 125 && this.n === first) break; // `{}`
      // The key, then `: ` right after it.
      let key: string;
      let id: number;
      let ke: number;
      if (c === DQ || c === SQ) {
        ke = this.quotedEnd(i);
        key = c === DQ ? this.doubleQuoted(i, ke) : this.singleQuoted(i, ke);
        if (key === '__proto__') throw GIVE_UP;
        id = this.idOf(key);
      } else {
        if (badPlainStart(c, t.charCodeAt(i + 1))) throw GIVE_UP;
        ke = this.flowPlainEnd(i, true);
        const k = this.plainKey(i, ke);
        key = k.key;
        id = k.id;
      }
      if (t.charCodeAt(ke) !== COLON || t.charCodeAt(ke + 1) !== SP) throw GIVE_UP;
      this.key(i, ke, id, base);
      // The value.
      i = ke + 2;
      while (i < this.len && t.charCodeAt(i) === SP) i++;
      c = i < this.len ? t.charCodeAt(i) : NL;
      // An empty value, or a collection, is left to js-yaml.
      if (c !== DQ && c !== SQ && (c === NL || badPlainStart(c, t.charCodeAt(i + 1)))) throw GIVE_UP;
      const e = this.flowScalar(i, c, true);
      obj[key] = this.v;
      i = this.flowSeparator(e, 125);
      if (t.charCodeAt(i) === 125) break;
    }
    this.idTop = base;
    return this.flowClose(q, i, K_MAPPING, first, parent, obj);
  }

  /**
   * The quoted or plain scalar at `i` (first character `c`) of a flow sequence or, `inMapping`, a
   * flow mapping's value: its node is made and its value left in this.v. Returns where it ends.
   */
  private flowScalar(i: number, c: number, inMapping: boolean): number {
    if (c === DQ || c === SQ) {
      const e = this.quotedEnd(i);
      this.v = c === DQ ? this.doubleQuoted(i, e) : this.singleQuoted(i, e);
      this.valued(this.emit(i, e, K_SCALAR, this.n), this.v, false);
      return e;
    }
    const e = inMapping ? this.flowPlainEnd(i, false) : this.flowItemEnd(i);
    const raw = this.t.slice(i, e);
    this.v = mayResolve(c, e - i) ? this.resolve(raw) : raw;
    if (this.v === raw) this.plainString(raw);
    this.valued(this.emit(i, e, K_SCALAR, this.n), this.v, this.v === raw);
    return e;
  }

  /** Where a plain item of a flow sequence that starts at `i` ends, blanks after it left out. */
  private flowItemEnd(i: number): number {
    const t = this.t;
    let j = i;
    for (; j < this.len; j++) {
      const d = t.charCodeAt(j);
      if (d === 44 || d === 93) break;
      // `:`, `#`, nested collections and line ends are left to js-yaml.
      if (d === COLON || d === HASH || d === NL || d === 91 || d === 123 || d === 125) throw GIVE_UP;
    }
    let e = j;
    while (e > i && t.charCodeAt(e - 1) === SP) e--;
    return e;
  }

  /**
   * Past a flow item that ends at `i`: blanks, a `,` and blanks, to where the next item starts; or,
   * at the collection's closing bracket `close`, where that stands.
   */
  private flowSeparator(i: number, close: number): number {
    const t = this.t;
    while (i < this.len && t.charCodeAt(i) === SP) i++;
    const c = i < this.len ? t.charCodeAt(i) : NL;
    if (c === close) return i;
    if (c !== 44) throw GIVE_UP;
    i++;
    while (i < this.len && t.charCodeAt(i) === SP) i++;
    if (t.charCodeAt(i) === close) throw GIVE_UP; // a trailing comma
    return i;
  }

  /** The node of a flow collection from `q` to its closing bracket at `i`; the reader moves to the next line. */
  private flowClose(q: number, i: number, kind: number, first: number, parent: number, value: unknown): number {
    const e = i + 1;
    const node = this.emit(q, e, kind, first);
    this.v = value;
    this.nextLine(this.endLine(e));
    if (this.col > parent) throw GIVE_UP;
    return node;
  }

  /** A mapping's key node, in [p, ke) with name `id`, unless the mapping (from `base` on the id stack) has it already. */
  private key(p: number, ke: number, id: number, base: number): void {
    const ids = this.idStack;
    for (let j = base; j < this.idTop; j++) if (ids[j] === id) throw GIVE_UP; // a duplicate key
    if (this.idTop === ids.length) {
      this.idStack = new Int32Array(ids.length * 2);
      this.idStack.set(ids);
    }
    this.idStack[this.idTop++] = id;
    const keyNode = this.emit(p, ke, K_SCALAR, this.n);
    this.keyIds[keyNode] = id + 1;
  }

  /**
   * Where a plain scalar in a flow mapping that starts at `i` ends, blanks after it left out: at the
   * `:` after a key, or at the `,` or `}` after a value. The rest is left to js-yaml.
   */
  private flowPlainEnd(i: number, key: boolean): number {
    const t = this.t;
    let j = i;
    for (; j < this.len; j++) {
      const d = t.charCodeAt(j);
      if (d === COLON) {
        if (key) break;
        throw GIVE_UP;
      }
      if (!key && (d === 44 || d === 125)) break;
      if (d === 44 || d === HASH || d === NL || d === 91 || d === 93 || d === 123 || d === 125) throw GIVE_UP;
    }
    let e = j;
    while (e > i && t.charCodeAt(e - 1) === SP) e--;
    if (key && e !== j) throw GIVE_UP; // `a : 1`
    return e;
  }

  private idOf(key: string): number {
    let id = this.names.get(key);
    if (id === undefined) this.names.set(key, (id = this.names.size));
    return id;
  }

  /** The plain key in [p, ke): made, resolved and numbered once per distinct text. */
  private plainKey(p: number, ke: number): KeyEntry {
    const t = this.t;
    let h = 0;
    for (let i = p; i < ke; i++) h = (Math.imul(h, 31) + t.charCodeAt(i)) | 0;
    const len = ke - p;
    let slot = h & (KEY_TABLE - 1);
    for (let probe = 0; probe < 8; probe++) {
      const e = keyTable[slot];
      if (e === undefined) break;
      if (e.raw.length === len && t.startsWith(e.raw, p)) {
        if (e.reader !== this.serial) {
          e.reader = this.serial;
          e.id = this.idOf(e.key);
        }
        return e;
      }
      slot = (slot + 1) & (KEY_TABLE - 1);
    }
    if (t.charCodeAt(ke - 1) === SP) throw GIVE_UP;
    // The table outlives the file: keep a copy of the key as property names are kept (interned),
    // not a slice that would hold the whole file's text.
    const raw = internal(t.slice(p, ke));
    if (raw === '<<') throw GIVE_UP;
    const key = mayResolve(raw.charCodeAt(0), raw.length) ? internal(String(this.resolve(raw))) : raw;
    if (key === '__proto__') throw GIVE_UP;
    const entry = { raw, key, reader: this.serial, id: this.idOf(key) };
    if (keyTable[slot] === undefined) keyTable[slot] = entry;
    return entry;
  }

  /** A plain scalar's value, by js-yaml's implicit types in order. */
  private resolve(raw: string): unknown {
    for (const type of this.implicit) {
      if (type.resolve(raw)) return type.construct(raw);
    }
    return raw;
  }
}

/**
 * A quoted scalar's text over several lines, folded: blanks around each line break go, a line
 * break becomes a space, and each empty line a line break.
 */
function fold(body: string): string {
  if (body.indexOf('\n') === -1) return body;
  const lines = body.split('\n');
  let out = lines[0]!.replace(/ +$/, '');
  let empties = 0;
  for (let k = 1; k < lines.length; k++) {
    const last = k === lines.length - 1;
    const line = last ? lines[k]!.replace(/^ +/, '') : lines[k]!.replace(/^ +| +$/g, '');
    if (line === '' && !last) {
      empties++;
      continue;
    }
    out += (empties === 0 ? ' ' : '\n'.repeat(empties)) + line;
    empties = 0;
  }
  return out;
}

/** What js-yaml refuses to read at all (its own check): such a file gets the precise parse's report. */
// eslint-disable-next-line no-control-regex
export const NON_PRINTABLE = /[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x84\x86-\x9F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?:[^\uD800-\uDBFF]|^)[\uDC00-\uDFFF]/;

/**
 * Every character NON_PRINTABLE can match, in one class: a text with none of them (nearly every
 * manifest) skips NON_PRINTABLE, whose alternatives are tried at every offset.
 */
// eslint-disable-next-line no-control-regex
export const SUSPECT = /[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x84\x86-\x9F\uD800-\uDFFF\uFFFE\uFFFF]/;

/**
 * Read `text`, or null when it holds anything this reader leaves to js-yaml. With `record`, the
 * parse also says how valuesFromTree() makes its values again from the tree (`how`, `side`).
 */
export function quickParse(text: string, implicit: readonly ImplicitType[], record = false): QuickParse | null {
  if (text.indexOf('\t') !== -1 || text.indexOf('\r') !== -1 || text.charCodeAt(0) === 0xfeff || (SUSPECT.test(text) && NON_PRINTABLE.test(text))) return null;
  try {
    return new Reader(text, implicit, record).read();
  } catch (e) {
    if (e === GIVE_UP) return null;
    throw e;
  }
}

/**
 * The values of a quick parse made again from its text and tree, as a parse worker recorded them
 * (quickParse with `record`): the engine's thread gets the tree of a file a worker read, and makes
 * its values in a fraction of the time reading the text again takes. Objects, arrays and keys in
 * the reader's order, strings cut from the text where the reader cut them: the same values.
 */
export function valuesFromTree(text: string, tree: QuickTree, how: Uint8Array, side: readonly unknown[]): unknown[] {
  const { a, n, keyIds } = tree;
  // Key names came from another thread: the first use of each as a property name interns it.
  const names = tree.keyNames;
  /** Values of the subtrees read and not yet taken by their parent, and their nodes. */
  const vals: unknown[] = new Array(n);
  const nodes = new Int32Array(n);
  let top = 0;
  let next = 0;
  for (let i = 0; i < n; i++) {
    const w = a[3 * i + 2]!;
    const kind = w & 3;
    if (kind === K_SCALAR || kind === K_NONE) {
      const h = how[i]!;
      vals[top] = h === VERBATIM ? text.slice(a[3 * i]!, a[3 * i + 1]!) : h === SIDE ? side[next++] : null;
      nodes[top++] = i;
      continue;
    }
    const first = i - (w >>> 2) + 1;
    let k = top;
    while (k > 0 && nodes[k - 1]! >= first) k--;
    if (kind === K_SEQUENCE) {
      const arr: unknown[] = [];
      for (let j = k; j < top; j++) arr.push(vals[j]);
      vals[k] = arr;
    } else {
      const obj: Record<string, unknown> = {};
      for (let j = k; j < top; j += 2) obj[names[keyIds[nodes[j]!]! - 1]!] = vals[j + 1];
      vals[k] = obj;
    }
    for (let j = k + 1; j < top; j++) vals[j] = undefined;
    nodes[k] = i;
    top = k + 1;
  }
  if (top !== tree.roots.length || next !== side.length) throw new Error('valuesFromTree: the tree and its values disagree');
  return vals.slice(0, top);
}

// What of a resource outlives its file.
//
// Cross-resource rules keep resources until done(). When those kept their whole objects, a large
// run kept its whole input alive as JavaScript values (hundreds of MiB for 40,000 objects). So once
// every rule has seen a file's resources, the engine swaps each resource's object for its skeleton:
// the fields that the cross-resource helpers (model.ts, services.ts, hostports.ts, ports.ts) read,
// each kept as written. What a skeleton keeps is listed below, in one place. A rule that needs more
// of an object in done() calls ctx.keep(r) while it sees the resource.
//
// Under the engine's strict mode (tests), reading a field that the skeleton dropped throws, so a rule
// that starts to read more in done() fails its tests instead of silently seeing undefined.

import { copied, exact, isObj, VERSION_LABEL, type Obj } from './model.js';

/** true: keep the value whole. An object: keep those keys of an object. [p]: each item of an array by p. */
type Pattern = true | { readonly [key: string]: Pattern } | readonly [Pattern];

const CONTAINERS: Pattern = [{ name: true, restartPolicy: true, ports: true }];
const POD_SPEC: Pattern = {
  hostNetwork: true,
  nodeSelector: true,
  nodeName: true,
  affinity: { nodeAffinity: true },
  initContainers: CONTAINERS,
  containers: CONTAINERS,
  ephemeralContainers: CONTAINERS,
};
const TEMPLATE: Pattern = { metadata: { labels: true, annotations: true }, spec: POD_SPEC };
const METADATA = { name: true, generateName: true, namespace: true, labels: true, ownerReferences: true } as const;

/** Workloads (pod templates), Services (type, selector, ports, node ports), HorizontalPodAutoscalers. */
const RESOURCE: Pattern = {
  apiVersion: true,
  kind: true,
  metadata: METADATA,
  spec: {
    type: true,
    selector: true,
    ports: true,
    healthCheckNodePort: true,
    replicas: true,
    scaleTargetRef: true,
    maxReplicas: true,
    template: TEMPLATE,
    jobTemplate: { spec: { template: TEMPLATE } },
  },
  template: TEMPLATE,
};
/** A Pod is its own pod template. */
const POD: Pattern = { apiVersion: true, kind: true, metadata: { ...METADATA, annotations: true }, spec: POD_SPEC };

/** Thrown (strict mode only) when something reads a field the skeleton dropped. */
export class ReleasedFieldError extends Error {
  override name = 'ReleasedFieldError';
}

/**
 * Strings that outlive their file, each as a copy of its own. V8 makes a substring of 13 characters
 * or more a slice that points into the whole string: a label value the parser cut out of a file's
 * text keeps that whole text alive. Kept by every resource's skeleton, such slices kept the text of
 * every file of a large run until it ended. Copies are shared by value (label values and names
 * repeat across resources), so each distinct string is copied once.
 */
export class OwnStrings {
  private readonly copies = new Map<string, string>();

  /** How many distinct strings were copied. */
  get size(): number {
    return this.copies.size;
  }

  own(s: string): string {
    if (s.length < 13) return s; // shorter substrings are copies already
    let c = this.copies.get(s);
    if (c === undefined) {
      c = copied(s);
      this.copies.set(c, c);
    }
    return c;
  }
}

/**
 * The skeleton of a resource's object. `label` names the resource in the strict-mode error; with
 * `guard`, objects that lost fields throw on reads of those fields (and on listing their keys).
 * The strings it keeps are swapped, in place, for `strings`' copies.
 */
export function skeleton(kind: string, object: Obj, label: string, guard: boolean, strings: OwnStrings): Obj {
  return prune(object, kind === 'Pod' ? POD : RESOURCE, guard, label, '', strings) as Obj;
}

function prune(v: unknown, p: Pattern, guard: boolean, label: string, path: string, strings: OwnStrings): unknown {
  if (p === true) return owned(v, strings);
  if (Array.isArray(p)) {
    if (!Array.isArray(v)) return owned(v, strings);
    // Paths only name a field in the strict-mode error: they are made only under the guard.
    return v.map((x, i) => prune(x, p[0] as Pattern, guard, label, guard ? `${path}/${i}` : '', strings));
  }
  if (!isObj(v)) return owned(v, strings);
  const keys = p as { readonly [key: string]: Pattern };
  const out: Obj = {};
  let kept = 0;
  for (const k in keys) {
    if (!Object.prototype.hasOwnProperty.call(v, k)) continue;
    out[k] = prune(v[k], keys[k]!, guard, label, guard ? `${path}/${k}` : '', strings);
    kept++;
  }
  if (!guard) return out;
  return kept === Object.keys(v).length ? out : guarded(out, v, label, path);
}

/**
 * A value kept whole, with its strings swapped for owned copies (object keys are copies already),
 * and its lists at their own length (see exact()).
 */
function owned(v: unknown, strings: OwnStrings): unknown {
  if (typeof v === 'string') return strings.own(v);
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = owned(v[i], strings);
    return exact(v);
  } else if (isObj(v)) {
    for (const k in v) v[k] = owned(v[k], strings);
  }
  return v;
}

function guarded(kept: Obj, original: Obj, label: string, path: string): Obj {
  const fail = (what: string): never => {
    throw new ReleasedFieldError(
      `${label}: ${what} was released after its file was read; a rule that reads it in done() must call ctx.keep() on the resource`,
    );
  };
  const dropped = (k: string | symbol) => typeof k === 'string' && !Object.prototype.hasOwnProperty.call(kept, k) && Object.prototype.hasOwnProperty.call(original, k);
  return new Proxy(kept, {
    get(t, k, recv) {
      if (dropped(k)) fail(`field ${path}/${String(k)}`);
      return Reflect.get(t, k, recv);
    },
    has(t, k) {
      if (dropped(k)) fail(`field ${path}/${String(k)}`);
      return Reflect.has(t, k);
    },
    ownKeys() {
      return fail(`the key list of ${path || '/'}`);
    },
  });
}

// ---- positions of a skeleton's nodes -------------------------------------------------------------
//
// A file's text and offset tree are large (about the size of the file each); what findings reported
// after the whole set was read can point at is a resource's skeleton. So while a file is at hand the
// engine captures, for the nodes of each skeleton that such findings point at (patternOf below), the
// ranges its parse gives that node, and lets the text and the tree go. Capture and lookup walk a
// skeleton in the same order: pre-order, a mapping's captured keys in pattern order, a value captured
// whole in its own key order.

/** How a skeleton node's children are walked (see childrenOf). */
const LEAF = 0;
const WHOLE_ARRAY = 1;
const WHOLE_OBJECT = 2;
const PATTERN_ARRAY = 3;
const PATTERN_OBJECT = 4;

/** Which children of `v` the walk under pattern `p` visits, and how (as prune() keeps them). */
function childrenOf(v: unknown, p: Pattern): number {
  if (v === null || typeof v !== 'object') return LEAF;
  if (p !== true) {
    if (Array.isArray(p)) {
      if (Array.isArray(v)) return PATTERN_ARRAY;
    } else if (isObj(v)) return PATTERN_OBJECT;
  }
  return Array.isArray(v) ? WHOLE_ARRAY : WHOLE_OBJECT;
}

// Capture records only the nodes that findings reported after reading point at (the cross-resource
// rules' ports, containers, selectors, replicas; the pod-template annotations that rules waiting for
// facts report; the version label that tool-version facts point at), not every node of the
// skeleton: on the synthetic corpus 564,000 of 1,181,000 nodes. Each pattern below keeps a subset
// of its skeleton's (no node outside the skeleton). A path capture did not record (a pod template's
// hostNetwork, say) is found, as a field the skeleton dropped is, by reading the file again
// (engine.ts); the fixture tests check that the port and Service rules' findings never need that.

const CAPTURED_CONTAINERS: Pattern = [{ ports: true }];
const CAPTURED_POD_SPEC: Pattern = { initContainers: CAPTURED_CONTAINERS, containers: CAPTURED_CONTAINERS, ephemeralContainers: CAPTURED_CONTAINERS };
/** A pod template: itself, its labels map (not each label), each annotation, and its containers' ports. */
const CAPTURED_TEMPLATE: Pattern = { metadata: { labels: {}, annotations: true }, spec: CAPTURED_POD_SPEC };
/**
 * Of a resource's own labels, only the version label: the tool-version facts point at it (the label
 * of a traffic-manager or Spegel install, see tool-versions.ts). Recording every label was more than
 * a quarter of capture's nodes on the synthetic corpus (216,000 of 780,000), for no finding there. A
 * Linkerd label key that a Linkerd rule reports after reading (once the version fact is known) is
 * found by reading its file again, as Linkerd keys in a workload's own annotations always were.
 */
const CAPTURED_LABELS: Pattern = { [VERSION_LABEL]: true };
const CAPTURED_RESOURCE: Pattern = {
  metadata: { labels: CAPTURED_LABELS },
  spec: {
    selector: {},
    ports: [{ nodePort: true }],
    healthCheckNodePort: true,
    replicas: true,
    scaleTargetRef: {},
    template: CAPTURED_TEMPLATE,
    jobTemplate: { spec: { template: CAPTURED_TEMPLATE } },
  },
  template: CAPTURED_TEMPLATE,
};
const CAPTURED_POD: Pattern = { metadata: { labels: CAPTURED_LABELS, annotations: true }, spec: CAPTURED_POD_SPEC };

/** Which nodes of a kind's skeleton capture records (and lookups find). */
function patternOf(kind: string): Pattern {
  return kind === 'Pod' ? CAPTURED_POD : CAPTURED_RESOURCE;
}

/** Nodes capture records in the subtree of `v` (itself included). */
function nodeCount(v: unknown, p: Pattern): number {
  let n = 1;
  switch (childrenOf(v, p)) {
    case LEAF:
      return 1;
    case WHOLE_ARRAY:
      for (const x of v as unknown[]) n += nodeCount(x, true);
      return n;
    case WHOLE_OBJECT:
      for (const k in v as Obj) n += nodeCount((v as Obj)[k], true);
      return n;
    case PATTERN_ARRAY:
      for (const x of v as unknown[]) n += nodeCount(x, (p as readonly [Pattern])[0]);
      return n;
    default: {
      const keys = p as { readonly [key: string]: Pattern };
      for (const k in keys) if (Object.prototype.hasOwnProperty.call(v, k)) n += nodeCount((v as Obj)[k], keys[k]!);
      return n;
    }
  }
}

/**
 * Int32 values appended in fours (a node's ranges), in one growing buffer; and per node, the size of
 * its subtree (0 when over 65,535 nodes), so that a lookup skips a sibling without walking it.
 */
export class RangeList {
  a = new Int32Array(256);
  n = 0;
  s = new Uint16Array(64);
  push(a: number, b: number, c: number, d: number): void {
    if (this.n + 4 > this.a.length) this.grow();
    const a32 = this.a;
    a32[this.n] = a;
    a32[this.n + 1] = b;
    a32[this.n + 2] = c;
    a32[this.n + 3] = d;
    this.n += 4;
  }
  /** Half of push(), twice for one node (the node's range, then its key's). */
  push2(a: number, b: number): void {
    if (this.n + 2 > this.a.length) this.grow();
    this.a[this.n] = a;
    this.a[this.n + 1] = b;
    this.n += 2;
  }
  /** Empty again, keeping its buffers (capture uses one list for every file). */
  reset(): void {
    this.n = 0;
  }
  private grow(): void {
    const grown = new Int32Array(this.a.length * 2);
    grown.set(this.a);
    this.a = grown;
    const sizes = new Uint16Array(this.s.length * 2);
    sizes.set(this.s);
    this.s = sizes;
  }
  /** Set the subtree size of the node pushed as the `node`th. */
  size(node: number, size: number): void {
    this.s[node] = size > 0xffff ? 0 : size;
  }
  /**
   * The values as an array of their own size: 16-bit when every value fits (a file under 64 KB, as
   * nearly all are, and no node without a range), which halves what capture keeps to the end.
   */
  done(): Int32Array | Uint16Array {
    const a = this.a;
    let fits = true;
    for (let i = 0; i < this.n; i++) {
      const v = a[i]!;
      if (v < 0 || v > 0xffff) {
        fits = false;
        break;
      }
    }
    return fits ? new Uint16Array(a.subarray(0, this.n)) : a.slice(0, this.n);
  }
  /** The subtree sizes, per node, as an array of their own size. */
  sizes(): Uint16Array {
    return this.s.slice(0, this.n >> 2);
  }
}

/**
 * Node numbers pushed and popped in stack order: the children of each node capture walks down to,
 * above those of its ancestors, dropped when the node is done. A list per node visited was about
 * 145 MB allocated on the synthetic corpus (a tenth of what the engine's thread allocates), and the
 * time to fill it and collect it.
 */
export class NodeStack {
  a = new Int32Array(1024);
  top = 0;
  push(v: number): void {
    if (this.top === this.a.length) {
      const grown = new Int32Array(this.a.length * 2);
      grown.set(this.a);
      this.a = grown;
    }
    this.a[this.top++] = v;
  }
  /** Put the values from `from` up to the top in reverse order. */
  reverseFrom(from: number): void {
    const a = this.a;
    for (let i = from, j = this.top - 1; i < j; i++, j--) {
      const x = a[i]!;
      a[i] = a[j]!;
      a[j] = x;
    }
  }
}

/** What capture needs of a parse: its offset tree (yaml-source.ts, fast parses). */
export interface TreeCursor {
  /** The tree node at a pointer and the key node naming it (-1 for none), or null. */
  at(doc: number, pointer: string): { node: number; key: number } | null;
  /** Push a sequence's item nodes onto `out`; how many, or -1 (nothing pushed) when the node is not a sequence. */
  items(node: number, out: NodeStack): number;
  /**
   * Push a mapping's key and value nodes onto `out`, flat (key, value, key, value...); how many
   * numbers, or -1 (nothing pushed) when the node is not a mapping.
   */
  pairs(node: number, out: NodeStack): number;
  /** The key a key node names. */
  name(key: number): string | undefined;
  /** Append the ranges locate() gives the node for 'node' and for 'key'; false when it cannot (an alias). */
  ranges(node: number, key: number, out: RangeList): boolean;
}

/**
 * Append to `out` the ranges of every node of the resource's skeleton (`object`, at `pointer` of
 * document `doc`), four int32 per node in walk order. False when some node has no ranges to give:
 * then nothing of the resource is usable, and the caller keeps the parse instead.
 */
export function captureSkeleton(tree: TreeCursor, doc: number, pointer: string, kind: string, object: Obj, out: RangeList): boolean {
  const root = tree.at(doc, pointer);
  if (!root) return false;
  nodes.top = 0;
  return captureNode(tree, root.node, root.key, object, patternOf(kind), out);
}

/** The children of the nodes being captured (one stack for every capture: it never nests). */
const nodes = new NodeStack();

// Capture visits some 800,000 nodes on a large run: no closures or pair objects per node here.
function captureNode(tree: TreeCursor, node: number, key: number, v: unknown, p: Pattern, out: RangeList): boolean {
  const me = out.n >> 2;
  if (!tree.ranges(node, key, out)) return false;
  const how = childrenOf(v, p);
  if (how === LEAF) {
    out.size(me, 1);
    return true;
  }
  // This node's children sit on `nodes` from `base` on; deeper nodes push theirs above and drop
  // them again. `nodes.a` is read afresh each time: it may grow (a new array) while they do.
  const base = nodes.top;
  if (how === WHOLE_ARRAY || how === PATTERN_ARRAY) {
    const count = tree.items(node, nodes);
    const arr = v as unknown[];
    if (count !== arr.length) return false;
    const ip = how === PATTERN_ARRAY ? (p as readonly [Pattern])[0] : true;
    for (let i = 0; i < count; i++) if (!captureNode(tree, nodes.a[base + i]!, -1, arr[i], ip, out)) return false;
  } else {
    // Key and value nodes, in twos, in document order: nearly always the walk's, so each key is
    // looked for from just after the last one found.
    const len = tree.pairs(node, nodes);
    if (len < 0) return false;
    const obj = v as Obj;
    const keys = how === WHOLE_OBJECT ? null : (p as { readonly [key: string]: Pattern });
    let from = 0;
    for (const k in keys ?? obj) {
      if (keys !== null && !Object.prototype.hasOwnProperty.call(obj, k)) continue;
      let j = 0;
      for (; j < len; j += 2) {
        const at = base + ((from + j) % len);
        if (tree.name(nodes.a[at]!) !== k) continue;
        from = (at - base + 2) % len;
        if (!captureNode(tree, nodes.a[at + 1]!, nodes.a[at]!, obj[k], keys === null ? true : keys[k]!, out)) return false;
        break;
      }
      if (j >= len) return false;
    }
  }
  nodes.top = base;
  out.size(me, (out.n >> 2) - me);
  return true;
}

/**
 * Where a path of a resource's skeleton (`object`, relative to the resource) sits in capture's walk
 * order: `index` of the node, `exact` false when the path goes on below a node where the object has
 * nothing (the node is then the path's nearest existing ancestor). Null when the path leaves the
 * captured nodes at a field capture did not record (or the skeleton dropped): only the parse can
 * tell. With `sizes`, the subtree sizes
 * capture recorded (RangeList.sizes(), the resource's nodes from `first` on; 0 where it did not),
 * the siblings before each step are skipped by their size instead of being walked.
 */
export function skeletonNodeOf(
  kind: string, object: Obj, tokens: readonly string[], sizes?: Uint16Array, first = 0,
): { index: number; exact: boolean } | null {
  const count = (at: number, v: unknown, p: Pattern): number => (sizes !== undefined && sizes[first + at]) || nodeCount(v, p);
  let v: unknown = object;
  let p = patternOf(kind);
  let index = 0;
  for (const token of tokens) {
    let next = index + 1;
    let found = false;
    switch (childrenOf(v, p)) {
      case LEAF:
        return { index, exact: false };
      case WHOLE_ARRAY:
      case PATTERN_ARRAY: {
        const arr = v as unknown[];
        const ip = Array.isArray(p) && Array.isArray(v) ? (p as readonly [Pattern])[0] : true;
        if (!/^(0|[1-9]\d*)$/.test(token) || Number(token) >= arr.length) return { index, exact: false };
        const at = Number(token);
        for (let i = 0; i < at; i++) next += count(next, arr[i], ip);
        v = arr[at];
        p = ip;
        found = true;
        break;
      }
      case WHOLE_OBJECT:
        for (const k in v as Obj) {
          if (k === token) {
            found = true;
            break;
          }
          next += count(next, (v as Obj)[k], true);
        }
        if (!found) return { index, exact: false };
        v = (v as Obj)[token];
        p = true;
        break;
      default: {
        const keys = p as { readonly [key: string]: Pattern };
        for (const k in keys) {
          if (!Object.prototype.hasOwnProperty.call(v, k)) continue;
          if (k === token) {
            found = true;
            break;
          }
          next += count(next, (v as Obj)[k], keys[k]!);
        }
        // A field of the pattern that the object lacks is absent; any other field was not recorded.
        if (!found) return Object.prototype.hasOwnProperty.call(keys, token) ? { index, exact: false } : null;
        v = (v as Obj)[token];
        p = keys[token]!;
      }
    }
    index = next;
  }
  return { index, exact: true };
}

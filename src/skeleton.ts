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

import { isObj, type Obj } from './model.js';

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
      // Concatenation, then a slice of it: reading the concatenation flattens it into a new string
      // that owes nothing to the file's text.
      c = (' ' + s).slice(1);
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

/** A value kept whole, with its strings swapped for owned copies (object keys are copies already). */
function owned(v: unknown, strings: OwnStrings): unknown {
  if (typeof v === 'string') return strings.own(v);
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = owned(v[i], strings);
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

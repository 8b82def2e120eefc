// Shared helpers that walk Kubernetes objects the same way for every rule: pod templates,
// containers, ports, labels, annotations, selectors and namespaces. All return JSON Pointers.

import { ptr } from './pointer.js';
import type { FileRef, Resource } from './types.js';

export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/**
 * The list at its own length. An array filled by push() keeps room to grow: a list of one or two
 * items takes about 190 bytes instead of 40-70. Lists kept until the rules' done() (a workload's
 * containers and ports, a Service's ports, the indexes' buckets) are tens of thousands on a large
 * run; slice() copies one to its exact size.
 */
export function exact<T>(list: T[]): T[] {
  return list.length === 0 ? list : list.slice();
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** Kinds whose objects live outside namespaces (built-in ones, plus the common CRD ones). */
const CLUSTER_SCOPED = new Set([
  'Namespace', 'Node', 'PersistentVolume', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition',
  'StorageClass', 'CSIDriver', 'CSINode', 'VolumeAttachment', 'PriorityClass', 'RuntimeClass',
  'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration', 'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding', 'MutatingAdmissionPolicy', 'MutatingAdmissionPolicyBinding',
  'APIService', 'CertificateSigningRequest', 'FlowSchema', 'PriorityLevelConfiguration', 'IngressClass',
  'PodSecurityPolicy', 'ComponentStatus', 'ClusterIssuer', 'ClusterTrustBundle', 'DeviceClass',
  'ResourceSlice', 'IPAddress', 'ServiceCIDR', 'VolumeAttributesClass', 'StorageVersionMigration',
]);

export function isClusterScoped(kind: string): boolean {
  return CLUSTER_SCOPED.has(kind);
}

/** Effective namespace of an object: its metadata.namespace, else 'default'; '' when cluster-scoped. */
export function effectiveNamespace(kind: string, rawNamespace: string): string {
  if (isClusterScoped(kind)) return '';
  return rawNamespace || 'default';
}

export function metadata(r: Resource): Obj {
  const m = r.object['metadata'];
  return isObj(m) ? m : {};
}

export interface StringMapEntry {
  key: string;
  value: unknown;
  /** Pointer (relative to the resource) of the value; use on: 'key' to point at the key. */
  path: string;
}

/** Entries of a string map (labels, annotations, selector) at `base` inside the resource. */
export function mapEntries(base: string, m: unknown): StringMapEntry[] {
  if (!isObj(m)) return [];
  return Object.keys(m).map((key) => ({ key, value: m[key], path: ptr(base, key) }));
}

export function labelsOf(r: Resource): StringMapEntry[] {
  return mapEntries('/metadata/labels', metadata(r)['labels']);
}

export function annotationsOf(r: Resource): StringMapEntry[] {
  return mapEntries('/metadata/annotations', metadata(r)['annotations']);
}

// ---- Pod templates -------------------------------------------------------------------------

/** Where each workload kind keeps its pod template. */
const POD_TEMPLATE_PATHS: Record<string, string> = {
  Pod: '',
  PodTemplate: '/template',
  Deployment: '/spec/template',
  StatefulSet: '/spec/template',
  DaemonSet: '/spec/template',
  ReplicaSet: '/spec/template',
  ReplicationController: '/spec/template',
  Job: '/spec/template',
  CronJob: '/spec/jobTemplate/spec/template',
  // Argo Rollouts keeps a Deployment-shaped template; Telepresence intercepts it too.
  Rollout: '/spec/template',
};

/** The same paths as lists of keys. */
const TEMPLATE_TOKENS: Record<string, readonly string[]> = Object.fromEntries(
  Object.entries(POD_TEMPLATE_PATHS).map(([kind, path]) => [kind, path.split('/').slice(1)]),
);

/** The label a tool's install states its version in, where its image tag does not (see tool-versions.ts). */
export const VERSION_LABEL = 'app.kubernetes.io/version';

export const WORKLOAD_KINDS: readonly string[] = Object.keys(POD_TEMPLATE_PATHS).filter((k) => k !== 'PodTemplate');

export interface PodTemplate {
  /** Pointer of the template (or the Pod itself): its metadata is at path + '/metadata'. */
  path: string;
  metadata: Obj;
  spec: Obj;
  labels: Record<string, string>;
  /** Pointer of the pod template's labels. */
  labelsPath: string;
}

export function hasPodTemplate(r: Resource): boolean {
  return r.kind in POD_TEMPLATE_PATHS && (r.kind !== 'Rollout' || r.apiVersion.startsWith('argoproj.io/'));
}

/** The pod template of a workload (Pod itself for kind Pod), or null for other kinds. */
export function podTemplate(r: Resource): PodTemplate | null {
  let t = templates.get(r);
  if (t === undefined) templates.set(r, (t = findPodTemplate(r)));
  return t;
}

// Several rules ask for the same resource's template, containers and ports: each is computed once per
// resource (resources and their objects are never mutated), frozen so that no caller can change it.
// The engine forgets them after each file, so resources kept by cross-resource rules do not keep them.
let templates = new WeakMap<Resource, PodTemplate | null>();
let containerLists = new WeakMap<Resource, readonly ContainerRef[]>();
let portLists = new WeakMap<ContainerRef, readonly PortRef[]>();
let allPortLists = new WeakMap<Resource, readonly PortRef[]>();

/** Caches of other modules made with perResource(): forgotten with these. */
const moreCaches: Array<() => void> = [];

export function forgetModelCache(): void {
  templates = new WeakMap();
  containerLists = new WeakMap();
  portLists = new WeakMap();
  allPortLists = new WeakMap();
  for (const forget of moreCaches) forget();
}

/**
 * `compute`, computed once per resource and forgotten with the caches above. What it returns is
 * shared by every caller, frozen so that none can change it.
 */
export function perResource<V extends object>(compute: (r: Resource) => V): (r: Resource) => Readonly<V> {
  let cache = new WeakMap<Resource, Readonly<V>>();
  moreCaches.push(() => {
    cache = new WeakMap();
  });
  return (r) => {
    let v = cache.get(r);
    if (v === undefined) cache.set(r, (v = Object.freeze(compute(r))));
    return v;
  };
}

function findPodTemplate(r: Resource): PodTemplate | null {
  if (!hasPodTemplate(r)) return null;
  const path = POD_TEMPLATE_PATHS[r.kind]!;
  let cur: unknown = r.object;
  for (const t of TEMPLATE_TOKENS[r.kind]!) cur = isObj(cur) ? cur[t] : undefined;
  if (!isObj(cur)) return null;
  const meta = isObj(cur['metadata']) ? cur['metadata'] : {};
  const spec = isObj(cur['spec']) ? cur['spec'] : {};
  return Object.freeze({ path, metadata: meta, spec, labels: stringMap(meta['labels']), labelsPath: ptr(path, 'metadata', 'labels') });
}

/**
 * A copy of a string that owes nothing to the text it was cut from: V8 keeps a substring of 13
 * characters or more as a slice of the whole string, so a label value a rule keeps until done()
 * would keep its file's text alive (see OwnStrings in skeleton.ts, which also shares the copies).
 */
export function copied<T extends string | undefined>(s: T): T {
  // Concatenation, then a slice of it: reading the concatenation flattens it into a new string.
  return (s === undefined || s.length < 13 ? s : (' ' + s).slice(1)) as T;
}

/** A string map whose values are copies (see copied()): for indexes kept past the resource's file. */
export function copiedMap(m: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k in m) out[k] = copied(m[k]!);
  return out;
}

export function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isObj(v)) return out;
  for (const k in v) {
    const val = v[k];
    if (val !== null && val !== undefined) out[k] = String(val);
  }
  return out;
}

export function podAnnotations(r: Resource): StringMapEntry[] {
  const t = podTemplate(r);
  if (!t) return [];
  return mapEntries(ptr(t.path, 'metadata', 'annotations'), t.metadata['annotations']);
}

export function podLabels(r: Resource): StringMapEntry[] {
  const t = podTemplate(r);
  if (!t) return [];
  return mapEntries(t.labelsPath, t.metadata['labels']);
}

export type ContainerType = 'container' | 'initContainer' | 'ephemeralContainer';

export interface ContainerRef {
  container: Obj;
  name: string;
  type: ContainerType;
  index: number;
  /** Pointer of the container object. */
  path: string;
}

const CONTAINER_LISTS: Array<[string, ContainerType]> = [
  ['initContainers', 'initContainer'],
  ['containers', 'container'],
  ['ephemeralContainers', 'ephemeralContainer'],
];

/** Every container of the pod template: init, regular and ephemeral, in that order. */
export function containers(r: Resource): readonly ContainerRef[] {
  let list = containerLists.get(r);
  if (!list) containerLists.set(r, (list = Object.freeze(findContainers(r))));
  return list;
}

function findContainers(r: Resource): ContainerRef[] {
  const t = podTemplate(r);
  if (!t) return [];
  const out: ContainerRef[] = [];
  for (const [field, type] of CONTAINER_LISTS) {
    const list = asArray(t.spec[field]);
    // Plain loops: this runs for every workload, during reading and again in done().
    const base = ptr(t.path, 'spec', field);
    for (let index = 0; index < list.length; index++) {
      const c = list[index];
      if (isObj(c)) out.push({ container: c, name: str(c['name']) ?? '', type, index, path: ptr(base, index) });
    }
  }
  return exact(out);
}

export type Protocol = 'TCP' | 'UDP' | 'SCTP';

export interface PortRef {
  port: Obj;
  container: ContainerRef;
  index: number;
  /** Pointer of the port item. */
  path: string;
  name: string | undefined;
  containerPort: number | undefined;
  hostPort: number | undefined;
  hostIP: string;
  /** Protocol with the API default (TCP) applied. */
  protocol: Protocol;
}

export function normalizeProtocol(p: unknown): Protocol {
  return p === 'UDP' || p === 'SCTP' ? p : 'TCP';
}

export function portNumber(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && /^\d+$/.test(v)) return Number(v);
  return undefined;
}

export function ports(c: ContainerRef): readonly PortRef[] {
  let list = portLists.get(c);
  if (!list) portLists.set(c, (list = Object.freeze(findPorts(c))));
  return list;
}

function findPorts(c: ContainerRef): PortRef[] {
  const list = asArray(c.container['ports']);
  const out: PortRef[] = [];
  for (let index = 0; index < list.length; index++) {
    const p = list[index];
    if (!isObj(p)) continue;
    out.push({
      port: p,
      container: c,
      index,
      path: ptr(c.path, 'ports', index),
      name: str(p['name']),
      containerPort: portNumber(p['containerPort']),
      hostPort: portNumber(p['hostPort']),
      hostIP: str(p['hostIP']) ?? '',
      protocol: normalizeProtocol(p['protocol']),
    });
  }
  return exact(out);
}

export function allPorts(r: Resource): readonly PortRef[] {
  let list = allPortLists.get(r);
  if (!list) allPortLists.set(r, (list = Object.freeze(exact(containers(r).flatMap((c) => ports(c))))));
  return list;
}

// ---- Selectors -----------------------------------------------------------------------------

/** A Service-style selector: every key=value must be among the labels. Empty selects nothing here. */
export function matchesMap(selector: Readonly<Record<string, string>>, labels: Record<string, string>): boolean {
  let any = false;
  for (const k in selector) {
    if (labels[k] !== selector[k]) return false;
    any = true;
  }
  return any;
}

/** A metav1.LabelSelector (matchLabels + matchExpressions). An empty selector matches everything. */
export function matchesLabelSelector(selector: unknown, labels: Record<string, string>): boolean {
  if (!isObj(selector)) return false;
  const ml = stringMap(selector['matchLabels']);
  for (const k of Object.keys(ml)) if (labels[k] !== ml[k]) return false;
  for (const e of asArray(selector['matchExpressions'])) {
    if (!isObj(e)) return false;
    const key = str(e['key']) ?? '';
    const values = asArray(e['values']).map(String);
    const has = Object.prototype.hasOwnProperty.call(labels, key);
    switch (e['operator']) {
      case 'In':
        if (!has || !values.includes(labels[key]!)) return false;
        break;
      case 'NotIn':
        if (has && values.includes(labels[key]!)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/**
 * Workloads indexed by namespace and label pair, so that resolving a Service selector costs
 * the size of its smallest matching bucket, not the number of workloads.
 */
export class WorkloadIndex<T extends { labels: Record<string, string> }> {
  /** namespace -> label key -> label value -> workloads (nested maps: no key strings to build). */
  private readonly byPair = new Map<string, Map<string, Map<string, T[]>>>();
  private readonly byNamespace = new Map<string, T[]>();

  add(namespace: string, w: T): void {
    const list = this.byNamespace.get(namespace);
    if (list) list.push(w);
    else this.byNamespace.set(namespace, [w]);
    let keys = this.byPair.get(namespace);
    if (!keys) this.byPair.set(namespace, (keys = new Map()));
    for (const k in w.labels) {
      const v = w.labels[k]!;
      let values = keys.get(k);
      if (!values) keys.set(k, (values = new Map()));
      // Most label values name one workload: a bucket starts at its exact size (see exact()).
      const bucket = values.get(v);
      if (bucket) bucket.push(w);
      else values.set(v, [w]);
    }
  }

  inNamespace(namespace: string): readonly T[] {
    return this.byNamespace.get(namespace) ?? [];
  }

  /** Workloads whose labels satisfy a Service-style selector. */
  select(namespace: string, selector: Readonly<Record<string, string>>): T[] {
    const keys = Object.keys(selector);
    if (keys.length === 0) return [];
    let smallest: T[] | undefined;
    const inNs = this.byPair.get(namespace);
    for (const k of keys) {
      const bucket = inNs?.get(k)?.get(selector[k]!);
      if (!bucket) return [];
      if (!smallest || bucket.length < smallest.length) smallest = bucket;
    }
    return exact(smallest!.filter((w) => matchesMap(selector, w.labels)));
  }
}

/** IANA_SVC_NAME (RFC 6335 as Kubernetes validates it): the reason a name is invalid, or null. */
export function ianaSvcNameProblem(name: string): string | null {
  if (name.length === 0) return 'it is empty';
  if (name.length > 15) return `it is ${name.length} characters long (at most 15)`;
  if (!/^[a-z0-9-]+$/.test(name)) return 'it may contain only lowercase letters, digits and hyphens';
  if (!/[a-z]/.test(name)) return 'it must contain at least one letter';
  if (name.startsWith('-') || name.endsWith('-')) return 'it must not begin or end with a hyphen';
  if (name.includes('--')) return 'it must not contain two hyphens in a row';
  return null;
}

/** Resources of one YAML document: the object itself, or each item of a `kind: List`. */
export function resourcesOf(file: FileRef, doc: number, value: Record<string, unknown>, source?: string): Resource[] {
  const make = (obj: unknown, base: string): Resource | null => {
    if (!isObj(obj)) return null;
    const apiVersion = obj['apiVersion'];
    const kind = obj['kind'];
    if (typeof apiVersion !== 'string' || typeof kind !== 'string' || !apiVersion || !kind) return null;
    const meta = isObj(obj['metadata']) ? obj['metadata'] : {};
    const rawNamespace = str(meta['namespace']) ?? '';
    const r: Resource = {
      file, doc, base, apiVersion, kind,
      name: str(meta['name']) ?? str(meta['generateName']) ?? '',
      rawNamespace,
      namespace: effectiveNamespace(kind, rawNamespace),
      object: obj,
      ...(source ? { source } : {}),
    };
    return r;
  };
  if (value['kind'] === 'List' && Array.isArray(value['items'])) {
    return value['items'].flatMap((item, i) => make(item, ptr('/items', i)) ?? []);
  }
  const r = make(value, '');
  return r ? [r] : [];
}

/** The Helm template a document came from: the last `# Source:` comment before its content. */
export function helmSource(text: string, start: number, contentStart: number): string | undefined {
  const region = text.slice(start, contentStart);
  if (!region.includes('Source:')) return undefined;
  let found: string | undefined;
  for (const m of region.matchAll(/^#\s*Source:\s*(.+?)\s*$/gm)) found = m[1];
  return found;
}

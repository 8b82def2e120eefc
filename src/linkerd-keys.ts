// Linkerd annotation and label keys: the versioned catalogue (rules/_linkerd-catalogue.json, read
// lazily, once, and indexed), where keys sit in a resource, near-miss search, the target Linkerd
// version and the value parsers Linkerd uses. Shared by the linkerd-* annotation rules.

import { readFileSync } from 'node:fs';
import { linkerdInForce } from './tool-versions.js';
import { projectPath } from './paths.js';
import { ptr } from './pointer.js';
import { allPorts, exact, hasPodTemplate, isObj, metadata, perResource, type Obj } from './model.js';
import { compareLines, parseLinkerdVersion, LINKERD_LINES, type LinkerdVersion } from './linkerd-version.js';
import type { Facts } from './facts.js';
import type { Resource } from './types.js';

export type KeyKind = 'annotation' | 'label';
export type Scope = 'pod' | 'namespace' | 'service' | 'httproute' | 'grpcroute' | 'endpoints' | 'secret' | 'any';

export interface KeyEntry {
  key: string;
  kind: KeyKind;
  scope: Scope[];
  type: string;
  enum?: string[];
  enumByLine?: Record<string, string[]>;
  range?: { min: number; max: number; exclusive?: boolean };
  lines: string[];
  since: string;
  until?: string;
  firstEdge?: string;
  sincePatch?: string;
  removedEdge?: string;
  deprecatedSince?: string;
  inheritedFromNamespace: boolean | Record<string, boolean>;
  setByLinkerd: boolean;
  alsoSetByUsers?: boolean;
  testOnly?: boolean;
  source: string;
  notes?: string;
}

interface CatalogueFile {
  lines: string[];
  prefixes: string[];
  nativeSidecarKeys: string[];
  keys: KeyEntry[];
  renames: Array<{ from: string; why: string; to: Record<string, string> }>;
}

export interface Catalogue {
  lines: readonly string[];
  /** Linkerd-owned key prefixes (the part before '/'). */
  prefixes: ReadonlySet<string>;
  prefixList: readonly string[];
  /** Native-sidecar keys, highest precedence first. */
  nativeSidecarKeys: readonly string[];
  byKey: ReadonlyMap<string, KeyEntry[]>;
  /** Key names (after '/') by prefix, for near-miss search. */
  byPrefix: ReadonlyMap<string, string[]>;
  renames: ReadonlyMap<string, { why: string; to: Record<string, string> }>;
}

let loaded: Catalogue | undefined;

/** The catalogue, read and indexed on first use. */
export function catalogue(): Catalogue {
  if (loaded) return loaded;
  const raw = JSON.parse(readFileSync(projectPath('rules/_linkerd-catalogue.json'), 'utf8')) as CatalogueFile;
  const byKey = new Map<string, KeyEntry[]>();
  const byPrefix = new Map<string, string[]>();
  for (const e of raw.keys) {
    let list = byKey.get(e.key);
    if (!list) {
      byKey.set(e.key, (list = []));
      if (!e.testOnly) {
        const [prefix, name] = splitKey(e.key)!;
        let names = byPrefix.get(prefix);
        if (!names) byPrefix.set(prefix, (names = []));
        names.push(name);
      }
    }
    list.push(e);
  }
  loaded = {
    lines: raw.lines,
    prefixes: new Set(raw.prefixes),
    prefixList: raw.prefixes,
    nativeSidecarKeys: raw.nativeSidecarKeys,
    byKey,
    byPrefix,
    renames: new Map(raw.renames.map((r) => [r.from, { why: r.why, to: r.to }])),
  };
  return loaded;
}

export function splitKey(key: string): [string, string] | null {
  const i = key.indexOf('/');
  return i > 0 ? [key.slice(0, i), key.slice(i + 1)] : null;
}

// ---- the target Linkerd version --------------------------------------------------------------

export interface LinkerdTarget {
  /** False when linkerd.controlPlaneVersion is absent, unparseable or outside 2.14-2.20: the union of all lines applies. */
  known: boolean;
  line?: string;
  version?: LinkerdVersion;
  /** 'Linkerd stable-2.14.10' for messages. */
  label: string;
}

const UNION: LinkerdTarget = { known: false, label: 'any Linkerd version' };

/** The target control-plane version; read it in done(), when manifest facts are complete. */
export function linkerdTarget(facts: Facts): LinkerdTarget {
  // Same precedence as linkerd-version-mismatch: flag, config, linkerd-config, created-by.
  const v = linkerdInForce(facts, 'linkerd.controlPlaneVersion')?.parsed;
  if (!v || !v.line || !(LINKERD_LINES as readonly string[]).includes(v.line)) return UNION;
  const label = v.channel === 'edge' || v.channel === 'preview' ? `Linkerd ${v.raw} (${v.line} line)` : `Linkerd ${v.raw}`;
  return { known: true, line: v.line, version: v, label };
}

function edgeNumbers(s: string): [number, number, number] | null {
  const p = parseLinkerdVersion(s);
  return p.ok ? p.version.numbers : null;
}

function cmp3(a: readonly number[], b: readonly number[]): number {
  return a[0]! - b[0]! || a[1]! - b[1]! || a[2]! - b[2]!;
}

/** Does the target read this key? Always true for an unknown target (union of lines). */
export function reads(e: KeyEntry, t: LinkerdTarget): boolean {
  if (!t.known) return true;
  const line = t.line!;
  const v = t.version!;
  const afterSince = compareLines(line, e.since) >= 0;
  const beforeUntil = !e.until || compareLines(line, e.until) <= 0;
  if (v.channel === 'edge' || v.channel === 'preview') {
    const first = e.firstEdge ? edgeNumbers(e.firstEdge) : null;
    const removed = e.removedEdge ? edgeNumbers(e.removedEdge) : null;
    const lowOk = first ? cmp3(v.numbers, first) >= 0 : afterSince;
    const highOk = removed ? cmp3(v.numbers, removed) < 0 : beforeUntil;
    return lowOk && highOk;
  }
  if (!afterSince || !beforeUntil) return false;
  if (e.sincePatch && line === e.since) {
    const p = parseLinkerdVersion(e.sincePatch);
    if (p.ok && cmp3(v.numbers, p.version.numbers) < 0) return false;
  }
  return true;
}

/** 'from 2.16' / 'in 2.14-2.19' / 'from edge-24.7.5': when a key is read, for messages. */
export function whenRead(e: KeyEntry): string {
  const from = e.sincePatch ?? e.since;
  const edge = e.firstEdge ? ` and ${e.firstEdge}` : '';
  if (e.until) return `it is read by Linkerd ${from}${edge} to ${e.until}${e.removedEdge ? `, removed in ${e.removedEdge}` : ''}`;
  return `it is read from Linkerd ${from}${edge}`;
}

export function inheritedFromNamespace(e: KeyEntry, t: LinkerdTarget): boolean {
  const i = e.inheritedFromNamespace;
  if (typeof i === 'boolean') return i;
  if (t.known && i[t.line!] !== undefined) return i[t.line!]!;
  return Object.values(i).some(Boolean);
}

/** The rename target for a key on the target version; every distinct target when unknown. */
export function renameTargets(key: string, t: LinkerdTarget): string[] {
  const r = catalogue().renames.get(key);
  if (!r) return [];
  if (t.known) return r.to[t.line!] ? [r.to[t.line!]!] : [];
  return [...new Set(Object.values(r.to))];
}

/** Lines a key is read on, as '2.15-2.18' or '2.20+'. */
export function lineSpan(key: string): string {
  const c = catalogue();
  const lines = new Set((c.byKey.get(key) ?? []).flatMap((e) => e.lines));
  const idx = c.lines.map((l, i) => (lines.has(l) ? i : -1)).filter((i) => i >= 0);
  if (idx.length === 0) return '';
  const a = c.lines[idx[0]!]!;
  const b = c.lines[idx[idx.length - 1]!]!;
  if (b === c.lines[c.lines.length - 1]) return `${a}+`;
  return a === b ? a : `${a}-${b}`;
}

// ---- where keys sit ------------------------------------------------------------------------

/** Where a metadata block is: a pod (template), a workload's own metadata, or an object of some kind. */
export type Place = 'pod' | 'workload' | 'namespace' | 'service' | 'httproute' | 'grpcroute' | 'endpoints' | 'secret' | 'other';

export interface KeySite {
  resource: Resource;
  kind: KeyKind;
  key: string;
  value: unknown;
  /** Pointer of the value (use on: 'key' for the key). */
  path: string;
  place: Place;
  /** Pointer of the metadata block. */
  metaPath: string;
}

function placeOf(r: Resource): Place {
  switch (r.kind) {
    case 'Namespace': return r.apiVersion === 'v1' ? 'namespace' : 'other';
    case 'Service': return r.apiVersion === 'v1' ? 'service' : 'other';
    case 'HTTPRoute': return 'httproute';
    case 'GRPCRoute': return 'grpcroute';
    case 'Endpoints':
    case 'EndpointSlice': return 'endpoints';
    case 'Secret': return 'secret';
    default: return 'other';
  }
}

function blocksOf(r: Resource): Array<{ metaPath: string; meta: Obj; place: Place }> {
  const out: Array<{ metaPath: string; meta: Obj; place: Place }> = [];
  if (hasPodTemplate(r)) {
    if (r.kind === 'Pod') return [{ metaPath: '/metadata', meta: metadata(r), place: 'pod' }];
    out.push({ metaPath: '/metadata', meta: metadata(r), place: 'workload' });
    if (r.kind === 'CronJob') {
      const jt = (r.object['spec'] as Obj | undefined)?.['jobTemplate'];
      if (isObj(jt) && isObj(jt['metadata'])) out.push({ metaPath: '/spec/jobTemplate/metadata', meta: jt['metadata'], place: 'workload' });
    }
    const t = templateMeta(r);
    if (t) out.push({ metaPath: t.path, meta: t.meta, place: 'pod' });
    return out;
  }
  return [{ metaPath: '/metadata', meta: metadata(r), place: placeOf(r) }];
}

const TEMPLATE_PATHS: Record<string, string[]> = {
  PodTemplate: ['template'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template'],
};

const DEFAULT_TEMPLATE_PATH = ['spec', 'template'];
/** Pointer of the template's metadata, per path above (one string, not one per resource). */
const metaPaths = new Map<readonly string[], string>();

function templateMeta(r: Resource): { path: string; meta: Obj } | null {
  const tokens = TEMPLATE_PATHS[r.kind] ?? DEFAULT_TEMPLATE_PATH;
  let cur: unknown = r.object;
  for (const t of tokens) cur = isObj(cur) ? cur[t] : undefined;
  if (!isObj(cur) || !isObj(cur['metadata'])) return null;
  let path = metaPaths.get(tokens);
  if (path === undefined) metaPaths.set(tokens, (path = ptr('', ...tokens, 'metadata')));
  return { path, meta: cur['metadata'] };
}

/** Keys of a metadata map worth a look: under a Linkerd prefix or near one. Cheap for everything else. */
export function keySites(r: Resource): KeySite[] {
  const out: KeySite[] = [];
  for (const b of blocksOf(r)) {
    for (const kind of ['annotation', 'label'] as const) {
      const m = b.meta[kind === 'annotation' ? 'annotations' : 'labels'];
      if (!isObj(m)) continue;
      let base: string | undefined; // made for the few maps that hold a key worth a look
      for (const key in m) {
        if (classify(key).status === 'foreign') continue;
        base ??= ptr(b.metaPath, kind === 'annotation' ? 'annotations' : 'labels');
        out.push({ resource: r, kind, key, value: m[key], path: ptr(base, key), place: b.place, metaPath: b.metaPath });
      }
    }
  }
  return exact(out);
}

/**
 * Sites grouped per resource, computed once per resource for all five rules (in their resource()
 * listeners), in the model's cache: forgotten once the resource's file was read, so the sites (and
 * the values of the whole object they hold) do not live as long as the resource.
 */
export const sitesOf: (r: Resource) => readonly KeySite[] = perResource(keySites);

/** The value of the same key in a sibling block (the pod template of a workload), if any. */
export function templateValue(r: Resource, kind: KeyKind, key: string): unknown {
  const t = templateMeta(r);
  if (!t) return undefined;
  const m = t.meta[kind === 'annotation' ? 'annotations' : 'labels'];
  return isObj(m) ? m[key] : undefined;
}

export function scopeAllows(e: KeyEntry, place: Place): boolean {
  if (e.scope.includes('any')) return true;
  return (e.scope as string[]).includes(place);
}

/** Keys Linkerd writes itself and users do not set: only misspellings are checked for them. */
export function linkerdOwned(e: KeyEntry): boolean {
  return (e.setByLinkerd && !e.alsoSetByUsers) || Boolean(e.testOnly);
}

// ---- classification and near misses --------------------------------------------------------

export type Classification =
  | { status: 'known'; entries: KeyEntry[] }
  /** Under a Linkerd prefix but not a key Linkerd reads; candidates may be empty. */
  | { status: 'unknown'; candidates: string[] }
  /** Outside the prefixes but close to one, and close to a Linkerd key. */
  | { status: 'near'; candidates: string[] }
  | { status: 'foreign' };

const classified = new Map<string, Classification>();

export function classify(key: string): Classification {
  let c = classified.get(key);
  if (!c) {
    c = computeClass(key);
    if (classified.size > 50_000) classified.clear();
    classified.set(key, c);
  }
  return c;
}

const FOREIGN: Classification = { status: 'foreign' };

function computeClass(key: string): Classification {
  const cat = catalogue();
  const known = cat.byKey.get(key);
  if (known) return { status: 'known', entries: known };
  const parts = splitKey(key);
  if (!parts) return FOREIGN;
  const [prefix, name] = parts;
  if (cat.prefixes.has(prefix)) return { status: 'unknown', candidates: candidatesFor(prefix, name, key) };
  // A near miss: only when the prefix itself is close to a Linkerd prefix (cheap length gate first).
  const close = cat.prefixList.filter((p) => Math.abs(p.length - prefix.length) <= 2 && distance(p, prefix, 2) <= 2);
  if (close.length === 0) return FOREIGN;
  const found = new Set<string>();
  for (const p of close) for (const k of candidatesFor(p, name, `${p}/${name}`)) found.add(k);
  for (const p of close) if (cat.byKey.has(`${p}/${name}`)) found.add(`${p}/${name}`);
  return found.size > 0 ? { status: 'near', candidates: [...found] } : FOREIGN;
}

/** Allowed edits on the name part: 1 for short names, up to 3 for long ones. */
function budget(name: string): number {
  return Math.max(1, Math.min(3, Math.floor(name.length / 5)));
}

/** Catalogue keys close to `prefix/name`: the exact name under another Linkerd prefix, or a name within the budget. */
function candidatesFor(prefix: string, name: string, key: string): string[] {
  const cat = catalogue();
  if (cat.byKey.has(key)) return [key];
  const renamed = cat.renames.get(key);
  if (renamed) return [...new Set(Object.values(renamed.to))];
  const max = budget(name);
  let best = Infinity;
  let out: string[] = [];
  const consider = (k: string, d: number) => {
    if (d < best) { best = d; out = [k]; } else if (d === best && !out.includes(k)) out.push(k);
  };
  for (const [p, names] of cat.byPrefix) {
    for (const n of names) {
      if (p === prefix) {
        if (Math.abs(n.length - name.length) > max) continue;
        const d = distance(n, name, max);
        if (d <= max) consider(`${p}/${n}`, d);
      } else if (n === name) {
        consider(`${p}/${n}`, max); // same name under another prefix ranks after closer spellings
      }
    }
  }
  return out;
}

/** Optimal string alignment distance (an adjacent transposition is one edit), stopping past `max`. */
export function distance(a: string, b: string, max = Infinity): number {
  if (a === b) return 0;
  const n = a.length;
  const m = b.length;
  if (Math.abs(n - m) > max) return max + 1;
  let prev2 = new Array<number>(m + 1).fill(0);
  let prev = Array.from({ length: m + 1 }, (_, j) => j);
  let cur = new Array<number>(m + 1).fill(0);
  for (let i = 1; i <= n; i++) {
    cur[0] = i;
    let rowMin = cur[0];
    for (let j = 1; j <= m; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2]! + 1);
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[m]!;
}

// ---- values --------------------------------------------------------------------------------

/** Go strconv.ParseBool. */
export function parseGoBool(s: string): boolean | null {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(s)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(s)) return false;
  return null;
}

/** Go time.ParseDuration. */
const GO_DURATION = /^[-+]?(?:0|(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+)$/;
/** Policy-controller durations: one whole number and a unit (ms, s, m, h, d), or bare 0. */
const POLICY_DURATION = /^\s*(?:\d+(?:ms|s|m|h|d)|0+)\s*$/;
/** Kubernetes resource.Quantity. */
const QUANTITY = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+|Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const IMAGE = /^(?:[a-zA-Z0-9.-]+(?::\d+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?$/;
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];

export interface ValueContext {
  place: Place;
  /** Container port names of the pod (for opaque-ports on a pod template). */
  portNames?: () => Set<string>;
}

const q = (s: string) => JSON.stringify(s);

function goPortList(v: string, names?: Set<string>, allowNames = false): string | null {
  const items = v.replace(/,$/, '').split(',').map((s) => s.trim());
  for (const it of items) {
    if (allowNames && /^[a-z]/i.test(it) && !/^\d/.test(it)) {
      if (names && !names.has(it)) return `${q(it)} is not the name of a container port of this pod, so Linkerd skips that entry`;
      if (!names && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(it)) return `${q(it)} is neither a port, a range nor a port name`;
      continue;
    }
    const m = /^(\d+)(?:-(\d+))?$/.exec(it);
    if (!m) return `${q(it)} is not a port or a range lo-hi, so Linkerd skips that entry`;
    const lo = Number(m[1]);
    const hi = m[2] !== undefined ? Number(m[2]) : lo;
    if (lo > 65535 || hi > 65535) return `${q(it)} is beyond port 65535, so Linkerd skips that entry`;
    if (hi < lo) return `range ${q(it)} must not decrease, so Linkerd skips that entry`;
  }
  return null;
}

/** The policy controller's port sets (Services): 1-65535 and ranges; no names; one bad item voids the list. */
function rustPortSet(v: string): string | null {
  for (const raw of v.split(',')) {
    const it = raw.trim();
    if (it === '') continue;
    const m = /^(\d+)\s*(?:-\s*(\d+))?$/.exec(it);
    if (!m) {
      if (/^[a-z]/i.test(it)) return `${q(it)} is a port name, which a Service's opaque-ports does not take (numbers and ranges only), so the whole list is ignored`;
      return `${q(it)} is not a port or a range lo-hi, so the whole list is ignored`;
    }
    const lo = Number(m[1]);
    const hi = m[2] !== undefined ? Number(m[2]) : lo;
    if (lo < 1 || hi < 1 || lo > 65535 || hi > 65535) return `${q(it)} is outside 1-65535, so the whole list is ignored`;
    if (hi < lo) return `range ${q(it)} must not decrease, so the whole list is ignored`;
  }
  return null;
}

function cidr(s: string): boolean {
  const [ip, bits, ...rest] = s.split('/');
  if (rest.length > 0 || ip === undefined) return false;
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (v4) {
    if (v4.slice(1).some((o) => Number(o) > 255)) return false;
    return bits === undefined || (/^\d{1,2}$/.test(bits) && Number(bits) <= 32);
  }
  if (!/^[0-9a-fA-F:.]+$/.test(ip) || !ip.includes(':') || (ip.match(/::/g) ?? []).length > 1) return false;
  return bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= 128);
}

/** Why Linkerd will not take this value (union of all lines), or null. */
export function valueProblem(e: KeyEntry, value: string, c: ValueContext): string | null {
  const v = value;
  switch (e.type) {
    case 'bool':
      return parseGoBool(v) === null ? `${q(v)} is not a boolean as Linkerd parses it (true, false, 1, 0, t, f, TRUE, FALSE...)` : null;
    case 'enabledDisabled':
    case 'enum':
    case 'pullPolicy': {
      const allowed = e.enum ?? (e.type === 'pullPolicy' ? PULL_POLICIES : ['enabled', 'disabled']);
      return allowed.includes(v) ? null : `${q(v)} is not one of ${allowed.map(q).join(', ')}`;
    }
    case 'enumList': {
      const allowed = e.enum ?? [];
      const bad = v.split(',').map((s) => s.trim()).find((s) => !allowed.includes(s.toLowerCase()));
      return bad === undefined ? null : `${q(bad)} is not one of ${allowed.map(q).join(', ')}`;
    }
    case 'httpRetryConditions': {
      for (const raw of v.split(',')) {
        const s = raw.trim().toLowerCase();
        if (s === '5xx' || s === 'gateway-error') continue;
        const m = /^(\d{3})(?:-(\d{3}))?$/.exec(s);
        if (m && Number(m[1]) >= 100 && Number(m[1]) <= 599 && (m[2] === undefined || (Number(m[2]) <= 599 && Number(m[2]) >= Number(m[1])))) continue;
        return `${q(raw.trim())} is not "5xx", "gateway-error", a status code 100-599 or a range of them`;
      }
      return null;
    }
    case 'goDuration':
      return GO_DURATION.test(v) ? null : `${q(v)} is not a Go duration such as "10s", "1m30s" or "500ms"`;
    case 'policyDuration':
      if (POLICY_DURATION.test(v)) return null;
      if (/^\s*-/.test(v)) return `${q(v)} is negative; durations here cannot be`;
      if (/\./.test(v)) return `${q(v)} has a fraction; use a whole number with a unit such as "1500ms"`;
      if (/^\s*\d+\s*$/.test(v)) return `${q(v)} has no unit; write "${v.trim()}s" or "${v.trim()}ms"`;
      return `${q(v)} is not a whole number with a unit ms, s, m, h or d (e.g. "10s")`;
    case 'port': {
      if (!/^[+-]?\d+$/.test(v)) return `${q(v)} is not a port number`;
      const n = Number(v);
      return n >= 1 && n <= 65535 ? null : `${q(v)} is outside 1-65535`;
    }
    case 'portList':
      return goPortList(v);
    case 'portListOrNames':
      if (c.place === 'service') return rustPortSet(v);
      return goPortList(v, c.place === 'pod' ? c.portNames?.() : undefined, true);
    case 'cidrList': {
      const bad = v.split(',').map((s) => s.trim()).find((s) => !cidr(s));
      return bad === undefined ? null : `${q(bad)} is not a CIDR such as "10.0.0.0/8"`;
    }
    case 'quantity':
      return QUANTITY.test(v) ? null : `${q(v)} is not a Kubernetes quantity such as "100m", "0.5" or "64Mi"`;
    case 'ratio':
    case 'float': {
      if (!/^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/.test(v)) return `${q(v)} is not a number`;
      const n = Number(v);
      const r = e.range ?? { min: 0, max: 1, exclusive: true };
      if (e.type === 'ratio' && e.key === 'config.linkerd.io/proxy-cpu-ratio-limit') {
        return n > 0 && n < 1 ? null : `${q(v)} must lie strictly between 0 and 1`;
      }
      return n >= r.min && n <= r.max ? null : `${q(v)} must lie between ${r.min} and ${r.max}`;
    }
    case 'int':
      return /^[+-]?\d+$/.test(v) ? null : `${q(v)} is not an integer`;
    case 'uint':
      return /^\+?\d+$/.test(v) ? null : `${q(v)} is not a whole number${e.key.endsWith('-seconds') ? ' of seconds' : ''}`;
    case 'uint16':
      return /^\+?\d+$/.test(v) && Number(v) <= 65535 ? null : `${q(v)} is not a whole number 0-65535`;
    case 'tag':
      return TAG.test(v) ? null : `${q(v)} is not an image tag`;
    case 'image':
      return IMAGE.test(v) ? null : `${q(v)} is not an image reference such as "cr.l5d.io/linkerd/proxy"`;
    case 'json': {
      let parsed: unknown;
      try {
        parsed = JSON.parse(v);
      } catch {
        return `${q(v.length > 40 ? v.slice(0, 40) + '…' : v)} is not JSON: Linkerd expects a JSON list of environment variables ([{"name": "X", "value": "y"}])`;
      }
      if (!Array.isArray(parsed) || !parsed.every((x) => isObj(x) && typeof x['name'] === 'string')) {
        return 'the value must be a JSON list of environment variables, each with a "name"';
      }
      return null;
    }
    default:
      return null;
  }
}

/** Enum values the target reads, when they differ by line; null when the plain enum applies. */
export function enumForTarget(e: KeyEntry, t: LinkerdTarget): string[] | null {
  if (!e.enumByLine || !t.known) return null;
  return e.enumByLine[t.line!] ?? null;
}

/** Container port names of a pod (init and regular containers), as Linkerd resolves opaque-ports names. */
export function podPortNames(r: Resource): Set<string> {
  return new Set(allPorts(r).filter((p) => p.container.type !== 'ephemeralContainer' && p.name).map((p) => p.name!));
}

export function valueText(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return null;
}

/** Human words for a place. */
export function placeWords(place: Place, r: Resource): string {
  switch (place) {
    case 'pod': return r.kind === 'Pod' ? 'a Pod' : 'a pod template';
    case 'workload': return `the ${r.kind}'s own metadata`;
    case 'namespace': return 'a Namespace';
    case 'service': return 'a Service';
    case 'httproute': return 'an HTTPRoute';
    case 'grpcroute': return 'a GRPCRoute';
    case 'endpoints': return `an ${r.kind}`;
    case 'secret': return 'a Secret';
    default: return `a ${r.kind}`;
  }
}

export function scopeWords(e: KeyEntry): string {
  const words: Record<Scope, string> = {
    pod: 'the pod template', namespace: 'the Namespace', service: 'the Service', httproute: 'an HTTPRoute',
    grpcroute: 'a GRPCRoute', endpoints: 'Endpoints', secret: 'the link Secret', any: 'any object',
  };
  const s = e.scope.map((x) => words[x]);
  return s.length <= 1 ? (s[0] ?? '') : `${s.slice(0, -1).join(', ')} or ${s[s.length - 1]}`;
}

// Helpers shared by the port and Service rules: which containers a Service reaches, how
// Telepresence reads its pod-template annotations, and version comparisons for the facts.

import type { Facts } from './facts.js';
import {
  containers,
  ianaSvcNameProblem,
  isObj,
  podAnnotations,
  podTemplate,
  ports,
  type ContainerRef,
  type PortRef,
  type StringMapEntry,
} from './model.js';
import { pointerOf } from './pointer.js';
import type { ServicePortRef } from './services.js';
import type { Resource } from './types.js';

// ---- versions ------------------------------------------------------------------------------

export type Version = [number, number, number];

/** "2.21.3", "v2.21.3", "2.20.0-rc.1" -> [2, 21, 3]; undefined when not a version. */
export function parseVersion(s: string | undefined): Version | undefined {
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?/.exec((s ?? '').trim());
  return m ? [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] : undefined;
}

export function atLeast(v: Version, major: number, minor: number, patch = 0): boolean {
  if (v[0] !== major) return v[0] > major;
  if (v[1] !== minor) return v[1] > minor;
  return v[2] >= patch;
}

/** The Kubernetes minor version in force (the default fact is always set). */
export function kubeMinor(facts: Facts): number | undefined {
  const v = parseVersion(facts.get('kubernetesVersion')?.value);
  return v && v[0] === 1 ? v[1] : undefined;
}

// ---- which containers a Service reaches ----------------------------------------------------

export function isRestartableInit(c: ContainerRef): boolean {
  return c.type === 'initContainer' && c.container['restartPolicy'] === 'Always';
}

/**
 * Containers whose ports can back a Service endpoint: regular containers, plus native sidecars
 * (init containers with restartPolicy Always), whose named ports EndpointSlices resolve from
 * Kubernetes 1.32 (kubernetes/kubernetes#127976, #128850). Ephemeral containers cannot declare ports.
 */
export function endpointContainers(r: Resource): ContainerRef[] {
  return containers(r).filter((c) => c.type === 'container' || isRestartableInit(c));
}

/** Where a related location points for a workload: its containers list, else its pod template. */
export function workloadPath(r: Resource): string {
  const t = podTemplate(r);
  if (!t) return '';
  if (Array.isArray(t.spec['containers'])) return pointerOf(`${t.path}/spec/containers`);
  return t.path;
}

export function describePort(p: PortRef): string {
  const num = p.containerPort ?? '?';
  return p.name ? `"${p.name}" (${num}/${p.protocol})` : `${num}/${p.protocol}`;
}

export function describeServicePort(sp: ServicePortRef): string {
  return sp.name ? `"${sp.name}"` : `${sp.port ?? '?'}/${sp.protocol}`;
}

export function workloadLabel(r: Resource): string {
  return r.name ? `${r.kind} "${r.name}"` : `an unnamed ${r.kind}`;
}

// ---- Telepresence --------------------------------------------------------------------------

/** Owners the Telepresence agent injector supports (Rollout only when Argo Rollouts is enabled). */
export const TELEPRESENCE_KINDS = new Set(['Deployment', 'ReplicaSet', 'StatefulSet', 'Rollout']);
/** Name of the traffic-agent container, which Telepresence never intercepts. */
export const TRAFFIC_AGENT = 'traffic-agent';

const NEW_PREFIX = 'telepresence.io/';
const OLD_PREFIX = 'telepresence.getambassador.io/';
/** Keys that Telepresence 2.22+ still reads under the old prefix when the new one is absent. */
const READ_UNDER_OLD_PREFIX = new Set(['inject-container-ports', 'inject-service-name', 'inject-service-port', 'inject-traffic-agent', 'manually-injected']);

/**
 * A Telepresence pod-template annotation as the given version reads it: from 2.22.0 the
 * telepresence.io/ prefix, falling back to telepresence.getambassador.io/ for some keys; before, only
 * the old prefix. Unknown version: either prefix, the new one first.
 */
export function telepresenceAnnotation(anns: StringMapEntry[], key: string, v: Version | undefined): StringMapEntry | undefined {
  const keys: string[] = [];
  if (key === 'inject-service-port') keys.push(OLD_PREFIX + key);
  else if (!v) keys.push(NEW_PREFIX + key, OLD_PREFIX + key);
  else if (atLeast(v, 2, 22)) keys.push(NEW_PREFIX + key, ...(READ_UNDER_OLD_PREFIX.has(key) ? [OLD_PREFIX + key] : []));
  else keys.push(OLD_PREFIX + key);
  for (const k of keys) {
    const e = anns.find((a) => a.key === k);
    if (e && typeof e.value === 'string' && e.value !== '') return e;
  }
  return undefined;
}

export interface PortIdentifier {
  name?: string;
  number?: number;
  protocol: 'TCP' | 'UDP';
}

const DNS1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/**
 * Telepresence's port-identifier list: comma separated, no trimming, each `name-or-number` with an
 * optional `/TCP` or `/UDP` (upper case). Returns the problem for the first bad item.
 */
export function parsePortIdentifiers(value: string): PortIdentifier[] | { problem: string } {
  const out: PortIdentifier[] = [];
  for (const item of value.split(',')) {
    let s = item;
    let protocol: 'TCP' | 'UDP' = 'TCP';
    const slash = s.indexOf('/');
    if (slash > 0) {
      const p = s.slice(slash + 1);
      if (p !== 'TCP' && p !== 'UDP') return { problem: `"${item}" has protocol "${p}" (only TCP or UDP, upper case)` };
      protocol = p;
      s = s.slice(0, slash);
    }
    if (/^[+-]?\d+$/.test(s)) {
      const n = Number(s);
      if (n < 1 || n > 65535) return { problem: `"${item}" is not a port number between 1 and 65535` };
      out.push({ number: n, protocol });
    } else if (s.length <= 63 && DNS1035.test(s)) {
      out.push({ name: s, protocol });
    } else {
      return { problem: `"${item}" is neither a port number nor a DNS-1035 label (items are split on "," without trimming spaces)` };
    }
  }
  return out;
}

export interface TelepresenceView {
  /** Why Telepresence never injects an agent here, or null. */
  skip: string | null;
  /** inject-service-name: only this Service counts. */
  serviceName?: string;
  /** inject-service-ports (or the singular): only these Service ports count. */
  servicePorts?: PortIdentifier[];
  /** inject-container-ports, when it parses (2.20.0+). */
  containerPorts?: { entry: StringMapEntry; items: PortIdentifier[] | 'all' };
}

function hasTelepresenceKey(annotations: Record<string, unknown>): boolean {
  for (const k in annotations) if (k.startsWith('telepresence.')) return true;
  return false;
}

/** How Telepresence's agent injector sees a workload's pod template. */
export function telepresenceView(r: Resource, v: Version | undefined): TelepresenceView {
  const t = TELEPRESENCE_KINDS.has(r.kind) ? podTemplate(r) : null;
  if (!t) return { skip: `Telepresence never injects its agent into a ${r.kind}` };
  // Most pods carry no Telepresence annotation (both prefixes start so): nothing to read then.
  const raw = t.metadata['annotations'];
  if (!isObj(raw) || !hasTelepresenceKey(raw)) return { skip: null };
  const anns = podAnnotations(r);
  const inject = telepresenceAnnotation(anns, 'inject-traffic-agent', v);
  if (inject && inject.value !== 'enabled') {
    return { skip: inject.value === 'false' || inject.value === 'disabled' ? 'injection is disabled' : 'inject-traffic-agent has an invalid value' };
  }
  const view: TelepresenceView = { skip: null };
  const svcName = telepresenceAnnotation(anns, 'inject-service-name', v);
  if (svcName) view.serviceName = String(svcName.value);
  const plural = !v || atLeast(v, 2, 20) ? telepresenceAnnotation(anns, 'inject-service-ports', v) : undefined;
  const portsAnn = plural ?? telepresenceAnnotation(anns, 'inject-service-port', v);
  if (portsAnn) {
    const parsed = parsePortIdentifiers(String(portsAnn.value));
    if ('problem' in parsed) return { skip: `${portsAnn.key} does not parse` };
    view.servicePorts = parsed;
  }
  const cpAnn = !v || atLeast(v, 2, 20) ? telepresenceAnnotation(anns, 'inject-container-ports', v) : undefined;
  if (cpAnn) {
    const value = String(cpAnn.value);
    const parsed = value === 'all' ? 'all' : parsePortIdentifiers(value);
    if (parsed !== 'all' && 'problem' in parsed) return { skip: `${cpAnn.key} does not parse` };
    view.containerPorts = { entry: cpAnn, items: parsed };
  }
  return view;
}

/** Does inject-service-ports keep this Service port? (names compare with the port name, numbers with the target) */
export function keptByServicePorts(ids: PortIdentifier[], sp: ServicePortRef): boolean {
  return ids.some((id) => {
    if (id.name !== undefined) return sp.name === id.name;
    const n = typeof sp.targetPort === 'number' && sp.targetPort !== 0 ? sp.targetPort : sp.port;
    return n === id.number && sp.protocol === id.protocol;
  });
}

export interface AgentMatch {
  container: ContainerRef;
  /** The container port, or undefined when the container declares no ports (Telepresence's fallback). */
  port?: PortRef;
}

/**
 * The container port Telepresence's agent maps a numeric Service port to: the first container port
 * with that number (and protocol, from 2.6.8), else the first container that declares no ports.
 */
export function agentMatch(r: Resource, target: number, protocol: string, compareProtocol: boolean): AgentMatch | undefined {
  // Asked for every numeric port of every Service of every workload: no lists made on the way.
  const cs = containers(r);
  let bare: ContainerRef | undefined;
  for (let i = 0; i < cs.length; i++) {
    const c = cs[i]!;
    if (c.type !== 'container') continue;
    const ps = ports(c);
    if (ps.length === 0) bare ??= c;
    for (let j = 0; j < ps.length; j++) {
      const p = ps[j]!;
      if (p.containerPort === target && (!compareProtocol || p.protocol === protocol)) {
        return c.name === TRAFFIC_AGENT ? undefined : { container: c, port: p };
      }
    }
  }
  return bare && bare.name !== TRAFFIC_AGENT ? { container: bare } : undefined;
}

/** A name to give a container port: a valid Service port name, else `<protocol>-<port>`. */
export function proposePortName(preferred: string | undefined, p: { protocol: string; containerPort?: number }, taken: Set<string>): string | undefined {
  const candidates = [preferred, p.containerPort !== undefined ? `${p.protocol.toLowerCase()}-${p.containerPort}` : undefined];
  return candidates.find((n): n is string => !!n && ianaSvcNameProblem(n) === null && !taken.has(n));
}

export function podPortNames(r: Resource): Set<string> {
  const names = new Set<string>();
  for (const c of containers(r)) {
    const ps = ports(c);
    for (let i = 0; i < ps.length; i++) if (ps[i]!.name) names.add(ps[i]!.name!);
  }
  return names;
}


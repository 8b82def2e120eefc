// The host-port model shared by the hostport-* and nodeport-* rules: every (hostIP, protocol, port)
// a pod template claims on its node, where it is placed, and the node ports Services allocate.
// Semantics follow the scheduler's NodePorts filter (HostPortInfo): an empty hostIP is 0.0.0.0 and
// conflicts with every IP of that protocol and port; an empty protocol is TCP; TCP, UDP and SCTP
// never conflict; two different specific IPs never conflict; hostPort 0 or absent is no claim.

import {
  asArray,
  containers,
  copied,
  exact,
  isObj,
  metadata,
  podTemplate,
  portNumber,
  ports,
  str,
  stringMap,
  type ContainerRef,
  type Obj,
  type PortRef,
  type Protocol,
} from './model.js';
import type { Fact, Facts } from './facts.js';
import { isService, servicePorts, serviceType } from './services.js';
import { ptr } from './pointer.js';
import type { Resource } from './types.js';

export const WILDCARD_IP = '0.0.0.0';

/** Kinds whose pod templates the host-port rules read. */
export const HOSTPORT_KINDS: ReadonlySet<string> = new Set([
  'Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController', 'Job', 'CronJob',
]);

/** Kinds whose replicas compete for one host port per node. */
export const REPLICATED_KINDS: ReadonlySet<string> = new Set(['Deployment', 'StatefulSet', 'ReplicaSet', 'ReplicationController']);

export interface HostPortClaim {
  resource: Resource;
  port: PortRef;
  container: ContainerRef;
  /** Pointer of the port item. */
  path: string;
  /** hostIP with the scheduler's default applied ('' -> 0.0.0.0). */
  hostIP: string;
  protocol: Protocol;
  hostPort: number;
  /** 'hostPort': an explicit hostPort; 'hostNetwork': a containerPort of a hostNetwork pod. */
  via: 'hostPort' | 'hostNetwork';
  /** Claimed by an init container with restartPolicy: Always (a sidecar). */
  sidecar: boolean;
}

/** `8080/TCP on 0.0.0.0` */
export function describeClaim(c: Pick<HostPortClaim, 'hostPort' | 'protocol' | 'hostIP'>): string {
  return `${c.hostPort}/${c.protocol} on ${c.hostIP}`;
}

export function containerLabel(c: ContainerRef): string {
  return `${c.type === 'initContainer' ? 'sidecar init container' : 'container'} "${c.name}"`;
}

/** `DaemonSet spegel/spegel` */
export function resourceLabel(r: Resource): string {
  return `${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name}`;
}

function isRestartableInit(c: ContainerRef): boolean {
  return c.type === 'initContainer' && c.container['restartPolicy'] === 'Always';
}

/** How the Kubernetes version in force treats host ports of sidecar (restartable init) containers. */
export interface SidecarPolicy {
  /** Whether sidecar host ports are claims at all (the sidecar runs for the pod's lifetime). */
  counted: boolean;
  /** Whether the scheduler's NodePorts filter sees them ('patch': depends on the 1.33 patch release). */
  scheduler: boolean | 'patch';
  version: string;
  /** Sentence fragment for messages; '' when nothing needs saying. */
  note: string;
}

/**
 * Sidecar host ports by Kubernetes minor:
 * - before 1.29 SidecarContainers is off by default (alpha in 1.28; the field does not exist before),
 *   the API server drops `restartPolicy` from init containers, so they are ordinary init containers
 *   that exit before the app starts: no lasting claim;
 * - 1.29 to 1.32: the sidecar holds its host port for the pod's lifetime, but the scheduler's
 *   NodePorts filter ignores init containers, so it does not keep clashing pods apart;
 * - 1.33: the filter counts them only from the patch release that carries the backport
 *   (kubernetes/kubernetes#133390 of #132040);
 * - 1.34 and later: the filter counts them like regular containers (kubernetes/kubernetes#132040).
 */
export function sidecarPolicy(facts: Facts): Readonly<SidecarPolicy> {
  // Four rules ask per resource; the fact object stays the same until a manifest adds a candidate.
  const f = facts.get('kubernetesVersion');
  if (lastPolicy && lastPolicy.fact === f) return lastPolicy.policy;
  const policy = Object.freeze(policyFor(f));
  lastPolicy = { fact: f, policy };
  return policy;
}

let lastPolicy: { fact: Fact | undefined; policy: Readonly<SidecarPolicy> } | undefined;

function policyFor(f: Fact | undefined): SidecarPolicy {
  const m = f ? /^v?(\d+)\.(\d+)/.exec(f.value) : null;
  const version = f?.value ?? 'unknown';
  if (!m) return { counted: true, scheduler: true, version, note: '' };
  const minor = Number(m[1]) === 1 ? Number(m[2]) : 99;
  if (minor < 29) return { counted: false, scheduler: false, version, note: '' };
  if (minor < 33) {
    return {
      counted: true, scheduler: false, version,
      note: `the scheduler of Kubernetes ${version} ignores init-container host ports (it counts them from 1.34), so it will not keep these pods apart and the clash shows only when the sidecar starts`,
    };
  }
  if (minor === 33) {
    return {
      counted: true, scheduler: 'patch', version,
      note: 'the Kubernetes 1.33 scheduler counts init-container host ports only from the patch release carrying kubernetes/kubernetes#133390; before it the clash shows only when the sidecar starts',
    };
  }
  return { counted: true, scheduler: true, version, note: '' };
}

/**
 * Every host-port claim of a workload's pod template: containers' hostPorts, hostPorts of init
 * containers with restartPolicy: Always (when `sidecars` says they count), and every containerPort
 * of a hostNetwork pod (hostPort defaults to containerPort there). Ephemeral containers may not
 * declare ports and ordinary init containers exit before the pod runs: neither claims.
 */
export function hostPortClaims(r: Resource, sidecars = true): HostPortClaim[] {
  if (!HOSTPORT_KINDS.has(r.kind)) return [];
  const t = podTemplate(r);
  if (!t) return [];
  const hostNetwork = t.spec['hostNetwork'] === true;
  const out: HostPortClaim[] = [];
  // Indexed loops: four rules ask for every workload's claims, and the iterators' results were some
  // 20 MB of garbage on 40,000 objects.
  const cs = containers(r);
  for (let i = 0; i < cs.length; i++) {
    const c = cs[i]!;
    if (c.type === 'ephemeralContainer') continue;
    const sidecar = isRestartableInit(c);
    if (c.type === 'initContainer' && (!sidecar || !sidecars)) continue;
    const ps = ports(c);
    for (let j = 0; j < ps.length; j++) {
      const p = ps[j]!;
      let hostPort = p.hostPort !== undefined && p.hostPort > 0 ? p.hostPort : undefined;
      let via: HostPortClaim['via'] = 'hostPort';
      if (hostPort === undefined && hostNetwork && p.containerPort !== undefined && p.containerPort > 0) {
        hostPort = p.containerPort;
        via = 'hostNetwork';
      }
      if (hostPort === undefined) continue;
      out.push({
        resource: r, port: p, container: c, path: p.path,
        hostIP: p.hostIP === '' ? WILDCARD_IP : p.hostIP,
        protocol: p.protocol, hostPort, via, sidecar,
      });
    }
  }
  return exact(out);
}

/**
 * Claims as a rule keeps them until done(): their container and port refs keep the fields claims are
 * made of (the container's name and restartPolicy, the port item), not the whole container, whose
 * strings (image, env values) would keep the file's text alive until the end of the run. Claims of
 * one container share one ref, as they did.
 */
export function keptClaims(claims: HostPortClaim[]): HostPortClaim[] {
  if (claims.length === 0) return claims; // most workloads claim no host port
  const refs = new Map<ContainerRef, ContainerRef>();
  return claims.map((c) => {
    let ref = refs.get(c.container);
    if (!ref) {
      const container: Obj = { name: copied(str(c.container.container['name'])) };
      if ('restartPolicy' in c.container.container) container['restartPolicy'] = copied(str(c.container.container['restartPolicy']));
      ref = { container, name: copied(c.container.name), type: c.container.type, index: c.container.index, path: c.container.path };
      refs.set(c.container, ref);
    }
    const port: PortRef = { ...c.port, container: ref, name: copied(c.port.name), hostIP: copied(c.port.hostIP) };
    return { ...c, container: ref, port, hostIP: copied(c.hostIP) };
  });
}

/** Do two claims with the same protocol and port collide on one node? */
export function ipsOverlap(a: string, b: string): boolean {
  return a === b || a === WILDCARD_IP || b === WILDCARD_IP;
}

// ---- placement -----------------------------------------------------------------------------

export interface Placement {
  /** A DaemonSet: one pod on every node it selects. */
  everyNode: boolean;
  nodeSelector: Record<string, string>;
  nodeName: string | undefined;
  /** Has a nodeSelector, node affinity or nodeName that was not used to prove anything disjoint. */
  constrained: boolean;
}

export function placementOf(r: Resource): Placement {
  const spec: Obj = podTemplate(r)?.spec ?? {};
  const nodeSelector = stringMap(spec['nodeSelector']);
  const nodeName = str(spec['nodeName']) || undefined;
  const affinity = isObj(spec['affinity']) && isObj(spec['affinity']['nodeAffinity']);
  return {
    everyNode: r.kind === 'DaemonSet',
    nodeSelector,
    nodeName,
    constrained: Object.keys(nodeSelector).length > 0 || affinity || nodeName !== undefined,
  };
}

/** True when no node can satisfy both: the same nodeSelector key with different values, or two nodeNames. */
export function provablyDisjoint(a: Placement, b: Placement): boolean {
  if (a.nodeName !== undefined && b.nodeName !== undefined && a.nodeName !== b.nodeName) return true;
  const [small, big] = Object.keys(a.nodeSelector).length <= Object.keys(b.nodeSelector).length ? [a, b] : [b, a];
  for (const [k, v] of Object.entries(small.nodeSelector)) {
    const w = big.nodeSelector[k];
    if (w !== undefined && w !== v) return true;
  }
  return false;
}

// ---- identity ------------------------------------------------------------------------------

/** The object's identity in the cluster: two documents with the same one are the same object. */
export function identity(r: Resource): string {
  return `${r.kind}\u0000${r.namespace}\u0000${r.name}`;
}

/** Owners named by ownerReferences, as identities in the resource's namespace. */
export function ownerIdentities(r: Resource): string[] {
  return asArray(metadata(r)['ownerReferences']).flatMap((o) =>
    isObj(o) && typeof o['kind'] === 'string' && typeof o['name'] === 'string' ? [`${o['kind']}\u0000${r.namespace}\u0000${o['name']}`] : []);
}

/** Has a controller owner (a ReplicaSet of a Deployment, a Pod of a DaemonSet): its owner is the one to fix. */
export function hasControllerOwner(r: Resource): boolean {
  return asArray(metadata(r)['ownerReferences']).some((o) => isObj(o) && o['controller'] === true);
}

/**
 * Resolves each resource to the root of its ownerReferences chain (through owners present in the
 * set), so a dumped Pod, its ReplicaSet and its Deployment count as one workload.
 */
export class Lineage {
  private readonly owners = new Map<string, string[]>();

  add(r: Resource): void {
    const o = ownerIdentities(r);
    if (o.length > 0 && !this.owners.has(identity(r))) this.owners.set(identity(r), o);
  }

  root(r: Resource): string {
    let cur = identity(r);
    const seen = new Set<string>([cur]);
    for (;;) {
      const next = this.owners.get(cur)?.[0];
      if (next === undefined || seen.has(next)) return cur;
      seen.add(next);
      cur = next;
    }
  }
}

// ---- node ports ----------------------------------------------------------------------------

export interface NodePortRef {
  service: Resource;
  /** Pointer of the nodePort value (a port's nodePort, or spec.healthCheckNodePort). */
  path: string;
  /** Pointer of the Service port item; undefined for healthCheckNodePort. */
  portPath: string | undefined;
  nodePort: number;
  protocol: Protocol;
  /** The Service port number (ports sharing a nodePort must share it too). */
  port: number | undefined;
  label: string;
}

/** Node ports a Service claims on every node: its ports' nodePorts (NodePort, LoadBalancer) and healthCheckNodePort. */
export function nodePortsOf(r: Resource): NodePortRef[] {
  if (!isService(r)) return [];
  const type = serviceType(r);
  if (type !== 'NodePort' && type !== 'LoadBalancer') return [];
  const out: NodePortRef[] = [];
  for (const sp of servicePorts(r)) {
    if (sp.nodePort === undefined || sp.nodePort <= 0) continue;
    out.push({
      service: r, path: ptr(sp.path, 'nodePort'), portPath: sp.path, nodePort: sp.nodePort, protocol: sp.protocol, port: sp.port,
      label: `nodePort ${sp.nodePort}/${sp.protocol} of Service ${r.namespace}/${r.name}${sp.name ? ` port "${sp.name}"` : ''}`,
    });
  }
  const spec = r.object['spec'];
  const hc = isObj(spec) ? portNumber(spec['healthCheckNodePort']) : undefined;
  if (type === 'LoadBalancer' && hc !== undefined && hc > 0) {
    out.push({
      service: r, path: '/spec/healthCheckNodePort', portPath: undefined, nodePort: hc, protocol: 'TCP', port: undefined,
      label: `healthCheckNodePort ${hc}/TCP of Service ${r.namespace}/${r.name}`,
    });
  }
  return exact(out);
}

/** A map from key to a list, for (protocol, port) indexes. */
export class Buckets<T> {
  readonly map = new Map<string, T[]>();
  add(key: string, v: T): void {
    const l = this.map.get(key);
    if (l) l.push(v);
    else this.map.set(key, [v]);
  }
  get(key: string): readonly T[] {
    return this.map.get(key) ?? [];
  }
}

export function claimKey(protocol: Protocol, port: number): string {
  return `${protocol}/${port}`;
}

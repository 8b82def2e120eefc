// Facts about the target cluster. Each comes from, in order of precedence: a command-line flag,
// the config file, the manifests in the set (plus --context), a built-in default. Rules read facts,
// never the environment. Every source is kept, so rules can say when two of them disagree.

import type { Resource, Target } from './types.js';
import { isObj, metadata, stringMap } from './model.js';

export type FactOrigin = 'flag' | 'config' | 'manifest' | 'default';

export interface FactCandidate {
  value: string;
  origin: FactOrigin;
  /** Human-readable source: '--linkerd-version', 'config linkerd.controlPlaneVersion', 'ConfigMap linkerd/linkerd-config'. */
  label: string;
  /** Where a manifest fact was read. */
  where?: Target;
}

export interface Fact {
  /** The value in force. */
  value: string;
  origin: FactOrigin;
  label: string;
  where?: Target;
  /** Every source seen, highest precedence first (several manifest sources may disagree). */
  candidates: FactCandidate[];
}

/** Fact keys known to the engine; the flag and config key of each. */
export const FACT_KEYS = {
  kubernetesVersion: { flag: '--kube-version', config: 'kubernetesVersion' },
  'linkerd.controlPlaneVersion': { flag: '--linkerd-version', config: 'linkerd.controlPlaneVersion' },
  'linkerd.cliVersion': { flag: '--linkerd-cli-version', config: 'linkerd.cliVersion' },
  'telepresence.version': { flag: '--telepresence-version', config: 'telepresence.version' },
  'spegel.version': { flag: '--spegel-version', config: 'spegel.version' },
  nodePortRange: { flag: '--node-port-range', config: 'nodePortRange' },
} as const;

export type FactKey = keyof typeof FACT_KEYS;

/** Newest Kubernetes minor whose schemas are bundled (kubernetes-models 4.5.x). */
export const DEFAULT_KUBERNETES_VERSION = '1.33';
export const DEFAULT_NODE_PORT_RANGE = '30000-32767';
/**
 * Ports node daemons listen on: kubernetes pkg/cluster/ports (kubelet, healthz, proxy, controllers), 10255 from older
 * ports.go (the kubelet read-only port, off by default in the kubelet config file but still enabled by some distributions),
 * 10259 from the scheduler config API (DefaultKubeSchedulerPort) and 10260 from k8s.io/cloud-provider options
 * (CloudControllerManagerWebhookPort).
 */
export const NODE_DAEMON_PORTS: ReadonlyArray<{ port: number; daemon: string }> = [
  { port: 10250, daemon: 'kubelet' },
  { port: 10248, daemon: 'kubelet healthz' },
  { port: 10249, daemon: 'kube-proxy metrics' },
  { port: 10255, daemon: 'kubelet read-only port' },
  { port: 10256, daemon: 'kube-proxy healthz' },
  { port: 10257, daemon: 'kube-controller-manager' },
  { port: 10258, daemon: 'cloud-controller-manager' },
  { port: 10259, daemon: 'kube-scheduler' },
  { port: 10260, daemon: 'cloud-controller-manager webhook' },
];

const DEFAULTS: Partial<Record<FactKey, string>> = {
  kubernetesVersion: DEFAULT_KUBERNETES_VERSION,
  nodePortRange: DEFAULT_NODE_PORT_RANGE,
};

export type PodSecurityLevel = 'privileged' | 'baseline' | 'restricted';

export interface NamespaceInfo {
  name: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  resource: Resource;
}

export interface FactInputs {
  /** From flags, keyed by fact key. */
  flags: Partial<Record<FactKey, string>>;
  /** From the config file. */
  config: Partial<Record<FactKey, string>>;
  /** reservedHostPorts from the config file. */
  reservedHostPorts?: number[];
}

/** A function that reads facts from one resource of the set. */
export type FactCollector = (r: Resource, sink: FactSink) => void;

export interface FactSink {
  add(key: FactKey, value: string, label: string, where: Target): void;
  addNamespace(r: Resource): void;
}

export class Facts implements FactSink {
  private readonly manifest = new Map<FactKey, FactCandidate[]>();
  private readonly namespaces = new Map<string, NamespaceInfo>();
  /** get() results until a manifest adds a candidate for the key (rules ask per resource). */
  private readonly known = new Map<FactKey, Fact | undefined>();

  constructor(private readonly inputs: FactInputs) {}

  add(key: FactKey, value: string, label: string, where: Target): void {
    let list = this.manifest.get(key);
    if (!list) this.manifest.set(key, (list = []));
    if (!list.some((c) => c.value === value && c.label === label)) {
      list.push({ value, origin: 'manifest', label, where });
      this.known.delete(key);
    }
  }

  addNamespace(r: Resource): void {
    const m = metadata(r);
    const name = r.name;
    if (!name || this.namespaces.has(name)) return;
    this.namespaces.set(name, { name, labels: stringMap(m['labels']), annotations: stringMap(m['annotations']), resource: r });
  }

  /** The fact in force, with every source that provided one; undefined when unknown. Do not change the result. */
  get(key: FactKey): Fact | undefined {
    if (this.known.has(key)) return this.known.get(key);
    const fact = this.compute(key);
    this.known.set(key, fact);
    return fact;
  }

  private compute(key: FactKey): Fact | undefined {
    const candidates: FactCandidate[] = [];
    const spec = FACT_KEYS[key];
    const flag = this.inputs.flags[key];
    if (flag !== undefined) candidates.push({ value: flag, origin: 'flag', label: spec.flag });
    const cfg = this.inputs.config[key];
    if (cfg !== undefined) candidates.push({ value: cfg, origin: 'config', label: `config ${spec.config}` });
    candidates.push(...(this.manifest.get(key) ?? []));
    const def = DEFAULTS[key];
    if (candidates.length === 0 && def !== undefined) candidates.push({ value: def, origin: 'default', label: 'default' });
    const first = candidates[0];
    if (!first) return undefined;
    return { ...first, candidates };
  }

  /** The NodePort range in force. */
  nodePortRange(): { min: number; max: number; label: string } {
    const f = this.get('nodePortRange')!;
    const r = parsePortRange(f.value) ?? parsePortRange(DEFAULT_NODE_PORT_RANGE)!;
    return { ...r, label: f.origin === 'default' ? 'the default NodePort range' : `the NodePort range from ${f.label}` };
  }

  /** Host ports a node daemon (or the configured list) already holds, with who holds them. */
  reservedHostPorts(): Map<number, string> {
    const out = new Map<number, string>();
    for (const d of NODE_DAEMON_PORTS) out.set(d.port, d.daemon);
    for (const p of this.inputs.reservedHostPorts ?? []) if (!out.has(p)) out.set(p, 'reservedHostPorts in the config');
    return out;
  }

  namespace(name: string): NamespaceInfo | undefined {
    return this.namespaces.get(name);
  }

  /** Pod Security level a Namespace in the set enforces, or undefined when unknown. */
  podSecurityEnforce(namespace: string): PodSecurityLevel | undefined {
    const v = this.namespaces.get(namespace)?.labels['pod-security.kubernetes.io/enforce'];
    return v === 'privileged' || v === 'baseline' || v === 'restricted' ? v : undefined;
  }
}

export function parsePortRange(s: string): { min: number; max: number } | null {
  const m = /^\s*(\d{1,5})\s*-\s*(\d{1,5})\s*$/.exec(s);
  if (!m) return null;
  const min = Number(m[1]);
  const max = Number(m[2]);
  if (min < 1 || max > 65535 || min > max) return null;
  return { min, max };
}

/** Built-in collectors; rule families add their own in src/collectors.ts. */
export function collectNamespace(r: Resource, facts: FactSink): void {
  if (r.kind === 'Namespace' && r.apiVersion === 'v1' && isObj(r.object['metadata'])) facts.addNamespace(r);
}

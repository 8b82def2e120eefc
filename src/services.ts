// Services and the workloads they select, indexed by namespace and label so cross-resource rules
// stay linear in the number of resources.

import {
  asArray,
  copiedMap,
  exact,
  isObj,
  normalizeProtocol,
  perResource,
  podTemplate,
  portNumber,
  str,
  stringMap,
  WorkloadIndex,
  type PortRef,
  type Protocol,
} from './model.js';
import { ptr } from './pointer.js';
import type { Resource } from './types.js';

export interface ServicePortRef {
  service: Resource;
  index: number;
  /** Pointer of the port item. */
  path: string;
  name: string | undefined;
  port: number | undefined;
  protocol: Protocol;
  /** targetPort as written: a number, a name, or undefined when omitted (then it defaults to port). */
  targetPort: number | string | undefined;
  /** The number the targetPort means: targetPort when numeric, port when omitted; undefined when named. */
  numericTarget: number | undefined;
  nodePort: number | undefined;
}

export function isService(r: Resource): boolean {
  return r.kind === 'Service' && r.apiVersion === 'v1';
}

export function serviceType(r: Resource): string {
  const spec = r.object['spec'];
  return (isObj(spec) && str(spec['type'])) || 'ClusterIP';
}

/** The Service's selector; undefined when it has none (then it selects nothing). Shared: do not change it. */
export function serviceSelector(r: Resource): Readonly<Record<string, string>> | undefined {
  return selectorOf(r).selector;
}

/** Three rules ask for each Service's selector, in their done(): made once per Service. */
const selectorOf = perResource((r: Resource) => {
  const spec = r.object['spec'];
  if (!isObj(spec) || !isObj(spec['selector'])) return { selector: undefined };
  const sel = stringMap(spec['selector']);
  return { selector: Object.keys(sel).length > 0 ? Object.freeze(sel) : undefined };
});

export const servicePorts: (r: Resource) => readonly ServicePortRef[] = perResource(portsOfService);

function portsOfService(r: Resource): ServicePortRef[] {
  const spec = r.object['spec'];
  if (!isObj(spec)) return [];
  return exact(asArray(spec['ports']).flatMap((p, index) => {
    if (!isObj(p)) return [];
    const port = portNumber(p['port']);
    const raw = p['targetPort'];
    const targetPort = typeof raw === 'number' ? raw : typeof raw === 'string' ? (/^\d+$/.test(raw) ? Number(raw) : raw) : undefined;
    return [{
      service: r,
      index,
      path: ptr('/spec/ports', index),
      name: str(p['name']),
      port,
      protocol: normalizeProtocol(p['protocol']),
      targetPort,
      numericTarget: typeof targetPort === 'number' ? targetPort : targetPort === undefined ? port : undefined,
      nodePort: portNumber(p['nodePort']),
    }];
  }));
}

export interface Workload {
  resource: Resource;
  labels: Record<string, string>;
}

/** Does a Service port reach this container port (same protocol, by name or by number)? */
export function portMatches(sp: ServicePortRef, cp: PortRef): boolean {
  if (sp.protocol !== cp.protocol) return false;
  if (typeof sp.targetPort === 'string') return cp.name === sp.targetPort;
  return sp.numericTarget !== undefined && cp.containerPort === sp.numericTarget;
}

const shared = new WeakMap<object, ServiceGraph>();

/** Collects workloads and Services of the set; resolves which workloads each Service selects. */
export class ServiceGraph {
  readonly workloads = new WorkloadIndex<Workload>();
  readonly services: Resource[] = [];
  private last: Resource | undefined;
  private byWorkload: Map<Resource, Resource[]> | undefined;
  /** selected() per Service, until the next resource is added (several rules ask for each Service). */
  private selections = new Map<Resource, readonly Workload[]>();

  /**
   * The graph of a run, shared by the rules that need one (they all see every resource): built
   * once instead of once per rule. `run` is anything unique to the run (the rules pass ctx.facts).
   */
  static of(run: object): ServiceGraph {
    let g = shared.get(run);
    if (!g) shared.set(run, (g = new ServiceGraph()));
    return g;
  }

  /** Add a resource; adding the one just added again (the next rule passing it on) does nothing. */
  add(r: Resource): void {
    if (r === this.last) return;
    this.last = r;
    this.byWorkload = undefined;
    if (this.selections.size > 0) this.selections = new Map();
    if (isService(r)) {
      this.services.push(r);
      return;
    }
    const t = podTemplate(r);
    if (!t) return;
    this.workloads.add(r.namespace, { resource: r, labels: copiedMap(t.labels) });
  }

  /** Workloads a Service selects (empty for Services without selector); shared, do not change it. */
  selected(svc: Resource): readonly Workload[] {
    let got = this.selections.get(svc);
    if (got === undefined) {
      const sel = serviceSelector(svc);
      this.selections.set(svc, (got = sel ? this.workloads.select(svc.namespace, sel) : []));
    }
    return got;
  }

  /** Services selecting a workload, computed once for all Services (do not change the result). */
  servicesByWorkload(): Map<Resource, Resource[]> {
    if (this.byWorkload) return this.byWorkload;
    const out = new Map<Resource, Resource[]>();
    this.byWorkload = out;
    for (const s of this.services) {
      for (const w of this.selected(s)) {
        const list = out.get(w.resource);
        if (list) list.push(s);
        else out.set(w.resource, [s]);
      }
    }
    return out;
  }
}

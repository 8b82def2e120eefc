import type { RelatedReport, Resource, Rule } from '../src/types.js';
import { isObj, portNumber, str } from '../src/model.js';
import {
  describeClaim,
  hasControllerOwner,
  hostPortClaims,
  REPLICATED_KINDS,
  sidecarPolicy,
} from '../src/hostports.js';

interface Hpa {
  resource: Resource;
  /** maxReplicas, or undefined when missing or not a number. */
  max: number | undefined;
}

function isHpa(r: Resource): boolean {
  return r.kind === 'HorizontalPodAutoscaler' && r.apiVersion.startsWith('autoscaling/');
}

const rule: Rule = {
  meta: {
    id: 'hostport-replicas',
    description:
      'A hostPort on a Deployment, StatefulSet, ReplicaSet or ReplicationController with more than one replica, or scaled by a HorizontalPodAutoscaler.',
    rationale:
      'A host port can be held by one pod per node, so a replicated workload with a hostPort needs as many nodes with that port ' +
      'free as it has replicas; the others stay Pending ("node(s) didn\'t have free ports for the requested pod ports"). A ' +
      'Deployment\'s rolling update also needs a free node for every surge pod, so it can stall with no spare node.',
    severity: 'warning',
    category: 'scheduling',
    fixable: false,
    crossResource: true,
    docs: {
      details:
        'Flagged: a workload of kind Deployment, StatefulSet, ReplicaSet or ReplicationController whose pod template claims a host ' +
        'port (see hostport-conflict for what counts, including `hostNetwork: true` and sidecar init containers), when ' +
        '`spec.replicas` is more than 1, or when a HorizontalPodAutoscaler in the set (autoscaling/v1 or v2, same namespace, ' +
        '`scaleTargetRef` kind and name) targets it with `maxReplicas` above 1. An omitted `replicas` is 1, and a single replica is ' +
        'not flagged. One finding per workload, at its first host-port claim, with the replicas field or the HPA as related ' +
        'location. Objects with a controller owner (a ReplicaSet of a Deployment) are left to their owner.\n\n' +
        'What to do: run one pod per node with a DaemonSet; or keep the Deployment and set `strategy.rollingUpdate.maxSurge: 0` ' +
        '(with `maxUnavailable: 1`) so updates replace pods in place, and keep replicas at most the number of eligible nodes; or ' +
        'drop the hostPort and reach the pods through a Service (NodePort or LoadBalancer).',
      bad:
        'kind: Deployment\nspec:\n  replicas: 3\n  template:\n    spec:\n      containers:\n        - name: ingress\n' +
        '          ports:\n            - {name: http, containerPort: 80, hostPort: 80}\n',
      good:
        'kind: DaemonSet\nspec:\n  template:\n    spec:\n      containers:\n        - name: ingress\n' +
        '          ports:\n            - {name: http, containerPort: 80, hostPort: 80}\n',
      references: [
        'kubernetes/kubernetes pkg/scheduler/framework/plugins/nodeports/node_ports.go: one host port per node',
        'Kubernetes API: HorizontalPodAutoscaler spec.scaleTargetRef (autoscaling/v1, autoscaling/v2)',
      ],
    },
  },
  create(ctx) {
    const workloads: Resource[] = [];
    const hpas = new Map<string, Hpa>();
    return {
      resource(r) {
        if (isHpa(r)) {
          const spec = r.object['spec'];
          const ref = isObj(spec) && isObj(spec['scaleTargetRef']) ? spec['scaleTargetRef'] : undefined;
          const kind = ref && str(ref['kind']);
          const name = ref && str(ref['name']);
          if (kind && name) {
            const key = `${r.namespace}\u0000${kind}\u0000${name}`;
            if (!hpas.has(key)) hpas.set(key, { resource: r, max: isObj(spec) ? portNumber(spec['maxReplicas']) : undefined });
          }
          return;
        }
        // Only workloads with a host-port claim can be flagged. Claims are looked for here, while the
        // model of the resource is at hand, counting sidecars' (a superset of the claims done() finds
        // under any Kubernetes version); done() computes again only these workloads' claims.
        if (!r.file.context && REPLICATED_KINDS.has(r.kind) && !hasControllerOwner(r) && hostPortClaims(r, true).length > 0) workloads.push(r);
      },
      done() {
        const sidecars = sidecarPolicy(ctx.facts).counted;
        for (const r of workloads) {
          const claims = hostPortClaims(r, sidecars);
          if (claims.length === 0) continue;
          const spec = isObj(r.object['spec']) ? r.object['spec'] : {};
          const replicas = 'replicas' in spec ? portNumber(spec['replicas']) : 1;
          const hpa = hpas.get(`${r.namespace}\u0000${r.kind}\u0000${r.name}`);
          const scaled = hpa !== undefined && (hpa.max === undefined || hpa.max > 1);
          if (!(replicas !== undefined && replicas > 1) && !scaled) continue;

          const related: RelatedReport[] = [];
          const count: string[] = [];
          if (replicas !== undefined && replicas > 1) {
            count.push(`${replicas} replicas`);
            related.push({ resource: r, path: '/spec/replicas', message: `replicas: ${replicas}` });
          }
          if (scaled) {
            count.push(`HorizontalPodAutoscaler "${hpa.resource.name}" scaling it${hpa.max !== undefined ? ` up to ${hpa.max}` : ''}`);
            related.push({ resource: hpa.resource, path: '/spec/scaleTargetRef', message: `HorizontalPodAutoscaler "${hpa.resource.name}" targets ${r.kind} "${r.name}"` });
          }
          const first = claims[0]!;
          for (const c of claims.slice(1, 5)) related.push({ resource: r, path: c.path, message: `also host port ${describeClaim(c)}` });
          const ports = claims.map(describeClaim);
          const portList = ports.length > 3 ? `${ports.slice(0, 3).join(', ')} and ${ports.length - 3} more` : ports.join(', ');
          const surge = r.kind === 'Deployment' ? ', and a rolling update needs one more free node per surge pod' : '';
          const fixes = r.kind === 'Deployment'
            ? 'use a DaemonSet, set `maxSurge: 0` and keep replicas within the eligible nodes, or reach the pods through a Service instead'
            : 'use a DaemonSet, keep replicas within the eligible nodes, or reach the pods through a Service instead';
          ctx.report({
            resource: r,
            path: first.path,
            message:
              `${r.kind} "${r.name}" claims host port${ports.length > 1 ? 's' : ''} ${portList}, with ${count.join(' and ')}: only one of its pods fits on a node, ` +
              `so pods beyond the nodes with the port free stay Pending${surge}; ${fixes}`,
            related,
          });
        }
      },
    };
  },
};

export default rule;

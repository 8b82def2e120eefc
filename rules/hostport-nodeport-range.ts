import type { Rule } from '../src/types.js';
import {
  Buckets,
  claimKey,
  containerLabel,
  describeClaim,
  hostPortClaims,
  keptClaims,
  nodePortsOf,
  sidecarPolicy,
  type HostPortClaim,
  type NodePortRef,
} from '../src/hostports.js';

const rule: Rule = {
  meta: {
    id: 'hostport-nodeport-range',
    description: 'A host port inside the NodePort range; an error when a Service in the set uses it as its nodePort with the same protocol.',
    rationale:
      'The API server allocates NodePorts from the range without looking at host ports, and kube-proxy then captures that port on ' +
      'every node. A hostPort inside the range can collide with a NodePort allocated later (or requested explicitly), and then one ' +
      'of the two silently receives the other\'s traffic. Spegel v0.0.30 puts its hostPort 30020 right next to its own NodePort 30021.',
    severity: 'warning',
    category: 'scheduling',
    fixable: false,
    crossResource: true,
    docs: {
      details:
        'Every host-port claim (see hostport-conflict: hostPort, sidecar init containers, `hostNetwork: true` containerPorts) is ' +
        'checked against the NodePort range in force: `--node-port-range`, config `nodePortRange`, else the API server default ' +
        '30000-32767 (`--service-node-port-range`). The finding is a warning; it is an error when a Service of type NodePort or ' +
        'LoadBalancer in the set (or in --context) has that number as a `nodePort` (or `healthCheckNodePort`) with the same protocol, ' +
        'with that Service port as related location. Pick a host port below the range, or drop the hostPort and use the NodePort.',
      bad: 'ports:\n  - name: registry\n    containerPort: 5000\n    hostPort: 30020   # inside 30000-32767\n',
      good: 'ports:\n  - name: registry\n    containerPort: 5000\n    hostPort: 5000\n',
      references: [
        'kubernetes/kubernetes pkg/kubeapiserver/options: DefaultServiceNodePortRange 30000-32767',
        'spegel-org/spegel charts/spegel/values.yaml at v0.0.30: service.registry.hostPort 30020, nodePort 30021',
      ],
    },
  },
  create(ctx) {
    const claims: HostPortClaim[] = [];
    const nodePorts = new Buckets<NodePortRef>();
    return {
      resource(r) {
        for (const np of nodePortsOf(r)) nodePorts.add(claimKey(np.protocol, np.nodePort), np);
        if (!r.file.context) claims.push(...keptClaims(hostPortClaims(r, sidecarPolicy(ctx.facts).counted)));
      },
      done() {
        const range = ctx.facts.nodePortRange();
        for (const c of claims) {
          if (c.hostPort < range.min || c.hostPort > range.max) continue;
          const taken = nodePorts.get(claimKey(c.protocol, c.hostPort));
          const what = `host port ${describeClaim(c)} of ${containerLabel(c.container)}`;
          const rangeText = `${range.label} ${range.min}-${range.max}`;
          if (taken.length > 0) {
            const np = taken[0]!;
            ctx.report({
              resource: c.resource,
              path: c.path,
              severity: 'error',
              message:
                `${what} is the ${np.label}: kube-proxy captures that port on every node, so the two steal each other's traffic; ` +
                `move the hostPort below ${range.min} or drop it and use the Service`,
              related: taken.slice(0, 5).map((x) => ({ resource: x.service, path: x.path, message: x.label })),
            });
            continue;
          }
          ctx.report({
            resource: c.resource,
            path: c.path,
            message:
              `${what} is inside ${rangeText}: the API server may allocate it to a NodePort Service, which then captures it on ` +
              `every node; pick a host port outside the range`,
          });
        }
      },
    };
  },
};

export default rule;

import type { RelatedReport, Rule } from '../src/types.js';
import { Buckets, identity, nodePortsOf, type NodePortRef } from '../src/hostports.js';

/** Do two node ports of the set collide in the API server's allocator or validation? */
function collide(a: NodePortRef, b: NodePortRef): boolean {
  if (a.service !== b.service) return identity(a.service) !== identity(b.service);
  // One Service may repeat a nodePort only for the same port number under another protocol (DNS on 53 TCP and UDP).
  return a.protocol === b.protocol || a.port === undefined || a.port !== b.port;
}

const rule: Rule = {
  meta: {
    id: 'nodeport-conflict',
    description: 'Two Service ports with the same nodePort, or a nodePort outside the NodePort range.',
    rationale:
      'NodePorts are cluster-wide: the API server allocates each number once, for every protocol, and rejects a nodePort outside ' +
      '`--service-node-port-range`. Both pass a client-side dry run and most linters, then fail at apply time ("provided port is ' +
      'already allocated", "provided port is not in the valid range"), often in the middle of a Helm release.',
    severity: 'error',
    category: 'scheduling',
    fixable: false,
    crossResource: true,
    docs: {
      details:
        'Read: `spec.ports[].nodePort` of Services of type NodePort or LoadBalancer (ClusterIP Services may not set one) and ' +
        '`spec.healthCheckNodePort` of LoadBalancer Services, which come from the same allocator. Two Services with the same ' +
        'nodePort and protocol conflict; so do two Services with the same nodePort under different protocols, because the ' +
        'allocator tracks numbers, not (protocol, number) pairs. Inside one Service the same nodePort may appear for one port number ' +
        'under two protocols (DNS on 53/TCP and 53/UDP); any other repetition is rejected. Two documents of the same Service ' +
        '(namespace and name) are one object and never conflict. The range is `--node-port-range`, config `nodePortRange`, or ' +
        '30000-32767. Each nodePort is reported with the other as related location.',
      bad:
        'kind: Service\nmetadata: {name: web}\nspec:\n  type: NodePort\n  ports:\n    - {port: 80, nodePort: 30080}\n' +
        '---\nkind: Service\nmetadata: {name: api}\nspec:\n  type: NodePort\n  ports:\n    - {port: 8080, nodePort: 30080}\n',
      good:
        'kind: Service\nmetadata: {name: dns}\nspec:\n  type: NodePort\n  ports:\n    - {name: dns-tcp, port: 53, protocol: TCP, nodePort: 30053}\n' +
        '    - {name: dns-udp, port: 53, protocol: UDP, nodePort: 30053}\n',
      references: [
        'kubernetes/kubernetes pkg/registry/core/service/storage/alloc.go: initNodePorts (one allocation per number)',
        'kubernetes/kubernetes pkg/apis/core/validation: duplicate (protocol, nodePort) pairs in one Service',
        'kubernetes/kubernetes pkg/kubeapiserver/options: DefaultServiceNodePortRange 30000-32767',
      ],
    },
  },
  create(ctx) {
    const byNumber = new Buckets<NodePortRef>();
    return {
      resource(r) {
        for (const np of nodePortsOf(r)) byNumber.add(String(np.nodePort), np);
      },
      done() {
        const range = ctx.facts.nodePortRange();
        // One related location per node port, shared by every finding that lists it (the engine
        // then resolves it once): a group of n colliding ports lists each port n - 1 times.
        const relatedOf = new Map<NodePortRef, RelatedReport>();
        const related = (x: NodePortRef): RelatedReport => {
          let rel = relatedOf.get(x);
          if (!rel) relatedOf.set(x, (rel = { resource: x.service, path: x.path, message: x.label }));
          return rel;
        };
        for (const bucket of byNumber.map.values()) {
          for (const np of bucket) {
            if (np.service.file.context) continue;
            if (np.nodePort < range.min || np.nodePort > range.max) {
              ctx.report({
                resource: np.service,
                path: np.path,
                message:
                  `${np.label} is outside ${range.label} ${range.min}-${range.max}: the API server rejects it ("provided port is not ` +
                  `in the valid range"); pick a port inside the range or omit it to get one allocated`,
              });
            }
            const others = bucket.filter((o) => o !== np && collide(np, o));
            if (others.length === 0) continue;
            const o = others[0]!;
            const why = o.service === np.service
              ? 'one Service may repeat a nodePort only for the same port number under another protocol'
              : o.protocol === np.protocol
                ? 'node ports are cluster-wide, so the Service applied second is rejected ("provided port is already allocated")'
                : 'node ports are allocated per number whatever the protocol, so the Service applied second is rejected ("provided port is already allocated")';
            ctx.report({
              resource: np.service,
              path: np.path,
              message: `${np.label} is also the ${o.label}${others.length > 1 ? ` (and ${others.length - 1} more)` : ''}: ${why}; give one of them another nodePort`,
              related: others.slice(0, 5).map(related),
            });
          }
        }
      },
    };
  },
};

export default rule;

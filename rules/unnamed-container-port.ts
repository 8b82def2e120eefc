import type { Resource, Rule } from '../src/types.js';
import { allPorts, hasPodTemplate, ianaSvcNameProblem, type PortRef } from '../src/model.js';
import { portMatches, servicePorts, ServiceGraph } from '../src/services.js';
import { ptr } from '../src/pointer.js';

const CONTAINER_KIND = { container: 'container', initContainer: 'init container', ephemeralContainer: 'ephemeral container' } as const;

/** The name to propose: the name of a Service port that reaches this port, else `<protocol>-<port>`. */
export function proposeName(p: PortRef, services: Resource[], taken: Set<string>): string | undefined {
  const candidates: string[] = [];
  for (const s of services) {
    for (const sp of servicePorts(s)) {
      if (typeof sp.targetPort !== 'string' && sp.name && portMatches(sp, p)) candidates.push(sp.name);
    }
  }
  if (p.containerPort !== undefined) candidates.push(`${p.protocol.toLowerCase()}-${p.containerPort}`);
  return candidates.find((n) => ianaSvcNameProblem(n) === null && !taken.has(n));
}

const rule: Rule = {
  meta: {
    id: 'unnamed-container-port',
    description: 'A containerPort without a name, in any container of a pod template (init and ephemeral containers too).',
    rationale:
      'A Service can only target a container port by name when the port has one. Services that target ports by number make ' +
      'Telepresence inject the tel-agent-init init container (NET_ADMIN), which Pod Security baseline and restricted reject, and ' +
      'numbers silently go stale when the container port changes. Naming every port lets Services use `targetPort: <name>`.',
    severity: 'warning',
    category: 'ports',
    fixable: true,
    crossResource: true,
    docs: {
      details:
        'The message proposes a name: the name of a Service port in the set that reaches this container port by number (same ' +
        'protocol), when that name is a valid IANA_SVC_NAME not yet used in the pod; otherwise `<protocol>-<port>` such as `tcp-9091`. ' +
        '`--fix` adds that `name:` to the port, keeping the rest of the file byte for byte. Naming a port changes nothing at run time; ' +
        'then point the Service at it with `targetPort: <name>` (see telepresence-numeric-target-port).',
      bad: 'ports:\n  - containerPort: 9091\n',
      good: 'ports:\n  - name: metrics\n    containerPort: 9091\n',
      references: [
        'Kubernetes API: ContainerPort.name (IANA_SVC_NAME), https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/#ports',
        'telepresenceio/telepresence pkg/agentmap/generator.go: numeric targetPort makes the agent need tel-agent-init',
      ],
    },
  },
  create(ctx) {
    const graph = ServiceGraph.of(ctx.facts);
    const workloads: Resource[] = [];
    return {
      resource(r) {
        graph.add(r);
        // done() reports unnamed ports only: workloads with none are not kept (their ports are at hand here).
        if (!r.file.context && hasPodTemplate(r) && allPorts(r).some((p) => p.name === undefined || p.name === '')) workloads.push(r);
      },
      done() {
        const byWorkload = graph.servicesByWorkload();
        for (const r of workloads) {
          const ports = allPorts(r);
          const taken = new Set(ports.map((p) => p.name).filter((n): n is string => !!n));
          for (const p of ports) {
            if (p.name !== undefined && p.name !== '') continue;
            const name = proposeName(p, byWorkload.get(r) ?? [], taken);
            const where = `${CONTAINER_KIND[p.container.type]} "${p.container.name}"`;
            const num = p.containerPort !== undefined ? `containerPort ${p.containerPort}/${p.protocol}` : 'a containerPort';
            const proposal = name ? `; name it, e.g. \`name: ${name}\`,` : '; name it';
            if (name) taken.add(name);
            ctx.report({
              resource: r,
              path: p.path,
              message: `${num} of ${where} has no name${proposal} so Services can target it by name instead of by number`,
              // `name: ""` is unnamed too: replace its value rather than add a second `name` key.
              fix: !name ? undefined
                : p.name === '' ? (fixer) => fixer.replaceNode({ resource: r, path: ptr(p.path, 'name') }, name)
                : (fixer) => fixer.insertPair({ resource: r, path: p.path }, 'name', name),
            });
          }
        }
      },
    };
  },
};

export default rule;

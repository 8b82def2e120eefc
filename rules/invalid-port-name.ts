import type { Resource, Rule } from '../src/types.js';
import { allPorts, asArray, hasPodTemplate, ianaSvcNameProblem, isObj, type PortRef } from '../src/model.js';
import { isService, servicePorts } from '../src/services.js';
import { ptr } from '../src/pointer.js';

/** DNS-1123 label: what a Service port name must be. */
function dnsLabelProblem(name: string): string | null {
  if (name.length === 0) return 'it is empty';
  if (name.length > 63) return `it is ${name.length} characters long (at most 63)`;
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name)) return 'it must be lowercase letters, digits and hyphens, starting and ending with a letter or digit';
  return null;
}

/** A Service port's targetPort as written (servicePorts() reads `"8080"` as 8080), read in place. */
function rawTargetPort(r: Resource, index: number): unknown {
  const spec = r.object['spec'];
  const item = isObj(spec) ? asArray(spec['ports'])[index] : undefined;
  return isObj(item) ? item['targetPort'] : undefined;
}

const rule: Rule = {
  meta: {
    id: 'invalid-port-name',
    description: 'A port name that breaks IANA_SVC_NAME (container ports, Service targetPorts) or DNS-1123 (Service ports), or a name used twice.',
    rationale:
      'The API server rejects a container port name that is not an IANA_SVC_NAME (1-15 lowercase letters, digits and hyphens, at least ' +
      'one letter, no leading, trailing or double hyphen) and duplicate names within one container. Two containers of one pod that ' +
      'share a port name are accepted, but a Service targeting that name reaches only the first one, and Telepresence picks the first.',
    severity: 'error',
    category: 'ports',
    fixable: false,
    docs: {
      details:
        'Checked: `ports[].name` of every container (init, regular, ephemeral) as IANA_SVC_NAME; duplicate names inside one container ' +
        '(error) and across the containers of one pod (warning, with the other port as related location); Service `ports[].name` as a ' +
        'DNS-1123 label and unique in the Service; a named Service `targetPort` as IANA_SVC_NAME, and a quoted number such as ' +
        '`targetPort: "8080"`, which the API server takes as a name and rejects (write it unquoted).',
      bad: 'ports:\n  - name: http_metrics     # underscore\n    containerPort: 9090\n  - name: metrics-endpoint  # 16 characters\n    containerPort: 9091\n',
      good: 'ports:\n  - name: http-metrics\n    containerPort: 9090\n',
      references: ['kubernetes/kubernetes staging/src/k8s.io/apimachinery/pkg/util/validation/validation.go: IsValidPortName'],
    },
  },
  create(ctx) {
    return {
      resource(r) {
        if (hasPodTemplate(r)) {
          // Each port is compared with the valid named ports before it (a pod has a handful): a clean
          // pod, nearly every one, costs no maps and no paths.
          const ps = allPorts(r);
          for (let i = 0; i < ps.length; i++) {
            const p = ps[i]!;
            if (p.name === undefined) continue;
            const problem = ianaSvcNameProblem(p.name);
            if (problem) {
              ctx.report({ resource: r, path: ptr(p.path, 'name'), message: `port name "${p.name}" is not a valid IANA_SVC_NAME: ${problem}` });
              continue;
            }
            // The first valid port of this name in the pod, and in this container.
            let first: PortRef | undefined;
            let dup: PortRef | undefined;
            for (let j = 0; j < i && !dup; j++) {
              const q = ps[j]!;
              if (q.name !== p.name || ianaSvcNameProblem(q.name) !== null) continue;
              first ??= q;
              if (q.container.path === p.container.path) dup = q;
            }
            if (dup) {
              ctx.report({
                resource: r, path: ptr(p.path, 'name'),
                message: `port name "${p.name}" is used twice in container "${p.container.name}": the API server rejects duplicate port names`,
                related: [{ resource: r, path: ptr(dup.path, 'name'), message: `first use of "${p.name}"` }],
              });
              continue;
            }
            if (first) {
              ctx.report({
                resource: r, path: ptr(p.path, 'name'), severity: 'warning',
                message: `port name "${p.name}" is also used by container "${first.container.name}": a Service targeting "${p.name}" reaches only the first; give each a distinct name`,
                related: [{ resource: r, path: ptr(first.path, 'name'), message: `"${p.name}" in container "${first.container.name}"` }],
              });
            }
          }
        }
        if (isService(r)) {
          const seen = new Map<string, string>();
          for (const sp of servicePorts(r)) {
            if (sp.name !== undefined) {
              const namePath = ptr(sp.path, 'name');
              const problem = dnsLabelProblem(sp.name);
              if (problem) ctx.report({ resource: r, path: namePath, message: `Service port name "${sp.name}" is not a valid DNS-1123 label: ${problem}` });
              else if (seen.has(sp.name)) {
                ctx.report({
                  resource: r, path: namePath,
                  message: `Service port name "${sp.name}" is used twice: the API server rejects duplicate Service port names`,
                  related: [{ resource: r, path: seen.get(sp.name)!, message: `first use of "${sp.name}"` }],
                });
              } else seen.set(sp.name, namePath);
            }
            const rawTarget = rawTargetPort(r, sp.index);
            if (typeof rawTarget === 'string' && /^\d+$/.test(rawTarget)) {
              ctx.report({
                resource: r, path: ptr(sp.path, 'targetPort'),
                message: `targetPort "${rawTarget}" is a quoted number: the API server validates a string targetPort as a port name and rejects it; write ${Number(rawTarget)} without quotes`,
              });
            }
            if (typeof sp.targetPort === 'string') {
              const problem = ianaSvcNameProblem(sp.targetPort);
              if (problem) ctx.report({ resource: r, path: ptr(sp.path, 'targetPort'), message: `targetPort "${sp.targetPort}" is not a valid port name (IANA_SVC_NAME): ${problem}` });
            }
          }
        }
      },
    };
  },
};

export default rule;

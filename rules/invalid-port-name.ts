import type { Rule } from '../src/types.js';
import { allPorts, hasPodTemplate, ianaSvcNameProblem, type PortRef } from '../src/model.js';
import { isService, servicePorts } from '../src/services.js';
import { getAt, ptr } from '../src/pointer.js';

/** DNS-1123 label: what a Service port name must be. */
function dnsLabelProblem(name: string): string | null {
  if (name.length === 0) return 'it is empty';
  if (name.length > 63) return `it is ${name.length} characters long (at most 63)`;
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name)) return 'it must be lowercase letters, digits and hyphens, starting and ending with a letter or digit';
  return null;
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
          const byContainer = new Map<string, Map<string, PortRef>>();
          const inPod = new Map<string, PortRef>();
          for (const p of allPorts(r)) {
            if (p.name === undefined) continue;
            const namePath = ptr(p.path, 'name');
            const problem = ianaSvcNameProblem(p.name);
            if (problem) {
              ctx.report({ resource: r, path: namePath, message: `port name "${p.name}" is not a valid IANA_SVC_NAME: ${problem}` });
              continue;
            }
            let mine = byContainer.get(p.container.path);
            if (!mine) byContainer.set(p.container.path, (mine = new Map()));
            const dup = mine.get(p.name);
            if (dup) {
              ctx.report({
                resource: r, path: namePath,
                message: `port name "${p.name}" is used twice in container "${p.container.name}": the API server rejects duplicate port names`,
                related: [{ resource: r, path: ptr(dup.path, 'name'), message: `first use of "${p.name}"` }],
              });
              continue;
            }
            mine.set(p.name, p);
            const other = inPod.get(p.name);
            if (other && other.container.path !== p.container.path) {
              ctx.report({
                resource: r, path: namePath, severity: 'warning',
                message: `port name "${p.name}" is also used by container "${other.container.name}": a Service targeting "${p.name}" reaches only the first; give each a distinct name`,
                related: [{ resource: r, path: ptr(other.path, 'name'), message: `"${p.name}" in container "${other.container.name}"` }],
              });
            } else if (!other) {
              inPod.set(p.name, p);
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
            const rawTarget = getAt(r.object, ptr(sp.path, 'targetPort'));
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

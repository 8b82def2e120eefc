import type { Rule } from '../src/types.js';
import { serviceSelector, serviceType, ServiceGraph, type Workload } from '../src/services.js';
import { workloadLabel } from '../src/ports.js';
import { podTemplate } from '../src/model.js';

const rule: Rule = {
  meta: {
    id: 'service-selector-no-match',
    description: 'A Service whose selector matches the pod-template labels of no workload in the set, while the set holds workloads of its namespace.',
    rationale:
      'A Service selects pods by their labels. A selector that no pod template carries (a typo, labels set on the workload\'s own ' +
      'metadata instead of its pod template, a different namespace) leaves the Service without endpoints; nothing fails at apply time.',
    severity: 'info',
    category: 'ports',
    fixable: false,
    crossResource: true,
    docs: {
      details:
        'Only the pod-template labels count (`spec.template.metadata.labels`, `spec.jobTemplate.spec.template.metadata.labels` for a ' +
        'CronJob, the Pod\'s own labels), not the workload\'s `metadata.labels` nor its `spec.selector` (which may use `matchExpressions`). ' +
        'The rule says nothing about Services without a selector (their endpoints are managed by hand), ExternalName Services, or ' +
        'namespaces with no workload in the set (pass the workloads with `--context` to check a Service file on its own). It is `info` ' +
        'because the pods may come from elsewhere (another chart, an operator). The message names the workload that shares the most ' +
        'selector labels, when one does.',
      bad: 'kind: Service\nspec:\n  selector: {app: web, tier: frontend}   # the pods are labelled tier: front\n',
      good: 'kind: Service\nspec:\n  selector: {app: web, tier: front}\n',
      references: ['Kubernetes: Service selectors, https://kubernetes.io/docs/concepts/services-networking/service/#defining-a-service'],
    },
  },
  create(ctx) {
    const graph = ServiceGraph.of(ctx.facts);
    return {
      resource(r) {
        graph.add(r);
      },
      done() {
        for (const svc of graph.services) {
          if (svc.file.context || serviceType(svc) === 'ExternalName') continue;
          const sel = serviceSelector(svc);
          if (!sel) continue;
          const inNs = graph.workloads.inNamespace(svc.namespace);
          if (inNs.length === 0 || graph.selected(svc).length > 0) continue;
          // The closest workload: the one sharing the most selector pairs (found through the index, per pair).
          const score = new Map<Workload, number>();
          for (const [k, v] of Object.entries(sel)) {
            for (const w of graph.workloads.select(svc.namespace, { [k]: v })) score.set(w, (score.get(w) ?? 0) + 1);
          }
          let best: Workload | undefined;
          for (const [w, n] of score) if (!best || n > score.get(best)!) best = w;
          const pairs = Object.entries(sel).map(([k, v]) => `${k}=${v}`).join(', ');
          let hint = '';
          const related = [];
          if (best) {
            const missing = Object.entries(sel).filter(([k, v]) => best!.labels[k] !== v)
              .map(([k, v]) => (best!.labels[k] === undefined ? `lacks ${k}=${v}` : `has ${k}=${best!.labels[k]}, not ${v}`));
            hint = `; closest: ${workloadLabel(best.resource)}, whose pod template ${missing.join(' and ')}`;
            const t = podTemplate(best.resource)!;
            related.push({ resource: best.resource, path: t.metadata['labels'] ? t.labelsPath : t.path, message: `pod-template labels of ${workloadLabel(best.resource)}` });
          }
          ctx.report({
            resource: svc,
            path: '/spec/selector',
            message: `selector ${pairs} of Service "${svc.name}" matches no pod template among the ${inNs.length} workload${inNs.length === 1 ? '' : 's'} of namespace "${svc.namespace}"${hint}`,
            related,
          });
        }
      },
    };
  },
};

export default rule;

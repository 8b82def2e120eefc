import type { RelatedReport, Resource, Rule, Severity } from '../src/types.js';
import { containers, hasPodTemplate, ports } from '../src/model.js';
import { servicePorts, ServiceGraph, isService, type ServicePortRef } from '../src/services.js';
import {
  agentMatch,
  atLeast,
  describePort,
  describeServicePort,
  keptByServicePorts,
  parseVersion,
  podPortNames,
  proposePortName,
  telepresenceView,
  TRAFFIC_AGENT,
  workloadLabel,
  type AgentMatch,
  type TelepresenceView,
} from '../src/ports.js';

interface Hit {
  workload: Resource;
  match: AgentMatch;
}

interface PortHits {
  svc: Resource;
  sp: ServicePortRef;
  hits: Hit[];
}

function listWorkloads(hits: Hit[]): string {
  const names = [...new Set(hits.map((h) => workloadLabel(h.workload)))];
  if (names.length <= 3) return names.length === 2 ? names.join(' and ') : names.join(', ');
  return `${names.slice(0, 3).join(', ')} and ${names.length - 3} more`;
}

/** What to do about it, from the first workload the port reaches. */
function advice(sp: ServicePortRef, n: number, h: Hit): string {
  const p = h.match.port;
  if (p?.name) return `target it by name instead (\`targetPort: ${p.name}\`)`;
  const name = proposePortName(sp.name, { protocol: sp.protocol, containerPort: n }, podPortNames(h.workload));
  const named = name ? ` (\`name: ${name}\`)` : '';
  const by = name ? ` (\`targetPort: ${name}\`)` : '';
  if (p) return `name container port ${n}${named} and target it by name${by}`;
  return `declare container port ${n} with a name${named} in container "${h.match.container.name}" and target it by name${by}`;
}

function matchRelated(h: Hit): RelatedReport {
  const w = workloadLabel(h.workload);
  const p = h.match.port;
  if (p) return { resource: h.workload, path: p.path, message: `container port ${describePort(p)} of container "${p.container.name}" in ${w}` };
  return {
    resource: h.workload, path: h.match.container.path,
    message: `container "${h.match.container.name}" of ${w} declares no ports: Telepresence maps the Service port to it`,
  };
}

const rule: Rule = {
  meta: {
    id: 'telepresence-numeric-target-port',
    description:
      'A Service port whose targetPort is numeric or omitted and that reaches a workload Telepresence can intercept: intercepting any port of that workload adds the tel-agent-init init container (NET_ADMIN).',
    rationale:
      'Telepresence (2.6.3 and later) builds one agent configuration per workload covering every port of every Service that selects it. ' +
      'If any of those Service ports targets the container by number (an omitted targetPort defaults to the number of `port`), the ' +
      'agent injector adds the `tel-agent-init` init container with `capabilities.add: [NET_ADMIN]`, whichever port you intercept. ' +
      'Pod Security `baseline` and `restricted` reject that capability, so the intercepted pod never starts in such a namespace.',
    severity: 'warning',
    category: 'telepresence',
    fixable: false,
    crossResource: true,
    docs: {
      details: [
        'The rule follows the agent-config generator of Telepresence: for each Deployment, ReplicaSet, StatefulSet or Argo Rollout in the set ' +
          '(with `--context` too), the Services of its namespace whose selector is a subset of its pod-template labels, or only the Service ' +
          'named by the pod annotation `inject-service-name`; their ports, narrowed by `inject-service-ports` (a comma-separated list, not ' +
          'trimmed, of `name-or-number[/TCP|/UDP]`; names compare with the Service port name, numbers with the targetPort, or `port` when ' +
          'the targetPort is omitted); and for each remaining port with a numeric or omitted targetPort, the first regular container port ' +
          'with that number and protocol (empty = TCP), else the first container that declares no ports at all. A port that reaches no ' +
          'container is skipped, as Telepresence skips it (`service-port-no-match` reports it instead).',
        'A numeric targetPort aimed at a *named* container port is still flagged: what counts is the targetPort, not the container port\'s name.',
        'Severity is `error` when a Namespace in the set labels `pod-security.kubernetes.io/enforce` as `baseline` or `restricted`, `warning` otherwise. ' +
          'The finding sits at the Service port, with the container port as related location; when the Service comes only from `--context`, ' +
          'it sits at the container port instead.',
        'The pod annotation `inject-container-ports` makes every listed port numeric for Telepresence (Service-less intercepts always need ' +
          'the init container), so a valid one is reported at its value.',
        '**Which workloads.** Telepresence injects its agent only into pods owned by a Deployment, ReplicaSet, StatefulSet or Argo Rollout. ' +
          'Pods of a DaemonSet, Job or CronJob, bare Pods and ReplicationControllers are never intercepted, so a numeric targetPort that ' +
          'reaches only those is not reported here (the unnamed port is still reported by `unnamed-container-port`). Workloads whose ' +
          '`inject-traffic-agent` annotation is `false` or `disabled` (or invalid), or whose `inject-service-ports` / `inject-container-ports` ' +
          'does not parse (the injector then refuses the workload), are skipped too.',
        '**Annotations and versions.** Keys are read under `telepresence.io/` (2.22+) and `telepresence.getambassador.io/`. With the ' +
          '`telepresence.version` fact: before 2.22 only the old prefix; from 2.22 the new prefix, with the old one as fallback for ' +
          '`inject-service-name`, `inject-container-ports`, `inject-traffic-agent` and the singular `inject-service-port`; before 2.20 only ' +
          'the singular `inject-service-port` and no `inject-container-ports`; before 2.6.8 protocols are not compared; 2.6.0 to 2.6.2 ' +
          'added the init container only for unnamed container ports. `inject-container-ports: all` is reported only when the version is ' +
          'unknown or 2.22 and later. From 2.23 the Helm value `agent.initContainer.enabled: false` removes the init container ' +
          'altogether; a manifest cannot show that, so turn the rule off in that case.',
      ].join('\n\n'),
      bad:
        'kind: Service\nspec:\n  selector: {app: echo}\n  ports:\n    - name: http\n      port: 80\n      targetPort: http\n' +
        '    - name: metrics\n      port: 9091\n      targetPort: 9091   # numeric: tel-agent-init even when only http is intercepted\n',
      good:
        '# container: ports: [{name: http, containerPort: 8081}, {name: metrics, containerPort: 9091}]\n' +
        'kind: Service\nspec:\n  selector: {app: echo}\n  ports:\n    - name: http\n      port: 80\n      targetPort: http\n' +
        '    - name: metrics\n      port: 9091\n      targetPort: metrics\n',
      references: [
        'telepresenceio/telepresence pkg/agentmap/generator.go (Generate, appendAgentContainerConfigs, filterServicePorts), pkg/agentmap/discorvery.go (findContainerMatchingPort)',
        'telepresenceio/telepresence cmd/traffic/cmd/manager/mutator/agent_injector.go (needInitContainer, supported owner kinds)',
        'telepresenceio/telepresence CHANGELOG 2.6.3: "always inject an initContainer when the service\'s targetPort is numeric"',
        'https://www.telepresence.io/docs/reference/cluster-config (annotations)',
        'Kubernetes Pod Security Standards, baseline "Capabilities": NET_ADMIN is not allowed',
      ],
    },
  },
  create(ctx) {
    const graph = ServiceGraph.of(ctx.facts);
    const workloads: Resource[] = [];
    const byName = new Map<string, Resource>();
    return {
      resource(r) {
        graph.add(r);
        if (isService(r)) byName.set(`${r.namespace}\u0000${r.name}`, r);
        else if (hasPodTemplate(r)) workloads.push(r);
      },
      done() {
        const v = parseVersion(ctx.facts.get('telepresence.version')?.value);
        const compareProtocol = !v || atLeast(v, 2, 6, 8);
        const unnamedOnly = v !== undefined && !atLeast(v, 2, 6, 3);
        const severity = (ns: string): Severity | undefined => {
          const level = ctx.facts.podSecurityEnforce(ns);
          return level === 'baseline' || level === 'restricted' ? 'error' : undefined;
        };
        const psa = (ns: string): string => {
          const level = ctx.facts.podSecurityEnforce(ns);
          return level === 'baseline' || level === 'restricted' ? `, which Pod Security "${level}" on namespace "${ns}" rejects` : '';
        };

        const svcsOf = graph.servicesByWorkload();
        // Keyed by the Service port's ref, which servicePorts() gives once per Service for the whole
        // of done(): the first hit of each port makes its entry, so the order is that of the hits.
        const byPort = new Map<ServicePortRef, PortHits>();
        const views = new Map<Resource, TelepresenceView>();
        for (const w of workloads) {
          const view = telepresenceView(w, v);
          views.set(w, view);
          if (view.skip) continue;
          const svcs = view.serviceName !== undefined
            ? [byName.get(`${w.namespace}\u0000${view.serviceName}`)].filter((s): s is Resource => !!s)
            : svcsOf.get(w) ?? [];
          for (const svc of svcs) {
            for (const sp of servicePorts(svc)) {
              if (typeof sp.targetPort === 'string' || sp.numericTarget === undefined) continue;
              if (view.servicePorts && !keptByServicePorts(view.servicePorts, sp)) continue;
              const m = agentMatch(w, sp.numericTarget, sp.protocol, compareProtocol);
              if (!m || (unnamedOnly && m.port?.name)) continue;
              let entry = byPort.get(sp);
              if (!entry) byPort.set(sp, (entry = { svc, sp, hits: [] }));
              entry.hits.push({ workload: w, match: m });
            }
          }
        }

        for (const { svc, sp, hits } of byPort.values()) {
          const n = sp.numericTarget!;
          const how = sp.targetPort === undefined ? `has no targetPort, so it targets port ${n} by number` : `targets port ${n} by number`;
          const head = `Service port ${describeServicePort(sp)} of Service "${svc.name}" ${how}`;
          const effect = (wl: string) =>
            `intercepting any port of ${wl} makes Telepresence add the tel-agent-init init container (NET_ADMIN)${psa(svc.namespace)}`;
          if (!svc.file.context) {
            ctx.report({
              resource: svc, path: sp.path, severity: severity(svc.namespace),
              message: `${head}: ${effect(listWorkloads(hits))}; ${advice(sp, n, hits[0]!)}`,
              related: hits.map(matchRelated),
            });
            continue;
          }
          for (const h of hits) {
            if (h.workload.file.context) continue;
            ctx.report({
              resource: h.workload, path: h.match.port?.path ?? h.match.container.path, severity: severity(svc.namespace),
              message: `${head}: ${effect(workloadLabel(h.workload))}; ${advice(sp, n, h)}`,
              related: [{ resource: svc, path: sp.path, message: `Service port ${describeServicePort(sp)} of Service "${svc.name}"` }],
            });
          }
        }

        // inject-container-ports: Service-less intercepts are always numeric for Telepresence.
        for (const w of workloads) {
          const view = views.get(w);
          if (!view || view.skip || !view.containerPorts || w.file.context) continue;
          const { entry, items } = view.containerPorts;
          const appPorts = containers(w).filter((c) => c.type === 'container' && c.name !== TRAFFIC_AGENT).flatMap(ports);
          if (items === 'all') {
            if ((v && !atLeast(v, 2, 22)) || appPorts.length === 0) continue;
          } else {
            // A name no container port carries makes the injector refuse the workload: no init container then.
            const resolves = items.every((id) => id.name === undefined || appPorts.some((p) => p.name === id.name && p.protocol === id.protocol));
            if (!resolves) continue;
          }
          ctx.report({
            resource: w, path: entry.path, severity: severity(w.namespace),
            message:
              `${entry.key} makes Telepresence treat the listed ports as numeric targets: intercepting any port of ${workloadLabel(w)} ` +
              `adds the tel-agent-init init container (NET_ADMIN)${psa(w.namespace)}; intercept through a Service whose targetPort names the container port instead`,
          });
        }
      },
    };
  },
};

export default rule;

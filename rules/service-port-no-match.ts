import type { RelatedReport, Resource, Rule } from '../src/types.js';
import { ports, type PortRef } from '../src/model.js';
import { servicePorts, serviceSelector, serviceType, ServiceGraph, type ServicePortRef, type Workload } from '../src/services.js';
import { describePort, describeServicePort, endpointContainers, isRestartableInit, kubeMinor, workloadLabel, workloadPath } from '../src/ports.js';

const MAX_LISTED = 6;

function portList(ps: PortRef[]): string {
  if (ps.length === 0) return 'no container ports';
  const shown = ps.slice(0, MAX_LISTED).map(describePort).join(', ');
  return `container ports ${shown}${ps.length > MAX_LISTED ? ` and ${ps.length - MAX_LISTED} more` : ''}`;
}

function workloadsText(ws: readonly Workload[]): string {
  const names = ws.slice(0, 3).map((w) => workloadLabel(w.resource));
  return ws.length > 3 ? `${names.join(', ')} and ${ws.length - 3} more` : names.join(ws.length === 2 ? ' and ' : ', ');
}

const rule: Rule = {
  meta: {
    id: 'service-port-no-match',
    description: 'A Service port whose targetPort matches no container port of the workloads its selector picks.',
    rationale:
      'A named targetPort is looked up among the container port names of each selected pod, with the same protocol; when no pod ' +
      'carries it, the Service gets no endpoints for that port and connections are refused, while `kubectl apply` reports nothing. ' +
      'A numeric targetPort works even when undeclared, but a number no container declares is usually a typo or a stale port.',
    severity: 'error',
    category: 'ports',
    fixable: false,
    crossResource: true,
    docs: {
      details: [
        'For each Service with a selector (ExternalName Services are skipped) that selects at least one workload of the set, `--context` ' +
          'included, in its namespace:',
        '- a **named** targetPort that no regular container (nor native sidecar: init container with `restartPolicy: Always`, from ' +
          'Kubernetes 1.32) of any selected workload carries with the same protocol (empty = TCP) is an **error**. The message lists the ' +
          'ports the workloads do declare, and says when the name exists with another protocol;',
        '- a **numeric** targetPort (or an omitted one, which means `port`) that no selected container declares with that number and ' +
          'protocol is a **warning**. Declaring container ports is optional, so the rule stays quiet when a selected workload declares ' +
          'no container ports at all; once a workload declares some, the list is expected to be complete.',
        'Related locations point at each selected workload\'s containers. A Service whose selector matches nothing is ' +
          '`service-selector-no-match`\'s business.',
      ].join('\n\n'),
      bad:
        'kind: Service\nspec:\n  selector: {app: web}\n  ports:\n    - port: 80\n      targetPort: http   # the container calls it "web"\n',
      good: 'kind: Service\nspec:\n  selector: {app: web}\n  ports:\n    - port: 80\n      targetPort: web\n',
      references: [
        'kubernetes/kubernetes pkg/api/v1/pod/util.go FindPort (named targetPort resolution, by name and protocol)',
        'kubernetes/kubernetes#127976 and #128850: named ports of native sidecars resolve from 1.32',
      ],
    },
  },
  create(ctx) {
    const graph = ServiceGraph.of(ctx.facts);
    /** In done(): each workload's endpoint ports, with and without sidecars' (every port of every Service selecting it asks). */
    let endpoints: Map<Resource, { all?: PortRef[]; app?: PortRef[] }> | null = null;
    return {
      resource(r) {
        graph.add(r);
      },
      done() {
        endpoints = new Map();
        const minor = kubeMinor(ctx.facts);
        const sidecarNames = minor === undefined || minor >= 32;
        for (const svc of graph.services) {
          if (svc.file.context || serviceType(svc) === 'ExternalName' || !serviceSelector(svc)) continue;
          const selected = graph.selected(svc);
          if (selected.length === 0) continue;
          // Made for the first finding: most Services match their workloads' ports.
          let made: RelatedReport[] | undefined;
          const related = (): RelatedReport[] =>
            (made ??= selected.slice(0, 10).map((w) => ({
              resource: w.resource,
              path: workloadPath(w.resource),
              message: `${workloadLabel(w.resource)} declares ${portList(endpointPorts(w.resource, true))}`,
            })));
          for (const sp of servicePorts(svc)) {
            if (typeof sp.targetPort === 'string') checkNamed(svc, sp, selected, related, sidecarNames);
            else if (sp.numericTarget !== undefined && sp.numericTarget !== 0) checkNumeric(svc, sp, selected, related);
          }
        }
        endpoints = null;
      },
    };

    function endpointPorts(r: Resource, sidecars: boolean): PortRef[] {
      const memo = endpoints ?? new Map<Resource, { all?: PortRef[]; app?: PortRef[] }>();
      let e = memo.get(r);
      if (!e) memo.set(r, (e = {}));
      if (sidecars) return (e.all ??= endpointContainers(r).flatMap(ports));
      return (e.app ??= endpointContainers(r).filter((c) => !isRestartableInit(c)).flatMap(ports));
    }

    function checkNamed(svc: Resource, sp: ServicePortRef, selected: readonly Workload[], related: () => RelatedReport[], sidecarNames: boolean): void {
      const name = sp.targetPort as string;
      // Most named ports resolve: looked up in place, without a list of all the workloads' ports.
      for (const w of selected) {
        const ps = endpointPorts(w.resource, sidecarNames);
        for (let i = 0; i < ps.length; i++) if (ps[i]!.name === name && ps[i]!.protocol === sp.protocol) return;
      }
      const all = selected.flatMap((w) => endpointPorts(w.resource, true));
      const head = `targetPort "${name}" of Service port ${describeServicePort(sp)} matches no ${sp.protocol} container port of ${workloadsText(selected)}`;
      let why: string;
      const otherProto = all.find((p) => p.name === name && p.protocol !== sp.protocol);
      const inSidecar = all.find((p) => p.name === name && p.protocol === sp.protocol);
      if (inSidecar) {
        why = `: "${name}" is declared only by native sidecar "${inSidecar.container.name}", whose named ports Services resolve from Kubernetes 1.32; name a port of a regular container, or target ${inSidecar.containerPort ?? 'it'} by number`;
      } else if (otherProto) {
        why = `: "${name}" is ${otherProto.protocol} in container "${otherProto.container.name}"; make the protocols agree`;
      } else {
        why = `, so the Service has no endpoints for it; use one of the declared port names, or name the container port "${name}"`;
      }
      ctx.report({ resource: svc, path: sp.path, message: head + why, related: related() });
    }

    function checkNumeric(svc: Resource, sp: ServicePortRef, selected: readonly Workload[], related: () => RelatedReport[]): void {
      const n = sp.numericTarget!;
      for (const w of selected) {
        const declared = endpointPorts(w.resource, true);
        // A workload that declares no ports at all says nothing about what it listens on: stay quiet.
        if (declared.length === 0) return;
        for (let i = 0; i < declared.length; i++) if (declared[i]!.containerPort === n && declared[i]!.protocol === sp.protocol) return;
      }
      const all = selected.flatMap((w) => endpointPorts(w.resource, true));
      const otherProto = all.find((p) => p.containerPort === n);
      const how = sp.targetPort === undefined ? `has no targetPort, so it targets port ${n}, which` : `targets port ${n}, which`;
      const why = otherProto
        ? `${how} ${workloadsText(selected)} declare${selected.length === 1 ? 's' : ''} only as ${otherProto.protocol} (container "${otherProto.container.name}"); make the protocols agree`
        : `${how} no container of ${workloadsText(selected)} declares; check the number, or declare and name the port and target it by name`;
      ctx.report({ resource: svc, path: sp.path, severity: 'warning', message: `Service port ${describeServicePort(sp)} of Service "${svc.name}" ${why}`, related: related() });
    }
  },
};

export default rule;

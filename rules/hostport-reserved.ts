import type { Rule } from '../src/types.js';
import { containerLabel, describeClaim, hostPortClaims, sidecarPolicy, type HostPortClaim } from '../src/hostports.js';
import { str } from '../src/model.js';

/** Is the claim made by the daemon that owns the port (a kube-scheduler static pod on 10259)? */
function isTheDaemon(c: HostPortClaim, daemon: string): boolean {
  const component = daemon.split(' ')[0]!;
  if (!component.startsWith('kube') && !component.startsWith('cloud-')) return false;
  const image = str(c.container.container['image']) ?? '';
  const repo = image.split('@')[0]!.split('/').pop()!.split(':')[0]!;
  return c.container.name.startsWith(component) || repo.startsWith(component);
}

const rule: Rule = {
  meta: {
    id: 'hostport-reserved',
    description: 'A host port that a node daemon already listens on (kubelet, kube-proxy, control-plane components) or that the config reserves.',
    rationale:
      'Node daemons bind their ports outside Kubernetes, so the scheduler does not know they are taken: a pod with hostPort 10250 ' +
      'is scheduled, then either fails to bind or, through the CNI port mapping, captures traffic meant for the kubelet (logs, exec, ' +
      'metrics) or for kube-proxy\'s health checks.',
    severity: 'error',
    category: 'scheduling',
    fixable: false,
    docs: {
      details:
        'Reserved: 10250 kubelet, 10248 kubelet healthz, 10249 kube-proxy metrics, 10255 kubelet read-only port, 10256 kube-proxy ' +
        'healthz, 10257 kube-controller-manager, 10258 cloud-controller-manager, 10259 kube-scheduler, 10260 cloud-controller-manager ' +
        'webhook, plus every port in config `reservedHostPorts` (e.g. 22 for sshd, 9100 for a node exporter installed on the host). ' +
        'Every host-port claim counts (see hostport-conflict: hostPort, sidecar init containers, `hostNetwork: true` containerPorts), ' +
        'whatever the protocol. A hostNetwork claim by the daemon itself is not flagged: a container whose name or image name starts ' +
        'with the component (`kube-scheduler` declaring 10259 in its static pod, `kube-proxy` declaring 10249).',
      bad: 'ports:\n  - name: metrics\n    containerPort: 10250\n    hostPort: 10250\n',
      good: 'ports:\n  - name: metrics\n    containerPort: 10250\n    hostPort: 9250\n',
      references: [
        'kubernetes/kubernetes pkg/cluster/ports/ports.go',
        'kubernetes/kubernetes pkg/scheduler/apis/config: DefaultKubeSchedulerPort 10259',
        'kubernetes/cloud-provider options: CloudControllerManagerWebhookPort 10260',
      ],
    },
  },
  create(ctx) {
    let reserved: Map<number, string> | undefined;
    return {
      resource(r) {
        const claims = hostPortClaims(r, sidecarPolicy(ctx.facts).counted);
        if (claims.length === 0) return;
        reserved ??= ctx.facts.reservedHostPorts();
        for (const c of claims) {
          const holder = reserved.get(c.hostPort);
          if (holder === undefined || isTheDaemon(c, holder)) continue;
          const fromConfig = holder === 'reservedHostPorts in the config';
          ctx.report({
            resource: r,
            path: c.path,
            message:
              `host port ${describeClaim(c)} of ${containerLabel(c.container)} ` +
              (fromConfig ? `is listed in reservedHostPorts in the config` : `is held by ${holder} on the node`) +
              `: the scheduler cannot see ports held outside Kubernetes, so the pod fails to bind it or captures its traffic; pick another hostPort`,
          });
        }
      },
    };
  },
};

export default rule;

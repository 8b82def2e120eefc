import type { RelatedReport, Rule } from '../src/types.js';
import {
  Buckets,
  claimKey,
  containerLabel,
  describeClaim,
  hostPortClaims,
  identity,
  ipsOverlap,
  Lineage,
  placementOf,
  provablyDisjoint,
  resourceLabel,
  sidecarPolicy,
  type HostPortClaim,
  type Placement,
} from '../src/hostports.js';

/** At most this many related locations per finding; the message counts the rest. */
const MAX_RELATED = 5;

interface Entry {
  claim: HostPortClaim;
  placement: Placement;
  root: string;
  id: string;
}

const rule: Rule = {
  meta: {
    id: 'hostport-conflict',
    description: 'Two containers that can land on the same node claim the same (hostIP, protocol, hostPort), across workloads or inside one pod.',
    rationale:
      'The API server never checks host ports across objects: two DaemonSets on one port, or a Deployment next to a DaemonSet, apply ' +
      'cleanly. Then the scheduler finds no node with the port free and the pods stay Pending with "node(s) didn\'t have free ports ' +
      'for the requested pod ports", or, for a sidecar the scheduler does not count, the second pod fails when it starts.',
    severity: 'error',
    category: 'scheduling',
    fixable: false,
    crossResource: true,
    docs: {
      details:
        'A claim is every `hostPort` > 0 of a container, every `hostPort` of an init container with `restartPolicy: Always` ' +
        '(a sidecar), and every `containerPort` of a pod with `hostNetwork: true` (the API server sets hostPort = containerPort on ' +
        'the Pods it creates, even when the template omits it). A port with hostPort 0 or no hostPort is no claim. Ordinary init ' +
        'containers exit before the pod runs and ephemeral containers may not declare ports, so neither claims. Kinds read: Pod, ' +
        'Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob.\n\n' +
        'Two claims conflict like in the scheduler: an empty `hostIP` means 0.0.0.0 and conflicts with every IP of the same protocol ' +
        'and port; two different specific IPs never conflict; an empty protocol means TCP; TCP, UDP and SCTP never conflict. Host ports ' +
        'are per node, so namespaces do not separate workloads.\n\n' +
        'Across workloads, two workloads conflict unless their placement provably never shares a node: the same `nodeSelector` key ' +
        'with different values (`kubernetes.io/os: linux` against `windows`), or two different `nodeName`s. Node affinity and taints ' +
        'are not evaluated; when either workload has a nodeSelector, node affinity or nodeName that does not prove the two apart, the ' +
        'message says so. DaemonSets run on every node they select, so two of them always meet; for other workloads the scheduler ' +
        'keeps the pods apart while it can, and pods stay Pending once no node has the port free. Replicas of one workload never ' +
        'conflict with each other here (see hostport-replicas), nor do two documents describing the same object (same kind, ' +
        'namespace and name), nor a Pod and the ReplicaSet or Deployment that owns it (`ownerReferences`). Inside one pod, two ' +
        'port items claiming the same host port conflict (the API server rejects an exact duplicate among regular containers).\n\n' +
        'Sidecar host ports and the Kubernetes version (`--kube-version`, config `kubernetesVersion`, default 1.33): before 1.29 ' +
        'the SidecarContainers feature is off by default and `restartPolicy` on an init container is dropped, so it claims nothing; ' +
        'from 1.29 the sidecar holds its host port for the pod\'s lifetime, but the scheduler\'s NodePorts filter ignores ' +
        'init-container host ports until 1.34 (kubernetes/kubernetes#132040; on 1.33 only from the patch release carrying the ' +
        'backport #133390). The claim is a conflict either way; on those versions the message adds that the scheduler will not ' +
        'keep the pods apart and the clash shows when the sidecar starts.\n\n' +
        'Each claim is reported with the other claims as related locations. Claims are indexed by (protocol, port), so the check ' +
        'is linear in the number of claims apart from pairs sharing one port.',
      bad:
        '# two DaemonSets, both on every node\n' +
        'kind: DaemonSet\nmetadata: {name: spegel}\n...\n        ports:\n          - {name: registry, containerPort: 5000, hostPort: 30020}\n' +
        '---\nkind: DaemonSet\nmetadata: {name: registry-cache}\n...\n        ports:\n          - {name: http, containerPort: 8080, hostPort: 30020}\n',
      good:
        '# different protocols, or placements that never share a node\n' +
        'kind: DaemonSet\nmetadata: {name: dns-cache}\n...\n      nodeSelector: {kubernetes.io/os: linux}\n' +
        '        ports:\n          - {name: dns, containerPort: 53, hostPort: 53, protocol: UDP}\n' +
        '---\nkind: DaemonSet\nmetadata: {name: dns-cache-windows}\n...\n      nodeSelector: {kubernetes.io/os: windows}\n' +
        '        ports:\n          - {name: dns, containerPort: 53, hostPort: 53, protocol: UDP}\n',
      references: [
        'kubernetes/kubernetes pkg/scheduler/framework/types.go: HostPortInfo (0.0.0.0 default, per-protocol keys, CheckConflict)',
        'kubernetes/kubernetes pkg/scheduler/framework/plugins/nodeports/node_ports.go: "node(s) didn\'t have free ports for the requested pod ports"',
        'kubernetes/kubernetes#132040 (restartable init containers counted by the NodePorts filter, 1.34; backport #133390 to 1.33)',
        'kubernetes/kubernetes pkg/api/pod defaultHostNetworkPorts: hostPort = containerPort under hostNetwork',
      ],
    },
  },
  create(ctx) {
    const entries: Entry[] = [];
    const lineage = new Lineage();
    return {
      resource(r) {
        lineage.add(r);
        const claims = hostPortClaims(r, sidecarPolicy(ctx.facts).counted);
        if (claims.length === 0) return;
        const placement = placementOf(r);
        for (const claim of claims) entries.push({ claim, placement, root: '', id: identity(r) });
      },
      done() {
        const sidecars = sidecarPolicy(ctx.facts);
        const byKey = new Buckets<Entry>();
        for (const e of entries) {
          e.root = lineage.root(e.claim.resource);
          byKey.add(claimKey(e.claim.protocol, e.claim.hostPort), e);
        }
        for (const bucket of byKey.map.values()) {
          if (bucket.length < 2) continue;
          for (const e of bucket) {
            const c = e.claim;
            if (c.resource.file.context) continue;
            const inPod: Entry[] = [];
            const across: Entry[] = [];
            for (const o of bucket) {
              if (o === e || !ipsOverlap(c.hostIP, o.claim.hostIP)) continue;
              if (o.claim.resource === c.resource) {
                inPod.push(o);
                continue;
              }
              // The same object written twice, or a workload and the objects it owns: one set of pods.
              if (o.id === e.id || o.root === e.root) continue;
              if (provablyDisjoint(e.placement, o.placement)) continue;
              across.push(o);
            }
            // On Kubernetes versions whose scheduler ignores sidecar host ports, say so instead of "Pending".
            const sidecarInvolved = (list: Entry[]) => sidecars.note !== '' && (c.sidecar || list.some((o) => o.claim.sidecar));
            const sidecarNote = (list: Entry[]) => (sidecarInvolved(list) ? `; ${sidecars.note}` : '');
            if (inPod.length > 0) {
              const o = inPod[0]!.claim;
              ctx.report({
                resource: c.resource,
                path: c.path,
                message:
                  `host port ${describeClaim(c)} of ${containerLabel(c.container)} is also claimed by ${o.container === c.container ? 'another port of the same container' : containerLabel(o.container)} ` +
                  `in the same pod: one pod cannot bind a host port twice${sidecarNote(inPod)}; give one of them another hostPort`,
                related: inPod.slice(0, MAX_RELATED).map((x) => ({
                  resource: x.claim.resource, path: x.claim.path,
                  message: `${describeClaim(x.claim)} claimed by ${containerLabel(x.claim.container)}`,
                })),
              });
            }
            if (across.length === 0) continue;
            const first = across[0]!;
            const o = first.claim;
            const others = new Set(across.map((x) => x.id)).size - 1;
            const more = others > 0 ? ` and ${others} more workload${others > 1 ? 's' : ''}` : '';
            const pending = '("node(s) didn\'t have free ports for the requested pod ports")';
            let why = e.placement.everyNode && first.placement.everyNode
              ? `both are DaemonSets, so on every node they share one of the two pods stays Pending ${pending}`
              : e.placement.everyNode || first.placement.everyNode
                ? `the DaemonSet needs it on every node it runs on, so on each node one of the two pods stays Pending ${pending}`
                : `a node fits only one of their pods, so pods stay Pending ${pending} once no node has the port free`;
            if (sidecarInvolved([first]) && sidecars.scheduler === false) {
              why = e.placement.everyNode && first.placement.everyNode ? 'both are DaemonSets and meet on every node they share' : 'their pods can meet on one node';
            }
            const constrained = e.placement.constrained || across.some((x) => x.placement.constrained);
            const unproven = constrained ? ', and their nodeSelector, node affinity or nodeName could not be proven disjoint' : '';
            const related: RelatedReport[] = across.slice(0, MAX_RELATED).map((x) => ({
              resource: x.claim.resource, path: x.claim.path,
              message: `${describeClaim(x.claim)} claimed by ${containerLabel(x.claim.container)} of ${resourceLabel(x.claim.resource)}`,
            }));
            ctx.report({
              resource: c.resource,
              path: c.path,
              message:
                `host port ${describeClaim(c)} of ${containerLabel(c.container)} is also claimed by ${containerLabel(o.container)} of ` +
                `${resourceLabel(o.resource)}${more}${unproven}: ${why}${sidecarNote([first])}; ` +
                'give one of them another hostPort, or nodeSelectors that never match the same node',
              related,
            });
          }
        }
      },
    };
  },
};

export default rule;

import type { RelatedReport, Rule } from '../src/types.js';
import {
  Buckets,
  claimKey,
  containerLabel,
  describeClaim,
  hostPortClaims,
  keptClaims,
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

/**
 * Claims of one bucket (one protocol and port) that behave alike: the same hostIP and the same
 * placement (what provablyDisjoint() and the message read), in bucket order.
 */
interface Class {
  ip: string;
  placement: Placement;
  entries: Entry[];
  /** Position in the bucket of each entry. */
  order: number[];
  /** Entries per root. */
  roots: Map<string, number>;
}

/** For a class: the classes whose claims can meet its claims on a node, and their workloads. */
interface Reach {
  classes: Class[];
  /** Distinct identities among their claims, and how many of those each root has. */
  ids: number;
  idsByRoot: Map<string, number>;
}

/**
 * Index a bucket so each claim's conflicts are found without comparing it with every other claim
 * (which grew with the square of the claims on one port: a quarter of a large run). Claims are
 * compared class by class instead; the findings are exactly those of the pairwise comparison.
 */
function groupBucket(bucket: Entry[]): { of: Map<Entry, Reach>; byResource: Map<unknown, Entry[]> } {
  const classes = new Map<string, Class>();
  const classOf = new Map<Entry, Class>();
  const byResource = new Map<unknown, Entry[]>();
  bucket.forEach((e, i) => {
    const p = e.placement;
    const sel = Object.keys(p.nodeSelector).sort().map((k) => [k, p.nodeSelector[k]]);
    const key = JSON.stringify([e.claim.hostIP, p.everyNode, p.constrained, p.nodeName ?? null, sel]);
    let k = classes.get(key);
    if (!k) classes.set(key, (k = { ip: e.claim.hostIP, placement: p, entries: [], order: [], roots: new Map() }));
    k.entries.push(e);
    k.order.push(i);
    k.roots.set(e.root, (k.roots.get(e.root) ?? 0) + 1);
    classOf.set(e, k);
    let list = byResource.get(e.claim.resource);
    if (!list) byResource.set(e.claim.resource, (list = []));
    list.push(e);
  });
  const reach = new Map<Class, Reach>();
  for (const a of classes.values()) {
    const reached = [...classes.values()].filter((b) => ipsOverlap(a.ip, b.ip) && !provablyDisjoint(a.placement, b.placement));
    // An identity belongs to one root (the root is found from the identity).
    const rootOfId = new Map<string, string>();
    for (const b of reached) for (const e of b.entries) rootOfId.set(e.id, e.root);
    const idsByRoot = new Map<string, number>();
    for (const root of rootOfId.values()) idsByRoot.set(root, (idsByRoot.get(root) ?? 0) + 1);
    reach.set(a, { classes: reached, ids: rootOfId.size, idsByRoot });
  }
  const of = new Map<Entry, Reach>();
  for (const [e, k] of classOf) of.set(e, reach.get(k)!);
  return { of, byResource };
}

/** The first `n` claims (in bucket order) of the reached classes that belong to another root. */
function firstAcross(g: Reach, root: string, n: number): Entry[] {
  const out: Entry[] = [];
  const at = g.classes.map(() => 0);
  while (out.length < n) {
    let best = -1;
    for (let j = 0; j < g.classes.length; j++) {
      const k = g.classes[j]!;
      if (at[j]! < k.entries.length && (best === -1 || k.order[at[j]!]! < g.classes[best]!.order[at[best]!]!)) best = j;
    }
    if (best === -1) break;
    const e = g.classes[best]!.entries[at[best]!++]!;
    if (e.root !== root) out.push(e);
  }
  return out;
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
        const claims = keptClaims(hostPortClaims(r, sidecarPolicy(ctx.facts).counted));
        if (claims.length === 0) return;
        const placement = placementOf(r);
        for (const claim of claims) entries.push({ claim, placement, root: '', id: identity(r) });
      },
      done() {
        const sidecars = sidecarPolicy(ctx.facts);
        // Every claim of a group lists the same few others: one related location per claim (and per
        // wording: the same pod, or another workload), handed over for each finding that lists it,
        // which the engine then resolves once.
        const memos = [new Map<Entry, RelatedReport>(), new Map<Entry, RelatedReport>()] as const;
        const relatedAt = (x: Entry, across: boolean): RelatedReport => {
          const memo = memos[across ? 1 : 0];
          let rel = memo.get(x);
          if (!rel) {
            const of = across ? ` of ${resourceLabel(x.claim.resource)}` : '';
            rel = { resource: x.claim.resource, path: x.claim.path, message: `${describeClaim(x.claim)} claimed by ${containerLabel(x.claim.container)}${of}` };
            memo.set(x, rel);
          }
          return rel;
        };
        const byKey = new Buckets<Entry>();
        for (const e of entries) {
          e.root = lineage.root(e.claim.resource);
          byKey.add(claimKey(e.claim.protocol, e.claim.hostPort), e);
        }
        for (const bucket of byKey.map.values()) {
          if (bucket.length < 2) continue;
          const groups = groupBucket(bucket);
          for (const e of bucket) {
            const c = e.claim;
            if (c.resource.file.context) continue;
            const inPod = groups.byResource.get(c.resource)!.filter((o) => o !== e && ipsOverlap(c.hostIP, o.claim.hostIP));
            const g = groups.of.get(e)!;
            // Claims elsewhere that can meet this one on a node. The same object written twice, or a
            // workload and the objects it owns (same root), is one set of pods.
            const others = g.ids - (g.idsByRoot.get(e.root) ?? 0) - 1;
            if (inPod.length === 0 && others < 0) continue;
            const across = others < 0 ? [] : firstAcross(g, e.root, MAX_RELATED);
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
                related: inPod.slice(0, MAX_RELATED).map((x) => relatedAt(x, false)),
              });
            }
            if (across.length === 0) continue;
            const first = across[0]!;
            const o = first.claim;
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
            const constrained = e.placement.constrained || g.classes.some((k) => k.placement.constrained && k.entries.length > (k.roots.get(e.root) ?? 0));
            const unproven = constrained ? ', and their nodeSelector, node affinity or nodeName could not be proven disjoint' : '';
            const related: RelatedReport[] = across.slice(0, MAX_RELATED).map((x) => relatedAt(x, true));
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

import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { lintTexts, of, ROOT } from '../helpers/harness.js';

const ds = (name: string, ns: string, extra: string, ports: string) => `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: ${name}, namespace: ${ns}}
spec:
  selector:
    matchLabels: {app: ${name}}
  template:
    metadata:
      labels: {app: ${name}}
    spec:
${extra}      containers:
        - name: c
          image: registry.example.com/${name}:1.0.0
          ports:
${ports}`;

const spegelDir = join(ROOT, 'fixtures', 'hostport-conflict', 'spegel-incident');
const spegel = readFileSync(join(spegelDir, 'spegel.yaml'), 'utf8');
const cache = readFileSync(join(spegelDir, 'registry-cache.yaml'), 'utf8');

t.test('the Spegel incident: two DaemonSets on hostPort 30020 report each other', async (t) => {
  const out = await lintTexts({ 'spegel.yaml': spegel, 'cache.yaml': cache });
  const f = of(out.result.findings, 'hostport-conflict');
  t.same(f.map((x) => [x.file, x.line, x.column, x.severity]), [
    ['spegel.yaml', 192, 13, 'error'],
    ['cache.yaml', 19, 15, 'error'],
  ]);
  t.match(f[0]!.message, /^host port 30020\/TCP on 0\.0\.0\.0 of container "registry" is also claimed by container "cache" of DaemonSet kube-system\/registry-cache, and their nodeSelector, node affinity or nodeName could not be proven disjoint: both are DaemonSets/);
  t.match(f[0]!.message, /could not be proven disjoint/, 'spegel has a nodeSelector, the cache none');
  t.same(f[0]!.related.map((r) => [r.file, r.line, r.column]), [['cache.yaml', 19, 15]]);
  t.same(f[1]!.related.map((r) => [r.file, r.line, r.column]), [['spegel.yaml', 192, 13]]);
  t.equal(f[1]!.resource?.name, 'registry-cache');
  // Spegel alone: its own DaemonSet's replicas never conflict.
  t.same(of((await lintTexts({ 'spegel.yaml': spegel })).result.findings, 'hostport-conflict'), []);
});

t.test('a --context DaemonSet is a related location, never reported on', async (t) => {
  const out = await lintTexts({ 'cache.yaml': cache }, { context: { 'spegel.yaml': spegel } });
  const f = of(out.result.findings, 'hostport-conflict');
  t.equal(f.length, 1);
  t.equal(f[0]!.file, 'cache.yaml');
  t.equal(f[0]!.related[0]!.file, 'spegel.yaml');
  t.equal(f[0]!.related[0]!.line, 192);
});

t.test('protocol, host IP and placement', async (t) => {
  const lint = async (a: string, b: string, extraA = '', extraB = '') =>
    of((await lintTexts({ 'a.yaml': ds('a', 'x', extraA, a), 'b.yaml': ds('b', 'y', extraB, b) })).result.findings, 'hostport-conflict');
  const p = (s: string) => `            - ${s}\n`;
  t.equal((await lint(p('{containerPort: 53, hostPort: 53}'), p('{containerPort: 53, hostPort: 53, protocol: UDP}'))).length, 0, 'TCP vs UDP');
  t.equal((await lint(p('{containerPort: 53, hostPort: 53, protocol: SCTP}'), p('{containerPort: 53, hostPort: 53, protocol: UDP}'))).length, 0, 'SCTP vs UDP');
  t.equal((await lint(p('{containerPort: 1, hostPort: 80, hostIP: 10.0.0.1}'), p('{containerPort: 1, hostPort: 80, hostIP: 10.0.0.2}'))).length, 0, 'two specific IPs');
  t.equal((await lint(p('{containerPort: 1, hostPort: 80, hostIP: 10.0.0.1}'), p('{containerPort: 1, hostPort: 80, hostIP: 10.0.0.1}'))).length, 2, 'same specific IP');
  t.equal((await lint(p('{containerPort: 1, hostPort: 80}'), p('{containerPort: 1, hostPort: 80, hostIP: 10.0.0.2}'))).length, 2, 'empty hostIP is 0.0.0.0');
  t.equal((await lint(p('{containerPort: 80, hostPort: 0}'), p('{containerPort: 80, hostPort: 0}'))).length, 0, 'hostPort 0 is no claim');
  t.equal((await lint(p('{containerPort: 80}'), p('{containerPort: 80}'))).length, 0, 'no hostPort, no hostNetwork: no claim');
  t.equal((await lint(p('{containerPort: 80}'), p('{containerPort: 80}'), '      hostNetwork: true\n', '      hostNetwork: true\n')).length, 2, 'hostNetwork containerPorts');
  const sel = (kv: string) => `      nodeSelector: {${kv}}\n`;
  t.equal((await lint(p('{containerPort: 1, hostPort: 80}'), p('{containerPort: 1, hostPort: 80}'), sel('pool: a'), sel('pool: b'))).length, 0, 'disjoint selectors');
  const overlap = await lint(p('{containerPort: 1, hostPort: 80}'), p('{containerPort: 1, hostPort: 80}'), sel('pool: a'), sel('zone: b'));
  t.equal(overlap.length, 2, 'different keys may overlap');
  t.match(overlap[0]!.message, /could not be proven disjoint/);
  const affinity = '      affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: [{matchExpressions: [{key: pool, operator: In, values: [a]}]}]}}}\n';
  const aff = await lint(p('{containerPort: 1, hostPort: 80}'), p('{containerPort: 1, hostPort: 80}'), affinity);
  t.equal(aff.length, 2, 'node affinity is not evaluated');
  t.match(aff[1]!.message, /could not be proven disjoint/);
  const plain = await lint(p('{containerPort: 1, hostPort: 80}'), p('{containerPort: 1, hostPort: 80}'));
  t.notMatch(plain[0]!.message, /proven disjoint/, 'no constraints: nothing to prove');
});

t.test('Deployments compete for nodes; a workload never conflicts with itself', async (t) => {
  const dep = (name: string, replicas: number) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: web}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers:
        - name: web
          image: registry.example.com/web:1.0.0
          ports: [{name: http, containerPort: 8080, hostPort: 8080}]
`;
  const two = of((await lintTexts({ 'a.yaml': dep('a', 1), 'b.yaml': dep('b', 1) })).result.findings, 'hostport-conflict');
  t.equal(two.length, 2);
  t.match(two[0]!.message, /a node fits only one of their pods, so pods stay Pending \("node\(s\) didn't have free ports for the requested pod ports"\) once no node has the port free/);
  t.same(of((await lintTexts({ 'a.yaml': dep('a', 5) })).result.findings, 'hostport-conflict'), [], 'replicas are hostport-replicas business');
});

t.test('inside one pod: two containers, or two items of one container', async (t) => {
  const pod = `apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - name: a
      image: registry.example.com/a:1.0.0
      ports:
        - {containerPort: 80, hostPort: 80}
        - {containerPort: 81, hostPort: 80}
    - name: b
      image: registry.example.com/b:1.0.0
      ports:
        - {containerPort: 90, hostPort: 80, hostIP: 127.0.0.1}
`;
  const f = of((await lintTexts({ 'p.yaml': pod })).result.findings, 'hostport-conflict');
  t.same(f.map((x) => [x.line, x.column]), [[9, 11], [10, 11], [14, 11]]);
  t.match(f[0]!.message, /is also claimed by another port of the same container in the same pod/);
  t.match(f[2]!.message, /80\/TCP on 127\.0\.0\.1 of container "b" is also claimed by container "a" in the same pod/);
  t.same(f[0]!.related.map((r) => r.line), [10, 14]);
});

t.test('sidecar host ports depend on the Kubernetes version', async (t) => {
  const sidecar = ds('mesh', 'm', `      initContainers:
        - name: proxy
          image: registry.example.com/proxy:1.0.0
          restartPolicy: Always
          ports: [{containerPort: 4143, hostPort: 4143}]
        - name: init
          image: registry.example.com/init:1.0.0
          ports: [{containerPort: 4191, hostPort: 4191}]
`, '            - {containerPort: 1, hostPort: 1}\n');
  const other = ds('other', 'o', '', '            - {containerPort: 4143, hostPort: 4143}\n            - {containerPort: 4191, hostPort: 4191}\n');
  const run = async (v?: string) =>
    of((await lintTexts({ 's.yaml': sidecar, 'o.yaml': other }, v ? { facts: { kubernetesVersion: v } } : {})).result.findings, 'hostport-conflict');
  t.same(await run('1.28'), [], '1.28: restartPolicy dropped, an ordinary init container');
  const v130 = await run('1.30');
  t.equal(v130.length, 2, 'the ordinary init container never claims');
  t.match(v130[0]!.message, /sidecar init container "proxy" .* the scheduler of Kubernetes 1\.30 ignores init-container host ports \(it counts them from 1\.34\)/);
  t.notMatch(v130[0]!.message, /stays Pending/, 'the scheduler does not see it: no Pending on 1.30');
  const v133 = await run();
  t.match(v133[0]!.message, /stays Pending .*the Kubernetes 1\.33 scheduler counts init-container host ports only from the patch release carrying kubernetes\/kubernetes#133390/, 'default 1.33');
  const v134 = await run('1.34');
  t.match(v134[0]!.message, /both are DaemonSets, so on every node they share one of the two pods stays Pending/);
  t.notMatch(v134[0]!.message, /init-container host ports/);
});

t.test('ownerReferences and duplicate documents are one set of pods', async (t) => {
  const owned = `apiVersion: v1
kind: Pod
metadata:
  name: a-xyz
  namespace: x
  ownerReferences: [{apiVersion: apps/v1, kind: DaemonSet, name: a, uid: u, controller: true}]
spec:
  containers:
    - name: c
      image: registry.example.com/a:1.0.0
      ports: [{containerPort: 80, hostPort: 80}]
`;
  const p = '            - {containerPort: 80, hostPort: 80}\n';
  t.same(of((await lintTexts({ 'a.yaml': ds('a', 'x', '', p), 'pod.yaml': owned })).result.findings, 'hostport-conflict'), []);
  t.same(of((await lintTexts({ 'a.yaml': ds('a', 'x', '', p), 'a2.yaml': ds('a', 'x', '', p) })).result.findings, 'hostport-conflict'), []);
  const f = of((await lintTexts({ 'a.yaml': ds('a', 'x', '', p), 'a2.yaml': ds('a', 'x', '', p), 'b.yaml': ds('b', 'x', '', p) })).result.findings, 'hostport-conflict');
  t.equal(f.length, 3);
  t.match(f[2]!.message, /of DaemonSet x\/a: both/, 'two copies of one object count as one workload (no "and 1 more")');
});

t.test('Job and CronJob pod templates claim host ports too', async (t) => {
  const job = `apiVersion: batch/v1
kind: Job
metadata: {name: j, namespace: b}
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: j
          image: registry.example.com/j:1.0.0
          ports: [{containerPort: 80, hostPort: 9999}]
`;
  const cron = `apiVersion: batch/v1
kind: CronJob
metadata: {name: c, namespace: b}
spec:
  schedule: "*/5 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
            - name: c
              image: registry.example.com/c:1.0.0
              ports: [{containerPort: 80, hostPort: 9999}]
`;
  const f = of((await lintTexts({ 'j.yaml': job, 'c.yaml': cron })).result.findings, 'hostport-conflict');
  t.same(f.map((x) => [x.file, x.line, x.column]), [['j.yaml', 11, 19], ['c.yaml', 14, 23]]);
  t.match(f[1]!.message, /claimed by container "j" of Job b\/j: a node fits only one of their pods/);
});

// The rule compares claims class by class (same hostIP and placement) instead of pairwise, since the
// pairwise loop grew with the square of the claims on one port. This checks it against the plain
// pairwise definition on generated sets: many workloads on one port, with hostIPs, nodeSelectors,
// nodeNames, DaemonSets, owner chains (one root) and objects written twice (one identity).
t.test('findings equal the pairwise comparison on generated sets', async (t) => {
  const { Lineage, hostPortClaims, identity, ipsOverlap, placementOf, provablyDisjoint, describeClaim, containerLabel, resourceLabel } = await import('../../src/hostports.js');
  const { resourcesOf } = await import('../../src/model.js');
  let seed = 7;
  const rnd = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  for (let round = 0; round < 6; round++) {
    const objs: Array<Record<string, unknown>> = [];
    for (let i = 0; i < 60; i++) {
      const name = `w${rnd(45)}`; // some names repeat: the same object written twice
      const kind = rnd(5) === 0 ? 'DaemonSet' : rnd(6) === 0 ? 'ReplicaSet' : 'Deployment';
      const spec: Record<string, unknown> = {};
      if (rnd(3) === 0) spec['nodeSelector'] = { zone: ['a', 'b'][rnd(2)], ...(rnd(2) ? { disk: 'ssd' } : {}) };
      if (rnd(8) === 0) spec['nodeName'] = ['n1', 'n2'][rnd(2)];
      const ports = Array.from({ length: 1 + rnd(2) }, () => ({
        containerPort: 8000 + rnd(3), hostPort: 9000 + rnd(2), ...(rnd(4) === 0 ? { hostIP: ['10.0.0.1', '10.0.0.2'][rnd(2)] } : {}),
      }));
      const metadata: Record<string, unknown> = { name: `${kind.toLowerCase()}-${name}`, namespace: 'ns' };
      if (kind === 'ReplicaSet' && rnd(2)) metadata['ownerReferences'] = [{ kind: 'Deployment', name: `deployment-w${rnd(45)}`, controller: true }];
      objs.push({
        apiVersion: 'apps/v1', kind, metadata,
        spec: { selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { ...spec, containers: [{ name: `c${rnd(2)}`, image: 'x:1', ports }] } } },
      });
    }
    const text = objs.map((o) => JSON.stringify(o)).join('\n---\n') + '\n';
    const out = await lintTexts({ 'set.yaml': text });
    const got = of(out.result.findings, 'hostport-conflict')
      .filter((f) => !f.message.includes('in the same pod'))
      .map((f) => `${f.resource!.name} ${f.path} | ${/and (\d+) more workload/.exec(f.message)?.[1] ?? 0} | ${/could not be proven disjoint/.test(f.message)} | ${f.related.map((r) => r.message).join('; ')}`)
      .sort();

    // The pairwise definition.
    const file = { index: 0, path: 'set.yaml', context: false };
    const rs = objs.flatMap((o, doc) => resourcesOf(file, doc, o));
    const lineage = new Lineage();
    rs.forEach((r) => lineage.add(r));
    const entries = rs.flatMap((r) => hostPortClaims(r).map((claim) => ({ claim, placement: placementOf(r), id: identity(r), root: lineage.root(r) })));
    const want: string[] = [];
    for (const e of entries) {
      const across = entries.filter((o) => o !== e && o.claim.protocol === e.claim.protocol && o.claim.hostPort === e.claim.hostPort &&
        ipsOverlap(e.claim.hostIP, o.claim.hostIP) && o.claim.resource !== e.claim.resource && o.root !== e.root && !provablyDisjoint(e.placement, o.placement));
      if (across.length === 0) continue;
      const more = new Set(across.map((x) => x.id)).size - 1;
      const constrained = e.placement.constrained || across.some((x) => x.placement.constrained);
      const related = across.slice(0, 5).map((x) => `${describeClaim(x.claim)} claimed by ${containerLabel(x.claim.container)} of ${resourceLabel(x.claim.resource)}`);
      want.push(`${e.claim.resource.name} ${e.claim.path} | ${more} | ${constrained} | ${related.join('; ')}`);
    }
    want.sort();
    t.ok(want.length > 10, `round ${round}: the set has conflicts (${want.length})`);
    t.ok(want.some((w) => !w.includes('| 0 |')), `round ${round}: some claims conflict with several workloads`);
    t.same(got, want, `round ${round}: same findings, counts and related claims`);
  }
});

t.test('a constrained claim of the same workload (its own ReplicaSet) does not make the conflict "unproven"', async (t) => {
  const dep = (name: string, extra = '') => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: ns}
spec:
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
${extra}      containers:
        - name: c
          image: x:1
          ports: [{containerPort: 80, hostPort: 9000}]
`;
  // The ReplicaSet is owned by Deployment "web": one workload with it, though it has a nodeSelector.
  const rs = dep('web-rs', '      nodeSelector: {zone: a}\n')
    .replace('kind: Deployment', 'kind: ReplicaSet')
    .replace('metadata: {name: web-rs, namespace: ns}', 'metadata: {name: web-rs, namespace: ns, ownerReferences: [{kind: Deployment, name: web, controller: true}]}');
  const out = await lintTexts({ 'set.yaml': [dep('web'), rs, dep('other')].join('---\n') });
  const web = of(out.result.findings, 'hostport-conflict').find((f) => f.resource?.name === 'web');
  t.ok(web, 'web conflicts with other');
  t.match(web!.message, /also claimed by container "c" of Deployment ns\/other: a node fits only one/);
  t.notMatch(web!.message, /could not be proven disjoint/, 'its own constrained ReplicaSet is not counted');
  t.same(web!.related.map((r) => r.message), ['9000/TCP on 0.0.0.0 claimed by container "c" of Deployment ns/other']);
});

import t from 'tap';
import { lintTexts, of } from '../helpers/harness.js';

const workload = (kind: string, name: string, replicas: string, ports = '[{name: http, containerPort: 80, hostPort: 80}]', extra = '') => `apiVersion: ${kind === 'ReplicationController' ? 'v1' : 'apps/v1'}
kind: ${kind}
metadata: {name: ${name}, namespace: web}
spec:
${replicas}  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
${extra}      containers:
        - name: web
          image: registry.example.com/web:1.0.0
          ports: ${ports}
`;

const hpa = (api: string, target: string, max: number, ns = 'web') => `apiVersion: ${api}
kind: HorizontalPodAutoscaler
metadata: {name: hpa, namespace: ${ns}}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: ${target}}
  maxReplicas: ${max}
`;

const run = async (files: Record<string, string>, context?: Record<string, string>) =>
  of((await lintTexts(files, context ? { context } : {})).result.findings, 'hostport-replicas');

t.test('replicas above one on each replicated kind', async (t) => {
  for (const kind of ['Deployment', 'StatefulSet', 'ReplicaSet', 'ReplicationController']) {
    const f = await run({ 'w.yaml': workload(kind, 'w', '  replicas: 3\n') });
    t.equal(f.length, 1, kind);
    t.same([f[0]!.line, f[0]!.column, f[0]!.severity], [13, 19, 'warning']);
    t.match(f[0]!.message, new RegExp(`^${kind} "w" claims host port 80/TCP on 0\\.0\\.0\\.0, with 3 replicas: only one of its pods fits on a node`));
    t.same(f[0]!.related.map((r) => [r.line, r.message]), [[5, 'replicas: 3']]);
    if (kind === 'Deployment') t.match(f[0]!.message, /rolling update needs one more free node per surge pod; use a DaemonSet, set `maxSurge: 0`/);
    else t.notMatch(f[0]!.message, /maxSurge/);
  }
  t.same(await run({ 'w.yaml': workload('Deployment', 'w', '  replicas: 1\n') }), [], 'one replica');
  t.same(await run({ 'w.yaml': workload('Deployment', 'w', '') }), [], 'omitted replicas = 1');
  t.same(await run({ 'w.yaml': workload('Deployment', 'w', '  replicas: 0\n') }), [], 'scaled to zero');
  t.same(await run({ 'w.yaml': workload('DaemonSet', 'w', '') }), [], 'a DaemonSet is the fix, not a finding');
  t.same(await run({ 'w.yaml': workload('Job', 'w', '') }), [], 'Jobs are not replicated kinds');
  t.same(await run({ 'w.yaml': workload('Deployment', 'w', '  replicas: 3\n', '[{name: http, containerPort: 80}]') }), [], 'no host port');
});

t.test('hostNetwork makes every containerPort a host port', async (t) => {
  const f = await run({ 'w.yaml': workload('Deployment', 'w', '  replicas: 2\n', '[{name: http, containerPort: 80}, {name: m, containerPort: 9090}]', '      hostNetwork: true\n') });
  t.equal(f.length, 1, 'one finding per workload');
  t.match(f[0]!.message, /claims host ports 80\/TCP on 0\.0\.0\.0, 9090\/TCP on 0\.0\.0\.0, with 2 replicas/);
  t.same(f[0]!.related.map((r) => r.message), ['replicas: 2', 'also host port 9090/TCP on 0.0.0.0']);
});

t.test('an HPA in the set, v1 or v2, same namespace and name', async (t) => {
  const dep = workload('Deployment', 'w', '');
  for (const api of ['autoscaling/v1', 'autoscaling/v2']) {
    const f = await run({ 'w.yaml': dep, 'hpa.yaml': hpa(api, 'w', 4) });
    t.equal(f.length, 1, api);
    t.match(f[0]!.message, /with HorizontalPodAutoscaler "hpa" scaling it up to 4:/);
    t.same(f[0]!.related.map((r) => [r.file, r.line]), [['hpa.yaml', 5]]);
  }
  t.same(await run({ 'w.yaml': dep, 'hpa.yaml': hpa('autoscaling/v2', 'w', 1) }), [], 'maxReplicas 1');
  t.same(await run({ 'w.yaml': dep, 'hpa.yaml': hpa('autoscaling/v2', 'other', 4) }), [], 'other target');
  t.same(await run({ 'w.yaml': dep, 'hpa.yaml': hpa('autoscaling/v2', 'w', 4, 'elsewhere') }), [], 'other namespace');
  const ctx = await run({ 'w.yaml': dep }, { 'hpa.yaml': hpa('autoscaling/v2', 'w', 4) });
  t.equal(ctx.length, 1, 'an HPA from --context counts');
  t.same(await run({ 'w.yaml': workload('Deployment', 'w', '  replicas: 3\n') }, { 'x.yaml': workload('Deployment', 'x', '  replicas: 3\n') }).then((f) => f.map((x) => x.file)), ['w.yaml'], 'context workloads are not reported');
});

t.test('a ReplicaSet owned by a Deployment is left to its owner', async (t) => {
  const rs = workload('ReplicaSet', 'w-abc', '  replicas: 3\n').replace('metadata: {name: w-abc, namespace: web}', 'metadata:\n  name: w-abc\n  namespace: web\n  ownerReferences: [{apiVersion: apps/v1, kind: Deployment, name: w, uid: u, controller: true}]');
  t.same(await run({ 'rs.yaml': rs }), []);
});

t.test('a native sidecar\'s host port counts where Kubernetes counts it (1.29 on), in order, and only there', async (t) => {
  // A native sidecar with a host port, and a plain init container with one.
  const inits = `      initContainers:
        - name: proxy
          image: registry.example.com/proxy:1.0.0
          restartPolicy: Always
          ports: [{containerPort: 4143, hostPort: 4143}]
        - name: migrate
          image: registry.example.com/migrate:1.0.0
          ports: [{containerPort: 5000, hostPort: 5000}]
`;
  const both = workload('Deployment', 'w', '  replicas: 3\n', '[{name: http, containerPort: 80, hostPort: 80}]', inits);
  const only = workload('Deployment', 'o', '  replicas: 3\n', '[{name: http, containerPort: 80}]', inits);
  const lint = async (v: string) =>
    of((await lintTexts({ 'w.yaml': both, 'o.yaml': only }, { facts: { kubernetesVersion: v } })).result.findings, 'hostport-replicas');
  const counted = await lint('1.30');
  t.same(counted.map((f) => [f.file, f.line, f.column]), [['w.yaml', 14, 19], ['o.yaml', 14, 19]], 'both workloads, at the sidecar\'s port (init containers come first); a plain init container claims nothing');
  t.match(counted[0]!.message, /^Deployment "w" claims host ports 4143\/TCP on 0\.0\.0\.0, 80\/TCP on 0\.0\.0\.0, with 3 replicas/);
  t.same(counted[0]!.related.map((r) => [r.line, r.message]), [[5, 'replicas: 3'], [21, 'also host port 80/TCP on 0.0.0.0']]);
  t.match(counted[1]!.message, /^Deployment "o" claims host port 4143\/TCP on 0\.0\.0\.0, with 3 replicas/);
  const before = await lint('1.28');
  t.same(before.map((f) => [f.file, f.line, f.column]), [['w.yaml', 21, 19]], 'before 1.29 only the regular container\'s port, and no finding for the workload whose only claim is the sidecar\'s');
  t.match(before[0]!.message, /^Deployment "w" claims host port 80\/TCP on 0\.0\.0\.0, with 3 replicas/);
  t.same(before[0]!.related.map((r) => r.message), ['replicas: 3']);
});

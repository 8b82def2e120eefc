import t from 'tap';
import { lintTexts, of } from '../helpers/harness.js';

const pod = (ports: string) => `apiVersion: v1
kind: Pod
metadata: {name: p, namespace: a}
spec:
  containers:
    - name: c
      image: registry.example.com/c:1.0.0
      ports: ${ports}
`;
const svc = (type: string, ports: string) => `apiVersion: v1
kind: Service
metadata: {name: s, namespace: b}
spec:
  type: ${type}
  selector: {app: s}
  ports: ${ports}
`;
const run = async (files: Record<string, string>, opts = {}) => of((await lintTexts(files, opts)).result.findings, 'hostport-nodeport-range');

t.test('range bounds are inclusive', async (t) => {
  const f = await run({ 'p.yaml': pod('[{hostPort: 29999, containerPort: 1}, {hostPort: 30000, containerPort: 2}, {hostPort: 32767, containerPort: 3}, {hostPort: 32768, containerPort: 4}]') });
  t.same(f.map((x) => [x.line, x.column, x.severity]), [[8, 52, 'warning'], [8, 89, 'warning']]);
  t.match(f[0]!.message, /^host port 30000\/TCP on 0\.0\.0\.0 of container "c" is inside the default NodePort range 30000-32767: the API server may allocate it to a NodePort Service/);
});

t.test('error when a NodePort or LoadBalancer Service uses that nodePort with the same protocol', async (t) => {
  const p = pod('[{hostPort: 30080, containerPort: 80}]');
  const np = await run({ 'p.yaml': p, 's.yaml': svc('NodePort', '[{name: http, port: 80, nodePort: 30080}]') });
  t.equal(np[0]!.severity, 'error');
  t.match(np[0]!.message, /is the nodePort 30080\/TCP of Service b\/s port "http": kube-proxy captures that port on every node/);
  t.same(np[0]!.related.map((r) => [r.file, r.line, r.column]), [['s.yaml', 7, 44]]);
  t.equal((await run({ 'p.yaml': p, 's.yaml': svc('LoadBalancer', '[{port: 80, nodePort: 30080}]') }))[0]!.severity, 'error');
  t.equal((await run({ 'p.yaml': p, 's.yaml': svc('NodePort', '[{port: 80, nodePort: 30080, protocol: UDP}]') }))[0]!.severity, 'warning', 'other protocol');
  t.equal((await run({ 'p.yaml': p }, { context: { 's.yaml': svc('NodePort', '[{port: 80, nodePort: 30080}]') } }))[0]!.severity, 'error', 'a --context Service counts');
  const hc = svc('LoadBalancer', '[{port: 80}]').replace('  selector', '  externalTrafficPolicy: Local\n  healthCheckNodePort: 30080\n  selector');
  const h = await run({ 'p.yaml': p, 's.yaml': hc });
  t.equal(h[0]!.severity, 'error');
  t.match(h[0]!.message, /is the healthCheckNodePort 30080\/TCP of Service b\/s/);
});

t.test('the range comes from the flag, then the config', async (t) => {
  const p = pod('[{hostPort: 30080, containerPort: 80}, {hostPort: 20080, containerPort: 81}]');
  const flag = await run({ 'p.yaml': p }, { facts: { nodePortRange: '20000-20999' }, config: { nodePortRange: '30000-30999' } });
  t.same(flag.map((x) => x.message.match(/range from [^ ]+ [0-9-]+/)?.[0]), ['range from --node-port-range 20000-20999']);
  const cfg = await run({ 'p.yaml': p }, { config: { nodePortRange: '30000-30999' } });
  t.same(cfg.map((x) => x.message.match(/range from config nodePortRange [0-9-]+/)?.[0]), ['range from config nodePortRange 30000-30999']);
});

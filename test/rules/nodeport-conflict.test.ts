import t from 'tap';
import { lintTexts, of } from '../helpers/harness.js';

const svc = (name: string, ns: string, ports: string, type = 'NodePort') => `apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: ${ns}}
spec:
  type: ${type}
  selector: {app: ${name}}
  ports: ${ports}
`;
const run = async (files: Record<string, string>, opts = {}) => of((await lintTexts(files, opts)).result.findings, 'nodeport-conflict');

t.test('two Services on one nodePort, across namespaces and protocols', async (t) => {
  const f = await run({ 'a.yaml': svc('a', 'x', '[{name: http, port: 80, nodePort: 30080}]'), 'b.yaml': svc('b', 'y', '[{name: web, port: 8080, nodePort: 30080}]') });
  t.same(f.map((x) => [x.file, x.line, x.column, x.endColumn, x.severity]), [['a.yaml', 7, 44, 49, 'error'], ['b.yaml', 7, 45, 50, 'error']]);
  t.equal(f[0]!.message, 'nodePort 30080/TCP of Service x/a port "http" is also the nodePort 30080/TCP of Service y/b port "web": node ports are cluster-wide, so the Service applied second is rejected ("provided port is already allocated"); give one of them another nodePort');
  t.same(f[0]!.related.map((r) => [r.file, r.line, r.column]), [['b.yaml', 7, 45]]);
  const proto = await run({ 'a.yaml': svc('a', 'x', '[{port: 80, nodePort: 30080}]'), 'b.yaml': svc('b', 'y', '[{port: 80, nodePort: 30080, protocol: UDP}]') });
  t.equal(proto.length, 2);
  t.match(proto[0]!.message, /allocated per number whatever the protocol/);
});

t.test('only NodePort and LoadBalancer Services hold node ports; duplicates of one Service do not conflict', async (t) => {
  t.same(await run({ 'a.yaml': svc('a', 'x', '[{port: 80, nodePort: 30080}]'), 'b.yaml': svc('b', 'y', '[{port: 80, nodePort: 30080}]', 'ClusterIP') }), []);
  t.equal((await run({ 'a.yaml': svc('a', 'x', '[{port: 80, nodePort: 30080}]'), 'b.yaml': svc('b', 'y', '[{port: 80, nodePort: 30080}]', 'LoadBalancer') })).length, 2);
  t.same(await run({ 'a.yaml': svc('a', 'x', '[{port: 80, nodePort: 30080}]'), 'a2.yaml': svc('a', 'x', '[{port: 80, nodePort: 30080}]') }), []);
});

t.test('--context Services are related, never reported', async (t) => {
  const f = await run({ 'a.yaml': svc('a', 'x', '[{port: 80, nodePort: 30080}]') }, { context: { 'b.yaml': svc('b', 'y', '[{port: 80, nodePort: 30080}, {port: 81, nodePort: 40000}]') } });
  t.same(f.map((x) => x.file), ['a.yaml']);
  t.equal(f[0]!.related[0]!.file, 'b.yaml');
});

t.test('the NodePort range: default, config, flag', async (t) => {
  const s = { 's.yaml': svc('s', 'x', '[{port: 80, nodePort: 30000}, {port: 81, nodePort: 32767}, {port: 82, nodePort: 32768}]') };
  const d = await run(s);
  t.same(d.map((x) => x.message), ['nodePort 32768/TCP of Service x/s is outside the default NodePort range 30000-32767: the API server rejects it ("provided port is not in the valid range"); pick a port inside the range or omit it to get one allocated']);
  t.same((await run(s, { config: { nodePortRange: '30000-32768' } })).length, 0);
  t.same((await run(s, { facts: { nodePortRange: '30001-40000' }, config: { nodePortRange: '30000-32768' } })).map((x) => x.message.replace(/:.*/, '')), ['nodePort 30000/TCP of Service x/s is outside the NodePort range from --node-port-range 30001-40000']);
});

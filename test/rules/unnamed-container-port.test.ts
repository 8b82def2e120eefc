import t from 'tap';
import { lintText, lintTexts, of } from '../helpers/harness.js';
import { echoDeployment } from '../helpers/manifests.js';

const deployment = (ports: string) => echoDeployment(ports, { namespace: 'apps' });

t.test('proposes the targeting Service port name, across files and namespaces', async (t) => {
  const svc = (ns: string) => `apiVersion: v1
kind: Service
metadata: {name: echo, namespace: ${ns}}
spec:
  selector: {app: echo}
  ports:
    - {name: metrics, port: 9091, targetPort: 9091}
`;
  const same = await lintTexts({ 'deploy.yaml': deployment('            - containerPort: 9091\n'), 'svc.yaml': svc('apps') });
  const f = of(same.result.findings, 'unnamed-container-port');
  t.equal(f.length, 1);
  t.match(f[0]!.message, /`name: metrics`/);
  t.equal(f[0]!.severity, 'warning');
  t.same([f[0]!.line, f[0]!.column], [17, 15]);
  // A Service in another namespace does not select the workload: fall back to <protocol>-<port>.
  const other = await lintTexts({ 'deploy.yaml': deployment('            - containerPort: 9091\n'), 'svc.yaml': svc('other') });
  t.match(of(other.result.findings, 'unnamed-container-port')[0]!.message, /`name: tcp-9091`/);
});

t.test('a Service loaded with --context still provides the name, and is never reported on', async (t) => {
  const out = await lintTexts(
    { 'deploy.yaml': deployment('            - containerPort: 9091\n') },
    { context: { 'svc.yaml': 'apiVersion: v1\nkind: Service\nmetadata: {name: echo, namespace: apps}\nspec:\n  selector: {app: echo}\n  ports: [{name: prom, port: 9091}]\n' } },
  );
  const f = of(out.result.findings, 'unnamed-container-port');
  t.equal(f.length, 1);
  t.match(f[0]!.message, /`name: prom`/, 'omitted targetPort means port');
  t.ok(out.result.findings.every((x) => x.file === 'deploy.yaml'));
});

t.test('fix inserts the name with the port item indentation, in block and flow style', async (t) => {
  const block = await lintTexts({ 'a.yaml': deployment('            - containerPort: 9091\n              protocol: UDP\n') }, { fix: 'dry-run' });
  t.equal(block.fixed[0]!.after, deployment('            - containerPort: 9091\n              protocol: UDP\n              name: udp-9091\n'));
  const flow = await lintTexts({ 'a.yaml': deployment('            - {containerPort: 80}\n') }, { fix: 'dry-run' });
  t.equal(flow.fixed[0]!.after, deployment('            - {containerPort: 80, name: tcp-80}\n'));
  t.same(of(flow.result.findings, 'unnamed-container-port'), [], 'nothing left after the fix');
});

t.test('two unnamed ports never get the same proposed name', async (t) => {
  const f = of(await lintText(deployment('            - containerPort: 80\n            - containerPort: 80\n              protocol: UDP\n            - containerPort: 80\n')), 'unnamed-container-port');
  t.same(f.map((x) => /`name: ([^`]+)`/.exec(x.message)?.[1] ?? null), ['tcp-80', 'udp-80', null]);
  t.same(f.map((x) => x.fixable), [true, true, false], 'no fix when no unique valid name is left');
});

t.test('an empty name counts as unnamed, and the fix replaces it instead of adding a second name key', async (t) => {
  const out = await lintTexts({ 'a.yaml': deployment('            - {containerPort: 80, name: ""}\n') }, { fix: 'dry-run' });
  t.equal(of(out.result.findings, 'unnamed-container-port').length, 0, 'nothing left after the fix');
  t.equal(out.fixed[0]!.after, deployment('            - {containerPort: 80, name: tcp-80}\n'));
});

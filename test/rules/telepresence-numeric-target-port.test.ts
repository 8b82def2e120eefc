import t from 'tap';
import { spawnSync } from 'node:child_process';
import { CLI, ROOT, lintText, lintTexts, of } from '../helpers/harness.js';
import { parsePortIdentifiers, keptByServicePorts } from '../../src/ports.js';
import type { ServicePortRef } from '../../src/services.js';

const RULE = 'telepresence-numeric-target-port';

const deployment = (opts: { kind?: string; ns?: string; annotations?: string; ports?: string; extra?: string } = {}) => `apiVersion: apps/v1
kind: ${opts.kind ?? 'Deployment'}
metadata:
  name: echo
  namespace: ${opts.ns ?? 'apps'}
spec:
  selector:
    matchLabels: {app: echo}
  template:
    metadata:
      labels: {app: echo}
      annotations: {${opts.annotations ?? ''}}
    spec:
      containers:
${opts.extra ?? ''}        - name: echo
          image: ghcr.io/example/echo:1.4.2
          ports:
${opts.ports ?? '            - {name: http, containerPort: 8081}\n            - {containerPort: 9091}\n'}`;

const service = (ports: string, ns = 'apps') => `apiVersion: v1
kind: Service
metadata: {name: echo, namespace: ${ns}}
spec:
  selector: {app: echo}
  ports:
${ports}`;

const INCIDENT_PORTS = '    - {name: http, port: 80, targetPort: http}\n    - {name: metrics, port: 9091, targetPort: 9091}\n';

t.test('the incident: one finding at the numeric Service port, the container port related, exact message', async (t) => {
  const out = await lintTexts({ 'deploy.yaml': deployment(), 'svc.yaml': service(INCIDENT_PORTS) });
  const f = of(out.result.findings, RULE);
  t.equal(f.length, 1);
  const x = f[0]!;
  t.same([x.file, x.line, x.column, x.endLine, x.endColumn, x.severity], ['svc.yaml', 8, 7, 8, 52, 'warning']);
  t.equal(
    x.message,
    'Service port "metrics" of Service "echo" targets port 9091 by number: intercepting any port of Deployment "echo" makes ' +
      'Telepresence add the tel-agent-init init container (NET_ADMIN); name container port 9091 (`name: metrics`) and target it by name (`targetPort: metrics`)',
  );
  t.same(x.related.map((r) => [r.file, r.line, r.column, r.message]), [
    ['deploy.yaml', 19, 15, 'container port 9091/TCP of container "echo" in Deployment "echo"'],
  ]);
  t.equal(x.path, '/spec/ports/1');
});

t.test('severity follows the Pod Security level of the namespace, Namespace given through --context', async (t) => {
  const ns = (level: string) => `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: apps\n  labels: {pod-security.kubernetes.io/enforce: ${level}}\n`;
  for (const [level, sev] of [['restricted', 'error'], ['baseline', 'error'], ['privileged', 'warning']] as const) {
    const out = await lintTexts({ 'deploy.yaml': deployment(), 'svc.yaml': service(INCIDENT_PORTS) }, { context: { 'ns.yaml': ns(level) } });
    const f = of(out.result.findings, RULE);
    t.same(f.map((x) => x.severity), [sev], level);
    t.equal(f[0]!.message.includes(`Pod Security "${level}" on namespace "apps" rejects`), sev === 'error', `${level}: message names the level`);
  }
});

t.test('kinds: Deployment, ReplicaSet, StatefulSet and argoproj Rollout are reported; DaemonSet is not', async (t) => {
  for (const kind of ['Deployment', 'ReplicaSet', 'StatefulSet']) {
    t.equal(of(await lintText(deployment({ kind }) + '---\n' + service(INCIDENT_PORTS)), RULE).length, 1, kind);
  }
  const rollout = deployment().replace('apiVersion: apps/v1\nkind: Deployment', 'apiVersion: argoproj.io/v1alpha1\nkind: Rollout');
  t.match(of(await lintText(rollout + '---\n' + service(INCIDENT_PORTS)), RULE)[0]!.message, /Rollout "echo"/);
  t.same(of(await lintText(deployment({ kind: 'DaemonSet' }) + '---\n' + service(INCIDENT_PORTS)), RULE), []);
});

t.test('a Service only in --context: the finding moves to the container port, the Service port is related', async (t) => {
  const out = await lintTexts({ 'deploy.yaml': deployment() }, { context: { 'svc.yaml': service(INCIDENT_PORTS) } });
  const f = of(out.result.findings, RULE);
  t.same(f.map((x) => [x.file, x.line, x.column, x.path]), [['deploy.yaml', 19, 15, '/spec/template/spec/containers/0/ports/1']]);
  t.same(f[0]!.related.map((r) => [r.file, r.line, r.column]), [['svc.yaml', 8, 7]]);
  // Both only in --context: nothing.
  const none = await lintTexts({ 'other.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n' }, { context: { 'd.yaml': deployment(), 's.yaml': service(INCIDENT_PORTS) } });
  t.same(of(none.result.findings, RULE), []);
});

t.test('one finding per Service port, naming every workload it reaches', async (t) => {
  const second = deployment().replace('name: echo\n  namespace', 'name: echo-canary\n  namespace');
  const f = of(await lintText([deployment(), second, service(INCIDENT_PORTS)].join('---\n')), RULE);
  t.equal(f.length, 1);
  t.match(f[0]!.message, /any port of Deployment "echo" and Deployment "echo-canary" makes/);
  t.equal(f[0]!.related.length, 2);
});

t.test('protocols: compared from 2.6.8 (and when the version is unknown), ignored before', async (t) => {
  const udp = '    - {name: metrics, port: 9091, protocol: UDP}\n';
  t.same(of(await lintText(deployment() + '---\n' + service(udp)), RULE), [], 'UDP Service port, TCP container port: skipped');
  const old = of(await lintText(deployment() + '---\n' + service(udp), { facts: { 'telepresence.version': '2.6.7' } }), RULE);
  t.equal(old.length, 1, '2.6.7 matches by number only');
});

t.test('2.6.0 to 2.6.2: only unnamed container ports needed the init container', async (t) => {
  const toNamed = '    - {name: web, port: 80, targetPort: 8081}\n';
  t.equal(of(await lintText(deployment() + '---\n' + service(toNamed)), RULE).length, 1, 'current: numeric to a named port counts');
  t.same(of(await lintText(deployment() + '---\n' + service(toNamed), { facts: { 'telepresence.version': 'v2.6.2' } }), RULE), []);
  t.equal(of(await lintText(deployment() + '---\n' + service(INCIDENT_PORTS), { facts: { 'telepresence.version': '2.6.2' } }), RULE).length, 1);
});

t.test('inject-service-name picks its Service even when another Service selects the pods', async (t) => {
  const other = service(INCIDENT_PORTS).replace('name: echo,', 'name: echo-metrics,');
  const named = deployment({ annotations: 'telepresence.io/inject-service-name: echo-public' });
  const pub = 'apiVersion: v1\nkind: Service\nmetadata: {name: echo-public, namespace: apps}\nspec:\n  ports: [{name: web, port: 80, targetPort: 9091}]\n';
  const f = of(await lintText([named, other, pub].join('---\n')), RULE);
  t.same(f.map((x) => [x.line, x.message.includes('Service "echo-public"')]), [[34, true]], 'only the named Service, even without a selector');
});

t.test('inject-service-ports items: names match Service port names, numbers the target, protocol suffix', async (t) => {
  t.same(parsePortIdentifiers('http,9091/UDP'), [{ name: 'http', protocol: 'TCP' }, { number: 9091, protocol: 'UDP' }]);
  for (const bad of ['http, metrics', '9091/udp', '0', '70000', 'Http', 'a_b', '']) t.ok('problem' in (parsePortIdentifiers(bad) as object), bad);
  const sp = (o: Partial<ServicePortRef>) => ({ name: undefined, port: 80, protocol: 'TCP', targetPort: undefined, ...o }) as ServicePortRef;
  t.ok(keptByServicePorts([{ number: 80, protocol: 'TCP' }], sp({})), 'omitted targetPort: port');
  t.ok(keptByServicePorts([{ number: 8080, protocol: 'TCP' }], sp({ targetPort: 8080 })));
  t.notOk(keptByServicePorts([{ number: 80, protocol: 'TCP' }], sp({ targetPort: 8080 })), 'numeric target wins over port');
  t.ok(keptByServicePorts([{ number: 80, protocol: 'TCP' }], sp({ targetPort: 'http' })), 'named target: port');
  t.notOk(keptByServicePorts([{ number: 80, protocol: 'UDP' }], sp({})), 'protocol must agree');
  t.ok(keptByServicePorts([{ name: 'metrics', protocol: 'UDP' }], sp({ name: 'metrics' })), 'names ignore the protocol');
});

t.test('the singular legacy inject-service-port is read when the plural is absent', async (t) => {
  const d = deployment({ annotations: 'telepresence.getambassador.io/inject-service-port: http' });
  t.same(of(await lintText(d + '---\n' + service(INCIDENT_PORTS)), RULE), []);
  const v219 = deployment({ annotations: 'telepresence.getambassador.io/inject-service-ports: http' });
  t.equal(of(await lintText(v219 + '---\n' + service(INCIDENT_PORTS), { facts: { 'telepresence.version': '2.19.1' } }), RULE).length, 1, 'plural unknown before 2.20');
});

t.test('inject-container-ports: reported at the annotation value; "all" only for unknown or 2.22+ versions', async (t) => {
  const d = deployment({ annotations: 'telepresence.io/inject-container-ports: all' });
  const f = of(await lintText(d), RULE);
  t.same(f.map((x) => [x.line, x.column, x.severity]), [[12, 61, 'warning']]);
  t.match(f[0]!.message, /^telepresence\.io\/inject-container-ports makes Telepresence/);
  t.same(of(await lintText(d, { facts: { 'telepresence.version': '2.21.3' } }), RULE), [], '2.21 does not read telepresence.io/ keys');
  const num = deployment({ annotations: 'telepresence.getambassador.io/inject-container-ports: "9091"' });
  t.equal(of(await lintText(num, { facts: { 'telepresence.version': '2.20.2' } }), RULE).length, 1);
  t.same(of(await lintText(num, { facts: { 'telepresence.version': '2.19.0' } }), RULE), [], 'not read before 2.20');
});

t.test('traffic-agent container and init containers are never intercept targets', async (t) => {
  const agent = '        - name: traffic-agent\n          image: ghcr.io/telepresenceio/tel2:2.20.2\n          ports: [{containerPort: 9091}]\n';
  t.same(of(await lintText(deployment({ extra: agent }) + '---\n' + service(INCIDENT_PORTS)), RULE), [], 'first match is the agent: skipped');
  const init = deployment({ ports: '            - {name: http, containerPort: 8081}\n' })
    .replace('    spec:\n      containers:', '    spec:\n      initContainers:\n        - {name: side, image: "x:1", restartPolicy: Always, ports: [{containerPort: 9091}]}\n      containers:');
  t.same(of(await lintText(init + '---\n' + service(INCIDENT_PORTS)), RULE), [], 'a sidecar port is not matched by Telepresence');
});

t.test('helm template output on stdin: findings carry the # Source: template', async (t) => {
  const rendered = `---
# Source: echo/templates/service.yaml
apiVersion: v1
kind: Service
metadata:
  name: release-echo
spec:
  selector:
    app.kubernetes.io/name: echo
  ports:
    - name: http
      port: 80
      targetPort: http
    - name: metrics
      port: 9091
      targetPort: 9091
---
# Source: echo/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: release-echo
spec:
  selector:
    matchLabels:
      app.kubernetes.io/name: echo
  template:
    metadata:
      labels:
        app.kubernetes.io/name: echo
    spec:
      containers:
        - name: echo
          image: "ghcr.io/example/echo:1.4.2"
          ports:
            - name: http
              containerPort: 8081
            - containerPort: 9091
`;
  const res = spawnSync(process.execPath, [CLI, '-', '--stdin-filename', 'rendered.yaml', '--format', 'json'], { input: rendered, cwd: ROOT, encoding: 'utf8' });
  t.equal(res.status, 0, 'warnings only: exit 0');
  const json = JSON.parse(res.stdout) as { findings: Array<Record<string, unknown>> };
  const mine = json.findings.filter((f) => f['ruleId'] === RULE);
  t.same(mine.map((f) => [f['file'], f['line'], f['column'], f['source']]), [['rendered.yaml', 14, 7, 'echo/templates/service.yaml']]);
  const unnamed = json.findings.filter((f) => f['ruleId'] === 'unnamed-container-port');
  t.same(unnamed.map((f) => [f['line'], f['source']]), [[38, 'echo/templates/deployment.yaml']]);
});

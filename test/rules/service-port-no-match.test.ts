import t from 'tap';
import { lintText, lintTexts, of } from '../helpers/harness.js';

const RULE = 'service-port-no-match';

const workload = (name: string, ports: string, labels = '{app: web}') => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}}
spec:
  selector:
    matchLabels: ${labels}
  template:
    metadata:
      labels: ${labels}
    spec:
      containers:
        - name: main
          image: ghcr.io/example/web:1.0.0
          ports: ${ports}
`;

const service = (ports: string) => `apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports:
${ports}`;

t.test('a named targetPort no selected container carries: error at the Service port, workloads related', async (t) => {
  const out = await lintTexts({
    'svc.yaml': service('    - {name: http, port: 80, targetPort: http}\n'),
    'deploy.yaml': workload('web', '[{name: web, containerPort: 8080}, {containerPort: 9090}]'),
  });
  const f = of(out.result.findings, RULE);
  t.same(f.map((x) => [x.file, x.line, x.column, x.severity, x.path]), [['svc.yaml', 7, 7, 'error', '/spec/ports/0']]);
  t.equal(
    f[0]!.message,
    'targetPort "http" of Service port "http" matches no TCP container port of Deployment "web", so the Service has no endpoints for it; ' +
      'use one of the declared port names, or name the container port "http"',
  );
  t.same(f[0]!.related.map((r) => [r.file, r.line, r.column, r.message]), [
    ['deploy.yaml', 12, 9, 'Deployment "web" declares container ports "web" (8080/TCP), 9090/TCP'],
  ]);
});

t.test('the name found in any selected workload is enough; protocol must agree', async (t) => {
  const a = workload('a', '[{name: web, containerPort: 8080}]', '{app: web, v: a}');
  const b = workload('b', '[{name: http, containerPort: 8080}]', '{app: web, v: b}');
  t.same(of(await lintText([a, b, service('    - {port: 80, targetPort: http}\n')].join('---\n')), RULE), []);
  const udp = of(await lintText([b, service('    - {port: 80, protocol: UDP, targetPort: http}\n')].join('---\n')), RULE);
  t.same(udp.map((x) => x.severity), ['error']);
  t.match(udp[0]!.message, /matches no UDP container port.*"http" is TCP in container "main"; make the protocols agree/);
});

t.test('numeric targetPorts: warning only when every selected workload declares ports and none has it', async (t) => {
  const w = workload('web', '[{name: http, containerPort: 8080}]');
  const f = of(await lintText([w, service('    - {port: 80, targetPort: 8081}\n    - {port: 8080}\n')].join('---\n')), RULE);
  t.same(f.map((x) => [x.line, x.severity]), [[22, 'warning']]);
  t.equal(f[0]!.message, 'Service port 80/TCP of Service "web" targets port 8081, which no container of Deployment "web" declares; check the number, or declare and name the port and target it by name');
  const portless = workload('web', '[]');
  t.same(of(await lintText([portless, service('    - {port: 80, targetPort: 8081}\n')].join('---\n')), RULE), [], 'nothing declared: quiet');
});

t.test('init containers: native sidecars count (numbers always, names from 1.32), plain init containers never', async (t) => {
  const w = workload('web', '[{name: http, containerPort: 8080}]').replace(
    '    spec:\n      containers:',
    '    spec:\n      initContainers:\n        - {name: side, image: "x:1", restartPolicy: Always, ports: [{name: admin, containerPort: 9901}]}\n' +
      '        - {name: setup, image: "x:1", ports: [{name: setup, containerPort: 9000}]}\n      containers:',
  );
  const svc = service('    - {name: a, port: 1, targetPort: admin}\n    - {name: b, port: 2, targetPort: 9901}\n    - {name: c, port: 3, targetPort: setup}\n    - {name: d, port: 4, targetPort: 9000}\n');
  const now = of(await lintText(w + '---\n' + svc), RULE);
  t.same(now.map((x) => [x.path, x.severity]), [['/spec/ports/2', 'error'], ['/spec/ports/3', 'warning']]);
  const old = of(await lintText(w + '---\n' + svc, { facts: { kubernetesVersion: '1.30' } }), RULE);
  t.same(old.map((x) => x.path), ['/spec/ports/0', '/spec/ports/2', '/spec/ports/3']);
  t.match(old[0]!.message, /only by native sidecar "side", whose named ports Services resolve from Kubernetes 1\.32/);
});

t.test('Services selecting nothing, without selector or of type ExternalName are left alone', async (t) => {
  const w = workload('web', '[{name: http, containerPort: 8080}]');
  const svcs = [
    'apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec:\n  selector: {app: other}\n  ports: [{port: 80, targetPort: nope}]\n',
    'apiVersion: v1\nkind: Service\nmetadata: {name: b}\nspec:\n  ports: [{port: 80, targetPort: nope}]\n',
    'apiVersion: v1\nkind: Service\nmetadata: {name: c}\nspec:\n  type: ExternalName\n  externalName: x.example.com\n  selector: {app: web}\n  ports: [{port: 80, targetPort: nope}]\n',
  ];
  t.same(of(await lintText([w, ...svcs].join('---\n')), RULE), []);
});

t.test('a Service in --context is never reported on', async (t) => {
  const out = await lintTexts({ 'deploy.yaml': workload('web', '[{name: web, containerPort: 8080}]') }, { context: { 'svc.yaml': service('    - {port: 80, targetPort: http}\n') } });
  t.same(of(out.result.findings, RULE), []);
});

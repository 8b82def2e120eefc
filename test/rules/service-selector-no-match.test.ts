import t from 'tap';
import { lintText, lintTexts, of } from '../helpers/harness.js';

const RULE = 'service-selector-no-match';

const deploy = (name: string, labels: string, ns = 'default') => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: ${ns}}
spec:
  selector:
    matchLabels: ${labels}
  template:
    metadata:
      labels: ${labels}
    spec:
      containers: [{name: main, image: "ghcr.io/example/app:1.0.0"}]
`;
const svc = (selector: string, ns = 'default', extra = '') => `apiVersion: v1
kind: Service
metadata: {name: web, namespace: ${ns}}
spec:
${extra}  selector: ${selector}
  ports: [{port: 80}]
`;

t.test('info at the selector, with the closest workload as related location', async (t) => {
  const out = await lintTexts({ 'svc.yaml': svc('{app: web, tier: frontend}'), 'd.yaml': deploy('web', '{app: web, tier: front}') + '---\n' + deploy('db', '{app: db}') });
  const f = of(out.result.findings, RULE);
  t.same(f.map((x) => [x.file, x.line, x.column, x.endColumn, x.severity, x.path]), [['svc.yaml', 5, 13, 39, 'info', '/spec/selector']]);
  t.equal(
    f[0]!.message,
    'selector app=web, tier=frontend of Service "web" matches no pod template among the 2 workloads of namespace "default"; ' +
      'closest: Deployment "web", whose pod template has tier=front, not frontend',
  );
  t.same(f[0]!.related.map((r) => [r.file, r.line, r.column]), [['d.yaml', 9, 15]]);
});

t.test('labels on the workload metadata do not count, only the pod template', async (t) => {
  const d = deploy('web', '{app: web}').replace('metadata: {name: web, namespace: default}', 'metadata: {name: web, namespace: default, labels: {tier: frontend}}');
  const f = of(await lintText(d + '---\n' + svc('{app: web, tier: frontend}')), RULE);
  t.match(f[0]!.message, /whose pod template lacks tier=frontend$/);
});

t.test('quiet: a match, no workloads in the namespace, no selector, ExternalName', async (t) => {
  t.same(of(await lintText(deploy('web', '{app: web}') + '---\n' + svc('{app: web}')), RULE), []);
  t.same(of(await lintText(deploy('web', '{app: web}', 'other') + '---\n' + svc('{app: nope}')), RULE), [], 'other namespace only');
  t.same(of(await lintText(deploy('web', '{app: web}') + '---\n' + svc('{}')), RULE), [], 'empty selector');
  t.same(of(await lintText(deploy('web', '{app: web}') + '---\n' + svc('{app: nope}', 'default', '  type: ExternalName\n  externalName: x.example.com\n')), RULE), []);
});

t.test('a CronJob, a bare Pod or a DaemonSet counts as a workload the Service can select', async (t) => {
  const cron = 'apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec:\n  schedule: "* * * * *"\n  jobTemplate:\n    spec:\n      template:\n        metadata: {labels: {app: web}}\n        spec: {containers: [{name: c, image: "x:1"}]}\n';
  const pod = 'apiVersion: v1\nkind: Pod\nmetadata: {name: p, labels: {app: web}}\nspec: {containers: [{name: c, image: "x:1"}]}\n';
  for (const w of [cron, pod, deploy('d', '{app: web}').replace('kind: Deployment', 'kind: DaemonSet')]) {
    t.same(of(await lintText(w + '---\n' + svc('{app: web}')), RULE), []);
  }
});

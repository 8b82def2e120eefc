import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, lintText, of } from '../helpers/harness.js';
import { advisories, advisoryMessage, affects, validateAdvisories, type Advisory } from '../../rules/known-issue.js';

const ID = 'known-issue';
const byId = (id: string) => advisories().find((a) => a.id === id)!;

t.test('the database loads and every advisory names its fix and upstream issue', async (t) => {
  const list = advisories();
  t.same(list.map((a) => a.id), [
    'linkerd-debug-image-annotations-ignored',
    'linkerd-native-sidecar-unsupported',
    'telepresence-proxy-via-connect-race',
    'spegel-hostport-mirror-first',
  ]);
  for (const a of list) t.match(advisoryMessage(a, { toolVersion: 'X', source: 'S', key: 'k', item: 'i', other: 'o' }), /\((fixed in .+|no release .+); https:\/\/github\.com\/[^/]+\/[^/]+\/(issues|pull)\/\d+\)$/, a.id);
});

t.test('bad data is rejected with the advisory id', async (t) => {
  const good = byId('telepresence-proxy-via-connect-race');
  const bad = (patch: Partial<Advisory> | Record<string, unknown>) => () => validateAdvisories([{ ...good, ...patch }]);
  t.throws(bad({ trigger: { kind: 'annotation-absent' } }), /advisory "telepresence-proxy-via-connect-race": unknown trigger kind "annotation-absent"/);
  t.throws(bad({ affected: [{ before: '2.21.x' }] }), /"2.21.x" is not a Telepresence version/);
  t.throws(bad({ tool: 'istio' }), /unknown tool "istio"/);
  t.throws(bad({ references: ['see the changelog'] }), /references must start/);
  t.throws(bad({ fixed: null }), /name the fixed version/);
  t.throws(bad({ affected: undefined }), /fact-only advisory needs affected versions/);
  t.throws(() => validateAdvisories([good, good]), /repeated id/);
  t.throws(() => validateAdvisories([{ ...byId('linkerd-debug-image-annotations-ignored'), affected: [{ from: 'stable-2.9.0', before: 'edge-25.3.3' }] }]), /not comparable/);
});

t.test('affected ranges: the debug-image bug from 2.9.0 / edge-20.10.2 up to edge-25.3.2', async (t) => {
  const a = byId('linkerd-debug-image-annotations-ignored');
  for (const yes of ['stable-2.14.10', '2.17.0', 'enterprise-2.17.1', 'enterprise-2.17.1-3', 'v2.15.7', 'edge-24.2.4', 'edge-25.3.2', 'edge-20.10.2', 'stable-2.9.0']) t.ok(affects(a, yes), yes);
  for (const no of ['edge-25.3.3', 'edge-25.4.4', '2.18.0', 'enterprise-2.18.0', 'stable-2.8.1', 'edge-20.10.1']) t.notOk(affects(a, no), no);
  const n = byId('linkerd-native-sidecar-unsupported');
  t.ok(affects(n, 'stable-2.14.10'));
  t.ok(affects(n, 'edge-23.11.3'));
  t.notOk(affects(n, 'edge-23.11.4'));
  t.notOk(affects(n, 'enterprise-2.15.0'));
  const tp = byId('telepresence-proxy-via-connect-race');
  for (const yes of ['2.21.2', '2.19.0', 'v2.21.1']) t.ok(affects(tp, yes), yes);
  for (const no of ['2.21.3', '2.22.0', '2.18.9']) t.notOk(affects(tp, no), no);
  t.ok(affects(byId('spegel-hostport-mirror-first'), 'v0.7.4'), 'no affected list: every version');
});

const SPEGEL = (args: string, hostPort = 'hostPort: 30020') => `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: spegel, namespace: spegel}
spec:
  selector: {matchLabels: {app: spegel}}
  template:
    metadata: {labels: {app: spegel}}
    spec:
      initContainers:
        - name: configuration
          image: ghcr.io/spegel-org/spegel:v0.0.30
          args: ${args}
      containers:
        - name: registry
          image: ghcr.io/spegel-org/spegel:v0.0.30
          ports: [{name: registry, containerPort: 5000, ${hostPort}}]
`;

t.test('Spegel mirror order: hostPort before NodePort, in every argument spelling', async (t) => {
  const f = of(await lintText(SPEGEL('[configuration, "--mirror-registries=http://$(NODE_IP):30020,http://$(NODE_IP):30021"]')), ID);
  t.same(f.map((x) => [x.severity, x.line, x.column, x.related.map((r) => [r.line, r.message])]), [
    ['warning', 12, 33, [[12, '"http://$(NODE_IP):30021" comes later'], [16, 'the host port 30020 is declared here']]],
  ]);
  t.match(f[0]!.message, 'Spegel v0.0.30 writes the hostPort mirror "http://$(NODE_IP):30020" ahead of the NodePort mirror "http://$(NODE_IP):30021"');
  t.match(f[0]!.message, 'https://github.com/spegel-org/spegel/issues/739');
  t.same(of(await lintText(SPEGEL('[configuration, --mirror-registries, "http://$(NODE_IP):30021", "http://$(NODE_IP):30020"]')), ID), [], 'NodePort first: quiet');
  t.same(of(await lintText(SPEGEL('[configuration, --mirror-registries, "http://$(NODE_IP):30020", "http://$(NODE_IP):30021"]', 'protocol: TCP')), ID), [], 'no hostPort in the pod: quiet');
  t.same(of(await lintText(SPEGEL('[configuration, --registries, "http://$(NODE_IP):30020", --mirror-registries, "http://$(NODE_IP):30021"]')), ID), [], 'items of another flag do not count');
});

t.test('debug-image keys: pod template and Namespace, never the workload metadata; quiet without a version', async (t) => {
  const dep = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  annotations: {config.linkerd.io/debug-image-version: stable-2.14.10}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata:
      labels: {app: web}
      annotations: {config.linkerd.io/debug-image-version: stable-2.14.10}
    spec: {containers: [{name: web, image: "nginx:1.27"}]}
`;
  const f = of(await lintText(dep, { facts: { 'linkerd.controlPlaneVersion': 'stable-2.14.10' } }), ID);
  t.same(f.map((x) => [x.line, x.column, x.endColumn]), [[11, 21, 58]]);
  t.same(of(await lintText(dep), ID), [], 'control plane unknown: quiet');
  t.same(of(await lintText(dep, { facts: { 'linkerd.controlPlaneVersion': 'linkerd-version' } }), ID), [], 'control plane unparseable: quiet here (linkerd-version-mismatch reports it)');
});

t.test('end to end: Telepresence advisory from the flag alone is a warning, exit 0', async (t) => {
  const cwd = mkdtempSync(join(tmpdir(), 'kp-known-'));
  const r = spawnSync(process.execPath, [CLI, '--telepresence-version', '2.21.2', '--no-color'], { cwd, encoding: 'utf8' });
  t.equal(r.status, 0);
  t.match(r.stdout, 'warning  Telepresence 2.21.2 (--telepresence-version): if you connect with `telepresence connect --proxy-via CIDR=WORKLOAD`');
  t.match(r.stdout, '(fixed in Telepresence 2.21.3; https://github.com/telepresenceio/telepresence/issues/3781)');
  const fixed = spawnSync(process.execPath, [CLI, '--telepresence-version', '2.21.3', '--no-color'], { cwd, encoding: 'utf8' });
  t.equal(fixed.status, 0);
  t.match(fixed.stdout, 'no problems');
});

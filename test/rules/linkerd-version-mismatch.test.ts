import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, lintText, lintTexts, of } from '../helpers/harness.js';
import { classifyLinkerdVersion, linkerdSkew, parseLinkerdVersion, sameLinkerdVersion } from '../../src/linkerd-version.js';
import { parseYamlValue } from '../../src/yaml-source.js';
import type { EngineFinding } from '../../src/engine.js';

const ID = 'linkerd-version-mismatch';
const v = (s: string) => {
  const r = parseLinkerdVersion(s);
  if (!r.ok) throw new Error(r.error);
  return r.version;
};
const brief = (f: EngineFinding) => [f.severity, f.line, f.column, f.endLine, f.endColumn];

t.test('placeholders are unknown, real-looking malformed versions are not', async (t) => {
  for (const p of ['linkerd-version', 'dev-undefined', 'install-control-plane-version', 'LinkerdVersion', 'linkerdVersionValue', 'git-a94122bf', 'latest', 'override', 'CliVersion', 'test-version', 'dev-0.1.2-3']) {
    t.equal(classifyLinkerdVersion(p).kind, 'placeholder', p);
  }
  for (const m of ['stable-2.14', 'edge-24.13.1', '2.17', 'v3.0.0', 'enterprise-latest', 'stable-2.14.10.1']) t.equal(classifyLinkerdVersion(m).kind, 'malformed', m);
  t.equal(classifyLinkerdVersion('stable-2.14.10').kind, 'version');
});

t.test('same release and skew severity', async (t) => {
  t.ok(sameLinkerdVersion(v('2.17.0'), v('enterprise-2.17.0')), 'plain matches enterprise');
  t.ok(sameLinkerdVersion(v('v2.14.10'), v('stable-2.14.10')), 'plain matches stable');
  t.notOk(sameLinkerdVersion(v('stable-2.17.0'), v('enterprise-2.17.0')), 'stable and enterprise are different channels');
  t.notOk(sameLinkerdVersion(v('enterprise-2.17.1'), v('enterprise-2.17.1-1')), 'a hotpatch is another release');
  t.equal(linkerdSkew(v('edge-24.10.1'), v('edge-24.10.1')), null);
  t.same(linkerdSkew(v('2.15.7'), v('enterprise-2.17.0')), { severity: 'error', reason: 'the release lines 2.15 and 2.17 differ' });
  t.same(linkerdSkew(v('edge-24.2.4'), v('stable-2.14.10')), { severity: 'error', reason: 'the channels edge and stable differ (lines 2.15 and 2.14)' });
  t.same(linkerdSkew(v('edge-24.11.8'), v('enterprise-2.17.0')), { severity: 'error', reason: 'the channels edge and enterprise differ (both on the 2.17 line)' });
  t.same(linkerdSkew(v('edge-24.10.1'), v('edge-24.11.8')), { severity: 'warning', reason: 'they are different releases of the 2.17 line' });
  t.same(linkerdSkew(v('edge-24.11.8'), v('edge-25.1.1')), { severity: 'error', reason: 'the release lines 2.17 and 2.18 differ' });
  t.same(linkerdSkew(v('edge-26.7.1'), v('edge-26.6.3')), { severity: 'error', reason: 'they belong to different release lines' }, 'an unmapped edge is past the last mapped line');
  t.same(linkerdSkew(v('edge-26.7.1'), v('edge-26.8.2')), { severity: 'warning', reason: 'they are different releases' }, 'two unmapped edges: line unknown, no error claimed');
  t.same(linkerdSkew(v('enterprise-2.17.1-2'), v('enterprise-2.17.1')), { severity: 'warning', reason: 'the hotpatches differ (2 and 0)' });
});

t.test('parseYamlValue reads the embedded values string and never throws', async (t) => {
  t.same(parseYamlValue('linkerdVersion: stable-2.14.10\n'), { ok: true, value: { linkerdVersion: 'stable-2.14.10' } });
  const bad = parseYamlValue('a: [1,\n');
  t.equal(bad.ok, false);
  t.equal(parseYamlValue('a: 1\n---\nb: 2\n').ok, false, 'two documents');
  t.equal(parseYamlValue('a: 1\na: 2\n').ok, false, 'duplicate keys');
});

const CONFIG = (version: string, ns = 'linkerd') => `apiVersion: v1
kind: ConfigMap
metadata:
  name: linkerd-config
  namespace: ${ns}
data:
  values: |
    linkerdVersion: ${version}
`;

t.test('the control plane from a manifest: the CLI finding is at the ConfigMap values', async (t) => {
  const f = of(await lintText(CONFIG('enterprise-2.17.0'), { facts: { 'linkerd.cliVersion': '2.15.7' } }), ID);
  t.same(f.map(brief), [['error', 7, 11, 8, 38]]);
  t.equal(f[0]!.path, '/data/values');
  t.match(f[0]!.message, 'Linkerd CLI 2.15.7 (--linkerd-cli-version) does not match the control plane enterprise-2.17.0 (ConfigMap linkerd/linkerd-config, linkerdVersion in data.values)');
});

t.test('a values string that is not YAML, or without linkerdVersion, gives no fact and no finding', async (t) => {
  const broken = `apiVersion: v1
kind: ConfigMap
metadata: {name: linkerd-config, namespace: linkerd}
data:
  values: "linkerdVersion: [stable-2.14.10"
`;
  t.same(of(await lintText(broken, { facts: { 'linkerd.cliVersion': '2.15.7' } }), ID), []);
  t.same(of(await lintText(CONFIG('null'), { facts: { 'linkerd.cliVersion': '2.15.7' } }), ID), []);
});

t.test('created-by: control-plane workloads only, cli and helm only', async (t) => {
  const workload = (labels: string, createdBy: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: w
  namespace: linkerd
  labels: {${labels}}
  annotations: {linkerd.io/created-by: "${createdBy}"}
spec:
  selector: {matchLabels: {app: w}}
  template:
    metadata: {labels: {app: w}}
    spec: {containers: [{name: w, image: "x:1"}]}
`;
  const facts = { 'linkerd.cliVersion': 'stable-2.14.10' } as const;
  const cp = of(await lintText(workload('linkerd.io/control-plane-component: destination', 'linkerd/helm stable-2.14.9'), { facts }), ID);
  t.same(cp.map(brief), [['warning', 7, 40, 7, 68]]);
  t.match(cp[0]!.message, 'control plane stable-2.14.9 (Deployment linkerd/w, annotation linkerd.io/created-by)');
  t.same(of(await lintText(workload('linkerd.io/control-plane-ns: linkerd', 'linkerd/cli stable-2.14.9'), { facts }), ID).length, 1, 'control-plane-ns equal to its own namespace');
  t.same(of(await lintText(workload('linkerd.io/extension: viz, linkerd.io/control-plane-ns: linkerd', 'linkerd/cli stable-2.14.9'), { facts }), ID), [], 'extensions carry their own version');
  t.same(of(await lintText(workload('linkerd.io/control-plane-component: destination', 'linkerd/proxy-injector stable-2.14.9'), { facts }), ID), [], 'the injector stamp is not the install');
  t.same(of(await lintText(workload('app: web', 'linkerd/cli stable-2.14.9'), { facts }), ID), [], 'an injected app is not the control plane');
});

t.test('many created-by sources that disagree with linkerd-config are reported once, counted', async (t) => {
  const dep = (name: string) => `---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: linkerd
  labels: {linkerd.io/control-plane-component: ${name}}
  annotations: {linkerd.io/created-by: linkerd/cli stable-2.14.9}
spec:
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec: {containers: [{name: c, image: "x:1"}]}
`;
  // created-by comes first in the file, yet linkerd-config is the source in force.
  const f = of(await lintText(dep('identity') + dep('destination') + dep('proxy-injector') + '---\n' + CONFIG('stable-2.14.10')), ID);
  t.same(f.map((x) => [x.severity, x.line]), [['warning', 8]]);
  t.match(f[0]!.message, 'Linkerd control-plane version stable-2.14.9 from Deployment linkerd/identity, annotation linkerd.io/created-by (and 2 more workloads) disagrees with stable-2.14.10 from ConfigMap linkerd/linkerd-config');
});

t.test('a flag against a control plane read from a --context file: no location, the file is named', async (t) => {
  const out = await lintTexts({ 'app.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata: {name: app}\n' }, {
    facts: { 'linkerd.controlPlaneVersion': 'stable-2.14.10' },
    context: { 'cluster/linkerd.yaml': CONFIG('stable-2.14.8') },
  });
  const f = of(out.result.findings as EngineFinding[], ID);
  t.same(f.map((x) => [x.severity, x.file, x.line]), [['warning', null, null]]);
  t.match(f[0]!.message, 'stable-2.14.8 from ConfigMap linkerd/linkerd-config, linkerdVersion in data.values in cluster/linkerd.yaml disagrees with stable-2.14.10 from --linkerd-version, which is used');
});

t.test('flag and config disagree', async (t) => {
  const f = of(await lintText('# nothing\n', { facts: { 'linkerd.controlPlaneVersion': 'stable-2.14.10' }, config: { linkerd: { controlPlaneVersion: 'edge-24.2.4' } } }), ID);
  t.same(f.map((x) => [x.severity, x.line]), [['error', null]]);
  t.match(f[0]!.message, 'edge-24.2.4 from config linkerd.controlPlaneVersion disagrees with stable-2.14.10 from --linkerd-version');
});

t.test('Namespace proxy-version pins are inherited and checked; a Namespace debug-image-version is not', async (t) => {
  const f = of(await lintText(`apiVersion: v1
kind: Namespace
metadata:
  name: shop
  annotations:
    config.linkerd.io/proxy-version: stable-2.14.9
    config.linkerd.io/debug-image-version: edge-24.2.4
`, { facts: { 'linkerd.controlPlaneVersion': 'stable-2.14.10' } }), ID);
  t.same(f.map(brief), [['warning', 6, 38, 6, 51]]);
  t.match(f[0]!.message, "inherited by the namespace's pods");
});

t.test('the proxy is looked up in initContainers first', async (t) => {
  const f = of(await lintText(`apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  initContainers:
    - {name: linkerd-proxy, image: "cr.l5d.io/linkerd/proxy:stable-2.14.9", restartPolicy: Always}
  containers:
    - {name: linkerd-proxy, image: "cr.l5d.io/linkerd/proxy:edge-24.2.4"}
`, { facts: { 'linkerd.controlPlaneVersion': 'stable-2.14.10' } }), ID);
  t.same(f.map(brief), [['warning', 6, 36, 6, 75]]);
  t.match(f[0]!.message, 'native sidecar linkerd-proxy image tag "stable-2.14.9"');
});

t.test('end to end: a pure preflight from flags prints the mismatch and sets the exit status', async (t) => {
  const cwd = mkdtempSync(join(tmpdir(), 'kp-versions-'));
  const bad = spawnSync(process.execPath, [CLI, '--linkerd-cli-version', '2.15.7', '--linkerd-version', 'enterprise-2.17.0', '--no-color'], { cwd, encoding: 'utf8' });
  t.equal(bad.status, 1, 'exit 1 on a line mismatch');
  t.match(bad.stdout, '(cluster facts)');
  t.match(bad.stdout, 'error    Linkerd CLI 2.15.7 (--linkerd-cli-version) does not match the control plane enterprise-2.17.0 (--linkerd-version): the release lines 2.15 and 2.17 differ');
  t.match(bad.stdout, '1 problem (1 error, 0 warnings, 0 infos) in 0 files, 0 resources');
  t.equal(bad.stderr, '');
  const good = spawnSync(process.execPath, [CLI, '--linkerd-cli-version', 'enterprise-2.17.0', '--linkerd-version', '2.17.0', '--no-color'], { cwd, encoding: 'utf8' });
  t.equal(good.status, 0, 'exit 0 when they match');
  t.match(good.stdout, 'no problems (0 files, 0 resources)');
  const json = spawnSync(process.execPath, [CLI, '--linkerd-cli-version', 'stable-2.14.9', '--linkerd-version', 'stable-2.14.10', '--format', 'json'], { cwd, encoding: 'utf8' });
  t.equal(json.status, 0, 'a patch skew is a warning: exit 0');
  const out = JSON.parse(json.stdout) as { findings: Array<Record<string, unknown>> };
  t.same(out.findings.map((f) => [f['ruleId'], f['severity'], f['file'], f['line']]), [[ID, 'warning', null, null]]);
  const typo = spawnSync(process.execPath, [CLI, '--linkerd-version', 'stable-2.14', '--no-color'], { cwd, encoding: 'utf8' });
  t.equal(typo.status, 1, 'an unparseable flag is an error finding, not a crash');
  t.match(typo.stdout, 'Linkerd control-plane version from --linkerd-version: "stable-2.14" is not a Linkerd version');
});

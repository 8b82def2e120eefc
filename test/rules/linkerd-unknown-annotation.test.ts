import t from 'tap';
import { lintText, lintTexts, of } from '../helpers/harness.js';
import { classify, distance } from '../../src/linkerd-keys.js';

const pod = (annotations: string, labels = '') => `apiVersion: v1
kind: Pod
metadata:
  name: web
  annotations:
${annotations}${labels ? `  labels:\n${labels}` : ''}spec:
  containers:
    - name: web
      image: example/web:1.0
`;

t.test('the incident: named candidates per line, fixable only once the version picks one', async (t) => {
  const text = pod('    config.linkerd.io/proxy-native-sidecar: "true"\n');
  const none = of(await lintText(text), 'linkerd-unknown-annotation');
  t.same(none.map((f) => [f.severity, f.line, f.column, f.endColumn, f.fixable]), [['error', 6, 5, 43, false]]);
  t.match(none[0]!.message, '"config.alpha.linkerd.io/proxy-enable-native-sidecar" (Linkerd 2.15-2.18), "config.beta.linkerd.io/proxy-enable-native-sidecar" (Linkerd 2.19) or "config.linkerd.io/proxy-enable-native-sidecar" (Linkerd 2.20+)');
  for (const [v, want] of [
    ['stable-2.15.0', 'config.alpha.linkerd.io/proxy-enable-native-sidecar'],
    ['enterprise-2.18.1', 'config.alpha.linkerd.io/proxy-enable-native-sidecar'],
    ['edge-25.10.7', 'config.beta.linkerd.io/proxy-enable-native-sidecar'],
    ['2.20.0', 'config.linkerd.io/proxy-enable-native-sidecar'],
  ] as const) {
    const f = of(await lintText(text, { facts: { 'linkerd.controlPlaneVersion': v } }), 'linkerd-unknown-annotation');
    const out = await lintTexts({ 'p.yaml': text }, { facts: { 'linkerd.controlPlaneVersion': v }, fix: 'dry-run' });
    t.equal(f.length, 1, v);
    t.equal(f[0]!.fixable, true, `${v} fixable`);
    t.match(f[0]!.message, `did you mean "${want}"`, v);
    t.equal(out.fixed[0]!.after, text.replace('config.linkerd.io/proxy-native-sidecar', want), `${v} fix keeps the value`);
  }
  // 2.14 has no native sidecar: the rename has no target on that line, so every spelling is named, none fixable.
  const old = of(await lintText(text, { facts: { 'linkerd.controlPlaneVersion': 'stable-2.14.10' } }), 'linkerd-unknown-annotation');
  t.equal(old[0]!.fixable, false);
});

t.test('typos in annotations and labels, inside and outside the prefixes', async (t) => {
  const f = of(await lintText(pod(
    '    linkerd.io/injet: enabled\n    Viz.linkerd.io/disable-tap: "true"\n    config.linkerd.i0/proxy-cpu-request: 100m\n    conifg.linkerd.io/proxy-cpu-limit: "1"\n    policy.linkerd.io/server: web\n',
    '    linkerd.io/proxy-deploymnet: web\n',
  )), 'linkerd-unknown-annotation');
  t.same(f.map((x) => [x.line, x.column, x.fixable]), [[6, 5, true], [7, 5, true], [8, 5, true], [9, 5, true], [10, 5, false], [12, 5, true]]);
  t.match(f[0]!.message, '"linkerd.io/injet" is not an annotation Linkerd reads, so it is silently ignored; did you mean "linkerd.io/inject"?');
  t.match(f[2]!.message, 'looks like a misspelled Linkerd key (prefix "config.linkerd.i0/")');
  t.match(f[4]!.message, 'check the spelling');
  t.match(f[5]!.message, 'is not a label Linkerd reads');
});

t.test('other projects\' keys are not near misses', async (t) => {
  for (const k of ['kubernetes.io/ingress.class', 'linkerd.example.com/inject', 'app.kubernetes.io/name', 'linkerd-inject',
    'traffic.sidecar.istio.io/excludeOutboundPorts', 'sidecar.istio.io/inject', 'prometheus.io/port', 'config.kubernetes.io/index']) {
    t.equal(classify(k).status, 'foreign', k);
  }
  t.equal(classify('config.linkerd.io/proxy-cpu-limit').status, 'known');
  // A prefix two edits from linkerd.io with a Linkerd key name is taken as a slip.
  t.same(classify('linkerd.com/inject'), { status: 'near', candidates: ['linkerd.io/inject'] });
  t.same(classify('linkerd.io/opaque-ports'), { status: 'unknown', candidates: ['config.linkerd.io/opaque-ports'] });
});

t.test('a rename into a key the map already has is reported without a fix', async (t) => {
  const f = of(await lintText(pod('    linkerd.io/inject: enabled\n    linkerd.io/injet: enabled\n')), 'linkerd-unknown-annotation');
  t.equal(f.length, 1);
  t.equal(f[0]!.fixable, false);
  t.match(f[0]!.message, 'would then appear twice');
});

t.test('edit distance counts an adjacent swap once and stops past the budget', async (t) => {
  t.equal(distance('config', 'conifg'), 1);
  t.equal(distance('inject', 'injet'), 1);
  t.equal(distance('abcdef', 'uvwxyz', 2), 3);
});

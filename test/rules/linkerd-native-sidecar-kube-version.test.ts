import t from 'tap';
import { lintText, of } from '../helpers/harness.js';

const text = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata:
      labels: {app: web}
      annotations:
        config.beta.linkerd.io/proxy-enable-native-sidecar: "True"
    spec:
      containers: [{name: web, image: example/web:1.0}]
`;

t.test('error below 1.28, warning on 1.28, quiet from 1.29 and on the default version', async (t) => {
  const at = async (kube?: string) => of(await lintText(text, kube ? { facts: { kubernetesVersion: kube } } : {}), 'linkerd-native-sidecar-kube-version');
  const old = await at('1.26');
  t.same(old.map((f) => [f.severity, f.line, f.column, f.endColumn]), [['error', 11, 61, 67]]);
  t.equal(old[0]!.message, '"config.beta.linkerd.io/proxy-enable-native-sidecar" turns on Linkerd\'s native sidecar, which needs Kubernetes 1.29+ (SidecarContainers); the cluster is 1.26 (--kube-version): set it to "false" or upgrade');
  t.same((await at('1.28')).map((f) => f.severity), ['warning']);
  t.same(await at('1.29'), []);
  t.same(await at(), [], 'the built-in default is not acted on');
  const cfg = of(await lintText(text, { config: { kubernetesVersion: '1.27' } }), 'linkerd-native-sidecar-kube-version');
  t.same(cfg.map((f) => f.severity), ['error'], 'the config file counts');
});

t.test('only keys the target version reads count, in precedence order', async (t) => {
  const kube = { kubernetesVersion: '1.27' };
  t.same(of(await lintText(text, { facts: { ...kube, 'linkerd.controlPlaneVersion': 'enterprise-2.18.0' } }), 'linkerd-native-sidecar-kube-version'), [], 'beta is not read by 2.18');
  t.equal(of(await lintText(text, { facts: { ...kube, 'linkerd.controlPlaneVersion': 'edge-25.10.7' } }), 'linkerd-native-sidecar-kube-version').length, 1);
  const off = text.replace('"True"\n', '"True"\n        config.linkerd.io/proxy-enable-native-sidecar: "false"\n');
  t.same(of(await lintText(off, { facts: kube }), 'linkerd-native-sidecar-kube-version'), [], 'the stable key decides');
});

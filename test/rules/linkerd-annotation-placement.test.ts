import t from 'tap';
import { lintText, of } from '../helpers/harness.js';

t.test('#4125: inject on the Deployment itself, unless the pod template carries the same value', async (t) => {
  const text = (copy: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  annotations:
    linkerd.io/inject: enabled
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata:
      labels: {app: web}
      annotations: {${copy}}
    spec:
      containers: [{name: web, image: example/web:1.0}]
`;
  const f = of(await lintText(text('')), 'linkerd-annotation-placement');
  t.same(f.map((x) => [x.severity, x.line, x.column, x.endColumn]), [['error', 6, 5, 22]]);
  t.equal(f[0]!.message, '"linkerd.io/inject" on the Deployment\'s own metadata has no effect: Linkerd reads it from the pods; move it to spec.template.metadata.annotations');
  t.same(of(await lintText(text('linkerd.io/inject: enabled')), 'linkerd-annotation-placement'), []);
  t.equal(of(await lintText(text('linkerd.io/inject: disabled')), 'linkerd-annotation-placement').length, 1, 'a different value is not a copy');
});

t.test('labels vs annotations, Services vs pods, Namespaces', async (t) => {
  const f = of(await lintText(`apiVersion: v1
kind: Pod
metadata:
  name: p
  labels:
    linkerd.io/inject: enabled
  annotations:
    retry.linkerd.io/limit: "3"
spec:
  containers: [{name: web, image: example/web:1.0}]
---
apiVersion: v1
kind: Service
metadata:
  name: s
  annotations:
    mirror.linkerd.io/exported: "true"
    config.linkerd.io/proxy-await: enabled
spec:
  ports: [{port: 80}]
---
apiVersion: v1
kind: Namespace
metadata:
  name: n
  annotations:
    config.linkerd.io/debug-image-pull-policy: Always
    config.linkerd.io/enable-gateway: "true"
    config.linkerd.io/proxy-log-level: info
`), 'linkerd-annotation-placement');
  t.same(f.map((x) => [x.line, x.column]), [[6, 5], [8, 5], [17, 5], [18, 5], [27, 5], [28, 5]]);
  t.match(f[0]!.message, 'is a Linkerd annotation, used here as a label');
  t.match(f[1]!.message, '"retry.linkerd.io/limit" on a Pod has no effect: Linkerd reads it on the Service, an HTTPRoute or a GRPCRoute');
  t.match(f[2]!.message, '"mirror.linkerd.io/exported" is a Linkerd label, used here as an annotation');
  t.match(f[3]!.message, 'on a Service has no effect: Linkerd reads it on the pod template or the Namespace');
  t.match(f[4]!.message, 'is not passed on to its pods');
});

t.test('beta native-sidecar key on a Namespace: inherited by 2.19, not by 2.20, quiet without a version', async (t) => {
  const text = `apiVersion: v1
kind: Namespace
metadata:
  name: n
  annotations:
    config.beta.linkerd.io/proxy-enable-native-sidecar: "true"
`;
  t.same(of(await lintText(text), 'linkerd-annotation-placement'), []);
  t.same(of(await lintText(text, { facts: { 'linkerd.controlPlaneVersion': 'edge-25.10.7' } }), 'linkerd-annotation-placement'), []);
  const f = of(await lintText(text, { facts: { 'linkerd.controlPlaneVersion': 'edge-26.6.3' } }), 'linkerd-annotation-placement');
  t.equal(f.length, 1);
  t.match(f[0]!.message, 'use "config.linkerd.io/proxy-enable-native-sidecar", which it inherits');
});

import t from 'tap';
import { lintText, of } from '../helpers/harness.js';
import { catalogue, linkerdTarget, reads } from '../../src/linkerd-keys.js';
import { Facts } from '../../src/facts.js';

const target = (v: string) => linkerdTarget(new Facts({ flags: { 'linkerd.controlPlaneVersion': v }, config: {} }));
const e = (k: string) => catalogue().byKey.get(k)!.find((x) => x.kind === 'annotation')!;

t.test('which versions read a key: lines, first edges, stable patches, removals', async (t) => {
  const alpha = e('config.alpha.linkerd.io/proxy-enable-native-sidecar');
  t.equal(reads(alpha, target('stable-2.14.10')), false);
  t.equal(reads(alpha, target('edge-23.11.3')), false, 'before its first edge, although on the 2.15 line');
  t.equal(reads(alpha, target('edge-23.11.4')), true);
  t.equal(reads(alpha, target('2.20.0')), true, 'still read, deprecated');
  const pd = e('config.linkerd.io/proxy-disable-inbound-protocol-detect-timeout');
  t.equal(reads(pd, target('stable-2.14.3')), false);
  t.equal(reads(pd, target('stable-2.14.4')), true);
  const init = e('config.linkerd.io/init-image');
  t.equal(reads(init, target('edge-25.11.2')), true, 'the 2.20 line before the merge');
  t.equal(reads(init, target('edge-25.11.3')), false);
  t.equal(reads(init, target('enterprise-2.20.0')), false);
  t.equal(target('banana').known, false);
  t.equal(target('stable-2.13.4').known, false, 'outside the catalogue: union, quiet');
  t.equal(target('edge-26.7.1').known, false, 'an edge past the last mapped line');
});

t.test('native-sidecar prefixes per line, with the right key in the message', async (t) => {
  const text = `apiVersion: v1
kind: Pod
metadata:
  name: p
  annotations:
    config.alpha.linkerd.io/proxy-enable-native-sidecar: "true"
    config.beta.linkerd.io/proxy-enable-native-sidecar: "true"
    config.linkerd.io/proxy-enable-native-sidecar: "true"
spec:
  containers: [{name: web, image: example/web:1.0}]
`;
  t.same(of(await lintText(text), 'linkerd-annotation-version'), [], 'quiet without a version');
  const at = async (v: string) => of(await lintText(text, { facts: { 'linkerd.controlPlaneVersion': v } }), 'linkerd-annotation-version')
    .map((f) => [f.line, f.severity, /use "([^"]+)"/.exec(f.message)?.[1] ?? '']);
  t.same(await at('stable-2.14.10'), [[6, 'warning', ''], [7, 'warning', ''], [8, 'warning', '']]);
  t.same(await at('edge-24.11.8'), [
    [7, 'warning', 'config.alpha.linkerd.io/proxy-enable-native-sidecar'],
    [8, 'warning', 'config.alpha.linkerd.io/proxy-enable-native-sidecar'],
  ]);
  t.same(await at('edge-25.10.7'), [
    [6, 'info', 'config.beta.linkerd.io/proxy-enable-native-sidecar'],
    [8, 'warning', 'config.beta.linkerd.io/proxy-enable-native-sidecar'],
  ]);
  t.same(await at('edge-26.6.3'), [
    [6, 'info', 'config.linkerd.io/proxy-enable-native-sidecar'],
    [7, 'info', 'config.linkerd.io/proxy-enable-native-sidecar'],
  ]);
  const f = of(await lintText(text, { facts: { 'linkerd.controlPlaneVersion': 'stable-2.14.10' } }), 'linkerd-annotation-version');
  t.equal(f[0]!.message, 'Linkerd stable-2.14.10 does not read "config.alpha.linkerd.io/proxy-enable-native-sidecar" (it is read from Linkerd 2.15 and edge-23.11.4), so it has no effect; remove it or upgrade Linkerd');
  t.same([f[0]!.column, f[0]!.endColumn], [5, 56], 'at the key');
});

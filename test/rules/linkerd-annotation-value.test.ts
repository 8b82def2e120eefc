import t from 'tap';
import { lintText, of } from '../helpers/harness.js';
import { catalogue, parseGoBool, valueProblem } from '../../src/linkerd-keys.js';

const entry = (k: string) => catalogue().byKey.get(k)!.find((e) => e.kind === 'annotation')!;
const check = (k: string, v: string, place: 'pod' | 'service' | 'namespace' = 'pod', names?: string[]) =>
  valueProblem(entry(k), v, { place, portNames: () => new Set(names ?? []) });

t.test('Go ParseBool exactly', async (t) => {
  for (const v of ['1', 't', 'T', 'TRUE', 'true', 'True']) t.equal(parseGoBool(v), true, v);
  for (const v of ['0', 'f', 'F', 'FALSE', 'false', 'False']) t.equal(parseGoBool(v), false, v);
  for (const v of ['yes', 'on', 'tRUE', '', ' true']) t.equal(parseGoBool(v), null, v);
});

t.test('durations: Go for the injector, unit-required for the policy controller', async (t) => {
  for (const v of ['10s', '1m30s', '0', '1.5h', '300ms', '2us']) t.equal(check('config.linkerd.io/proxy-outbound-connect-timeout', v), null, v);
  for (const v of ['10', '10 s', '1d', 's']) t.not(check('config.linkerd.io/proxy-outbound-connect-timeout', v), null, v);
  for (const v of ['0', '10s', '250ms', '2d', ' 5m ']) t.equal(check('timeout.linkerd.io/request', v, 'service'), null, v);
  t.match(check('timeout.linkerd.io/request', '5', 'service'), 'has no unit; write "5s" or "5ms"');
  t.match(check('timeout.linkerd.io/request', '1.5s', 'service'), 'has a fraction');
  t.match(check('timeout.linkerd.io/request', '-1s', 'service'), 'negative');
  t.not(check('timeout.linkerd.io/request', '1m30s', 'service'), null);
});

t.test('port lists: names on a pod must be its container ports; a Service takes numbers only', async (t) => {
  t.equal(check('config.linkerd.io/opaque-ports', '3306,db,8000-8100', 'pod', ['db']), null);
  t.match(check('config.linkerd.io/opaque-ports', '3306,redis', 'pod', ['db']), '"redis" is not the name of a container port of this pod');
  t.equal(check('config.linkerd.io/opaque-ports', '3306,anything', 'namespace'), null);
  t.match(check('config.linkerd.io/opaque-ports', '3306,mysql', 'service'), 'a port name, which a Service\'s opaque-ports does not take');
  t.match(check('config.linkerd.io/opaque-ports', '0', 'service'), 'outside 1-65535');
  t.equal(check('config.linkerd.io/skip-outbound-ports', '0,5432,'), null);
  t.match(check('config.linkerd.io/skip-outbound-ports', '9000-8000'), 'must not decrease');
});

t.test('quantities, ratios, CIDRs, images, enums', async (t) => {
  t.equal(check('config.linkerd.io/proxy-cpu-limit', '1.5'), null);
  t.equal(check('config.linkerd.io/proxy-memory-limit', '1e3'), null);
  t.not(check('config.linkerd.io/proxy-memory-limit', '64MB'), null);
  t.equal(check('config.linkerd.io/proxy-cpu-ratio-limit', '0.1'), null);
  for (const v of ['0', '1', '1.1', 'half']) t.not(check('config.linkerd.io/proxy-cpu-ratio-limit', v), null, v);
  t.equal(check('config.linkerd.io/skip-subnets', '10.0.0.0/8, fd00::/8'), null);
  t.not(check('config.linkerd.io/skip-subnets', '10.0.0.0/33'), null);
  t.equal(check('config.linkerd.io/proxy-image', 'registry.example:5000/linkerd/proxy'), null);
  t.not(check('config.linkerd.io/proxy-image', 'Registry/Proxy Image'), null);
  t.match(check('linkerd.io/inject', 'true'), '"true" is not one of "enabled", "disabled", "ingress"');
  t.equal(check('retry.linkerd.io/grpc', 'Unavailable, internal', 'service'), null);
});

t.test('reported at the value, with the key in the message; version-dependent enums need the version', async (t) => {
  const text = `apiVersion: v1
kind: Service
metadata:
  name: web
  annotations:
    timeout.linkerd.io/request: "5"
    balancer.linkerd.io/failure-accrual: unified
spec:
  ports: [{port: 80}]
`;
  const f = of(await lintText(text), 'linkerd-annotation-value');
  t.same(f.map((x) => [x.severity, x.line, x.column, x.endColumn]), [['error', 6, 33, 36]]);
  t.equal(f[0]!.message, '"timeout.linkerd.io/request": "5" has no unit; write "5s" or "5ms"; Linkerd ignores the value and keeps its default');
  const old = of(await lintText(text, { facts: { 'linkerd.controlPlaneVersion': 'enterprise-2.19.1' } }), 'linkerd-annotation-value');
  t.same(old.map((x) => x.line), [6, 7]);
  t.match(old[1]!.message, '"unified" is not a value Linkerd enterprise-2.19.1 takes for "balancer.linkerd.io/failure-accrual" (it takes "consecutive")');
});

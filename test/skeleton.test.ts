// What of a resource outlives its file: the skeleton the engine swaps objects for once every rule
// has seen them, the strict-mode guard on dropped fields, and ctx.keep().

import t from 'tap';
import { runEngine } from '../src/engine.js';
import { OwnStrings, ReleasedFieldError, skeleton as build } from '../src/skeleton.js';
import type { Resource, Rule } from '../src/types.js';

const skeleton = (kind: string, o: Record<string, unknown>, label: string, guard: boolean) => build(kind, o, label, guard, new OwnStrings());

const deployment = () => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'shop', labels: { app: 'web' }, annotations: { big: 'x'.repeat(1000) }, uid: 'u' },
  spec: {
    replicas: 3,
    strategy: { type: 'RollingUpdate' },
    template: {
      metadata: { labels: { app: 'web' }, annotations: { 'telepresence.io/inject-traffic-agent': 'enabled' } },
      spec: {
        nodeSelector: { zone: 'a' },
        volumes: [{ name: 'v' }],
        initContainers: [{ name: 'proxy', restartPolicy: 'Always', image: 'p', ports: [{ containerPort: 4143, hostPort: 4143 }] }],
        containers: [null, { name: 'web', image: 'w', env: [{ name: 'A', value: '1' }], ports: [{ name: 'http', containerPort: 8080 }] }],
      },
    },
  },
});

t.test('a workload keeps what the cross-resource helpers read, as written, and loses the rest', async (t) => {
  const o = deployment();
  const s = skeleton('Deployment', o, 'Deployment "web"', false) as any;
  t.same(s, {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'shop', labels: { app: 'web' } },
    spec: {
      replicas: 3,
      template: {
        metadata: { labels: { app: 'web' }, annotations: { 'telepresence.io/inject-traffic-agent': 'enabled' } },
        spec: {
          nodeSelector: { zone: 'a' },
          initContainers: [{ name: 'proxy', restartPolicy: 'Always', ports: [{ containerPort: 4143, hostPort: 4143 }] }],
          containers: [null, { name: 'web', ports: [{ name: 'http', containerPort: 8080 }] }],
        },
      },
    },
  });
  t.equal(s.spec.template.spec.containers[1].ports, o.spec.template.spec.containers[1]!.ports, 'kept subtrees are the same values, not copies');
  t.equal(s.metadata.labels, o.metadata.labels);
  t.equal(o.spec.template.spec.containers[1]!.image, 'w', 'the original object keeps the fields the skeleton drops');
});

t.test('kept strings are shared by value: one copy per distinct string of 13 characters or more', async (t) => {
  const strings = new OwnStrings();
  const long = (s: string) => s.split('').join(''); // a distinct string value each call
  const a = deployment();
  const b = deployment();
  a.metadata.labels = { app: long('checkout-service-7') };
  b.metadata.labels = { app: long('checkout-service-7') };
  const sa = build('Deployment', a, 'a', false, strings) as any;
  const sb = build('Deployment', b, 'b', false, strings) as any;
  t.equal(sa.metadata.labels.app, 'checkout-service-7');
  t.equal(sb.metadata.labels.app, 'checkout-service-7');
  t.equal(strings.own(long('checkout-service-7')), strings.own(long('checkout-service-7')));
  t.equal(strings.own('short'), 'short');
  t.equal(strings.size, 1, 'one copy for the label both resources keep; short strings are not copied');
  t.same(sa, sb, 'the two skeletons are equal');
});

t.test('a Service keeps type, selector, ports and healthCheckNodePort; a Pod keeps its own annotations', async (t) => {
  const svc = {
    apiVersion: 'v1', kind: 'Service', metadata: { name: 's', annotations: { a: 'b' } },
    spec: { type: 'LoadBalancer', selector: { app: 'web' }, ports: [{ port: 80, nodePort: 30080 }], healthCheckNodePort: 30999, sessionAffinity: 'None' },
  };
  t.same(skeleton('Service', svc, 's', false), {
    apiVersion: 'v1', kind: 'Service', metadata: { name: 's' },
    spec: { type: 'LoadBalancer', selector: { app: 'web' }, ports: [{ port: 80, nodePort: 30080 }], healthCheckNodePort: 30999 },
  });
  const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', annotations: { a: 'b' } }, spec: { hostNetwork: true, containers: [{ name: 'c', image: 'i' }] } };
  t.same(skeleton('Pod', pod, 'p', false), { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', annotations: { a: 'b' } }, spec: { hostNetwork: true, containers: [{ name: 'c' }] } });
});

t.test('an own __proto__ key is neither copied nor turned into a prototype', async (t) => {
  const o = JSON.parse('{"apiVersion":"v1","kind":"Service","__proto__":{"polluted":true},"spec":{"__proto__":{"x":1},"type":"NodePort"}}');
  const s = skeleton('Service', o, 's', false) as any;
  t.equal(Object.getPrototypeOf(s), Object.prototype);
  t.equal(Object.getPrototypeOf(s.spec), Object.prototype);
  t.equal(s.polluted, undefined);
  t.same(s, { apiVersion: 'v1', kind: 'Service', spec: { type: 'NodePort' } });
});

t.test('guarded: reading, testing or listing a dropped field throws and names it; kept and absent fields read as usual', async (t) => {
  const s = skeleton('Deployment', deployment(), 'Deployment "web" in a.yaml', true) as any;
  const c = s.spec.template.spec.containers[1];
  t.equal(c.name, 'web');
  t.equal(c.restartPolicy, undefined, 'absent in the original: plain undefined');
  t.equal(s.spec.replicas, 3);
  t.throws(() => c.image, new ReleasedFieldError('Deployment "web" in a.yaml: field /spec/template/spec/containers/1/image was released after its file was read; a rule that reads it in done() must call ctx.keep() on the resource'));
  t.throws(() => 'env' in c, ReleasedFieldError);
  t.throws(() => Object.keys(s.metadata), /the key list of \/metadata was released/);
  t.throws(() => s.spec.strategy, /field \/spec\/strategy/);
  t.same(Object.keys(s.spec.template.spec.nodeSelector), ['zone'], 'a subtree kept whole is not guarded');
});

const text = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - name: web
          image: nginx:1.27
`;

/** A rule that reads a container's image in done(), keeping the resource or not. */
const imageRule = (keep: boolean, seen: string[]): Rule => ({
  meta: { id: 'late-reader', description: 'test rule', rationale: 'test rule for the engine', severity: 'error', category: 'meta', fixable: false, docs: {} },
  create: (ctx) => {
    const all: Resource[] = [];
    return {
      resource: (r) => {
        all.push(r);
        if (keep) ctx.keep(r);
      },
      done: () => {
        for (const r of all) seen.push(String((r.object as any).spec.template.spec.containers[0].image));
      },
    };
  },
});

t.test('the engine releases objects after their file: strict runs throw on a late read, ctx.keep() keeps the object', async (t) => {
  const files = [{ path: '/v/a.yaml', display: 'a.yaml', context: false, text }];
  const base = { cwd: '/v', files, facts: { flags: {}, config: {} } };
  await t.rejects(runEngine({ ...base, rules: [{ rule: imageRule(false, []), options: {} }], strict: true }), ReleasedFieldError);
  const lax: string[] = [];
  await runEngine({ ...base, rules: [{ rule: imageRule(false, lax), options: {} }] });
  t.same(lax, ['undefined'], 'without strict, the released field reads as absent');
  const kept: string[] = [];
  await runEngine({ ...base, rules: [{ rule: imageRule(true, kept), options: {} }], strict: true });
  t.same(kept, ['nginx:1.27']);
});

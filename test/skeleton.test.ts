// What of a resource outlives its file: the skeleton the engine swaps objects for once every rule
// has seen them, the strict-mode guard on dropped fields, and ctx.keep().

import t from 'tap';
import { runEngine } from '../src/engine.js';
import { captureSkeleton, OwnStrings, RangeList, ReleasedFieldError, skeleton as build, skeletonNodeOf } from '../src/skeleton.js';
import { resourcesOf } from '../src/model.js';
import { escapeToken, splitPointer } from '../src/pointer.js';
import { SourceFile } from '../src/yaml-source.js';
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
  // Kept subtrees are the same values, not copies; a kept list is copied at its own length (see exact()), its items are not.
  t.equal(s.spec.template.spec.containers[1].ports[0], o.spec.template.spec.containers[1]!.ports[0], 'kept subtrees are the same values');
  t.not(s.spec.template.spec.containers[1].ports, o.spec.template.spec.containers[1]!.ports, 'a kept list is a copy');
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

// ---- positions captured from the parse ------------------------------------------------------------

/** Manifests in the shapes the parse has to get right: flow and block, comments, quoted keys and block scalars, a List. */
const CAPTURE_TEXT = `# a comment before the first document
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web   # trailing comment
  namespace: shop
  labels: {app: web, "2": two, app.kubernetes.io/version: "1.4.0", tier: backend-of-the-shop}
  annotations:
    note: |
      dropped: not in a workload's skeleton
spec:
  replicas: 3
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
        "10": ten
    spec:
      nodeSelector: {zone: a}
      volumes: [{name: v}]
      initContainers:
        - name: proxy
          restartPolicy: Always
          image: proxy:1
          ports: [{containerPort: 4143, hostPort: 4143}]
      containers:
        - name: web
          image: web:1
          ports:
            - name: http
              containerPort: 8080
            - containerPort: 9090   # unnamed
              protocol: UDP
---
apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: Service
    metadata: {name: web, namespace: shop}
    spec:
      selector: {app: web}
      ports:
        - {port: 80, targetPort: http}
        - port: 9090
          nodePort:
  - apiVersion: v1
    kind: Pod
    metadata:
      name: solo
      annotations: {a: b}
    spec:
      hostNetwork: true
      containers: [{name: c, ports: [{containerPort: 53}]}]
`;

/** Every path of a skeleton's nodes (the tests' own walk, no order assumed). */
function pathsOf(v: unknown, at = ''): string[] {
  const out = [at];
  if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) out.push(...pathsOf(x, `${at}/${escapeToken(k)}`));
  return out;
}

function captured(text = CAPTURE_TEXT) {
  const src = new SourceFile(text);
  t.ok(src.fast, 'the text takes the fast parse');
  const file = { index: 0, path: 'c.yaml', context: false };
  const resources = src.documents.flatMap((d, doc) => resourcesOf(file, doc, d.value as Record<string, unknown>));
  const list = new RangeList();
  const at: number[] = [];
  // One cursor for the file, as the engine uses: the ends it remembers serve every resource.
  const cursor = src.cursor()!;
  for (const r of resources) {
    at.push(list.n);
    t.ok(captureSkeleton(cursor, r.doc, r.base, r.kind, r.object, list), `${r.kind} ${r.name} captured`);
  }
  return { src, resources, at, ranges: list.done(), sizes: list.sizes() };
}

t.test('a range list grows past its first buffer by halves and by fours alike, and is used again after reset()', async (t) => {
  const list = new RangeList();
  for (let i = 0; i < 1000; i++) {
    if (i % 3 === 0) list.push(i, i + 1, i + 2, i + 3);
    else {
      list.push2(i, i + 1);
      list.push2(i + 2, i + 3);
    }
    list.size(i, i + 1);
  }
  const want = Array.from({ length: 1000 }, (_, i) => [i, i + 1, i + 2, i + 3]).flat();
  t.same([...list.done()], want, 'every value, in order, across the buffer growing');
  t.same([...list.sizes()], Array.from({ length: 1000 }, (_, i) => i + 1), 'one size per node');
  const once = captured();
  list.reset();
  const cursor = once.src.cursor()!;
  for (const r of once.resources) t.ok(captureSkeleton(cursor, r.doc, r.base, r.kind, r.object, list));
  t.same([...list.done()], [...once.ranges], 'a list reset after other values captures what a new one does');
  t.same([...list.sizes()], [...once.sizes], 'and the same sizes');
});

t.test('capture records the nodes later findings point at, with the ranges the parse gives each, for the node and for its key', async (t) => {
  const { src, resources, at, ranges, sizes } = captured();
  t.same(resources.map((r) => r.kind), ['Deployment', 'Service', 'Pod']);
  let checked = 0;
  let misled = 0;
  const ones = new Uint16Array(sizes.length).fill(1);
  const recorded: string[][] = [];
  resources.forEach((r, i) => {
    const s = skeleton(r.kind, r.object, '', false);
    const mine: string[] = [];
    recorded.push(mine);
    for (const path of pathsOf(s)) {
      const hit = skeletonNodeOf(r.kind, s, splitPointer(path));
      // Skipping siblings by the sizes capture recorded finds the same node as walking them.
      t.same(skeletonNodeOf(r.kind, s, splitPointer(path), sizes, at[i]! >> 2), hit, `${r.kind} ${path} (by recorded sizes)`);
      if (hit === null) continue; // not recorded: the engine reads the file again for it
      t.ok(hit.exact, `${r.kind} ${path} is a recorded node`);
      mine.push(path);
      // The sizes are what the lookup goes by: sizes of 1 everywhere move it off the node.
      if (skeletonNodeOf(r.kind, s, splitPointer(path), ones, at[i]! >> 2)?.index !== hit.index) misled++;
      const k = at[i]! + 4 * hit.index;
      t.same([ranges[k], ranges[k + 1]], src.locate(r.doc, r.base + path, 'node'), `${r.kind} ${path} (node)`);
      t.same([ranges[k + 2], ranges[k + 3]], src.locate(r.doc, r.base + path, 'key'), `${r.kind} ${path} (key)`);
      checked++;
    }
  });
  const tpl = '/spec/template/spec';
  t.same([...recorded[0]!].sort(), [
    '', '/metadata', '/metadata/labels', '/metadata/labels/app.kubernetes.io~1version',
    '/spec', '/spec/selector', '/spec/replicas', '/spec/template', '/spec/template/metadata', '/spec/template/metadata/labels', tpl,
    `${tpl}/initContainers`, `${tpl}/initContainers/0`, `${tpl}/initContainers/0/ports`, `${tpl}/initContainers/0/ports/0`,
    `${tpl}/initContainers/0/ports/0/containerPort`, `${tpl}/initContainers/0/ports/0/hostPort`,
    `${tpl}/containers`, `${tpl}/containers/0`, `${tpl}/containers/0/ports`, `${tpl}/containers/0/ports/0`, `${tpl}/containers/0/ports/0/name`,
    `${tpl}/containers/0/ports/0/containerPort`, `${tpl}/containers/0/ports/1`, `${tpl}/containers/0/ports/1/containerPort`, `${tpl}/containers/0/ports/1/protocol`,
  ].sort(), 'the Deployment: its labels map and version label, selector, replicas, template labels (the map) and containers\' ports; not its name, its other labels, the selector\'s labels, nodeSelector or container names');
  t.same([...recorded[1]!].sort(), ['', '/metadata', '/spec', '/spec/ports', '/spec/ports/0', '/spec/ports/1', '/spec/ports/1/nodePort', '/spec/selector'].sort(), 'the Service: its ports, their node ports and its selector');
  t.same([...recorded[2]!].sort(), [
    '', '/metadata', '/metadata/annotations', '/metadata/annotations/a', '/spec', '/spec/containers', '/spec/containers/0',
    '/spec/containers/0/ports', '/spec/containers/0/ports/0', '/spec/containers/0/ports/0/containerPort',
  ].sort(), 'the Pod: its annotations too; not hostNetwork');
  t.equal(checked, 44, 'every recorded node of the three skeletons');
  t.ok(misled > 20, `wrong sizes give other nodes (${misled} paths): the recorded ones are used`);
  t.equal(sizes[0], at[1]! >> 2, 'the first resource\'s root spans its whole skeleton, up to the second resource');
  // A few by hand, so that the comparison above cannot pass on two wrong answers.
  const web = skeleton('Deployment', resources[0]!.object, '', false);
  const second = skeletonNodeOf('Deployment', web, splitPointer('/spec/template/spec/containers/0/ports/1'))!;
  const k = at[0]! + 4 * second.index;
  t.same([src.position(ranges[k]!), src.position(ranges[k + 1]!)], [{ line: 35, column: 15 }, { line: 36, column: 28 }], 'the second port item');
  const number = skeletonNodeOf('Deployment', web, splitPointer('/spec/template/spec/containers/0/ports/1/containerPort'))!;
  const n = at[0]! + 4 * number.index;
  t.same([src.position(ranges[n]!), src.position(ranges[n + 1]!), src.position(ranges[n + 2]!)], [{ line: 35, column: 30 }, { line: 35, column: 34 }, { line: 35, column: 15 }], 'a value before a comment, and its key');
  t.equal(skeletonNodeOf('Deployment', web, splitPointer('/metadata/name')), null, 'the name is kept but not recorded: no finding made after reading points at it');
  t.equal(skeletonNodeOf('Deployment', web, splitPointer('/metadata/labels/tier')), null, 'nor a label other than the version label');
});

t.test('capture of collections larger than its node stack: every recorded node at the ranges locate() gives', async (t) => {
  // The stack starts at 1,024 node numbers: 700 labels (1,400, walked to find the version label, the
  // last) and 600 template annotations (1,200) make it grow while the walk is inside them, with their
  // ancestors' children below; a flow mapping, an empty value and a last key without one are among them.
  const labels = [...Array.from({ length: 699 }, (_, i) => `    l${i}: "v${i}"`), '    app.kubernetes.io/version: "v9.9.9"'].join('\n');
  const annotations = Array.from({ length: 600 }, (_, i) => `        a${i}: ${i % 50 === 0 ? '{x: 1, y: [2]}' : `"w${i}"`}`).join('\n');
  const ports = Array.from({ length: 40 }, (_, i) => `        - {name: p${i}, containerPort: ${8000 + i}}`).join('\n');
  const text = [
    'apiVersion: apps/v1', 'kind: Deployment', 'metadata:', '  name: big', '  labels:', labels, 'spec:', '  replicas: 2', '  template:',
    '    metadata:', '      labels: {app: big}', '      annotations:', annotations, '        empty:', '        last:',
    '    spec:', '      containers:', '      - name: c', '        ports:', ports, '      - name: d', '        ports: []', '',
  ].join('\n');
  const { src, resources, at, ranges } = captured(text);
  t.equal(resources.length, 1);
  const r = resources[0]!;
  const s = skeleton(r.kind, r.object, '', false);
  let checked = 0;
  let wrong = 0;
  for (const path of pathsOf(s)) {
    const hit = skeletonNodeOf(r.kind, s, splitPointer(path));
    if (hit === null || !hit.exact) continue;
    const k = at[0]! + 4 * hit.index;
    const node = src.locate(r.doc, r.base + path, 'node');
    const key = src.locate(r.doc, r.base + path, 'key');
    if (ranges[k] !== node?.[0] || ranges[k + 1] !== node?.[1] || ranges[k + 2] !== key?.[0] || ranges[k + 3] !== key?.[1]) wrong++;
    checked++;
  }
  // The root, metadata, the labels map and its version label, spec, replicas, the template, its metadata,
  // its labels (the map only), its annotations map with 602 entries and x, y and y/0 in each of the
  // 12 flow mappings, its spec, containers, two containers with their ports lists, 40 ports of 3 nodes.
  t.equal(checked, 2 + 2 + 5 + (1 + 602 + 36) + 6 + 40 * 3, 'the version label, every annotation and port recorded');
  t.equal(wrong, 0, 'each at the node and key ranges locate() gives');
  // By hand: the last port of the first container, and the version label (the last label).
  const port = skeletonNodeOf(r.kind, s, splitPointer('/spec/template/spec/containers/0/ports/39/containerPort'))!;
  const p = at[0]! + 4 * port.index;
  t.equal(text.slice(ranges[p]!, ranges[p + 1]!), '8039', 'the last port');
  t.equal(skeletonNodeOf(r.kind, s, splitPointer('/metadata/labels/l698')), null, 'another label is not recorded');
  const label = skeletonNodeOf(r.kind, s, splitPointer('/metadata/labels/app.kubernetes.io~1version'))!;
  const l = at[0]! + 4 * label.index;
  t.same([text.slice(ranges[l]!, ranges[l + 1]!), text.slice(ranges[l + 2]!, ranges[l + 3]!)], ['"v9.9.9"', 'app.kubernetes.io/version'], 'the version label, and its key');
});

t.test('under 64 KB ranges and line starts are kept in 16 bits, above in 32, with the same positions', async (t) => {
  const { LineIndex } = await import('../src/yaml-source.js');
  const big = `# ${'x'.repeat(70_000)}\n${CAPTURE_TEXT}`;
  for (const [text, bits] of [[CAPTURE_TEXT, 16], [big, 32]] as const) {
    const precise = new SourceFile(text, { precise: true });
    const lines = new LineIndex(text);
    let wrong = 0;
    let checked = 0;
    for (let o = 0; o <= text.length; o += o < 69_000 && text.length > 70_000 ? 997 : 1) {
      const a = lines.position(o);
      const b = precise.position(o);
      if (a.line !== b.line || a.column !== b.column) wrong++;
      checked++;
    }
    t.equal(wrong, 0, `${bits} bits: the line index gives the precise parse's position at each of ${checked} offsets`);
    const { src, resources, at, ranges, sizes } = captured(text);
    t.equal(ranges instanceof Uint16Array ? 16 : 32, bits, `${bits}-bit ranges`);
    let same = 0;
    resources.forEach((r, i) => {
      const s = skeleton(r.kind, r.object, '', false);
      for (const path of pathsOf(s)) {
        const hit = skeletonNodeOf(r.kind, s, splitPointer(path), sizes, at[i]! >> 2);
        if (!hit) continue;
        const k = at[i]! + 4 * hit.index;
        t.same([ranges[k], ranges[k + 1], ranges[k + 2], ranges[k + 3]], [...src.locate(r.doc, r.base + path, 'node')!, ...src.locate(r.doc, r.base + path, 'key')!], `${bits} bits: ${r.kind} ${path}`);
        same++;
      }
    });
    t.equal(same, 44, `${bits} bits: every recorded node`);
  }
});

t.test('line starts are right for a file of more lines than the scratch list first holds, and for a short file after it', async (t) => {
  const { LineIndex } = await import('../src/yaml-source.js');
  const naive = (text: string, o: number) => {
    const before = text.slice(0, o);
    return { line: before.split('\n').length, column: o - (before.lastIndexOf('\n') + 1) + 1 };
  };
  const long = Array.from({ length: 10_000 }, (_, i) => `k${i}: ${'v'.repeat(i % 7)}`).join('\n') + '\n';
  const short = 'a: 1\r\nbb: 2\n\nccc: 3';
  for (const [name, text] of [['long', long], ['short, after the long one', short], ['no line break', 'x: y']] as const) {
    const lines = new LineIndex(text);
    let wrong = 0;
    for (let o = 0; o <= text.length; o += text.length > 1000 ? 37 : 1) {
      const a = lines.position(o);
      const b = naive(text, o);
      if (a.line !== b.line || a.column !== b.column) wrong++;
    }
    t.equal(wrong, 0, `${name}: every position checked is the one counted by hand`);
  }
  t.same(new LineIndex(long).position(long.length), { line: 10_001, column: 1 }, 'the end of the long file is on the line after its last');
});

t.test('looking up a path: absent fields give the nearest node, dropped fields give null (only the parse knows them)', async (t) => {
  const { resources } = captured();
  const web = skeleton('Deployment', resources[0]!.object, 'Deployment "web"', true); // guarded, as under strict mode
  const at = (p: string) => skeletonNodeOf('Deployment', web, splitPointer(p));
  const ports = at('/spec/template/spec/containers/0/ports')!;
  t.same(at('/spec/template/spec/containers/0/ports/7'), { index: ports.index, exact: false }, 'past the end of a sequence');
  t.same(at('/spec/template/spec/containers/0/ports/01'), { index: ports.index, exact: false }, 'not an index');
  for (const token of ['-1', '+1', '1e0', '1.0', ' 1', '', '99999999999']) {
    t.same(at(`/spec/template/spec/containers/0/ports/${token}`), { index: ports.index, exact: false }, `not an index either: ${JSON.stringify(token)}`);
  }
  t.same(at('/spec/template/spec/containers/0/ports/1'), { index: ports.index + 4, exact: true }, 'the second port: after the ports list, the first port and its two fields');
  const template = at('/spec/template')!;
  t.same(at('/spec/template/spec/hostNetwork'), null, 'a field the skeleton keeps but capture does not record: only the parse knows it');
  t.ok(template.exact);
  const svc = skeleton('Service', resources[1]!.object, '', false);
  const svcAt = (p: string) => skeletonNodeOf('Service', svc, splitPointer(p));
  t.same(svcAt('/spec/healthCheckNodePort'), { index: svcAt('/spec')!.index, exact: false }, 'a recorded field absent from the object: its nearest node');
  const labels = at('/metadata/labels')!;
  t.same(at('/metadata/labels/app.kubernetes.io~1version'), { index: labels.index + 1, exact: true }, 'the version label is recorded, right after the labels map');
  t.same(svcAt('/metadata/labels/app.kubernetes.io~1version'), { index: svcAt('/metadata')!.index, exact: false }, 'where there are no labels: the nearest node');
  t.equal(at('/metadata/labels/missing'), null, 'any other label, present or not, is not recorded: only the parse knows it');
  t.equal(at('/metadata/annotations/note'), null, 'annotations of a workload were dropped');
  t.equal(at('/spec/template/spec/volumes/0'), null, 'volumes were dropped');
  t.equal(at('/spec/template/spec/containers/0/image'), null, 'a container keeps its name, restartPolicy and ports only');
  t.same(at('/spec/replicas/x'), { index: at('/spec/replicas')!.index, exact: false }, 'below a scalar');
  t.same(at(''), { index: 0, exact: true }, 'the object itself');
});

t.test('capture gives up on a resource whose recorded nodes hold an alias (positions then come from the kept parse)', async (t) => {
  // A scalar alias keeps the fast parse; only the precise parse knows what an alias node spans.
  const text = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: &n web\nspec:\n  containers:\n    - name: *n\n      ports: [{name: *n, containerPort: 80}]\n';
  const take = (text: string) => {
    const src = new SourceFile(text);
    const cursor = src.cursor();
    t.ok(cursor, 'the fast parse is kept');
    const r = resourcesOf({ index: 0, path: 'a.yaml', context: false }, 0, src.documents[0]!.value as Record<string, unknown>)[0]!;
    t.equal(r.name, 'web');
    return captureSkeleton(cursor!, 0, '', r.kind, r.object, new RangeList());
  };
  t.equal(take(text), false, 'an alias in a port');
  t.equal(take(text.replace('{name: *n, ', '{')), true, 'an alias only in nodes capture does not record (a container name)');
  t.equal(take(text.replace('&n ', '').replaceAll('*n', 'web')), true, 'the same object written out is captured');
});

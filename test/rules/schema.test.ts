import t from 'tap';
import { createRequire } from 'node:module';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { lintText, lintTexts, of } from '../helpers/harness.js';
import { FORMATS, editDistance, forgetLearnedTables, loadedSchemaModules, nearest, validationPaths, validatorFor, validateBuiltin } from '../../src/schema.js';
import { resolveGoYaml, goYamlNonString, hasLeadingZeroNumber } from '../../src/yaml11.js';
import { toJsonSchema } from '../../src/crd-schema.js';
import { SourceFile } from '../../src/yaml-source.js';

const require = createRequire(import.meta.url);
const schemasDir = join(dirname(require.resolve('kubernetes-models/package.json')), '_schemas');

// Runs first: nothing else in this process has loaded a validator yet.
t.test('validators load lazily, per kind', async (t) => {
  const viaNode = () => Object.keys(require.cache).filter((k) => k.includes('/_schemas/')).length;
  t.equal(loadedSchemaModules(), 0, 'nothing loaded before the first use');
  t.ok(validatorFor('apps/v1', 'Deployment'));
  const afterDeployment = loadedSchemaModules();
  t.ok(afterDeployment > 50 && afterDeployment < 200, `one Deployment loads its definition graph only (${afterDeployment} modules)`);
  t.equal(viaNode(), 0, "none of them through Node's module loader");
  t.ok(readdirSync(schemasDir).filter((f) => f.endsWith('.js')).length > 800, 'of more than 800');
  t.notOk(Object.keys(require.cache).some((k) => /ajv-formats|ajv-i18n|is-cidr/.test(k)), 'the heavy format libraries are not loaded');
  t.equal(validatorFor('example.com/v1', 'Widget'), undefined, 'not a built-in kind');
});

t.test('every format the bundled validators use is implemented', async (t) => {
  const used = new Set<string>();
  const apimachinery = join(dirname(require.resolve('@kubernetes-models/apimachinery/package.json')), '_schemas');
  for (const dir of [schemasDir, apimachinery]) {
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.js'))) {
      for (const m of readFileSync(join(dir, f), 'utf8').matchAll(/formats(?:\.([\w]+)|\["([^"]+)"\])/g)) used.add(m[1] ?? m[2]!);
    }
  }
  t.ok(used.size >= 6, `formats used: ${[...used].join(', ')}`);
  for (const f of used) t.ok(FORMATS[f], `format ${f}`);
});

t.test('go-yaml v2 typing of plain scalars', async (t) => {
  const cases: Array<[string, string, unknown]> = [
    ['yes', 'bool', true], ['Off', 'bool', false], ['y', 'bool', true], ['N', 'bool', false], ['yEs', 'string', 'yEs'],
    ['0755', 'int', 493], ['0o17', 'int', 15], ['0x1F', 'int', 31], ['0b101', 'int', 5], ['1_000', 'int', 1000],
    ['-0x1F', 'int', -31], ['08', 'float', 8], ['1.0', 'float', 1], ['.5', 'float', 0.5], ['1e3', 'float', 1000],
    ['~', 'null', null], ['1:30', 'string', '1:30'], ['2001-12-14', 'string', '2001-12-14'], ['123abc', 'string', '123abc'],
  ];
  for (const [src, type, value] of cases) t.same(resolveGoYaml(src), { type, value }, src);
  t.equal(goYamlNonString('hello'), undefined);
  t.equal(goYamlNonString('64Mi'), undefined);
  t.same(goYamlNonString('on'), { type: 'bool', value: true });
  // goYamlNonString is resolveGoYaml with cheap gates in front: it agrees with it on every string
  // the gates could get wrong (the YAML 1.1 words in every case form, longer words with their first
  // letters, numbers and near-numbers).
  const words = ['y', 'Y', 'n', 'N', 'yes', 'Yes', 'YES', 'no', 'No', 'NO', 'on', 'On', 'ON', 'off', 'Off', 'OFF', 'oFF', 'yES', 'nO',
    'none', 'nope', 'yess', 'onion', 'Offset', 'YESS', 'nginx', 'o', 'O', 'ok', 'yo', 'off!', '0', '07', '0b1', '-0x1F', '1_000', '+.inf',
    '.5', '-', '+', '.', '512Mi', '1e3', '0o17', '9'.repeat(41)];
  for (const w of words) {
    const r = resolveGoYaml(w);
    t.same(goYamlNonString(w), w.length > 40 || r.type === 'string' || r.type === 'null' ? undefined : r, w);
  }
});

t.test('the leading-zero gate finds exactly what its pattern describes', async (t) => {
  // The definition the scan implements, as a regular expression (too slow to run per resource).
  const re = /[\s,[{:-][-+]?0[0-9_]/;
  const cases = ['mode: 0644', 'x: -010', '- 0_1', '[+07]', '{a:00}', 'a: 0', 'a: 10', 'a: 0.5', '0644', '/0644', 'v+0644', 'x: +0_', 'ab\u00a00644', 'a:\t09', ''];
  for (const c of cases) t.equal(hasLeadingZeroNumber(c), re.test(c), JSON.stringify(c));
  // Random strings over the characters that matter.
  const alphabet = ' \t\n,[{:-+0_19ax.';
  let seed = 7;
  const rand = (n: number) => ((seed = (seed * 48271) % 2147483647), seed % n);
  let hits = 0;
  for (let k = 0; k < 3000; k++) {
    let s = '';
    for (let n = rand(12); n > 0; n--) s += alphabet[rand(alphabet.length)];
    if (re.test(s)) hits++;
    if (hasLeadingZeroNumber(s) !== re.test(s)) t.fail(JSON.stringify(s));
  }
  t.ok(hits > 50 && hits < 2950, `both outcomes are exercised (${hits} of 3000 match)`);
});

t.test('suggestions', async (t) => {
  t.equal(editDistance('imagePullPolice', 'imagePullPolicy'), 1);
  t.equal(editDistance('ab', 'ba'), 1, 'a transposition costs one');
  t.equal(nearest('RestartPolicy', ['restartPolicy', 'resources']), 'restartPolicy');
  t.equal(nearest('zzzzzz', ['restartPolicy']), undefined);
});

t.test('validateBuiltin reports each violation at its own node', async (t) => {
  const fn = validatorFor('v1', 'Pod')!;
  const v = validateBuiltin(
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', creationTimestamp: null }, spec: { containers: [{ name: 'c', image: 'x', imagePullPolice: 'Always', ports: [{ containerPort: '80' }] }] }, status: {} },
    fn,
  );
  t.same(v.map((x) => [x.path, x.on, x.code]), [
    ['/spec/containers/0/imagePullPolice', 'key', 'unknown-field'],
    ['/spec/containers/0/ports/0/containerPort', 'node', 'type'],
  ]);
  t.same(validateBuiltin({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: null }, fn), [], 'null spec is an absent spec');
  const sel = validateBuiltin({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { selector: null, template: {} } }, validatorFor('apps/v1', 'Deployment')!);
  t.same(sel.map((x) => [x.path, x.message]), [['/spec', 'missing required field "selector"']], 'a null required field is missing');
});

t.test('unknown field: at the key, with the nearest name; CRD schemas keep description and x-kubernetes-*', async (t) => {
  const f = of(await lintText(`apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: things.example.com}
spec:
  group: example.com
  names: {kind: Thing, plural: things}
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          description: a thing
          x-kubernetes-preserve-unknown-fields: true
          properties:
            spec: {type: object, description: spec, x-kubernetes-int-or-string: false}
      additionalPrinterColumns:
        - {name: Age, type: date, jsonPath: .metadata.creationTimestamp, description: age}
      servd: true
`), 'schema');
  t.same(f.map((x) => [x.line, x.column, x.endColumn, x.severity, x.message]), [
    [21, 7, 12, 'error', 'unknown field "servd"; did you mean "served"?'],
  ]);
});

t.test('plain scalars typed the Kubernetes way; the source text decides', async (t) => {
  const f = of(await lintText(`apiVersion: v1
kind: ConfigMap
metadata:
  name: c
  labels: {a: yes, b: "yes", c: !!str yes, d: &x on, e: *x, f: 'no'}
data:
  n: 12
`), 'schema');
  t.same(f.map((x) => [x.line, x.column, x.message]), [
    [5, 15, 'Kubernetes reads the plain scalar yes as the boolean true (YAML 1.1), not a string; quote it: "yes"'],
    // the anchored scalar, and the alias to it (the engine locates an alias at its anchor)
    [5, 50, 'Kubernetes reads the plain scalar on as the boolean true (YAML 1.1), not a string; quote it: "on"'],
    [5, 50, 'Kubernetes reads the plain scalar on as the boolean true (YAML 1.1), not a string; quote it: "on"'],
    [7, 6, 'expected a string, got the number 12; quote it: "12"'],
  ]);
  t.ok(f.every((x) => x.fixable), 'quoting is a fix');
});

t.test('the quick reader\'s plain strings: a value written only quoted is not looked up', async (t) => {
  const text = `apiVersion: v1
kind: ConfigMap
metadata:
  name: c
  labels:
    a: yes
    b: "yes"
    c: "on"
    d: 'no'
    e: &x off
    f: *x
data:
  g: "y"
  h: y
  i: 0x1F
`;
  const src = new SourceFile(text);
  t.ok(src.fast, 'the quick reader takes it');
  t.same(['yes', 'on', 'no', 'off', 'y', '0x1F'].map((v) => src.mayBePlain(v)), [true, false, false, true, true, false], 'written plain somewhere, or not');
  const f = of(await lintText(text), 'schema');
  t.same(f.map((x) => [x.line, x.column, x.message.slice(0, 38)]), [
    [6, 8, 'Kubernetes reads the plain scalar yes '],
    // the anchored scalar, and the alias to it (located at its anchor)
    [10, 11, 'Kubernetes reads the plain scalar off '],
    [10, 11, 'Kubernetes reads the plain scalar off '],
    [14, 6, 'Kubernetes reads the plain scalar y as'],
    [15, 6, 'expected a string, got the number 0x1F'],
  ]);
  // The raw text is looked up only for values that may be written plain.
  const object = src.documents[0]!.value as Record<string, unknown>;
  const fn = validatorFor('v1', 'ConfigMap')!;
  const looked: string[] = [];
  const raw = (path: string) => {
    looked.push(path);
    return src.sourceText(0, path);
  };
  const all = validateBuiltin(object, fn, { raw });
  const lookedAll = looked.splice(0);
  const some = validateBuiltin(object, fn, { raw, mayBePlain: (v) => src.mayBePlain(v) });
  t.same(some, all, 'the same violations');
  // (/data/i: the text a violation's message quotes)
  t.same(lookedAll, ['/metadata/labels/a', '/metadata/labels/b', '/metadata/labels/c', '/metadata/labels/d', '/metadata/labels/e', '/metadata/labels/f', '/data/g', '/data/h', '/data/i']);
  t.same(looked, ['/metadata/labels/a', '/metadata/labels/b', '/metadata/labels/e', '/metadata/labels/f', '/data/g', '/data/h', '/data/i']);
});

t.test('removed and deprecated APIs follow the target version', async (t) => {
  const text = 'apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata: {name: p}\nspec: {minAvailable: 1}\n';
  const at133 = of(await lintText(text), 'schema');
  t.same(at133.map((x) => [x.line, x.column, x.severity, x.message]), [
    [1, 13, 'error', 'policy/v1beta1 PodDisruptionBudget is no longer served since Kubernetes 1.25 (target 1.33); use "policy/v1"'],
  ]);
  const at124 = of(await lintText(text, { facts: { kubernetesVersion: '1.24' } }), 'schema');
  t.same(at124.map((x) => [x.severity, x.message]), [
    ['warning', 'policy/v1beta1 PodDisruptionBudget is deprecated and no longer served from Kubernetes 1.25; use "policy/v1"'],
  ]);
  const at120 = of(await lintText(text, { facts: { kubernetesVersion: '1.20' } }), 'schema');
  t.same(at120, [], 'no warning before the replacement exists (policy/v1 since 1.21)');
});

t.test('a target newer than the bundled schemas makes unknown fields warnings', async (t) => {
  const text = 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, image: x}]\n  hostnameOverride: h\n';
  t.same(of(await lintText(text), 'schema').map((x) => x.severity), ['error']);
  const newer = of(await lintText(text, { facts: { kubernetesVersion: '1.35' } }), 'schema');
  t.same(newer.map((x) => x.severity), ['warning']);
  t.match(newer[0]!.message, /bundled schemas are Kubernetes 1\.33/);
});

t.test('custom resources: CRD after the CR, in another file; none without a CRD', async (t) => {
  const crd = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: gizmos.example.com}
spec:
  group: example.com
  names: {kind: Gizmo, plural: gizmos}
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties:
                replicas: {type: integer, nullable: true}
                labels: {type: object, additionalProperties: {type: string}}
`;
  const cr = `apiVersion: example.com/v1
kind: Gizmo
metadata: {name: g}
spec:
  replicas: null
  labels: {a: b, c: 1}
  replica: 2
---
apiVersion: example.com/v1
kind: Unknown
metadata: {name: u}
spec: {anything: 1}
`;
  const out = await lintTexts({ 'a-cr.yaml': cr, 'b-crd.yaml': crd });
  const f = of(out.result.findings, 'schema');
  t.same(f.map((x) => [x.file, x.line, x.column, x.message]), [
    ['a-cr.yaml', 6, 21, 'expected a string, got 1'],
    ['a-cr.yaml', 7, 3, 'unknown field "replica"; did you mean "replicas"? (not in the schema of CustomResourceDefinition "gizmos.example.com")'],
  ]);
  const ctx = await lintTexts({ 'a-cr.yaml': cr }, { context: { 'crd.yaml': crd } });
  t.equal(of(ctx.result.findings, 'schema').length, 2, 'a CRD from --context is used');
});

t.test('structural schema conversion', async (t) => {
  t.same(toJsonSchema({ type: 'object', properties: { a: { type: 'string', nullable: true }, b: { 'x-kubernetes-int-or-string': true } } }, false), {
    type: 'object',
    properties: { a: { type: ['string', 'null'] }, b: { type: ['integer', 'string'] }, apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' } },
    additionalProperties: false,
  });
  t.same(toJsonSchema({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true }, false, false), { type: 'object' }, 'preserve-unknown-fields keeps unknown fields');
  t.same(toJsonSchema({ type: 'object' }, true, false), { type: 'object' }, 'v1beta1 CRDs that preserve unknown fields');
  t.same(toJsonSchema({ type: 'integer', minimum: 0, exclusiveMinimum: true }, false, false), { type: 'integer', exclusiveMinimum: 0 });
});

// The learned per-location table replaces the tracking proxy once a kind has been seen; it must
// report exactly what the proxy reports, object by object, on real manifests and on crafted ones.
t.test('the learned table path reports what the proxy path reports', async (t) => {
  const jsyaml = (await import('js-yaml')).default;
  const roots = [join(process.cwd(), 'test', 'corpus-sample'), join(process.cwd(), 'fixtures')];
  const objects: Array<Record<string, unknown>> = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.ya?ml$/.test(e.name)) {
        try {
          jsyaml.loadAll(readFileSync(p, 'utf8'), (v) => {
            if (v && typeof v === 'object' && !Array.isArray(v)) objects.push(v as Record<string, unknown>);
          });
        } catch {
          // a fixture of a syntax error
        }
      }
    }
  };
  roots.forEach(walk);
  // Crafted: unknown fields at several depths, nulls in mappings, a map (labels), a type error.
  const crafted = (extra: Record<string, unknown>) => ({
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', labels: { a: 'b' }, annotations: null },
    spec: {
      selector: { matchLabels: { a: 'b' } }, replicas: '2', ...extra,
      template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i', imagePullPolice: 'Always', env: [{ name: 'X', valueFrom: null }], ports: [{ containerPort: 80, nmae: 'http' }] }], volumes: [{ name: 'v', emptyDir: {} }, { name: 'w', configMap: { name: 'cm', itemz: [] } }] } },
    },
  });
  objects.push(crafted({}), crafted({ strategy: { type: 'Recreate', rollingUpdat: {} } }), crafted({ paused: null }));
  const builtins = objects.filter((o) => typeof o['apiVersion'] === 'string' && typeof o['kind'] === 'string' && validatorFor(o['apiVersion'] as string, o['kind'] as string));
  t.ok(builtins.length > 300, `${builtins.length} built-in objects`);
  const key = (o: Record<string, unknown>) => validatorFor(o['apiVersion'] as string, o['kind'] as string)!;
  // Proxy only: forget what was learned before each object.
  const before = { ...validationPaths };
  const proxied = builtins.map((o) => {
    forgetLearnedTables(key(o));
    return validateBuiltin(o, key(o));
  });
  t.equal(validationPaths.table, before.table, 'with nothing learned every validation runs the proxy');
  // Learn from every object once, then validate each again: now through the table where it can.
  for (const o of builtins) validateBuiltin(o, key(o));
  const mid = { ...validationPaths };
  const tabled = builtins.map((o) => validateBuiltin(o, key(o)));
  t.ok(validationPaths.table - mid.table > builtins.length / 2, `most objects take the table path (${validationPaths.table - mid.table} of ${builtins.length})`);
  t.ok(proxied.some((v) => v.length > 0), 'some objects have violations');
  t.same(tabled, proxied, 'identical violations, object by object');
});

// validatorFor() loads the generated validator modules itself (without Node's per-module lookups);
// the functions must behave as the ones Node's require() gives.
t.test('validators loaded by the schema loader behave as Node-loaded ones', async (t) => {
  const kmRequire = createRequire(join(process.cwd(), 'package.json'));
  const dir = join(dirname(kmRequire.resolve('kubernetes-models/package.json')), '_schemas');
  const kinds: Array<[string, string, string, Record<string, unknown>]> = [
    ['apps/v1', 'Deployment', 'IoK8sApiAppsV1Deployment', { spec: { replicas: 'two', template: { spec: { containers: [{ name: 1, ports: [{ containerPort: '80' }] }] } } } }],
    ['v1', 'Service', 'IoK8sApiCoreV1Service', { spec: { ports: [{ port: 'x', protocol: 'TCPX' }], type: 3 } }],
    ['batch/v1', 'CronJob', 'IoK8sApiBatchV1CronJob', { spec: { schedule: 5, jobTemplate: { spec: { template: { spec: { containers: {} } } } } } }],
    ['networking.k8s.io/v1', 'Ingress', 'IoK8sApiNetworkingV1Ingress', { spec: { rules: [{ http: { paths: [{ backend: { service: { port: { number: 'a' } } } }] } }] } }],
    ['v1', 'Pod', 'IoK8sApiCoreV1Pod', { metadata: { creationTimestamp: 'yesterday', labels: { a: 1 } }, spec: { containers: [{ name: 'a', resources: { limits: { cpu: '1x' } } }] } }],
  ];
  for (const [apiVersion, kind, def, bad] of kinds) {
    const ours = validatorFor(apiVersion, kind)!;
    const nodes = (kmRequire(join(dir, `${def}.js`)) as { validate: typeof ours }).validate;
    t.not(ours, nodes, `${kind}: loaded separately`);
    const obj = { apiVersion, kind, metadata: { name: 'x' }, ...bad };
    t.equal(ours(obj), nodes(obj), `${kind}: same verdict`);
    t.ok(ours.errors && ours.errors.length > 0, `${kind}: the bad object has errors (${ours.errors?.length})`);
    t.same(ours.errors, nodes.errors, `${kind}: same errors`);
    const good = { apiVersion, kind, metadata: { name: 'x' } };
    t.equal(ours(good), nodes(good), `${kind}: same verdict on a minimal object`);
  }
});

t.test('objects the quick reader made are walked without tracking their nodes; a collection shared by an alias still sends the walk to the proxy', async (t) => {
  const quick = new SourceFile('a: {b: 1}\nc: [1, 2]\n');
  t.equal(quick.unshared, true, 'the quick reader makes every collection once');
  const aliased = new SourceFile('a: &x {b: 1}\nc: *x\n');
  const v = aliased.documents[0]!.value as Record<string, unknown>;
  t.equal(v['a'], v['c'], 'js-yaml shares an anchored mapping with its alias');
  t.equal(aliased.unshared, false, 'so those values are not called unshared');

  const fn = validatorFor('apps/v1', 'Deployment')!;
  const deployment = (resources: (i: number) => unknown) => ({
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' },
    spec: {
      selector: { matchLabels: { a: 'b' } },
      template: { metadata: { labels: { a: 'b' } }, spec: { containers: [0, 1].map((i) => ({ name: `c${i}`, image: 'i', resources: resources(i) })) } },
    },
  });
  forgetLearnedTables(fn);
  validateBuiltin(deployment(() => ({ limits: { cpu: '1' } })), fn); // learns the table
  const shared = { limits: { cpu: '1' }, limitz: {} };
  const copies = deployment(() => ({ limits: { cpu: '1' }, limitz: {} }));
  const one = deployment(() => shared);
  const at = { ...validationPaths };
  const fromCopies = validateBuiltin(copies, fn, { unshared: true });
  t.equal(validationPaths.table, at.table + 1, 'an unshared object takes the table path');
  const fromShared = validateBuiltin(one, fn);
  t.equal(validationPaths.proxy, at.proxy + 1, 'a node reached twice, untold, sends the walk to the proxy');
  t.same(fromCopies.map((x) => [x.path, x.code]), [
    ['/spec/template/spec/containers/0/resources/limitz', 'unknown-field'],
    ['/spec/template/spec/containers/1/resources/limitz', 'unknown-field'],
  ], 'the unknown field, in both containers');
  t.same(fromShared, fromCopies, 'the same violations either way');
});

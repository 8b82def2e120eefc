// The schema validators run rewritten (src/schema.ts, rewriteValidatorCode()): their calls pass no
// path, and a failing call's errors get the caller's path put in front. That must change nothing a
// validator says: its verdict and its errors, with their paths, in their order, on valid and broken
// objects alike. Compared here with the validators as kubernetes-models ships them.

import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load as loadYaml, loadAll } from 'js-yaml';
import { ROOT } from './helpers/harness.js';
import { yamlFiles } from './helpers/quick-diff.js';
import { rewriteValidatorCode, shippedValidatorFor, validatorFor, validatorRewrites, type ValidateFn } from '../src/schema.js';

type Obj = Record<string, unknown>;

function manifests(dir: string): Obj[] {
  const out: Obj[] = [];
  for (const p of yamlFiles(dir)) {
    try {
      for (const v of loadAll(readFileSync(p, 'utf8'))) {
        if (v !== null && typeof v === 'object' && !Array.isArray(v)) out.push(v as Obj);
      }
    } catch {
      // a fixture of broken YAML: nothing to validate
    }
  }
  return out;
}

const objects = [...manifests(join(ROOT, 'test/corpus-sample')), ...manifests(join(ROOT, 'fixtures')), ...manifests(join(ROOT, 'examples'))];

function pair(o: Obj): [ValidateFn, ValidateFn] | null {
  if (typeof o['apiVersion'] !== 'string' || typeof o['kind'] !== 'string') return null;
  const fast = validatorFor(o['apiVersion'], o['kind']);
  const shipped = shippedValidatorFor(o['apiVersion'], o['kind']);
  return fast && shipped ? [fast, shipped] : null;
}

/** Verdict and errors of both forms, as JSON (errors are made anew by each call). */
function both(fns: [ValidateFn, ValidateFn], o: unknown): [string, string] {
  const say = (fn: ValidateFn) => JSON.stringify([fn(o), fn.errors ?? null]);
  return [say(fns[0]), say(fns[1])];
}

/** A deterministic generator (a linear congruential one), so a failure can be replayed. */
function random(seed: number): () => number {
  let s = seed;
  return () => {
    s = (Math.imul(s, 1103515245) + 12345) & 0x7fffffff;
    return s / 0x80000000;
  };
}

const WRONG: unknown[] = [5, -1, 1.5, 2 ** 40, 'x', '', '12Mi', true, null, {}, { a: 1 }, [], [1], ['x']];

/** A copy with some values swapped for wrong ones, some fields dropped and one unknown added. */
function broken(v: unknown, rnd: () => number, depth: number): unknown {
  const wrong = () => WRONG[Math.floor(rnd() * WRONG.length)];
  if (v === null || typeof v !== 'object') return rnd() < 0.5 ? wrong() : v;
  if (depth > 0 && rnd() < 0.05) return wrong();
  if (Array.isArray(v)) {
    const out = v.map((x) => (rnd() < 0.4 ? broken(x, rnd, depth + 1) : x));
    if (rnd() < 0.1) out.push(wrong());
    return out;
  }
  const out: Obj = {};
  for (const [k, x] of Object.entries(v)) {
    const r = rnd();
    if (r < 0.08) continue;
    out[k] = r < 0.5 ? broken(x, rnd, depth + 1) : x;
  }
  if (rnd() < 0.1) out['unexpected'] = wrong();
  return out;
}

t.test('the rewrite applies to the validators (else they run as shipped, at their old speed)', async (t) => {
  const before = { ...validatorRewrites };
  t.ok(validatorFor('apps/v1', 'Deployment'));
  t.ok(validatorFor('v1', 'Service'));
  const calls = validatorRewrites.calls - before.calls;
  const rewritten = validatorRewrites.rewritten - before.rewritten;
  t.ok(calls > 300, `a Deployment's and a Service's validators make ${calls} calls with a path`);
  t.equal(rewritten, calls, 'every one of them is rewritten');
});

t.test('a rewritten call', async (t) => {
  const code =
    'void 0===data.ports||validate30(data.ports,{instancePath:instancePath+"/ports",parentData:data,parentDataProperty:"ports",rootData})||' +
    '(errors=(vErrors=null===vErrors?validate30.errors:vErrors.concat(validate30.errors)).length)';
  t.equal(
    rewriteValidatorCode(code),
    'void 0===data.ports||validate30(data.ports,__kpNoPath)||' +
      '(errors=(vErrors=null===vErrors?__kpPrefix(validate30.errors,instancePath+"/ports"):vErrors.concat(__kpPrefix(validate30.errors,instancePath+"/ports"))).length)',
  );
  const other = 'validate30(data.ports,{instancePath:instancePath+"/ports",parentData:data,parentDataProperty:"ports",rootData})||(errors=(vErrors=null===vErrors?validate31.errors:vErrors.concat(validate31.errors)).length)';
  t.equal(rewriteValidatorCode(other), other, 'left alone when the errors read are not the callee\'s');
});

t.test('same verdicts and errors as shipped, on the corpus sample, fixtures and examples', async (t) => {
  let compared = 0;
  let invalid = 0;
  const diffs: string[] = [];
  for (const o of objects) {
    const fns = pair(o);
    if (!fns) continue;
    compared++;
    const [fast, shipped] = both(fns, o);
    if (!fns[1](o)) invalid++;
    if (fast !== shipped) diffs.push(`${String(o['kind'])} ${JSON.stringify((o['metadata'] as Obj | undefined)?.['name'])}`);
  }
  t.ok(compared > 300, `${compared} objects of built-in kinds`);
  t.ok(invalid >= 5, `${invalid} of them with schema errors (the broken variants below have many more)`);
  t.same(diffs, [], 'no object validates differently');
});

t.test('same verdicts and errors as shipped, on broken variants', async (t) => {
  const rnd = random(20261122);
  let compared = 0;
  let errors = 0;
  let deep = 0;
  const diffs: string[] = [];
  for (let round = 0; round < 12; round++) {
    for (const o of objects) {
      const fns = pair(o);
      if (!fns) continue;
      const b = broken(o, rnd, 0) as Obj;
      b['apiVersion'] = o['apiVersion'];
      b['kind'] = o['kind'];
      compared++;
      const [fast, shipped] = both(fns, b);
      if (!fns[1](b)) {
        const errs = fns[1].errors ?? [];
        errors += errs.length;
        deep += errs.filter((e) => e.instancePath.split('/').length > 4).length;
      }
      if (fast !== shipped && diffs.length < 5) diffs.push(`${String(o['kind'])}: ${fast.slice(0, 300)} != ${shipped.slice(0, 300)}`);
    }
  }
  t.ok(compared > 4000, `${compared} broken variants`);
  t.ok(errors > 1000, `${errors} errors among them`);
  t.ok(deep > 200, `${deep} of them four levels down or more (paths built from several callers)`);
  t.same(diffs, [], 'no variant validates differently');
});

t.test('a path through a list, a map and a shared definition', async (t) => {
  const o = loadYaml(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: x
  labels: {a: 1}
spec:
  selector: {matchLabels: {app: x}}
  template:
    spec:
      containers:
        - name: a
          image: a
        - name: b
          ports:
            - containerPort: "80"
          resources:
            limits: {cpu: [1]}
`) as Obj;
  const fast = validatorFor('apps/v1', 'Deployment')!;
  t.notOk(fast(o));
  t.same(
    (fast.errors ?? []).map((e) => [e.instancePath, e.keyword]),
    [
      ['/metadata/labels/a', 'type'],
      ['/spec/template/spec/containers/1/ports/0/containerPort', 'type'],
      ['/spec/template/spec/containers/1/resources/limits/cpu', 'type'],
      ['/spec/template/spec/containers/1/resources/limits/cpu', 'type'],
      ['/spec/template/spec/containers/1/resources/limits/cpu', 'oneOf'],
    ],
    'absolute paths, as the shipped validator gives them',
  );
  const shipped = shippedValidatorFor('apps/v1', 'Deployment')!;
  shipped(o);
  t.same(fast.errors, shipped.errors);
});

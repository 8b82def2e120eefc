// The engine's contract with rules: positions from paths (strictly), suppressions, Helm sources,
// List items, --context, and the validation of what rules report.

import t from 'tap';
import { lintText, lintTexts, of } from './helpers/harness.js';
import { MessageTexts, runEngine, RulePathError } from '../src/engine.js';
import type { RelatedReport, Resource, Rule, RuleContext } from '../src/types.js';

const pod = (name: string, extra = '') => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
${extra}spec:
  containers:
    - name: c
      image: nginx:1.27
      ports:
        - containerPort: 80
`;

t.test('disable-next-line applies to the next content line, skipping comment lines', async (t) => {
  const text = pod('a').replace('        - containerPort: 80\n', '        # kube-preflight-disable-next-line unnamed-container-port -- legacy\n        # (another comment)\n        - containerPort: 80\n');
  const f = await lintText(text);
  const u = f.filter((x) => x.ruleId === 'unnamed-container-port');
  t.equal(u.length, 1);
  t.same(u[0]!.suppressed, { kind: 'inSource', via: 'comment', justification: 'legacy' });
  t.same(of(f, 'unnamed-container-port'), [], 'not counted as a finding');
});

t.test('a directive for another rule suppresses nothing; no ids means every rule', async (t) => {
  const other = pod('a').replace('        - containerPort: 80\n', '        # kube-preflight-disable-next-line invalid-port-name\n        - containerPort: 80\n');
  t.equal(of(await lintText(other), 'unnamed-container-port').length, 1);
  const all = pod('a').replace('        - containerPort: 80\n', '        - containerPort: 80 # kube-preflight-disable-line\n');
  t.equal(of(await lintText(all), 'unnamed-container-port').length, 0);
});

t.test('kube-preflight-disable covers the rest of its document only', async (t) => {
  const text = `# kube-preflight-disable unnamed-container-port -- generated\n${pod('a')}---\n${pod('b')}`;
  const f = await lintText(text);
  t.same(of(f, 'unnamed-container-port').map((x) => x.resource?.name), ['b']);
  t.same(f.filter((x) => x.suppressed).map((x) => x.resource?.name), ['a']);
});

t.test('the kube-preflight.io/ignore annotation on the object or its pod template', async (t) => {
  const onPod = pod('a', '').replace('  name: a\n', '  name: a\n  annotations:\n    kube-preflight.io/ignore: "invalid-port-name, unnamed-container-port"\n');
  t.same(of(await lintText(onPod), 'unnamed-container-port'), []);
  const deployment = `apiVersion: apps/v1
kind: Deployment
metadata: {name: d}
spec:
  selector: {matchLabels: {app: d}}
  template:
    metadata:
      labels: {app: d}
      annotations: {kube-preflight.io/ignore: unnamed-container-port}
    spec:
      containers:
        - name: c
          image: nginx:1.27
          ports: [{containerPort: 80}]
`;
  const f = await lintText(deployment);
  t.same(of(f, 'unnamed-container-port'), []);
  t.equal(f.find((x) => x.ruleId === 'unnamed-container-port')?.suppressed?.via, 'annotation');
});

t.test('config ignores match rule, kind, name, namespace and file globs, with their reason', async (t) => {
  const files = { 'apps/a.yaml': pod('a'), 'apps/b.yaml': pod('b'), 'vendor/c.yaml': pod('c') };
  const run = async (ig: object) => (await lintTexts(files, { config: { ignores: [{ rule: 'unnamed-container-port', reason: 'why', ...ig }] } })).result.findings;
  const names = (f: Awaited<ReturnType<typeof run>>) => of(f, 'unnamed-container-port').map((x) => x.resource?.name).sort();
  t.same(names(await run({ name: 'a' })), ['b', 'c']);
  t.same(names(await run({ kind: 'Deployment' })), ['a', 'b', 'c']);
  t.same(names(await run({ namespace: 'default' })), []);
  t.same(names(await run({ files: ['vendor/**'] })), ['a', 'b']);
  const suppressed = (await run({ name: 'a' })).find((x) => x.suppressed);
  t.same(suppressed?.suppressed, { kind: 'external', via: 'config', justification: 'why' });
});

t.test('Helm `# Source:` comments are carried on findings of their document', async (t) => {
  const text = `---\n# Source: web/templates/a.yaml\n${pod('a')}---\n# Source: web/templates/b.yaml\n${pod('b')}---\n${pod('c')}`;
  const f = of(await lintText(text), 'unnamed-container-port');
  t.same(f.map((x) => [x.resource?.name, x.source]), [['a', 'web/templates/a.yaml'], ['b', 'web/templates/b.yaml'], ['c', undefined]]);
});

t.test('List items are linted with positions inside the List', async (t) => {
  const text = `apiVersion: v1\nkind: List\nitems:\n${pod('a').replace(/^/gm, '  ').replace(/^  apiVersion/, '- apiVersion').trimEnd()}\n`;
  const f = of(await lintText(text), 'unnamed-container-port');
  t.same(f.map((x) => [x.path, x.line, x.column]), [['/items/0/spec/containers/0/ports/0', 13, 13]]);
});

t.test('merge keys: a path into merged content resolves to the anchored node', async (t) => {
  const text = `apiVersion: v1
kind: Pod
metadata: {name: a}
spec:
  containers:
    - &base
      name: c
      image: nginx:1.27
      ports:
        - {name: http, containerPort: 80}
    - <<: *base
      name: d
`;
  const f = of(await lintText(text), 'invalid-port-name');
  t.same(f.map((x) => [x.severity, x.line, x.column, x.path]), [['warning', 10, 18, '/spec/containers/1/ports/0/name']]);
});

const badRule = (path: string): Rule => ({
  meta: { id: 'bad-rule', description: 'test rule', rationale: 'test rule for the engine', severity: 'error', category: 'meta', fixable: false, docs: {} },
  create: (ctx) => ({ resource: (r) => ctx.report({ resource: r, path, message: 'x' }) }),
});

t.test('an unresolvable path fails in strict mode and falls back to the nearest node otherwise', async (t) => {
  const files = [{ path: '/v/a.yaml', display: 'a.yaml', context: false, text: pod('a') }];
  const base = { cwd: '/v', files, facts: { flags: {}, config: {} } };
  await t.rejects(runEngine({ ...base, rules: [{ rule: badRule('/spec/nope/0'), options: {} }], strict: true }), RulePathError);
  const r = await runEngine({ ...base, rules: [{ rule: badRule('/spec/nope/0'), options: {} }] });
  t.same([r.findings[0]!.line, r.findings[0]!.column], [6, 3], 'falls back to /spec');
});

t.test('a fix from a rule not marked fixable is rejected in strict mode', async (t) => {
  const rule: Rule = {
    ...badRule(''),
    create: (ctx) => ({ resource: (r) => ctx.report({ resource: r, path: '/metadata/name', message: 'x', fix: (f) => f.replaceNode({ resource: r, path: '/metadata/name' }, 'y') }) }),
  };
  const files = [{ path: '/v/a.yaml', display: 'a.yaml', context: false, text: pod('a') }];
  await t.rejects(runEngine({ cwd: '/v', files, facts: { flags: {}, config: {} }, rules: [{ rule, options: {} }], strict: true }), /meta.fixable is false/);
});

t.test('--context resources are indexed but never reported, even by per-resource rules', async (t) => {
  const out = await lintTexts({ 'a.yaml': pod('a') }, { context: { 'ctx.yaml': pod('ctx').replace('containerPort: 80', 'name: BAD\n          containerPort: 80') } });
  t.same(out.result.findings.map((f) => f.file), ['a.yaml']);
  t.equal(out.result.summary.files, 1, 'context files are not counted');
  t.equal(out.result.summary.resources, 1);
});

t.test('severity overrides from config apply to every finding of the rule', async (t) => {
  const f = await lintText(pod('a'), { config: { rules: { 'unnamed-container-port': 'error' } } });
  t.same(of(f, 'unnamed-container-port').map((x) => x.severity), ['error']);
  const off = await lintText(pod('a'), { config: { rules: { 'unnamed-container-port': { severity: 'off' } } } });
  t.same(of(off, 'unnamed-container-port'), []);
});

/** A cross-resource rule that reports in done(), after every file was read: `report` says what, per resource seen. */
function lateRule(report: (ctx: RuleContext, r: Resource) => void): { rule: Rule; seen: Resource[] } {
  const seen: Resource[] = [];
  const rule: Rule = {
    meta: { ...badRule('').meta, id: 'late-rule', crossResource: true },
    create: (ctx) => ({ resource: (r) => void seen.push(r), done: () => seen.forEach((r) => report(ctx, r)) }),
  };
  return { rule, seen };
}

t.test('a plain run drops each text once its file is read; findings made later and unused annotation ignores keep exact positions', async (t) => {
  const { rule: late, seen } = lateRule((ctx, r) => ctx.report({ resource: r, path: '/metadata/name', message: `name of ${r.name}` }));
  const ignored = pod('b').replace('  name: b\n', '  name: b\n  annotations:\n    kube-preflight.io/ignore: invalid-port-name\n');
  const files = [
    { path: '/v/a.yaml', display: 'a.yaml', context: false, text: pod('a') },
    { path: '/v/b.yaml', display: 'b.yaml', context: false, text: ignored },
  ];
  const base = { cwd: '/v', files, facts: { flags: {}, config: {} }, rules: [{ rule: late, options: {} }], reportUnusedSuppressions: true };
  for (const evaluateFixes of [false, true]) {
    seen.length = 0;
    const r = await runEngine({ ...base, evaluateFixes });
    t.same(r.files.map((f) => f.text), evaluateFixes ? [pod('a'), ignored] : [undefined, undefined], evaluateFixes ? 'fixes keep the texts' : 'texts dropped');
    t.same(r.findings.map((f) => [f.ruleId, f.file, f.line, f.column, f.endLine, f.endColumn, f.path]), [
      ['late-rule', 'a.yaml', 4, 9, 4, 10, '/metadata/name'],
      ['late-rule', 'b.yaml', 4, 9, 4, 10, '/metadata/name'],
      ['unused-suppression', 'b.yaml', 6, 31, 6, 48, '/metadata/annotations/kube-preflight.io~1ignore'],
    ], `evaluateFixes: ${evaluateFixes}`);
  }
});

t.test('a plain run keeps neither text nor parse of a read file: later findings take captured ranges, and a field the skeleton dropped reads the file again', async (t) => {
  const { rule: late, seen } = lateRule((ctx, r) => {
    ctx.report({ resource: r, path: '/spec/containers/0/ports/0', message: 'port (in the skeleton)' });
    ctx.report({ resource: r, path: '/spec/containers/0/name', on: 'key', message: 'name key (in the skeleton)' });
    ctx.report({ resource: r, path: '/spec/containers/0/image', message: 'image (dropped by the skeleton)' });
    ctx.report({ resource: r, path: '/spec/containers/0/ports/3', message: 'absent: nearest node' });
  });
  const files = [{ path: '/v/a.yaml', display: 'a.yaml', context: false, text: pod('a') }];
  const want = [
    ['a.yaml', 7, 7, 7, 11, 'name key (in the skeleton)'],
    ['a.yaml', 8, 14, 8, 24, 'image (dropped by the skeleton)'],
    ['a.yaml', 10, 9, 10, 28, 'absent: nearest node'],
    ['a.yaml', 10, 11, 10, 28, 'port (in the skeleton)'],
  ];
  for (const evaluateFixes of [false, true]) {
    seen.length = 0;
    const r = await runEngine({ cwd: '/v', files, facts: { flags: {}, config: {} }, rules: [{ rule: late, options: {} }], evaluateFixes });
    t.same(r.findings.map((f) => [f.file, f.line, f.column, f.endLine, f.endColumn, f.message]), want, evaluateFixes ? 'from the kept parse' : 'from the captured ranges');
  }
});

t.test('a related location handed over under several findings is resolved once, and those findings share the result', async (t) => {
  // Pod a's port is listed by findings about b, in done() (after both files are read) and by two
  // findings while a's own file is read; another object for the same node keeps its own message.
  const rule: Rule = {
    meta: { ...badRule('').meta, id: 'shared-related', crossResource: true },
    create: (ctx) => {
      const pods: Resource[] = [];
      let shared: RelatedReport | undefined;
      return {
        resource: (r) => {
          pods.push(r);
          if (r.name !== 'a') return;
          shared = { resource: r, path: '/spec/containers/0/ports/0', message: 'port 80 of a' };
          ctx.report({ resource: r, path: '/metadata/name', message: 'first, while a is read', related: [shared] });
          ctx.report({ resource: r, path: '/spec/containers/0/name', message: 'second, while a is read', related: [shared] });
        },
        done: () => {
          const b = pods.find((r) => r.name === 'b')!;
          ctx.report({ resource: b, path: '/metadata/name', message: 'late, at b', related: [shared!] });
          ctx.report({ resource: b, path: '/spec/containers/0/name', message: 'late, at b again', related: [shared!, { ...shared!, message: 'the same port, said otherwise' }] });
        },
      };
    },
  };
  const files = [
    { path: '/v/a.yaml', display: 'a.yaml', context: false, text: pod('a') },
    { path: '/v/b.yaml', display: 'b.yaml', context: false, text: pod('b') },
  ];
  const r = await runEngine({ cwd: '/v', files, facts: { flags: {}, config: {} }, rules: [{ rule, options: {} }], strict: true });
  const port = { file: 'a.yaml', line: 10, column: 11, endLine: 10, endColumn: 28, path: '/spec/containers/0/ports/0', message: 'port 80 of a' };
  const by = (m: string) => r.findings.find((f) => f.message === m)!;
  for (const m of ['first, while a is read', 'second, while a is read', 'late, at b']) t.same(by(m).related, [port], m);
  t.same(by('late, at b again').related, [port, { ...port, message: 'the same port, said otherwise' }], 'another object: its own message at the same place');
  const results = ['first, while a is read', 'second, while a is read', 'late, at b', 'late, at b again'].map((m) => by(m).related[0]);
  t.ok(results.every((x) => x === results[0]), 'one result object for the four findings');
  t.not(by('late, at b again').related[1], results[0], 'not for the other object');
});

t.test('messages go into the table while their rule repeats them: a rule that does not stops after the sample', async (t) => {
  const N = MessageTexts.SAMPLE;
  // Built by concatenation, as rules build them: equal texts, distinct string objects.
  const msg = (i: number) => `port ${String(i)} of workload "${'w' + String(i % 7)}"`;
  const texts = new Map<string, string>();
  const distinct = new MessageTexts(texts);
  const wrong: number[] = [];
  for (let i = 0; i < N - 1; i++) if (distinct.one(msg(i)) !== msg(i)) wrong.push(i);
  t.same(wrong, [], 'each message as given');
  t.ok(distinct.sharing, 'still in the table one message before the sample is full');
  t.equal(texts.size, N - 1);
  t.equal(distinct.one(msg(N - 1)), msg(N - 1));
  t.notOk(distinct.sharing, 'a sample of distinct messages: the rule leaves the table');
  t.equal(distinct.one(msg(N + 5)), msg(N + 5), 'its messages come back as given');
  t.equal(distinct.one(msg(3)), msg(3));
  t.equal(texts.size, N, 'and are no longer added');

  // 1 in 20 found is the threshold: one text written 27 times in 512 (26 found) stays in the table,
  // 26 times (25 found) does not.
  for (const [times, stays] of [[Math.ceil(N / 20) + 1, true], [Math.ceil(N / 20), false]] as const) {
    const table = new Map<string, string>();
    const m = new MessageTexts(table);
    for (let i = 0; i < N; i++) m.one(i < times ? ['the same', 'text'].join(' ') : msg(i));
    t.equal(m.sharing, stays, `one text ${times} times in ${N}: ${stays ? 'stays' : 'leaves'}`);
    t.equal(table.size, N - times + 1, 'each distinct text once');
  }

  // A rule's two tables are judged apart, and share the run's map: a related message equal to one a
  // rule reported before is found there.
  const run = new Map<string, string>();
  const primary = new MessageTexts(run);
  const related = new MessageTexts(run);
  for (let i = 0; i < N; i++) primary.one(msg(i));
  const list: RelatedReport[] = Array.from({ length: N }, () => ({ resource: {} as Resource, path: '', message: ['also', 'here'].join(' ') }));
  t.equal(related.all(list), list, 'the list itself');
  t.ok(list.every((r) => r.message === 'also here'), 'each message as written');
  t.notOk(primary.sharing, 'distinct primary messages leave the table');
  t.ok(related.sharing, 'repeated related ones stay');
  t.same(related.all(undefined), [], 'no related locations: an empty list');
});

t.test('past the sample, a rule that never repeats a message still reports each as written, after reading and while reading', async (t) => {
  const n = MessageTexts.SAMPLE + 40;
  const rule: Rule = {
    meta: { ...badRule('').meta, id: 'many-messages', crossResource: true },
    create: (ctx) => {
      const pods: Resource[] = [];
      return {
        resource: (r) => {
          pods.push(r);
          ctx.report({ resource: r, path: '/metadata/name', message: `read: ${r.name} ` + String(pods.length) });
        },
        done: () => {
          for (const r of pods) ctx.report({ resource: r, path: '/spec/containers/0/ports/0', message: `late: ${r.name}, port ` + String(80) });
        },
      };
    },
  };
  const text = Array.from({ length: n }, (_, i) => pod(`p${i}`)).join('---\n');
  const files = [{ path: '/v/many.yaml', display: 'many.yaml', context: false, text }];
  const r = await runEngine({ cwd: '/v', files, facts: { flags: {}, config: {} }, rules: [{ rule, options: {} }], strict: true });
  t.equal(r.findings.length, 2 * n);
  const last = r.findings.filter((f) => f.message.startsWith(`late: p${n - 1},`));
  t.same(last.map((f) => [f.message, f.line, f.column]), [[`late: p${n - 1}, port 80`, 11 * (n - 1) + 10, 11]], 'the last late finding, at its port');
  const read = new Set(r.findings.filter((f) => f.message.startsWith('read: ')).map((f) => f.message));
  t.equal(read.size, n, 'every message made while reading, each its own');
  t.ok(read.has(`read: p${n - 1} ${n}`));
});

t.test('pointers: split once and shared, escapes undone, and a shared split survives the nearest-ancestor search', async (t) => {
  const { splitPointer } = await import('../src/pointer.js');
  const { SourceFile } = await import('../src/yaml-source.js');
  t.same(splitPointer('/metadata/annotations/linkerd.io~1inject'), ['metadata', 'annotations', 'linkerd.io/inject']);
  t.same(splitPointer('/a~0b/~01'), ['a~b', '~1']);
  t.same(splitPointer(''), []);
  t.equal(splitPointer('/spec/ports/0'), splitPointer('/spec/' + 'ports/0'), 'the same array for the same pointer');
  t.throws(() => splitPointer('spec'), /invalid JSON Pointer/);
  // Past the table's size it starts again, and still splits right.
  let wrong = 0;
  for (let i = 0; i < 5000; i++) if (splitPointer(`/x/${i}`)[1] !== String(i)) wrong++;
  t.equal(wrong, 0, '5,000 distinct pointers split right');
  // nearestResolvable() pops tokens off its own copy: asking twice gives the same answer.
  const src = new SourceFile('a:\n  b: 1\n');
  t.equal(src.nearestResolvable(0, '/a/c/d'), '/a');
  t.equal(src.nearestResolvable(0, '/a/c/d'), '/a');
  t.same(splitPointer('/a/c/d'), ['a', 'c', 'd'], 'the shared split is intact');
});

t.test('pointers made by ptr() and pointerOf() are the pointers written, one copy kept per pointer', async (t) => {
  const { pointerOf, ptr } = await import('../src/pointer.js');
  t.equal(ptr('/spec', 'template', 0), '/spec/template/0');
  t.equal(ptr('/metadata/annotations', 'linkerd.io/inject'), '/metadata/annotations/linkerd.io~1inject');
  t.equal(ptr('/a', 'x~y'), '/a/x~0y');
  t.equal(ptr('/spec'), '/spec', 'no tokens: the base');
  const first = pointerOf(`/spec/template/spec/containers/${0}/ports/${1}`);
  t.equal(pointerOf('/spec/template/spec/containers/0/ports/1'), first);
  // Past the table's size it starts again, and every pointer is still itself.
  let wrong = 0;
  for (let i = 0; i < 10000; i++) {
    const p = `/spec/ports/${i}`;
    if (pointerOf(p) !== p || ptr('/spec/ports', i) !== p) wrong++;
  }
  t.equal(wrong, 0, '10,000 distinct pointers, each itself');
  // ptr() keeps children by parent and token: a number and its digits name one child, escaping holds
  // when the child comes from the table, and 10,000 parents (past its size) still give themselves.
  t.equal(ptr('/spec/ports', 3), ptr('/spec/ports', '3'));
  t.equal(ptr('/spec/ports', '3'), '/spec/ports/3');
  t.equal(ptr('/x', 'a/b'), '/x/a~1b');
  t.equal(ptr('/x', 'a/b'), '/x/a~1b', 'the kept child, escaped');
  let wrongChild = 0;
  for (let i = 0; i < 10000; i++) if (ptr(`/items/${i}`, 'spec', 'ports', i % 7) !== `/items/${i}/spec/ports/${i % 7}`) wrongChild++;
  t.equal(wrongChild, 0, '10,000 parents, each child itself');
});

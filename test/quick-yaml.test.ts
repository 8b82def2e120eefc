// The quick reader (src/quick-yaml.ts) stands in for js-yaml on most manifests. Wherever it reads a
// file, values, documents and the range and source text of every node and key must be exactly
// those of the js-yaml path; whatever it does not know it must leave to js-yaml.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './helpers/harness.js';
import { quickDiff, yamlFiles } from './helpers/quick-diff.js';
import { SourceFile } from '../src/yaml-source.js';
import type { ImplicitType } from '../src/quick-yaml.js';

t.test('real manifests, fixtures and examples: read alike', async (t) => {
  for (const dir of ['test/corpus-sample', 'fixtures', 'examples']) {
    let taken = 0;
    const files = yamlFiles(join(ROOT, dir));
    for (const f of files) {
      const r = quickDiff(readFileSync(f, 'utf8'));
      if (r.taken) taken++;
      t.same(r.differences, [], f);
    }
    // Most real files are within what the reader knows; the rest exercise js-yaml.
    t.ok(taken > files.length / 4, `${dir}: ${taken} of ${files.length} files read by the quick reader`);
  }
});

/** Texts the reader must take, and read exactly as js-yaml does. */
const TAKEN = [
  // block scalars: chomping, blank lines inside, before and after, no final line break
  'a: |\n  x\n\n  y\n\n\nb: 1\n', 'a: >\n  x\n  y\n\n  z\n\n', 'a: |+\n  x\n\n', 'a: |-\n  x\n  y\n', 'a: >-\n  x\n  y\n',
  'a: >\n\n  x\n  y\n', 'a: |\n\n  x\n', 'a: |\n  x', 'a: |+\n  x\n\n\nb: 2', 'a: |\n  x  \n  y\n# c\nb: 1\n', 'a: |\n    x\n     y\n',
  // folded scalars around more-indented lines (kept as they are, with their line breaks)
  'a: >\n  x\n    y\n', 'a: >-\n  x\n    y\n    z\n  w\n  v\n', 'a: >+\n  x\n\n    y\n\n  z\n\n',
  // plain and quoted scalars over several lines
  'a: x\n  y\n\n  z\nb: 1\n', '- x\n  - y\n- z\n', 'a: x\n  y\n    # c\nb: 1\n', 'k:\n  - a b\n    c d\n',
  "a: 'x\n  y\n\n  z '\nb: 1\n", 'a: "x\n  \\t y\n\n\n  z"\n', "a: 'x\n  '\n", 'a: "x \\ y\n  z"\n',
  // flow sequences of scalars, empty collections
  'a: [a, "b", \'c\', 1, null, -2.5]\n', 'a: []\nb: {}\n', 'a: [ "*" ]\n', 'a: [--port, "8080"] # c\n',
  // flow mappings of scalars
  'a: {b: 1}\n', 'r:\n  requests: {cpu: 100m, memory: 128Mi}\n  limits: {memory: 256Mi}\n', 'a: { b: x y ,  "c": \'d\' }  # e\n',
  '- {name: http, port: 80}\n- {}\n', 'a: {1: one, true: t, null: n, x: .5, y: -1, z: ~}\n', 'a: { }\nb: 2\n', '{a: 1}\n',
  // quoted scalars and keys
  'a: "x\\ny\\t\\"\\\\ \\u00e9 \\x41 \\/"\n', "a: 'it''s'\n", '"q": 1\n\'r\': 2\n"": 3\n',
  // keys and values that resolve to other types
  '1: a\n0x10: b\nnull: c\ntrue: e\n1.50: f\n', 'a: 0o17\nb: 1_0\nc: .inf\nd: -.Inf\ne: .nan\nf: -0\ng: 0.0\nh: ~\ni: False\n',
  // empty values, compact sequences, sequences of mappings
  'a:\nb: 1\nc:\n', 'a:\n- x\n- y: 1\n  z: 2\nb: 3\n', '- a\n- b: 1\n  c:\n  - d\n- e\n', 'a:\n  -\n    b: 1\n',
  // comments
  'a: foo\n    # c\nb: 1\n', 'a:\n  # c\n  b: 1 # d\n', 'a: "x" # c\n',
  // anchored scalars and their aliases (Linkerd's `&containerName linkerd-proxy`)
  'a: &x 1\nb: *x\n', 'a: &x "q"\nb:\n  - *x\n  - c\n', '- &n v\n- *n\n', 'a: &x |\n  t\nb: *x\n', 'a: &x foo bar\nb: *x\n',
  // documents
  '# c\n---\na: 1\n', 'a: 1\n---\n# x\n---\nb: 2\n---\n', '', '# only\n', '\n\n', '---\n', '--- # c\na: 1\n', 'a: 1\n---', '---\n---\n',
  // root scalars and plain scalars with indicators inside
  'scalar\n', '"quoted"\n', 'a: b:c\nd: http://x/y#z\n', 'a: -x\nb: --y=1\n', 'a b: c d\n', 'a: x [y] {z}, w\n',
];

/** Texts it must leave to js-yaml (which reads them, or reports them through the precise parse). */
const LEFT = [
  '"a\n---\nb"\n', '"a\n b"\n', 'a: &x 1\nb: *x # c\n', 'a: &x 1\nb: *x\n# c\nc: 2\n', 'a: &x\n  b: 1\nc: *x\n', 'a: *y\n', 'a: &x [1]\n', 'a:\tb\n', 'a: >\n    x\n  y\n', 'a: 1\na: 2\n', '1: a\n0x1: b\n', 'a: 1\n...\n', '%YAML 1.2\n---\na: 1\n', '? a\n: b\n',
  '- - a\n', '-\n- a\n', 'a: !!str 1\n', 'a: 1\r\n', 'a: "\u0001"\n', '<<: {a: 1}\n', '__proto__: 1\n', 'a : 1\n', 'a: "x\\\n  y"\n',
  'a: |2\n   x\n', 'a: "x"#c\n', ' a: 1\nb: 2\n', 'a:\n  b: 1\n c: 2\n', '--- a\n', 'a: - b\n', 'a: [a, ]\n', 'a: [a, [b]]\n',
  'a: {b: 1, }\n', 'a: {b: {c: 1}}\n', 'a: {b: [1]}\n', 'a: {b}\n', 'a: {b:}\n', 'a: {b: }\n', 'a: {b:1}\n', 'a: {b : 1}\n', 'a: {b: 1, b: 2}\n',
  'a: {b: c:d}\n', 'a: {b: x#y}\n', 'a: {b: 1\n  c: 2}\n', 'a: {b: 1} x\n', 'a: {<<: *x}\n', 'a: {__proto__: 1}\n', 'a: {"__proto__": 1}\n', 'a: {? b: 1}\n',
  'a: "\\e"\n', 'a: [a,\n  b]\n', 'a: |\n    x\n  y\n', 'a: |\n\nb: 1\n', '\ufeffa: 1\n', 'a: @x\n',
  'a: "x\\ \n  y"\n', 'a: x\n  y # c\n', "a: 'x\ny'\n", 'a: x\n  b: 1\n', 'x\ny\n',
];

t.test('the collection also holds files it leaves to js-yaml', async (t) => {
  const files = ['test/corpus-sample', 'fixtures'].flatMap((d) => yamlFiles(join(ROOT, d)));
  const left = files.filter((f) => !quickDiff(readFileSync(f, 'utf8')).taken).length;
  t.ok(left > 20, `${left} files go to js-yaml or the precise parse`);
});

t.test('what it takes, it reads exactly as js-yaml', async (t) => {
  for (const text of TAKEN) {
    const r = quickDiff(text);
    t.ok(r.taken, `taken: ${JSON.stringify(text)}`);
    t.same(r.differences, [], JSON.stringify(text));
  }
});

t.test('what it does not know, it leaves to js-yaml', async (t) => {
  for (const text of LEFT) t.notOk(quickDiff(text).taken, JSON.stringify(text));
});

t.test('key ids: 16-bit below 65,535 names in a file, 32-bit above, and the same positions both ways', async (t) => {
  // Mapping keys are kept as ids into the file's table of names, in 16 bits when they fit.
  const many = (groups: number, each: number) =>
    Array.from({ length: groups }, (_, g) => `m${g}:\n` + Array.from({ length: each }, (_, i) => `  k${g}_${i}: v\n`).join('')).join('') + 'last:\n  - a\n';
  const small = quickDiff(many(2, 5));
  t.ok(small.taken);
  t.same(small.differences, [], '10 keys: read as js-yaml reads them');
  // 75,300 names: past 16 bits. Keys, values and the sequence after them still resolve exactly.
  const text = many(300, 250);
  const src = new SourceFile(text);
  t.ok(src.fast, 'taken by the quick reader');
  const at = (needle: string) => text.indexOf(needle);
  t.same(src.locate(0, '/m299/k299_249', 'key'), [at('k299_249:'), at('k299_249:') + 'k299_249'.length]);
  t.same(src.locate(0, '/m0/k0_0'), [at('k0_0: v') + 6, at('k0_0: v') + 7]);
  t.same(src.locate(0, '/last/0'), [at('- a') + 2, at('- a') + 3]);
  t.same(src.locate(0, '/m150', 'key'), [at('m150:'), at('m150:') + 4]);
  t.equal(src.locate(0, '/m150/k149_0'), null);
});

t.test('the one-class prefilter matches wherever the non-printable check does', async (t) => {
  const { NON_PRINTABLE, SUSPECT } = await import('../src/quick-yaml.js');
  // Every code unit once, alone and around a letter, plus surrogate pairs and their halves.
  const texts: string[] = [];
  for (let c = 0; c <= 0xffff; c++) {
    const ch = String.fromCharCode(c);
    texts.push(ch, `a${ch}`, `${ch}a`);
  }
  texts.push('\uD83D\uDE00', 'x\uD83D\uDE00y', '\uDE00\uD83D', 'plain: text\n');
  let caught = 0;
  for (const s of texts) {
    if (NON_PRINTABLE.test(s)) {
      caught++;
      if (!SUSPECT.test(s)) t.fail(`prefilter misses ${JSON.stringify(s)}`);
    }
  }
  t.ok(caught > 3 * 2000, `the full check rejects ${caught} of ${texts.length} texts, every one also caught by the prefilter`);
  t.notOk(SUSPECT.test('apiVersion: v1\nkind: ConfigMap # é ü\n'), 'ordinary manifests skip the full check');
});

/** A value's shape with its keys in order: deep equality alone does not compare the order of keys. */
const shape = (v: unknown): unknown =>
  v === null || typeof v !== 'object' ? [typeof v, v] : Array.isArray(v) ? v.map(shape) : Object.keys(v).map((k) => [k, shape((v as Record<string, unknown>)[k])]);

t.test('values made from a recorded tree (a parse worker to the engine) are the reader\'s values', async (t) => {
  const { quickParse, valuesFromTree } = await import('../src/quick-yaml.js');
  const jsyaml = (await import('js-yaml')).default;
  const types = (jsyaml.CORE_SCHEMA as unknown as { compiledImplicit: ImplicitType[] }).compiledImplicit;
  const texts = [...TAKEN, ...['test/corpus-sample', 'fixtures', 'examples'].flatMap((d) => yamlFiles(join(ROOT, d))).map((f) => readFileSync(f, 'utf8'))];
  let checked = 0;
  let verbatim = 0;
  let aside = 0;
  for (const text of texts) {
    const plain = quickParse(text, types);
    const rec = quickParse(text, types, true);
    if (!plain) {
      t.equal(rec, null, 'recording takes what the reader takes');
      continue;
    }
    checked++;
    // Recording changes nothing of the parse.
    t.same([rec!.a, rec!.n, rec!.roots, rec!.keyIds, rec!.keyNames], [plain.a, plain.n, plain.roots, plain.keyIds, plain.keyNames]);
    const made = valuesFromTree(text, rec!, rec!.how!, rec!.side!);
    t.same(shape(made), shape(plain.values), `values and key order: ${JSON.stringify(text.slice(0, 60))}`);
    verbatim += rec!.how!.filter((h) => h === 1).length;
    aside += rec!.side!.length;
  }
  t.ok(checked > 200, `${checked} texts compared`);
  t.ok(verbatim > 1000 && aside > 1000, `values cut from the text (${verbatim}) and sent aside (${aside}) both exercised`);
});

t.test('values from a tree: each kind of scalar, and a tree that disagrees with its values', async (t) => {
  const { quickParse, valuesFromTree } = await import('../src/quick-yaml.js');
  const jsyaml = (await import('js-yaml')).default;
  const types = (jsyaml.CORE_SCHEMA as unknown as { compiledImplicit: ImplicitType[] }).compiledImplicit;
  const text = 'a: &x plain\nb: *x\nc: "q"\nd: 1\ne:\nf: x\n  y\ng: |\n  z\nh: [1, two]\ni: {j: ~, k: long enough to be a slice}\n---\n';
  const rec = quickParse(text, types, true)!;
  const made = valuesFromTree(text, rec, rec.how!, rec.side!);
  t.same(made, [{ a: 'plain', b: 'plain', c: 'q', d: 1, e: null, f: 'x y', g: 'z\n', h: [1, 'two'], i: { j: null, k: 'long enough to be a slice' } }, null]);
  // Only plain one-line scalars that stay strings are cut from the text; the rest go aside, in order.
  t.same(rec.side, ['plain', 'plain', 'q', 1, 'x y', 'z\n', 1]);
  // A side value missing, or one too many: the tree and its values disagree, and it says so.
  t.throws(() => valuesFromTree(text, rec, rec.how!, rec.side!.slice(1)), /disagree/);
  t.throws(() => valuesFromTree(text, rec, rec.how!, [...rec.side!, 'extra']), /disagree/);
});

t.test('plain strings Kubernetes may read otherwise are noted, quoted ones and other types not', async (t) => {
  const { quickParse } = await import('../src/quick-yaml.js');
  const jsyaml = (await import('js-yaml')).default;
  const types = (jsyaml.CORE_SCHEMA as unknown as { compiledImplicit: ImplicitType[] }).compiledImplicit;
  const p = quickParse('a: yes\nb: "no"\nc: [on, "off", 1_000]\nd: {e: 0x1F, f: y, g: \'n\'}\nh: &x On\ni: 1.2.3\nj: plain\nk: 10\n', types)!;
  t.same([...p.plain].sort(), ['1.2.3', 'On', 'on', 'y', 'yes'], '1_000 and 0x1F are numbers to js-yaml too');
});

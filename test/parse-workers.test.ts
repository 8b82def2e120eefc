// Parse workers (src/parse-pool.ts) must not change a single finding: a run whose files are read
// and parsed on worker threads gives exactly the JSON of a run that parses on one thread. The
// workers start only above a size threshold, so these tests force them with
// KUBE_PREFLIGHT_PARSE_WORKERS on small inputs.

import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './helpers/harness.js';
import { run } from '../src/run.js';
import { toJsonFinding } from '../src/formatters/json.js';
import type { EngineFinding } from '../src/engine.js';
import type { LoadedConfig } from '../src/config.js';
import { PARALLEL_MIN_BYTES, ParsePool, parseWorkerCount, poolStats } from '../src/parse-pool.js';

const config = (dir: string): LoadedConfig => ({ config: {}, file: null, dir, ignoreLocations: [] });
const view = (fs: EngineFinding[]) => fs.map((f) => ({ ...toJsonFinding(f), edits: f.edits ?? null, suppressed: f.suppressed ?? null }));

async function lintWith(workers: string | undefined, cwd: string, evaluateFixes = false) {
  const before = process.env['KUBE_PREFLIGHT_PARSE_WORKERS'];
  if (workers === undefined) delete process.env['KUBE_PREFLIGHT_PARSE_WORKERS'];
  else process.env['KUBE_PREFLIGHT_PARSE_WORKERS'] = workers;
  try {
    return await run({
      cwd, paths: ['.'], config: config(cwd), strict: true, evaluateFixes, reportUnusedSuppressions: true,
      facts: { 'linkerd.controlPlaneVersion': 'stable-2.14.10' },
    });
  } finally {
    if (before === undefined) delete process.env['KUBE_PREFLIGHT_PARSE_WORKERS'];
    else process.env['KUBE_PREFLIGHT_PARSE_WORKERS'] = before;
  }
}

for (const dir of ['test/corpus-sample', 'fixtures', 'examples']) {
  t.test(`${dir}: two workers give the findings of one thread`, async (t) => {
    const cwd = join(ROOT, dir);
    const alone = await lintWith('0', cwd, true);
    const taken = poolStats.files;
    const prepared = poolStats.prepared;
    const trees = poolStats.trees;
    const pooled = await lintWith('2', cwd, true);
    t.ok(poolStats.files - taken >= 3, `the workers' reads were used (${poolStats.files - taken} files)`);
    t.ok(poolStats.trees - trees >= 3, `values were made from the workers' trees (${poolStats.trees - trees} files)`);
    t.ok(poolStats.prepared - prepared >= 3, `the workers' schema validations were used (${poolStats.prepared - prepared} resources)`);
    t.ok(alone.result.findings.length > 5, `${dir} produces findings to compare (${alone.result.findings.length})`);
    t.same(view(pooled.result.findings as EngineFinding[]), view(alone.result.findings as EngineFinding[]), 'identical findings, positions and fixes');
    t.same(pooled.result.summary, alone.result.summary);
  });
}

t.test('odd files: numbers JSON cannot carry, __proto__ keys, aliases, syntax errors', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kp-workers-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const cm = (name: string, extra: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n${extra}`;
  writeFileSync(join(dir, 'a.yaml'), cm('nums', 'data: {}\nnums: [.nan, .inf, -.inf, -0, -0.0, 0x1F]\nbinaryData: 3\n'));
  writeFileSync(join(dir, 'b.yaml'), cm('proto', 'data:\n  __proto__: {x: 1}\n  k: 1\n'));
  writeFileSync(join(dir, 'c.yaml'), cm('alias', 'data:\n  a: &v 01\n  b: *v\n'));
  writeFileSync(join(dir, 'd.yaml'), cm('broken', 'data: [1\n'));
  writeFileSync(join(dir, 'e.yaml'), cm('fine', 'data:\n  replicas: 2\n'));
  const alone = await lintWith('0', dir);
  const prepared = poolStats.prepared;
  const pooled = await lintWith('2', dir);
  t.ok(poolStats.prepared - prepared >= 2, 'the workers prepared what they could');
  t.ok(alone.result.findings.length >= 5, `findings to compare (${alone.result.findings.length})`);
  t.same(view(pooled.result.findings as EngineFinding[]), view(alone.result.findings as EngineFinding[]), 'identical findings');
});

t.test('workers start only above the measured size', async (t) => {
  const before = process.env['KUBE_PREFLIGHT_PARSE_WORKERS'];
  delete process.env['KUBE_PREFLIGHT_PARSE_WORKERS'];
  const dir = mkdtempSync(join(tmpdir(), 'kp-workers-'));
  t.teardown(() => {
    rmSync(dir, { recursive: true, force: true });
    if (before !== undefined) process.env['KUBE_PREFLIGHT_PARSE_WORKERS'] = before;
  });
  const file = (name: string, bytes: number) => {
    const path = join(dir, name);
    writeFileSync(path, `# ${'x'.repeat(bytes)}\n`);
    return { path, display: name, context: false };
  };
  const small = [file('a.yaml', 1000), file('b.yaml', 1000)];
  t.equal(parseWorkerCount(small), 0, 'small input: no worker');
  const big = [file('c.yaml', PARALLEL_MIN_BYTES / 2), file('d.yaml', PARALLEL_MIN_BYTES / 2 + 10)];
  t.equal(parseWorkerCount([big[0]!]), 0, 'one file: no worker, however large');
  t.ok(parseWorkerCount(big) >= 1, 'above the threshold: at least one worker');
  t.equal(parseWorkerCount(big.map((f) => ({ ...f, text: 'a: 1\n' }))), 0, 'text given inline (stdin, editors) is parsed here');
  process.env['KUBE_PREFLIGHT_PARSE_WORKERS'] = '0';
  t.equal(parseWorkerCount(big), 0, 'KUBE_PREFLIGHT_PARSE_WORKERS=0 turns them off');
});

/** `count` small ConfigMap files f0.yaml, f1.yaml... in a directory removed after the test. */
function configMapFiles(t: { teardown(fn: () => void): void }, count: number) {
  const dir = mkdtempSync(join(tmpdir(), 'kp-workers-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return Array.from({ length: count }, (_, i) => {
    const path = join(dir, `f${i}.yaml`);
    writeFileSync(path, `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c${i}}\n`);
    return { path, display: `f${i}.yaml`, context: false };
  });
}

t.test('a worker that dies hands its files back to the engine thread, never leaving it waiting', async (t) => {
  const files = configMapFiles(t, 6);
  const pool = new ParsePool(files, 2);
  // Kill the workers as an out-of-memory crash would, while files are in their hands.
  for (const s of (pool as unknown as { slots: Array<{ worker: { terminate(): Promise<number> } }> }).slots) await s.worker.terminate();
  const got = await Promise.all(files.map((_, i) => pool.take(i)));
  t.same(got.map((g) => ('local' in g ? 'local' : 'parsed')), files.map(() => 'local'), 'every file is handed back');
  pool.close();
});

t.test('a worker ends as soon as its last file is back, before the engine has taken every file', async (t) => {
  const files = configMapFiles(t, 8);
  const pool = new ParsePool(files, 2);
  t.teardown(() => pool.close());
  // Take every file but the last: the workers have read them all (they read ahead) and end.
  for (let i = 0; i < files.length - 1; i++) t.notOk('local' in (await pool.take(i)), `f${i}.yaml was read by a worker`);
  for (let waited = 0; pool.exited < 2 && waited < 10_000; waited += 10) await new Promise((r) => setTimeout(r, 10));
  t.equal(pool.exited, 2, 'both workers have exited');
  const last = await pool.take(files.length - 1);
  t.notOk('local' in last, 'the last file, read before they ended, is still there');
  t.ok('text' in last && last.text.includes('c7'), 'with its text');
});

t.test("a worker sends each file's bytes; the engine's text is readInput()'s: BOM, non-ASCII, CRLF, under and over 4 KiB", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kp-workers-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  // An unnamed container port after text whose UTF-16 length differs from its UTF-8 length: a text
  // decoded differently would move every position after it.
  const deployment = (name: string, note: string, eol = '\n') =>
    [
      'apiVersion: apps/v1', 'kind: Deployment', `metadata: {name: ${name}, annotations: {note: "${note}"}}`,
      'spec:', '  selector: {matchLabels: {app: x}}', '  template:', '    metadata: {labels: {app: x}}', '    spec:',
      '      containers:', `      - name: c # ${note}`, '        image: nginx', '        ports:', `        - containerPort: 80 # ${note}`, '',
    ].join(eol);
  const files: Record<string, string> = {
    'a-bom.yaml': '\uFEFF' + deployment('bom', 'plain'),
    'b-accents.yaml': deployment('accents', 'Café crème, naïve façade'),
    'c-astral.yaml': deployment('astral', 'rocket \u{1F680} and \u4E2D\u6587'),
    'd-crlf.yaml': deployment('crlf', 'déjà vu', '\r\n'),
    // Over 4 KiB: read into a buffer of its own, which moves; the smaller ones are copied out of Node's pool.
    'e-large.yaml': `# ${'é'.repeat(3000)}\n` + deployment('large', 'ümlaut'),
    'f-bom-large.yaml': '\uFEFF' + `# ${'x'.repeat(5000)}\n` + deployment('bomlarge', 'ß'),
  };
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  t.ok(Buffer.byteLength(files['e-large.yaml']!) > 4096 && Buffer.byteLength(files['b-accents.yaml']!) < 4096, 'files on both sides of 4 KiB');
  const alone = await lintWith('0', dir, true);
  const taken = poolStats.files;
  const pooled = await lintWith('1', dir, true);
  t.equal(poolStats.files - taken, 6, 'every file came from the worker');
  const ports = (alone.result.findings as EngineFinding[]).filter((f) => f.ruleId === 'unnamed-container-port');
  t.same(ports.map((f) => `${f.file}:${f.line}:${f.column}`).sort(), [
    'a-bom.yaml:13:11', 'b-accents.yaml:13:11', 'c-astral.yaml:13:11', 'd-crlf.yaml:13:11', 'e-large.yaml:14:11', 'f-bom-large.yaml:14:11',
  ], 'one unnamed port per file, at its place');
  t.same(view(pooled.result.findings as EngineFinding[]), view(alone.result.findings as EngineFinding[]), 'identical findings, positions and fixes');
  t.same(pooled.result.files.map((f) => [f.text, f.bom]), alone.result.files.map((f) => [f.text, f.bom]), 'the same texts and byte order marks');
});

t.test('a text that does not come out of its bytes at the length the worker read is read again on the engine thread', async (t) => {
  const files = configMapFiles(t, 3);
  const pool = new ParsePool(files, 1);
  t.teardown(() => pool.close());
  // What the worker sends, with a length that disagrees, stands in for a decoding that differs.
  (pool as unknown as { settle(m: unknown): void }).settle({ index: 1, bytes: new TextEncoder().encode('a: 1\n').buffer, length: 99, bom: false });
  const got = await pool.take(1);
  t.same(got, { index: 1, local: true }, 'handed back to the engine thread');
});

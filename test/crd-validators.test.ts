// Custom resources' validators (src/crd-schema.ts): ajv's standalone code for a CRD schema is kept in
// the code cache's directory, and later runs run it from there without loading ajv, with the same
// findings; kept code that fails is made again; with the cache off the findings are the same.

import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './helpers/harness.js';

interface Outcome {
  findings: Array<{ ruleId: string; line: number | null; column: number | null; message: string }>;
  ajv: boolean;
}

t.test("a CRD schema's validator is generated once, kept, and run from there by later runs", async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'kp-crd-cache-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const dir = join(root, 'kube-preflight', `${process.version}-${process.arch}`);
  const script = join(root, 'run.mjs');
  writeFileSync(script, `
    const { run } = await import(${JSON.stringify(join(ROOT, 'dist', 'src', 'run.js'))});
    const { vendorLoaded } = await import(${JSON.stringify(join(ROOT, 'dist', 'src', 'vendor.js'))});
    const outcome = await run({ cwd: ${JSON.stringify(ROOT)}, paths: ['fixtures/schema/custom-resource'] });
    const findings = outcome.result.findings.map(({ ruleId, line, column, message }) => ({ ruleId, line, column, message }));
    console.log(JSON.stringify({ findings, ajv: vendorLoaded.has('ajv') }));`);
  const run = (env: Record<string, string> = {}): Outcome => {
    const child = spawnSync(process.execPath, [script], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NODE_COMPILE_CACHE: root, ...env } });
    t.equal(child.status, 0, child.stderr || 'the run exits 0');
    return JSON.parse(child.stdout) as Outcome;
  };
  const kept = () => readdirSync(dir).filter((f) => f.endsWith('.ajv.js'));

  const first = run();
  t.ok(first.findings.some((f) => /not in the schema of CustomResourceDefinition "widgets\.example\.com"/.test(f.message)), 'the CRD schema was used');
  t.ok(first.ajv, 'the first run compiled it with ajv');
  const files = kept();
  t.equal(files.length, 1, 'and kept the code of its one schema');
  t.match(files[0], /^[0-9a-f]{40}\.ajv\.js$/, 'named by a hash');
  const code = readFileSync(join(dir, files[0]!), 'utf8');
  t.match(code, /module\.exports = validate\d+;/, "ajv's standalone code, as CommonJS");
  const mtime = statSync(join(dir, files[0]!), { bigint: true }).mtimeNs;

  await new Promise((r) => setTimeout(r, 20));
  const second = run();
  t.same(second.findings, first.findings, 'the second run finds the same');
  t.notOk(second.ajv, 'without loading ajv');
  t.same(kept(), files, 'from the kept code');
  t.equal(statSync(join(dir, files[0]!), { bigint: true }).mtimeNs, mtime, 'left as it was');

  writeFileSync(join(dir, files[0]!), 'module.exports = (');
  const third = run();
  t.same(third.findings, first.findings, 'kept code that does not run: the same findings');
  t.ok(third.ajv, 'from ajv, afresh');
  t.equal(readFileSync(join(dir, files[0]!), 'utf8'), code, 'and the kept code is made again');

  const off = run({ NODE_DISABLE_COMPILE_CACHE: '1' });
  t.same(off.findings, first.findings, 'with the cache off, the same findings');
  t.ok(off.ajv, 'from ajv');
});

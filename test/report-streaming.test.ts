// Every format hands its report over in pieces (a large run's report is larger than its input, and
// was held whole two or three times over: 450-620 MiB peak on the synthetic corpus), and the CLI
// writes them to stdout as they come. The pieces must make the same text, stay small, and a reader
// that goes away early must not turn into a stack trace.
import t from 'tap';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, ROOT, runCli } from './helpers/harness.js';
import { run } from '../src/run.js';
import { loadRules } from '../src/registry.js';
import { FORMATS, PIECE_CHARS, writeReport } from '../src/formatters/index.js';
import type { LintResult } from '../src/types.js';
import type { LoadedConfig } from '../src/config.js';

/** V8 makes strings of this size or more in the old generation (large-object space). */
const LARGE_OBJECT = 128 * 1024;

async function fixturesResult(): Promise<LintResult> {
  const cwd = join(ROOT, 'fixtures');
  const config: LoadedConfig = { config: {}, file: null, dir: cwd, ignoreLocations: [] };
  return (await run({ cwd, paths: ['.'], config, reportUnusedSuppressions: true })).result;
}

t.test('every format: a large report comes in many small pieces', async (t) => {
  const result = await fixturesResult();
  t.ok(result.findings.length > 100, `fixtures give findings (${result.findings.length})`);
  const big: LintResult = { findings: Array.from({ length: 8 }, () => result.findings).flat(), summary: result.summary };
  const ctx = { rules: (await loadRules()).map((r) => r.meta), color: true, toolVersion: '0.1.0', cwd: ROOT };
  for (const name of FORMATS) {
    const pieces: string[] = [];
    await writeReport(name, big, ctx, (s) => pieces.push(s));
    const text = pieces.join('');
    const largest = Math.max(...pieces.map((p) => p.length));
    t.ok(text.length > 4 * LARGE_OBJECT, `${name}: a report of ${text.length} characters`);
    t.ok(pieces.length >= text.length / (2 * PIECE_CHARS), `${name}: ${pieces.length} pieces`);
    t.ok(largest < LARGE_OBJECT, `${name}: the largest piece has ${largest} characters`);
    t.notOk(pieces.includes(''), `${name}: no empty piece`);
  }
});

t.test('SARIF pieces make exactly the text JSON.stringify gives the whole document', async (t) => {
  const result = await fixturesResult();
  const ctx = { rules: (await loadRules()).map((r) => r.meta), color: false, toolVersion: '0.1.0', cwd: ROOT };
  const big: LintResult = { findings: Array.from({ length: 3 }, () => result.findings).flat(), summary: result.summary };
  const none: LintResult = { findings: [], summary: result.summary };
  for (const [label, r] of [['many findings', big], ['no findings', none]] as const) {
    const pieces: string[] = [];
    await writeReport('sarif', r, ctx, (s) => pieces.push(s));
    const text = pieces.join('');
    const doc = JSON.parse(text) as { runs: Array<{ results: unknown[] }> };
    t.equal(doc.runs[0]!.results.length, r.findings.length, `${label}: every result`);
    t.equal(text, JSON.stringify(doc, null, 2) + '\n', `${label}: the serializer's own indentation`);
  }
});

t.test('stdout holds exactly what --output-file writes, in every format', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kp-stream-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  for (const name of FORMATS) {
    const file = join(dir, `r.${name}`);
    const toFile = runCli([join(ROOT, 'fixtures'), '-f', name, '-o', file], { cwd: ROOT });
    const toStdout = runCli([join(ROOT, 'fixtures'), '-f', name], { cwd: ROOT });
    t.equal(toFile.code, 1, `${name}: findings, exit 1`);
    t.equal(toStdout.code, 1, `${name}: the same status through stdout`);
    t.ok(toStdout.stdout.length > 100_000, `${name}: ${toStdout.stdout.length} characters`);
    t.equal(toStdout.stdout, readFileSync(file, 'utf8'), `${name}: identical`);
  }
});

t.test('a reader that stops early ends the output quietly; the run keeps its status', async (t) => {
  // The reader takes the first piece of a 600 KB SARIF report and goes away (as `| head` does): the
  // writes after that fail with EPIPE.
  const child = spawn(process.execPath, [CLI, 'fixtures', '-f', 'sarif'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let got = 0;
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  child.stdout.once('data', (b: Buffer) => {
    got = b.length;
    child.stdout.destroy();
  });
  const code = await new Promise<number | null>((done) => child.on('close', (c) => done(c)));
  t.ok(got > 0, `the reader got ${got} bytes before it left`);
  t.equal(stderr, '', 'nothing on stderr: no EPIPE error, no stack trace');
  t.equal(code, 1, 'the findings still set the exit status');
});

// The JSON report is written piece by piece (a large run's report is larger than its input); the
// pieces must make exactly the text JSON.stringify gives for the whole report, and a report file
// that cannot be written is a one-line usage error.
import t from 'tap';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './helpers/harness.js';
import { run } from '../src/run.js';
import { format, stream, toJsonFinding } from '../src/formatters/json.js';
import { visible } from '../src/formatters/index.js';
import type { LintResult } from '../src/types.js';
import type { LoadedConfig } from '../src/config.js';
import { runCli } from './helpers/harness.js';

const ctx = { rules: [], color: false, toolVersion: '0', cwd: ROOT };
const whole = (r: LintResult) => JSON.stringify({ version: 1, findings: visible(r).map(toJsonFinding), summary: r.summary }, null, 2) + '\n';

t.test('streamed pieces make the text of JSON.stringify', async (t) => {
  const cwd = join(ROOT, 'fixtures');
  const config: LoadedConfig = { config: {}, file: null, dir: cwd, ignoreLocations: [] };
  const { result } = await run({ cwd, paths: ['.'], config, reportUnusedSuppressions: true });
  t.ok(result.findings.length > 100, `fixtures give findings (${result.findings.length})`);
  t.equal(format(result, ctx), whole(result), 'fixtures');
  // Large enough to be written in several pieces.
  const big: LintResult = { findings: Array.from({ length: 12 }, () => result.findings).flat(), summary: result.summary };
  const pieces: string[] = [];
  stream(big, ctx, (s) => pieces.push(s));
  t.ok(pieces.length > 2, `written in ${pieces.length} pieces`);
  t.equal(pieces.join(''), whole(big), 'many findings');
  const none: LintResult = { findings: [], summary: result.summary };
  t.equal(format(none, ctx), whole(none), 'no findings: an empty array');
});

t.test('--output-file: parent directories made; an unwritable path is a usage error, not a hang', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kp-report-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const ok = runCli([join(ROOT, 'examples'), '-f', 'json', '-o', join(dir, 'a', 'b', 'r.json')], { cwd: dir });
  t.equal(ok.code, 1, 'findings: exit 1');
  t.equal(ok.stdout, '');
  const viaStdout = runCli([join(ROOT, 'examples'), '-f', 'json'], { cwd: dir });
  t.equal(readFileSync(join(dir, 'a', 'b', 'r.json'), 'utf8'), viaStdout.stdout, 'the file holds what stdout would');
  // Node's recursive mkdir spins forever under /proc; the CLI must answer at once.
  const bad = runCli([join(ROOT, 'examples'), '-o', '/proc/kube-preflight-nope/r.json'], { cwd: dir });
  t.equal(bad.code, 2);
  t.equal(bad.stderr, 'kube-preflight: cannot write /proc/kube-preflight-nope/r.json: ENOENT\n');
});

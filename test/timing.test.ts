// KUBE_PREFLIGHT_TIMING (src/timing.ts, EngineOptions.timing): where a run's time went, per rule and
// per phase, on stderr after the report. Timing must change no finding and no byte of the report.

import t from 'tap';
import { join } from 'node:path';
import { ROOT, runCli } from './helpers/harness.js';
import { run } from '../src/run.js';
import { toJsonFinding } from '../src/formatters/json.js';
import { formatTiming, timingLimit } from '../src/timing.js';
import type { EngineFinding, EngineTiming } from '../src/engine.js';
import type { LoadedConfig } from '../src/config.js';

const config = (dir: string): LoadedConfig => ({ config: {}, file: null, dir, ignoreLocations: [] });
const view = (fs: EngineFinding[]) => fs.map((f) => toJsonFinding(f));

t.test('timingLimit: off, the default 10, all, or a larger count', async (t) => {
  t.equal(timingLimit(undefined), undefined);
  t.equal(timingLimit(''), undefined);
  t.equal(timingLimit('0'), undefined);
  t.equal(timingLimit('1'), 10, 'any value turns it on, with at least 10 rules (as ESLint TIMING)');
  t.equal(timingLimit('yes'), 10);
  t.equal(timingLimit('3'), 10);
  t.equal(timingLimit('25'), 25);
  t.equal(timingLimit('all'), Infinity);
});

t.test('formatTiming: phases, then rules costliest first, cut at the limit', async (t) => {
  const timing: EngineTiming = {
    rules: new Map([['b-rule', 30], ['a-rule', 10], ['c-rule', 10], ['schema', 50]]),
    workers: new Map(),
    phases: { read: 1234.56, done: 78.9, finish: 1 },
  };
  t.equal(
    formatTiming(timing, 12.34, 3),
    [
      'Phase                              | Time (ms)',
      ':----------------------------------|----------:',
      'read files (parse, per-file rules) |    1234.6',
      "cross-resource rules' done()       |      78.9",
      'late positions, suppressions, sort |       1.0',
      'write the report                   |      12.3',
      '',
      'Rule                               | Time (ms) | Relative',
      ':----------------------------------|----------:|---------:',
      'schema                             |      50.0 |    50.0%',
      'b-rule                             |      30.0 |    30.0%',
      'a-rule                             |      10.0 |    10.0%',
      '',
    ].join('\n'),
    'ties (a-rule, c-rule) by id; Relative to the engine thread total (100 ms)',
  );
  // Parse workers' time counts towards the order, in a column of its own; no report phase for a dry run.
  const pooled: EngineTiming = { ...timing, workers: new Map([['schema', 5], ['a-rule', 100]]) };
  const text = formatTiming(pooled, undefined, Infinity);
  t.notMatch(text, /write the report/);
  t.match(text, /\| Relative \| Parse workers \(ms\)\n/);
  t.same(
    text.split('\n').filter((l) => /^[a-z]+-?rule|^schema/.test(l)).map((l) => l.split('|').map((c) => c.trim())),
    [
      ['a-rule', '10.0', '10.0%', '100.0'],
      ['schema', '50.0', '50.0%', '5.0'],
      ['b-rule', '30.0', '30.0%', '0.0'],
      ['c-rule', '10.0', '10.0%', '0.0'],
    ],
  );
});

async function lint(cwd: string, timing: boolean, workers: string) {
  const before = process.env['KUBE_PREFLIGHT_PARSE_WORKERS'];
  process.env['KUBE_PREFLIGHT_PARSE_WORKERS'] = workers;
  try {
    return (await run({ cwd, paths: ['.'], config: config(cwd), strict: true, timing })).result;
  } finally {
    if (before === undefined) delete process.env['KUBE_PREFLIGHT_PARSE_WORKERS'];
    else process.env['KUBE_PREFLIGHT_PARSE_WORKERS'] = before;
  }
}

for (const workers of ['0', '1']) {
  t.test(`engine timing, ${workers === '0' ? 'one thread' : 'a parse worker'}: every rule that ran, and the same findings`, async (t) => {
    const cwd = join(ROOT, 'test', 'corpus-sample');
    const plain = await lint(cwd, false, workers);
    const timed = await lint(cwd, true, workers);
    t.equal(plain.timing, undefined, 'no timing unless asked');
    t.ok(plain.findings.length > 5, `findings to compare (${plain.findings.length})`);
    t.same(view(timed.findings as EngineFinding[]), view(plain.findings as EngineFinding[]), 'identical findings');
    const tm = timed.timing!;
    // Every rule has a resource or document hook, and the corpus sample has resources and documents.
    for (const id of ['schema', 'service-port-no-match', 'hostport-conflict', 'parse-error', 'linkerd-unknown-annotation']) {
      t.ok(tm.rules.has(id), `${id} timed`);
    }
    for (const [id, ms] of tm.rules) t.ok(Number.isFinite(ms) && ms >= 0, `${id}: ${ms} ms`);
    for (const [name, ms] of Object.entries(tm.phases)) t.ok(Number.isFinite(ms) && ms >= 0, `${name}: ${ms} ms`);
    t.ok(tm.phases.read > 0, 'reading took some time');
    if (workers === '0') t.equal(tm.workers.size, 0, 'no parse worker, no worker time');
    else t.ok((tm.workers.get('schema') ?? 0) > 0, `schema validation timed on the worker (${tm.workers.get('schema')} ms)`);
  });
}

t.test('CLI: KUBE_PREFLIGHT_TIMING prints the tables on stderr, and changes nothing else', async (t) => {
  const args = [join(ROOT, 'examples')];
  const plain = runCli(args, { cwd: ROOT });
  const timed = runCli(args, { cwd: ROOT, env: { KUBE_PREFLIGHT_TIMING: '1' } });
  t.equal(plain.code, 1);
  t.equal(timed.code, plain.code, 'same exit status');
  t.equal(timed.stdout, plain.stdout, 'same report');
  t.equal(plain.stderr, '', 'nothing on stderr without it');
  const lines = timed.stderr.split('\n');
  t.match(lines[0], /^Phase +\| Time \(ms\)$/);
  t.match(timed.stderr, /\nwrite the report +\| +\d+\.\d\n/);
  const rules = lines.filter((l) => /^[a-z-]+ +\| +\d+\.\d \| +\d+\.\d%$/.test(l));
  t.equal(rules.length, 10, 'the 10 costliest rules');
  const all = runCli(args, { cwd: ROOT, env: { KUBE_PREFLIGHT_TIMING: 'all' } });
  t.ok(all.stderr.split('\n').filter((l) => /^[a-z-]+ +\| +\d+\.\d \| +\d+\.\d%$/.test(l)).length > 10, 'all: more than 10');
  const off = runCli(args, { cwd: ROOT, env: { KUBE_PREFLIGHT_TIMING: '0' } });
  t.equal(off.stderr, '', '0 turns it off');
});

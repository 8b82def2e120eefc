#!/usr/bin/env node
// `npm run bench`: kube-preflight against the parse floor and a peer, as whole processes, in one run.
//
//   node bench/run.mjs [--runs 5] [--corpus ../shared/corpus] [--no-peer] [--no-double]
//
// Measures (median wall time of --runs runs, and peak RSS as each process reports it):
// `node -e 0`; the parse floor (js-yaml loadAll of the same files, nothing else) and the full check
// (every rule, schema validation included) on the synthetic corpus (the shared generator's
// defaults: 40,000 objects in 2,000 files) and on the real corpus; one small Deployment; the
// synthetic corpus doubled; and @monokle/validation on the real corpus as the peer. Prints the
// table and the ratios the performance issue sets as targets.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, CORPUS, flag, ROOT, RUNS, WORK } from './common.mjs';

const RSS = join(ROOT, 'bench', 'report-rss.mjs');

function generate(dir, extra = []) {
  if (existsSync(join(dir, '.done'))) return;
  process.stderr.write(`generating a synthetic corpus${extra.length ? ` (${extra.join(' ')})` : ' (defaults)'} in ${dir}\n`);
  mkdirSync(dir, { recursive: true });
  const r = spawnSync(process.execPath, [join(ROOT, 'bench', 'gen-corpus.mjs'), '--out', dir, ...extra], { stdio: ['ignore', 2, 2] });
  if (r.status !== 0) throw new Error(`generator failed for ${dir}`);
  writeFileSync(join(dir, '.done'), '');
}

function once(args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['--import', RSS, ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 30 });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0 && r.status !== 1) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr.trim().split('\n').pop()}`);
  const m = /KP_BENCH_MAXRSS_KB=(\d+)/.exec(r.stderr);
  return { seconds, rssMiB: m ? Number(m[1]) / 1024 : NaN };
}

function measure(label, args, runs = RUNS) {
  once(args); // warm the file cache
  const samples = Array.from({ length: runs }, () => once(args));
  const times = samples.map((s) => s.seconds).sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  const rss = Math.max(...samples.map((s) => s.rssMiB));
  process.stderr.write(`  ${label}: ${median.toFixed(3)} s, ${rss.toFixed(0)} MiB\n`);
  return { label, median, min: times[0], max: times[times.length - 1], rssMiB: rss };
}

const synthetic = join(WORK, 'synthetic');
const doubled = join(WORK, 'synthetic-x2');
generate(synthetic);
const check = (p) => [CLI, p, '--format', 'json', '--output-file', join(WORK, 'out.json')];
const floor = (p) => [join(ROOT, 'bench', 'floor.mjs'), p];

process.stderr.write(`measuring (median of ${RUNS} runs)\n`);
const r = {};
r.node = measure('node -e 0', ['-e', '0']);
r.single = measure('check one Deployment', check(join(ROOT, 'bench', 'single', 'deployment.yaml')));
r.synFloor = measure('parse floor, synthetic', floor(synthetic));
r.synCheck = measure('check, synthetic', check(synthetic));
const haveCorpus = existsSync(CORPUS);
if (haveCorpus) {
  r.realFloor = measure('parse floor, real corpus', floor(CORPUS));
  r.realCheck = measure('check, real corpus', check(CORPUS));
} else {
  process.stderr.write(`  (no real corpus at ${CORPUS}: pass --corpus PATH)\n`);
}
if (!flag('--no-double')) {
  generate(doubled, ['--pairs', '40000', '--files', '4000']);
  r.synCheck2 = measure('check, synthetic doubled', check(doubled), Math.max(3, Math.ceil(RUNS / 2)));
}
let peer = null;
if (haveCorpus && !flag('--no-peer')) {
  const p = spawnSync(process.execPath, [join(ROOT, 'bench', 'peer-monokle.mjs'), CORPUS], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 28 });
  if (p.status === 0) {
    peer = JSON.parse(p.stdout.trim().split('\n').pop());
    process.stderr.write(`  @monokle/validation, real corpus: ${peer.seconds.toFixed(2)} s (${peer.problems} problems)\n`);
  } else {
    process.stderr.write(`  @monokle/validation did not run: ${(p.stderr || '').trim().split('\n').pop()}\n`);
  }
}

const fmt = (x) => (x === undefined ? '-' : `${x.median.toFixed(3)} s, ${x.rssMiB.toFixed(0)} MiB`);
const ratio = (a, b) => (a && b ? a.median / b.median : NaN);
const rows = [
  ['`node -e 0`', fmt(r.node)],
  ['one Deployment, full check', fmt(r.single)],
  ['synthetic 40k objects: parse floor (js-yaml)', fmt(r.synFloor)],
  ['synthetic 40k objects: full check', fmt(r.synCheck)],
  ['real corpus: parse floor (js-yaml)', fmt(r.realFloor)],
  ['real corpus: full check', fmt(r.realCheck)],
  ['synthetic doubled (80k objects): full check', fmt(r.synCheck2)],
  ['real corpus: @monokle/validation (in-process time)', peer ? `${peer.seconds.toFixed(3)} s` : '-'],
];
const targets = [
  ['full check / parse floor, synthetic', ratio(r.synCheck, r.synFloor), 1.5],
  ['full check / parse floor, real corpus', ratio(r.realCheck, r.realFloor), 1.5],
  ['single-file check / node -e 0', ratio(r.single, r.node), 2.0],
  ['peak RSS, synthetic (MiB)', r.synCheck.rssMiB, 200],
  ['doubled / synthetic time', ratio(r.synCheck2, r.synCheck), 2.1],
];
const out = [
  '| work | median wall time, peak RSS |',
  '|---|---|',
  ...rows.map(([a, b]) => `| ${a} | ${b} |`),
  '',
  '| target | measured | limit | |',
  '|---|---|---|---|',
  ...targets.map(([name, v, limit]) => `| ${name} | ${Number.isFinite(v) ? v.toFixed(2) : '-'} | <= ${limit} | ${Number.isFinite(v) ? (v <= limit ? 'met' : 'NOT met') : 'not measured'} |`),
];
if (peer && r.realCheck) out.push('', `Monokle (in-process) / kube-preflight (whole process), real corpus: ${(peer.seconds / r.realCheck.median).toFixed(1)}x`);
console.log(out.join('\n'));
writeFileSync(join(WORK, 'results.json'), JSON.stringify({ date: new Date().toISOString(), runs: RUNS, results: r, peer }, null, 2));

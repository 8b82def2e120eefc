#!/usr/bin/env node
// `npm run bench:workers`: where parse workers start to pay. Runs the full check with no worker
// (KUBE_PREFLIGHT_PARSE_WORKERS=0) and with --workers of them (default 1, what a 2-core machine
// gets) on slices of the synthetic corpus (its first 1, 2, 4 and 8 groups of 100 files, and all
// 20) and on the real corpus, as whole processes, and prints the median of --runs runs.
// src/parse-pool.ts sets its threshold from these figures.
//
//   node bench/workers.mjs [--runs 5] [--workers 1] [--corpus ../shared/corpus]

import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, CORPUS, opt, RUNS, WORK } from './common.mjs';

const WORKERS = Number(opt('--workers', '1'));

const synthetic = join(WORK, 'synthetic');
if (!existsSync(join(synthetic, '.done'))) {
  console.error('run `npm run bench` once first: it generates the synthetic corpus');
  process.exit(2);
}

const bytes = (p) => (statSync(p).isDirectory() ? readdirSync(p).reduce((n, e) => n + bytes(join(p, e)), 0) : statSync(p).size);
const groups = readdirSync(synthetic).filter((g) => g.startsWith('group-')).sort();
const inputs = [];
for (const n of [1, 2, 4, 8]) {
  const dir = join(WORK, `slice-${n}`);
  if (!existsSync(dir)) {
    mkdirSync(dir, { recursive: true });
    for (const g of groups.slice(0, n)) cpSync(join(synthetic, g), join(dir, g), { recursive: true });
  }
  inputs.push({ label: `synthetic, ${n} group${n > 1 ? 's' : ''}`, path: dir });
}
inputs.push({ label: 'synthetic, all', path: synthetic });
if (existsSync(CORPUS)) inputs.push({ label: 'real corpus', path: CORPUS });

function median(workers, path) {
  const env = { ...process.env, KUBE_PREFLIGHT_PARSE_WORKERS: String(workers) };
  const args = [CLI, path, '--format', 'json', '--output-file', join(WORK, 'workers-out.json')];
  spawnSync(process.execPath, args, { env });
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { env });
    if (r.status !== 0 && r.status !== 1) throw new Error(`exit ${r.status}: ${String(r.stderr).trim()}`);
    times.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
}

console.log(`| input | MB | no worker | ${WORKERS} workers | change |`);
console.log('|---|---|---|---|---|');
for (const { label, path } of inputs) {
  const a = median(0, path);
  const b = median(WORKERS, path);
  console.log(`| ${label} | ${(bytes(path) / 1e6).toFixed(1)} | ${a.toFixed(2)} s | ${b.toFixed(2)} s | ${(((b - a) / a) * 100).toFixed(0)}% |`);
}
rmSync(join(WORK, 'workers-out.json'), { force: true });

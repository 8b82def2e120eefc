#!/usr/bin/env node
// `npm run bench:compare -- REV`: this checkout's build against revision REV's, on one corpus, in
// interleaved rounds, as whole processes. For a change whose effect is a few percent: on this
// project's shared 2-core VMs the same build's wall time swings by 20-30% from run to run and by up
// to 2x within minutes, so one `npm run bench` before and one after cannot show it (their columns
// were measured minutes apart). Here each round runs both builds back to back, alternating which
// goes first, and the change is judged by the rounds' paired ratios and how many of them it won.
//
//   node bench/compare.mjs REV [--rounds 20] [--corpus synthetic|real|PATH] [--format json]
//
// REV is checked out into bench/.work/compare-<commit> (a git worktree sharing this checkout's
// node_modules) and built there once; this checkout must be built (`npm run build`). The corpus is
// the bench's synthetic one by default (`npm run bench` generates it), `real` for ../shared/corpus.
// The two builds' reports of the last round are compared byte for byte: a change meant only to be
// faster must leave every finding as it was. The worktree stays for the next comparison with REV;
// `git worktree remove bench/.work/compare-<commit>` removes it.

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, symlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CLI, median, opt, ROOT, runOnce, WORK } from './common.mjs';

const rev = process.argv[2];
if (!rev || rev.startsWith('--')) {
  console.error('usage: node bench/compare.mjs REV [--rounds 20] [--corpus synthetic|real|PATH] [--format json]');
  process.exit(2);
}
const ROUNDS = Number(opt('--rounds', '20'));
const corpusArg = opt('--corpus', 'synthetic');
const corpus =
  corpusArg === 'synthetic' ? join(WORK, 'synthetic') : corpusArg === 'real' ? resolve(ROOT, '../shared/corpus') : resolve(corpusArg);
if (!existsSync(corpus)) {
  console.error(`no corpus at ${corpus}${corpusArg === 'synthetic' ? ': run `npm run bench` once, it generates it' : ''}`);
  process.exit(2);
}
if (!existsSync(CLI)) {
  console.error('this checkout is not built: run `npm run build`');
  process.exit(2);
}
const format = opt('--format', 'json');

const git = (...args) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
const commit = git('rev-parse', '--verify', `${rev}^{commit}`);
const tree = join(WORK, `compare-${commit.slice(0, 12)}`);
if (!existsSync(join(tree, 'dist', 'src', 'cli.js'))) {
  if (!existsSync(tree)) git('worktree', 'add', '--detach', tree, commit);
  if (!existsSync(join(tree, 'node_modules'))) symlinkSync(join(ROOT, 'node_modules'), join(tree, 'node_modules'), 'dir');
  process.stderr.write(`building ${commit.slice(0, 12)} in ${tree}\n`);
  const b = spawnSync('npm', ['run', 'build'], { cwd: tree, stdio: ['ignore', 2, 2] });
  if (b.status !== 0) throw new Error(`build of ${rev} failed`);
}

const builds = [
  { name: `${rev} (${commit.slice(0, 12)})`, cli: join(tree, 'dist', 'src', 'cli.js'), out: join(WORK, 'compare-a.out') },
  { name: 'this checkout', cli: CLI, out: join(WORK, 'compare-b.out') },
];
const once = (b) => runOnce([b.cli, corpus, '--format', format, '--output-file', b.out]);

const quartiles = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return [s[Math.floor((s.length - 1) / 4)], s[Math.ceil((3 * (s.length - 1)) / 4)]];
};

for (const b of builds) once(b); // warm the file cache and both builds' code caches
const samples = builds.map(() => []);
for (let round = 0; round < ROUNDS; round++) {
  const order = round % 2 === 0 ? [0, 1] : [1, 0];
  for (const i of order) samples[i].push(once(builds[i]));
  process.stderr.write(`  round ${round + 1} of ${ROUNDS}\n`);
}

const rows = builds.map((b, i) => {
  const s = samples[i];
  const [q1, q3] = quartiles(s.map((x) => x.seconds));
  return `| ${b.name} | ${median(s.map((x) => x.seconds)).toFixed(3)} s (${q1.toFixed(2)}-${q3.toFixed(2)}) | ${median(s.map((x) => x.cpuSeconds)).toFixed(2)} s | ${median(s.map((x) => x.rssMiB)).toFixed(0)} MiB (max ${Math.max(...s.map((x) => x.rssMiB)).toFixed(0)}) |`;
});
const paired = (key) => samples[1].map((x, k) => x[key] / samples[0][k][key]);
const wins = (key) => paired(key).filter((r) => r < 1).length;
console.log(`${ROUNDS} interleaved rounds on ${corpus} (--format ${format})\n`);
console.log('| build | wall, median (quartiles) | CPU, median | peak RSS, median |');
console.log('|---|---|---|---|');
for (const r of rows) console.log(r);
console.log(`\nthis checkout / ${rev}, median of the rounds' ratios:`);
for (const [key, label] of [['seconds', 'wall'], ['cpuSeconds', 'CPU'], ['rssMiB', 'peak RSS']]) {
  console.log(`  ${label}: ${median(paired(key)).toFixed(3)} (lower in ${wins(key)} of ${ROUNDS} rounds)`);
}
const same = readFileSync(builds[0].out).equals(readFileSync(builds[1].out));
console.log(`reports: ${same ? 'byte-identical' : 'DIFFERENT'} (${builds[0].out}, ${builds[1].out})`);
if (!same) process.exitCode = 1;

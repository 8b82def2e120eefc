// What the bench scripts share: where things are, and their command-line options.

import { spawnSync } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const WORK = join(ROOT, 'bench', '.work');
export const CLI = join(ROOT, 'dist', 'src', 'cli.js');
const argv = process.argv.slice(2);
/** Whether a flag was given. */
export const flag = (k) => argv.includes(k);
/** The value after an option, or its default. */
export const opt = (k, d) => (argv.includes(k) ? argv[argv.indexOf(k) + 1] : d);
export const RUNS = Number(opt('--runs', '5'));
export const CORPUS = resolve(ROOT, opt('--corpus', '../shared/corpus'));

const RSS = join(ROOT, 'bench', 'report-rss.mjs');

/**
 * One whole `node ARGS` process: its wall time, the CPU time and peak RSS it reports (report-rss.mjs).
 * With `stdout`, its standard output goes to that file (as a shell's `> file` would). Exit status 1
 * (findings) is a normal end.
 */
export function runOnce(args, stdout) {
  const fd = stdout ? openSync(stdout, 'w') : undefined;
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['--import', RSS, ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 30, stdio: ['ignore', fd ?? 'pipe', 'pipe'] });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (fd !== undefined) closeSync(fd);
  if (r.status !== 0 && r.status !== 1) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr.trim().split('\n').pop()}`);
  const m = /KP_BENCH_MAXRSS_KB=(\d+)/.exec(r.stderr);
  const cpu = /KP_BENCH_CPU_US=(\d+)/.exec(r.stderr);
  return { seconds, cpuSeconds: cpu ? Number(cpu[1]) / 1e6 : NaN, rssMiB: m ? Number(m[1]) / 1024 : NaN };
}

/** The middle value (of an even count, the upper of the two middle ones). */
export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

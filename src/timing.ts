// KUBE_PREFLIGHT_TIMING: where a run's time went, printed to stderr after the report, as ESLint's
// TIMING does for its rules: any value but `0` lists the 10 costliest rules, `all` every rule, a
// number above 10 that many.

import type { EngineTiming } from './engine.js';

/** How many rules to list: undefined when timing is off. */
export function timingLimit(value: string | undefined): number | undefined {
  if (value === undefined || value === '' || value === '0') return undefined;
  if (value === 'all') return Infinity;
  return /^[1-9]\d*$/.test(value) ? Math.max(10, Number(value)) : 10;
}

const ms = (n: number) => n.toFixed(1);

/** Markdown tables (they read as text too): the phases, then the rules, costliest first. */
export function formatTiming(t: EngineTiming, reportMs: number | undefined, limit: number): string {
  const phases: Array<[string, number]> = [
    ['read files (parse, per-file rules)', t.phases.read],
    ["cross-resource rules' done()", t.phases.done],
    ['late positions, suppressions, sort', t.phases.finish],
  ];
  if (reportMs !== undefined) phases.push(['write the report', reportMs]);
  const ids = [...new Set([...t.rules.keys(), ...t.workers.keys()])];
  const total = [...t.rules.values()].reduce((a, b) => a + b, 0);
  const workers = t.workers.size > 0;
  const rows = ids
    .map((id) => ({ id, main: t.rules.get(id) ?? 0, worker: t.workers.get(id) ?? 0 }))
    .sort((a, b) => b.main + b.worker - (a.main + a.worker) || (a.id < b.id ? -1 : 1))
    .slice(0, limit);
  const width = Math.max(4, ...rows.map((r) => r.id.length), ...phases.map(([p]) => p.length));
  const pad = (s: string) => s.padEnd(width);
  const out = [
    `${pad('Phase')} | Time (ms)`,
    `:${'-'.repeat(width)}|----------:`,
    ...phases.map(([p, v]) => `${pad(p)} | ${ms(v).padStart(9)}`),
    '',
    `${pad('Rule')} | Time (ms) | Relative${workers ? ' | Parse workers (ms)' : ''}`,
    `:${'-'.repeat(width)}|----------:|---------:${workers ? '|-------------------:' : ''}`,
    ...rows.map((r) => {
      const rel = total > 0 ? `${((100 * r.main) / total).toFixed(1)}%` : '-';
      return `${pad(r.id)} | ${ms(r.main).padStart(9)} | ${rel.padStart(8)}${workers ? ` | ${ms(r.worker).padStart(18)}` : ''}`;
    }),
  ];
  return out.join('\n') + '\n';
}

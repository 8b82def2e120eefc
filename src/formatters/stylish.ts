// Grouped by file, one line per finding, a summary line; colored on a TTY.

import type { Finding } from '../types.js';
import { Pieces, visible, whole, type Formatter, type StreamFormatter } from './index.js';

const C = { red: '\x1b[31m', yellow: '\x1b[33m', blue: '\x1b[34m', dim: '\x1b[2m', bold: '\x1b[1m', underline: '\x1b[4m', reset: '\x1b[0m' };

export const stream: StreamFormatter = (result, ctx, write) => {
  const paint = (code: string, s: string) => (ctx.color ? `${code}${s}${C.reset}` : s);
  const findings = visible(result);
  const groups = new Map<string, Finding[]>();
  for (const f of findings) {
    const key = f.file ?? '(cluster facts)';
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(f);
  }
  const out = new Pieces(write);
  for (const [file, list] of groups) {
    out.add(paint(C.underline, file) + '\n');
    const rows = list.map((f) => ({
      pos: f.line === null ? '-' : `${f.line}:${f.column}`,
      sev: f.severity,
      f,
    }));
    const posW = Math.max(...rows.map((r) => r.pos.length));
    for (const r of rows) {
      const sevColor = r.sev === 'error' ? C.red : r.sev === 'warning' ? C.yellow : C.blue;
      const sev = paint(sevColor, r.sev.padEnd(7));
      out.add(`  ${paint(C.dim, r.pos.padEnd(posW))}  ${sev}  ${r.f.message}  ${paint(C.dim, r.f.ruleId)}\n`);
      const indent = ' '.repeat(2 + posW + 2 + 7 + 2);
      for (const rel of r.f.related) out.add(`${indent}${paint(C.dim, `↳ ${rel.file}:${rel.line}:${rel.column}: ${rel.message}`)}\n`);
      if (r.f.source) out.add(`${indent}${paint(C.dim, `↳ from Helm template ${r.f.source}`)}\n`);
    }
    out.add('\n');
  }
  const s = result.summary;
  const total = s.errors + s.warnings + s.infos;
  if (total === 0) {
    out.add(paint(C.bold, `✔ no problems (${s.files} ${plural(s.files, 'file')}, ${s.resources} ${plural(s.resources, 'resource')})`) + '\n');
  } else {
    const color = s.errors > 0 ? C.red : s.warnings > 0 ? C.yellow : C.blue;
    out.add(paint(C.bold + color, `✖ ${total} ${plural(total, 'problem')} (${s.errors} ${plural(s.errors, 'error')}, ${s.warnings} ${plural(s.warnings, 'warning')}, ${s.infos} ${plural(s.infos, 'info')}) in ${s.files} ${plural(s.files, 'file')}, ${s.resources} ${plural(s.resources, 'resource')}`) + '\n');
    if (s.fixable > 0) out.add(paint(C.bold + color, `  ${s.fixable} ${plural(s.fixable, 'problem')} fixable with --fix`) + '\n');
  }
  out.flush();
};

export const format: Formatter = whole(stream);

function plural(n: number, word: string): string {
  return n === 1 ? word : `${word}s`;
}

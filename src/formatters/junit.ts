// JUnit XML: one test suite per file, one failing test case per finding, a passing case for clean files.

import type { Finding } from '../types.js';
import { Pieces, visible, whole, type Formatter, type StreamFormatter } from './index.js';

function xml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '');
}

export const stream: StreamFormatter = (result, _ctx, write) => {
  const groups = new Map<string, Finding[]>();
  for (const f of visible(result)) {
    const key = f.file ?? 'cluster facts';
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(f);
  }
  const out = new Pieces(write);
  out.add('<?xml version="1.0" encoding="UTF-8"?>\n');
  const total = [...groups.values()].reduce((n, g) => n + g.length, 0);
  out.add(`<testsuites name="kube-preflight" tests="${Math.max(total, 1)}" failures="${total}">\n`);
  if (groups.size === 0) {
    out.add('  <testsuite name="kube-preflight" tests="1" failures="0" errors="0">\n');
    out.add(`    <testcase classname="kube-preflight" name="${result.summary.files} files, ${result.summary.resources} resources: no problems"/>\n`);
    out.add('  </testsuite>\n');
  }
  for (const [file, list] of groups) {
    out.add(`  <testsuite name="${xml(file)}" tests="${list.length}" failures="${list.length}" errors="0">\n`);
    for (const f of list) {
      const where = f.line === null ? '' : `:${f.line}:${f.column}`;
      const res = f.resource ? ` ${f.resource.kind}/${f.resource.name}` : '';
      out.add(`    <testcase classname="${xml(file)}" name="${xml(`${f.ruleId}${res}${where}`)}">\n`);
      out.add(`      <failure type="${f.severity}" message="${xml(f.message)}">${xml(`${f.severity}: ${file}${where}: ${f.message} [${f.ruleId}]`)}</failure>\n`);
      out.add('    </testcase>\n');
    }
    out.add('  </testsuite>\n');
  }
  out.add('</testsuites>\n');
  out.flush();
};

export const format: Formatter = whole(stream);

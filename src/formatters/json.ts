// The JSON shape of SPEC section 2.

import type { Finding } from '../types.js';
import { visible, whole, writeJsonItems, type Formatter, type StreamFormatter } from './index.js';

export function toJsonFinding(f: Finding): Record<string, unknown> {
  const o: Record<string, unknown> = {
    ruleId: f.ruleId,
    severity: f.severity,
    message: f.message,
    file: f.file,
    line: f.line,
    column: f.column,
    endLine: f.endLine,
    endColumn: f.endColumn,
    resource: f.resource,
    path: f.path,
    related: f.related.map((r) => ({ file: r.file, line: r.line, column: r.column, endLine: r.endLine, endColumn: r.endColumn, path: r.path, message: r.message })),
  };
  if (f.source !== undefined) o['source'] = f.source;
  o['fixable'] = f.fixable;
  return o;
}

/**
 * Findings per piece of the report: JSON.stringify indents them into some 35 KB of text (about 1.1 KB
 * a finding). A piece stays well under V8's large-object size (128 KB): larger strings are made in
 * the old generation, where a run's hundreds of spent pieces waited for a full collection and raised
 * peak RSS by ~20-30 MiB on the synthetic corpus; small ones die young, in a cheap scavenge.
 */
const PIECE = 32;

/**
 * The report, piece by piece: exactly the text of JSON.stringify({version, findings, summary}, null,
 * 2) plus a line break, without building it whole (a large run's report is larger than its input).
 * The findings go through writeJsonItems(), inside `{findings: [...]}`, which puts them at the
 * report's depth.
 */
export const stream: StreamFormatter = (result, _ctx, write) => {
  const findings = visible(result);
  write('{\n  "version": 1,\n  "findings": ');
  if (findings.length === 0) write('[]');
  else {
    write('[\n');
    writeJsonItems(findings, PIECE, toJsonFinding, (items) => ({ findings: items }), write);
    write('\n  ]');
  }
  write(',\n  "summary": ' + JSON.stringify(result.summary, null, 2).replace(/\n/g, '\n  ') + '\n}\n');
};

export const format: Formatter = whole(stream);

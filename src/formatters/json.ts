// The JSON shape of SPEC section 2.

import type { Finding } from '../types.js';
import { visible, type Formatter, type StreamFormatter } from './index.js';

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
 * The report, piece by piece: exactly the text of JSON.stringify({version, findings, summary}, null,
 * 2) plus a line break, without building it whole (a large run's report is larger than its input).
 * JSON strings escape line breaks, so indenting a finding's own text by its depth is safe.
 */
export const stream: StreamFormatter = (result, _ctx, write) => {
  const findings = visible(result);
  let buf = '{\n  "version": 1,\n  "findings": ';
  if (findings.length === 0) buf += '[]';
  else {
    buf += '[\n';
    findings.forEach((f, i) => {
      buf += (i > 0 ? ',\n    ' : '    ') + JSON.stringify(toJsonFinding(f), null, 2).replace(/\n/g, '\n    ');
      if (buf.length > 1 << 20) {
        write(buf);
        buf = '';
      }
    });
    buf += '\n  ]';
  }
  write(buf + ',\n  "summary": ' + JSON.stringify(result.summary, null, 2).replace(/\n/g, '\n  ') + '\n}\n');
};

export const format: Formatter = (result, ctx) => {
  const parts: string[] = [];
  stream(result, ctx, (s) => parts.push(s));
  return parts.join('');
};

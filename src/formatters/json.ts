// The JSON shape of SPEC section 2.

import type { Finding } from '../types.js';
import { visible, type Formatter } from './index.js';

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

export const format: Formatter = (result) =>
  JSON.stringify({ version: 1, findings: visible(result).map(toJsonFinding), summary: result.summary }, null, 2) + '\n';

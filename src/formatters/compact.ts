// `file:line:col: severity: message [rule-id]`, one per line, for editors' error formats.

import { Pieces, visible, whole, type Formatter, type StreamFormatter } from './index.js';

export const stream: StreamFormatter = (result, _ctx, write) => {
  const out = new Pieces(write);
  for (const f of visible(result)) {
    out.add(`${f.file === null ? 'kube-preflight' : `${f.file}:${f.line}:${f.column}`}: ${f.severity}: ${f.message} [${f.ruleId}]\n`);
  }
  out.flush();
};

export const format: Formatter = whole(stream);

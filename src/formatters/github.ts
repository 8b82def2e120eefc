// GitHub Actions workflow commands: annotations on the pull request's diff.

import { Pieces, visible, whole, type Formatter, type StreamFormatter } from './index.js';

const LEVEL = { error: 'error', warning: 'warning', info: 'notice' } as const;

function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export const stream: StreamFormatter = (result, _ctx, write) => {
  const out = new Pieces(write);
  for (const f of visible(result)) {
    const props: string[] = [];
    if (f.file !== null) {
      props.push(`file=${escapeProperty(f.file)}`, `line=${f.line}`, `col=${f.column}`, `endLine=${f.endLine}`, `endColumn=${f.endColumn}`);
    }
    props.push(`title=${escapeProperty(f.ruleId)}`);
    out.add(`::${LEVEL[f.severity]} ${props.join(',')}::${escapeData(f.message)}\n`);
  }
  out.flush();
};

export const format: Formatter = whole(stream);

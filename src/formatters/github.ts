// GitHub Actions workflow commands: annotations on the pull request's diff.

import { visible, type Formatter } from './index.js';

const LEVEL = { error: 'error', warning: 'warning', info: 'notice' } as const;

function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export const format: Formatter = (result) =>
  visible(result)
    .map((f) => {
      const props: string[] = [];
      if (f.file !== null) {
        props.push(`file=${escapeProperty(f.file)}`, `line=${f.line}`, `col=${f.column}`, `endLine=${f.endLine}`, `endColumn=${f.endColumn}`);
      }
      props.push(`title=${escapeProperty(f.ruleId)}`);
      return `::${LEVEL[f.severity]} ${props.join(',')}::${escapeData(f.message)}\n`;
    })
    .join('');

// `file:line:col: severity: message [rule-id]`, one per line, for editors' error formats.

import { visible, type Formatter } from './index.js';

export const format: Formatter = (result) =>
  visible(result)
    .map((f) => `${f.file === null ? 'kube-preflight' : `${f.file}:${f.line}:${f.column}`}: ${f.severity}: ${f.message} [${f.ruleId}]\n`)
    .join('');

// Formatters turn one stable result model into text. Each lives in its own module and is
// imported only when asked for.

import type { LintResult, RuleMeta } from '../types.js';

export interface FormatContext {
  /** Metadata of every rule (SARIF lists them). */
  rules: RuleMeta[];
  color: boolean;
  toolVersion: string;
  /** Severity set per rule for this run (SARIF's effective levels). */
  cwd: string;
}

export type Formatter = (result: LintResult, ctx: FormatContext) => string;
/** A formatter that hands its text over in pieces, for reports too large to build whole. */
export type StreamFormatter = (result: LintResult, ctx: FormatContext, write: (chunk: string) => void) => void;

export const FORMATS = ['stylish', 'json', 'sarif', 'github', 'junit', 'compact'] as const;
export type FormatName = (typeof FORMATS)[number];

export async function loadFormatter(name: FormatName): Promise<Formatter> {
  const m = (await import(`./${name}.js`)) as { format: Formatter };
  return m.format;
}

/** Write a report through `write`, in pieces when the format streams (json), else whole. */
export async function writeReport(name: FormatName, result: LintResult, ctx: FormatContext, write: (chunk: string) => void): Promise<void> {
  const m = (await import(`./${name}.js`)) as { format: Formatter; stream?: StreamFormatter };
  if (m.stream) m.stream(result, ctx, write);
  else write(m.format(result, ctx));
}

/** Findings that are printed: suppressed ones are only listed by SARIF. */
export function visible(result: LintResult) {
  return result.findings.filter((f) => !f.suppressed);
}

export const DOCS_BASE = 'https://github.com/kube-preflight/kube-preflight/blob/main/docs/rules/';

export function docsUrl(id: string): string {
  return `${DOCS_BASE}${id}.md`;
}

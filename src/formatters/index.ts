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

/** Write a report through `write`, piece by piece: no format builds a large run's report whole. */
export async function writeReport(name: FormatName, result: LintResult, ctx: FormatContext, write: (chunk: string) => void): Promise<void> {
  const m = (await import(`./${name}.js`)) as { stream: StreamFormatter };
  m.stream(result, ctx, write);
}

/**
 * About how many characters of a report each piece holds. A piece stays well under V8's large-object
 * size (128 KB): larger strings are made in the old generation, where spent ones wait for a full
 * collection. Reports of 50,000 findings run to 17-97 MB of text (synthetic corpus); built whole
 * (lines, their join, then the CLI's join of its output) they raised peak RSS by 60-320 MiB.
 */
export const PIECE_CHARS = 32 * 1024;

/** Gathers a report's text and hands it to `write` in pieces of about PIECE_CHARS. */
export class Pieces {
  private parts: string[] = [];
  private size = 0;
  constructor(private readonly write: (chunk: string) => void) {}

  add(s: string): void {
    this.parts.push(s);
    this.size += s.length;
    if (this.size >= PIECE_CHARS) this.flush();
  }

  /** Hand over what is gathered (call once at the end). */
  flush(): void {
    if (this.parts.length === 0) return;
    this.write(this.parts.join(''));
    this.parts = [];
    this.size = 0;
  }
}

/**
 * The items of an array nested in a JSON report, written `per` at a time: each group is serialized
 * (indent 2) inside `wrap`, a stand-in for the report of the same depth, and cut out of it, so that
 * JSON.stringify itself does every indent. The groups are joined with `,\n`, as the whole array's
 * items would be; the caller writes the text around them (`[\n` before, `\n<indent>]` after).
 *
 * Each group after the first is serialized behind a placeholder item, `0`, and cut from just after
 * it: the cut then begins with the `,\n` that joins it to the group before. A cut is a slice of the
 * serialized text, which V8 makes without copying; `',\n' + cut` was a string of two parts, which
 * writing copied whole into one (a second copy of the report, 51 MB on the synthetic corpus).
 */
export function writeJsonItems<T>(items: readonly T[], per: number, toJson: (item: T) => unknown, wrap: (items: unknown[]) => unknown, write: (chunk: string) => void): void {
  // Where items sit in the wrapper: the first item's text at `mark`, its line (indent included) at
  // `head`, and `tail` characters after the last.
  const probe = JSON.stringify(wrap([PROBE]), null, 2);
  const mark = probe.indexOf(PROBE_TEXT);
  const head = probe.lastIndexOf('\n', mark) + 1;
  const tail = probe.length - (mark + PROBE_TEXT.length);
  for (let i = 0; i < items.length; i += per) {
    const group: unknown[] = i > 0 ? [0] : [];
    const end = Math.min(items.length, i + per);
    for (let j = i; j < end; j++) group.push(toJson(items[j]!));
    const piece = JSON.stringify(wrap(group), null, 2);
    write(piece.slice(i > 0 ? mark + 1 : head, piece.length - tail));
  }
}
const PROBE = '\u0000probe';
const PROBE_TEXT = JSON.stringify(PROBE);

/** A streaming format's whole text, for callers that want one string (tests, the API). */
export function whole(stream: StreamFormatter): Formatter {
  return (result, ctx) => {
    const parts: string[] = [];
    stream(result, ctx, (s) => parts.push(s));
    return parts.join('');
  };
}

/** Findings that are printed: suppressed ones are only listed by SARIF. */
export function visible(result: LintResult) {
  return result.findings.filter((f) => !f.suppressed);
}

export const DOCS_BASE = 'https://github.com/kube-preflight/kube-preflight/blob/main/docs/rules/';

export function docsUrl(id: string): string {
  return `${DOCS_BASE}${id}.md`;
}

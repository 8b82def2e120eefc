// Applying fixes: non-overlapping text edits, verified by re-parsing, written atomically.

import { renameSync, statSync, writeFileSync, chmodSync, unlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Edit } from './types.js';
import { SourceFile } from './yaml-source.js';

/** Sort edits by position and drop any that overlap an earlier one. */
export function nonOverlapping(edits: Edit[]): Edit[] {
  const sorted = [...edits].sort((a, b) => a.range[0] - b.range[0] || a.range[1] - b.range[1]);
  const out: Edit[] = [];
  let end = -1;
  for (const e of sorted) {
    // Two insertions at one point would interleave unpredictably: keep the first.
    if (e.range[0] < end || (out.length > 0 && e.range[0] === end && e.range[0] === e.range[1] && out[out.length - 1]!.range[0] === end)) continue;
    if (out.some((o) => o.range[0] === e.range[0] && o.range[1] === e.range[1] && o.text === e.text)) continue;
    out.push(e);
    end = e.range[1];
  }
  return out;
}

export function applyEdits(text: string, edits: Edit[]): string {
  let out = '';
  let at = 0;
  for (const e of nonOverlapping(edits)) {
    out += text.slice(at, e.range[0]) + e.text;
    at = e.range[1];
  }
  return out + text.slice(at);
}

function problemCount(text: string): number {
  return new SourceFile(text).documents.reduce((n, d) => n + d.problems.length, 0);
}

/**
 * Apply the edits that keep the file parseable: all at once when that parses as well as before,
 * else one by one, keeping each that does. Returns the new text and how many edits were applied.
 */
export function applySafely(text: string, edits: Edit[]): { text: string; applied: number; refused: number } {
  const list = nonOverlapping(edits);
  if (list.length === 0) return { text, applied: 0, refused: 0 };
  const before = problemCount(text);
  const all = applyEdits(text, list);
  if (problemCount(all) <= before) return { text: all, applied: list.length, refused: 0 };
  // Some edit breaks the YAML: apply one at a time from the end, so earlier offsets stay valid.
  let cur = text;
  let applied = 0;
  for (const e of [...list].reverse()) {
    const next = applyEdits(cur, [e]);
    if (problemCount(next) <= before) {
      cur = next;
      applied++;
    }
  }
  return { text: cur, applied, refused: list.length - applied };
}

/** Write through a temporary file in the same directory, then rename over the target. */
export function writeAtomic(file: string, text: string): void {
  const tmp = join(dirname(file), `.${basename(file)}.kube-preflight-${process.pid}.tmp`);
  let mode: number | undefined;
  try {
    mode = statSync(file).mode & 0o7777;
  } catch {
    mode = undefined;
  }
  try {
    writeFileSync(tmp, text, { encoding: 'utf8', flag: 'wx' });
    if (mode !== undefined) chmodSync(tmp, mode);
    renameSync(tmp, file);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      /* nothing to clean */
    }
    throw e;
  }
}

/** A unified diff of two texts (line based, 3 lines of context). */
export function unifiedDiff(file: string, a: string, b: string): string {
  if (a === b) return '';
  const al = splitLines(a);
  const bl = splitLines(b);
  // Common prefix and suffix bound the changed region; inside it, an LCS table (regions are small).
  let pre = 0;
  while (pre < al.length && pre < bl.length && al[pre] === bl[pre]) pre++;
  let suf = 0;
  while (suf < al.length - pre && suf < bl.length - pre && al[al.length - 1 - suf] === bl[bl.length - 1 - suf]) suf++;
  const A = al.slice(pre, al.length - suf);
  const B = bl.slice(pre, bl.length - suf);
  const ops = diffOps(A, B).map((o) => ({ ...o, ai: o.ai + pre, bi: o.bi + pre }));
  const lines: Array<{ tag: ' ' | '-' | '+'; text: string; ai: number; bi: number }> = [];
  for (let i = 0; i < pre; i++) lines.push({ tag: ' ', text: al[i]!, ai: i, bi: i });
  lines.push(...ops);
  for (let i = 0; i < suf; i++) lines.push({ tag: ' ', text: al[al.length - suf + i]!, ai: al.length - suf + i, bi: bl.length - suf + i });
  // Group into hunks with 3 lines of context.
  const ctx = 3;
  const out = [`--- a/${file}`, `+++ b/${file}`];
  let i = 0;
  while (i < lines.length) {
    while (i < lines.length && lines[i]!.tag === ' ') i++;
    if (i >= lines.length) break;
    let start = Math.max(0, i - ctx);
    let end = i;
    for (;;) {
      while (end < lines.length && lines[end]!.tag !== ' ') end++;
      let next = end;
      while (next < lines.length && lines[next]!.tag === ' ') next++;
      if (next < lines.length && next - end <= ctx * 2) end = next;
      else break;
    }
    const stop = Math.min(lines.length, end + ctx);
    const chunk = lines.slice(start, stop);
    const aStart = chunk.find((l) => l.tag !== '+')?.ai ?? chunk[0]!.ai;
    const bStart = chunk.find((l) => l.tag !== '-')?.bi ?? chunk[0]!.bi;
    const aLen = chunk.filter((l) => l.tag !== '+').length;
    const bLen = chunk.filter((l) => l.tag !== '-').length;
    out.push(`@@ -${aLen ? aStart + 1 : aStart},${aLen} +${bLen ? bStart + 1 : bStart},${bLen} @@`);
    for (const l of chunk) out.push(l.tag + l.text);
    i = stop;
    start = stop;
  }
  return out.join('\n') + '\n';
}

function splitLines(t: string): string[] {
  const parts = t.split('\n');
  if (parts[parts.length - 1] === '') parts.pop();
  return parts;
}

function diffOps(A: string[], B: string[]): Array<{ tag: ' ' | '-' | '+'; text: string; ai: number; bi: number }> {
  const n = A.length;
  const m = B.length;
  if (n * m > 4_000_000) {
    // Too large for a table: everything removed then added (still a correct diff).
    return [...A.map((text, i) => ({ tag: '-' as const, text, ai: i, bi: 0 })), ...B.map((text, j) => ({ tag: '+' as const, text, ai: n, bi: j }))];
  }
  const L: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) L[i]![j] = A[i] === B[j] ? L[i + 1]![j + 1]! + 1 : Math.max(L[i + 1]![j]!, L[i]![j + 1]!);
  const ops: Array<{ tag: ' ' | '-' | '+'; text: string; ai: number; bi: number }> = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && A[i] === B[j]) ops.push({ tag: ' ', text: A[i]!, ai: i++, bi: j++ });
    else if (i < n && (j >= m || L[i + 1]![j]! >= L[i]![j + 1]!)) ops.push({ tag: '-', text: A[i]!, ai: i++, bi: j });
    else ops.push({ tag: '+', text: B[j]!, ai: i, bi: j++ });
  }
  return ops;
}

// Suppressions: comments (`# kube-preflight-disable-next-line`, `# kube-preflight-disable`), the
// `kube-preflight.io/ignore` annotation, and config `ignores`. Applied by the engine after rules run.

import { relative, resolve, sep } from 'node:path';
import { globMatch } from './glob.js';
import type { IgnoreEntry } from './config.js';
import { isObj, podTemplate, str } from './model.js';
import type { Resource } from './types.js';

export const IGNORE_ANNOTATION = 'kube-preflight.io/ignore';

export interface Directive {
  kind: 'next-line' | 'rest-of-document';
  /** Rule ids; empty means every rule. */
  rules: string[];
  reason: string;
  /** 1-based line of the comment, and its column. */
  line: number;
  column: number;
  endColumn: number;
  /** Lines the directive covers (inclusive). */
  from: number;
  to: number;
  used: boolean;
}

const DIRECTIVE = /(^|\s)#\s*kube-preflight-(disable-next-line|disable-line|disable)(?=\s|$)(.*)$/;

/**
 * Read suppression comments. `docStartLines` holds the first line of each YAML document so that
 * `# kube-preflight-disable` stops at the end of its document.
 */
export function parseDirectives(text: string, docStartLines: number[]): Directive[] {
  if (!text.includes('kube-preflight-disable')) return [];
  const lines = text.split(/\r?\n/);
  const out: Directive[] = [];
  lines.forEach((raw, i) => {
    const m = DIRECTIVE.exec(raw);
    if (!m) return;
    const hashCol = m.index + m[1]!.length;
    const line = i + 1;
    const [idPart, ...reasonParts] = m[3]!.split(/\s--\s|\s--$|^--\s/);
    const rules = (idPart ?? '').split(/[,\s]+/).map((s) => s.trim()).filter(Boolean);
    const reason = reasonParts.join(' -- ').trim();
    const trailing = raw.slice(0, hashCol).trim() !== '';
    const base = { rules, reason, line, column: hashCol + 1, endColumn: raw.trimEnd().length + 1, used: false };
    if (m[2] === 'disable') {
      const next = docStartLines.find((s) => s > line);
      out.push({ ...base, kind: 'rest-of-document', from: line, to: next === undefined ? Number.MAX_SAFE_INTEGER : next - 1 });
    } else if (trailing || m[2] === 'disable-line') {
      out.push({ ...base, kind: 'next-line', from: line, to: line });
    } else {
      // The next line holding YAML content (comment and blank lines are skipped).
      let j = i + 1;
      while (j < lines.length && /^\s*(#.*)?$/.test(lines[j]!)) j++;
      out.push({ ...base, kind: 'next-line', from: j + 1, to: j + 1 });
    }
  });
  return out;
}

export function directiveMatches(d: Directive, ruleId: string, line: number): boolean {
  return line >= d.from && line <= d.to && (d.rules.length === 0 || d.rules.includes(ruleId));
}

export interface AnnotationIgnore {
  rules: string[];
  /** Pointer (relative to the resource) of the annotation. */
  path: string;
  used: Set<string>;
}

/** `kube-preflight.io/ignore` on the object's metadata and on its pod template's metadata. */
export function annotationIgnores(r: Resource): AnnotationIgnore[] {
  const out: AnnotationIgnore[] = [];
  const take = (meta: unknown, base: string) => {
    if (!isObj(meta) || !isObj(meta['annotations'])) return;
    const v = str(meta['annotations'][IGNORE_ANNOTATION]);
    if (v === undefined) return;
    const rules = v.split(',').map((s) => s.trim()).filter(Boolean);
    out.push({ rules, path: `${base}/metadata/annotations/${IGNORE_ANNOTATION.replace(/~/g, '~0').replace(/\//g, '~1')}`, used: new Set() });
  };
  take(r.object['metadata'], '');
  const t = podTemplate(r);
  if (t && t.path !== '') take(t.metadata, t.path);
  return out;
}

export interface ConfigIgnore extends IgnoreEntry {
  used: boolean;
  /** Where the entry stands in the config file, for unused-suppression reports. */
  where?: { file: string; line: number; column: number; endLine: number; endColumn: number };
}

export function configIgnoreMatches(ig: ConfigIgnore, ruleId: string, r: Pick<Resource, 'kind' | 'name' | 'namespace'> | null, file: string | null, cwd: string, base: string): boolean {
  const rules = Array.isArray(ig.rule) ? ig.rule : [ig.rule];
  if (!rules.includes(ruleId) && !rules.includes('*')) return false;
  if (ig.kind !== undefined && r?.kind !== ig.kind) return false;
  if (ig.name !== undefined && r?.name !== ig.name) return false;
  if (ig.namespace !== undefined && r?.namespace !== ig.namespace) return false;
  if (ig.files !== undefined) {
    if (!file) return false;
    const rel = relative(base, resolve(cwd, file)).split(sep).join('/');
    if (!ig.files.some((g) => globMatch(rel, g, { dot: true }))) return false;
  }
  return true;
}

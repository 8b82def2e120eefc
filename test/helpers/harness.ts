// The rule tester: lint texts or fixture files through the real engine with strict path checking,
// and read the `# expect:` markers fixtures carry.

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run, type RunOptions, type RunOutcome } from '../../src/run.js';
import type { LoadedConfig, Config } from '../../src/config.js';
import type { FactKey } from '../../src/facts.js';
import type { InputFile } from '../../src/loader.js';
import type { EngineFinding } from '../../src/engine.js';

/** The repository root (this file is dist/test/helpers/harness.js). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const CLI = join(ROOT, 'dist', 'src', 'cli.js');

export interface LintTextOptions {
  facts?: Partial<Record<FactKey, string>>;
  config?: Config;
  /** Extra files loaded as --context. */
  context?: Record<string, string>;
  reportUnusedSuppressions?: boolean;
  fix?: RunOptions['fix'];
  ruleOverrides?: RunOptions['ruleOverrides'];
}

/** Lint in-memory files (name -> text) with every rule, strict: an unresolvable path throws. */
export async function lintTexts(files: Record<string, string>, opts: LintTextOptions = {}): Promise<RunOutcome> {
  const inputs: InputFile[] = [
    ...Object.entries(files).map(([name, text]) => ({ path: join('/virtual', name), display: name, context: false, text })),
    ...Object.entries(opts.context ?? {}).map(([name, text]) => ({ path: join('/virtual', name), display: name, context: true, text })),
  ];
  const config: LoadedConfig = { config: opts.config ?? {}, file: null, dir: '/virtual', ignoreLocations: [] };
  return run({
    cwd: '/virtual',
    paths: [],
    files: inputs,
    config,
    facts: opts.facts,
    reportUnusedSuppressions: opts.reportUnusedSuppressions,
    fix: opts.fix,
    ruleOverrides: opts.ruleOverrides,
    strict: true,
  });
}

export async function lintText(text: string, opts: LintTextOptions = {}): Promise<EngineFinding[]> {
  return (await lintTexts({ 'test.yaml': text }, opts)).result.findings as EngineFinding[];
}

/** Findings of one rule, as compact tuples that tests can compare exactly. */
export function of(findings: EngineFinding[], ruleId: string) {
  return findings.filter((f) => f.ruleId === ruleId && !f.suppressed);
}

export function brief(f: EngineFinding): string {
  return `${f.ruleId} ${f.severity} ${f.line}:${f.column}-${f.endLine}:${f.endColumn}`;
}

// ---- inline expectations -------------------------------------------------------------------

export interface Expectation {
  ruleId: string;
  severity: string;
  /** null for a finding about facts alone. */
  file: string | null;
  line: number | null;
  column: number | null;
  endLine?: number;
  endColumn?: number;
  fragment?: string;
  /** Where the marker stands, for failure messages. */
  at: string;
}

const MARK = /#\s*expect(?:@(\d+))?:\s*(.+)$/;
const FACTS_MARK = /#\s*expect-facts:\s*(.+)$/;
const ONE = /^([a-z0-9-]+)\s+(error|warning|info)(?:\s+(\d+)(?:-(?:(\d+):)?(\d+))?)?(?:\s+"((?:[^"\\]|\\.)*)")?\s*$/;
const unescape = (s: string) => s.replace(/\\(.)/g, '$1');

/**
 * Markers: `# expect: <rule-id> <severity> <col>[-<endCol>|-<endLine>:<endCol>] ["message fragment"]`
 * on the finding's line (several separated by ` ; `); `# expect@<line>: ...` for another line;
 * `# expect-facts: <rule-id> <severity> ["fragment"]` for a finding with no location.
 */
export function parseExpectations(display: string, text: string): Expectation[] {
  const out: Expectation[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const fm = FACTS_MARK.exec(raw);
    if (fm) {
      for (const part of fm[1]!.split(/\s;\s/)) {
        const m = /^([a-z0-9-]+)\s+(error|warning|info)(?:\s+"((?:[^"\\]|\\.)*)")?\s*$/.exec(part.trim());
        if (!m) throw new Error(`${display}:${i + 1}: bad expect-facts marker "${part}"`);
        out.push({ ruleId: m[1]!, severity: m[2]!, file: null, line: null, column: null, ...(m[3] ? { fragment: unescape(m[3]) } : {}), at: `${display}:${i + 1}` });
      }
      return;
    }
    const mm = MARK.exec(raw);
    if (!mm) return;
    const line = mm[1] ? Number(mm[1]) : i + 1;
    for (const part of mm[2]!.split(/\s;\s/)) {
      const m = ONE.exec(part.trim());
      if (!m) throw new Error(`${display}:${i + 1}: bad expect marker "${part}"`);
      if (!m[3]) throw new Error(`${display}:${i + 1}: expect marker needs a column: "${part}"`);
      const e: Expectation = { ruleId: m[1]!, severity: m[2]!, file: display, line, column: Number(m[3]), at: `${display}:${i + 1}` };
      if (m[5]) {
        e.endLine = m[4] ? Number(m[4]) : line;
        e.endColumn = Number(m[5]);
      }
      if (m[6]) e.fragment = unescape(m[6]);
      out.push(e);
    }
  });
  return out;
}

/** Does a finding meet an expectation? */
export function meets(f: EngineFinding, e: Expectation): boolean {
  if (f.ruleId !== e.ruleId || f.severity !== e.severity || f.file !== e.file) return false;
  if (f.line !== e.line || f.column !== e.column) return false;
  if (e.endLine !== undefined && (f.endLine !== e.endLine || f.endColumn !== e.endColumn)) return false;
  if (e.fragment !== undefined && !f.message.includes(e.fragment)) return false;
  return true;
}

export function readText(p: string): string {
  return readFileSync(p, 'utf8');
}

/** Run the built CLI as its own process, with only PATH (and `env`) in its environment. */
export function runCli(args: string[], opts: { cwd: string; stdin?: string; env?: Record<string, string> }) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: opts.cwd,
    input: opts.stdin ?? '',
    encoding: 'utf8',
    env: { PATH: process.env['PATH'] ?? '', ...(opts.env ?? {}) },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

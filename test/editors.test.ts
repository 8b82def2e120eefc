// Editors without LSP: the documented VS Code problem matcher and Vim errorformat parse the
// CLI's real --format compact output into exactly the findings of --format json.

import t from 'tap';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, ROOT } from './helpers/harness.js';

interface Parsed {
  file: string;
  line: number;
  column: number;
  severity: string;
  message: string;
  code?: string;
}

const INPUTS = ['fixtures/invalid-port-name/names.yaml', 'fixtures/unnamed-container-port/incident.yaml', 'fixtures/parse-error/broken-document.yaml'];
// info too: every severity the format prints.
const FLAGS = ['--rule', 'unnamed-container-port=info'];

const cli = (format: string) => spawnSync(process.execPath, [CLI, '--format', format, ...FLAGS, ...INPUTS], { cwd: ROOT, encoding: 'utf8' });
const compact = cli('compact');
const json = JSON.parse(cli('json').stdout) as { findings: Array<{ file: string; line: number; column: number; severity: string; message: string; ruleId: string; suppressed?: unknown }> };
const expected: Parsed[] = json.findings
  .filter((f) => !f.suppressed)
  .map((f) => ({ file: f.file, line: f.line, column: f.column, severity: f.severity, message: f.message, code: f.ruleId }));
const lines = compact.stdout.split('\n').filter(Boolean);

t.test('the CLI output covers every severity', async (t) => {
  t.equal(compact.status, 1);
  t.same([...new Set(expected.map((f) => f.severity))].sort(), ['error', 'info', 'warning']);
  t.ok(expected.some((f) => f.severity === 'error' && f.code === 'parse-error'));
  t.equal(lines.length, expected.length);
});

t.test('VS Code problem matcher (docs/editors/vscode-tasks.json)', async (t) => {
  const tasks = JSON.parse(readFileSync(join(ROOT, 'docs', 'editors', 'vscode-tasks.json'), 'utf8')) as {
    tasks: Array<{ command: string; problemMatcher: { pattern: { regexp: string; file: number; line: number; column: number; severity: number; message: number; code: number } } }>;
  };
  const task = tasks.tasks[0]!;
  t.match(task.command, /--format compact/);
  const p = task.problemMatcher.pattern;
  const re = new RegExp(p.regexp);
  const got = lines.map((l) => {
    const m = re.exec(l);
    if (!m) return { unmatched: l };
    return { file: m[p.file]!, line: Number(m[p.line]), column: Number(m[p.column]), severity: m[p.severity]!, message: m[p.message]!, code: m[p.code]! };
  });
  t.same(got, expected);
});

/** Translate a Vim errorformat (the subset used: %f %l %c %t %m %-G%.%#) into regexps, as Vim reads it. */
function vimPatterns(efm: string): Array<{ re: RegExp; fields: string[]; ignore: boolean }> {
  const items = efm.replace(/\\ /g, ' ').split(/(?<!\\),/);
  return items.map((item) => {
    const ignore = item.startsWith('%-G');
    const body = ignore ? item.slice(3) : item;
    const fields: string[] = [];
    let re = '^';
    for (let i = 0; i < body.length; i++) {
      const c = body[i]!;
      if (c !== '%') {
        re += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        continue;
      }
      const d = body[++i]!;
      if (d === '.' && body[i + 1] === '%' && body[i + 2] === '#') {
        re += '.*';
        i += 2;
        continue;
      }
      const part = { f: '(.+)', l: '(\\d+)', c: '(\\d+)', t: '(.)', m: '(.+)' }[d as 'f'];
      if (!part) throw new Error(`errorformat item %${d} not handled`);
      fields.push(d);
      re += part;
    }
    return { re: new RegExp(`${re}$`), fields, ignore };
  });
}

t.test('Vim compiler plugin (docs/editors/kube-preflight.vim)', async (t) => {
  const vim = readFileSync(join(ROOT, 'docs', 'editors', 'kube-preflight.vim'), 'utf8');
  t.match(vim, /^CompilerSet makeprg=kube-preflight\\ --format\\ compact$/m);
  const efm = /^CompilerSet errorformat=(.+)$/m.exec(vim)![1]!;
  const patterns = vimPatterns(efm);
  const TYPE: Record<string, string> = { e: 'error', w: 'warning', i: 'info' };
  const got = lines.map((l) => {
    for (const p of patterns) {
      const m = p.re.exec(l);
      if (!m) continue;
      if (p.ignore) return { ignored: l };
      const v = Object.fromEntries(p.fields.map((f, i) => [f, m[i + 1]!]));
      // %t takes the first letter of "error"/"warning"/"info"; the rest of the word is literal.
      return { file: v['f']!, line: Number(v['l']), column: Number(v['c']), severity: TYPE[v['t']!]!, message: v['m']! };
    }
    return { unmatched: l };
  });
  // Vim keeps the [rule-id] in the message text.
  t.same(got, expected.map(({ code, ...f }) => ({ ...f, message: `${f.message} [${code}]` })));
  t.same(
    patterns.filter((p) => p.ignore).map((p) => p.re.test('✖ 3 problems')),
    [true],
    'other lines (none in compact output) are dropped, not shown as errors',
  );
});

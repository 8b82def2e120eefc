// CLI behaviour pinned by scenarios: test/scenarios/*.yaml each give files, a command line, stdin,
// and the exact stdout, stderr and exit status (and the files after the run, for --fix). Each runs
// the built CLI as a separate process in a fresh temporary directory.

import t from 'tap';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { ROOT, runCli } from './helpers/harness.js';

interface Scenario {
  name: string;
  files?: Record<string, string>;
  args: string[];
  stdin?: string;
  env?: Record<string, string>;
  exit: number;
  stdout?: string;
  stdoutIncludes?: string[];
  stderr?: string;
  stderrIncludes?: string[];
  after?: Record<string, string>;
  absent?: string[];
}


const dir = join(ROOT, 'test', 'scenarios');
for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()) {
  const scenarios = parse(readFileSync(join(dir, file), 'utf8')) as Scenario[];
  for (const s of scenarios) {
    t.test(`${file}: ${s.name}`, async (t) => {
      const cwd = mkdtempSync(join(tmpdir(), 'kp-scenario-'));
      for (const [p, text] of Object.entries(s.files ?? {})) {
        mkdirSync(dirname(join(cwd, p)), { recursive: true });
        writeFileSync(join(cwd, p), text);
      }
      const r = runCli(s.args, { cwd, stdin: s.stdin, env: s.env });
      if (s.stdout !== undefined) t.equal(r.stdout, s.stdout, 'stdout');
      for (const inc of s.stdoutIncludes ?? []) t.ok(r.stdout.includes(inc), `stdout includes ${JSON.stringify(inc)}\n--- stdout:\n${r.stdout}`);
      if (s.stderr !== undefined) t.equal(r.stderr, s.stderr, 'stderr');
      for (const inc of s.stderrIncludes ?? []) t.ok(r.stderr.includes(inc), `stderr includes ${JSON.stringify(inc)}\n--- stderr:\n${r.stderr}`);
      t.notMatch(r.stderr, /\n\s+at .+:\d+:\d+/, 'no stack trace');
      t.equal(r.code, s.exit, `exit status (stderr: ${r.stderr.trim()})`);
      for (const [p, text] of Object.entries(s.after ?? {})) t.equal(readFileSync(join(cwd, p), 'utf8'), text, `${p} after the run`);
      for (const p of s.absent ?? []) t.notOk(existsSync(join(cwd, p)), `${p} does not exist`);
    });
  }
}

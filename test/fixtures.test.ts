// Every fixture is a test: fixtures/<rule-id>/<case>.yaml (or a <case>/ directory of files) is
// linted with every rule; the findings of that rule (and of any rule a marker names) must equal the
// `# expect:` markers exactly. A sibling <case>.fixed.yaml holds the expected --fix output, which is
// linted again and must have nothing left to fix.

import t from 'tap';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { ROOT, parseExpectations, meets, readText, type Expectation } from './helpers/harness.js';
import { run } from '../src/run.js';
import type { LoadedConfig, Config } from '../src/config.js';
import type { FactKey } from '../src/facts.js';
import { engineStats, type EngineFinding } from '../src/engine.js';

const FIXTURES = join(ROOT, 'fixtures');
const MANIFEST = /\.(ya?ml|json)$/;
const FIXED = /\.fixed\.(ya?ml|json)$/;

interface Header {
  facts?: Partial<Record<FactKey, string>>;
  config?: Config;
  /** Paths (relative to the case) loaded as --context. */
  context?: string[];
  /** More rule ids whose findings are compared. */
  rules?: string[];
  reportUnusedSuppressions?: boolean;
}

interface Case {
  ruleId: string;
  name: string;
  /** Directory the case runs in (paths in findings are relative to it). */
  cwd: string;
  files: string[];
}

function listFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((n) => {
      const p = join(dir, n);
      return statSync(p).isDirectory() ? listFiles(p) : MANIFEST.test(n) && !FIXED.test(n) ? [p] : [];
    });
}

export function discoverCases(): Case[] {
  const cases: Case[] = [];
  for (const ruleId of readdirSync(FIXTURES).sort()) {
    const dir = join(FIXTURES, ruleId);
    if (!statSync(dir).isDirectory()) continue;
    for (const n of readdirSync(dir).sort()) {
      const p = join(dir, n);
      if (statSync(p).isDirectory()) cases.push({ ruleId, name: n, cwd: p, files: listFiles(p) });
      else if (MANIFEST.test(n) && !FIXED.test(n)) cases.push({ ruleId, name: n, cwd: dir, files: [p] });
    }
  }
  return cases;
}

function header(files: string[]): Header {
  for (const f of files) {
    const m = /^#\s*fixture:\s*(\{.*\})\s*$/m.exec(readText(f));
    if (m) return JSON.parse(m[1]!) as Header;
  }
  return {};
}

async function lintCase(c: Case, h: Header, fix?: 'dry-run') {
  const contextFiles = new Set((h.context ?? []).flatMap((p) => {
    const abs = join(c.cwd, p);
    return statSync(abs).isDirectory() ? listFiles(abs) : [abs];
  }));
  const config: LoadedConfig = { config: h.config ?? {}, file: null, dir: c.cwd, ignoreLocations: [] };
  return run({
    cwd: c.cwd,
    paths: c.files.filter((f) => !contextFiles.has(f)),
    context: [...contextFiles],
    config,
    facts: h.facts,
    reportUnusedSuppressions: h.reportUnusedSuppressions,
    strict: true,
    fix,
  });
}

function describe(f: EngineFinding | Expectation): string {
  const end = 'endLine' in f && f.endLine !== undefined && f.endLine !== null ? `-${f.endLine}:${f.endColumn}` : '';
  return `${f.file ?? '(facts)'}:${f.line ?? '-'}:${f.column ?? '-'}${end} ${f.ruleId} ${f.severity}`;
}

/**
 * Rules whose findings made after reading point only at nodes capture records (skeleton.ts): no
 * fixture may make the engine read a file again to place one of their findings (their fixes, which
 * strict mode builds, still read it).
 */
const CAPTURED_ONLY = /^(hostport-|nodeport-conflict$|service-|telepresence-numeric-target-port$|unnamed-container-port$)/;
function uncaptured(): number {
  let n = 0;
  for (const [ruleId, count] of engineStats.uncaptured) if (CAPTURED_ONLY.test(ruleId)) n += count;
  return n;
}

const cases = discoverCases();
t.ok(cases.length > 0, 'fixtures are discovered');

for (const c of cases) {
  t.test(`${c.ruleId}/${c.name}`, async (t) => {
    const h = header(c.files);
    const expected = c.files.flatMap((f) => parseExpectations(relative(c.cwd, f).split('\\').join('/'), readText(f)));
    const ruleIds = new Set([c.ruleId, ...expected.map((e) => e.ruleId), ...(h.rules ?? [])]);
    const before = uncaptured();
    const outcome = await lintCase(c, h);
    t.equal(uncaptured() - before, 0, 'the port and Service rules\' findings are placed by what capture recorded');
    const actual = (outcome.result.findings as EngineFinding[]).filter((f) => ruleIds.has(f.ruleId) && !f.suppressed);
    const left = [...actual];
    const missing: string[] = [];
    for (const e of expected) {
      const i = left.findIndex((f) => meets(f, e));
      if (i === -1) missing.push(`${describe(e)}${e.fragment ? ` "${e.fragment}"` : ''} (marker at ${e.at})`);
      else left.splice(i, 1);
    }
    t.same(missing, [], 'every expected finding is reported');
    t.same(left.map((f) => `${describe(f)}: ${f.message}`), [], 'no finding beyond the expected ones');

    // Fixes: <name>.fixed.yaml beside the file.
    const fixedFiles = c.files.map((f) => ({ f, fixed: f.replace(MANIFEST, (ext) => `.fixed${ext}`) })).filter((x) => existsSync(x.fixed));
    if (fixedFiles.length > 0) {
      const fixedRun = await lintCase(c, h, 'dry-run');
      for (const { f, fixed } of fixedFiles) {
        const got = fixedRun.fixed.find((x) => x.file.path === f);
        t.equal(got?.after, readText(fixed), `--fix turns ${basename(f)} into ${basename(fixed)}`);
      }
      const leftFixable = (fixedRun.result.findings as EngineFinding[]).filter((f) => ruleIds.has(f.ruleId) && f.fixable && !f.suppressed);
      t.same(leftFixable.map(describe), [], 'linting the fixed output finds nothing left to fix');
    }
  });
}

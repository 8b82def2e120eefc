// Every rule has its module, metadata, fixtures (a failing and a passing case, and a fixed output
// when it is fixable), a test file and an up-to-date generated doc page.

import t from 'tap';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { ROOT } from './helpers/harness.js';
import { loadRules, ruleIds } from '../src/registry.js';
import { ruleDoc } from '../src/docs.js';
import { SEVERITIES } from '../src/types.js';

const CATEGORIES = ['syntax', 'schema', 'ports', 'telepresence', 'linkerd', 'versions', 'scheduling', 'meta'];

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

const ids = ruleIds();
t.ok(ids.length >= 3, 'rules are discovered');

for (const rule of await loadRules(ids)) {
  const m = rule.meta;
  t.test(m.id, async (t) => {
    t.match(m.id, /^[a-z0-9]+(-[a-z0-9]+)*$/, 'id is kebab-case');
    t.ok(existsSync(join(ROOT, 'rules', `${m.id}.ts`)), `rules/${m.id}.ts exists`);
    t.ok(m.description.length > 10 && m.rationale.length > 20, 'description and rationale are written');
    t.ok(SEVERITIES.includes(m.severity), 'default severity is valid');
    t.ok(CATEGORIES.includes(m.category), 'category is known');
    t.ok(m.docs.bad, 'docs carry a flagged example');
    if (m.options) t.doesNotThrow(() => new Ajv({ strict: false }).compile(m.options!), 'options schema compiles');

    const fixtures = filesUnder(join(ROOT, 'fixtures', m.id)).filter((f) => /\.(ya?ml|json)$/.test(f));
    const sources = fixtures.filter((f) => !/\.fixed\./.test(f));
    const marked = sources.filter((f) => new RegExp(`expect(?:@\\d+|-facts)?:.*\\b${m.id}\\b`).test(readFileSync(f, 'utf8')));
    t.ok(marked.length > 0, `fixtures/${m.id}/ has a case where the rule reports`);
    t.ok(sources.some((f) => !marked.includes(f)), `fixtures/${m.id}/ has a case where it stays quiet`);
    if (m.fixable) t.ok(fixtures.some((f) => /\.fixed\./.test(f)), `fixable rule has a .fixed fixture`);

    t.ok(existsSync(join(ROOT, 'test', 'rules', `${m.id}.test.ts`)), `test/rules/${m.id}.test.ts exists`);
    const doc = join(ROOT, 'docs', 'rules', `${m.id}.md`);
    t.ok(existsSync(doc), `docs/rules/${m.id}.md exists`);
    if (existsSync(doc)) t.equal(readFileSync(doc, 'utf8'), ruleDoc(m), `docs/rules/${m.id}.md is up to date (npm run docs)`);
  });
}

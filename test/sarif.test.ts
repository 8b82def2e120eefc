// SARIF output validates against the OASIS SARIF 2.1.0 schema (copied into test/schemas with
// attribution) and carries what GitHub code scanning reads.

import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv04 from 'ajv-draft-04';
import { ROOT } from './helpers/harness.js';
import { format } from '../src/formatters/sarif.js';
import { loadRules } from '../src/registry.js';
import type { LintResult } from '../src/types.js';

const schema = JSON.parse(readFileSync(join(ROOT, 'test', 'schemas', 'sarif-schema-2.1.0.json'), 'utf8'));
const validate = new (Ajv04 as unknown as typeof Ajv04.default)({ strict: false, allErrors: true }).compile(schema);

const result: LintResult = {
  findings: [
    {
      ruleId: 'unnamed-container-port', severity: 'warning', message: 'no name', file: 'dir with space/a.yaml',
      line: 10, column: 11, endLine: 10, endColumn: 28, resource: { apiVersion: 'v1', kind: 'Pod', namespace: 'default', name: 'p' },
      path: '/spec/containers/0/ports/0', related: [{ file: 'svc.yaml', line: 3, column: 5, endLine: 3, endColumn: 9, path: '/spec/ports/0', message: 'the Service port' }],
      source: 'chart/templates/pod.yaml', fixable: true,
    },
    {
      ruleId: 'invalid-port-name', severity: 'error', message: 'bad name', file: 'a.yaml', line: 11, column: 17, endLine: 11, endColumn: 24,
      resource: null, path: null, related: [], fixable: false, suppressed: { kind: 'inSource', via: 'comment', justification: 'legacy' },
    },
    { ruleId: 'parse-error', severity: 'info', message: 'about facts only', file: null, line: null, column: null, endLine: null, endColumn: null, resource: null, path: null, related: [], fixable: false },
  ],
  summary: { files: 2, resources: 1, errors: 0, warnings: 1, infos: 1, fixable: 1 },
};

t.test('valid SARIF 2.1.0 with rules, related locations and suppressions', async (t) => {
  const rules = (await loadRules()).map((r) => r.meta);
  const sarif = JSON.parse(format(result, { rules, color: false, toolVersion: '0.1.0', cwd: '/x' }));
  const ok = validate(sarif);
  t.ok(ok, JSON.stringify(validate.errors?.slice(0, 3)));
  const run = sarif.runs[0];
  t.equal(run.tool.driver.name, 'kube-preflight');
  t.same(run.tool.driver.rules.map((r: { id: string }) => r.id), rules.map((r) => r.id).sort());
  const r0 = run.results[0];
  t.equal(r0.level, 'warning');
  t.equal(run.tool.driver.rules[r0.ruleIndex].id, 'unnamed-container-port');
  t.same(r0.locations[0].physicalLocation, { artifactLocation: { uri: 'dir%20with%20space/a.yaml', uriBaseId: '%SRCROOT%' }, region: { startLine: 10, startColumn: 11, endLine: 10, endColumn: 28 } });
  t.equal(r0.relatedLocations[0].message.text, 'the Service port');
  t.equal(r0.properties.source, 'chart/templates/pod.yaml');
  t.same(run.results[1].suppressions, [{ kind: 'inSource', justification: 'legacy' }]);
  t.equal(run.results[2].level, 'note');
  t.notOk('locations' in run.results[2], 'a finding about facts has no location');
  const rule = run.tool.driver.rules.find((r: { id: string }) => r.id === 'parse-error');
  t.match(rule.helpUri, /docs\/rules\/parse-error\.md$/);
  t.equal(rule.defaultConfiguration.level, 'error');
});

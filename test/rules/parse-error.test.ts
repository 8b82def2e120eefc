import t from 'tap';
import { lintText, lintTexts, of } from '../helpers/harness.js';

t.test('binary input is one finding at 1:1, not a crash', async (t) => {
  const f = of(await lintText('apiVersion: v1\u0000\u0001\u0002'), 'parse-error');
  t.same(f.map((x) => [x.line, x.column, x.message]), [[1, 1, 'file is binary (it contains NUL bytes), not YAML']]);
});

t.test('CRLF files report the same positions as LF files', async (t) => {
  const lf = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  name: b\n';
  const a = of(await lintText(lf), 'parse-error');
  const b = of(await lintText(lf.replace(/\n/g, '\r\n')), 'parse-error');
  t.same(a.map((x) => [x.line, x.column, x.endLine, x.endColumn]), [[5, 3, 5, 7]]);
  t.same(b.map((x) => [x.line, x.column, x.endLine, x.endColumn]), [[5, 3, 5, 7]]);
});

t.test('JSON manifests are read; documents in other files are independent', async (t) => {
  const out = await lintTexts({
    'a.json': '{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "c", "image": "x:1", "ports": [{"containerPort": 80}]}]}}',
    'b.yaml': 'kind: [',
  });
  t.same(out.result.findings.map((f) => `${f.file}:${f.line}:${f.column} ${f.ruleId}`), ['a.json:1:128 unnamed-container-port', 'b.yaml:1:8 parse-error']);
});

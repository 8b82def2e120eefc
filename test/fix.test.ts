// Fix infrastructure: non-overlapping edits, verification by re-parsing, atomic writes, diffs.

import t from 'tap';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyEdits, applySafely, nonOverlapping, unifiedDiff, writeAtomic } from '../src/fix.js';
import { run } from '../src/run.js';

t.test('overlapping edits: the first wins; identical duplicates collapse', async (t) => {
  const edits = nonOverlapping([
    { range: [5, 10], text: 'b' },
    { range: [0, 6], text: 'a' },
    { range: [12, 12], text: 'x' },
    { range: [12, 12], text: 'x' },
  ]);
  t.same(edits, [{ range: [0, 6], text: 'a' }, { range: [12, 12], text: 'x' }]);
  t.equal(applyEdits('0123456789abcdef', edits), 'a6789abxcdef');
});

t.test('an edit that breaks the YAML is refused, the others are kept', async (t) => {
  const text = 'a: 1\nb: 2\n';
  const out = applySafely(text, [{ range: [3, 4], text: '9' }, { range: [8, 9], text: "[" }]);
  t.same(out, { text: 'a: 9\nb: 2\n', applied: 1, refused: 1 });
});

t.test('writeAtomic replaces the file, keeps its mode and leaves no temporary file', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kp-fix-'));
  const f = join(dir, 'a.yaml');
  writeFileSync(f, 'old\n');
  chmodSync(f, 0o640);
  writeAtomic(f, 'new\n');
  t.equal(readFileSync(f, 'utf8'), 'new\n');
  t.equal(statSync(f).mode & 0o777, 0o640);
  t.same(readdirSync(dir), ['a.yaml']);
});

t.test('unified diff with context and hunk headers', async (t) => {
  const a = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11', '12'].join('\n') + '\n';
  const b = a.replace('2\n', '2\ntwo\n').replace('11\n', 'eleven\n');
  t.equal(
    unifiedDiff('f.yaml', a, b),
    ['--- a/f.yaml', '+++ b/f.yaml', '@@ -1,5 +1,6 @@', ' 1', ' 2', '+two', ' 3', ' 4', ' 5', '@@ -8,5 +9,5 @@', ' 8', ' 9', ' 10', '-11', '+eleven', ' 12', ''].join('\n'),
  );
  t.equal(unifiedDiff('f.yaml', a, a), '');
});

t.test('--fix on disk: a UTF-8 BOM and CRLF survive, and bytes outside the edit are identical', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'kp-fix-'));
  const f = join(dir, 'pod.yaml');
  const before = '\uFEFFapiVersion: v1\r\nkind: Pod\r\nmetadata: {name: "p"}   # c\r\nspec:\r\n  containers:\r\n  - name: c\r\n    image: nginx:1.27\r\n    ports:\r\n    - containerPort: 80\r\n';
  writeFileSync(f, before);
  const out = await run({ cwd: dir, paths: ['pod.yaml'], fix: 'write', strict: true });
  const after = readFileSync(f, 'utf8');
  t.equal(after, before + '      name: tcp-80\r\n');
  t.equal(out.result.summary.fixable, 0, 'nothing left to fix');
});

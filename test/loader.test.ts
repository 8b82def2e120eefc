// Directory walks: file types from the directory entries, links followed once, loops and dangling
// links skipped, a file reached twice checked once. Reading an input with the size the run found.

import t from 'tap';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { discover, MAX_FILE_BYTES, readInput } from '../src/loader.js';
import { UsageError } from '../src/errors.js';

const deployment = (name: string) => `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${name}\n`;

t.test('a walk follows links to files and directories once, skips loops and dangling links, and sorts by name', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'kp-walk-'));
  mkdirSync(join(root, 'a'));
  mkdirSync(join(root, 'b'));
  mkdirSync(join(root, 'node_modules'));
  writeFileSync(join(root, 'a', 'z.yaml'), deployment('z'));
  writeFileSync(join(root, 'a', 'web.yml'), deployment('web'));
  writeFileSync(join(root, 'a', 'notes.txt'), 'not a manifest');
  writeFileSync(join(root, 'b', 'real.json'), '{}');
  writeFileSync(join(root, 'node_modules', 'skip.yaml'), deployment('skip'));
  symlinkSync(join(root, 'a', 'z.yaml'), join(root, 'b', 'link-to-z.yaml')); // the same file again
  symlinkSync(join(root, 'b'), join(root, 'b', 'loop')); // a directory loop
  symlinkSync(join(root, 'a'), join(root, 'c-link')); // a linked directory already walked
  symlinkSync(join(root, 'missing.yaml'), join(root, 'b', 'dangling.yaml'));
  const files = discover({ cwd: root, paths: ['.'], context: [], ignorePatterns: [], ignoreBase: root });
  t.same(files.map((f) => f.display), ['a/web.yml', 'a/z.yaml', 'b/real.json']);
  t.ok(files.every((f) => f.walked && !f.context));
});

t.test('ignorePatterns skip directories and files by glob, relative to their base', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'kp-walk-'));
  mkdirSync(join(root, 'charts', 'x'), { recursive: true });
  writeFileSync(join(root, 'charts', 'x', 'a.yaml'), deployment('a'));
  writeFileSync(join(root, 'keep.yaml'), deployment('k'));
  writeFileSync(join(root, 'skip.generated.yaml'), deployment('s'));
  const files = discover({ cwd: root, paths: ['.'], context: [], ignorePatterns: ['charts', '*.generated.yaml'], ignoreBase: root });
  t.same(files.map((f) => f.display), ['keep.yaml']);
});

t.test('a file named on the command line and also reached by a walk, through a link or not, is listed once, as named', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'kp-walk-'));
  mkdirSync(join(root, 'real'));
  writeFileSync(join(root, 'real', 'a.yaml'), deployment('a'));
  writeFileSync(join(root, 'real', 'b.yaml'), deployment('b'));
  symlinkSync(join(root, 'real'), join(root, 'via-link'));
  // Named first, then walked under its own directory and under a link to that directory.
  const files = discover({ cwd: root, paths: ['real/a.yaml', 'real', 'via-link'], context: [], ignorePatterns: [], ignoreBase: root });
  t.same(files.map((f) => [f.display, f.walked ?? false]), [['real/a.yaml', false], ['real/b.yaml', true]]);
  // Walked first (through the link), then named by its real path: one entry, no longer "walked".
  const again = discover({ cwd: root, paths: ['via-link', 'real/b.yaml'], context: [], ignorePatterns: [], ignoreBase: root });
  t.same(again.map((f) => [f.display, f.walked ?? false]), [['via-link/a.yaml', true], ['via-link/b.yaml', false]]);
  // A file given as context and walked as a checked one is checked.
  const ctx = discover({ cwd: root, paths: ['via-link'], context: ['real/a.yaml'], ignorePatterns: [], ignoreBase: root });
  t.same(ctx.map((f) => [f.display, f.context]), [['via-link/a.yaml', false], ['via-link/b.yaml', false]]);
});

t.test('readInput takes the size the run already found instead of stat()ing the file again', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'kp-read-'));
  const path = join(root, 'web.yaml');
  writeFileSync(path, deployment('web'));
  const input = { path, display: 'web.yaml', context: false };
  // The size given is what decides the limit: a size over it is reported, and the file is not read.
  const over = readInput(input, MAX_FILE_BYTES + 1);
  t.same(over, { problem: `file is 64 MiB, over the 64 MiB limit: not read` });
  t.same(readInput(input, 200 * 1024 * 1024), { problem: 'file is 200 MiB, over the 64 MiB limit: not read' });
  // A size under the limit, or none (0: unknown), reads the file.
  t.same(readInput(input, 10), { text: deployment('web'), bom: false });
  t.same(readInput(input, 0), { text: deployment('web'), bom: false });
  t.same(readInput(input), { text: deployment('web'), bom: false });
  // A file gone since its size was found is the same error as without a size.
  const gone = { path: join(root, 'gone.yaml'), display: 'gone.yaml', context: false };
  t.throws(() => readInput(gone, 10), new UsageError('cannot read gone.yaml: ENOENT'));
  t.throws(() => readInput(gone), new UsageError('cannot read gone.yaml: ENOENT'));
});

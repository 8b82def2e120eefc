// The everyday command line is read without yargs (it costs more than the rest of a one-file
// check). That reading must agree with yargs on every argument it accepts, and hand everything
// else to yargs.

import t from 'tap';
import { fastCheckArgs, yargsCheckArgs } from '../src/cli-main.js';

// The fields check() reads.
const FIELDS = [
  'paths', 'format', 'outputFile', 'config', 'context', 'rule', 'stdinFilename', 'maxWarnings', 'quiet', 'color', 'fix',
  'fixDryRun', 'reportUnusedSuppressions', 'filterFiles', 'kube-version', 'linkerd-version', 'linkerd-cli-version',
  'telepresence-version', 'spegel-version', 'node-port-range',
];
const pick = (a: Record<string, unknown> | null) => (a === null ? null : Object.fromEntries(FIELDS.map((k) => [k, a[k]])));

const ACCEPTED: string[][] = [
  [],
  ['examples/'],
  ['check', 'a.yaml', 'b.yaml'],
  ['-'],
  ['-', '--stdin-filename', 'chart/x.yaml'],
  ['--format', 'json', 'dir'],
  ['-f', 'sarif', '-o', 'out/r.sarif', 'dir'],
  ['--format=junit', '--output-file=r.xml', '.'],
  ['--format', 'json', '--format', 'github', 'x.yaml'],
  ['--context', 'ctx/', '--context', 'more.yaml', 'a.yaml'],
  ['--context', '.', 'a.yaml', 'b.yaml'],
  ['--rule', 'schema=off', '--rule', 'hostport-conflict=warning', 'x'],
  ['-c', 'cfg.yaml', '--quiet', '--max-warnings', '0', 'x'],
  ['-q', '--color', '--fix', 'x'],
  ['--fix-dry-run', '--report-unused-suppressions', '--filter-files', 'x'],
  ['--kube-version', '1.30', '--linkerd-version', 'stable-2.14.10', '--node-port-range', '30000-32767'],
  ['--telepresence-version', '2.21.3', '--spegel-version', 'v0.0.30', '--linkerd-cli-version', 'edge-24.10.1', 'x'],
  ['check'],
  ['x.yaml', 'check'],
];

const HANDED_TO_YARGS: string[][] = [
  ['--help'], ['-h'], ['--version'], ['rules'], ['rules', 'schema'], ['lsp'], ['--no-color', 'x'], ['--quiet', 'true', 'x'],
  ['--fix=false', 'x'], ['--format', 'xml', 'x'], ['--format'], ['-o', 'a', '-o', 'b', 'x'], ['--max-warnings', 'many', 'x'],
  ['--max-warnings', '-1', 'x'], ['--kube-version', '1.30', '--kube-version', '1.31'], ['-qf', 'json', 'x'], ['--', 'x'],
  ['--unknown-flag', 'x'], ['--outputFile', 'o.json', 'x'], ['--quiet', '--quiet', 'x'], ['--context'], ['--rule', '--quiet'],
];

t.test('the fast reading agrees with yargs on everyday command lines', async (t) => {
  for (const argv of ACCEPTED) {
    const fast = fastCheckArgs(argv);
    t.not(fast, null, `read without yargs: ${JSON.stringify(argv)}`);
    t.same(pick(fast), pick(await yargsCheckArgs(argv)), `same arguments as yargs: ${JSON.stringify(argv)}`);
  }
});

t.test('anything else goes to yargs', async (t) => {
  for (const argv of HANDED_TO_YARGS) t.equal(fastCheckArgs(argv), null, JSON.stringify(argv));
});

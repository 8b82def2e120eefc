// action.yml (the composite GitHub Action): every input reaches a real CLI flag, and its shell step,
// run here with its env set as GitHub would from `inputs.*`, writes SARIF and exits as fail-on says.

import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { CLI, ROOT } from './helpers/harness.js';

interface Step {
  id?: string;
  name?: string;
  shell?: string;
  run?: string;
  env?: Record<string, string>;
  uses?: string;
  'working-directory'?: string;
}
interface Action {
  inputs: Record<string, { description: string; default?: string; required?: boolean }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: Step[] };
}

const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as Action;
const step = action.runs.steps.find((s) => s.id === 'check')!;
const help = spawnSync(process.execPath, [CLI, 'check', '--help'], { encoding: 'utf8' }).stdout;

/** Inputs that are not a flag of the same name, and what they become. */
const SPECIAL: Record<string, RegExp> = {
  paths: /--output-file "\$KP_SARIF_FILE" "\$\{paths\[@\]\}"/, // positional
  context: /args\+=\(--context "\$c"\)/, // one --context per item
  'sarif-file': /--format sarif --output-file "\$KP_SARIF_FILE"/,
  annotations: /--format github/,
  'fail-on': /--max-warnings 0/,
  args: /args\+=\("\$\{extra\[@\]\}"\)/,
};

t.test('every input is wired to the run step and to a real CLI flag', async (t) => {
  t.equal(action.runs.using, 'composite');
  t.ok(step?.run, 'a run step with id "check"');
  for (const [name, input] of Object.entries(action.inputs)) {
    t.ok(input.description, `${name} is documented`);
    const envName = Object.entries(step.env ?? {}).find(([, v]) => v.trim() === `\${{ inputs.${name} }}`)?.[0];
    t.ok(envName, `inputs.${name} is passed to the step's env`);
    t.ok(envName && step.run!.includes(`$${envName}`), `${envName} is used by the script`);
    if (SPECIAL[name]) {
      t.match(step.run!, SPECIAL[name]!, `${name} is handled`);
      const flag = /--[a-z-]+/g;
      for (const f of step.run!.match(SPECIAL[name]!)![0].match(flag) ?? []) t.match(help, `${f} `, `${f} is a CLI flag`);
    } else {
      t.match(step.run!, new RegExp(`args\\+=\\(--${name} "\\$${envName}"\\)`), `${name} becomes --${name}`);
      t.match(help, `--${name} `, `--${name} is a CLI flag`);
    }
  }
  t.same(Object.keys(action.outputs).sort(), ['exit-code', 'sarif-file']);
});

/** Run the step's script as GitHub does (`shell: bash` is `bash --noprofile --norc -eo pipefail {0}`), `${{ inputs.x }}` substituted into its env. */
function runStep(inputs: Record<string, string>, cwd: string) {
  const values: Record<string, string> = {};
  for (const [name, input] of Object.entries(action.inputs)) values[name] = inputs[name] ?? input.default ?? '';
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(step.env ?? {})) {
    env[k] = v
      .replace(/\$\{\{\s*inputs\.([a-z-]+)\s*\}\}/g, (_, n: string) => values[n] ?? '')
      .replace(/\$\{\{\s*github\.action_path\s*\}\}/g, ROOT);
  }
  const outFile = join(cwd, '.github-output');
  writeFileSync(outFile, '');
  const script = join(cwd, '.step.sh');
  writeFileSync(script, step.run!);
  const r = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], {
    cwd,
    encoding: 'utf8',
    env: { PATH: process.env['PATH']!, HOME: process.env['HOME'] ?? cwd, GITHUB_OUTPUT: outFile, GITHUB_ACTION_PATH: ROOT, GITHUB_WORKSPACE: cwd, ...env },
  });
  const outputs = Object.fromEntries(
    readFileSync(outFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, outputs };
}

function workspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kp-action-'));
  mkdirSync(join(dir, 'k8s'));
  mkdirSync(join(dir, 'platform'));
  // A warning (unnamed port) in k8s/, and the Service naming it in platform/ (context only).
  writeFileSync(
    join(dir, 'k8s', 'deploy.yaml'),
    'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: echo}\nspec:\n  selector: {matchLabels: {app: echo}}\n  template:\n    metadata: {labels: {app: echo}}\n    spec:\n      containers:\n        - name: echo\n          image: ghcr.io/example/echo:1.0.0\n          ports:\n            - containerPort: 9091\n',
  );
  writeFileSync(
    join(dir, 'platform', 'svc.yaml'),
    'apiVersion: v1\nkind: Service\nmetadata: {name: echo}\nspec:\n  selector: {app: echo}\n  ports: [{name: metrics, port: 9091}]\n',
  );
  return dir;
}

t.test('the step writes SARIF, annotates, and exits as fail-on says', async (t) => {
  const dir = workspace();
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));

  // Defaults: fail on errors only; a warning passes, SARIF and annotations are written.
  const ok = runStep({ paths: 'k8s', context: 'platform' }, dir);
  t.equal(ok.status, 0, ok.stderr);
  t.same(ok.outputs, { 'sarif-file': 'kube-preflight.sarif', 'exit-code': '0' });
  const sarif = JSON.parse(readFileSync(join(dir, 'kube-preflight.sarif'), 'utf8')) as {
    version: string;
    runs: Array<{ results: Array<{ ruleId: string; level: string; message: { text: string }; locations: Array<{ physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number; startColumn: number } } }> }> }>;
  };
  t.equal(sarif.version, '2.1.0');
  const all = sarif.runs[0]!.results;
  t.ok(all.length > 0 && all.every((r) => r.locations[0]!.physicalLocation.artifactLocation.uri.startsWith('k8s/')), 'context files are not reported');
  // The Telepresence rule also reports this workload (its Service targets 9091 by number): look at one rule.
  const results = all.filter((r) => r.ruleId === 'unnamed-container-port');
  t.equal(results.length, 1, 'one unnamed port');
  t.equal(results[0]!.ruleId, 'unnamed-container-port');
  t.equal(results[0]!.level, 'warning');
  t.match(results[0]!.message.text, '`name: metrics`', 'the --context Service was seen');
  t.same(results[0]!.locations[0]!.physicalLocation.artifactLocation.uri, 'k8s/deploy.yaml');
  t.same(results[0]!.locations[0]!.physicalLocation.region, { startLine: 13, startColumn: 15, endLine: 13, endColumn: 34 });
  t.match(ok.stdout, /^::warning file=k8s\/deploy\.yaml,line=13,col=15,endLine=13,endColumn=34,title=unnamed-container-port::containerPort 9091/m);

  // fail-on: warning → --max-warnings 0 → the step fails; the SARIF is still written first.
  rmSync(join(dir, 'kube-preflight.sarif'));
  mkdirSync(join(dir, 'out'));
  const strict = runStep({ paths: 'k8s', context: 'platform', 'fail-on': 'warning', 'sarif-file': 'out/kp.sarif', annotations: 'false' }, dir);
  t.equal(strict.status, 1);
  t.same(strict.outputs, { 'sarif-file': 'out/kp.sarif', 'exit-code': '1' }, 'outputs set before failing');
  t.notMatch(strict.stdout, /::warning/, 'annotations off');
  t.notOk(existsSync(join(dir, 'kube-preflight.sarif')));
  t.ok(existsSync(join(dir, 'out', 'kp.sarif')), 'written to sarif-file');

  const warnFail = runStep({ paths: 'k8s', 'fail-on': 'warning', 'sarif-file': 'out/kp.sarif', args: '--rule unnamed-container-port=error' }, dir);
  t.equal(warnFail.status, 1, 'args pass through: the warning is now an error');
  t.equal((JSON.parse(readFileSync(join(dir, 'out', 'kp.sarif'), 'utf8')) as typeof sarif).runs[0]!.results[0]!.level, 'error');

  // fail-on: never → the step passes even with an error finding.
  const never = runStep({ paths: 'k8s', 'fail-on': 'never', args: '--rule unnamed-container-port=error' }, dir);
  t.equal(never.status, 0);
  t.equal(never.outputs['exit-code'], '1');
  t.match(never.stdout, /^::error file=k8s\/deploy\.yaml,line=13,col=15/m);

  // A run that cannot complete fails whatever fail-on says, without annotations.
  const broken = runStep({ paths: 'missing', 'fail-on': 'never' }, dir);
  t.equal(broken.status, 2);
  t.equal(broken.outputs['exit-code'], '2');
  t.match(broken.stderr, 'no such file or directory: missing');

  // Several paths, one per line; a config file.
  writeFileSync(join(dir, 'kp.yaml'), 'rules:\n  unnamed-container-port: "off"\n  telepresence-numeric-target-port: "off"\n');
  const lines = runStep({ paths: 'k8s\nplatform\n', config: 'kp.yaml', 'kube-version': '1.30' }, dir);
  t.equal(lines.status, 0, lines.stderr);
  t.same((JSON.parse(readFileSync(join(dir, 'kube-preflight.sarif'), 'utf8')) as typeof sarif).runs[0]!.results, [], 'the config turned the rule off');

  t.equal(runStep({ 'fail-on': 'sometimes' }, dir).status, 2, 'a bad fail-on value fails');
});

t.test('the example workflow runs the action and uploads its SARIF, only on demand', async (t) => {
  const wf = parse(readFileSync(join(ROOT, '.github', 'workflows', 'example-kube-preflight.yml'), 'utf8')) as {
    on: Record<string, unknown>;
    jobs: Record<string, { permissions?: Record<string, string>; steps: Array<Step & { with?: Record<string, string>; if?: string }> }>;
  };
  t.same(Object.keys(wf.on), ['workflow_dispatch'], "does not run in this repository's CI");
  const job = Object.values(wf.jobs)[0]!;
  t.equal(job.permissions?.['security-events'], 'write');
  const run = job.steps.find((s) => s.uses === './' || s.uses?.startsWith('kube-preflight/kube-preflight@'))!;
  t.ok(run, 'uses the action');
  for (const k of Object.keys(run.with ?? {})) t.ok(action.inputs[k], `with.${k} is an input`);
  const upload = job.steps.find((s) => s.uses?.startsWith('github/codeql-action/upload-sarif@'))!;
  t.ok(upload, 'uploads SARIF');
  t.match(upload.if ?? '', /always\(\)|!cancelled\(\)/, 'uploads even when the check fails');
  t.equal(upload.with?.['sarif_file'], `\${{ steps.${run.id}.outputs.sarif-file }}`);
});

// The pre-commit hook end to end, with the real `pre-commit`: a temporary git repository uses a
// snapshot of this checkout as its hook repository (language node: pre-commit runs npm install,
// npm pack and npm install -g, needing the npm registry), and real `git commit`s go through it.

import t from 'tap';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ROOT } from './helpers/harness.js';
import { echoDeployment } from './helpers/manifests.js';

const preCommit = spawnSync('pre-commit', ['--version'], { encoding: 'utf8' });
const missing = preCommit.error || preCommit.status !== 0 ? 'the pre-commit executable is not installed (Debian: apt-get install pre-commit)' : false;
if (missing) console.error(`# pre-commit e2e skipped: ${missing}`);

// Installing the hook environment (npm install with dev dependencies, tsc, npm pack) takes minutes
// on a busy machine; once per source tree (see CACHE below).
t.setTimeout(15 * 60_000);

/**
 * The hook repository and PRE_COMMIT_HOME live here across runs: the snapshot commit is
 * deterministic, so an unchanged tree reuses the installed environment; any change reinstalls.
 */
const CACHE = join(ROOT, 'node_modules', '.cache', 'kube-preflight-pre-commit');

function sh(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 14 * 60_000 });
}

function must(r: SpawnSyncReturns<string>, what: string): string {
  if (r.status !== 0) throw new Error(`${what} failed (${r.status ?? r.error?.message}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

const IDENT = {
  GIT_AUTHOR_NAME: 'kube-preflight test',
  GIT_AUTHOR_EMAIL: 'test@example.invalid',
  GIT_COMMITTER_NAME: 'kube-preflight test',
  GIT_COMMITTER_EMAIL: 'test@example.invalid',
};
const GIT_ID = {
  ...IDENT,
  GIT_AUTHOR_DATE: '2024-01-01T00:00:00Z',
  GIT_COMMITTER_DATE: '2024-01-01T00:00:00Z',
};

/** A git repository holding this checkout's files as they are now (committed or not). */
function snapshot(): { repo: string; rev: string } {
  const files = must(sh('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], ROOT), 'git ls-files')
    .split('\0')
    .filter((f) => f && existsSync(join(ROOT, f)));
  const repo = join(CACHE, 'hook-repo');
  rmSync(repo, { recursive: true, force: true });
  mkdirSync(repo, { recursive: true });
  for (const f of files) {
    mkdirSync(dirname(join(repo, f)), { recursive: true });
    copyFileSync(join(ROOT, f), join(repo, f));
  }
  must(sh('git', ['init', '-q'], repo), 'git init');
  must(sh('git', ['add', '-A'], repo), 'git add');
  must(sh('git', ['commit', '-q', '--no-gpg-sign', '-m', 'snapshot'], repo, GIT_ID), 'git commit');
  return { repo, rev: must(sh('git', ['rev-parse', 'HEAD'], repo), 'git rev-parse').trim() };
}

const SERVICE = `apiVersion: v1
kind: Service
metadata:
  name: echo
spec:
  selector: {app: echo}
  ports:
    - {name: metrics, port: 9091, targetPort: 9091}
`;

const deployment = (ports: string) => echoDeployment(ports);

t.test('pre-commit blocks a commit with an error and accepts a clean one', { skip: missing }, async (t) => {
  const { repo, rev } = snapshot();
  const home = join(CACHE, 'home');
  const stamp = join(CACHE, 'rev');
  if (!existsSync(stamp) || readFileSync(stamp, 'utf8') !== rev) {
    rmSync(home, { recursive: true, force: true }); // another tree: drop the old environment
    t.comment('installing the hook environment (npm install, tsc, npm pack): this takes a while');
  } else {
    t.comment(`reusing the hook environment of ${rev.slice(0, 12)} from ${home}`);
  }
  const env = { PRE_COMMIT_HOME: home, ...IDENT };

  const proj = mkdtempSync(join(tmpdir(), 'kp-pre-commit-'));
  t.teardown(() => rmSync(proj, { recursive: true, force: true }));
  must(sh('git', ['init', '-q'], proj), 'git init');
  writeFileSync(
    join(proj, '.pre-commit-config.yaml'),
    `repos:\n  - repo: ${repo}\n    rev: ${rev}\n    hooks:\n      - id: kube-preflight\n        args: [--context, .]\n`,
  );
  must(sh('pre-commit', ['install'], proj, env), 'pre-commit install');
  const install = sh('pre-commit', ['install-hooks'], proj, env);
  t.equal(install.status, 0, `hook environment installed:\n${install.stdout}${install.stderr}`);
  writeFileSync(stamp, rev);

  const commit = (msg: string) => sh('git', ['commit', '--no-gpg-sign', '-m', msg], proj, env);
  const commits = () => Number(must(sh('git', ['rev-list', '--count', 'HEAD'], proj), 'git rev-list').trim());

  // A Service, a values file and the pre-commit config itself: only the Service is a manifest.
  mkdirSync(join(proj, 'k8s'));
  writeFileSync(join(proj, 'k8s', 'svc.yaml'), SERVICE);
  writeFileSync(join(proj, 'values.yaml'), 'replicas: 2\nimage: {tag: "1.0"}\n');
  must(sh('git', ['add', '-A'], proj), 'git add');
  const first = commit('service');
  t.equal(first.status, 0, `clean commit accepted:\n${first.stdout}${first.stderr}`);
  t.match(first.stdout + first.stderr, /kube-preflight\.+Passed/);

  // Only deploy.yaml is staged; the Service reaches the hook through --context.
  writeFileSync(join(proj, 'k8s', 'deploy.yaml'), deployment('            - name: http_metrics\n              containerPort: 8080\n            - containerPort: 9091\n'));
  must(sh('git', ['add', 'k8s/deploy.yaml'], proj), 'git add');
  const blocked = commit('deployment');
  const out = blocked.stdout + blocked.stderr;
  t.not(blocked.status, 0, 'the commit is blocked');
  t.match(out, /kube-preflight\.+Failed/);
  t.match(out, 'k8s/deploy.yaml:16:21: error: port name "http_metrics" is not a valid IANA_SVC_NAME', 'file:line:col of the error');
  t.match(out, 'k8s/deploy.yaml:18:15: warning: containerPort 9091/TCP of container "echo" has no name; name it, e.g. `name: metrics`', 'the Service from the rest of the repository names the port');
  t.notMatch(out, /svc\.yaml:|values\.yaml:|pre-commit-config\.yaml:/, 'nothing reported on context or non-manifests');
  t.equal(commits(), 1);

  writeFileSync(join(proj, 'k8s', 'deploy.yaml'), deployment('            - name: http\n              containerPort: 8080\n            - name: metrics\n              containerPort: 9091\n'));
  must(sh('git', ['add', 'k8s/deploy.yaml'], proj), 'git add');
  const fixed = commit('deployment, fixed');
  t.equal(fixed.status, 0, `fixed commit accepted:\n${fixed.stdout}${fixed.stderr}`);
  t.equal(commits(), 2);
});

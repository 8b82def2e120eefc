// Peer benchmark: lint a directory of manifests with Monokle's validation library
// (@monokle/validation 0.33 + @monokle/parser), fully offline.
//
//   node bench/peer-monokle.mjs DIR [--verbose]
//
// Prints one JSON line: {"files": N, "resources": N, "problems": N, "seconds": S}
//   files     *.yaml / *.yml files found under DIR (recursive)
//   resources Kubernetes objects Monokle extracted from them (empty/comment-only documents dropped)
//   problems  unsuppressed SARIF results
//   seconds   in-process time of extractK8sResources + processRefs + validate (not install, not
//             file reading, not plugin preload)
// --verbose adds a per-phase breakdown on stderr. On failure: one line `peer-monokle: <reason>` on
// stderr, exit 3.
//
// Dependencies are installed on first use into bench/.work/monokle (gitignored). Recipe from
// /work/shared/bench/README.md: the default config downloads Kubernetes schemas and wasm policies, so
// only the built-in plugins below are loaded, through DefaultPluginLoader (which has no remote
// fallback). As a guard, any network attempt during the run (fetch, DNS, socket connect) is refused
// and turns the run into a failure.

import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import dns from 'node:dns';
import net from 'node:net';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';

const HERE = dirname(fileURLToPath(import.meta.url));
const WORK = join(HERE, '.work', 'monokle');
// 0.3.2 is the @monokle/parser release published together with @monokle/validation 0.33.0.
const PACKAGES = { '@monokle/validation': '0.33', '@monokle/parser': '0.3.2' };
const PLUGINS = ['yaml-syntax', 'pod-security-standards', 'resource-links', 'practices', 'metadata'];

class Failure extends Error {}

function fail(reason) {
  throw new Failure(reason);
}

function installedVersion(name) {
  const pkg = join(WORK, 'node_modules', ...name.split('/'), 'package.json');
  if (!existsSync(pkg)) return undefined;
  try {
    return JSON.parse(readFileSync(pkg, 'utf8')).version;
  } catch {
    return undefined;
  }
}

function ensureInstalled() {
  const missing = Object.entries(PACKAGES).filter(([name, want]) => {
    const have = installedVersion(name);
    return !have || !(have === want || have.startsWith(`${want}.`));
  });
  if (missing.length === 0) return;
  const specs = Object.entries(PACKAGES).map(([name, v]) => `${name}@${v}`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const r = spawnSync(npm, ['install', '--prefix', WORK, '--no-audit', '--no-fund', ...specs], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 10 * 60 * 1000,
  });
  if (r.error) fail(`npm install failed: ${r.error.message}`);
  if (r.status !== 0) {
    const lines = `${r.stderr}\n${r.stdout}`.split('\n').filter(l => /\S/.test(l) && !/Unknown user config/.test(l));
    fail(`npm install exited ${r.status}: ${lines.slice(-1)[0] ?? 'no output'}`);
  }
  for (const name of Object.keys(PACKAGES)) {
    if (!installedVersion(name)) fail(`npm install did not install ${name}`);
  }
}

async function importFromWork(name) {
  const require = createRequire(join(WORK, 'package.json'));
  // Resolves through the package's "node" export condition to its ESM entry.
  return import(pathToFileURL(require.resolve(name)).href);
}

// Refuse (and remember) any network access from inside this process.
const networkAttempts = [];
function guardNetwork() {
  const refuse = what => {
    networkAttempts.push(what);
    throw new Error(`network access refused (${what})`);
  };
  globalThis.fetch = async input => refuse(`fetch ${typeof input === 'string' ? input : input?.url ?? input}`);
  const origConnect = net.Socket.prototype.connect;
  net.Socket.prototype.connect = function (...args) {
    const opts = args[0];
    // Allow local IPC (pipes/unix sockets) only.
    if (typeof opts === 'string' || (opts && typeof opts === 'object' && !Array.isArray(opts) && opts.path)) {
      return origConnect.apply(this, args);
    }
    const target = Array.isArray(opts) ? opts[0] : opts;
    refuse(`connect ${target?.host ?? ''}:${target?.port ?? target}`);
  };
  dns.lookup = (host, ...rest) => refuse(`dns ${host}`);
  dns.promises.lookup = async host => refuse(`dns ${host}`);
}

function yamlFiles(root) {
  const out = [];
  const walk = dir => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      let isDir = e.isDirectory();
      let isFile = e.isFile();
      if (e.isSymbolicLink()) {
        try {
          const s = statSync(p);
          isDir = false; // do not follow directory symlinks (cycles)
          isFile = s.isFile();
        } catch {
          continue;
        }
      }
      if (isDir) walk(p);
      else if (isFile && /\.ya?ml$/i.test(e.name)) out.push(p);
    }
  };
  walk(root);
  return out.sort();
}

// A document whose text is only comments, directives, separators or whitespace.
function isEmptyDocument(resource) {
  if (resource.content === null || resource.content === undefined || typeof resource.content !== 'object') return true;
  return (resource.text ?? '')
    .split('\n')
    .every(l => /^\s*(#.*)?$/.test(l) || /^(---|\.\.\.)\s*(#.*)?$/.test(l) || /^%/.test(l));
}

async function main() {
  const args = process.argv.slice(2);
  const verbose = args.includes('--verbose');
  const positional = args.filter(a => !a.startsWith('--'));
  if (positional.length !== 1) fail('usage: node bench/peer-monokle.mjs DIR [--verbose]');
  const root = resolve(positional[0]);
  if (!existsSync(root) || !statSync(root).isDirectory()) fail(`not a directory: ${positional[0]}`);

  ensureInstalled();
  guardNetwork();
  const V = await importFromWork('@monokle/validation');
  const P = await importFromWork('@monokle/parser');

  // Read files up front (I/O is not part of the measured time). Paths are relative to DIR with a
  // leading slash, as Monokle's own tools present them; the parser skips Helm templates and values
  // files by path, as Monokle does.
  const paths = yamlFiles(root);
  const files = paths.map(p => {
    const rel = '/' + relative(root, p).split(sep).join('/');
    return { id: rel, path: rel, content: readFileSync(p, 'utf8') };
  });

  const parser = new V.ResourceParser();
  const validator = new V.MonokleValidator({
    loader: new V.DefaultPluginLoader(), // built-in plugins only; no CDN fallback
    parser,
    schemaLoader: new V.SchemaLoader(), // unused: kubernetes-schema is not loaded
    suppressors: [new V.AnnotationSuppressor(), new V.FingerprintSuppressor()],
    fixer: new V.DisabledFixer(),
  });
  await validator.preload({ plugins: Object.fromEntries(PLUGINS.map(p => [p, true])) });
  const failed = validator.getFailedPlugins();
  if (failed.length) fail(`plugins failed to load: ${failed.join(', ')}`);
  const loaded = validator.getPlugins().filter(p => p.enabled).map(p => p.metadata.name);
  const notLoaded = PLUGINS.filter(p => !loaded.includes(p));
  if (notLoaded.length) fail(`plugins not enabled: ${notLoaded.join(', ')}`);

  const t0 = performance.now();
  const resources = P.extractK8sResources(files).filter(r => !isEmptyDocument(r));
  const t1 = performance.now();
  V.processRefs(resources, parser, undefined, files.map(f => f.path));
  const t2 = performance.now();
  const response = await validator.validate({ resources });
  const t3 = performance.now();

  if (networkAttempts.length) fail(`network access attempted: ${networkAttempts[0]}`);
  const results = response.runs.flatMap(run => run.results ?? []);
  const problems = results.filter(r => !V.isSuppressed(r)).length;

  if (verbose) {
    const s = ms => (ms / 1000).toFixed(3);
    process.stderr.write(
      `peer-monokle: extract ${s(t1 - t0)} s, processRefs ${s(t2 - t1)} s, validate ${s(t3 - t2)} s; ` +
        `${results.length - problems} suppressed; plugins ${loaded.join(',')}\n`,
    );
  }
  process.stdout.write(
    JSON.stringify({
      files: files.length,
      resources: resources.length,
      problems,
      seconds: Math.round((t3 - t0) / 10) / 100,
    }) + '\n',
  );
}

main().then(
  () => process.exit(0),
  err => {
    const msg = err instanceof Failure ? err.message : `${err?.message ?? err}`;
    process.stderr.write(`peer-monokle: ${msg.split('\n')[0]}\n`);
    process.exit(3);
  },
);

// kube-preflight's command line. Exit status: 0 clean, 1 findings over the threshold, 2 the run
// failed. `kube-preflight` (src/cli.ts) loads this module and calls runCommandLine(); tests import it.

import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UsageError } from './errors.js';
import { importPackage } from './import-package.js';
import { makeDirs, projectPath } from './paths.js';
import { formatTiming, timingLimit } from './timing.js';
import { FORMATS, type FormatName } from './formatters/index.js';
import type { FactKey } from './facts.js';
import type { LintResult, SeveritySetting } from './types.js';

export interface CliIO {
  cwd: string;
  argv: string[];
  env: Record<string, string | undefined>;
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  readStdin: () => string;
  isTTY: boolean;
}

const FACT_FLAGS: Array<[string, FactKey, string]> = [
  ['kube-version', 'kubernetesVersion', 'target Kubernetes version, e.g. 1.30'],
  ['linkerd-version', 'linkerd.controlPlaneVersion', 'Linkerd control-plane version, e.g. stable-2.14.10, edge-24.10.1'],
  ['linkerd-cli-version', 'linkerd.cliVersion', 'Linkerd CLI version'],
  ['telepresence-version', 'telepresence.version', 'Telepresence version, e.g. 2.21.3'],
  ['spegel-version', 'spegel.version', 'Spegel version, e.g. v0.0.30'],
  ['node-port-range', 'nodePortRange', 'the API server --service-node-port-range, e.g. 30000-32767'],
];

const STDIN_SENTINEL = '\u0000stdin';

export function toolVersion(): string {
  try {
    return (JSON.parse(readFileSync(projectPath('package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

export async function main(io: CliIO): Promise<number> {
  try {
    let exit = 0;
    // The everyday command line (paths and the usual flags) is read without loading yargs, which
    // costs more than the rest of a one-file check; anything else (help, an unknown or repeated
    // flag, a bad value) goes to yargs for its exact behaviour and messages.
    const fast = fastCheckArgs(io.argv);
    if (fast) return await check(io, fast);
    const parser = await buildParser(io.argv, {
      check: async (a) => {
        exit = await check(io, a);
      },
      rules: async (a) => {
        const { rulesCommand } = await import('./docs.js');
        exit = await rulesCommand(io, a);
      },
      lsp: async () => {
        // Imported only here: checking manifests never loads the language server.
        const { startServer } = await import('./lsp.js');
        await startServer();
      },
    });
    await parser.parseAsync();
    return exit;
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`kube-preflight: ${e.message}\n`);
      return 2;
    }
    const err = e as Error;
    io.stderr(`kube-preflight: internal error: ${(err?.message ?? String(e)).split('\n')[0]}\n`);
    return 2;
  }
}

interface Commands {
  check(a: CheckArgs): Promise<void>;
  rules(a: { id?: string; format: 'text' | 'json' | 'markdown'; writeDocs?: string }): Promise<void>;
  lsp(): Promise<void>;
}

async function buildParser(args: string[], commands: Commands) {
  const { default: yargs } = await importPackage<typeof import('yargs')>('yargs');
  // yargs drops a lone '-' (stdin); carry it through as a sentinel.
  const argv = args.map((x) => (x === '-' ? STDIN_SENTINEL : x));
  return yargs(argv)
    .scriptName('kube-preflight')
    .usage('$0 [check] [PATH...]\n\nLint Kubernetes manifests for what breaks Telepresence, Linkerd, Spegel and the scheduler.')
    .command(
      ['check [paths..]', '$0 [paths..]'],
      'check manifests (files, directories, - for stdin)',
      (y) =>
        y
          .positional('paths', { type: 'string', array: true, describe: 'files, directories, or - for stdin (default: .)' })
          .option('format', {
            alias: 'f',
            choices: FORMATS,
            default: 'stylish' as FormatName,
            describe: 'output format',
            // Given twice (a hook's entry, then the user's args), the last one wins.
            coerce: (v: FormatName | FormatName[]) => (Array.isArray(v) ? v[v.length - 1]! : v),
          })
          .option('output-file', { alias: 'o', type: 'string', describe: 'write the report to a file' })
          .option('config', { alias: 'c', type: 'string', describe: 'config file (default: .kube-preflight.yaml looked up from the current directory)' })
          .option('context', { type: 'string', array: true, describe: 'manifests loaded for cross-resource rules only (repeatable)' })
          .option('rule', { type: 'string', array: true, describe: 'override a severity: ID=off|info|warning|error (repeatable)' })
          .option('stdin-filename', { type: 'string', describe: 'name for stdin in findings' })
          .option('filter-files', {
            type: 'boolean',
            default: false,
            describe: 'treat named files like files found in a directory: skip ignorePatterns, only syntax-check non-manifests (for hooks)',
          })
          .option('max-warnings', { type: 'number', describe: 'exit 1 when there are more warnings than this' })
          .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'report errors only' })
          .option('color', { type: 'boolean', describe: 'force color on or off (default: on for a TTY unless NO_COLOR is set)' })
          .option('fix', { type: 'boolean', default: false, describe: 'apply safe fixes in place' })
          .option('fix-dry-run', { type: 'boolean', default: false, describe: 'print the fixes as a unified diff; write nothing' })
          .option('report-unused-suppressions', { type: 'boolean', default: false, describe: 'report suppressions that matched nothing' })
          .options(Object.fromEntries(FACT_FLAGS.map(([flag, , describe]) => [flag, { type: 'string' as const, describe, group: 'Cluster facts:' }]))),
      (a) => commands.check(a as unknown as CheckArgs),
    )
    .command(
      'rules [id]',
      'list the rules, or show one',
      (y) =>
        y
          .positional('id', { type: 'string' })
          .option('format', { alias: 'f', choices: ['text', 'json', 'markdown'] as const, default: 'text' as const })
          .option('write-docs', { type: 'string', describe: 'write docs/rules/<id>.md for every rule into this directory', hidden: true }),
      (a) => commands.rules(a as unknown as { id?: string; format: 'text' | 'json' | 'markdown'; writeDocs?: string }),
    )
    .command(
      'lsp',
      'run the Language Server (LSP over stdio) for editors',
      (y) =>
        y
          .option('stdio', { type: 'boolean', default: true, describe: 'talk LSP over stdin/stdout (the only transport)' })
          .option('clientProcessId', { type: 'number', hidden: true, describe: 'passed by some clients; the server also exits when the client process does' }),
      () => commands.lsp(),
    )
    // A repeatable flag takes one value per occurrence: `--context . a.yaml` checks a.yaml
    // (pre-commit appends the staged files after the hook's args).
    .parserConfiguration({ 'greedy-arrays': false })
    .strictOptions()
    .strictCommands()
    .version(toolVersion())
    .help()
    .alias('h', 'help')
    .wrap(Math.min(100, process.stdout.columns || 100))
    .exitProcess(false)
    .fail((msg, err) => {
      throw err ?? new UsageError(msg.replace(/\s*\n\s*/g, ' ').trim());
    });
}

/** The check arguments exactly as yargs reads them (tests compare the fast reading with it). */
export async function yargsCheckArgs(argv: string[]): Promise<CheckArgs | null> {
  let got: CheckArgs | null = null;
  const none = async () => {};
  const parser = await buildParser(argv, { check: async (a) => void (got = a), rules: none, lsp: none });
  await parser.parseAsync();
  return got;
}

const FAST_STRING: Record<string, string> = {
  '--format': 'format', '-f': 'format', '--output-file': 'outputFile', '-o': 'outputFile', '--config': 'config', '-c': 'config',
  '--stdin-filename': 'stdinFilename', '--max-warnings': 'maxWarnings',
};
const FAST_REPEATED: Record<string, 'context' | 'rule'> = { '--context': 'context', '--rule': 'rule' };
const FAST_BOOLEAN: Record<string, string> = {
  '--quiet': 'quiet', '-q': 'quiet', '--color': 'color', '--fix': 'fix', '--fix-dry-run': 'fixDryRun',
  '--report-unused-suppressions': 'reportUnusedSuppressions', '--filter-files': 'filterFiles',
};
const FACT_FLAG_NAMES = new Set(FACT_FLAGS.map(([flag]) => `--${flag}`));

/**
 * The check command's arguments for the everyday command line, read as yargs reads them; null for
 * anything else (yargs then handles it). Conservative: a repeated single-value flag, a value that
 * looks like a flag, `--no-*`, `--x=y` on a boolean, `--`, combined short flags all go to yargs.
 */
export function fastCheckArgs(argv: string[]): CheckArgs | null {
  const a: CheckArgs = { format: 'stylish', quiet: false, fix: false, fixDryRun: false, reportUnusedSuppressions: false, filterFiles: false };
  const paths: string[] = [];
  const given = new Set<string>();
  let command = false;
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i]!;
    let inline: string | undefined;
    if (arg.startsWith('--') && arg.includes('=')) {
      inline = arg.slice(arg.indexOf('=') + 1);
      arg = arg.slice(0, arg.indexOf('='));
    }
    if (arg === '-' || !arg.startsWith('-')) {
      if (inline !== undefined) return null;
      // A first word that names a command (or asks for help) is yargs' business.
      if (i === 0 && arg === 'check') {
        command = true;
        continue;
      }
      if (paths.length === 0 && (arg === 'rules' || arg === 'lsp' || arg === 'help')) return null;
      paths.push(arg === '-' ? STDIN_SENTINEL : arg);
      continue;
    }
    const value = (): string | null => {
      if (inline !== undefined) return inline === '' ? null : inline;
      const v = argv[i + 1];
      if (v === undefined || v.startsWith('-')) return null;
      i++;
      return v;
    };
    if (arg in FAST_BOOLEAN) {
      const next = argv[i + 1];
      if (inline !== undefined || given.has(arg) || next === 'true' || next === 'false') return null;
      given.add(arg);
      (a as Record<string, unknown>)[FAST_BOOLEAN[arg]!] = true;
    } else if (arg in FAST_REPEATED) {
      const v = value();
      if (v === null) return null;
      ((a[FAST_REPEATED[arg]!] as string[] | undefined) ??= []).push(v);
    } else if (arg in FAST_STRING) {
      const key = FAST_STRING[arg]!;
      const v = value();
      if (v === null) return null;
      if (key === 'format') {
        if (!(FORMATS as readonly string[]).includes(v)) return null;
        a.format = v as FormatName; // given twice, the last one wins (as with yargs)
      } else if (key === 'maxWarnings') {
        if (given.has(key) || !/^\d+$/.test(v)) return null;
        a.maxWarnings = Number(v);
      } else {
        if (given.has(key)) return null;
        (a as Record<string, unknown>)[key] = v;
      }
      given.add(key);
    } else if (FACT_FLAG_NAMES.has(arg)) {
      const v = value();
      if (v === null || given.has(arg)) return null;
      given.add(arg);
      a[arg.slice(2)] = v;
    } else {
      return null;
    }
  }
  if (paths.length > 0 || command) a.paths = paths; // yargs gives `check` alone an empty list
  return a;
}

interface CheckArgs {
  paths?: string[];
  format: FormatName;
  outputFile?: string;
  config?: string;
  context?: string[];
  rule?: string[];
  stdinFilename?: string;
  maxWarnings?: number;
  quiet: boolean;
  color?: boolean;
  fix: boolean;
  fixDryRun: boolean;
  reportUnusedSuppressions: boolean;
  filterFiles: boolean;
  [flag: string]: unknown;
}

async function check(io: CliIO, a: CheckArgs): Promise<number> {
  const { run } = await import('./run.js');
  const ruleOverrides: Record<string, SeveritySetting> = {};
  for (const r of a.rule ?? []) {
    const m = /^([a-z0-9-]+)=(off|info|warning|error)$/.exec(r);
    if (!m) throw new UsageError(`--rule ${r}: expected ID=off|info|warning|error`);
    ruleOverrides[m[1]!] = m[2] as SeveritySetting;
  }
  if (a.maxWarnings !== undefined && (!Number.isInteger(a.maxWarnings) || a.maxWarnings < 0)) {
    throw new UsageError('--max-warnings takes a whole number >= 0');
  }
  if (a.fix && a.fixDryRun) throw new UsageError('--fix and --fix-dry-run do not go together');
  const facts: Partial<Record<FactKey, string>> = {};
  for (const [flag, key] of FACT_FLAGS) {
    const v = a[flag];
    if (v !== undefined) {
      if (Array.isArray(v)) throw new UsageError(`--${flag} given more than once`);
      facts[key] = String(v);
    }
  }
  const paths = a.paths && a.paths.length > 0 ? a.paths.map((p) => (String(p) === STDIN_SENTINEL ? '-' : String(p))) : ['.'];
  if (a.fix && paths.includes('-')) throw new UsageError('--fix cannot write back to stdin: use --fix-dry-run');
  // A pure preflight: only cluster facts given on the command line, no manifests.
  const factsOnly = (!a.paths || a.paths.length === 0) && Object.keys(facts).length > 0 && !(a.context?.length);
  const timing = timingLimit(io.env['KUBE_PREFLIGHT_TIMING']);
  const outcome = await run({
    timing: timing !== undefined,
    cwd: io.cwd,
    paths: factsOnly ? [] : paths,
    context: a.context,
    configFile: a.config,
    ruleOverrides,
    facts,
    stdinFilename: a.stdinFilename,
    readStdin: io.readStdin,
    reportUnusedSuppressions: a.reportUnusedSuppressions,
    filterFiles: a.filterFiles,
    fix: a.fix ? 'write' : a.fixDryRun ? 'dry-run' : undefined,
  });
  let result: LintResult = outcome.result;
  if (a.quiet) {
    const findings = result.findings.filter((f) => f.severity === 'error');
    result = { findings, summary: { ...result.summary, warnings: 0, infos: 0, fixable: findings.filter((f) => f.fixable && !f.suppressed).length } };
  }
  let reportMs: number | undefined;
  if (a.fixDryRun) {
    const { unifiedDiff } = await import('./fix.js');
    const diff = outcome.fixed.map((f) => unifiedDiff(f.file.display, f.before, f.after)).join('');
    if (diff) io.stdout(diff);
    else io.stderr('kube-preflight: no fixes to apply\n');
  } else {
    const { writeReport } = await import('./formatters/index.js');
    const reportStart = performance.now();
    const color = a.outputFile ? false : (a.color ?? (io.isTTY && !io.env['NO_COLOR']));
    const ctx = { rules: outcome.rules.map((r) => r.meta), color, toolVersion: toolVersion(), cwd: io.cwd };
    if (a.outputFile) {
      // Written piece by piece: a large run's JSON report is never held whole.
      let fd: number | undefined;
      try {
        const target = resolve(io.cwd, a.outputFile);
        makeDirs(dirname(target));
        fd = openSync(target, 'w');
        const out = fd;
        await writeReport(a.format, result, ctx, (chunk) => void writeSync(out, chunk));
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (!code) throw e;
        throw new UsageError(`cannot write ${a.outputFile}: ${code}`);
      } finally {
        if (fd !== undefined) closeSync(fd);
      }
    } else {
      await writeReport(a.format, result, ctx, io.stdout);
    }
    reportMs = performance.now() - reportStart;
    if (a.fix && outcome.fixed.length > 0) io.stderr(`kube-preflight: fixed ${outcome.fixed.length} file${outcome.fixed.length === 1 ? '' : 's'}\n`);
  }
  if (timing !== undefined && outcome.result.timing) io.stderr(formatTiming(outcome.result.timing, reportMs, timing));
  const s = result.summary;
  if (s.errors > 0) return 1;
  if (a.maxWarnings !== undefined && s.warnings > a.maxWarnings) return 1;
  return 0;
}

/** Run the command line on this process's arguments and streams; exits when done. */
export function runCommandLine(): void {
  // Output goes out as it is made: a large run's report (tens of MB) is never held whole. Writes to
  // files, pipes and terminals are synchronous on Linux; where Node queues them, the exit waits for
  // the queue. A reader that goes away (`| head`) ends the output, not the run: no EPIPE trace.
  let closed = false;
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED') closed = true;
    else {
      process.stderr.write(`kube-preflight: cannot write the output: ${e.code ?? e.message}\n`);
      process.exit(2);
    }
  });
  const exit = (code: number) => {
    if (closed || process.stdout.writableLength === 0) process.exit(code);
    else process.stdout.write('', () => process.exit(code));
  };
  main({
    cwd: process.cwd(),
    argv: process.argv.slice(2),
    env: process.env,
    stdout: (s) => void (closed || process.stdout.write(s)),
    stderr: (s) => process.stderr.write(s),
    readStdin: () => readFileSync(0, 'utf8'),
    isTTY: Boolean(process.stdout.isTTY),
  }).then(exit, (e: unknown) => {
    process.stderr.write(`kube-preflight: internal error: ${String((e as Error)?.message ?? e).split('\n')[0]}\n`);
    process.exit(2);
  });
}

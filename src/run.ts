// One check run as the CLI and the language server need it: config, rules, facts, files,
// the engine, and --fix passes.

import { resolve } from 'node:path';
import { loadConfig, type LoadedConfig } from './config.js';
import { UsageError } from './errors.js';
import { runEngine, type EngineFinding, type EngineOptions, type EngineResult, type EnabledRule } from './engine.js';
import { parsePortRange, type FactKey } from './facts.js';
import { discover, type InputFile } from './loader.js';
import { loadRules, resolveOptions, ruleIds } from './registry.js';
import type { ConfigIgnore } from './suppress.js';
import type { Edit, Rule, SeveritySetting } from './types.js';

export interface RunOptions {
  cwd: string;
  paths: string[];
  context?: string[];
  configFile?: string;
  /** A config already loaded (the language server keeps one per workspace). */
  config?: LoadedConfig;
  /** --rule ID=SEVERITY */
  ruleOverrides?: Record<string, SeveritySetting>;
  facts?: Partial<Record<FactKey, string>>;
  stdinFilename?: string;
  readStdin?: () => string;
  /** Texts that replace what is on disk (editor buffers), keyed by absolute path. */
  overrides?: Map<string, string>;
  reportUnusedSuppressions?: boolean;
  fix?: 'write' | 'dry-run';
  strict?: boolean;
  /** Use only the precise YAML parse (tests compare it with the fast one). */
  precise?: boolean;
  /** Build fixes' text edits even without --fix (the language server offers them as quick fixes). */
  evaluateFixes?: boolean;
  /** Measure where the time goes (EngineOptions.timing). */
  timing?: boolean;
  /** Files given directly instead of discovered (the language server). */
  files?: InputFile[];
  /** --filter-files: named files are treated like walked ones (see DiscoverOptions.filterNamed). */
  filterFiles?: boolean;
  /** Parses kept across runs (see EngineOptions.parsed; the language server). */
  parsed?: EngineOptions['parsed'];
}

export interface FixedFile {
  file: InputFile;
  before: string;
  after: string;
}

export interface RunOutcome {
  result: EngineResult;
  rules: Rule[];
  config: LoadedConfig;
  fixed: FixedFile[];
}

const MAX_FIX_PASSES = 10;

export async function run(opts: RunOptions): Promise<RunOutcome> {
  const config = opts.config ?? (await loadConfig({ explicit: opts.configFile, cwd: opts.cwd, ruleIds }));
  const cfg = config.config;
  const ids = ruleIds();
  const overrides = opts.ruleOverrides ?? {};
  for (const id of Object.keys(overrides)) if (!ids.includes(id)) throw new UsageError(`--rule: unknown rule "${id}"`);

  const all = await loadRules(ids);
  const enabled: EnabledRule[] = [];
  let unusedSeverity: SeveritySetting = 'warning';
  for (const rule of all) {
    const id = rule.meta.id;
    const setting = cfg.rules?.[id];
    const fromConfig = typeof setting === 'string' ? setting : setting?.severity;
    const severity = overrides[id] ?? fromConfig;
    if (id === 'unused-suppression') {
      unusedSeverity = severity ?? rule.meta.severity;
      continue;
    }
    if (severity === 'off') continue;
    const options = await resolveOptions(rule, typeof setting === 'object' ? setting.options : undefined);
    enabled.push({ rule, severity, options });
  }

  const facts = { ...(opts.facts ?? {}) };
  const configFacts: Partial<Record<FactKey, string>> = {};
  if (cfg.kubernetesVersion) configFacts.kubernetesVersion = cfg.kubernetesVersion;
  if (cfg.linkerd?.controlPlaneVersion) configFacts['linkerd.controlPlaneVersion'] = cfg.linkerd.controlPlaneVersion;
  if (cfg.linkerd?.cliVersion) configFacts['linkerd.cliVersion'] = cfg.linkerd.cliVersion;
  if (cfg.telepresence?.version) configFacts['telepresence.version'] = cfg.telepresence.version;
  if (cfg.spegel?.version) configFacts['spegel.version'] = cfg.spegel.version;
  if (cfg.nodePortRange) configFacts.nodePortRange = cfg.nodePortRange;
  if (facts.nodePortRange !== undefined && !parsePortRange(facts.nodePortRange)) {
    throw new UsageError(`--node-port-range: "${facts.nodePortRange}" is not a range like 30000-32767`);
  }
  if (configFacts.nodePortRange !== undefined && !parsePortRange(configFacts.nodePortRange)) {
    throw new UsageError(`invalid config ${config.file}: nodePortRange: "${configFacts.nodePortRange}" is not a range like 30000-32767`);
  }
  if (facts.kubernetesVersion !== undefined && !/^v?1\.\d{1,2}(\.\d+)?$/.test(facts.kubernetesVersion)) {
    throw new UsageError(`--kube-version: "${facts.kubernetesVersion}" is not a Kubernetes version like 1.30`);
  }

  let files =
    opts.files ??
    discover({
      cwd: opts.cwd,
      paths: opts.paths,
      context: [...(opts.context ?? []), ...(cfg.context ?? []).map((c) => resolve(config.dir, c))],
      ignorePatterns: cfg.ignorePatterns ?? [],
      ignoreBase: config.dir,
      stdinFilename: opts.stdinFilename,
      readStdin: opts.readStdin,
      filterNamed: opts.filterFiles,
    });
  if (opts.overrides) {
    files = files.map((f) => (opts.overrides!.has(f.path) ? { ...f, text: opts.overrides!.get(f.path)! } : f));
  }

  const lint = (inputs: InputFile[]) =>
    runEngine({
      cwd: opts.cwd,
      files: inputs,
      rules: enabled,
      facts: { flags: facts, config: configFacts, reservedHostPorts: cfg.reservedHostPorts },
      ignores: (cfg.ignores ?? []).map((ig, i): ConfigIgnore => ({ ...ig, used: false, where: config.ignoreLocations[i] })),
      configDir: config.dir,
      reportUnusedSuppressions: opts.reportUnusedSuppressions && unusedSeverity !== 'off',
      unusedSeverity: unusedSeverity === 'off' ? 'warning' : unusedSeverity,
      strict: opts.strict,
      precise: opts.precise,
      parsed: opts.parsed,
      evaluateFixes: Boolean(opts.fix) || opts.evaluateFixes,
      timing: opts.timing,
    });

  let result = await lint(files);
  const fixed: FixedFile[] = [];
  if (opts.fix) {
    const { applySafely, writeAtomic } = await import('./fix.js'); // only --fix and editors' fixes need it
    const original = new Map<number, string>();
    const bom = result.files.map((f) => f.bom ?? false);
    let current = files;
    for (let pass = 0; pass < MAX_FIX_PASSES; pass++) {
      const byFile = new Map<number, Edit[]>();
      for (const f of result.findings as EngineFinding[]) {
        if (f.suppressed || !f.edits || f.fileIndex === undefined) continue;
        let list = byFile.get(f.fileIndex);
        if (!list) byFile.set(f.fileIndex, (list = []));
        list.push(...f.edits);
      }
      let changed = false;
      const next = current.slice();
      for (const [i, edits] of byFile) {
        const text = result.files[i]!.text!;
        const out = applySafely(text, edits);
        if (out.applied === 0 || out.text === text) continue;
        if (!original.has(i)) original.set(i, text);
        next[i] = { ...next[i]!, text: out.text };
        changed = true;
      }
      if (!changed) break;
      current = next;
      result = await lint(current);
    }
    for (const [i, before] of original) {
      const after = result.files[i]!.text!;
      if (after === before) continue;
      const f = files[i]!;
      fixed.push({ file: f, before, after });
      if (opts.fix === 'write' && f.path !== '-') writeAtomic(f.path, (bom[i] ? '\uFEFF' : '') + after);
    }
  }
  return { result, rules: all, config, fixed };
}

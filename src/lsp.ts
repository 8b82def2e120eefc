// `kube-preflight lsp`: a Language Server over stdio. It publishes the findings of open YAML
// documents as diagnostics (rule id as code, a link to the rule's page), offers rule fixes as
// quick fixes, reads the workspace's .kube-preflight.yaml, and loads the workspace's other
// manifests (on disk, or the open buffer when there is one) as context for cross-resource rules.

import { statSync } from 'node:fs';
import { basename, dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { minimatch } from 'minimatch';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  CodeActionKind,
  DiagnosticSeverity,
  DidChangeWatchedFilesNotification,
  FileChangeType,
  ProposedFeatures,
  TextDocumentSyncKind,
  TextDocuments,
  createConnection,
  type CodeAction,
  type Connection,
  type Diagnostic,
  type InitializeParams,
  type TextEdit,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { CONFIG_NAMES, findConfig, loadConfig, type LoadedConfig } from './config.js';
import type { EngineFinding } from './engine.js';
import { displayPath } from './errors.js';
import { docsUrl } from './formatters/index.js';
import { discover, readInput, type InputFile } from './loader.js';
import { ruleIds } from './registry.js';
import { run } from './run.js';
import type { Edit, Severity } from './types.js';
import type { SourceFile } from './yaml-source.js';

/** Wait this long after the last keystroke before linting again. */
export const DEBOUNCE_MS = 20;
/** Without file watching from the client, look at the disk again at most this often. */
const RESCAN_MS = 10_000;
const MANIFEST = /\.(ya?ml|json)$/i;

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
};

/** One workspace folder: its config and the texts of its manifests on disk. */
interface Workspace {
  dir: string;
  /** Walk the folder for context; false for the directory of a file outside every folder. */
  walk: boolean;
  config?: LoadedConfig;
  /** Config file, modification time and size: reloaded when this changes. */
  configKey?: string;
  configError?: string;
  /** Manifests on disk (absolute path -> file with its text), from discover(). */
  disk?: Map<string, DiskFile>;
  /** A manifest was created or deleted: walk again. */
  dirty?: boolean;
  scannedAt: number;
  /** Parses kept across lints (by path, checked against the text): context is not re-parsed per keystroke. */
  parsed: Map<string, SourceFile>;
}

/** What the last lint of a document found, for code actions. */
interface Linted {
  version: number;
  text: string;
  findings: EngineFinding[];
}

export interface ServerOptions {
  connection?: Connection;
}

/** Start the server; resolves when the client closes the connection. */
export function startServer(opts: ServerOptions = {}): Promise<void> {
  const connection = opts.connection ?? createConnection(ProposedFeatures.all, process.stdin, process.stdout);
  const documents = new TextDocuments(TextDocument);
  const folders: string[] = [];
  const workspaces = new Map<string, Workspace>();
  const timers = new Map<string, NodeJS.Timeout>();
  const linted = new Map<string, Linted>();
  const reported = new Set<string>();
  let watching = false;

  const log = (s: string) => connection.console.log(`kube-preflight: ${s}`);
  const warnOnce = (s: string) => {
    if (reported.has(s)) return;
    reported.add(s);
    void connection.window.showWarningMessage(`kube-preflight: ${s}`);
  };

  connection.onInitialize((params: InitializeParams) => {
    const uris = params.workspaceFolders?.map((f) => f.uri) ?? (params.rootUri ? [params.rootUri] : []);
    for (const u of uris) {
      const p = uriToPath(u);
      if (p) folders.push(p);
    }
    if (folders.length === 0 && params.rootPath) folders.push(resolve(params.rootPath));
    folders.sort((a, b) => b.length - a.length); // innermost first
    watching = Boolean(params.capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration);
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, CodeActionKind.SourceFixAll] },
      },
      serverInfo: { name: 'kube-preflight' },
    };
  });

  connection.onInitialized(() => {
    if (!watching) return;
    connection.client
      .register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: '**/*.{yaml,yml,json}' }] })
      .catch((e: Error) => {
        watching = false; // fall back to re-scanning on save
        log(`cannot watch files: ${e.message}`);
      });
  });

  // ---- workspaces ----------------------------------------------------------------------------
  function workspaceOf(file: string): Workspace {
    const folder = folders.find((f) => file === f || file.startsWith(f.endsWith(sep) ? f : f + sep));
    const dir = folder ?? dirname(file);
    let ws = workspaces.get(dir);
    if (!ws) workspaces.set(dir, (ws = { dir, walk: folder !== undefined, scannedAt: 0, parsed: new Map() }));
    return ws;
  }

  /** (Re)load the config when its file appeared, changed or went away: a few stat calls. */
  async function ensureConfig(ws: Workspace): Promise<LoadedConfig> {
    const file = findConfig(ws.dir);
    let key = 'none';
    if (file) {
      try {
        const st = statSync(file);
        key = `${file}:${st.mtimeMs}:${st.size}`;
      } catch {
        key = `${file}:missing`;
      }
    }
    if (ws.config && key === ws.configKey) return ws.config;
    ws.configKey = key;
    ws.disk = undefined; // ignorePatterns and context may have changed
    try {
      ws.config = await loadConfig({ cwd: ws.dir, ruleIds });
      ws.configError = undefined;
    } catch (e) {
      // An invalid config: say so once, lint with the defaults meanwhile.
      ws.configError = (e as Error).message;
      warnOnce(`${ws.configError} (linting with the default settings until it is fixed)`);
      ws.config = { config: {}, file: null, dir: ws.dir, ignoreLocations: [] };
    }
    return ws.config;
  }

  /** The folder's manifests on disk, walked once and kept; texts re-read only when they changed. */
  function ensureDisk(ws: Workspace, config: LoadedConfig): Map<string, DiskFile> {
    const stale = !ws.disk || ws.dirty || (!watching && Date.now() - ws.scannedAt > RESCAN_MS);
    if (!stale) return ws.disk!;
    const before = ws.disk ?? new Map<string, DiskFile>();
    const cfg = config.config;
    const context = (cfg.context ?? []).map((c) => resolve(config.dir, c));
    const walk = (withContext: string[]) =>
      discover({ cwd: ws.dir, paths: ws.walk ? [ws.dir] : [], context: withContext, ignorePatterns: cfg.ignorePatterns ?? [], ignoreBase: config.dir });
    let found: InputFile[];
    try {
      found = walk(context);
    } catch (e) {
      if (context.length > 0) warnOnce(`context of ${config.file ?? 'the config'}: ${(e as Error).message}`);
      try {
        found = walk([]);
      } catch {
        found = []; // a folder without manifests
      }
    }
    const next = new Map<string, DiskFile>();
    for (const f of found) {
      const stamp = stampOf(f.path);
      if (!stamp) continue;
      const prev = before.get(f.path);
      if (prev && prev.stamp === stamp) {
        next.set(f.path, prev);
        continue;
      }
      const read = readInput(f);
      if ('problem' in read) continue;
      next.set(f.path, { path: f.path, display: f.display, context: true, text: read.text, stamp });
    }
    ws.disk = next;
    ws.dirty = false;
    const open = new Set(documents.all().map((d) => uriToPath(d.uri)));
    for (const p of ws.parsed.keys()) if (!next.has(p) && !open.has(p)) ws.parsed.delete(p);
    ws.scannedAt = Date.now();
    return next;
  }

  // ---- linting -------------------------------------------------------------------------------
  async function lint(doc: TextDocument): Promise<Linted | null> {
    const file = uriToPath(doc.uri);
    if (!file || !isManifestDocument(doc)) return null;
    const ws = workspaceOf(file);
    const config = await ensureConfig(ws);
    const cfg = config.config;
    // Files the config's ignorePatterns skip get no diagnostics, like a directory walk.
    if (ignoredBy(cfg.ignorePatterns ?? [], config.dir, file)) return { version: doc.version, text: doc.getText(), findings: [] };
    const disk = ensureDisk(ws, config);
    const text = doc.getText();
    const target: InputFile = { path: file, display: displayPath(file, ws.dir), context: false, text, walked: true };
    const inputs = [target, ...contextOf(ws, file, disk)];
    const outcome = await run({ cwd: ws.dir, paths: [], files: inputs, config, parsed: ws.parsed, evaluateFixes: true });
    const findings = (outcome.result.findings as EngineFinding[]).filter((f) => f.fileIndex === 0 && !f.suppressed && f.line !== null);
    return { version: doc.version, text, findings };
  }

  async function lintAndPublish(uri: string): Promise<void> {
    const doc = documents.get(uri);
    if (!doc) return;
    let result: Linted | null;
    try {
      result = await lint(doc);
    } catch (e) {
      log(`lint of ${uri} failed: ${(e as Error).message}`);
      return;
    }
    if (!result) return;
    // A newer version was linted meanwhile, or the document was closed: drop this result.
    const now = documents.get(uri);
    if (!now || now.version !== result.version) return;
    linted.set(uri, result);
    const ws = workspaceOf(uriToPath(uri)!);
    await connection.sendDiagnostics({ uri, version: result.version, diagnostics: result.findings.map((f) => toDiagnostic(f, result.text, ws.dir)) });
  }

  function schedule(uri: string, delay: number): void {
    const t = timers.get(uri);
    if (t) clearTimeout(t);
    timers.set(
      uri,
      setTimeout(() => {
        timers.delete(uri);
        void lintAndPublish(uri);
      }, delay),
    );
  }

  /** Context changed (another file, the config): lint every open document again, soon. */
  function relintAll(except?: string): void {
    for (const d of documents.all()) if (d.uri !== except) schedule(d.uri, DEBOUNCE_MS * 5);
  }

  documents.onDidOpen((e) => {
    schedule(e.document.uri, 0);
    relintAll(e.document.uri); // its buffer replaces its disk text in the others' context
  });
  documents.onDidChangeContent((e) => {
    if (e.document.version === 0) return; // the open itself
    linted.delete(e.document.uri);
    schedule(e.document.uri, DEBOUNCE_MS);
    relintAll(e.document.uri);
  });
  documents.onDidSave((e) => {
    if (!watching) for (const ws of workspaces.values()) ws.dirty = true;
    schedule(e.document.uri, 0);
  });
  documents.onDidClose((e) => {
    const t = timers.get(e.document.uri);
    if (t) clearTimeout(t);
    timers.delete(e.document.uri);
    linted.delete(e.document.uri);
    void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
    relintAll(e.document.uri); // its disk text is the context again
  });

  connection.onDidChangeWatchedFiles((params) => {
    let touched = false;
    for (const change of params.changes) {
      const p = uriToPath(change.uri);
      if (!p) continue;
      if (CONFIG_NAMES.includes(basename(p))) {
        touched = true; // ensureConfig notices the new modification time
        continue;
      }
      if (!MANIFEST.test(p)) continue;
      for (const ws of workspaces.values()) {
        const entry = ws.disk?.get(p);
        if (change.type === FileChangeType.Changed && entry) {
          const read = readInput({ ...entry, text: undefined });
          if ('problem' in read) ws.disk!.delete(p);
          else entry.text = read.text;
          entry.stamp = stampOf(p) ?? "";
          touched = true;
        } else if (change.type !== FileChangeType.Changed && ws.disk && (!ws.walk ? dirname(p) === ws.dir : inside(ws.dir, p))) {
          ws.dirty = true; // created or deleted: walk again on the next lint
          touched = true;
        }
      }
    }
    if (touched) relintAll();
  });

  // ---- code actions --------------------------------------------------------------------------
  connection.onCodeAction(async (params) => {
    const doc = documents.get(params.textDocument.uri);
    if (!doc) return [];
    let result = linted.get(doc.uri);
    if (!result || result.version !== doc.version) {
      result = (await lint(doc)) ?? undefined;
      if (!result) return [];
      linted.set(doc.uri, result);
    }
    const ws = workspaceOf(uriToPath(doc.uri)!);
    const only = params.context.only;
    const wants = (kind: string) => !only || only.some((k) => kind === k || kind.startsWith(`${k}.`));
    const actions: CodeAction[] = [];
    const fixable = result.findings.filter((f) => f.edits && f.edits.length > 0);
    if (wants(CodeActionKind.QuickFix)) {
      for (const f of fixable) {
        const diagnostic = toDiagnostic(f, result.text, ws.dir);
        if (!overlaps(diagnostic.range, params.range)) continue;
        actions.push({
          title: `Fix this ${f.ruleId} problem`,
          kind: CodeActionKind.QuickFix,
          diagnostics: [diagnostic],
          isPreferred: true,
          edit: { changes: { [doc.uri]: toTextEdits(f.edits!, result.text) } },
        });
      }
    }
    if (fixable.length > 0 && wants(CodeActionKind.SourceFixAll)) {
      const file = uriToPath(doc.uri)!;
      const config = await ensureConfig(ws);
      const fixed = await run({
        cwd: ws.dir,
        paths: [],
        config,
        files: [{ path: file, display: displayPath(file, ws.dir), context: false, text: result.text, walked: true }, ...contextOf(ws, file, ensureDisk(ws, config))],
        fix: 'dry-run',
        parsed: ws.parsed,
      });
      const after = fixed.fixed[0]?.after;
      if (after !== undefined) {
        const bom = result.text.charCodeAt(0) === 0xfeff ? 1 : 0;
        const whole = TextDocument.create(doc.uri, 'yaml', result.version, result.text);
        actions.push({
          title: 'Fix all auto-fixable kube-preflight problems',
          kind: CodeActionKind.SourceFixAll + '.kube-preflight',
          edit: { changes: { [doc.uri]: [{ range: { start: whole.positionAt(bom), end: whole.positionAt(result.text.length) }, newText: after }] } },
        });
      }
    }
    return actions;
  });

  /** Context for linting `except`: open buffers of the folder (their text replaces the disk's), then its files on disk. */
  function contextOf(ws: Workspace, except: string, disk: Map<string, DiskFile>): InputFile[] {
    const out: InputFile[] = [];
    const seen = new Set([except]);
    for (const other of documents.all()) {
      const p = uriToPath(other.uri);
      if (!p || seen.has(p) || !isManifestDocument(other) || workspaceOf(p) !== ws) continue;
      seen.add(p);
      out.push({ path: p, display: displayPath(p, ws.dir), context: true, text: other.getText() });
    }
    for (const f of disk.values()) if (!seen.has(f.path)) out.push(f);
    return out;
  }

  documents.listen(connection);
  return new Promise<void>((done) => {
    connection.onExit(() => done());
    connection.onShutdown(() => {
      for (const t of timers.values()) clearTimeout(t);
      timers.clear();
    });
    connection.listen();
  });
}

interface DiskFile extends InputFile {
  stamp: string;
}

function uriToPath(uri: string): string | null {
  if (!uri.startsWith('file:')) return null;
  try {
    return fileURLToPath(uri);
  } catch {
    return null;
  }
}

function isManifestDocument(doc: TextDocument): boolean {
  return doc.languageId === 'yaml' || MANIFEST.test(doc.uri);
}

/** Would a directory walk skip this file (it or a parent directory matches an ignore pattern)? */
export function ignoredBy(patterns: string[], base: string, file: string): boolean {
  if (patterns.length === 0 || !inside(base, file)) return false;
  const parts = relative(base, file).split(sep);
  const match = (rel: string) => patterns.some((g) => minimatch(rel, g, { dot: true }) || minimatch(rel, `${g.replace(/\/$/, '')}/**`, { dot: true }));
  return parts.some((_, i) => match(parts.slice(0, i + 1).join('/')));
}

function inside(dir: string, file: string): boolean {
  const rel = relative(dir, file);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

function stampOf(file: string): string | null {
  try {
    const st = statSync(file);
    return st.isFile() ? `${st.mtimeMs}:${st.size}` : null;
  } catch {
    return null;
  }
}

/** LSP positions are 0-based lines and UTF-16 columns; findings are 1-based, end exclusive. */
export function toDiagnostic(f: EngineFinding, text: string, cwd: string): Diagnostic {
  const shift = text.charCodeAt(0) === 0xfeff ? 1 : 0; // the engine strips a BOM
  const pos = (line: number, column: number) => ({ line: line - 1, character: column - 1 + (line === 1 ? shift : 0) });
  const d: Diagnostic = {
    range: { start: pos(f.line!, f.column!), end: pos(f.endLine!, f.endColumn!) },
    severity: SEVERITY[f.severity],
    code: f.ruleId,
    codeDescription: { href: docsUrl(f.ruleId) },
    source: 'kube-preflight',
    message: f.message,
  };
  if (f.related.length > 0) {
    d.relatedInformation = f.related.map((r) => ({
      location: {
        uri: pathToFileURL(resolve(cwd, r.file)).href,
        range: { start: { line: r.line - 1, character: r.column - 1 }, end: { line: r.endLine - 1, character: r.endColumn - 1 } },
      },
      message: r.message,
    }));
  }
  return d;
}

/** A finding's edits ([start, end) offsets into the linted text, BOM excluded) as LSP text edits. */
export function toTextEdits(edits: Edit[], text: string): TextEdit[] {
  const shift = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const doc = TextDocument.create('file:///x', 'yaml', 0, text);
  return edits.map((e) => ({ range: { start: doc.positionAt(e.range[0] + shift), end: doc.positionAt(e.range[1] + shift) }, newText: e.text }));
}

function overlaps(a: { start: Pos; end: Pos }, b: { start: Pos; end: Pos }): boolean {
  return !(before(a.end, b.start) || before(b.end, a.start));
}

interface Pos {
  line: number;
  character: number;
}

function before(a: Pos, b: Pos): boolean {
  return a.line < b.line || (a.line === b.line && a.character < b.character);
}

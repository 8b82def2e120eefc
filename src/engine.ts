// The engine: reads each file once, hands plain objects to the rules, resolves the paths rules
// report to exact ranges, applies suppressions, and evaluates fixes into text edits.

import { COLLECTORS } from './collectors.js';
import { Facts, type FactInputs } from './facts.js';
import { readInput, type InputFile } from './loader.js';
import { inputSizes, ParsePool, parseWorkerCount, poolStats, type ParsedInput } from './parse-pool.js';
import { forgetModelCache, helmSource, isObj, metadata, resourcesOf } from './model.js';
import {
  annotationIgnores,
  configIgnoreMatches,
  directiveMatches,
  parseDirectives,
  type AnnotationIgnore,
  type ConfigIgnore,
  type Directive,
} from './suppress.js';
import type {
  DocumentInfo,
  Edit,
  FileRef,
  Finding,
  Fixer,
  RelatedReport,
  RelatedResult,
  Resource,
  Rule,
  RuleContext,
  RuleListener,
  Severity,
  Summary,
  Target,
} from './types.js';
import { captureSkeleton, OwnStrings, RangeList, skeleton, skeletonNodeOf } from './skeleton.js';
import { pointerOf, splitPointer } from './pointer.js';
import { SourceFile, type LineIndex, type Position } from './yaml-source.js';

export interface EnabledRule {
  rule: Rule;
  /** Severity forced by config or --rule; undefined keeps the rule's own choice per finding. */
  severity?: Severity;
  options: Record<string, unknown>;
}

export interface EngineOptions {
  cwd: string;
  files: InputFile[];
  rules: EnabledRule[];
  facts: FactInputs;
  ignores?: ConfigIgnore[];
  /** Directory config `ignores[].files` globs resolve against. */
  configDir?: string;
  reportUnusedSuppressions?: boolean;
  /** Severity of unused-suppression findings. */
  unusedSeverity?: Severity;
  /** Use only the precise YAML parse (tests compare it with the fast one). */
  precise?: boolean;
  /** Build the text edits of fixable findings (--fix, editors). Otherwise findings only say they are fixable. */
  evaluateFixes?: boolean;
  /** Fail (throw) when a rule reports a path that does not resolve, or a fix from a non-fixable rule. Tests set it. */
  strict?: boolean;
  /**
   * Parses to reuse across runs, by file path; an entry is used only when its text is the file's
   * text. The language server keeps one so unchanged context files are not parsed per keystroke.
   */
  parsed?: Map<string, SourceFile>;
  /** Measure where the time goes (EngineResult.timing): KUBE_PREFLIGHT_TIMING on the command line. */
  timing?: boolean;
}

/** A finding plus what the engine needs internally (edits for --fix and editors). */
export interface EngineFinding extends Finding {
  edits?: Edit[];
  fileIndex?: number;
}

export interface FileRecord {
  ref: FileRef;
  input: InputFile;
  /**
   * Text as read: undefined when the file was not text, and, on runs that build no fixes and keep
   * no parses, once the file was read (its findings' positions need only its parse).
   */
  text?: string;
  bom?: boolean;
}

export interface EngineResult {
  findings: EngineFinding[];
  summary: Summary;
  files: FileRecord[];
  /** With EngineOptions.timing. */
  timing?: EngineTiming;
}

/** Where a run's time went, in milliseconds. */
export interface EngineTiming {
  /**
   * Per rule, on the engine's thread: its resource, document and file hooks, and its done(), which
   * includes resolving the positions of what it reports there.
   */
  rules: Map<string, number>;
  /** Per rule, on the parse workers (all of them together): its prepare(), when workers ran it. */
  workers: Map<string, number>;
  /**
   * Wall time: reading every file (parse and the per-file work of every rule), the rules' done(),
   * then resolving what they reported that needed a file read again, sorting and suppressions.
   */
  phases: { read: number; done: number; finish: number };
}

/**
 * Over the process: positions that capture did not record, found by reading the file again (tests
 * check that the port and Service rules' findings need none).
 */
export const engineStats = { uncaptured: new Map<string, number>() };

export class RulePathError extends Error {
  override name = 'RulePathError';
}

type Loc =
  | { kind: 'target'; target: Target }
  | { kind: 'range'; file: FileRef; doc: number | null; range: [number, number] }
  | { kind: 'none' };

interface Pending {
  ruleId: string;
  severity: Severity;
  message: string;
  loc: Loc;
  related: RelatedReport[];
  fix?: (fixer: Fixer) => Edit | Edit[] | null;
  fixable: boolean;
}

interface FileState {
  record: FileRecord;
  directives: Directive[];
  /** Resources of the file with their annotation ignores. */
  ignores: Map<Resource, AnnotationIgnore[]>;
  /** Where each annotation ignore is written, found while the file was read (for unused ones). */
  ignoreAt?: Map<AnnotationIgnore, Omit<RelatedResult, 'message'>>;
}

const UNUSED_SUPPRESSION = 'unused-suppression';

export async function runEngine(opts: EngineOptions): Promise<EngineResult> {
  const timing: EngineTiming | undefined = opts.timing
    ? { rules: new Map(), workers: new Map(), phases: { read: 0, done: 0, finish: 0 } }
    : undefined;
  const started = performance.now();
  /** Null once every rule is done (see below). */
  let facts: Facts | null = new Facts(opts.facts);
  const pending: Pending[] = [];
  /**
   * Set once every file was read. What rules report from then on (the cross-resource findings of
   * done(), tens of thousands on large runs) is resolved at once, from the captured skeleton ranges
   * or a parse still at hand, instead of waiting beside the findings it becomes. A report that needs
   * a file read again (a field the skeleton dropped) waits, and is resolved file by file below.
   */
  let late = false;
  function add(p: Pending): void {
    if (late) {
      try {
        resolved.push(resolveOne(p, cachedOnly));
        return;
      } catch (e) {
        if (e !== NEEDS_SOURCE) throw e;
      }
    }
    pending.push(p);
  }
  /**
   * A parse at hand, or NEEDS_SOURCE: resolveOne() reads nothing before it asks, and changes nothing
   * but its memo of related locations already resolved (relatedResults, whose entries stay right).
   */
  function cachedOnly(i: number): SourceFile {
    const s = srcCache.get(i);
    if (!s) throw NEEDS_SOURCE;
    return s;
  }
  /** Every distinct message reported, once, of the rules that repeat theirs (see MessageTexts). */
  const texts = new Map<string, string>();
  /**
   * Related locations as resolved, by the object a rule reported. A rule that lists the same
   * location under many findings (every claim of a host-port group names the others) can hand over
   * one object each time: it is resolved once, and its findings share the result.
   */
  const relatedResults = new WeakMap<RelatedReport, RelatedResult>();
  /** Copies of the strings that outlive their file (see OwnStrings). */
  const strings = new OwnStrings();
  // Texts are kept past their file only where something reads them later: fixes' edits (and --fix
  // passes) and the language server's kept parses. A file whose parse is not the fast one keeps its
  // text too: positions found after reading parse it again.
  const keepTexts = Boolean(opts.evaluateFixes || opts.parsed);
  const files: FileState[] = [];
  let resourceCount = 0;

  // ---- rules ---------------------------------------------------------------------------------
  interface Active {
    enabled: EnabledRule;
    listener: RuleListener;
  }
  const active: Active[] = [];
  /** The file being read, so sourceText() does not parse it again. */
  let reading: { index: number; src: SourceFile } | null = null;
  /** The resource being handed to the rules, and what the parse workers prepared for it. */
  let current: { r: Resource; prepared: unknown[] | undefined } | null = null;
  /** Resources whose whole objects rules keep past their file (ctx.keep). */
  const kept = new WeakSet<Resource>();
  /** Rules whose prepare() the parse workers run, in the order of their results. */
  const prepare = opts.rules.filter((e) => e.rule.prepare);
  for (const enabled of opts.rules) {
    const { rule } = enabled;
    const id = rule.meta.id;
    const sev = (s?: Severity): Severity => enabled.severity ?? s ?? rule.meta.severity;
    const messages = new MessageTexts(texts);
    const relatedMessages = new MessageTexts(texts);
    const check = (r: { fix?: unknown }) => {
      if (r.fix && !rule.meta.fixable && opts.strict) throw new RulePathError(`rule ${id} returned a fix but its meta.fixable is false`);
    };
    const ctx: RuleContext = {
      id,
      options: enabled.options,
      facts,
      report(r) {
        check(r);
        add({
          ruleId: id,
          severity: sev(r.severity),
          message: messages.one(r.message),
          loc: { kind: 'target', target: { resource: r.resource, path: r.path, on: r.on } },
          related: relatedMessages.all(r.related),
          fix: rule.meta.fixable ? r.fix : undefined,
          fixable: false,
        });
      },
      reportDocument(r) {
        add({ ruleId: id, severity: sev(r.severity), message: messages.one(r.message), loc: { kind: 'range', file: r.file, doc: r.doc, range: r.range }, related: [], fixable: false });
      },
      reportFacts(r) {
        add({ ruleId: id, severity: sev(r.severity), message: messages.one(r.message), loc: { kind: 'none' }, related: relatedMessages.all(r.related), fixable: false });
      },
      sourceText(t) {
        const i = t.resource.file.index;
        const src = reading?.index === i ? reading.src : sourceOf(i);
        return src ? src.sourceText(t.resource.doc, t.resource.base + t.path, t.on ?? 'node') : null;
      },
      keep(r: Resource): void {
        kept.add(r);
      },
      prepared<T>(r: Resource): T {
        if (!rule.prepare) throw new Error(`rule ${id} has no prepare()`);
        if (current?.r === r && current.prepared) {
          poolStats.prepared++;
          return current.prepared[prepare.indexOf(enabled)] as T;
        }
        const fileText = files[r.file.index]?.record.text ?? srcCache.get(r.file.index)?.text ?? '';
        const mayBePlain = (v: string) => (reading?.index === r.file.index ? reading.src.mayBePlain(v) : true);
        const unshared = reading?.index === r.file.index && reading.src.unshared;
        return rule.prepare(r, { sourceText: (path) => ctx.sourceText({ resource: r, path }), fileText, mayBePlain, unshared }, enabled.options) as T;
      },
    };
    const listener = rule.create(ctx);
    active.push({ enabled, listener: timing ? timed(listener, id, timing.rules) : listener });
  }
  const docListeners = active.filter((a) => a.listener.document);
  const fileListeners = active.filter((a) => a.listener.fileProblem);
  const resListeners = active.filter((a) => a.listener.resource);

  // Findings resolved to positions. For findings reported after reading, a file's fast parse (its
  // offset tree, values released) is kept; a file that took the precise parse is parsed again.
  const resolved: EngineFinding[] = [];
  /** The resource of a finding whose resource has ignore annotations (kept aside: findings stay plain output objects). */
  const resourceOf = new Map<EngineFinding, Resource>();
  const srcCache = new Map<number, SourceFile>();
  /**
   * Resources whose file's parse was let go once it was read: the ranges of their skeletons' nodes
   * (see captureSkeleton), and where each file's lines start.
   */
  const captured = new Map<Resource, { ranges: Int32Array | Uint16Array; sizes: Uint16Array; at: number }>();
  /** Where capture writes each file's ranges before they are copied at their own size. */
  const captureList = new RangeList();
  const linesOf = new Map<number, LineIndex>();
  function sourceOf(i: number): SourceFile | undefined {
    let s = srcCache.get(i);
    if (!s) {
      let text = files[i]?.record.text;
      if (text === undefined && linesOf.has(i)) {
        // Let go after its skeletons were captured: what they cannot answer (a field not captured, a fix's edits) reads it again.
        let read: ReturnType<typeof readInput>;
        try {
          read = readInput(files[i]!.record.input);
        } catch {
          return undefined;
        }
        if ('problem' in read) return undefined;
        text = read.text;
      }
      if (text === undefined) return undefined;
      s = parse(files[i]!.record.input, text);
      srcCache.set(i, s);
    }
    return s;
  }
  function parse(input: InputFile, text: string): SourceFile {
    const kept = opts.parsed?.get(input.path);
    if (kept && kept.text === text) return kept;
    const s = new SourceFile(text, { precise: opts.precise });
    opts.parsed?.set(input.path, s);
    return s;
  }

  // ---- read every file once ------------------------------------------------------------------
  // Large runs read and parse on worker threads ahead of this loop (see parse-pool.ts); the rules
  // still see the files one by one, in order, here.
  const sizes = opts.parsed || opts.precise ? [] : inputSizes(opts.files);
  const workers = opts.parsed || opts.precise ? 0 : parseWorkerCount(opts.files, sizes);
  const pool = workers > 0 ? new ParsePool(opts.files, workers, prepare.map((e) => ({ id: e.rule.meta.id, options: e.options })), sizes, Boolean(timing)) : null;
  try {
    for (let index = 0; index < opts.files.length; index++) {
      const input = opts.files[index]!;
      const got = pool && input.text === undefined ? await pool.take(index) : undefined;
      readFile(input, index, got && !('local' in got) ? got : undefined);
    }
  } finally {
    pool?.close();
  }

  function readFile(input: InputFile, index: number, got: Exclude<ParsedInput, { local: true }> | undefined): void {
    const ref: FileRef = { index, path: input.display, context: input.context };
    const read = got ?? readInput(input, sizes[index]);
    const record: FileRecord = { ref, input };
    const state: FileState = { record, directives: [], ignores: new Map() };
    files.push(state);
    if ('problem' in read) {
      if (!input.context) for (const a of fileListeners) a.listener.fileProblem!({ file: ref, message: read.problem });
      return;
    }
    record.text = read.text;
    record.bom = read.bom;
    if (got && 'text' in got) poolStats.files++;
    // A worker's quick parse comes as its tree: the values are made from it, not by reading the text again.
    const tree = got && 'tree' in got ? got.tree : undefined;
    if (tree) poolStats.trees++;
    const src = tree ? new SourceFile(read.text, { tree }) : parse(input, read.text);
    reading = { index, src };
    const docStartLines = src.documents.map((d) => src.position(d.start).line);
    state.directives = input.context ? [] : parseDirectives(read.text, docStartLines);
    const mark = pending.length;
    const notAManifest = Boolean(input.walked) && !src.documents.some((d) => isObj(d.value) && ('apiVersion' in d.value || 'kind' in d.value));
    const prepared = got && 'prepared' in got ? got.prepared : undefined;
    if (timing && got && 'prepareMs' in got) got.prepareMs?.forEach((ms, i) => addTime(timing.workers, prepare[i]!.rule.meta.id, ms));
    const seen: Resource[] = [];
    let ordinal = 0;
    src.documents.forEach((d, docIndex) => {
      const info: DocumentInfo = {
        file: ref, doc: docIndex, value: d.value, problems: d.problems, range: d.range, empty: d.empty, notAManifest,
        locate: (pointer, on) => src.locate(docIndex, pointer, on ?? 'node'),
      };
      if (!input.context) for (const a of docListeners) a.listener.document!(info);
      if (d.problems.length > 0 || d.empty || !isObj(d.value)) return;
      const source = helmSource(read.text, d.start, d.range[0]);
      for (const r of resourcesOf(ref, docIndex, d.value, source)) {
        // Rules key their indexes on these (a Service's namespace and name, say) from here on: owned
        // copies, so that no key pins the file's text (see OwnStrings).
        const w = r as { -readonly [K in keyof Resource]: Resource[K] };
        w.apiVersion = strings.own(r.apiVersion);
        w.kind = strings.own(r.kind);
        w.name = strings.own(r.name);
        w.rawNamespace = strings.own(r.rawNamespace);
        w.namespace = strings.own(r.namespace);
        if (r.source !== undefined) w.source = strings.own(r.source);
        current = { r, prepared: prepared?.[ordinal++] };
        if (!input.context) resourceCount++;
        if (!input.context) {
          const anns = annotationIgnores(r);
          if (anns.length > 0) state.ignores.set(r, anns);
        }
        for (const c of COLLECTORS) c(r, facts!);
        for (const a of resListeners) {
          if (input.context && !a.enabled.rule.meta.crossResource) continue;
          a.listener.resource!(r);
        }
        seen.push(r);
      }
    });
    current = null;
    forgetModelCache();
    // Every rule has seen these resources: what cross-resource rules keep of them shrinks to the
    // skeleton their done() reads (the language server keeps its parses, so it keeps objects too).
    if (!opts.parsed) {
      for (const r of seen) {
        if (kept.has(r)) continue;
        const label = opts.strict ? `${r.kind} "${r.name}" in ${r.file.path}` : ''; // names the resource in strict mode's error
        const w = r as { -readonly [K in keyof Resource]: Resource[K] };
        w.object = skeleton(r.kind, r.object, label, Boolean(opts.strict), strings);
      }
    }
    // Resolve what rules reported about this file while its parse is at hand.
    const here = pending.splice(mark);
    const local = here.filter((p) => allInFile(p, index));
    pending.push(...here.filter((p) => !allInFile(p, index)));
    resolveAll(local, new Map([[index, src]]));
    if (opts.reportUnusedSuppressions && state.ignores.size > 0) {
      state.ignoreAt = new Map();
      for (const [r, anns] of state.ignores) {
        for (const a of anns) {
          const range = src.locate(r.doc, r.base + a.path, 'node')!;
          const st = src.position(range[0]);
          const en = src.position(range[1]);
          state.ignoreAt.set(a, { file: r.file.path, line: st.line, column: st.column, endLine: en.line, endColumn: en.column, path: r.base + a.path });
        }
      }
    }
    if (!keepTexts && src.fast) record.text = undefined;
    // Cross-resource rules report after the whole set is read, at nodes of the skeletons. Their
    // ranges are captured now, and the text and the parse go; where that cannot be (a rule kept a
    // whole object, fixes need the text, an alias in a skeleton), a fast parse without its values is
    // kept instead of parsing the file again; a precise one (yaml's documents) is not. The language
    // server's cache keeps values.
    if (!opts.parsed && src.fast) {
      if (!keepTexts && captureFile(src, seen)) {
        linesOf.set(index, src.lines());
      } else {
        src.release();
        srcCache.set(index, src);
      }
    }
  }

  /**
   * Capture the skeletons' ranges of a file's resources: all of them, or none (false). On this
   * thread: since workers send their trees instead of the engine parsing again, it is the less busy.
   */
  function captureFile(src: SourceFile, seen: Resource[]): boolean {
    if (seen.some((r) => kept.has(r))) return false;
    const cursor = src.cursor();
    if (!cursor) return false;
    const out = captureList;
    out.reset();
    const at: number[] = [];
    for (const r of seen) {
      at.push(out.n);
      if (!captureSkeleton(cursor, r.doc, r.base, r.kind, r.object, out)) return false;
    }
    const ranges = out.done();
    const sizes = out.sizes();
    for (let i = 0; i < seen.length; i++) captured.set(seen[i]!, { ranges, sizes, at: at[i]! });
    return true;
  }

  reading = null;
  late = true;
  // Only `active` holds the rules from here, and finish() lets each go once its done() returned;
  // then the facts (and the indexes built on them) and the model's caches are garbage too.
  facts = null;
  docListeners.length = 0;
  fileListeners.length = 0;
  resListeners.length = 0;
  const doneStart = performance.now();
  if (timing) timing.phases.read = doneStart - started;
  finish(active);
  const finishStart = performance.now();
  if (timing) timing.phases.done = finishStart - doneStart;

  // ---- resolve what was reported after the files were read (cross-resource rules) -----------
  // File by file, dropping each file's parse after the last finding that needs it (and at once
  // when none does), so that memory shrinks as findings are resolved.
  {
    const primary = (p: Pending) => (p.loc.kind === 'target' ? p.loc.target.resource.file.index : p.loc.kind === 'range' ? p.loc.file.index : -1);
    const filesOf = (p: Pending) => [primary(p), ...p.related.map((r) => r.resource.file.index)];
    const order: Array<Pending | undefined> = pending
      .splice(0)
      .map((p, i) => ({ p, i, f: primary(p) }))
      .sort((a, b) => a.f - b.f || a.i - b.i)
      .map((x) => x.p);
    const lastUse = new Map<number, number>();
    order.forEach((p, k) => filesOf(p!).forEach((f) => lastUse.set(f, k)));
    for (const f of [...srcCache.keys()]) if (!lastUse.has(f)) srcCache.delete(f);
    for (let k = 0; k < order.length; k++) {
      const p = order[k]!;
      order[k] = undefined; // a resolved finding's report is garbage from here
      resolved.push(resolveOne(p, sourceOf));
      for (const f of filesOf(p)) if (lastUse.get(f) === k) srcCache.delete(f);
    }
  }
  // Every finding has its position: the skeletons' ranges, and the resources they belong to, can go.
  captured.clear();
  linesOf.clear();

  function resolveAll(list: Pending[], local: Map<number, SourceFile> | null): void {
    for (const p of list) {
      const get = (i: number) => local?.get(i) ?? sourceOf(i);
      resolved.push(resolveOne(p, get));
    }
  }

  function locate(t: Target, get: (i: number) => SourceFile | undefined, ruleId: string): { at: { position(offset: number): Position }; src?: SourceFile; range: [number, number]; pointer: string } {
    const r = t.resource;
    // Findings by the ten thousand point at a few dozen paths: one copy of each (see pointerOf).
    const pointer = pointerOf(r.base + t.path);
    const c = captured.get(r);
    if (c) {
      const hit = skeletonNodeOf(r.kind, r.object, splitPointer(t.path), c.sizes, c.at >> 2);
      if (hit) {
        const lines = linesOf.get(r.file.index)!;
        const i = c.at + 4 * hit.index;
        if (hit.exact) {
          const k = t.on === 'key' ? i + 2 : i;
          return { at: lines, range: [c.ranges[k]!, c.ranges[k + 1]!], pointer };
        }
        if (opts.strict) throw unresolved(pointer, r);
        return { at: lines, range: [c.ranges[i]!, c.ranges[i + 1]!], pointer };
      }
      // A field capture did not record, or the skeleton dropped (rules whose findings wait for facts
      // report at any field in done()): the file is read and parsed again, once, for the findings
      // that need it.
      engineStats.uncaptured.set(ruleId, (engineStats.uncaptured.get(ruleId) ?? 0) + 1);
    }
    const src = get(r.file.index);
    if (!src) throw new RulePathError(`no text for ${r.file.path}`);
    let range = src.locate(r.doc, pointer, t.on ?? 'node');
    if (!range) {
      if (opts.strict) throw unresolved(pointer, r);
      const near = src.nearestResolvable(r.doc, pointer);
      range = src.locate(r.doc, near) ?? [0, 0];
    }
    return { at: src, src, range, pointer };
  }

  function resolveOne(p: Pending, get: (i: number) => SourceFile | undefined): EngineFinding {
    const related: RelatedResult[] = p.related.map((rel) => {
      let out = relatedResults.get(rel);
      if (out === undefined) {
        const { at, range, pointer } = locate(rel, get, p.ruleId);
        const s = at.position(range[0]);
        const e = at.position(range[1]);
        out = { file: rel.resource.file.path, line: s.line, column: s.column, endLine: e.line, endColumn: e.column, path: pointer, message: rel.message };
        relatedResults.set(rel, out);
      }
      return out;
    });
    // Findings are made by the ten thousand: literals of one shape (no spreads) keep them cheap.
    if (p.loc.kind === 'none') {
      return {
        ruleId: p.ruleId, severity: p.severity, message: p.message, related, fixable: false,
        file: null, line: null, column: null, endLine: null, endColumn: null, resource: null, path: null,
      };
    }
    if (p.loc.kind === 'range') {
      const src = linesOf.get(p.loc.file.index) ?? get(p.loc.file.index);
      const s = src ? src.position(p.loc.range[0]) : { line: 1, column: 1 };
      const e = src ? src.position(p.loc.range[1]) : s;
      return {
        ruleId: p.ruleId, severity: p.severity, message: p.message, related, fixable: false,
        file: p.loc.file.path, line: s.line, column: s.column, endLine: e.line, endColumn: e.column,
        resource: null, path: null, fileIndex: p.loc.file.index,
      };
    }
    const t = p.loc.target;
    const r = t.resource;
    const { at, src, range, pointer } = locate(t, get, p.ruleId);
    const s = at.position(range[0]);
    const e = at.position(range[1]);
    const out: EngineFinding = {
      ruleId: p.ruleId, severity: p.severity, message: p.message, related, fixable: false,
      file: r.file.path, line: s.line, column: s.column, endLine: e.line, endColumn: e.column,
      resource: { apiVersion: r.apiVersion, kind: r.kind, namespace: r.namespace, name: r.name },
      path: pointer, fileIndex: r.file.index,
    };
    if (r.source) out.source = r.source;
    if (p.fix) {
      if (opts.evaluateFixes || opts.strict) {
        const fileSrc = src ?? get(r.file.index);
        if (!fileSrc) throw new RulePathError(`no text for ${r.file.path}`);
        const edits = evaluateFix(p, fileSrc, r);
        if (edits.length > 0) {
          out.edits = edits;
          out.fixable = true;
        }
      } else {
        // A plain check only says a fix exists; building edits needs the precise parse.
        out.fixable = true;
      }
    }
    if (files[r.file.index]?.ignores.has(r)) resourceOf.set(out, r);
    return out;
  }

  function evaluateFix(p: Pending, src: SourceFile, r: Resource): Edit[] {
    const need = <T>(v: T | null, what: string, t: Target): T => {
      if (v === null) throw new RulePathError(`rule ${p.ruleId}: cannot ${what} at ${JSON.stringify(r.base + t.path)} in ${r.file.path}`);
      return v;
    };
    const fixer: Fixer = {
      replaceNode: (t, text) => {
        const range = need(src.locate(t.resource.doc, t.resource.base + t.path, 'node'), 'replace the node', t);
        return { range, text };
      },
      renameKey: (t, key) => need(src.renameKey(t.resource.doc, t.resource.base + t.path, key), 'rename the key', t),
      insertPair: (t, key, value) => need(src.insertPair(t.resource.doc, t.resource.base + t.path, key, value), 'insert a key', t),
    };
    try {
      const e = p.fix!(fixer);
      return e === null ? [] : Array.isArray(e) ? e : [e];
    } catch (err) {
      if (opts.strict || !(err instanceof RulePathError)) throw err;
      return [];
    }
  }

  // ---- suppressions --------------------------------------------------------------------------
  const configBase = opts.configDir ?? opts.cwd;
  const ignores = opts.ignores ?? [];
  const out: EngineFinding[] = [];
  for (const f of resolved) {
    const r = resourceOf.get(f);
    if (f.fileIndex !== undefined && files[f.fileIndex]!.record.ref.context) continue; // never reported on
    const state = f.fileIndex !== undefined ? files[f.fileIndex] : undefined;
    const d = state && f.line !== null ? state.directives.find((x) => directiveMatches(x, f.ruleId, f.line!)) : undefined;
    if (d) {
      d.used = true;
      f.suppressed = { kind: 'inSource', via: 'comment', justification: d.reason };
    } else {
      const ann = r && state ? state.ignores.get(r)?.find((a) => a.rules.includes(f.ruleId) || a.rules.includes('*')) : undefined;
      if (ann) {
        ann.used.add(f.ruleId);
        f.suppressed = { kind: 'inSource', via: 'annotation', justification: `${'kube-preflight.io/ignore'} annotation` };
      } else {
        const ig = ignores.find((i) => configIgnoreMatches(i, f.ruleId, f.resource, f.file, opts.cwd, configBase));
        if (ig) {
          ig.used = true;
          f.suppressed = { kind: 'external', via: 'config', justification: ig.reason };
        }
      }
    }
    out.push(f);
  }

  if (opts.reportUnusedSuppressions) out.push(...unusedSuppressions(files, ignores, opts.unusedSeverity ?? 'warning'));

  out.sort(compareFindings);
  const summary: Summary = {
    files: files.filter((f) => !f.record.ref.context).length,
    resources: resourceCount,
    errors: 0,
    warnings: 0,
    infos: 0,
    fixable: 0,
  };
  for (const f of out) {
    if (f.suppressed) continue;
    if (f.severity === 'error') summary.errors++;
    else if (f.severity === 'warning') summary.warnings++;
    else summary.infos++;
    if (f.fixable) summary.fixable++;
  }
  if (timing) timing.phases.finish = performance.now() - finishStart;
  return { findings: out, summary, files: files.map((f) => f.record), ...(timing ? { timing } : {}) };
}

function addTime(into: Map<string, number>, id: string, ms: number): void {
  into.set(id, (into.get(id) ?? 0) + ms);
}

/** A rule's listener whose every call adds its time to the rule's entry of `into` (timing runs only). */
function timed(l: RuleListener, id: string, into: Map<string, number>): RuleListener {
  const out: RuleListener = {};
  const wrap = <A extends unknown[]>(f: ((...args: A) => void) | undefined) =>
    f &&
    ((...args: A): void => {
      const t = performance.now();
      try {
        f.apply(l, args);
      } finally {
        addTime(into, id, performance.now() - t);
      }
    });
  if (l.resource) out.resource = wrap(l.resource);
  if (l.document) out.document = wrap(l.document);
  if (l.fileProblem) out.fileProblem = wrap(l.fileProblem);
  if (l.done) out.done = wrap(l.done);
  return out;
}

/** Thrown by a source lookup that would have to read a file again (see add() in runEngine). */
const NEEDS_SOURCE = new Error('the file must be read again');

/**
 * Every rule's done(), one after another; each rule, with all it gathered, is let go before the next
 * one runs. In a frame of its own: a loop variable left in runEngine's frame would keep the last
 * rule alive. The model's caches are shared by the rules and go after the last: forgetting them
 * between rules made each rule compute them again, and the garbage raised peak RSS by ~70 MiB.
 */
function finish(active: Array<{ listener: RuleListener }>): void {
  for (let next = active.shift(); next; next = active.shift()) next.listener.done?.();
  forgetModelCache();
}

/**
 * Messages as flat strings, one copy per distinct text. Messages are built by concatenation,
 * which V8 keeps as a tree of pieces (about twice the memory of the text), and large runs repeat
 * them: every workload of a chart deployed in many namespaces gets the same message about the same
 * port, every finding of a host-port group lists the same related locations.
 */
export class MessageTexts {
  /** How many of a rule's messages are looked up before it is judged. */
  static readonly SAMPLE = 512;
  private seen = 0;
  private found = 0;
  private shared = true;

  /** `texts`: the run's table, shared by every rule's MessageTexts. */
  constructor(private readonly texts: Map<string, string>) {}

  /**
   * Many rules never repeat a message: each names its Service, port and workload (on the synthetic
   * corpus, 25,000 of the findings made after reading, from five rules). Hashing each into the table
   * found nothing, in the serial tail (about 1% of that corpus's wall time, measured in interleaved
   * rounds). So a rule's messages go into the table only while
   * they pay: once SAMPLE of them were looked up and fewer than 1 in 20 was there, the rule's
   * messages are only flattened. (A rule's messages and its related locations' messages are judged
   * apart: a rule may name each finding differently and list the same related locations.)
   */
  one(s: string): string {
    s.charCodeAt(0); // flattens the string in place (hashing it for the table does not)
    if (!this.shared) return s;
    let kept = this.texts.get(s);
    if (kept === undefined) this.texts.set(s, (kept = s));
    else this.found++;
    if (++this.seen === MessageTexts.SAMPLE && this.found * 20 < MessageTexts.SAMPLE) this.shared = false;
    return kept;
  }

  /** Whether messages still go into the table (tests look). */
  get sharing(): boolean {
    return this.shared;
  }

  /** The related locations' messages, each through one(). */
  all(list: RelatedReport[] | undefined): RelatedReport[] {
    if (!list) return [];
    for (const r of list) r.message = this.one(r.message);
    return list;
  }
}

/** Strict mode's error for a reported path that names no node (the finding falls back to the nearest one otherwise). */
function unresolved(pointer: string, r: Resource): RulePathError {
  return new RulePathError(`path ${JSON.stringify(pointer)} does not resolve in ${r.file.path} (document ${r.doc + 1})`);
}

function allInFile(p: Pending, index: number): boolean {
  const inFile = (t: Target) => t.resource.file.index === index;
  if (p.loc.kind === 'target' && !inFile(p.loc.target)) return false;
  if (p.loc.kind === 'range' && p.loc.file.index !== index) return false;
  return p.related.every(inFile);
}

function unusedSuppressions(files: FileState[], ignores: ConfigIgnore[], severity: Severity): EngineFinding[] {
  const out: EngineFinding[] = [];
  const base = { ruleId: UNUSED_SUPPRESSION, severity, related: [], fixable: false, resource: null };
  for (const s of files) {
    for (const d of s.directives) {
      if (d.used) continue;
      const what = d.rules.length ? d.rules.join(', ') : 'all rules';
      out.push({
        ...base, file: s.record.ref.path, line: d.line, column: d.column, endLine: d.line, endColumn: d.endColumn, path: null,
        message: `unused suppression comment: no finding of ${what} ${d.kind === 'next-line' ? `on line ${d.from}` : 'in the rest of this document'}; remove it`,
        fileIndex: s.record.ref.index,
      });
    }
    for (const [r, anns] of s.ignores) {
      for (const a of anns) {
        const unused = a.rules.filter((id) => !a.used.has(id));
        if (unused.length === 0) continue;
        const at = s.ignoreAt!.get(a)!;
        out.push({
          ...base, file: at.file, line: at.line, column: at.column, endLine: at.endLine, endColumn: at.endColumn, path: at.path,
          resource: { apiVersion: r.apiVersion, kind: r.kind, namespace: r.namespace, name: r.name },
          message: `unused suppression: ${unused.join(', ')} reported nothing on ${r.kind} ${r.name}; remove ${unused.length > 1 ? 'them' : 'it'} from the kube-preflight.io/ignore annotation`,
          fileIndex: s.record.ref.index,
        });
      }
    }
  }
  for (const ig of ignores) {
    if (ig.used) continue;
    const w = ig.where;
    out.push({
      ...base, file: w?.file ?? null, line: w?.line ?? null, column: w?.column ?? null, endLine: w?.endLine ?? null, endColumn: w?.endColumn ?? null, path: null,
      message: `unused config ignore for ${Array.isArray(ig.rule) ? ig.rule.join(', ') : ig.rule}: it matched no finding; remove it`,
    });
  }
  return out;
}

export function compareFindings(a: Finding, b: Finding): number {
  const fa = (a as EngineFinding).fileIndex ?? -1;
  const fb = (b as EngineFinding).fileIndex ?? -1;
  if (a.file === null && b.file !== null) return -1;
  if (b.file === null && a.file !== null) return 1;
  if (fa !== fb) return fa - fb;
  if (a.file !== b.file) return String(a.file).localeCompare(String(b.file));
  return (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0) || a.ruleId.localeCompare(b.ruleId) || a.message.localeCompare(b.message);
}

/** metadata() and resourcesOf() re-exported for rules and tests that only import the engine. */
export { metadata, resourcesOf };

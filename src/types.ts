// The stable types shared by the engine, the rules and the formatters.
// Rules see plain objects and report JSON Pointer paths; the engine turns paths into positions.

export type Severity = 'error' | 'warning' | 'info';
export type SeveritySetting = Severity | 'off';
export const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info'];

export type Category =
  | 'syntax'
  | 'schema'
  | 'ports'
  | 'telepresence'
  | 'linkerd'
  | 'versions'
  | 'scheduling'
  | 'meta';

/** A JSON Schema object (kept loose: ajv validates it). */
export type JsonSchema = Record<string, unknown>;

export interface RuleMeta {
  /** Stable kebab-case id; the module file is rules/<id>.ts. */
  id: string;
  /** One line: what the rule flags. */
  description: string;
  /** Why it matters: what breaks, and where. */
  rationale: string;
  severity: Severity;
  category: Category;
  /** True when some findings carry a fix that --fix applies. */
  fixable: boolean;
  /** JSON Schema for the rule's options (validated once with ajv). */
  options?: JsonSchema;
  /** Defaults merged under user options. */
  defaultOptions?: Record<string, unknown>;
  /** True when the rule needs the whole set (it then also sees --context resources). */
  crossResource?: boolean;
  /** Hand-written prose for docs/rules/<id>.md: examples of bad and good manifests, and notes. */
  docs: {
    details?: string;
    bad?: string;
    good?: string;
    /** Upstream sources the rule's facts come from. */
    references?: string[];
  };
}

/** A YAML document or List item as rules see it. */
export interface Resource {
  readonly file: FileRef;
  /** Index of the YAML document inside the file (0-based). */
  readonly doc: number;
  /** JSON Pointer of the object inside the document: '' or '/items/<i>' for a List item. */
  readonly base: string;
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  /** metadata.namespace, or '' when unset. */
  readonly rawNamespace: string;
  /** Effective namespace: metadata.namespace, 'default' when unset, '' for cluster-scoped kinds. */
  readonly namespace: string;
  /** The plain object (never mutate it). */
  readonly object: Record<string, unknown>;
  /** Helm template from a preceding `# Source:` comment. */
  readonly source?: string;
}

export interface FileRef {
  /** Index in the run's file table. */
  readonly index: number;
  /** Path as displayed in findings (relative to cwd when inside it). */
  readonly path: string;
  /** Loaded through --context: indexed by cross-resource rules, never reported on. */
  readonly context: boolean;
}

/** A location a rule refers to: a node inside a resource. */
export interface Target {
  resource: Resource;
  /** JSON Pointer relative to resource.object ('' = the whole object). */
  path: string;
  /** 'node' (default): the node at path. 'key': the mapping key of the path's last segment. */
  on?: 'node' | 'key';
}

export interface RelatedReport extends Target {
  message: string;
}

export interface Edit {
  /** Offsets into the file's text: [start, end). */
  range: [number, number];
  text: string;
}

/** Builds edits from paths, so rules never handle parser nodes or offsets themselves. */
export interface Fixer {
  /** Replace the node at path (a scalar, usually) with `text` written verbatim. */
  replaceNode(target: Target, text: string): Edit;
  /** Rename the mapping key of the path's last segment, keeping its quoting style. */
  renameKey(target: Target, newKey: string): Edit;
  /** Add `key: value` to the mapping at path (block or flow), after its last entry. */
  insertPair(target: Target, key: string, valueText: string): Edit;
}

export interface Report extends Target {
  message: string;
  /** Overrides the rule's default severity for this finding (e.g. error on a restricted namespace). */
  severity?: Severity;
  related?: RelatedReport[];
  fix?: (fixer: Fixer) => Edit | Edit[] | null;
}

/** A report about a document that is not a resource (parse errors), located by offsets. */
export interface DocumentReport {
  file: FileRef;
  doc: number | null;
  /** [start, end) offsets into the file's text. */
  range: [number, number];
  message: string;
  severity?: Severity;
}

/** A report about facts alone: no file location. */
export interface FactReport {
  message: string;
  severity?: Severity;
  related?: RelatedReport[];
}

export interface ParseProblem {
  message: string;
  range: [number, number];
  code: string;
}

export interface DocumentInfo {
  file: FileRef;
  doc: number;
  /** The plain value (undefined for an empty document). */
  value: unknown;
  problems: ParseProblem[];
  /** [start, end) offsets of the document's content. */
  range: [number, number];
  /** True when this document holds only comments or nothing. */
  empty: boolean;
  /**
   * True when the file was found by walking a directory and none of its documents has an apiVersion
   * or kind: a values.yaml, package.json or Chart.yaml, not a manifest.
   */
  notAManifest: boolean;
  /** [start, end) offsets of the node at a JSON Pointer inside this document, or null. */
  locate(pointer: string, on?: 'node' | 'key'): [number, number] | null;
}

export interface FileProblem {
  file: FileRef;
  message: string;
}

export interface RuleContext<O = Record<string, unknown>> {
  readonly id: string;
  readonly options: O;
  readonly facts: import('./facts.js').Facts;
  report(r: Report): void;
  reportDocument(r: DocumentReport): void;
  reportFacts(r: FactReport): void;
  /**
   * How the node at a target is written in its file: the exact source text (a scalar with its quotes,
   * tag and anchor, e.g. `yes`, `"yes"`, `!!str yes`, `0644`), or null when the path does not resolve.
   * For rules whose finding depends on the spelling, not only the parsed value (YAML 1.1 typing).
   */
  sourceText(target: Target): string | null;
  /** The rule's prepare() result for a resource (from a parse worker when one made it). */
  prepared<T = unknown>(r: Resource): T;
  /**
   * Keep a resource's whole object after its file is read. Otherwise, once every rule has seen a
   * file's resources, each object is swapped for its skeleton (src/skeleton.ts): the fields the
   * cross-resource helpers read. Call it from resource() for resources whose other fields done() reads.
   */
  keep(r: Resource): void;
}

export interface RuleListener {
  /** Every resource of the set; --context resources only for crossResource rules. */
  resource?(r: Resource): void;
  /** Every YAML document (parse-level rules). */
  document?(d: DocumentInfo): void;
  /** Every file that could not be taken as text (binary, oversized). */
  fileProblem?(p: FileProblem): void;
  /**
   * After every file was read: cross-resource rules report here. Manifest facts are complete here.
   * Resources seen earlier hold only their skeleton here, unless the rule kept them (ctx.keep).
   */
  done?(): void;
}

/** What prepare() may read besides the resource: its own source text. */
export interface PrepareSource {
  /** As RuleContext.sourceText, for a path inside the resource. */
  sourceText(path: string): string | null;
  /** The whole file's text (to rule out cheaply what the file cannot hold). */
  readonly fileText: string;
  /**
   * False when the file certainly holds no plain (unquoted) scalar with this value, for values
   * Kubernetes may read as other than strings (`yes`, `0x1F`): then no sourceText() is that value.
   */
  mayBePlain?(value: string): boolean;
  /**
   * True when no object or array of the resource is reached twice (aliases of anchored collections
   * share one; the quick reader leaves those to js-yaml): a walk need not guard against that.
   */
  readonly unshared?: boolean;
}

export interface Rule<O = Record<string, unknown>> {
  meta: RuleMeta;
  /**
   * Optional per-resource work that depends on nothing but the resource, its source text and the
   * rule's options (no facts, no other resources): on large runs it runs on the parse workers,
   * ahead of the engine. It returns plain data (structured-cloneable); resource() gets it back
   * with ctx.prepared(r), which runs it here when no worker did.
   */
  prepare?(r: Resource, src: PrepareSource, options: O): unknown;
  create(ctx: RuleContext<O>): RuleListener;
}

// ---- Results -------------------------------------------------------------------------------

export interface ResultLocation {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  path: string | null;
}

export interface RelatedResult extends ResultLocation {
  message: string;
}

export interface ResourceId {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
}

export interface Suppression {
  kind: 'inSource' | 'external';
  /** Where it came from: a comment, an annotation or a config ignore. */
  via: 'comment' | 'annotation' | 'config';
  justification: string;
}

export interface Finding {
  ruleId: string;
  severity: Severity;
  message: string;
  file: string | null;
  line: number | null;
  column: number | null;
  endLine: number | null;
  endColumn: number | null;
  resource: ResourceId | null;
  path: string | null;
  related: RelatedResult[];
  source?: string;
  fixable: boolean;
  /** Set when a suppression matched: not printed, not counted, listed in SARIF. */
  suppressed?: Suppression;
}

export interface Summary {
  files: number;
  resources: number;
  errors: number;
  warnings: number;
  infos: number;
  fixable: number;
}

export interface LintResult {
  findings: Finding[];
  summary: Summary;
}

// Schema validation of built-in kinds with the validators kubernetes-models@4.5.1 ships
// (precompiled ajv "standalone" functions under kubernetes-models/_schemas/), loaded lazily per kind.
//
// Unknown fields: the bundled validators ignore additional properties, so the object is validated
// through a tracking Proxy. ajv's generated code reads every property its schema declares
// (`data.prop === undefined`) and enumerates keys only for maps (additionalProperties). For each
// mapping node the validator reaches, the keys it read are the declared properties of the schema(s)
// that apply there; other keys are unknown fields, as the API server's strict field validation says.
// Nodes the validator never reaches (free-form RawExtension, JSON, FieldsV1, below a type error) are
// not checked.
//
// null in a mapping counts as absent (the API server decodes a null optional field as unset):
// `creationTimestamp: null` and `status: {}` from `kubectl create --dry-run -o yaml` are clean.

import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { compileCached } from './code-cache.js';
import { projectPath } from './paths.js';
import { escapeToken } from './pointer.js';
import { goYamlNonString, goYamlNumberDiffers, mayBeNonString, type GoYamlValue } from './yaml11.js';

const require = createRequire(import.meta.url);

/** Minor of the newest Kubernetes whose OpenAPI kubernetes-models 4.5.1 was generated from. */
export const BUNDLED_SCHEMA_VERSION = '1.33';

export type ViolationCode = 'type' | 'required' | 'enum' | 'format' | 'unknown-field' | 'yaml-typing';

export interface Violation {
  /** JSON Pointer relative to the validated object. */
  path: string;
  on: 'node' | 'key';
  code: ViolationCode;
  message: string;
  /** Set for findings that are warnings rather than errors. */
  warning?: boolean;
  /** Replacement text for the node (a quoted scalar, `true`, `0o644`), when the fix is safe. */
  replacement?: string;
}

/** An ajv error object as the standalone validators produce it (no messages). */
export interface AjvError {
  instancePath: string;
  schemaPath: string;
  keyword: string;
  params: Record<string, unknown>;
}

export type ValidateFn = ((data: unknown, opts?: { instancePath?: string }) => boolean) & { errors?: AjvError[] | null };

/** Source text of the node at a JSON Pointer relative to the object (how it was written), or null. */
export type RawText = (pointer: string) => string | null;

// ---- lazy loading ------------------------------------------------------------------------------

let kinds: Record<string, string> | undefined;
let extraProps: Record<string, string[]> | undefined;
let schemasDir: string | undefined;
const validators = new Map<string, ValidateFn | null>();

function kindTable(): Record<string, string> {
  if (!kinds) kinds = (JSON.parse(readFileSync(projectPath('rules/_schema-kinds.json'), 'utf8')) as { kinds: Record<string, string> }).kinds;
  return kinds;
}

/** True when kubernetes-models has a validator for this apiVersion/kind. */
export function isBuiltinKind(apiVersion: string, kind: string): boolean {
  return Object.hasOwn(kindTable(), `${apiVersion}/${kind}`);
}

let byVersion: Map<string, string[]> | undefined;
/** The kinds kubernetes-models knows for a built-in apiVersion, or undefined when it is not one. */
export function builtinKindsOf(apiVersion: string): string[] | undefined {
  if (!byVersion) {
    byVersion = new Map();
    for (const key of Object.keys(kindTable())) {
      const i = key.lastIndexOf('/');
      const av = key.slice(0, i);
      let list = byVersion.get(av);
      if (!list) byVersion.set(av, (list = []));
      list.push(key.slice(i + 1));
    }
  }
  return byVersion.get(apiVersion);
}

/**
 * The validators' only runtime import is @kubernetes-models/validate, whose index loads ajv-formats,
 * ajv-formats-draft2019, is-cidr and ajv-i18n (~50 modules, ~55 ms cold) for six formats. We serve
 * it from our own six-format implementation by pre-seeding the CommonJS cache entry that the
 * validators' `require("@kubernetes-models/validate")` resolves to. A test checks that every format
 * the bundled validators name is implemented here.
 */
const QUANTITY = /^[+-]?(?:\d+|\d+\.\d+|\d+\.|\.\d+)(?:[KMGTPE]i|[YZEPTGMkhdcmunpfazy]|da|[eE][+-]?(?:\d+|\d+\.\d+|\d+\.|\.\d+))?$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
export const FORMATS: Record<string, { type: string; validate: RegExp | ((v: never) => boolean) }> = {
  int32: { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -2147483648 && n <= 2147483647 },
  int64: { type: 'number', validate: (n: number) => Number.isInteger(n) },
  double: { type: 'number', validate: () => true },
  byte: { type: 'string', validate: (s: string) => BASE64.test(s) },
  quantity: { type: 'string', validate: QUANTITY },
  'date-time': { type: 'string', validate: (s: string) => RFC3339.test(s) && !Number.isNaN(Date.parse(s.replace(' ', 'T'))) },
};

function schemaDir(): string {
  if (!schemasDir) {
    const root = dirname(require.resolve('kubernetes-models/package.json'));
    schemasDir = join(root, '_schemas');
    const kmRequire = createRequire(join(schemasDir, 'index.js'));
    const target = kmRequire.resolve('@kubernetes-models/validate');
    const cache = require.cache as Record<string, unknown>;
    if (!cache[target]) {
      cache[target] = { id: target, filename: target, loaded: true, exports: { formats: FORMATS }, children: [], paths: [] };
    }
  }
  return schemasDir;
}

/** The validator of a built-in kind, loaded on first use (only that kind's definition graph). */
export function validatorFor(apiVersion: string, kind: string): ValidateFn | undefined {
  const key = `${apiVersion}/${kind}`;
  let fn = validators.get(key);
  if (fn === undefined) {
    const def = kindTable()[key];
    fn = def ? (loadSchemaModule(join(schemaDir(), `${def}.js`)) as { validate: ValidateFn }).validate : null;
    validators.set(key, fn);
  }
  return fn ?? undefined;
}

/**
 * The validators are generated CommonJS modules, one per definition: a Deployment's graph is 166 of
 * them. Node's loader spends about 0.25 ms on each beyond reading and compiling it (resolution,
 * realpath, package scope lookups), 40 of the 60 ms a one-file check spends loading them. Their
 * requires are all of three kinds (a sibling `./Name[.js]`, an apimachinery definition, and
 * @kubernetes-models/validate for formats), so they are loaded here as Node would run them (the same
 * wrapper arguments, cycles seeing partial exports), without the lookups, and compiled through V8's
 * code cache (src/code-cache.ts).
 */
const schemaModules = new Map<string, { exports: unknown }>();
/** The modules as kubernetes-models ships them, not rewritten (tests compare the two). */
const shippedModules = new Map<string, { exports: unknown }>();
/** How many validator modules are loaded (tests check that loading stays per kind). */
export function loadedSchemaModules(): number {
  return schemaModules.size;
}
let apimachineryDir: string | undefined;
function loadSchemaModule(file: string, shipped = false): unknown {
  const modules = shipped ? shippedModules : schemaModules;
  const known = modules.get(file);
  if (known) return known.exports;
  const module = { exports: {} as unknown };
  modules.set(file, module);
  const dir = dirname(file);
  const text = readFileSync(file, 'utf8');
  const run = compileCached(file, shipped ? text : rewriteValidatorCode(text), ['exports', 'require', 'module', '__filename', '__dirname', '__kpNoPath', '__kpPrefix']);
  const req = (spec: string): unknown => {
    if (spec.startsWith('./') && !spec.includes('/', 2)) return loadSchemaModule(join(dir, spec.endsWith('.js') ? spec : `${spec}.js`), shipped);
    if (spec === '@kubernetes-models/validate') return { formats: FORMATS };
    const m = /^@kubernetes-models\/apimachinery\/_schemas\/(\w+)$/.exec(spec);
    if (m) {
      apimachineryDir ??= join(dirname(createRequire(file).resolve('@kubernetes-models/apimachinery/package.json')), '_schemas');
      return loadSchemaModule(join(apimachineryDir, `${m[1]}.js`), shipped);
    }
    return createRequire(file)(spec); // none today: Node's own loader
  };
  run.call(module.exports, module.exports, req, module, file, dir, NO_PATH, prefixErrors);
  return module.exports;
}

/** For tests: a kind's validator exactly as kubernetes-models ships it (see rewriteValidatorCode()). */
export function shippedValidatorFor(apiVersion: string, kind: string): ValidateFn | undefined {
  const def = kindTable()[`${apiVersion}/${kind}`];
  return def ? (loadSchemaModule(join(schemaDir(), `${def}.js`), true) as { validate: ValidateFn }).validate : undefined;
}

// ---- paths made only for errors ----------------------------------------------------------------
//
// The validators are ajv's standalone code. Each call to a property's, item's or value's validator
// passes a fresh options object with the path so far (`{instancePath: instancePath + "/ports",
// parentData, parentDataProperty, rootData}`): on a valid object, nearly every node of it costs an
// allocation and a string that no error ever reads. The generated code reads those options for
// nothing but the paths of the errors it makes and the options it passes on. So the calls are
// rewritten to pass one shared object whose path is "" (each validator's errors then hold paths
// relative to its own node), and to put the caller's path for the node in front of the callee's
// errors only when it failed. Every error gets, level by level, the same path as before; a call the
// pattern does not match keeps passing its path, and its errors are already right at that level.
// A valid Deployment validates in about 0.55 of the time (40,000 objects: 605 -> 339 ms, warm).
// Tests compare the errors of both forms on the corpus sample and on broken variants of it.

const NO_PATH = Object.freeze({ instancePath: '', parentData: undefined, parentDataProperty: undefined, rootData: undefined });

function prefixErrors(errors: AjvError[], prefix: string): AjvError[] {
  if (prefix !== '') for (const e of errors) e.instancePath = prefix + e.instancePath;
  return errors;
}

/**
 * `callee(data…, {instancePath[: path], parentData[: …], parentDataProperty[: …], rootData})
 * || (errors = (vErrors = null === vErrors ? holder.errors : vErrors.concat(holder.errors)).length)`,
 * where callee is `validateN` or `(0, _Module.validate)` and holder is the same function.
 */
const VALIDATOR_CALL =
  /(validate\d+|\(0,(_\w+)\.validate\))\(((?:[^,(){}]|\([^()]*\))+),\{instancePath(?::((?:[^,]|,(?!parentData))*))?,parentData(?::[^,{}]+)?,parentDataProperty(?::[^,{}]+)?,rootData\}\)\|\|\(errors=\(vErrors=null===vErrors\?([\w.]+)\.errors:vErrors\.concat\(\5\.errors\)\)\.length\)/g;

/** How many validator calls were rewritten, of how many passed a path (tests check the rewrite still applies). */
export const validatorRewrites = { calls: 0, rewritten: 0 };

export function rewriteValidatorCode(code: string): string {
  validatorRewrites.calls += code.match(/,\{instancePath[:,]/g)?.length ?? 0; // calls, not signatures (`{instancePath=""`)
  return code.replace(VALIDATOR_CALL, (call: string, callee: string, module: string | undefined, data: string, path: string | undefined, holder: string) => {
    const fn = module ? `${module}.validate` : callee;
    if (fn !== holder) return call;
    validatorRewrites.rewritten++;
    const at = path ?? 'instancePath';
    return `${callee}(${data},__kpNoPath)||(errors=(vErrors=null===vErrors?__kpPrefix(${fn}.errors,${at}):vErrors.concat(__kpPrefix(${fn}.errors,${at}))).length)`;
  });
}

function extraPropsFor(read: Set<string>): string[] | undefined {
  if (!extraProps) {
    extraProps = (JSON.parse(readFileSync(projectPath('rules/_schema-extra-props.json'), 'utf8')) as { extra: Record<string, string[]> }).extra;
  }
  return extraProps[[...read].sort().join(',')];
}

// ---- the tracking proxy ------------------------------------------------------------------------

type Obj = Record<string, unknown>;

/** One per object node the validator reaches; it is the Proxy's handler (no closures per node). */
class NodeTracker implements ProxyHandler<Obj> {
  /** Property names read (mappings only); null until the first read. */
  read: Set<string> | null = null;
  enumerated = false;
  readonly proxy: Obj;
  constructor(
    readonly target: Obj,
    readonly mapping: boolean,
    private readonly run: Tracking,
    private readonly over: Map<string, unknown> | undefined,
  ) {
    this.proxy = new Proxy(target, this);
  }
  get(t: Obj, k: string | symbol): unknown {
    if (typeof k !== 'string') return Reflect.get(t, k);
    if (this.mapping) (this.read ??= new Set()).add(k);
    if (this.over?.has(k)) return this.over.get(k);
    const v = t[k];
    if (v === null) return this.mapping && Object.hasOwn(t, k) ? undefined : v;
    return typeof v === 'object' ? this.run.wrap(v as Obj) : v;
  }
  has(t: Obj, k: string | symbol): boolean {
    if (typeof k !== 'string') return Reflect.has(t, k);
    if (this.mapping) {
      (this.read ??= new Set()).add(k);
      if (t[k] === null) return false;
    }
    return k in t;
  }
  ownKeys(t: Obj): ArrayLike<string | symbol> {
    this.enumerated = true;
    const keys = Reflect.ownKeys(t);
    return this.mapping ? keys.filter((k) => typeof k !== 'string' || t[k] !== null) : keys;
  }
  getOwnPropertyDescriptor(t: Obj, k: string | symbol): PropertyDescriptor | undefined {
    if (this.mapping && typeof k === 'string' && t[k] === null) return undefined;
    const d = Reflect.getOwnPropertyDescriptor(t, k);
    if (d && 'value' in d && typeof k === 'string') d.value = this.get(t, k);
    return d;
  }
}

class Tracking {
  readonly nodes = new Map<object, NodeTracker>();
  constructor(private readonly overrides?: Map<object, Map<string, unknown>>) {}
  wrap(v: Obj): Obj {
    let n = this.nodes.get(v);
    if (!n) {
      n = new NodeTracker(v, !Array.isArray(v), this, this.overrides?.get(v));
      this.nodes.set(v, n);
    }
    return n.proxy;
  }
}

// ---- validation --------------------------------------------------------------------------------

export interface ValidateOptions {
  /** How a node was written; enables YAML 1.1 (Kubernetes) typing of plain scalars. */
  raw?: RawText;
  /** The object's text may hold leading-zero numbers (`0644`): check numbers' source text too. */
  checkNumbers?: boolean;
  /** False when no plain scalar of the text has this value: its raw text need not be looked up. */
  mayBePlain?: (value: string) => boolean;
  /** No node of the object is reached twice (PrepareSource.unshared): the walk does not track them. */
  unshared?: boolean;
}

interface YamlNote {
  path: string;
  src: string;
  go: GoYamlValue;
  parsed: unknown;
}

// ---- learned per-location table (fast path) ----------------------------------------------------
//
// The proxy run is ~5x the cost of the plain validator. What it tells us about a node depends only on
// the schema location (path with list indices and map keys wildcarded) and whether the node is a
// mapping or a list: ajv's code reads every declared property (`data.p === undefined`) whatever the
// object holds, enumerates maps, and loops over every item of a list. So each proxied run teaches a
// per-validator table of locations; an object whose every reached node is at a learned location is
// then validated with the plain function and checked for unknown fields by a walk against the table.
// Anything not learned yet, a null in a mapping (the proxy hides it), a node reached twice (YAML
// aliases) or a location whose learned facts ever disagreed falls back to the proxy, which learns.

/** A child the validator never receives (so never walks into). */
const UNTRACKED = 0;
type Child = Loc | typeof UNTRACKED;
interface MapInfo {
  /** Read keys when not enumerated (declared properties); null when unchecked. */
  declared: Set<string> | null;
  /** Enumerated (a map): every value goes to `any`. */
  enumerated: boolean;
  /** Per-key children (not enumerated). */
  children: Map<string, Child>;
  any: Child | undefined;
}
interface Loc {
  map?: MapInfo;
  /** List: its items' location; UNTRACKED when items are not read; undefined while unknown. */
  items?: Child;
  arrayKnown?: boolean;
  unstable?: boolean;
}

const tables = new WeakMap<ValidateFn, Loc>();
/** How many validations took each path (tests check that the table path is taken and agrees). */
export const validationPaths = { proxy: 0, table: 0 };
/** Forget every learned table, so the next validation of each kind runs through the proxy (tests). */
export function forgetLearnedTables(fn: ValidateFn): void {
  tables.delete(fn);
}
// The two sets below are made anew for each validation (fresh()), never emptied with clear(). A
// set that outlives many files sits in the old generation, and so, once a collection moved them
// there, do the tables it grows into; clear() leaves such a table holding the nodes it had, and the
// young-generation collector, which does not look for garbage in the old generation, then keeps
// those nodes and everything they reach (the file's other values, its text) and moves them to the
// old generation too. In a parse worker that kept about a third of what it allocated past each
// scavenge: scavenges of ~10 ms instead of ~1 ms and a full collection every second.
/** Nodes seen by the current fast walk or learning (aliases reach a node twice). */
let seen = new Set<object>();
/** Nodes of the current fast walk holding (or above) a null in a mapping. */
let dirty = new Set<object>();
/** Empty sets for the next walk (see above). */
function fresh(): void {
  if (seen.size > 0) seen = new Set();
  if (dirty.size > 0) dirty = new Set();
}

/** The object as the proxy shows it to the validator: nulls in mappings absent (only dirty nodes copied). */
function withoutNulls(node: unknown): unknown {
  if (node === null || typeof node !== 'object' || !dirty.has(node)) return node;
  if (Array.isArray(node)) return node.map(withoutNulls);
  const copy: Obj = {};
  for (const k in node as Obj) {
    const v = (node as Obj)[k];
    if (v !== null) copy[k] = withoutNulls(v);
  }
  return copy;
}

function sameSet(a: Set<string> | null, b: Set<string> | null): boolean {
  if (a === null || b === null) return a === b;
  if (a.size !== b.size) return false;
  for (const k of a) if (!b.has(k)) return false;
  return true;
}

/** Merge what a proxied run observed at `node` into `loc`; false when the object cannot teach (alias). */
function learn(node: object, rec: NodeTracker, loc: Loc, tracking: Tracking): boolean {
  if (seen.has(node)) return false;
  seen.add(node);
  const childOf = (slot: Child | undefined, v: unknown): Child | undefined | false => {
    if (v === null || typeof v !== 'object') return slot;
    const r = tracking.nodes.get(v);
    if (!r) {
      if (slot !== undefined && slot !== UNTRACKED) loc.unstable = true;
      return UNTRACKED;
    }
    if (slot === UNTRACKED) loc.unstable = true;
    const next: Loc = slot === undefined || slot === UNTRACKED ? {} : slot;
    return learn(v, r, next, tracking) ? next : false;
  };
  if (!rec.mapping) {
    const arr = node as unknown[];
    loc.arrayKnown = true;
    for (let i = 0; i < arr.length; i++) {
      const c = childOf(loc.items, arr[i]);
      if (c === false) return false;
      loc.items = c;
    }
    return true;
  }
  const declared = rec.read !== null && !rec.enumerated ? rec.read : null;
  let m = loc.map;
  if (!m) {
    m = loc.map = { declared: declared && new Set(declared), enumerated: rec.enumerated, children: new Map(), any: undefined };
  } else if (m.enumerated !== rec.enumerated || !sameSet(m.declared, declared)) {
    loc.unstable = true;
  }
  const obj = node as Obj;
  for (const k in obj) {
    const v = obj[k];
    if (m.enumerated) {
      const c = childOf(m.any, v);
      if (c === false) return false;
      m.any = c;
    } else {
      if (declared && !declared.has(k)) continue; // unknown field: not walked
      const c = childOf(m.children.get(k), v);
      if (c === false) return false;
      if (c !== undefined) m.children.set(k, c);
    }
  }
  return true;
}

/** Violations (unknown fields) and YAML notes from one walk; null when the proxy must run. */
class FastWalk {
  stack: Array<string | number> = [];
  ok = true;
  constructor(
    readonly out: Violation[],
    readonly scalar: (parent: Obj, key: string | number, v: unknown, stack: Array<string | number>) => void,
    /** Track the nodes walked, to give up on one reached twice (an alias); an unshared object needs not (a set insertion per node). */
    readonly guard: boolean,
  ) {}
  readonly ancestors: Obj[] = [];
  walk(node: Obj, loc: Loc): void {
    if (loc.unstable || (this.guard && seen.has(node))) {
      this.ok = false;
      return;
    }
    if (this.guard) seen.add(node);
    this.ancestors.push(node);
    this.body(node, loc);
    this.ancestors.pop();
  }
  private body(node: Obj, loc: Loc): void {
    const stack = this.stack;
    if (Array.isArray(node)) {
      const items = loc.items;
      if (!loc.arrayKnown) {
        this.ok = false;
        return;
      }
      for (let i = 0; i < node.length; i++) {
        const v: unknown = node[i];
        if (v !== null && typeof v === 'object') {
          if (items === UNTRACKED) continue;
          if (items === undefined) {
            this.ok = false;
            return;
          }
          stack.push(i);
          this.walk(v as Obj, items);
          stack.pop();
          if (!this.ok) return;
        } else this.scalar(node, i, v, stack);
      }
      return;
    }
    const m = loc.map;
    if (!m) {
      this.ok = false;
      return;
    }
    const declared = m.declared;
    let extra: string[] | undefined | null = null;
    for (const k in node) {
      const v = node[k];
      if (v === null) {
        // The API server reads null as absent: the validator is shown a copy without it.
        if (m.enumerated || declared !== null) for (const a of this.ancestors) dirty.add(a);
        if (declared && !declared.has(k)) {
          if (extra === null) extra = extraPropsFor(declared);
          if (!extra?.includes(k)) this.out.push(unknownField(k, declared, extra, stack));
        }
        continue;
      }
      if (declared && !declared.has(k)) {
        if (extra === null) extra = extraPropsFor(declared);
        if (!extra?.includes(k)) {
          this.out.push(unknownField(k, declared, extra, stack));
          continue;
        }
      }
      if (typeof v === 'object') {
        const c = m.enumerated ? m.any : declared === null ? UNTRACKED : m.children.get(k);
        if (c === UNTRACKED) continue;
        if (c === undefined) {
          this.ok = false;
          return;
        }
        stack.push(k);
        this.walk(v as Obj, c);
        stack.pop();
        if (!this.ok) return;
      } else this.scalar(node, k, v, stack);
    }
  }
}

function pointerOf(stack: Array<string | number>, last?: string | number): string {
  let p = '';
  for (const t of stack) p += '/' + escapeToken(t);
  return last === undefined ? p : p + '/' + escapeToken(last);
}

function unknownField(k: string, declared: Set<string>, extra: string[] | undefined, stack: Array<string | number>): Violation {
  const allowed = extra ? [...declared, ...extra] : [...declared];
  const sugg = nearest(k, allowed);
  return {
    path: pointerOf(stack, k), on: 'key', code: 'unknown-field',
    message: `unknown field "${k}"${sugg ? `; did you mean "${sugg}"?` : ': the API server rejects it (strict field validation)'}`,
  };
}

/** The proxy run's walk: unknown fields of every mapping the validator reached, and YAML notes. */
function slowWalk(
  obj: Obj,
  tracking: Tracking,
  out: Violation[],
  scalar: (parent: Obj, key: string | number, v: unknown, stack: Array<string | number>) => void,
): void {
  const stack: Array<string | number> = [];
  const walk = (node: Obj) => {
    const rec = tracking.nodes.get(node);
    if (!rec) return; // never reached by the validator: free-form, or below a type error
    if (!rec.mapping) {
      const arr = node as unknown as unknown[];
      for (let i = 0; i < arr.length; i++) {
        const v = arr[i];
        if (v !== null && typeof v === 'object') {
          stack.push(i);
          walk(v as Obj);
          stack.pop();
        } else scalar(node, i, v, stack);
      }
      return;
    }
    const declared = rec.read !== null && !rec.enumerated ? rec.read : null;
    let extra: string[] | undefined | null = null;
    for (const k in node) {
      if (declared && !declared.has(k)) {
        if (extra === null) extra = extraPropsFor(declared);
        if (!extra?.includes(k)) {
          out.push(unknownField(k, declared, extra, stack));
          continue; // its subtree is unknown as a whole
        }
      }
      const v = node[k];
      if (v !== null && typeof v === 'object') {
        stack.push(k);
        walk(v as Obj);
        stack.pop();
      } else scalar(node, k, v, stack);
    }
  };
  walk(obj);
}

/** Validate a built-in kind's object; violations sorted by path. */
export function validateBuiltin(obj: Obj, fn: ValidateFn, opts: ValidateOptions = {}): Violation[] {
  const out: Violation[] = [];
  // Plain scalars Kubernetes types differently (collected in the unknown-field walk).
  const notes: YamlNote[] = [];
  const overrides = new Map<object, Map<string, unknown>>();
  const scalar = (parent: Obj, key: string | number, v: unknown, stack: Array<string | number>) => {
    if (!opts.raw) return;
    let go: GoYamlValue | undefined;
    let path: string | undefined;
    let src: string | null = null;
    if (typeof v === 'string') {
      // Cheapest first: the first character, then whether the file has the value as a plain scalar
      // at all (quoted wherever it is written, `"8080"`, `"true"`: a string for Kubernetes too), and
      // only then go-yaml's resolution (expressions and a BigInt for numbers), once.
      if (v.length === 0 || !mayBeNonString(v.charCodeAt(0))) return;
      if (opts.mayBePlain && !opts.mayBePlain(v)) return;
      go = goYamlNonString(v);
      if (!go) return;
      path = pointerOf(stack, key);
      src = withoutAnchor(opts.raw(path));
      if (src !== v) return; // quoted, tagged or a block scalar: a string for Kubernetes too
    } else if (typeof v === 'number' && opts.checkNumbers) {
      path = pointerOf(stack, key);
      src = withoutAnchor(opts.raw(path));
      if (src === null) return;
      go = goYamlNumberDiffers(src, v);
    }
    if (!go || path === undefined || src === null) return;
    notes.push({ path, src, go, parsed: v });
    let m = overrides.get(parent);
    if (!m) overrides.set(parent, (m = new Map()));
    m.set(String(key), go.value);
  };

  let errors: AjvError[];
  let table = tables.get(fn);
  let fast: FastWalk | undefined;
  if (table && !table.unstable) {
    fast = new FastWalk(out, scalar, !opts.unshared);
    fresh();
    fast.walk(obj, table);
    if (!fast.ok) {
      fast = undefined;
      out.length = 0;
      notes.length = 0;
      overrides.clear();
    }
  }
  if (fast) {
    validationPaths.table++;
    if (overrides.size === 0) {
      fn(dirty.size > 0 ? withoutNulls(obj) : obj);
      errors = fn.errors ?? [];
    } else errors = []; // validated again below
    fresh();
  } else {
    validationPaths.proxy++;
    const tracking = new Tracking();
    fn(tracking.wrap(obj));
    errors = fn.errors ?? [];
    if (!table) tables.set(fn, (table = {}));
    fresh();
    const rootRec = tracking.nodes.get(obj);
    if (rootRec && !learn(obj, rootRec, table, tracking)) {
      // An aliased node: what was learned from this object may be partial; start over next time.
      tables.delete(fn);
    }
    fresh();
    slowWalk(obj, tracking, out, scalar);
  }

  if (overrides.size > 0) {
    // Validate again with the values Kubernetes reads for those plain scalars.
    const tracking = new Tracking(overrides);
    fn(tracking.wrap(obj));
    errors = fn.errors ?? [];
  }
  const valueAt = (path: string): unknown => {
    for (const n of notes) if (n.path === path) return n.go.value;
    return getAt(obj, path);
  };

  // Errors: IntOrString and Quantity (oneOf) collapse to one finding per node.
  const oneOf = new Map<string, AjvError[]>();
  for (const e of errors) if (e.keyword === 'oneOf' || e.keyword === 'anyOf') oneOf.set(e.instancePath, []);
  const errorPaths = new Set<string>();
  for (const e of errors) {
    // Objects embedded in another (apps/v1beta1 volumeClaimTemplates, items of typed Lists) are
    // decoded without apiVersion/kind.
    if (e.keyword === 'required' && e.instancePath !== '' && (e.params['missingProperty'] === 'apiVersion' || e.params['missingProperty'] === 'kind')) continue;
    // "" is Go's zero value: the API server defaults it (imagePullPolicy, protocol...), not rejects it.
    if (e.keyword === 'enum' && valueAt(e.instancePath) === '') continue;
    errorPaths.add(e.instancePath);
    const group = oneOf.get(e.instancePath);
    if (group) {
      group.push(e);
      continue;
    }
    out.push(convert(e, valueAt(e.instancePath), opts.raw, notes));
  }
  for (const [path, errs] of oneOf) {
    const value = valueAt(path);
    const fmt = errs.find((e) => e.keyword === 'format' && typeof value === 'string');
    if (fmt) {
      out.push(convert(fmt, value, opts.raw, notes));
      continue;
    }
    const types = new Set(errs.filter((e) => e.keyword === 'type').map((e) => String(e.params['type'])));
    const expected = types.has('integer') && types.has('string') ? 'an integer or a string (int-or-string)'
      : types.has('number') && types.has('string') ? 'a quantity (a number or a string such as "500m" or "1Gi")'
      : [...types].map((t) => TYPE_WORD[t] ?? t).join(' or ');
    out.push({ path, on: 'node', code: 'type', message: `expected ${expected}, got ${describe(value)}` });
  }

  // Plain scalars whose Kubernetes typing differs but that validate: warn (other YAML 1.2 tools,
  // kustomize among them, read another value).
  for (const n of notes) {
    if (errorPaths.has(n.path)) continue;
    if (n.go.type === 'bool') {
      out.push({
        path: n.path, on: 'node', code: 'yaml-typing', warning: true, replacement: String(n.go.value),
        message: `Kubernetes reads the plain scalar ${n.src} as the boolean ${n.go.value} (YAML 1.1), YAML 1.2 tools as the string "${n.src}"; write ${n.go.value}`,
      });
    } else {
      const v = n.go.value as number;
      const octal = /^[-+]?0[0-7_]+$/.test(n.src) && Number.isInteger(v);
      const better = octal ? `${v < 0 ? '-' : ''}0o${Math.abs(v).toString(8)}` : String(v);
      out.push({
        path: n.path, on: 'node', code: 'yaml-typing', warning: true, replacement: better,
        message: `Kubernetes reads ${n.src} as ${v}${octal ? ' (octal, YAML 1.1)' : ''}, YAML 1.2 tools as ${JSON.stringify(n.parsed)}; write ${better}${octal ? ` or ${v}` : ''}`,
      });
    }
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** An anchor (`&a yes`) does not change how a scalar is typed; a tag (`!!str yes`) does. */
function withoutAnchor(src: string | null): string | null {
  return src !== null && src.charCodeAt(0) === 38 ? src.replace(/^&\S+\s+/, '') : src;
}

const TYPE_WORD: Record<string, string> = {
  object: 'a mapping', array: 'a list', string: 'a string', integer: 'an integer', number: 'a number', boolean: 'a boolean',
};

function describe(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `the string ${show(v)}`;
  if (typeof v === 'number') return `the number ${show(v)}`;
  return `the ${typeof v} ${String(v)}`;
}

function show(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? s.slice(0, 57) + '..."' : s;
}

function convert(e: AjvError, value: unknown, raw: RawText | undefined, notes: YamlNote[]): Violation {
  const path = e.instancePath;
  switch (e.keyword) {
    case 'required':
      return { path, on: 'node', code: 'required', message: `missing required field "${String(e.params['missingProperty'])}"` };
    case 'type': {
      const want = String(e.params['type']);
      if (want === 'string' && (typeof value === 'number' || typeof value === 'boolean')) {
        const note = notes.find((n) => n.path === path);
        const src = note?.src ?? raw?.(path) ?? String(value);
        const quoted = JSON.stringify(src);
        const what = note
          ? `Kubernetes reads the plain scalar ${src} as the ${note.go.type === 'bool' ? 'boolean' : 'number'} ${String(note.go.value)} (YAML 1.1), not a string`
          : `expected a string, got the ${typeof value} ${src}`;
        return { path, on: 'node', code: 'type', replacement: quoted, message: `${what}; quote it: ${quoted}` };
      }
      return { path, on: 'node', code: 'type', message: `expected ${TYPE_WORD[want] ?? want}, got ${describe(value)}` };
    }
    case 'enum': {
      const allowed = (e.params['allowedValues'] as unknown[]) ?? [];
      const sugg = typeof value === 'string' ? allowed.find((a) => typeof a === 'string' && a.toLowerCase() === value.toLowerCase()) : undefined;
      return {
        path, on: 'node', code: 'enum',
        message: `${show(value)} is not one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}${sugg !== undefined ? `; did you mean ${JSON.stringify(sugg)}?` : ''}`,
      };
    }
    case 'format': {
      const f = String(e.params['format']);
      const hint = f === 'quantity' ? ' (such as "500m", "1.5", "64Mi" or "1Gi")' : f === 'date-time' ? ' (RFC 3339, such as "2024-01-31T12:00:00Z")' : f === 'byte' ? ' (base64)' : '';
      const msg = typeof value === 'number' ? `${show(value)} is out of the ${f} range` : `${show(value)} is not a valid ${f}${hint}`;
      return { path, on: 'node', code: 'format', message: msg };
    }
    default:
      return { path, on: 'node', code: 'type', message: `fails the schema (${e.keyword} ${JSON.stringify(e.params)})` };
  }
}

function getAt(root: unknown, pointer: string): unknown {
  if (pointer === '') return root;
  let cur: unknown = root;
  for (const raw of pointer.slice(1).split('/')) {
    const t = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[t];
  }
  return cur;
}

// ---- suggestions -------------------------------------------------------------------------------

/** Optimal string alignment distance (Levenshtein with adjacent transpositions). */
export function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  let prev2: number[] = [];
  let prev: number[] = Array.from({ length: n + 1 }, (_, j) => j);
  for (let i = 1; i <= m; i++) {
    const cur: number[] = [i];
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2]! + 1);
      cur.push(d);
    }
    prev2 = prev;
    prev = cur;
  }
  return prev[n]!;
}

/** The candidate nearest to `name` (case-insensitive match first), or undefined when none is close. */
export function nearest(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  const lname = name.toLowerCase();
  for (const c of candidates) {
    const lc = c.toLowerCase();
    const d = lc === lname ? 0.5 : editDistance(lname, lc);
    if (d < bestD) {
      best = c;
      bestD = d;
    }
  }
  return bestD <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

// ---- removed and deprecated APIs ---------------------------------------------------------------

export interface ApiLifecycle {
  apiVersion: string;
  kind: string;
  deprecatedIn: string | null;
  removedIn: string | null;
  replacement: string | null;
  replacementAvailableSince: string | null;
  source: string;
  note?: string;
}

let lifecycle: Map<string, ApiLifecycle> | undefined;

export function apiLifecycle(apiVersion: string, kind: string): ApiLifecycle | undefined {
  if (!lifecycle) {
    const rows = (JSON.parse(readFileSync(projectPath('rules/_removed-apis.json'), 'utf8')) as { apis: ApiLifecycle[] }).apis;
    lifecycle = new Map(rows.map((r) => [`${r.apiVersion}/${r.kind}`, r]));
  }
  return lifecycle.get(`${apiVersion}/${kind}`);
}

/** Minor number of a Kubernetes version like "1.30", "v1.30.2"; NaN when unreadable. */
export function kubeMinor(v: string): number {
  const m = /^v?1\.(\d+)/.exec(v);
  return m ? Number(m[1]) : NaN;
}

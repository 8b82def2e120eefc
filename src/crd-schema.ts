// Validation of custom resources against the openAPIV3Schema of their CustomResourceDefinition,
// the way the API server treats a structural schema: unknown fields are pruned, and rejected by
// strict field validation, unless x-kubernetes-preserve-unknown-fields; null counts as absent
// (pruned) unless the field is nullable; x-kubernetes-int-or-string takes an integer or a string.
// ajv compiles each schema the first time a custom resource needs it; its standalone code for the
// validator is kept in the code cache's directory, named by a hash of the schema, ajv's version and
// options, and run from there, compiled through the code cache, by later runs: they load no ajv
// and compile nothing (on the real corpus, 6 CRD schemas: about 0.1 s a run).

import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { compileCached, generatedModule } from './code-cache.js';
import { isObj } from './model.js';
import { PROJECT_ROOT } from './paths.js';
import { nearest, type Violation } from './schema.js';
import { loadVendored } from './vendor.js';

type Json = Record<string, unknown>;

interface AjvErrorV {
  instancePath: string;
  schemaPath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
  parentSchema?: Json;
}
type Compiled = ((data: unknown) => boolean) & { errors?: AjvErrorV[] | null };
interface AjvLike {
  compile(schema: Json): Compiled;
}
type StandaloneCode = (ajv: AjvLike, validate: Compiled) => string;

/** The options every schema is compiled with; `code.source` keeps what standaloneCode() needs. */
const AJV_OPTIONS = { strict: false, allErrors: true, verbose: true, validateFormats: false, validateSchema: false, code: { source: true } };
/** Changes when what is kept changes other than by ajv's version or options. */
const KEPT_FORMAT = 1;

const fromRoot = createRequire(join(PROJECT_ROOT, 'package.json'));
let ajv: { ajv: AjvLike; standaloneCode: StandaloneCode } | undefined;
function getAjv(): { ajv: AjvLike; standaloneCode: StandaloneCode } {
  if (!ajv) {
    const mod = loadVendored('ajv') as { default: new (opts: Json) => AjvLike; standaloneCode?: StandaloneCode };
    // Without the bundle (a build that stopped after tsc), the package's own generator.
    const standaloneCode = mod.standaloneCode ?? (fromRoot('ajv/dist/standalone') as { default: StandaloneCode }).default;
    ajv = { ajv: new mod.default(AJV_OPTIONS), standaloneCode };
  }
  return ajv;
}

/** The validator of a JSON schema: ajv's code for it, kept (see above). Throws when ajv cannot compile it. */
function compileSchema(schema: Json): Compiled {
  const { version } = fromRoot('ajv/package.json') as { version: string };
  const key = createHash('sha1').update(`${KEPT_FORMAT}\0${version}\0${JSON.stringify(AJV_OPTIONS)}\0${JSON.stringify(schema)}`).digest('hex');
  let direct: Compiled | undefined;
  const generate = () => {
    const { ajv, standaloneCode } = getAjv();
    direct = ajv.compile(schema);
    return standaloneCode(ajv, direct);
  };
  try {
    return run(generatedModule(`${key}.ajv.js`, generate));
  } catch {
    // The kept code failed: made again from ajv (which throws here if it cannot compile the schema);
    // should ajv's code not run either, ajv's validator itself.
    const fresh = generatedModule(`${key}.ajv.js`, generate, true);
    try {
      return run(fresh);
    } catch {
      return direct!;
    }
  }
}

/** Run ajv's standalone code (CommonJS; it requires only ajv's runtime helpers). */
function run({ file, code }: { file: string; code: string }): Compiled {
  const module = { exports: {} as unknown };
  const require = (id: string): unknown => {
    if (/^ajv\/dist\/runtime\/\w+$/.test(id)) return fromRoot(id);
    throw new Error(`ajv's code for a schema requires ${id}`);
  };
  compileCached(file, code, ['module', 'exports', 'require'])(module, module.exports, require);
  if (typeof module.exports !== 'function') throw new Error(`no validator in ${file}`);
  return module.exports as Compiled;
}

export interface CrdVersion {
  name: string;
  served: boolean;
  /** The CRD's openAPIV3Schema for this version (a reference into the CRD object), if any. */
  schema?: Json;
  compiled?: Compiled | null;
}

export interface CrdInfo {
  group: string;
  kind: string;
  /** metadata.name of the CRD, for messages. */
  name: string;
  versions: CrdVersion[];
  /** apiextensions v1beta1 with spec.preserveUnknownFields not false: nothing is pruned. */
  keepUnknown: boolean;
}

/** Read the parts of a CustomResourceDefinition the validation needs; null when it is malformed. */
export function crdInfo(obj: Json): CrdInfo | null {
  const spec = obj['spec'];
  if (!isObj(spec)) return null;
  const names = spec['names'];
  const group = spec['group'];
  const kind = isObj(names) ? names['kind'] : undefined;
  if (typeof group !== 'string' || typeof kind !== 'string') return null;
  const meta = isObj(obj['metadata']) ? obj['metadata'] : {};
  const v1beta1 = obj['apiVersion'] === 'apiextensions.k8s.io/v1beta1';
  const topSchema = isObj(spec['validation']) && isObj(spec['validation']['openAPIV3Schema']) ? spec['validation']['openAPIV3Schema'] : undefined;
  const versions: CrdVersion[] = [];
  if (Array.isArray(spec['versions'])) {
    for (const v of spec['versions']) {
      if (!isObj(v) || typeof v['name'] !== 'string') continue;
      const s = isObj(v['schema']) && isObj(v['schema']['openAPIV3Schema']) ? v['schema']['openAPIV3Schema'] : topSchema;
      versions.push({ name: v['name'], served: v['served'] !== false, ...(s ? { schema: s } : {}) });
    }
  } else if (typeof spec['version'] === 'string') {
    versions.push({ name: spec['version'], served: true, ...(topSchema ? { schema: topSchema } : {}) });
  }
  return { group, kind, name: typeof meta['name'] === 'string' ? meta['name'] : `${group}/${kind}`, versions, keepUnknown: v1beta1 && spec['preserveUnknownFields'] !== false };
}

const COPY = [
  'enum', 'required', 'minimum', 'maximum', 'minLength', 'maxLength', 'pattern', 'minItems', 'maxItems',
  'uniqueItems', 'minProperties', 'maxProperties', 'multipleOf',
] as const;

/** The structural schema as a JSON Schema for ajv (draft-07), with the API server's semantics. */
export function toJsonSchema(s: Json, keepUnknown: boolean, root = true): Json {
  const out: Json = {};
  for (const k of COPY) if (s[k] !== undefined) out[k] = s[k];
  // OpenAPI 3.0 boolean exclusiveMinimum/Maximum -> draft-07 numbers.
  if (s['exclusiveMinimum'] === true && typeof s['minimum'] === 'number') {
    out['exclusiveMinimum'] = s['minimum'];
    delete out['minimum'];
  }
  if (s['exclusiveMaximum'] === true && typeof s['maximum'] === 'number') {
    out['exclusiveMaximum'] = s['maximum'];
    delete out['maximum'];
  }
  const intOrString = s['x-kubernetes-int-or-string'] === true;
  const preserve = keepUnknown || s['x-kubernetes-preserve-unknown-fields'] === true || s['x-kubernetes-embedded-resource'] === true;
  if (intOrString) out['type'] = ['integer', 'string'];
  else if (typeof s['type'] === 'string') out['type'] = s['type'];
  if (out['type'] && s['nullable'] === true) out['type'] = [...(Array.isArray(out['type']) ? out['type'] : [out['type']]), 'null'];
  if (out['enum'] && s['nullable'] === true) out['enum'] = [...(out['enum'] as unknown[]), null];
  let props: Json | undefined;
  if (isObj(s['properties'])) {
    props = {};
    for (const [k, v] of Object.entries(s['properties'])) if (isObj(v)) props[k] = toJsonSchema(v, keepUnknown, false);
  }
  if (root || s['x-kubernetes-embedded-resource'] === true) {
    props ??= {};
    props['apiVersion'] = { type: 'string' };
    props['kind'] = { type: 'string' };
    props['metadata'] = { type: 'object' };
  }
  if (props) out['properties'] = props;
  if (isObj(s['additionalProperties'])) out['additionalProperties'] = toJsonSchema(s['additionalProperties'], keepUnknown, false);
  else if (s['additionalProperties'] === true) out['additionalProperties'] = true;
  else if (!preserve && !intOrString && (s['type'] === 'object' || props)) out['additionalProperties'] = false;
  if (isObj(s['items'])) out['items'] = toJsonSchema(s['items'], keepUnknown, false);
  for (const k of ['allOf', 'anyOf', 'oneOf'] as const) {
    if (Array.isArray(s[k])) out[k] = (s[k] as unknown[]).filter(isObj).map((x) => toJsonSchema(x, true, false));
  }
  if (isObj(s['not'])) out['not'] = toJsonSchema(s['not'], true, false);
  return out;
}

/** A copy without null-valued mapping entries: the API server prunes them before validation. */
function dropNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(dropNulls);
  if (v === null || typeof v !== 'object') return v;
  const out: Json = {};
  for (const [k, x] of Object.entries(v as Json)) if (x !== null) out[k] = dropNulls(x);
  return out;
}

function compiled(crd: CrdInfo, v: CrdVersion): Compiled | null {
  if (v.compiled === undefined) {
    try {
      v.compiled = v.schema ? compileSchema(toJsonSchema(v.schema, crd.keepUnknown)) : null;
    } catch {
      v.compiled = null; // a schema ajv cannot compile (bad pattern...): not our finding to make
    }
  }
  return v.compiled;
}

/** Validate a custom resource against its CRD. */
export function validateCustom(obj: Json, crd: CrdInfo): Violation[] {
  const apiVersion = String(obj['apiVersion']);
  const version = apiVersion.slice(apiVersion.indexOf('/') + 1);
  const v = crd.versions.find((x) => x.name === version);
  const defined = crd.versions.filter((x) => x.served).map((x) => `${crd.group}/${x.name}`);
  if (!v || !v.served) {
    return [{
      path: '/apiVersion', on: 'node', code: 'enum',
      message: `CustomResourceDefinition "${crd.name}" ${v ? 'does not serve' : 'does not define'} version "${version}" of ${crd.kind}; use ${defined.map((d) => `"${d}"`).join(' or ') || 'a served version'}`,
    }];
  }
  const fn = compiled(crd, v);
  if (!fn || fn(dropNulls(obj))) return [];
  const errors = fn.errors ?? [];
  const out: Violation[] = [];
  for (const e of errors) {
    if (/\/(anyOf|oneOf)\/\d+\//.test(e.schemaPath)) continue; // branch details: the anyOf/oneOf error says it
    const value = getPath(obj, e.instancePath);
    switch (e.keyword) {
      case 'additionalProperties': {
        const k = String(e.params['additionalProperty']);
        const props = isObj(e.parentSchema?.['properties']) ? Object.keys(e.parentSchema['properties']) : [];
        const sugg = nearest(k, props);
        out.push({
          path: `${e.instancePath}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`, on: 'key', code: 'unknown-field',
          message: `unknown field "${k}"${sugg ? `; did you mean "${sugg}"?` : ''} (not in the schema of CustomResourceDefinition "${crd.name}")`,
        });
        break;
      }
      case 'required':
        out.push({ path: e.instancePath, on: 'node', code: 'required', message: `missing required field "${String(e.params['missingProperty'])}"` });
        break;
      case 'type':
        out.push({ path: e.instancePath, on: 'node', code: 'type', message: `expected ${typeWords(e.params['type'])}, got ${JSON.stringify(value)?.slice(0, 60) ?? 'null'}` });
        break;
      case 'enum':
        out.push({
          path: e.instancePath, on: 'node', code: 'enum',
          message: `${JSON.stringify(value)} is not one of ${((e.params['allowedValues'] as unknown[]) ?? []).map((a) => JSON.stringify(a)).join(', ')}`,
        });
        break;
      default:
        out.push({ path: e.instancePath, on: 'node', code: 'type', message: `${JSON.stringify(value)?.slice(0, 60) ?? 'value'} ${e.message ?? `fails ${e.keyword}`}` });
    }
  }
  return out;
}

function typeWords(t: unknown): string {
  const list = Array.isArray(t) ? t : String(t).split(',');
  const word: Record<string, string> = { object: 'a mapping', array: 'a list', string: 'a string', integer: 'an integer', number: 'a number', boolean: 'a boolean' };
  return list.filter((x) => x !== 'null').map((x) => word[String(x)] ?? String(x)).join(' or ');
}

function getPath(root: unknown, pointer: string): unknown {
  let cur = root;
  if (pointer === '') return cur;
  for (const raw of pointer.slice(1).split('/')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Json)[raw.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return cur;
}

// How Kubernetes types a plain (unquoted, untagged) YAML scalar. kubectl, the API server, Helm and
// kustomize decode YAML with sigs.k8s.io/yaml, i.e. go-yaml v2 (YAML 1.1 rules), then JSON. Our
// parser follows YAML 1.2 core, which differs for a few forms: `yes`/`no`/`on`/`off`/`y`/`n` are
// booleans for Kubernetes, `0755` is octal (493), `0b101` and `1_000` are integers. Own
// re-implementation of go-yaml v2's resolve rules (see /work/scratch/schema/yaml11.md).

export type GoYamlType = 'null' | 'bool' | 'int' | 'float' | 'string';

export interface GoYamlValue {
  type: GoYamlType;
  value: unknown;
}

const BOOL_TRUE = new Set(['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON']);
const BOOL_FALSE = new Set(['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF']);
const NULLS = new Set(['', '~', 'null', 'Null', 'NULL']);
const FLOAT_RE = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const INT_RE = /^([+-]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/;
const MIN_INT64 = -(2n ** 63n);
const MAX_UINT64 = 2n ** 64n - 1n;

/** Go strconv.ParseInt / ParseUint(s, 0, 64): 0x, 0o, 0b prefixes and a leading 0 for octal. */
function goParseInt(s: string): number | undefined {
  const m = INT_RE.exec(s);
  if (!m) return undefined;
  const body = m[2]!;
  let v: bigint;
  if (body.length > 1 && body[0] === '0' && /[0-7]/.test(body[1]!)) v = BigInt('0o' + body.slice(1));
  else if (/^0[oO]/.test(body)) v = BigInt('0o' + body.slice(2));
  else v = BigInt(body); // decimal, 0x, 0b
  if (m[1] === '-') v = -v;
  if (v < MIN_INT64 || v > MAX_UINT64) return undefined;
  return Number(v);
}

/** The type and value go-yaml v2 gives an untagged plain scalar whose source text is `src`. */
export function resolveGoYaml(src: string): GoYamlValue {
  if (NULLS.has(src)) return { type: 'null', value: null };
  if (BOOL_TRUE.has(src)) return { type: 'bool', value: true };
  if (BOOL_FALSE.has(src)) return { type: 'bool', value: false };
  switch (src) {
    case '.nan': case '.NaN': case '.NAN': return { type: 'float', value: NaN };
    case '.inf': case '.Inf': case '.INF': case '+.inf': case '+.Inf': case '+.INF': return { type: 'float', value: Infinity };
    case '-.inf': case '-.Inf': case '-.INF': return { type: 'float', value: -Infinity };
  }
  const c = src.charCodeAt(0);
  if (c === 46 /* . */) {
    if (/^\.[0-9]+([eE][-+]?[0-9]+)?$/.test(src)) return { type: 'float', value: Number(src) };
  } else if ((c >= 48 && c <= 57) || c === 43 || c === 45) {
    const plain = src.includes('_') ? src.replace(/_/g, '') : src;
    const i = goParseInt(plain);
    if (i !== undefined) return { type: 'int', value: i };
    if (FLOAT_RE.test(plain)) return { type: 'float', value: Number(plain) };
  }
  return { type: 'string', value: src };
}

/**
 * Whether a plain scalar starting with this character may be something other than a string for
 * Kubernetes (goYamlNonString looks no further when not): y Y n N o O (yes/no/on/off), digits, + - .
 */
export function mayBeNonString(c: number): boolean {
  return c === 121 || c === 89 || c === 110 || c === 78 || c === 111 || c === 79 || (c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46;
}

/**
 * A string our YAML 1.2 parser produced that Kubernetes would read as something else when written
 * plain: the YAML 1.1 booleans and the integer forms YAML 1.2 core does not know (`0b1`, `1_000`,
 * `-0x1F`). Cheap: most strings fail the first-character test.
 */
export function goYamlNonString(s: string): GoYamlValue | undefined {
  const c = s.charCodeAt(0);
  if (s.length === 0 || s.length > 40 || !mayBeNonString(c)) return undefined;
  // Of the words, only y, n, yes, no, on and off (any case form) are not strings: `nginx` is.
  if (c > 57 && s.length > 3) return undefined;
  const r = resolveGoYaml(s);
  return r.type === 'string' || r.type === 'null' ? undefined : r;
}

/**
 * When the source text of a number is written so that Kubernetes reads another value than YAML 1.2
 * (`0644` is 644 for YAML 1.2, 420 for Kubernetes), the value Kubernetes reads; else undefined.
 */
export function goYamlNumberDiffers(src: string, parsed: number): GoYamlValue | undefined {
  const c = src.charCodeAt(0);
  if (!((c >= 48 && c <= 57) || c === 43 || c === 45)) return undefined;
  const r = resolveGoYaml(src);
  if ((r.type === 'int' || r.type === 'float') && r.value !== parsed) return r;
  if (r.type === 'string' || r.type === 'bool' || r.type === 'null') return r;
  return undefined;
}

const BEFORE_NUMBER = /[\s,[{:-]/;

/**
 * Cheap gate over a document's text: does it hold a number with a leading zero (`0644`, `- 010`)?
 * That is a `0` followed by a digit or `_`, after a blank or one of `,[{:-`, with an optional sign
 * between. A scan from `0` to `0`: a regular expression starting with a class that matches every
 * blank tried nearly every offset of the file, and cost seconds on large runs.
 */
export function hasLeadingZeroNumber(text: string): boolean {
  for (let i = text.indexOf('0', 1); i !== -1; i = text.indexOf('0', i + 1)) {
    const next = text.charCodeAt(i + 1);
    if (!((next >= 48 && next <= 57) || next === 95)) continue;
    const prev = text[i - 1]!;
    if (BEFORE_NUMBER.test(prev)) return true;
    if (prev === '+' && i >= 2 && BEFORE_NUMBER.test(text[i - 2]!)) return true;
  }
  return false;
}

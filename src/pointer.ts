// JSON Pointer (RFC 6901) helpers. Rules build paths with `ptr`, the engine splits them.

/** Escape one reference token. */
export function escapeToken(token: string | number): string {
  if (typeof token === 'number') return String(token);
  if (!token.includes('~') && !token.includes('/')) return token;
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Join tokens onto a base pointer: ptr('/spec', 'template', 0) -> '/spec/template/0'. */
export function ptr(base: string, ...tokens: Array<string | number>): string {
  let out = base;
  for (const t of tokens) out = childPointer(out, t);
  return out;
}

/**
 * Pointers made by ptr(), by parent pointer and token. The model makes the same paths for every
 * workload (each container, each port) and again in done(): a parent ptr() made is a kept string
 * whose hash V8 remembers, so finding its child costs two small lookups instead of a new string to
 * concatenate, flatten and hash. Bounded like the tables below, and per parent (a map's keys).
 */
const children = new Map<string, Map<string | number, string>>();
const MAX_CHILDREN = 64;

function childPointer(base: string, token: string | number): string {
  let kids = children.get(base);
  if (kids === undefined) {
    if (children.size >= MAX_POINTERS) children.clear();
    children.set(base, (kids = new Map()));
  }
  let child = kids.get(token);
  if (child === undefined) {
    child = pointerOf(base + '/' + escapeToken(token));
    if (kids.size < MAX_CHILDREN) kids.set(token, child);
  }
  return child;
}

/**
 * Pointers made so far, each kept once. A pointer built by concatenation is a tree of the pieces it
 * was built from (V8's cons strings), about twice the memory of its text; the model's port,
 * container and template paths, the findings' paths and their related locations are such pointers,
 * tens of thousands of them on a large run, to the same few dozen places of each workload. The table
 * is emptied when it grows large (only sharing is lost).
 */
const pointers = new Map<string, string>();
const MAX_POINTERS = 4096;

/** The one copy of a pointer kept so far (a flat string), or this one, now kept. */
export function pointerOf(pointer: string): string {
  pointer.charCodeAt(0); // reading a character flattens a concatenation in place (hashing it does not)
  let kept = pointers.get(pointer);
  if (kept === undefined) {
    if (pointers.size >= MAX_POINTERS) pointers.clear();
    pointers.set(pointer, pointer);
    kept = pointer;
  }
  return kept;
}

/**
 * Pointers split so far. Findings point at few distinct paths (106,000 positions on the synthetic
 * corpus come from 33 paths), so each is split once; the table is emptied when it grows large.
 */
const splits = new Map<string, readonly string[]>();
const MAX_SPLITS = 4096;

/** Split a pointer into unescaped tokens; '' is the whole document. The array is shared: never change it. */
export function splitPointer(pointer: string): readonly string[] {
  let tokens = splits.get(pointer);
  if (tokens === undefined) {
    tokens = split(pointer);
    if (splits.size >= MAX_SPLITS) splits.clear();
    splits.set(pointer, tokens);
  }
  return tokens;
}

function split(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new Error(`invalid JSON Pointer ${JSON.stringify(pointer)}`);
  const tokens = pointer.slice(1).split('/');
  if (!pointer.includes('~')) return tokens;
  return tokens.map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** The value at a pointer in a plain object, or undefined. */
export function getAt(root: unknown, pointer: string): unknown {
  let cur: unknown = root;
  for (const t of splitPointer(pointer)) {
    if (Array.isArray(cur)) cur = cur[Number(t)];
    else if (cur !== null && typeof cur === 'object') cur = (cur as Record<string, unknown>)[t];
    else return undefined;
  }
  return cur;
}

// Files shipped with the package (schemas, rule data), found relative to this module; and making
// directories.

import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

/** The package root: this file is dist/src/paths.js. */
export const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function projectPath(rel: string): string {
  return join(PROJECT_ROOT, rel);
}

/**
 * Make `dir` and the missing directories above it, one level at a time: Node's recursive mkdirSync
 * spins forever under /proc (it keeps retrying ENOENT there), which turned a bad --output-file or
 * NODE_COMPILE_CACHE into a hang. Throws what mkdirSync throws.
 */
export function makeDirs(dir: string, mode?: number): void {
  const missing: string[] = [];
  for (let d = dir; !existsSync(d); d = dirname(d)) {
    missing.unshift(d);
    if (dirname(d) === d) break;
  }
  for (const d of missing) mkdirSync(d, mode === undefined ? undefined : { mode });
}

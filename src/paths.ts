// Files shipped with the package (schemas, rule data), found relative to this module.

import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

/** The package root: this file is dist/src/paths.js. */
export const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function projectPath(rel: string): string {
  return join(PROJECT_ROOT, rel);
}

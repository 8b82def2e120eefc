// Glob matching for ignorePatterns and config ignores. minimatch (eight modules) loads on the first
// match, through its CommonJS build, so that runs without patterns (a check of one file) skip it.

import { createRequire } from 'node:module';
import type { MinimatchOptions } from 'minimatch';

type Match = (path: string, pattern: string, options?: MinimatchOptions) => boolean;
let match: Match | undefined;

export function globMatch(path: string, pattern: string, options?: MinimatchOptions): boolean {
  match ??= (createRequire(import.meta.url)('minimatch') as { minimatch: Match }).minimatch;
  return match(path, pattern, options);
}

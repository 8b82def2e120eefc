// Errors that end a run with exit status 2 and one line on stderr (never a stack trace).

import { isAbsolute, relative, sep } from 'node:path';

/** The run itself failed: bad flag, invalid config, a path that does not exist or cannot be read. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Path as shown to users: relative to cwd when inside it, with forward slashes. */
export function displayPath(file: string, cwd: string): string {
  if (!isAbsolute(file)) return file.split(sep).join('/');
  const rel = relative(cwd, file);
  if (rel === '' ) return '.';
  if (rel.startsWith('..') || isAbsolute(rel)) return file.split(sep).join('/');
  return rel.split(sep).join('/');
}

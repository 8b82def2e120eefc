// What the bench scripts share: where things are, and their command-line options.

import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const WORK = join(ROOT, 'bench', '.work');
export const CLI = join(ROOT, 'dist', 'src', 'cli.js');
const argv = process.argv.slice(2);
/** Whether a flag was given. */
export const flag = (k) => argv.includes(k);
/** The value after an option, or its default. */
export const opt = (k, d) => (argv.includes(k) ? argv[argv.indexOf(k) + 1] : d);
export const RUNS = Number(opt('--runs', '5'));
export const CORPUS = resolve(ROOT, opt('--corpus', '../shared/corpus'));

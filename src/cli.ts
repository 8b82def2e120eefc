#!/usr/bin/env node
// `kube-preflight`: loads the command line (src/cli-main.ts) and runs it.
//
// `npm run build` bundles the command line, and every module of ours it imports, into one CommonJS
// file, dist/src/cli-main.cjs (scripts/bundle.mjs). This launcher compiles it through the code cache
// (src/code-cache.ts), as the schema validators and the vendored packages are: from the second run
// on, V8 finds the bundle parsed and its functions compiled, where Node 20 would parse and compile
// ES modules on every run (it has no compile cache for them). On a one-file check that is about
// 50 ms of some 350, in interleaved runs. Without the bundle (a build that stopped after tsc), the
// launcher imports tsc's module instead.

import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runCommonJs } from './code-cache.js';
import { lendImport } from './import-package.js';

interface CommandLine {
  runCommandLine(): void;
}

const bundle = fileURLToPath(new URL('./cli-main.cjs', import.meta.url));
let cli: CommandLine;
if (existsSync(bundle)) {
  // Code compiled as the bundle is has no import() on Node 20 (see import-package.ts): lend ours.
  lendImport((specifier) => import(specifier));
  cli = runCommonJs(bundle).exports as CommandLine;
} else {
  cli = await import('./cli-main.js');
}
cli.runCommandLine();

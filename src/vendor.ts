// Packages loaded on first use (yaml for the precise parse, ajv for custom resources' schemas), from
// one-file bundles of them that `npm run build` writes beside the command line's bundle
// (scripts/bundle.mjs), when they are there. As published, yaml is some 70 CommonJS modules and ajv
// some 65: Node resolves, reads and compiles each, about 50 ms apiece on a cold run (the first
// precise parse, the first custom resource); one file each loads in about 15. Without the bundles
// (a build that stopped after tsc), the packages load from node_modules as before.

import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from './paths.js';

const require = createRequire(import.meta.url);

/** The packages bundled, and where each bundle is (tests check each is there and current). */
export const VENDORED = { yaml: 'dist/src/vendor-yaml.cjs', ajv: 'dist/src/vendor-ajv.cjs' } as const;

/** The package `name`, from its bundle under `root` (the project) when there is one. */
export function loadVendored(name: keyof typeof VENDORED, root = PROJECT_ROOT): unknown {
  const bundle = join(root, VENDORED[name]);
  return require(existsSync(bundle) ? bundle : name);
}

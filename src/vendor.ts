// Packages loaded on first use (js-yaml for reading files, yaml for the precise parse, ajv for custom
// resources' schemas), from one-file bundles of them that `npm run build` writes beside the command
// line's bundle (scripts/bundle.mjs), when they are there. As published, yaml is some 70 CommonJS
// modules and ajv some 65: Node resolves, reads and compiles each, about 50 ms apiece on a cold run
// (the first precise parse, the first custom resource); one file each loads in about 15. A bundle
// is compiled through the code cache, as the schema validators are (src/code-cache.ts): once a run
// has used it, later runs find its functions compiled. Without the bundles (a build that stopped
// after tsc), the packages load from node_modules as before.

import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runCommonJs } from './code-cache.js';
import { PROJECT_ROOT } from './paths.js';

const require = createRequire(import.meta.url);

/** The packages bundled, and where each bundle is (tests check each is there and current). */
export const VENDORED = { 'js-yaml': 'dist/src/vendor-js-yaml.cjs', yaml: 'dist/src/vendor-yaml.cjs', ajv: 'dist/src/vendor-ajv.cjs' } as const;

/** Each package loaded: the file it came from, and whether the code cache served its compiled code (tests look). */
export const vendorLoaded = new Map<keyof typeof VENDORED, { file: string; cached: boolean }>();
const loaded = new Map<string, unknown>();

/** The package `name`, from its bundle under `root` (the project) when there is one. */
export function loadVendored(name: keyof typeof VENDORED, root = PROJECT_ROOT): unknown {
  const bundle = join(root, VENDORED[name]);
  if (!existsSync(bundle)) {
    vendorLoaded.set(name, { file: require.resolve(name), cached: false });
    return require(name);
  }
  let exports = loaded.get(bundle);
  if (exports === undefined) {
    // The bundles require nothing but Node's own modules.
    const ran = runCommonJs(bundle);
    loaded.set(bundle, (exports = ran.exports));
    vendorLoaded.set(name, { file: bundle, cached: ran.cached });
  }
  return exports;
}

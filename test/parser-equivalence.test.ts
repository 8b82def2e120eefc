// The fast YAML strategy (js-yaml with an offset tree) must give exactly the findings of the
// precise one (the `yaml` package's Document API): same positions, same messages, same fixes.
// Compared on real-world manifests (test/corpus-sample) and on every fixture.

import t from 'tap';
import { join } from 'node:path';
import { ROOT } from './helpers/harness.js';
import { run } from '../src/run.js';
import { toJsonFinding } from '../src/formatters/json.js';
import type { EngineFinding } from '../src/engine.js';
import type { LoadedConfig } from '../src/config.js';

const config = (dir: string): LoadedConfig => ({ config: {}, file: null, dir, ignoreLocations: [] });

for (const dir of ['test/corpus-sample', 'fixtures', 'examples']) {
  t.test(dir, async (t) => {
    const cwd = join(ROOT, dir);
    const lint = (precise: boolean) => run({ cwd, paths: ['.'], config: config(cwd), strict: true, precise, reportUnusedSuppressions: true, facts: { 'linkerd.controlPlaneVersion': 'stable-2.14.10' } });
    const [fast, precise] = await Promise.all([lint(false), lint(true)]);
    const view = (fs: EngineFinding[]) => fs.map((f) => ({ ...toJsonFinding(f), edits: f.edits ?? null, suppressed: f.suppressed ?? null }));
    t.ok(fast.result.findings.length > 5, `${dir} produces findings to compare (${fast.result.findings.length})`);
    t.same(view(fast.result.findings as EngineFinding[]), view(precise.result.findings as EngineFinding[]), 'identical findings, positions and fixes');
    t.same(fast.result.summary, precise.result.summary);
  });
}

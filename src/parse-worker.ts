// A parse worker (see parse-pool.ts): reads the files it is sent, parses them with the fast
// parser, runs the rules' prepare() on each resource, and sends back the text, the parse as data
// and the prepared results. Nothing else runs here.

import { parentPort, workerData } from 'node:worker_threads';
import { readInput, type InputFile } from './loader.js';
import { helmSource, isObj, resourcesOf } from './model.js';
import { loadRule } from './registry.js';
import { SourceFile } from './yaml-source.js';
import type { ParsedInput, PrepareSpec } from './parse-pool.js';
import type { FileRef, Rule } from './types.js';

const port = parentPort!;
const specs = (workerData as { prepare?: PrepareSpec[] } | null)?.prepare ?? [];
const rules: Promise<Array<{ rule: Rule; options: Record<string, unknown> }>> = Promise.all(
  specs.map(async (s) => ({ rule: await loadRule(s.id), options: s.options })),
);

port.on('message', (job: { index: number; input: InputFile }) => {
  void rules.then(
    (prep) => answer(job, prep),
    () => port.postMessage({ index: job.index, local: true } satisfies ParsedInput),
  );
});

function answer(job: { index: number; input: InputFile }, prep: Array<{ rule: Rule; options: Record<string, unknown> }>): void {
  const { index, input } = job;
  let out: ParsedInput;
  let transfer: ArrayBuffer[] = [];
  try {
    const read = readInput(input);
    if ('problem' in read) {
      out = { index, problem: read.problem };
    } else {
      const src = new SourceFile(read.text, { fastOnly: true });
      let prepared: unknown[][] | undefined;
      if (prep.length > 0 && src.fast) {
        // The engine's resources of this file, in the engine's order.
        const ref: FileRef = { index, path: input.display, context: input.context };
        prepared = [];
        src.documents.forEach((d, doc) => {
          if (d.problems.length > 0 || d.empty || !isObj(d.value)) return;
          for (const r of resourcesOf(ref, doc, d.value, helmSource(read.text, d.start, d.range[0]))) {
            const view = { sourceText: (path: string) => src.sourceText(doc, r.base + path, 'node'), fileText: read.text };
            prepared!.push(prep.map((p) => p.rule.prepare!(r, view, p.options)));
          }
        });
      }
      const made = src.toFastParse();
      out = { index, text: read.text, bom: read.bom, parse: made?.parse ?? null, ...(made && prepared ? { prepared } : {}) };
      if (made) transfer = made.transfer;
    }
  } catch {
    // Unreadable, or anything unexpected: the engine's thread reads the file itself and says why.
    out = { index, local: true };
  }
  port.postMessage(out, transfer);
}

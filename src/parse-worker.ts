// A parse worker (see parse-pool.ts): reads the files it is sent, parses them, runs the rules'
// prepare() on each resource, and sends back the text and the prepared results (small, plain data).
// The parse itself stays here: the engine's thread parses the text again, which costs less than
// sending the values across. Nothing else runs here.

import { parentPort, workerData } from 'node:worker_threads';
import { readInput, type InputFile } from './loader.js';
import { helmSource, isObj, resourcesOf } from './model.js';
import { loadRule } from './registry.js';
import { captureSkeleton, RangeList } from './skeleton.js';
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
  try {
    const read = readInput(input);
    if ('problem' in read) {
      out = { index, problem: read.problem };
    } else {
      const src = new SourceFile(read.text, { fastOnly: true });
      let prepared: unknown[][] | undefined;
      let skeletons: { ranges: Int32Array; at: number[] } | undefined;
      const cursor = src.cursor();
      if (cursor) {
        // The engine's resources of this file, in the engine's order.
        const ref: FileRef = { index, path: input.display, context: input.context };
        if (prep.length > 0) prepared = [];
        // The ranges of their skeletons' nodes, captured here so the engine's thread need not (see captureSkeleton).
        const list = new RangeList();
        const at: number[] = [];
        let captured = true;
        src.documents.forEach((d, doc) => {
          if (d.problems.length > 0 || d.empty || !isObj(d.value)) return;
          for (const r of resourcesOf(ref, doc, d.value, helmSource(read.text, d.start, d.range[0]))) {
            if (prepared) {
              const view = { sourceText: (path: string) => src.sourceText(doc, r.base + path, 'node'), fileText: read.text };
              prepared.push(prep.map((p) => p.rule.prepare!(r, view, p.options)));
            }
            at.push(list.n);
            if (captured) captured = captureSkeleton(cursor, doc, r.base, r.kind, r.object, list);
          }
        });
        if (captured) skeletons = { ranges: list.done(), at };
      }
      out = { index, text: read.text, bom: read.bom, ...(prepared ? { prepared } : {}), ...(skeletons ? { skeletons } : {}) };
    }
  } catch {
    // Unreadable, or anything unexpected: the engine's thread reads the file itself and says why.
    out = { index, local: true };
  }
  port.postMessage(out, 'skeletons' in out && out.skeletons ? [out.skeletons.ranges.buffer as ArrayBuffer] : []);
}

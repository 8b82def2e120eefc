// A parse worker (see parse-pool.ts): reads the files it is sent, parses them, runs the rules'
// prepare() on each resource, and sends back the file's bytes, the prepared results (small, plain
// data) and the parse's offset tree, from which the engine's thread makes the values again
// (valuesFromTree in quick-yaml.ts) in a fifth of the time a parse takes, where sending the values
// would cost more than parsing. Nothing else runs here. Told to retire, it makes its code-cache
// entries and ends.

import { parentPort, workerData } from 'node:worker_threads';
import { completeEntries } from './code-cache.js';
import { readInputBytes, type InputFile } from './loader.js';
import { helmSource, isObj, resourcesOf } from './model.js';
import { loadRule } from './registry.js';
import { SourceFile } from './yaml-source.js';
import type { PrepareSpec, WireInput } from './parse-pool.js';
import type { FileRef, Rule } from './types.js';

const port = parentPort!;
const specs = (workerData as { prepare?: PrepareSpec[] } | null)?.prepare ?? [];
/** Time each rule's prepare() (the engine's timing report, KUBE_PREFLIGHT_TIMING). */
const timing = Boolean((workerData as { timing?: boolean } | null)?.timing);
const rules: Promise<Array<{ rule: Rule; options: Record<string, unknown> }>> = Promise.all(
  specs.map(async (s) => ({ rule: await loadRule(s.id), options: s.options })),
);

/** A file to read; `size` as the engine's stat found it (0 when unknown), so that it is not stat()ed again. */
interface Job {
  index: number;
  input: InputFile;
  size?: number;
}

port.on('message', (job: Job | { retire: true }) => {
  if ('retire' in job) {
    // Every file is sent: make the code cache's entries of the modules compiled here (validators,
    // with the functions that ran; see code-cache.ts), then end.
    completeEntries();
    process.exit(0);
  }
  void rules.then(
    (prep) => answer(job, prep),
    () => port.postMessage({ index: job.index, local: true } satisfies WireInput),
  );
});

function answer(job: Job, prep: Array<{ rule: Rule; options: Record<string, unknown> }>): void {
  const { index, input } = job;
  let out: WireInput;
  try {
    const read = readInputBytes(input, job.size);
    if ('problem' in read) {
      out = { index, problem: read.problem };
    } else {
      const src = new SourceFile(read.text, { fastOnly: true, record: true });
      let prepared: unknown[][] | undefined;
      const ms = timing ? prep.map(() => 0) : undefined;
      // Positions need the fast parse; a file without it is prepared where it is used.
      if (src.fast && prep.length > 0) {
        // The engine's resources of this file, in the engine's order.
        const ref: FileRef = { index, path: input.display, context: input.context };
        const all: unknown[][] = (prepared = []);
        src.documents.forEach((d, doc) => {
          if (d.problems.length > 0 || d.empty || !isObj(d.value)) return;
          for (const r of resourcesOf(ref, doc, d.value, helmSource(read.text, d.start, d.range[0]))) {
            const view = { sourceText: (path: string) => src.sourceText(doc, r.base + path, 'node'), fileText: read.text, mayBePlain: (v: string) => src.mayBePlain(v), unshared: src.unshared };
            if (!ms) {
              all.push(prep.map((p) => p.rule.prepare!(r, view, p.options)));
              continue;
            }
            all.push(prep.map((p, i) => {
              const t = performance.now();
              const v = p.rule.prepare!(r, view, p.options);
              ms[i]! += performance.now() - t;
              return v;
            }));
          }
        });
      }
      const tree = src.shippedTree();
      // The bytes, not the text: they move to the engine's thread outside its heap, and become the
      // text there only when the engine takes the file up (see WireInput). A file under 4 KiB is
      // read into a slice of Node's shared buffer pool, which cannot move: it goes as a copy.
      const b = read.bytes;
      const bytes = b.byteOffset === 0 && b.byteLength === b.buffer.byteLength ? (b.buffer as ArrayBuffer) : b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
      out = { index, bytes, length: read.text.length, bom: read.bom, ...(prepared ? { prepared } : {}), ...(tree ? { tree } : {}), ...(ms ? { prepareMs: ms } : {}) };
    }
  } catch {
    // Unreadable, or anything unexpected: the engine's thread reads the file itself and says why.
    out = { index, local: true };
  }
  // The bytes and the tree's arrays move to the engine's thread (this parse is not used again).
  const moved: ArrayBuffer[] = [];
  if ('bytes' in out) moved.push(out.bytes);
  const tree = 'tree' in out ? out.tree : undefined;
  if (tree) moved.push(tree.a.buffer as ArrayBuffer, tree.keyIds.buffer as ArrayBuffer, tree.how.buffer as ArrayBuffer);
  port.postMessage(out, moved);
}

// A parse worker (see parse-pool.ts): reads the files it is sent and parses them with the fast
// parser, and sends back the text and the parse as data. Nothing else runs here.

import { parentPort } from 'node:worker_threads';
import { readInput, type InputFile } from './loader.js';
import { SourceFile } from './yaml-source.js';
import type { ParsedInput } from './parse-pool.js';

const port = parentPort!;
port.on('message', (job: { index: number; input: InputFile }) => {
  const { index } = job;
  let out: ParsedInput;
  let transfer: ArrayBuffer[] = [];
  try {
    const read = readInput(job.input);
    if ('problem' in read) {
      out = { index, problem: read.problem };
    } else {
      const made = new SourceFile(read.text, { fastOnly: true }).toFastParse();
      out = { index, text: read.text, bom: read.bom, parse: made?.parse ?? null };
      if (made) transfer = made.transfer;
    }
  } catch {
    // Unreadable, or anything unexpected: the engine's thread reads the file itself and says why.
    out = { index, local: true };
  }
  port.postMessage(out, transfer);
});

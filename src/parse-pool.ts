// Parse workers. Above a measured input size, worker threads read and parse the files ahead of the
// engine and run the rules' prepare() on them (schema validation of built-in kinds, the largest
// per-resource cost); the engine takes up the texts, offset trees and prepared results in file
// order, makes each file's values from its tree (valuesFromTree, much cheaper than a parse or than
// sending the values across) and runs the rules on this thread. Below it, or for one file, no
// worker starts: starting one costs more than it saves.

import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { textOfBytes, type InputFile } from './loader.js';
import type { ShippedTree } from './yaml-source.js';

/** What the engine is given for one file. */
export type ParsedInput =
  | { index: number; problem: string }
  | {
    index: number;
    text: string;
    bom: boolean;
    /**
     * Per resource of the file (in the engine's order), per PrepareSpec: what prepare() returned.
     * Absent when the file's positions need the precise parse: the engine prepares it itself.
     */
    prepared?: unknown[][];
    /** The quick parse's tree, from which the engine makes the values (absent when the file did not take the quick reader). */
    tree?: ShippedTree;
    /** With timing on (see ParsePool): milliseconds the worker spent in each PrepareSpec's prepare() for this file. */
    prepareMs?: number[];
  }
  /** Read and parse the file on the engine's thread (unreadable, or the worker failed). */
  | { index: number; local: true };

/**
 * What a worker sends for one file: the file's bytes instead of its text, with the text's length.
 * A text would be copied into this thread's heap as the message arrives, and wait there for the
 * engine, up to AHEAD_BYTES of them: long enough to be copied by young-generation collections and
 * promoted, all the more garbage to collect. The bytes move outside the heap, and are decoded when
 * the engine takes the file (take()). On the synthetic corpus, 6 interleaved rounds gave about 7%
 * less wall time than sending texts; 20 rounds of this and the session's other changes together
 * gave about 2-3% (this machine's noise is larger than either).
 */
export type WireInput =
  | Exclude<ParsedInput, { text: string }>
  | (Omit<Extract<ParsedInput, { text: string }>, 'text'> & { bytes: ArrayBuffer; length: number });

/**
 * Inputs below this many bytes are parsed on the engine's thread. Measured on 2 cores with
 * `npm run bench:workers` (whole processes, medians of 3, one worker against none; workers send
 * texts, schema results and their parses' trees): slices of the synthetic corpus of 2.2 MB lose 4%,
 * 4.4 MB gain 7%, 8.9 MB 6%, 17.9 MB 19%, the whole 45 MB 28%; but the real corpus (7.7 MB in
 * 1,460 small files of many kinds, each kind's schema loaded on both threads) loses 5%, and twice
 * the real corpus (15.4 MB, two copies) neither gains nor loses (3.20-3.25 against 3.21-3.35 s).
 * Real trees look like the latter: workers start where both kinds of input are at least even.
 */
export const PARALLEL_MIN_BYTES = 12 * 1024 * 1024;
/**
 * How far (in bytes of input) the workers may read ahead of the engine: bounds the memory of parses
 * waiting. A result is copied into this thread's heap when it arrives, and one that waits long enough
 * is promoted to the old generation, where it stays as garbage until the next full collection (which
 * a large run may not reach before it ends). In a few interleaved rounds on the synthetic corpus, 16
 * MiB ahead gave a peak RSS some 8-10 MiB above 0.5-4 MiB, at the same speed (an effect near the
 * noise of this machine); 4 MiB is still some 180 of its files, a quarter of a second of the
 * engine's work.
 */
const AHEAD_BYTES = 4 * 1024 * 1024;
/**
 * Files a worker may have in hand. Results are taken up only when the engine's thread waits for
 * one, so a worker must hold enough work to keep busy while the engine runs rules on many files.
 */
const DEPTH = 256;

/**
 * How many workers a run gets: 0 (parse on this thread) below the threshold. The environment
 * variable KUBE_PREFLIGHT_PARSE_WORKERS forces a count (0 turns workers off); tests use it to compare
 * runs with and without workers on small inputs.
 */
export function parseWorkerCount(files: readonly InputFile[], sizes: readonly number[] = inputSizes(files)): number {
  const forced = process.env['KUBE_PREFLIGHT_PARSE_WORKERS'];
  if (forced !== undefined && /^\d+$/.test(forced)) return Math.min(Number(forced), 8);
  if (files.filter((f) => f.text === undefined).length < 2) return 0;
  if (sizes.reduce((a, b) => a + b, 0) < PARALLEL_MIN_BYTES) return 0;
  // The engine's thread parses every file too and runs the rules: it is the slower stage and keeps
  // a core to itself. One core gains nothing.
  const cores = availableParallelism();
  return cores < 2 ? 0 : Math.min(4, cores - 1);
}

/** Bytes on disk of each input (0 for text given inline, or a file that cannot be read: the engine reports it). */
export function inputSizes(files: readonly InputFile[]): number[] {
  return files.map((f) => {
    if (f.text !== undefined) return 0;
    try {
      return statSync(f.path).size;
    } catch {
      return 0;
    }
  });
}

/** A rule whose prepare() the workers run, with its options. */
export interface PrepareSpec {
  id: string;
  options: Record<string, unknown>;
}

/**
 * Files read by a worker, resources whose prepare() results came from one, and files whose values
 * were made from a worker's tree, over the process (tests check the workers were used).
 */
export const poolStats = { files: 0, prepared: 0, trees: 0 };

interface Slot {
  worker: Worker;
  inHand: number;
  /** Ended because every file was handed out and this worker's are back. */
  retired: boolean;
}

export class ParsePool {
  private readonly slots: Slot[] = [];
  private readonly done = new Map<number, WireInput>();
  private readonly waiting = new Map<number, (p: WireInput) => void>();
  /** Indexes of the files the workers take (those with text given inline are parsed here). */
  private readonly queue: number[];
  private next = 0;

  private taken = 0;
  private broken = false;
  private closed = false;
  /** Workers that have exited (retired early, or closed); tests look. */
  exited = 0;

  constructor(
    private readonly files: readonly InputFile[],
    count: number,
    prepare: PrepareSpec[] = [],
    private readonly sizes: readonly number[] = inputSizes(files),
    /** Workers time each rule's prepare() and send the times with each file (KUBE_PREFLIGHT_TIMING). */
    timing = false,
  ) {
    this.queue = files.flatMap((f, i) => (f.text === undefined ? [i] : []));
    for (let i = 0; i < count; i++) {
      const worker = new Worker(new URL('./parse-worker.js', import.meta.url), { workerData: { prepare, timing } });
      const slot: Slot = { worker, inHand: 0, retired: false };
      worker.on('message', (m: WireInput) => {
        slot.inHand--;
        this.settle(m);
        this.feed();
        // Nothing left to hand out and nothing in hand: its heap (tens of MiB on a large run) goes
        // now, not when the engine has taken the last files (the read-ahead) and closes the pool.
        if (slot.inHand === 0 && this.next >= this.queue.length) this.retire(slot);
      });
      worker.on('error', () => {
        if (!slot.retired) this.fail();
      });
      worker.on('exit', () => {
        this.exited++;
        if (!this.closed && !slot.retired) this.fail();
      });
      this.slots.push(slot);
    }
    this.feed();
  }

  /** The file at `index`, once read and parsed; `{local: true}` for a file this thread must parse. */
  take(index: number): ParsedInput | Promise<ParsedInput> {
    this.taken = index + 1;
    const got = this.done.get(index);
    if (got) {
      this.done.delete(index);
      this.feed();
      return unwire(got);
    }
    if (this.broken || !this.dispatched(index)) return { index, local: true };
    return new Promise((res) => this.waiting.set(index, (m) => res(unwire(m))));
  }

  close(): void {
    this.closed = true;
    for (const s of this.slots) void s.worker.terminate();
    this.slots.length = 0;
    this.done.clear();
  }

  /** The worker's last file is back: it makes its code-cache entries and ends itself (parse-worker.ts). */
  private retire(slot: Slot): void {
    slot.retired = true;
    this.slots.splice(this.slots.indexOf(slot), 1);
    slot.worker.postMessage({ retire: true });
  }

  /** Whether a worker was given the file (the queue is in file order; take() is asked only for queued files). */
  private dispatched(index: number): boolean {
    return this.next > 0 && this.queue[this.next - 1]! >= index;
  }

  private settle(m: WireInput): void {
    const w = this.waiting.get(m.index);
    if (w) {
      this.waiting.delete(m.index);
      w(m);
    } else {
      this.done.set(m.index, m);
    }
  }

  /** Hand out files while some worker has room and the read-ahead stays under its bound. */
  private feed(): void {
    if (this.broken) return;
    for (;;) {
      if (this.next >= this.queue.length) return;
      const index = this.queue[this.next]!;
      let ahead = 0;
      for (let i = this.taken; i < index; i++) ahead += this.sizes[i]!;
      if (ahead > AHEAD_BYTES && index > this.taken) return;
      const slot = this.slots.reduce<Slot | undefined>((best, s) => (s.inHand < DEPTH && (!best || s.inHand < best.inHand) ? s : best), undefined);
      if (!slot) return;
      slot.inHand++;
      this.next++;
      slot.worker.postMessage({ index, input: this.files[index], size: this.sizes[index] });
    }
  }

  /** A worker died: every file not yet back is parsed on this thread. */
  private fail(): void {
    if (this.broken) return;
    this.broken = true;
    for (const [index, res] of this.waiting) res({ index, local: true });
    this.waiting.clear();
    this.close();
  }
}

/** A worker's answer as the engine takes it: the text decoded from the bytes, as readInput() decodes them. */
function unwire(m: WireInput): ParsedInput {
  if (!('bytes' in m)) return m;
  const { bytes, length, ...rest } = m;
  const text = textOfBytes(new Uint8Array(bytes), m.bom);
  // Never expected (the same bytes, the same decoder); if it were, the engine reads the file itself.
  if (text.length !== length) return { index: m.index, local: true };
  return { ...rest, text };
}

// Compares the quick reader (src/quick-yaml.ts) with the js-yaml path it stands in for, on one
// file's text: documents (values, ranges, starts), and the range and source text of every node
// and every key, by path. Returns the differences (empty when they agree) and whether the quick
// reader took the file at all. Used by test/quick-yaml.test.ts, and by hand on whole corpora:
//   node dist/test/helpers/quick-diff.js DIR...
import { isDeepStrictEqual } from 'node:util';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { quickParse } from '../../src/quick-yaml.js';
import { SourceFile } from '../../src/yaml-source.js';
import { escapeToken } from '../../src/pointer.js';
import jsyaml from 'js-yaml';

const IMPLICIT = (jsyaml.CORE_SCHEMA as unknown as { compiledImplicit: [] }).compiledImplicit;

export function quickTakes(text: string): boolean {
  return quickParse(text, IMPLICIT) !== null;
}

/** Every path in a value, parents first. */
function paths(v: unknown, base: string, out: string[]): string[] {
  out.push(base);
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, `${base}/${i}`, out));
  else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) paths(x, `${base}/${escapeToken(k)}`, out);
  return out;
}

export function quickDiff(text: string): { taken: boolean; differences: string[] } {
  const taken = quickTakes(text);
  if (!taken) return { taken, differences: [] };
  const quick = new SourceFile(text);
  const slow = new SourceFile(text, { quick: false });
  const out: string[] = [];
  // js-yaml reads a text that does not end in a line break with one appended, so a node that ends
  // the text can end one past it there; positions clamp offsets to the text, so findings agree.
  const clamp = (r: [number, number] | null) => (r ? r.map((o) => Math.min(o, text.length)) : r);
  const docs = (s: SourceFile) => s.documents.map((d) => ({ value: d.value, range: clamp(d.range), start: d.start, empty: d.empty, problems: d.problems.length }));
  if (!isDeepStrictEqual(docs(quick), docs(slow))) out.push(`documents differ: ${JSON.stringify(docs(quick))} vs ${JSON.stringify(docs(slow))}`);
  // js-yaml's offsets for flow mappings fail the engine's check, so there the other side is the
  // precise parse: the quick reader's positions are then compared with the reference itself.
  if (!quick.fast && slow.fast) out.push(`fast: ${quick.fast} vs ${slow.fast}`);
  slow.documents.forEach((d, doc) => {
    if (d.empty) return;
    for (const p of paths(d.value, '', [])) {
      for (const on of ['node', 'key'] as const) {
        const a = [clamp(quick.locate(doc, p, on)), quick.sourceText(doc, p, on)];
        const b = [clamp(slow.locate(doc, p, on)), slow.sourceText(doc, p, on)];
        if (!isDeepStrictEqual(a, b)) out.push(`doc ${doc} ${JSON.stringify(p)} (${on}): ${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
      }
    }
  });
  return { taken, differences: out };
}

export function yamlFiles(dir: string, out: string[] = []): string[] {
  for (const n of readdirSync(dir).sort()) {
    const p = join(dir, n);
    if (n === 'node_modules' || n.startsWith('.')) continue;
    if (statSync(p).isDirectory()) yamlFiles(p, out);
    else if (/\.ya?ml$/i.test(n)) out.push(p);
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  let files = 0;
  let taken = 0;
  let bad = 0;
  for (const dir of process.argv.slice(2)) {
    for (const f of yamlFiles(dir)) {
      files++;
      const r = quickDiff(readFileSync(f, 'utf8'));
      if (r.taken) taken++;
      if (r.differences.length > 0) {
        bad++;
        console.log(f);
        for (const d of r.differences.slice(0, 5)) console.log('  ' + d.slice(0, 400));
      }
    }
  }
  console.log(`${files} files, ${taken} read by the quick reader, ${bad} with differences`);
}

// The parse floor: the fastest JS parse of the same files (js-yaml loadAll), nothing else.
// `node bench/floor.mjs DIR` prints {"files", "documents", "bytes"} as one JSON line.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import jsyaml from 'js-yaml';

const files = [];
const walk = (d) => {
  for (const n of readdirSync(d).sort()) {
    const p = join(d, n);
    if (n === 'node_modules' || n === '.git') continue;
    const st = statSync(p);
    if (st.isDirectory()) walk(p);
    else if (/\.(ya?ml|json)$/i.test(n)) files.push(p);
  }
};
for (const a of process.argv.slice(2)) statSync(a).isDirectory() ? walk(a) : files.push(a);
let documents = 0;
let bytes = 0;
for (const f of files) {
  const text = readFileSync(f, 'utf8');
  bytes += text.length;
  try {
    jsyaml.loadAll(text, () => documents++);
  } catch {
    // a file js-yaml cannot read still counts as read
  }
}
console.log(JSON.stringify({ files: files.length, documents, bytes }));

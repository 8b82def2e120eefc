// Language server latency: how long from a didChange to the diagnostics of that version, for a
// 1,000-line manifest in a workspace of other manifests (the cross-resource context).
//
//   npm run build && node bench/lsp.mjs [--context-files 200] [--changes 40]
//
// Drives `node dist/src/cli.js lsp --stdio` over stdio as an editor does. Prints the latency
// of the first lint (walks the workspace) and of each re-lint after a change (debounce included).

import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { createProtocolConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-languageserver-protocol/node';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const CONTEXT_FILES = arg('context-files', 200);
const CHANGES = arg('changes', 40);

function deployment(name, port, named) {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: apps
  labels:
    app: ${name}
spec:
  replicas: 2
  selector:
    matchLabels:
      app: ${name}
  template:
    metadata:
      labels:
        app: ${name}
    spec:
      containers:
        - name: ${name}
          image: ghcr.io/example/${name}:1.0.0
          args: ["--port=${port}", "--metrics=${port + 1}"]
          ports:
            - ${named ? 'name: http\n              ' : ''}containerPort: ${port}
            - name: metrics
              containerPort: ${port + 1}
          resources:
            requests: {cpu: 10m, memory: 32Mi}
            limits: {memory: 64Mi}
          readinessProbe:
            httpGet: {path: /ready, port: ${port}}
          env:
            - name: MODE
              value: production
            - name: LOG_LEVEL
              value: info
`;
}

function service(name, port) {
  return `apiVersion: v1
kind: Service
metadata:
  name: ${name}
  namespace: apps
spec:
  selector:
    app: ${name}
  ports:
    - name: http
      port: 80
      targetPort: ${port}
    - name: metrics
      port: ${port + 1}
`;
}

// ---- the workspace ----------------------------------------------------------------------------
const ws = join(ROOT, 'bench', '.work', 'lsp');
rmSync(ws, { recursive: true, force: true });
mkdirSync(join(ws, '.git'), { recursive: true });
mkdirSync(join(ws, 'apps'), { recursive: true });
let target = '';
for (let i = 0; target.split('\n').length < 1000; i++) target += `${i ? '---\n' : ''}${deployment(`big-${i}`, 8000 + i * 2, i % 3 !== 0)}`;
const targetLines = target.split('\n').length - 1;
writeFileSync(join(ws, 'apps', 'big.yaml'), target);
let contextLines = 0;
for (let i = 0; i < CONTEXT_FILES; i++) {
  const text = i % 2 ? service(`svc-${i}`, 9000 + i * 2) : `${deployment(`app-${i}`, 9000 + i * 2, true)}---\n${service(`app-${i}`, 9000 + i * 2)}`;
  contextLines += text.split('\n').length - 1;
  writeFileSync(join(ws, 'apps', `app-${i}.yaml`), text);
}
// Services for the big file's workloads live elsewhere: the context matters for its findings.
writeFileSync(join(ws, 'services.yaml'), Array.from({ length: 30 }, (_, i) => service(`big-${i}`, 8000 + i * 2)).join('---\n'));

// ---- the server -------------------------------------------------------------------------------
const child = spawn(process.execPath, [join(ROOT, 'dist', 'src', 'cli.js'), 'lsp', '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
const conn = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
const waiting = new Map();
conn.onNotification('textDocument/publishDiagnostics', (p) => {
  const w = waiting.get(p.version);
  if (w) {
    waiting.delete(p.version);
    w(p);
  }
});
conn.onNotification('window/logMessage', () => {});
conn.onNotification('window/showMessage', () => {});
conn.listen();
const diagnosticsOf = (version) => new Promise((resolve) => waiting.set(version, resolve));

const uri = pathToFileURL(join(ws, 'apps', 'big.yaml')).href;
await conn.sendRequest('initialize', { processId: process.pid, rootUri: pathToFileURL(ws).href, workspaceFolders: [{ uri: pathToFileURL(ws).href, name: 'bench' }], capabilities: {} });
await conn.sendNotification('initialized', {});

let t0 = performance.now();
let pending = diagnosticsOf(1);
await conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1, text: target } });
const first = await pending;
const open = performance.now() - t0;

// Each change rewrites a port number in the middle of the file (a new number every time, so no
// text is ever linted twice), then waits for the diagnostics of that version before the next.
const lines = target.split('\n');
const row = lines.findIndex((l, i) => i > lines.length / 2 && /containerPort: \d+$/.test(l));
const col = lines[row].lastIndexOf(' ') + 1;
const port = (v) => String(2000 + v); // four digits, unique per version
const latencies = [];
let count = 0;
for (let v = 2; v < 2 + CHANGES; v++) {
  pending = diagnosticsOf(v);
  t0 = performance.now();
  await conn.sendNotification('textDocument/didChange', {
    textDocument: { uri, version: v },
    contentChanges: [{ range: { start: { line: row, character: col }, end: { line: row, character: col + 4 } }, text: port(v) }],
  });
  const p = await pending;
  latencies.push(performance.now() - t0);
  count = p.diagnostics.length;
}

// A burst of keystrokes 15 ms apart: latency from the last one.
const burst = [];
for (let round = 0; round < 5; round++) {
  const base = 1000 + round * 20;
  pending = diagnosticsOf(base + 9);
  for (let k = 0; k < 10; k++) {
    if (k > 0) await new Promise((r) => setTimeout(r, 15));
    t0 = performance.now();
    await conn.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: base + k },
      contentChanges: [{ range: { start: { line: row, character: col }, end: { line: row, character: col + 4 } }, text: port(base + k) }],
    });
  }
  await pending;
  burst.push(performance.now() - t0);
}

await conn.sendRequest('shutdown');
await conn.sendNotification('exit');

const sorted = [...latencies].sort((a, b) => a - b);
const q = (x) => sorted[Math.min(sorted.length - 1, Math.floor(x * sorted.length))];
const ms = (x) => `${x.toFixed(1)} ms`;
console.log(`workspace: ${targetLines}-line file, ${CONTEXT_FILES + 1} other files (${contextLines + 30 * 14} lines of context); ${first.diagnostics.length} diagnostics`);
console.log(`first lint after didOpen (walks and reads the workspace): ${ms(open)}`);
console.log(`re-lint after a change (${CHANGES} changes, debounce included): median ${ms(q(0.5))}, p95 ${ms(q(0.95))}, max ${ms(sorted[sorted.length - 1])}; ${count} diagnostics`);
console.log(`after a burst of 10 keystrokes 15 ms apart, from the last one: ${burst.map((x) => x.toFixed(0)).join(', ')} ms`);

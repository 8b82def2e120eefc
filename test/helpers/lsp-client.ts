// A real LSP client over stdio for tests: spawns `node dist/src/cli.js lsp --stdio` and talks
// JSON-RPC to it with vscode-languageserver-protocol, as an editor would.

import { spawn, type ChildProcess } from 'node:child_process';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
  type TextEdit,
} from 'vscode-languageserver-protocol/node';
import { CLI } from './harness.js';

export interface LspSession {
  conn: ProtocolConnection;
  child: ChildProcess;
  stderr: () => string;
  /** Every publishDiagnostics received, in order. */
  published: PublishDiagnosticsParams[];
  /** The first publishDiagnostics for `uri` (after those already seen) that satisfies `ok`. */
  diagnostics(uri: string, ok?: (p: PublishDiagnosticsParams) => boolean): Promise<PublishDiagnosticsParams>;
  /** shutdown + exit; resolves with the server's exit code. */
  close(): Promise<number | null>;
}

/** Fail instead of hanging when an expected message never comes (not a timing assertion). */
const GIVE_UP_MS = 30_000;

export function startLsp(cwd: string): LspSession {
  const child = spawn(process.execPath, [CLI, 'lsp', '--stdio'], { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
  const conn = createProtocolConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  const published: PublishDiagnosticsParams[] = [];
  const waiters: Array<{ uri: string; ok: (p: PublishDiagnosticsParams) => boolean; from: number; resolve: (p: PublishDiagnosticsParams) => void }> = [];
  let consumed = new Map<string, number>();
  const settle = () => {
    for (const w of waiters.slice()) {
      for (let i = w.from; i < published.length; i++) {
        const p = published[i]!;
        if (p.uri === w.uri && w.ok(p)) {
          consumed.set(w.uri, i + 1);
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(p);
          break;
        }
      }
    }
  };
  conn.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
    published.push(p);
    settle();
  });
  // The server may log; a client must accept window messages.
  conn.onNotification('window/logMessage', () => {});
  conn.onNotification('window/showMessage', () => {});
  conn.listen();
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  return {
    conn,
    child,
    stderr: () => err,
    published,
    diagnostics(uri, ok = () => true) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching diagnostics for ${uri}; got ${JSON.stringify(published.filter((p) => p.uri === uri))}; stderr: ${err}`)), GIVE_UP_MS);
        waiters.push({ uri, ok, from: consumed.get(uri) ?? 0, resolve: (p) => (clearTimeout(timer), resolve(p)) });
        settle();
      });
    },
    async close() {
      await conn.sendRequest('shutdown');
      await conn.sendNotification('exit');
      const code = await exited;
      conn.dispose();
      consumed = new Map();
      return code;
    },
  };
}

/** Apply LSP text edits to a text as an editor does (edits are relative to the original text). */
export function applyTextEdits(text: string, edits: TextEdit[]): string {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  const offset = (p: { line: number; character: number }) => (p.line < lineStarts.length ? Math.min(lineStarts[p.line]! + p.character, text.length) : text.length);
  const sorted = edits.map((e) => ({ start: offset(e.range.start), end: offset(e.range.end), text: e.newText })).sort((a, b) => b.start - a.start);
  let out = text;
  for (const e of sorted) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}

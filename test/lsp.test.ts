// `kube-preflight lsp` end to end: a real LSP client drives `node dist/src/cli.js lsp --stdio`.

import t from 'tap';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CodeAction, Diagnostic, PublishDiagnosticsParams } from 'vscode-languageserver-protocol/node';
import { docsUrl } from '../src/formatters/index.js';
import { ROOT } from './helpers/harness.js';
import { applyTextEdits, startLsp } from './helpers/lsp-client.js';
import { echoDeployment } from './helpers/manifests.js';

const DEPLOY = echoDeployment('            - containerPort: 9091\n');

const service = (portName: string) => `apiVersion: v1
kind: Service
metadata:
  name: echo
spec:
  selector: {app: echo}
  ports:
    - {name: ${portName}, port: 9091, targetPort: 9091}
`;

function workspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kp-lsp-'));
  mkdirSync(join(dir, '.git')); // config lookup stops here
  mkdirSync(join(dir, 'k8s'));
  // The workload also trips telepresence-numeric-target-port (its Service targets 9091 by number);
  // this test is about the server, so the workspace config keeps to one rule.
  writeFileSync(join(dir, '.kube-preflight.yaml'), 'rules:\n  unnamed-container-port: error\n  telepresence-numeric-target-port: "off"\n');
  writeFileSync(join(dir, 'k8s', 'svc.yaml'), service('metrics'));
  // The saved version of the file being edited: the open buffer must replace it, not add to it.
  writeFileSync(join(dir, 'k8s', 'deploy.yaml'), DEPLOY.replace('- containerPort: 9091', '- {name: old, containerPort: 8080}'));
  return dir;
}

const uriOf = (p: string) => pathToFileURL(p).href;
const only = (p: PublishDiagnosticsParams, code: string) => p.diagnostics.filter((d) => d.code === code);

t.test('diagnostics, quick fix, workspace context and config over stdio', async (t) => {
  const dir = workspace();
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  // Started elsewhere: the workspace folder, not the process's directory, decides config and context.
  const lsp = startLsp(ROOT);
  const init = (await lsp.conn.sendRequest('initialize', {
    processId: process.pid,
    rootUri: uriOf(dir),
    workspaceFolders: [{ uri: uriOf(dir), name: 'ws' }],
    capabilities: { textDocument: { publishDiagnostics: { relatedInformation: true, codeDescriptionSupport: true } } },
  })) as { capabilities: { codeActionProvider?: unknown; textDocumentSync?: unknown } };
  t.ok(init.capabilities.codeActionProvider, 'offers code actions');
  await lsp.conn.sendNotification('initialized', {});

  const deploy = uriOf(join(dir, 'k8s', 'deploy.yaml'));
  await lsp.conn.sendNotification('textDocument/didOpen', { textDocument: { uri: deploy, languageId: 'yaml', version: 1, text: DEPLOY } });
  const first = await lsp.diagnostics(deploy);
  t.equal(first.version, 1);
  t.equal(first.diagnostics.length, 1, 'one finding');
  const d: Diagnostic = first.diagnostics[0]!;
  t.same(d.range, { start: { line: 15, character: 14 }, end: { line: 15, character: 33 } }, 'the port item, 0-based, end exclusive');
  t.equal(d.code, 'unnamed-container-port');
  t.equal(d.source, 'kube-preflight');
  t.same(d.codeDescription, { href: docsUrl('unnamed-container-port') });
  t.equal(d.severity, 1, 'error, as the workspace config says');
  // The Service is only on disk, in another file: it gives the proposed name.
  t.match(d.message, /containerPort 9091\/TCP of container "echo" has no name; name it, e\.g\. `name: metrics`/);

  // Quick fix: the returned WorkspaceEdit, applied as an editor would.
  const actions = (await lsp.conn.sendRequest('textDocument/codeAction', {
    textDocument: { uri: deploy },
    range: d.range,
    context: { diagnostics: [d], only: ['quickfix'] },
  })) as CodeAction[];
  t.equal(actions.length, 1);
  const fix = actions[0]!;
  t.equal(fix.kind, 'quickfix');
  t.equal(fix.title, 'Fix this unnamed-container-port problem');
  t.equal(fix.diagnostics?.[0]?.code, 'unnamed-container-port');
  const fixed = applyTextEdits(DEPLOY, fix.edit!.changes![deploy]!);
  t.equal(fixed, DEPLOY + '              name: metrics\n', 'the name is inserted under the port item');

  // An open buffer of another file replaces its disk text as context.
  const svc = uriOf(join(dir, 'k8s', 'svc.yaml'));
  await lsp.conn.sendNotification('textDocument/didOpen', { textDocument: { uri: svc, languageId: 'yaml', version: 1, text: service('prom') } });
  t.same((await lsp.diagnostics(svc)).diagnostics, [], 'the Service is clean');
  const relinted = await lsp.diagnostics(deploy, (p) => p.diagnostics.some((x) => typeof x.message === 'string' && x.message.includes('`name: prom`')));
  t.equal(only(relinted, 'unnamed-container-port').length, 1, 'proposal follows the unsaved Service buffer');

  // The config is re-read when it changes on disk.
  writeFileSync(join(dir, '.kube-preflight.yaml'), 'rules:\n  unnamed-container-port: warning\n  telepresence-numeric-target-port: "off"\n');
  await lsp.conn.sendNotification('textDocument/didChange', {
    textDocument: { uri: deploy, version: 2 },
    contentChanges: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '# edited\n' }],
  });
  const warned = await lsp.diagnostics(deploy, (p) => p.version === 2);
  t.same(warned.diagnostics.map((x) => [x.code, x.severity, x.range.start.line]), [['unnamed-container-port', 2, 16]], 'warning now, one line lower');

  // Applying the fix clears the diagnostic.
  await lsp.conn.sendNotification('textDocument/didChange', { textDocument: { uri: deploy, version: 3 }, contentChanges: [{ text: fixed }] });
  const clean = await lsp.diagnostics(deploy, (p) => p.version === 3);
  t.same(clean.diagnostics, [], 'nothing left after the fix');

  t.equal(await lsp.close(), 0, 'exits 0 after shutdown and exit');
  t.equal(lsp.stderr(), '', 'nothing on stderr');
});

t.test('UTF-16 columns, flow-style fix, syntax errors and non-manifest YAML', async (t) => {
  const dir = workspace();
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const lsp = startLsp(dir);
  await lsp.conn.sendRequest('initialize', { processId: process.pid, rootUri: uriOf(dir), workspaceFolders: [{ uri: uriOf(dir), name: 'ws' }], capabilities: {} });
  await lsp.conn.sendNotification('initialized', {});

  // 𝟘 is one code point but two UTF-16 code units: LSP columns count code units.
  const line = '  containers: [{name: "c𝟘", image: x, ports: [{containerPort: 80}]}]';
  const pod = `apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n${line}\n`;
  const podUri = uriOf(join(dir, 'pod.yaml'));
  await lsp.conn.sendNotification('textDocument/didOpen', { textDocument: { uri: podUri, languageId: 'yaml', version: 1, text: pod } });
  const got = only(await lsp.diagnostics(podUri), 'unnamed-container-port');
  t.equal(got.length, 1);
  t.same(got[0]!.range, { start: { line: 4, character: 47 }, end: { line: 4, character: 66 } });
  t.equal(line.slice(47, 66), '{containerPort: 80}', 'the range covers exactly the port item');
  const actions = (await lsp.conn.sendRequest('textDocument/codeAction', {
    textDocument: { uri: podUri },
    range: got[0]!.range,
    context: { diagnostics: got },
  })) as CodeAction[];
  const quick = actions.filter((a) => a.kind === 'quickfix');
  t.equal(quick.length, 1);
  t.equal(applyTextEdits(pod, quick[0]!.edit!.changes![podUri]!), pod.replace('{containerPort: 80}', '{containerPort: 80, name: tcp-80}'));

  const broken = uriOf(join(dir, 'broken.yaml'));
  await lsp.conn.sendNotification('textDocument/didOpen', {
    textDocument: { uri: broken, languageId: 'yaml', version: 1, text: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  name: b\n' },
  });
  const parse = only(await lsp.diagnostics(broken), 'parse-error');
  t.equal(parse.length, 1);
  t.same(parse[0]!.range, { start: { line: 4, character: 2 }, end: { line: 4, character: 6 } }, 'the repeated key');
  t.equal(parse[0]!.severity, 1);

  // A YAML file that is not a manifest (values, CI config) is only checked for syntax.
  const values = uriOf(join(dir, 'values.yaml'));
  await lsp.conn.sendNotification('textDocument/didOpen', { textDocument: { uri: values, languageId: 'yaml', version: 1, text: 'replicas: 2\nimage: {tag: "1.0"}\n' } });
  t.same((await lsp.diagnostics(values)).diagnostics, []);

  t.equal(await lsp.close(), 0);
});

// SARIF 2.1.0 for GitHub code scanning: one run, every rule's metadata, related locations,
// and suppressed findings listed with their suppression.

import type { Finding } from '../types.js';
import { docsUrl, whole, writeJsonItems, type Formatter, type StreamFormatter } from './index.js';

const LEVEL = { error: 'error', warning: 'warning', info: 'note' } as const;

function region(f: { line: number | null; column: number | null; endLine: number | null; endColumn: number | null }) {
  return { startLine: f.line!, startColumn: f.column!, endLine: f.endLine!, endColumn: f.endColumn! };
}

function uri(file: string): string {
  return file.split('/').map(encodeURIComponent).join('/');
}

/** Results per piece of the report: about 2 KB of text each, so a piece stays near 32 KB (see json.ts). */
const PIECE = 16;
const EMPTY = '"results": []';

function toSarifResult(f: Finding, index: Map<string, number>): Record<string, unknown> {
  const r: Record<string, unknown> = {
    ruleId: f.ruleId,
    level: LEVEL[f.severity],
    message: { text: f.message },
  };
  const ri = index.get(f.ruleId);
  if (ri !== undefined) r['ruleIndex'] = ri;
  if (f.file !== null && f.line !== null) {
    r['locations'] = [{ physicalLocation: { artifactLocation: { uri: uri(f.file), uriBaseId: '%SRCROOT%' }, region: region(f) } }];
  }
  if (f.related.length > 0) {
    r['relatedLocations'] = f.related.map((rel, id) => ({
      id,
      message: { text: rel.message },
      physicalLocation: { artifactLocation: { uri: uri(rel.file), uriBaseId: '%SRCROOT%' }, region: region(rel) },
    }));
  }
  const props: Record<string, unknown> = {};
  if (f.resource) props['resource'] = f.resource;
  if (f.path !== null) props['path'] = f.path;
  if (f.source !== undefined) props['source'] = f.source;
  if (f.fixable) props['fixable'] = true;
  if (Object.keys(props).length) r['properties'] = props;
  if (f.suppressed) r['suppressions'] = [{ kind: f.suppressed.kind, justification: f.suppressed.justification || `suppressed by ${f.suppressed.via}` }];
  return r;
}

/**
 * The report, piece by piece: exactly the text of JSON.stringify(sarif, null, 2) plus a line break.
 * The document is written with an empty results array, then cut there; the results go in between,
 * through writeJsonItems() inside `{runs: [{results: [...]}]}`, which puts them at the report's depth.
 */
export const stream: StreamFormatter = (result, ctx, write) => {
  const rules = [...ctx.rules].sort((a, b) => a.id.localeCompare(b.id));
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'kube-preflight',
            version: ctx.toolVersion,
            informationUri: 'https://github.com/kube-preflight/kube-preflight',
            rules: rules.map((m) => ({
              id: m.id,
              name: m.id.replace(/(^|-)([a-z0-9])/g, (_, _d, c: string) => c.toUpperCase()),
              shortDescription: { text: m.description },
              fullDescription: { text: m.rationale },
              help: { text: `${m.description}\n\n${m.rationale}\n\nDocs: ${docsUrl(m.id)}`, markdown: `**${m.description}**\n\n${m.rationale}\n\n[Rule documentation](${docsUrl(m.id)})` },
              helpUri: docsUrl(m.id),
              defaultConfiguration: { level: LEVEL[m.severity] },
              properties: { category: m.category, fixable: m.fixable, tags: [m.category] },
            })),
          },
        },
        results: [],
      },
    ],
  };
  const text = JSON.stringify(sarif, null, 2);
  const at = text.lastIndexOf(EMPTY); // the run's last key; a string's quotes would be escaped
  const findings = result.findings;
  if (findings.length === 0) {
    write(text + '\n');
    return;
  }
  write(text.slice(0, at) + '"results": [\n');
  writeJsonItems(findings, PIECE, (f) => toSarifResult(f, index), (items) => ({ runs: [{ results: items }] }), write);
  write('\n      ]' + text.slice(at + EMPTY.length) + '\n');
};

export const format: Formatter = whole(stream);

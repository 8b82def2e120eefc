// `kube-preflight rules`: list rules as text, JSON or Markdown, and generate docs/rules/<id>.md
// from each rule's metadata.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { CliIO } from './cli-main.js';
import { UsageError } from './errors.js';
import { docsUrl } from './formatters/index.js';
import { loadRules, ruleIds } from './registry.js';
import type { RuleMeta } from './types.js';
import { didYouMean } from './config.js';

export function ruleDoc(m: RuleMeta): string {
  const out = [
    `# ${m.id}`,
    '',
    `> Generated from \`rules/${m.id}.ts\` by \`npm run docs\`: edit the rule's metadata, not this file.`,
    '',
    m.description,
    '',
    '| default severity | category | fixable | cross-resource |',
    '|---|---|---|---|',
    `| ${m.severity} | ${m.category} | ${m.fixable ? 'yes' : 'no'} | ${m.crossResource ? 'yes' : 'no'} |`,
    '',
    '## Why',
    '',
    m.rationale,
    '',
  ];
  if (m.docs.details) out.push('## Details', '', m.docs.details.trim(), '');
  if (m.docs.bad) out.push('## Flagged', '', '```yaml', m.docs.bad.trimEnd(), '```', '');
  if (m.docs.good) out.push('## Not flagged', '', '```yaml', m.docs.good.trimEnd(), '```', '');
  if (m.options) {
    out.push('## Options', '', '```json', JSON.stringify(m.options, null, 2), '```', '');
    if (m.defaultOptions) out.push(`Defaults: \`${JSON.stringify(m.defaultOptions)}\``, '');
  }
  out.push(
    '## Configure',
    '',
    '```yaml',
    '# .kube-preflight.yaml',
    'rules:',
    `  ${m.id}: ${m.severity === 'error' ? 'warning' : 'error'}   # or off, info`,
    '```',
    '',
    `Suppress one finding with \`# kube-preflight-disable-next-line ${m.id} -- reason\` on the line before it,`,
    `or an object with the annotation \`kube-preflight.io/ignore: "${m.id}"\`.`,
    '',
  );
  if (m.docs.references?.length) {
    out.push('## References', '');
    for (const r of m.docs.references) out.push(`- ${r}`);
    out.push('');
  }
  return out.join('\n');
}

export async function rulesCommand(io: CliIO, a: { id?: string; format: 'text' | 'json' | 'markdown'; writeDocs?: string }): Promise<number> {
  const ids = ruleIds();
  if (a.id !== undefined && !ids.includes(a.id)) throw new UsageError(`unknown rule "${a.id}"${didYouMean(a.id, ids)}`);
  const metas = (await loadRules(a.id ? [a.id] : ids)).map((r) => r.meta);
  if (a.writeDocs) {
    const dir = resolve(io.cwd, a.writeDocs);
    mkdirSync(dir, { recursive: true });
    for (const m of metas) writeFileSync(join(dir, `${m.id}.md`), ruleDoc(m));
    io.stderr(`kube-preflight: wrote ${metas.length} rule docs to ${a.writeDocs}\n`);
    return 0;
  }
  if (a.format === 'json') {
    io.stdout(JSON.stringify(metas.map((m) => ({ ...m, docsUrl: docsUrl(m.id) })), null, 2) + '\n');
  } else if (a.format === 'markdown') {
    if (a.id) io.stdout(ruleDoc(metas[0]!));
    else {
      const rows = metas.map((m) => `| [\`${m.id}\`](docs/rules/${m.id}.md) | ${m.severity} | ${m.category} | ${m.fixable ? 'yes' : ''} | ${m.description} |`);
      io.stdout(['| rule | default | category | fixable | what it flags |', '|---|---|---|---|---|', ...rows].join('\n') + '\n');
    }
  } else {
    const w = Math.max(...metas.map((m) => m.id.length));
    for (const m of metas) {
      io.stdout(`${m.id.padEnd(w)}  ${m.severity.padEnd(7)}  ${m.fixable ? 'fix' : '   '}  ${m.description}\n`);
      if (a.id) io.stdout(`\n${m.rationale}\n\n${docsUrl(m.id)}\n`);
    }
  }
  return 0;
}

import type { Rule } from '../src/types.js';
import { isObj } from '../src/model.js';
import { ptr } from '../src/pointer.js';

const rule: Rule = {
  meta: {
    id: 'parse-error',
    description: 'Invalid YAML, a document that is not a mapping, or an object without apiVersion and kind.',
    rationale:
      'kubectl rejects the whole file when one document does not parse, and an object without apiVersion or kind cannot be applied. ' +
      'Every other rule skips a broken document, so this rule says exactly where it breaks; the other documents of the file are still checked.',
    severity: 'error',
    category: 'syntax',
    fixable: false,
    docs: {
      details:
        'Reported: YAML syntax errors (unclosed quotes and brackets, bad indentation, tabs used for indentation), duplicate mapping keys ' +
        '(Kubernetes\' decoder rejects them under strict decoding), alias bombs (more than 1,000 alias expansions), documents that are a ' +
        'list or a scalar, objects and `kind: List` items without a string `apiVersion` and `kind`, and files that are binary, not UTF-8 or ' +
        'too large to read. Empty documents and files holding only comments are fine. A file found by walking a directory whose ' +
        'documents have no apiVersion or kind at all (a values.yaml, a package.json) is not a manifest and is only checked for syntax.',
      bad: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  name: b      # duplicate key\n',
      good: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n',
      references: ['YAML 1.2.2 specification, https://yaml.org/spec/1.2.2/'],
    },
  },
  create(ctx) {
    return {
      fileProblem(p) {
        ctx.reportDocument({ file: p.file, doc: null, range: [0, 0], message: p.message });
      },
      document(d) {
        for (const p of d.problems) ctx.reportDocument({ file: d.file, doc: d.doc, range: p.range, message: `YAML: ${p.message}` });
        if (d.problems.length > 0 || d.empty || d.notAManifest) return;
        const v = d.value;
        if (v === null || v === undefined) return;
        const start = d.range[0];
        if (!isObj(v)) {
          const what = Array.isArray(v) ? 'a list' : `a ${typeof v} scalar`;
          ctx.reportDocument({ file: d.file, doc: d.doc, range: [start, d.range[1]], message: `document is ${what}, not a Kubernetes object (a mapping with apiVersion and kind)` });
          return;
        }
        const checkObject = (obj: unknown, base: string, what: string) => {
          // Located only when there is something to report (most objects are fine).
          const here = () => d.locate(base) ?? d.range;
          if (!isObj(obj)) {
            ctx.reportDocument({ file: d.file, doc: d.doc, range: here(), message: `${what} is not a mapping with apiVersion and kind` });
            return;
          }
          if (typeof obj['apiVersion'] === 'string' && obj['apiVersion'] !== '' && typeof obj['kind'] === 'string' && obj['kind'] !== '') return;
          const missing = (['apiVersion', 'kind'] as const).filter((k) => typeof obj[k] !== 'string' || obj[k] === '');
          const bad = missing.filter((k) => obj[k] !== undefined && obj[k] !== null);
          const firstKey = Object.keys(obj)[0];
          const at = (bad.length > 0 ? d.locate(ptr(base, bad[0]!)) : firstKey !== undefined ? d.locate(ptr(base, firstKey), 'key') : null) ?? here();
          const message = bad.length > 0
            ? `${what}: ${bad[0]} must be a non-empty string`
            : `${what} has no ${missing.join(' and no ')}: Kubernetes cannot tell what it is`;
          ctx.reportDocument({ file: d.file, doc: d.doc, range: at, message });
        };
        checkObject(v, '', 'object');
        if (v['kind'] === 'List' && Array.isArray(v['items'])) {
          v['items'].forEach((item, i) => checkObject(item, ptr('/items', i), `List item ${i}`));
        }
      },
    };
  },
};

export default rule;

import type { Rule } from '../src/types.js';

// The engine itself reports these (it knows which suppressions matched); this module carries the
// rule's metadata, so it can be configured and documented like any other rule.
const rule: Rule = {
  meta: {
    id: 'unused-suppression',
    description: 'A suppression comment, kube-preflight.io/ignore annotation or config ignore that matched no finding (with --report-unused-suppressions).',
    rationale:
      'Suppressions outlive the problems they were written for. A stale one hides the next real finding at that place; reporting ' +
      'unused ones keeps them honest, as ESLint does with --report-unused-disable-directives.',
    severity: 'warning',
    category: 'meta',
    fixable: false,
    docs: {
      details: 'Only reported when the run is given `--report-unused-suppressions`.',
      bad: '# kube-preflight-disable-next-line unnamed-container-port -- legacy\n- name: http\n  containerPort: 8080\n',
      good: '- name: http\n  containerPort: 8080\n',
    },
  },
  create() {
    return {};
  },
};

export default rule;

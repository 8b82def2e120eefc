import t from 'tap';
import { lintText, of } from '../helpers/harness.js';

const pod = `apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - name: c
      image: nginx:1.27
      ports:
        # kube-preflight-disable-next-line invalid-port-name -- nothing to hide here
        - containerPort: 80
`;

t.test('only reported with --report-unused-suppressions, at the comment', async (t) => {
  t.same(of(await lintText(pod), 'unused-suppression'), []);
  const f = of(await lintText(pod, { reportUnusedSuppressions: true }), 'unused-suppression');
  t.same(f.map((x) => [x.severity, x.line, x.column]), [['warning', 9, 9]]);
});

t.test('its severity is configurable like any rule', async (t) => {
  const f = of(await lintText(pod, { reportUnusedSuppressions: true, ruleOverrides: { 'unused-suppression': 'error' } }), 'unused-suppression');
  t.same(f.map((x) => x.severity), ['error']);
});

t.test('an unused config ignore is reported at its entry', async (t) => {
  const f = of(await lintText(pod, { reportUnusedSuppressions: true, config: { ignores: [{ rule: 'hostport-conflict', reason: 'old' }] } }), 'unused-suppression');
  t.ok(f.some((x) => /unused config ignore for hostport-conflict/.test(x.message)));
});

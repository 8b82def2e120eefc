import t from 'tap';
import { lintText, of } from '../helpers/harness.js';
import { ianaSvcNameProblem } from '../../src/model.js';

t.test('IANA_SVC_NAME as Kubernetes validates it', async (t) => {
  for (const ok of ['http', 'h2c', 'a', 'grpc-web', 'x1', '1x', 'abcdefghijklmno']) t.equal(ianaSvcNameProblem(ok), null, ok);
  for (const bad of ['', 'abcdefghijklmnop', 'HTTP', 'http_x', '123', '-a', 'a-', 'a--b', 'a.b']) t.not(ianaSvcNameProblem(bad), null, bad);
});

t.test('duplicates: error inside a container, warning across containers, with the first use related', async (t) => {
  const f = of(await lintText(`apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  initContainers:
    - name: init
      image: busybox:1.36
      restartPolicy: Always
      ports: [{name: admin, containerPort: 9000}]
  containers:
    - name: a
      image: busybox:1.36
      ports:
        - {name: admin, containerPort: 9001}
        - {name: admin, containerPort: 9002}
`), 'invalid-port-name');
  t.same(f.map((x) => [x.severity, x.line, x.column, x.related.map((r) => r.line)]), [
    ['warning', 14, 18, [9]],
    ['error', 15, 18, [14]],
  ]);
});

t.test('duplicates across three containers: each warning names the first use in the pod, each error the first in its container', async (t) => {
  const f = of(await lintText(`apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - name: one
      image: busybox:1.36
      ports:
        - {name: a, containerPort: 1}
        - {name: x_y, containerPort: 2}
        - {name: x_y, containerPort: 3}
    - name: two
      image: busybox:1.36
      ports:
        - {name: a, containerPort: 4}
        - {name: a, containerPort: 5}
    - name: three
      image: busybox:1.36
      ports:
        - {name: a, containerPort: 6}
`), 'invalid-port-name');
  // An invalid name is reported each time and is never the "first use" of a duplicate.
  const bad = 'is not a valid IANA_SVC_NAME: it may contain only lowercase letters, digits and hyphens';
  const across = 'port name "a" is also used by container "one": a Service targeting "a" reaches only the first; give each a distinct name';
  t.same(f.map((x) => [x.severity, x.line, x.column, x.message, x.related.map((r) => `${r.line}:${r.column} ${r.message}`)]), [
    ['error', 10, 18, `port name "x_y" ${bad}`, []],
    ['error', 11, 18, `port name "x_y" ${bad}`, []],
    ['warning', 15, 18, across, ['9:18 "a" in container "one"']],
    ['error', 16, 18, 'port name "a" is used twice in container "two": the API server rejects duplicate port names', ['15:18 first use of "a"']],
    ['warning', 20, 18, across, ['9:18 "a" in container "one"']],
  ]);
});

t.test('a quoted number as targetPort is rejected by the API server as a port name', async (t) => {
  const f = of(await lintText('apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ports:\n    - port: 80\n      targetPort: "8080"\n    - port: 81\n      targetPort: 8081\n'), 'invalid-port-name');
  t.same(f.map((x) => [x.line, x.column, x.endColumn, x.severity]), [[7, 19, 25, 'error']]);
  t.equal(f[0]!.message, 'targetPort "8080" is a quoted number: the API server validates a string targetPort as a port name and rejects it; write 8080 without quotes');
});

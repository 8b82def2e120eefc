import t from 'tap';
import { lintTexts, of } from '../helpers/harness.js';

const pod = (ports: string, extra = '', name = 'c', image = 'registry.example.com/c:1.0.0') => `apiVersion: v1
kind: Pod
metadata: {name: p, namespace: kube-system}
spec:
${extra}  containers:
    - name: ${name}
      image: ${image}
      ports: ${ports}
`;
const run = async (text: string, opts = {}) => of((await lintTexts({ 'p.yaml': text }, opts)).result.findings, 'hostport-reserved');

t.test('every node daemon port is flagged, with its holder', async (t) => {
  const holders: Array<[number, string]> = [
    [10250, 'kubelet'], [10248, 'kubelet healthz'], [10249, 'kube-proxy metrics'], [10255, 'kubelet read-only port'],
    [10256, 'kube-proxy healthz'], [10257, 'kube-controller-manager'], [10258, 'cloud-controller-manager'],
    [10259, 'kube-scheduler'], [10260, 'cloud-controller-manager webhook'],
  ];
  for (const [port, holder] of holders) {
    const f = await run(pod(`[{containerPort: 8080, hostPort: ${port}, protocol: UDP}]`));
    t.equal(f.length, 1, String(port));
    t.equal(f[0]!.severity, 'error');
    t.same([f[0]!.line, f[0]!.column], [8, 15]);
    t.equal(f[0]!.message, `host port ${port}/UDP on 0.0.0.0 of container "c" is held by ${holder} on the node: the scheduler cannot see ports held outside Kubernetes, so the pod fails to bind it or captures its traffic; pick another hostPort`);
  }
  t.same(await run(pod('[{containerPort: 10250}]')), [], 'a containerPort alone is no claim');
  t.same(await run(pod('[{containerPort: 10251, hostPort: 10251}]')), [], '10251 is not reserved');
});

t.test('hostNetwork claims, and the daemon itself', async (t) => {
  const hn = '  hostNetwork: true\n';
  t.equal((await run(pod('[{containerPort: 10249}]', hn))).length, 1);
  t.same(await run(pod('[{containerPort: 10249}, {containerPort: 10256}]', hn, 'kube-proxy', 'registry.k8s.io/kube-proxy:v1.33.1')), [], 'kube-proxy declaring its ports');
  t.same(await run(pod('[{containerPort: 10257}]', hn, 'controller', 'registry.k8s.io/kube-controller-manager:v1.33.1')), [], 'by image name');
  t.equal((await run(pod('[{containerPort: 10250}]', hn, 'kube-proxy', 'registry.k8s.io/kube-proxy:v1.33.1'))).length, 1, 'kube-proxy on the kubelet port');
});

t.test('config reservedHostPorts add to the list', async (t) => {
  const f = await run(pod('[{containerPort: 22, hostPort: 22}, {containerPort: 9100, hostPort: 9100}, {containerPort: 10250, hostPort: 10250}]'), { config: { reservedHostPorts: [22, 10250] } });
  t.same(f.map((x) => x.message.replace(/:.*/, '')), [
    'host port 22/TCP on 0.0.0.0 of container "c" is listed in reservedHostPorts in the config',
    'host port 10250/TCP on 0.0.0.0 of container "c" is held by kubelet on the node',
  ]);
});

#!/usr/bin/env node
// Copied unchanged (apart from these two lines) from the kube-preflight steering repository's
// shared/bench/gen-corpus.mjs, so that `npm run bench` works on a fresh clone.
// Synthetic Kubernetes corpus generator: N Deployment+Service pairs spread over M multi-document files.
// Deterministic (seeded PRNG), no dependencies.
//   node gen-corpus.mjs --out DIR [--pairs 20000] [--files 2000] [--seed 1]
// Variety: 1-3 containers (80% one), 1-3 ports each (named/unnamed, TCP/UDP, ~8% hostPort, some duplicate hostPorts),
// image tags (:latest / none / semver / digest), env (60%: 1-4 vars) with value/secretKeyRef/configMapKeyRef/fieldRef,
// optional resources/probes/securityContext, volumes (emptyDir/configMap/secret/hostPath), 2-8 annotations
// (1-5 per object, incl. long checksum and multi-line description), Service type ClusterIP/NodePort/LoadBalancer/headless,
// targetPort by name or number (~4% deliberately dangling), ~3% selector mismatch, occasional comments,
// quoted scalars and flow sequences, ~2% files with a leading '---' and a trailing empty document.
import { mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const argv = process.argv.slice(2);
const opt = (k, d) => (argv.includes(k) ? argv[argv.indexOf(k) + 1] : d);
const PAIRS = +opt('--pairs', 20000);
const FILES = +opt('--files', 2000);
const OUT = opt('--out', null);
if (!OUT) { console.error('usage: node gen-corpus.mjs --out DIR [--pairs N] [--files N] [--seed N]'); process.exit(2); }
let seed = +opt('--seed', 1) >>> 0 || 1;

// mulberry32
const rnd = () => { seed = (seed + 0x6d2b79f5) >>> 0; let t = seed; t = Math.imul(t ^ (t >>> 15), t | 1); t ^= t + Math.imul(t ^ (t >>> 7), t | 61); return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
const int = (a, b) => a + Math.floor(rnd() * (b - a + 1));
const pick = (a) => a[Math.floor(rnd() * a.length)];
const chance = (p) => rnd() < p;
const hex = (n) => { let s = ''; while (s.length < n) s += Math.floor(rnd() * 0x100000000).toString(16).padStart(8, '0'); return s.slice(0, n); };

const TEAMS = ['payments', 'search', 'checkout', 'identity', 'ml-platform', 'observability', 'edge', 'billing', 'catalog', 'notifications'];
const TIERS = ['frontend', 'backend', 'worker', 'cache', 'api'];
const NS = ['default', 'prod', 'staging', 'team-a', 'team-b', 'kube-system', 'monitoring', 'ingress'];
const REGISTRIES = ['docker.io/library', 'ghcr.io/acme', 'quay.io/acme', 'registry.k8s.io', '123456789012.dkr.ecr.eu-west-1.amazonaws.com/acme', 'gcr.io/acme-prod'];
const IMAGES = ['nginx', 'redis', 'postgres', 'envoy', 'api-server', 'worker', 'web', 'grpc-gateway', 'fluent-bit', 'busybox'];
const PORT_NAMES = ['http', 'https', 'grpc', 'metrics', 'admin', 'health', 'dns', 'tcp-db', 'http-alt', 'debug'];

function image() {
  const base = `${pick(REGISTRIES)}/${pick(IMAGES)}`;
  const r = rnd();
  if (r < 0.1) return `${base}:latest`;
  if (r < 0.18) return base;
  if (r < 0.3) return `${base}@sha256:${hex(64)}`;
  return `${base}:${int(0, 3)}.${int(0, 30)}.${int(0, 12)}`;
}

function annotations(ind, kind) {
  const n = int(1, 5);
  const lines = [];
  const pool = [
    () => `checksum/config: ${hex(64)}`,
    () => `prometheus.io/scrape: "${pick(['true', 'false'])}"`,
    () => `prometheus.io/port: "${pick([8080, 9090, 9102, 15020])}"`,
    () => `kubernetes.io/change-cause: "kubectl set image deployment/app app=${pick(IMAGES)}:v${int(1, 9)} --record=true"`,
    () => `deployment.kubernetes.io/revision: "${int(1, 60)}"`,
    () => `acme.io/owner: ${pick(TEAMS)}@acme.example`,
    () => `acme.io/oncall: https://oncall.acme.example/schedules/${hex(12)}`,
    () => `description: |\n${ind}  ${pick(TEAMS)} ${kind.toLowerCase()} serving ${pick(TIERS)} traffic.\n${ind}  Managed by the platform team; see runbook ${hex(8)}.`,
    () => `sidecar.istio.io/inject: "${pick(['true', 'false'])}"`,
    () => `linkerd.io/inject: ${pick(['enabled', 'disabled'])}`,
    () => `config.kubernetes.io/origin: |\n${ind}  path: apps/${pick(TEAMS)}/${kind.toLowerCase()}.yaml\n${ind}  repo: https://git.acme.example/platform/manifests`,
  ];
  const used = new Set();
  while (lines.length < n) { const i = int(0, pool.length - 1); if (used.has(i)) { if (used.size === pool.length) break; continue; } used.add(i); lines.push(ind + pool[i]()); }
  return lines.join('\n');
}

function pair(i) {
  const team = pick(TEAMS), tier = pick(TIERS), ns = pick(NS);
  const name = `${team}-${tier}-${i}`;
  const app = name;
  const nContainers = chance(0.8) ? 1 : int(2, 3);
  const containers = [];
  const allPorts = [];
  const usedHostPorts = [];
  for (let c = 0; c < nContainers; c++) {
    const cname = c === 0 ? tier : pick(['sidecar', 'proxy', 'log-shipper', 'exporter']) + (c > 1 ? `-${c}` : '');
    const nPorts = int(c === 0 ? 1 : 0, 3);
    const ports = [];
    const usedNames = new Set();
    for (let p = 0; p < nPorts; p++) {
      let pname = chance(0.8) ? pick(PORT_NAMES) : null;
      if (pname && usedNames.has(pname)) pname = `${pname}-${p}`;
      if (pname) usedNames.add(pname);
      const port = pick([80, 443, 8080, 8443, 9090, 9102, 5432, 6379, 53, 3000, 15090]) + (chance(0.3) ? int(1, 50) : 0);
      const proto = port === 53 || chance(0.05) ? 'UDP' : 'TCP';
      let hostPort = null;
      if (chance(0.08)) { hostPort = chance(0.2) && usedHostPorts.length ? usedHostPorts[0] : port; usedHostPorts.push(hostPort); }
      ports.push({ pname, port, proto, hostPort });
      allPorts.push({ pname, port });
    }
    containers.push({ cname, ports, img: image() });
  }
  const ind = '        '; // container list items inside template.spec.containers
  const cText = containers.map((c) => {
    const L = [];
    L.push(`      - name: ${c.cname}`);
    L.push(`        image: ${chance(0.1) ? `"${c.img}"` : c.img}`);
    if (chance(0.5)) L.push(`        imagePullPolicy: ${pick(['Always', 'IfNotPresent', 'Never'])}`);
    if (chance(0.2)) L.push(`        args: [${['--port', String(c.ports[0]?.port ?? 8080), '--log-level', pick(['info', 'debug'])].map((a) => `"${a}"`).join(', ')}]`);
    else if (chance(0.15)) L.push(`        command:\n        - /bin/${pick(IMAGES)}\n        - --config=/etc/${pick(IMAGES)}/config.yaml`);
    if (c.ports.length) {
      L.push('        ports:');
      for (const p of c.ports) {
        L.push(`        - containerPort: ${p.port}`);
        if (p.pname) L.push(`          name: ${p.pname}`);
        if (p.proto !== 'TCP' || chance(0.3)) L.push(`          protocol: ${p.proto}`);
        if (p.hostPort != null) L.push(`          hostPort: ${p.hostPort}`);
      }
    }
    const nEnv = chance(0.4) ? 0 : int(1, 4);
    if (nEnv) {
      L.push('        env:');
      for (let e = 0; e < nEnv; e++) {
        const r = rnd();
        const en = `${pick(['DB', 'CACHE', 'API', 'LOG', 'FEATURE', 'OTEL'])}_${pick(['HOST', 'PORT', 'LEVEL', 'TOKEN', 'URL', 'ENABLED'])}_${e}`;
        L.push(`        - name: ${en}`);
        if (r < 0.55) L.push(`          value: ${pick([`"${int(1, 65535)}"`, `"true"`, `https://${pick(TEAMS)}.svc.cluster.local:${int(1000, 9999)}`, `'${hex(16)}'`, `info`])}`);
        else if (r < 0.75) L.push(`          valueFrom:\n            secretKeyRef:\n              name: ${team}-secrets\n              key: ${en.toLowerCase()}`);
        else if (r < 0.9) L.push(`          valueFrom:\n            configMapKeyRef:\n              name: ${team}-config\n              key: ${en.toLowerCase()}${chance(0.3) ? '\n              optional: true' : ''}`);
        else L.push(`          valueFrom:\n            fieldRef:\n              fieldPath: ${pick(['metadata.name', 'metadata.namespace', 'status.podIP', 'spec.nodeName'])}`);
      }
    }
    if (chance(0.7)) {
      L.push('        resources:');
      if (chance(0.9)) L.push(`          requests:\n            cpu: ${pick(['50m', '100m', '250m', '500m', '1', '2'])}\n            memory: ${pick(['64Mi', '128Mi', '256Mi', '512Mi', '1Gi', '2G'])}`);
      if (chance(0.6)) L.push(`          limits:\n            cpu: ${pick(['200m', '500m', '1', '2', '4'])}\n            memory: ${pick(['128Mi', '256Mi', '1Gi', '4Gi'])}`);
      if (L[L.length - 1] === '        resources:') L[L.length - 1] = '        resources: {}';
    }
    if (c.ports.length && chance(0.35)) {
      const p = c.ports[0];
      const target = p.pname && chance(0.6) ? p.pname : p.port;
      for (const probe of chance(0.5) ? ['livenessProbe', 'readinessProbe'] : ['readinessProbe']) {
        if (chance(0.7)) L.push(`        ${probe}:\n          httpGet:\n            path: /${pick(['healthz', 'ready', 'livez', 'status'])}\n            port: ${target}\n          initialDelaySeconds: ${int(0, 30)}\n          periodSeconds: ${int(5, 30)}`);
        else L.push(`        ${probe}:\n          tcpSocket:\n            port: ${target}\n          timeoutSeconds: ${int(1, 5)}`);
      }
    }
    if (chance(0.6)) {
      L.push('        securityContext:');
      const r = rnd();
      if (r < 0.15) L.push('          privileged: true');
      else {
        L.push(`          runAsNonRoot: ${pick(['true', 'false'])}`);
        if (chance(0.6)) L.push(`          runAsUser: ${pick([0, 1000, 65532, 10001])}`);
        L.push(`          readOnlyRootFilesystem: ${pick(['true', 'false'])}`);
        L.push(`          allowPrivilegeEscalation: ${pick(['true', 'false'])}`);
        if (chance(0.5)) L.push(`          capabilities:\n            drop: ["ALL"]${chance(0.2) ? `\n            add: [${pick(['NET_ADMIN', 'SYS_ADMIN', 'NET_BIND_SERVICE'])}]` : ''}`);
      }
    }
    if (chance(0.25)) L.push(`        volumeMounts:\n        - name: config\n          mountPath: /etc/${c.cname}\n          readOnly: true`);
    return L.join('\n');
  }).join('\n');

  const labels = (ind2, extra = true) => {
    const L = [`${ind2}app: ${app}`, `${ind2}app.kubernetes.io/name: ${name}`];
    if (extra) {
      L.push(`${ind2}app.kubernetes.io/part-of: ${team}`);
      if (chance(0.6)) L.push(`${ind2}app.kubernetes.io/version: "${int(0, 5)}.${int(0, 20)}.${int(0, 9)}"`);
      if (chance(0.5)) L.push(`${ind2}tier: ${tier}`);
      if (chance(0.3)) L.push(`${ind2}team: ${team}`);
    }
    return L.join('\n');
  };
  const volumes = chance(0.5)
    ? `      volumes:\n      - name: config\n${pick([
      `        configMap:\n          name: ${team}-config`,
      `        secret:\n          secretName: ${team}-secrets`,
      '        emptyDir: {}',
      `        hostPath:\n          path: ${pick(['/var/run/docker.sock', '/var/log', '/etc/ssl/certs', '/'])}`,
    ])}`
    : '';
  const dep = [
    chance(0.05) ? `# Deployment ${name} (generated)` : null,
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    `  name: ${name}`,
    chance(0.85) ? `  namespace: ${ns}` : null,
    '  labels:', labels('    '),
    '  annotations:', annotations('    ', 'Deployment'),
    'spec:',
    `  replicas: ${pick([1, 1, 2, 3, 5, 10])}`,
    chance(0.3) ? `  revisionHistoryLimit: ${int(1, 10)}` : null,
    '  selector:', '    matchLabels:', `      app: ${app}`,
    chance(0.25) ? `  strategy:\n    type: RollingUpdate\n    rollingUpdate:\n      maxSurge: ${pick(['25%', 1, '50%'])}\n      maxUnavailable: ${pick(['0', '25%', 1])}` : null,
    '  template:', '    metadata:', '      labels:', labels('        ', false),
    chance(0.25) ? `      annotations:\n${annotations('        ', 'Pod')}` : null,
    '    spec:',
    chance(0.4) ? `      serviceAccountName: ${team}-sa` : null,
    chance(0.06) ? '      hostNetwork: true' : null,
    chance(0.3) ? `      nodeSelector:\n        kubernetes.io/os: linux${chance(0.3) ? `\n        node.kubernetes.io/instance-type: ${pick(['m5.large', 'c6i.xlarge'])}` : ''}` : null,
    chance(0.1) ? `      tolerations:\n      - key: dedicated\n        operator: Equal\n        value: ${team}\n        effect: NoSchedule` : null,
    '      containers:',
    cText,
    volumes || null,
  ].filter((x) => x !== null && x !== '').join('\n');

  const svcType = pick(['ClusterIP', 'ClusterIP', 'ClusterIP', 'NodePort', 'LoadBalancer', 'headless']);
  const sp = allPorts.length ? allPorts.slice(0, int(1, Math.min(3, allPorts.length))) : [{ pname: null, port: 8080 }];
  const svcPorts = sp.map((p, k) => {
    let target = p.pname && chance(0.5) ? p.pname : p.port;
    if (chance(0.04)) target = chance(0.5) ? 'missing-port' : 9999; // dangling targetPort
    const L = [`  - port: ${pick([80, 443, p.port])}`];
    if (sp.length > 1 || chance(0.5)) L.push(`    name: ${p.pname ?? `port-${k}`}`);
    L.push(`    targetPort: ${target}`);
    if (svcType === 'NodePort' && chance(0.5)) L.push(`    nodePort: ${int(30000, 32767)}`);
    return L.join('\n');
  }).join('\n');
  const svc = [
    'apiVersion: v1',
    'kind: Service',
    'metadata:',
    `  name: ${name}`,
    chance(0.85) ? `  namespace: ${ns}` : null,
    '  labels:', labels('    '),
    chance(0.3) ? `  annotations:\n${annotations('    ', 'Service')}` : null,
    'spec:',
    svcType === 'headless' ? '  clusterIP: None' : `  type: ${svcType}`,
    '  selector:', `    app: ${chance(0.03) ? app + '-typo' : app}`,
    '  ports:', svcPorts,
  ].filter((x) => x !== null).join('\n');
  return [dep, svc];
}

rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
let bytes = 0, docs = 0, pi = 0;
const perFile = Math.floor(PAIRS / FILES), extra = PAIRS % FILES;
for (let f = 0; f < FILES; f++) {
  const n = perFile + (f < extra ? 1 : 0);
  const parts = [];
  for (let k = 0; k < n; k++) { const [d, s] = pair(pi++); parts.push(d, s); }
  docs += parts.length;
  let text = parts.join('\n---\n') + '\n';
  if (chance(0.02)) text = '---\n' + text + '---\n';
  const dir = join(OUT, `group-${String(Math.floor(f / 100)).padStart(2, '0')}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `bundle-${String(f).padStart(4, '0')}.yaml`), text);
  bytes += Buffer.byteLength(text);
}
console.log(JSON.stringify({ out: OUT, files: FILES, pairs: PAIRS, docs, bytes }));

import type { Rule } from '../src/types.js';
import { kubeMinor } from '../src/versions.js';
import {
  catalogue, linkerdTarget, parseGoBool, reads, sitesOf, valueText, type KeySite,
} from '../src/linkerd-keys.js';

const rule: Rule = {
  meta: {
    id: 'linkerd-native-sidecar-kube-version',
    description: 'Linkerd native sidecar enabled (any prefix, value true) for a cluster older than Kubernetes 1.29; a warning on 1.28.',
    rationale:
      'With native sidecar on, the injector puts the proxy in `initContainers` with `restartPolicy: Always`. That needs the ' +
      'SidecarContainers feature: absent before Kubernetes 1.28, alpha and off by default in 1.28, on by default from 1.29. ' +
      'Without it the API server drops `restartPolicy` from the init container (or rejects it), and the proxy runs as a plain init ' +
      'container that never exits, so the pod never starts.',
    severity: 'error',
    category: 'linkerd',
    fixable: false,
    docs: {
      details:
        'Reads the Kubernetes version only when it is given (`--kube-version` or `kubernetesVersion` in the config): the built-in ' +
        'default (the newest version whose schemas are bundled) is a placeholder, not knowledge of the cluster, so the rule ' +
        'never acts on it. Looks at pod templates, Pods and Namespaces (whose annotation the pods inherit). The effective switch ' +
        'follows Linkerd\'s precedence: `config.linkerd.io/proxy-enable-native-sidecar` over `config.beta.linkerd.io/...` over ' +
        '`config.alpha.linkerd.io/...`, counting only keys the target Linkerd version reads (every key when the version is ' +
        'unknown); the value must parse true (Go ParseBool). Kubernetes 1.28: warning (the feature gate can be turned on); older: ' +
        'error. The Helm value `proxy.nativeSidecar` (default on in 2.20, which needs Kubernetes 1.31 anyway) is not seen here.',
      bad: '# --kube-version 1.27\nmetadata:\n  annotations:\n    config.alpha.linkerd.io/proxy-enable-native-sidecar: "true"\n',
      good: '# --kube-version 1.29\nmetadata:\n  annotations:\n    config.alpha.linkerd.io/proxy-enable-native-sidecar: "true"\n',
      references: [
        'Kubernetes KEP-753 Sidecar Containers (alpha 1.28, beta and on by default 1.29, GA 1.33)',
        'linkerd/linkerd2 charts/linkerd-control-plane/values.yaml proxy.nativeSidecar ("requires Kubernetes >= 1.29")',
        'linkerd/linkerd2 pkg/inject/inject.go (native sidecar annotation precedence)',
      ],
    },
  },
  create(ctx) {
    const groups: KeySite[][] = [];
    return {
      resource(r) {
        const keys = catalogue().nativeSidecarKeys;
        let byBlock: Map<string, KeySite[]> | undefined; // made for the few resources that carry the keys
        for (const site of sitesOf(r)) {
          if (site.kind !== 'annotation' || !keys.includes(site.key)) continue;
          if (site.place !== 'pod' && site.place !== 'namespace') continue;
          byBlock ??= new Map();
          let g = byBlock.get(site.metaPath);
          if (!g) byBlock.set(site.metaPath, (g = []));
          g.push(site);
        }
        if (byBlock) groups.push(...byBlock.values());
      },
      done() {
        if (groups.length === 0) return;
        const f = ctx.facts.get('kubernetesVersion');
        if (!f || f.origin === 'default') return;
        const kube = kubeMinor(f.value);
        if (!kube || kube.major !== 1 || kube.minor >= 29) return;
        const t = linkerdTarget(ctx.facts);
        const cat = catalogue();
        for (const g of groups) {
          // Highest-precedence key the target reads decides.
          let decider: KeySite | undefined;
          for (const k of cat.nativeSidecarKeys) {
            const s = g.find((x) => x.key === k);
            if (!s) continue;
            const e = cat.byKey.get(k)!.find((x) => x.kind === 'annotation')!;
            if (!reads(e, t)) continue;
            if (s.place === 'namespace' && typeof e.inheritedFromNamespace === 'object' && t.known && e.inheritedFromNamespace[t.line!] === false) continue;
            decider = s;
            break;
          }
          if (!decider) continue;
          const v = valueText(decider.value);
          if (v === null || parseGoBool(v) !== true) continue;
          const on1_28 = kube.minor === 28;
          ctx.report({
            resource: decider.resource,
            path: decider.path,
            severity: on1_28 ? 'warning' : 'error',
            message: on1_28
              ? `"${decider.key}" turns on Linkerd's native sidecar, but Kubernetes 1.28 (${f.label}) has SidecarContainers as an alpha gate, off by default: enable the gate, upgrade to 1.29+, or set it to "false"`
              : `"${decider.key}" turns on Linkerd's native sidecar, which needs Kubernetes 1.29+ (SidecarContainers); the cluster is ${f.value} (${f.label}): set it to "false" or upgrade`,
          });
        }
      },
    };
  },
};

export default rule;

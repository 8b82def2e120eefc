import type { Resource, Rule, RuleContext, Severity, Target } from '../src/types.js';
import { classifyLinkerdVersion, linkerdSkew } from '../src/linkerd-version.js';
import { isObj, metadata, podTemplate, str } from '../src/model.js';
import { ptr } from '../src/pointer.js';
import { linkerdProxyContainer, linkerdSources, sourceName, sourceTarget, type LinkerdSource } from '../src/tool-versions.js';
import { parseImage } from '../src/versions.js';

/** Pod-template keys that pin a version; a Namespace pins the proxy only (debug keys are not inherited). */
const POD_PINS: Record<string, string> = {
  'config.linkerd.io/proxy-version': 'pinned proxy version',
  'config.linkerd.io/debug-image-version': 'pinned debug image version',
};
const NAMESPACE_PINS: Record<string, string> = {
  'config.linkerd.io/proxy-version': 'pinned proxy version (inherited by the namespace\'s pods)',
};

interface Pin {
  target: Target;
  value: string;
  what: string;
  /** What to do, given the control plane's version. */
  advice: (cp: string) => string;
}

const UNPIN = (cp: string) => `remove the pin so the injector uses the control plane's version, or pin ${cp}`;
const REINJECT = (cp: string) => `re-inject the workload with the CLI of the control plane (${cp}) or let the injector add the proxy`;

const rule: Rule = {
  meta: {
    id: 'linkerd-version-mismatch',
    description:
      'Linkerd CLI, control plane and data plane at different versions: the CLI against the control plane, and a pinned proxy-version, ' +
      'debug-image-version or linkerd-proxy image tag against the control plane; also unparseable and conflicting version sources.',
    rationale:
      'The CLI renders manifests and runs checks for its own version: run against another control plane it installs, injects and upgrades ' +
      'with the wrong defaults, and `linkerd check` warns that the versions do not match. A proxy or debug image pinned to another release ' +
      'runs a data plane the control plane was not tested with; across release lines or channels (edge against stable or enterprise) ' +
      'the protocol and configuration between them can differ.',
    severity: 'warning',
    category: 'versions',
    fixable: false,
    crossResource: false,
    docs: {
      details:
        'The control-plane version comes from `--linkerd-version`, the config `linkerd.controlPlaneVersion`, `linkerdVersion` in the ' +
        '`values` of ConfigMap `linkerd-config`, or `linkerd.io/created-by` (`linkerd/cli <version>`, `linkerd/helm <version>`) on ' +
        'control-plane workloads, in that order; the CLI version from `--linkerd-cli-version` or `linkerd.cliVersion`. Versions are ' +
        '`stable-2.14.10`, `edge-24.10.1`, `enterprise-2.17.1`, `2.17.0` or `v2.17.0`, with an optional hotpatch suffix (`-2`). A plain ' +
        'version matches any release channel; an edge release is placed on its stable line (edge-24.2.4 is on the 2.15 line).\n\n' +
        'Reported: the CLI against the control plane (without a location when both come from flags or config, else at the manifest ' +
        'field); `config.linkerd.io/proxy-version` and `config.linkerd.io/debug-image-version` on a pod template (proxy-version also on ' +
        'a Namespace), and the image tag of a `linkerd-proxy` container (initContainers first: native sidecar) that differ from the ' +
        'control plane, at that value. Error when the release line or the channel differs, warning within one line (patch or hotpatch). ' +
        'An image pinned by digest has no known version and is not reported.\n\n' +
        'Also reported: a version that cannot be parsed (error for a flag or config value, warning in a manifest), and two sources that ' +
        'disagree (two `linkerd-config` maps, a flag and a manifest), naming the one in force. Values that are not versions at all ' +
        '(`linkerd-version`, `dev-undefined`, `git-1a2b3c4d`, as in Linkerd\'s own test goldens) are treated as unknown.',
      bad:
        '# kube-preflight --linkerd-cli-version 2.15.7 --linkerd-version enterprise-2.17.0\n' +
        'spec:\n  template:\n    metadata:\n      annotations:\n        config.linkerd.io/debug-image-version: edge-24.2.4   # edge, 2.15 line\n',
      good:
        '# kube-preflight --linkerd-cli-version enterprise-2.17.0 --linkerd-version enterprise-2.17.0\n' +
        'spec:\n  template:\n    metadata:\n      annotations:\n        config.linkerd.io/enable-debug-sidecar: "true"   # image follows the control plane\n',
      references: [
        'linkerd/linkerd2 pkg/healthcheck/healthcheck.go: "control plane and cli versions match", "data plane and cli versions match"',
        'linkerd/linkerd2 pkg/healthcheck/version.go (linkerd-config values linkerdVersion); pkg/k8s/api.go GetProxyVersion',
        'linkerd/linkerd2 pkg/version/channelversion.go (channels and hotpatches); version-2.X tags (edge to stable line)',
      ],
    },
  },
  create(ctx) {
    const pins: Pin[] = [];

    /** `base` is the annotations' pointer, or how to make it (most pods pin nothing: no pointer made for them). */
    const addPins = (r: Resource, base: string | (() => string), annotations: unknown, keys: Record<string, string>) => {
      if (!isObj(annotations)) return;
      for (const key in keys) {
        const v = str(annotations[key]);
        if (v === undefined) continue;
        if (typeof base !== 'string') base = base();
        pins.push({ target: { resource: r, path: ptr(base, key) }, value: v.trim(), what: `${keys[key]} "${key}: ${v.trim()}"`, advice: UNPIN });
      }
    };

    return {
      resource(r) {
        if (r.kind === 'Namespace' && r.apiVersion === 'v1') {
          addPins(r, '/metadata/annotations', metadata(r)['annotations'], NAMESPACE_PINS);
          return;
        }
        const t = podTemplate(r);
        if (t) addPins(r, () => ptr(t.path, 'metadata', 'annotations'), t.metadata['annotations'], POD_PINS);
        const proxy = linkerdProxyContainer(r);
        const image = proxy ? str(proxy.container['image']) : undefined;
        if (proxy && image !== undefined) {
          const ref = parseImage(image);
          // A digest decides what runs: the tag beside it proves nothing, so the version is unknown.
          if (ref.digest === undefined && ref.tag !== undefined) {
            const where = proxy.type === 'initContainer' ? 'native sidecar ' : '';
            pins.push({ target: { resource: r, path: ptr(proxy.path, 'image') }, value: ref.tag, what: `${where}linkerd-proxy image tag "${ref.tag}"`, advice: REINJECT });
          }
        }
      },
      done() {
        const cp = linkerdSources(ctx.facts, 'linkerd.controlPlaneVersion');
        const cli = linkerdSources(ctx.facts, 'linkerd.cliVersion');
        reportUnparseable(ctx, cp, 'control-plane');
        reportUnparseable(ctx, cli, 'CLI');
        reportConflicts(ctx, cp, 'control-plane');
        reportConflicts(ctx, cli, 'CLI');

        const top = cp[0];
        if (!top?.parsed) return;
        const topName = sourceName(top);

        const c = cli[0];
        if (c?.parsed) {
          const skew = linkerdSkew(c.parsed, top.parsed);
          if (skew) {
            const message =
              `Linkerd CLI ${c.value} (${sourceName(c)}) does not match the control plane ${top.value} (${topName}): ${skew.reason}; ` +
              `use the CLI of the control plane's release to install, inject, upgrade and check`;
            report(ctx, sourceTarget(top), message, skew.severity);
          }
        }

        for (const p of pins) {
          const k = classifyLinkerdVersion(p.value);
          if (k.kind === 'placeholder') continue;
          if (k.kind === 'malformed') {
            ctx.report({ ...p.target, message: `${p.what} cannot be compared with the control plane ${top.value}: ${k.error}` });
            continue;
          }
          const skew = linkerdSkew(k.version, top.parsed);
          if (!skew) continue;
          ctx.report({
            ...p.target,
            severity: skew.severity,
            message:
              `${p.what} differs from the control plane ${top.value} (${topName}): ${skew.reason}; ${p.advice(top.value)}`,
          });
        }
      },
    };
  },
};

function report(ctx: RuleContext, where: Target | undefined, message: string, severity: Severity): void {
  if (where) ctx.report({ ...where, message, severity });
  else ctx.reportFacts({ message, severity });
}

function reportUnparseable(ctx: RuleContext, sources: LinkerdSource[], what: string): void {
  for (const s of sources) {
    if (!s.error) continue;
    const manifest = s.origin === 'manifest';
    const message = `Linkerd ${what} version from ${sourceName(s)}: ${s.error}; Linkerd version checks against it are skipped`;
    report(ctx, sourceTarget(s), message, manifest ? 'warning' : 'error');
  }
}

/** Sources below the one in force that name another release; created-by values are grouped. */
function reportConflicts(ctx: RuleContext, sources: LinkerdSource[], what: string): void {
  const top = sources[0];
  if (!top?.parsed) return;
  const groups = new Map<string, LinkerdSource[]>();
  for (const s of sources.slice(1)) {
    if (!s.parsed || !linkerdSkew(s.parsed, top.parsed)) continue;
    const key = s.where?.resource.kind === 'ConfigMap' || !s.where ? `${s.value}\u0000${s.label}` : `${s.value}\u0000created-by`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(s);
  }
  for (const g of groups.values()) {
    const s = g[0]!;
    const skew = linkerdSkew(s.parsed!, top.parsed)!;
    const more = g.length > 1 ? ` (and ${g.length - 1} more workload${g.length > 2 ? 's' : ''})` : '';
    const message =
      `Linkerd ${what} version ${s.value} from ${sourceName(s)}${more} disagrees with ${top.value} from ${sourceName(top)}, ` +
      `which is used: ${skew.reason}; make the sources agree`;
    report(ctx, sourceTarget(s), message, skew.severity);
  }
}

export default rule;

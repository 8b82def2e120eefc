import type { Rule } from '../src/types.js';
import { compareLines } from '../src/linkerd-version.js';
import {
  classify, linkerdOwned, linkerdTarget, reads, renameTargets, sitesOf, whenRead, type KeyEntry, type KeySite,
} from '../src/linkerd-keys.js';

const rule: Rule = {
  meta: {
    id: 'linkerd-annotation-version',
    description:
      'A Linkerd key the target Linkerd version does not read: added later, removed, or the wrong native-sidecar prefix for that version.',
    rationale:
      'Linkerd ignores keys it does not know, so a key from a newer release (`config.linkerd.io/proxy-enable-native-sidecar` before ' +
      '2.20, `timeout.linkerd.io/*` before 2.16) or one that was removed (`config.linkerd.io/init-image` in 2.20) silently does ' +
      'nothing on that control plane. The native-sidecar switch moved from `config.alpha.linkerd.io/` (2.15-2.18) to ' +
      '`config.beta.linkerd.io/` (2.19) to `config.linkerd.io/` (2.20).',
    severity: 'warning',
    category: 'linkerd',
    fixable: false,
    docs: {
      details:
        'Only when the control-plane version is known: `--linkerd-version`, `linkerd.controlPlaneVersion` in the config, or the ' +
        'linkerd-config ConfigMap in the set (or `--context`). Without it the rule stays quiet. The version maps to a release line ' +
        '(edge releases by the `version-2.X` tags); for edge releases the first edge that read a key counts, so edge-24.7.4 does ' +
        'not read `timeout.linkerd.io/request` (first in edge-24.7.5) although it is on the 2.16 line. Versions outside 2.14-2.20 ' +
        'or unparseable ones keep the rule quiet.\n\n' +
        'The message names the key that version reads when there is one. Keys still read but deprecated (the alpha native-sidecar ' +
        'key from 2.19, the beta one in 2.20, both below the newer key in precedence) are reported at `info`.',
      bad:
        '# --linkerd-version stable-2.14.10\nmetadata:\n  annotations:\n' +
        '    config.linkerd.io/proxy-enable-native-sidecar: "true"   # 2.20+ only; 2.14 has no native sidecar\n',
      good:
        '# --linkerd-version edge-25.4.4 (2.18)\nmetadata:\n  annotations:\n    config.alpha.linkerd.io/proxy-enable-native-sidecar: "true"\n',
      references: [
        'linkerd/linkerd2 pkg/k8s/labels.go at the version-2.15 ... version-2.20 tags and stable-2.14.x',
        'linkerd/linkerd2 #14577 (proxy-init merged into the proxy image, init-image keys gone in edge-25.11.3)',
        'linkerd/linkerd2 #15267 (native sidecars GA in edge-26.5.2)',
        'rules/_linkerd-catalogue.json (per-key lines and first edges)',
      ],
    },
  },
  create(ctx) {
    const sites: Array<{ site: KeySite; entry: KeyEntry }> = [];
    return {
      resource(r) {
        for (const site of sitesOf(r)) {
          const c = classify(site.key);
          if (c.status !== 'known') continue;
          const entry = c.entries.find((e) => e.kind === site.kind);
          if (!entry || linkerdOwned(entry)) continue;
          // Only keys that some line does not read, or that some line deprecates, can be reported.
          if (entry.lines.length === 7 && !entry.sincePatch && !entry.deprecatedSince && !entry.firstEdge && !entry.removedEdge) continue;
          sites.push({ site, entry });
        }
      },
      done() {
        if (sites.length === 0) return;
        const t = linkerdTarget(ctx.facts);
        if (!t.known) return;
        for (const { site, entry } of sites) {
          const instead = renameTargets(site.key, t)[0];
          const removed = entry.until !== undefined && compareLines(t.line!, entry.until) >= 0;
          if (!reads(entry, t)) {
            ctx.report({
              resource: site.resource, path: site.path, on: 'key',
              message: `${t.label} does not read "${site.key}" (${whenRead(entry)}), so it has no effect; ${instead ? `use "${instead}"` : removed ? 'remove it' : 'remove it or upgrade Linkerd'}`,
            });
          } else if (entry.deprecatedSince && compareLines(t.line!, entry.deprecatedSince) >= 0 && instead) {
            ctx.report({
              resource: site.resource, path: site.path, on: 'key', severity: 'info',
              message: `"${site.key}" is deprecated since Linkerd ${entry.deprecatedSince} (still read by ${t.label}, below newer keys); use "${instead}"`,
            });
          }
        }
      },
    };
  },
};

export default rule;

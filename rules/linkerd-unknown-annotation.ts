import type { Rule } from '../src/types.js';
import { splitPointer } from '../src/pointer.js';
import {
  catalogue, classify, lineSpan, linkerdTarget, reads, renameTargets, sitesOf, splitKey, type KeyKind, type KeySite, type LinkerdTarget,
} from '../src/linkerd-keys.js';

interface Hit {
  site: KeySite;
  candidates: string[];
  near: boolean;
}

/** Candidates that fit the target: read by it, and of the site's kind when any is. Renames are resolved per line. */
function fitting(site: KeySite, candidates: string[], t: LinkerdTarget): { best: string[]; fit: string[] } {
  const cat = catalogue();
  const renamed = renameTargets(site.key, t);
  // A known rename (proxy-native-sidecar): the target version decides the prefix.
  if (cat.renames.has(site.key)) return { best: renamed.length > 0 ? renamed : candidates, fit: renamed };
  const sameKind = (k: string, kind: KeyKind) => (cat.byKey.get(k) ?? []).some((e) => e.kind === kind);
  const ofKind = candidates.filter((k) => sameKind(k, site.kind));
  const best = ofKind.length > 0 ? ofKind : candidates;
  const fit = ofKind.filter((k) => (cat.byKey.get(k) ?? []).some((e) => e.kind === site.kind && reads(e, t)));
  return { best, fit };
}

function describe(k: string, t: LinkerdTarget, from: string): string {
  if (t.known) return `"${k}"`;
  const renamed = catalogue().renames.get(from);
  const span = renamed ? spanOf(Object.keys(renamed.to).filter((l) => renamed.to[l] === k)) : lineSpan(k);
  return span ? `"${k}" (Linkerd ${span})` : `"${k}"`;
}

/** '2.15-2.18' from ['2.15', ..., '2.18'] (lines are consecutive in the rename table). */
function spanOf(lines: string[]): string {
  if (lines.length === 0) return '';
  const last = catalogue().lines[catalogue().lines.length - 1];
  if (lines[lines.length - 1] === last) return `${lines[0]}+`;
  return lines.length === 1 ? lines[0]! : `${lines[0]}-${lines[lines.length - 1]}`;
}

function orList(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

/** Does the site's own map already hold `key`? */
function siblingHas(site: KeySite, key: string): boolean {
  let cur: unknown = site.resource.object;
  for (const t of splitPointer(site.path).slice(0, -1)) cur = cur !== null && typeof cur === 'object' ? (cur as Record<string, unknown>)[t] : undefined;
  return cur !== null && typeof cur === 'object' && Object.prototype.hasOwnProperty.call(cur, key);
}

const rule: Rule = {
  meta: {
    id: 'linkerd-unknown-annotation',
    description:
      'An annotation or label key under a Linkerd prefix that Linkerd does not read, or a key that is a near miss of a Linkerd key; says "did you mean".',
    rationale:
      'Linkerd accepts any annotation silently: `config.linkerd.io/proxy-native-sidecar: "true"` is taken without a word and does ' +
      'nothing, because the key never existed (it is `proxy-enable-native-sidecar`, under the alpha, beta or stable prefix depending ' +
      'on the version). Every misspelled Linkerd key is a silent misconfiguration that only shows when the proxy misbehaves.',
    severity: 'error',
    category: 'linkerd',
    fixable: true,
    docs: {
      details:
        'Checked: annotation and label keys on every object, on pod templates (a CronJob\'s two levels down) and on a CronJob\'s ' +
        'jobTemplate. A key is unknown when its prefix is one of Linkerd\'s (`linkerd.io/`, `config.linkerd.io/`, ' +
        '`config.alpha.linkerd.io/`, `config.beta.linkerd.io/`, `viz.linkerd.io/`, `balancer.linkerd.io/`, ' +
        '`balancer.alpha.linkerd.io/`, `retry.linkerd.io/`, `timeout.linkerd.io/`, `multicluster.linkerd.io/`, ' +
        '`mirror.linkerd.io/`, `policy.linkerd.io/`) and no Linkerd release from 2.14 to 2.20 reads or writes it (the catalogue ' +
        '`rules/_linkerd-catalogue.json`, which includes the keys Linkerd sets itself). A key outside those prefixes is flagged ' +
        'only when its prefix is within two edits of a Linkerd prefix (`config.linkerd.i0/`, `conifg.linkerd.io/`) and its name ' +
        'is a Linkerd key name or close to one, so keys of other projects are left alone.\n\n' +
        'The candidate is chosen by edit distance on the name (one edit for short names, up to three for long ones; an adjacent ' +
        'swap counts as one), by the same name under another Linkerd prefix, and by known renames: `proxy-native-sidecar` becomes ' +
        '`proxy-enable-native-sidecar` under the prefix the target version reads (alpha for 2.15-2.18, beta for 2.19, stable from ' +
        '2.20). `--fix` renames the key, keeping its value, quoting and comments, only when exactly one candidate fits the target ' +
        'Linkerd version (`--linkerd-version`, the config, or the linkerd-config ConfigMap); with no version every line counts, ' +
        'so a key whose right spelling depends on the version is reported without a fix.',
      bad:
        'metadata:\n  annotations:\n    linkerd.io/injet: enabled                     # did you mean "linkerd.io/inject"\n' +
        '    config.linkerd.io/proxy-native-sidecar: "true" # never existed\n',
      good:
        'metadata:\n  annotations:\n    linkerd.io/inject: enabled\n    config.alpha.linkerd.io/proxy-enable-native-sidecar: "true"  # 2.15-2.18\n',
      references: [
        'linkerd/linkerd2 pkg/k8s/labels.go (annotation and label keys per release tag)',
        'linkerd/linkerd2 pkg/inject/inject.go (keys the proxy injector reads)',
        'linkerd/linkerd2 policy-controller/k8s/index/src/outbound/index.rs (Service and route annotations)',
        'rules/_linkerd-catalogue.json (per-key sources)',
      ],
    },
  },
  create(ctx) {
    const hits: Hit[] = [];
    return {
      resource(r) {
        for (const site of sitesOf(r)) {
          const c = classify(site.key);
          if (c.status !== 'unknown' && c.status !== 'near') continue;
          hits.push({ site, candidates: c.candidates, near: c.status === 'near' });
          ctx.keep(r); // done() looks at the keys beside the site (siblingHas)
        }
      },
      done() {
        if (hits.length === 0) return;
        const t = linkerdTarget(ctx.facts);
        const planned = hits.map((h) => ({ ...h, ...fitting(h.site, h.candidates, t) }));
        // A rename into a key the map already has, or two renames into one key, would make a duplicate key: no fix then.
        const into = new Map<string, number>();
        const slot = (s: KeySite, k: string) => `${s.resource.file.index}\u0000${s.resource.doc}\u0000${s.resource.base}\u0000${s.metaPath}\u0000${s.kind}\u0000${k}`;
        for (const p of planned) if (p.fit.length === 1) into.set(slot(p.site, p.fit[0]!), (into.get(slot(p.site, p.fit[0]!)) ?? 0) + 1);
        for (const { site, near, best, fit } of planned) {
          const what = site.kind === 'annotation' ? 'annotation' : 'label';
          const prefix = splitKey(site.key)?.[0] ?? '';
          const head = near
            ? `${what} key "${site.key}" looks like a misspelled Linkerd key (prefix "${prefix}/"), which Linkerd ignores`
            : `"${site.key}" is not ${what === 'annotation' ? 'an annotation' : 'a label'} Linkerd reads, so it is silently ignored`;
          let tail: string;
          if (fit.length === 1) tail = `; did you mean "${fit[0]}"${t.known ? `, which ${t.label} reads` : ''}?`;
          else if (best.length > 0) {
            const notRead = t.known && fit.length === 0 ? `, although ${t.label} does not read ${best.length > 1 ? 'them' : 'it'}` : '';
            tail = `; did you mean ${orList((fit.length > 1 ? fit : best).map((k) => describe(k, t, site.key)))}${notRead}?`;
          } else tail = '; check the spelling against the Linkerd annotation reference';
          const clash = fit.length === 1 && (siblingHas(site, fit[0]!) || (into.get(slot(site, fit[0]!)) ?? 0) > 1);
          if (clash) tail += ' (not fixed automatically: that key would then appear twice)';
          const target = fit.length === 1 && !clash ? fit[0]! : undefined;
          ctx.report({
            resource: site.resource,
            path: site.path,
            on: 'key',
            message: head + tail,
            fix: target ? (fixer) => fixer.renameKey({ resource: site.resource, path: site.path }, target) : undefined,
          });
        }
      },
    };
  },
};

export default rule;

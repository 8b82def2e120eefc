import type { Resource, Rule } from '../src/types.js';
import {
  classify, inheritedFromNamespace, linkerdOwned, linkerdTarget, placeWords, renameTargets, scopeAllows, scopeWords, sitesOf, templateValue,
  type KeyEntry, type KeySite,
} from '../src/linkerd-keys.js';

/** Where a pod-level key belongs, as a path users recognise. */
function templateWhere(r: Resource): string {
  return r.kind === 'CronJob' ? 'spec.jobTemplate.spec.template.metadata.annotations' : 'spec.template.metadata.annotations';
}

const rule: Rule = {
  meta: {
    id: 'linkerd-annotation-placement',
    description:
      'A Linkerd key where Linkerd does not read it: a pod-level key on a workload\'s own metadata, an annotation used as a label or ' +
      'the reverse, a Service-only key on a pod or a pod-only key on a Service, a key a Namespace does not pass on to its pods.',
    rationale:
      'The proxy injector reads the annotations of the pod being created and of its Namespace, nothing else: `linkerd.io/inject` on a ' +
      'Deployment\'s own metadata does nothing (linkerd/linkerd2 #4125), nor does a `config.linkerd.io/*` label. The policy controller ' +
      'reads Service (and route) annotations; `mirror.linkerd.io/exported` is a label selector of the Link, so as an annotation it ' +
      'exports nothing. The debug-image keys are not inherited from a Namespace. None of these is an error for the API server.',
    severity: 'error',
    category: 'linkerd',
    fixable: false,
    docs: {
      details:
        'Where each key is read comes from the catalogue (`rules/_linkerd-catalogue.json`): pod template (or Pod), Namespace, ' +
        'Service, HTTPRoute/GRPCRoute, link Secret; label or annotation. Report only: moving a key between metadata blocks is not ' +
        'a minimal edit, so there is no `--fix`.\n\n' +
        'A pod-level key on a workload\'s own metadata is not reported when the pod template carries the same key with the same ' +
        'value: the copy is redundant but harmless (Linkerd\'s own viz chart does this with `linkerd.io/inject: enabled`). Keys ' +
        'Linkerd writes itself (`linkerd.io/created-by`, `linkerd.io/control-plane-ns`...) are not checked for placement. ' +
        'Keys that differ by version (the beta native-sidecar key is not inherited from a Namespace in 2.20) follow the target ' +
        'Linkerd version, and are flagged only when it is known. Container port names in a Service\'s ' +
        '`config.linkerd.io/opaque-ports` are reported by linkerd-annotation-value.',
      bad:
        'kind: Deployment\nmetadata:\n  annotations:\n    linkerd.io/inject: enabled   # on the Deployment: no effect\n' +
        'spec:\n  template:\n    metadata:\n      labels:\n        config.linkerd.io/proxy-cpu-limit: "1"   # a label: no effect\n',
      good:
        'kind: Deployment\nspec:\n  template:\n    metadata:\n      annotations:\n        linkerd.io/inject: enabled\n' +
        '        config.linkerd.io/proxy-cpu-limit: "1"\n',
      references: [
        'linkerd/linkerd2 #4125 (inject annotation on the Deployment instead of the pod template)',
        'linkerd/linkerd2 pkg/inject/inject.go (GetAnnotationOverrides: pod annotations; namespace inheritance list)',
        'linkerd/linkerd2 pkg/healthcheck/healthcheck_labels.go (linkerd check: Linkerd annotations used as labels)',
        'linkerd/linkerd2 #13636 (debug-image keys; not inherited from a Namespace)',
      ],
    },
  },
  create(ctx) {
    const byVersion: Array<{ site: KeySite; entry: KeyEntry }> = [];
    return {
      resource(r) {
        for (const site of sitesOf(r)) {
          const c = classify(site.key);
          if (c.status !== 'known') continue;
          const entries = c.entries.filter((e) => !e.testOnly);
          if (entries.length === 0 || entries.every(linkerdOwned)) continue;
          const entry = entries.find((e) => e.kind === site.kind);
          const where = site.metaPath === '/spec/jobTemplate/metadata' ? `the ${r.kind}'s jobTemplate metadata` : placeWords(site.place, r);
          if (!entry) {
            const other = entries[0]!;
            const move = site.kind === 'label' ? 'metadata.annotations' : 'metadata.labels';
            ctx.report({
              resource: r, path: site.path, on: 'key',
              message: `"${site.key}" is a Linkerd ${other.kind}, used here as ${site.kind === 'label' ? 'a label' : 'an annotation'}: Linkerd ignores it; move it to ${move}${site.place === 'workload' ? ` of the pod template (${templateWhere(r)})` : ''}`,
            });
            continue;
          }
          if (site.place === 'workload' && scopeAllows(entry, 'pod')) {
            const copy = templateValue(r, site.kind, site.key);
            if (copy !== undefined && String(copy) === String(site.value)) continue; // redundant copy, harmless
            const dest = site.kind === 'annotation' ? templateWhere(r) : templateWhere(r).replace(/annotations$/, 'labels');
            ctx.report({
              resource: r, path: site.path, on: 'key',
              message: `"${site.key}" on ${where} has no effect: Linkerd reads it from the pods; move it to ${dest}`,
            });
            continue;
          }
          if (!scopeAllows(entry, site.place)) {
            ctx.report({
              resource: r, path: site.path, on: 'key',
              message: `"${site.key}" on ${where} has no effect: Linkerd reads it on ${scopeWords(entry)}`,
            });
            continue;
          }
          if (site.place === 'namespace' && site.kind === 'annotation') {
            if (typeof entry.inheritedFromNamespace === 'object') byVersion.push({ site, entry });
            else if (!entry.inheritedFromNamespace) {
              ctx.report({
                resource: r, path: site.path, on: 'key',
                message: `"${site.key}" on a Namespace is not passed on to its pods (Linkerd reads it only on the pod); put it on each pod template`,
              });
            }
          }
        }
      },
      done() {
        if (byVersion.length === 0) return;
        const t = linkerdTarget(ctx.facts);
        if (!t.known) return;
        for (const { site, entry } of byVersion) {
          if (inheritedFromNamespace(entry, t)) continue;
          const instead = renameTargets(site.key, t)[0];
          ctx.report({
            resource: site.resource, path: site.path, on: 'key',
            message: `"${site.key}" on a Namespace is not passed on to its pods by ${t.label}; ${instead ? `use "${instead}", which it inherits, or put the key on each pod template` : 'put it on each pod template'}`,
          });
        }
      },
    };
  },
};

export default rule;

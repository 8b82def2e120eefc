import type { Rule } from '../src/types.js';
import {
  classify, enumForTarget, linkerdOwned, linkerdTarget, podPortNames, sitesOf, valueProblem, valueText, type KeyEntry, type KeySite,
} from '../src/linkerd-keys.js';

const rule: Rule = {
  meta: {
    id: 'linkerd-annotation-value',
    description: 'A known Linkerd key whose value Linkerd will not parse: bool, duration, port list, CIDR, quantity, ratio, image, enum...',
    rationale:
      'Linkerd never rejects an annotation: the proxy injector logs a warning and falls back to the default, the policy controller ' +
      'drops the whole annotation. `config.linkerd.io/proxy-cpu-limit: 1 core`, `retry.linkerd.io/timeout: "5"` (no unit) or a port ' +
      'name in a Service\'s `config.linkerd.io/opaque-ports` are all accepted by the API server and then ignored.',
    severity: 'error',
    category: 'linkerd',
    fixable: false,
    docs: {
      details:
        'Values are checked as the component that reads them parses them: booleans as Go `strconv.ParseBool` (`true`, `false`, `1`, ' +
        '`0`, `t`, `f`, `TRUE`, `False`...); `enabled`/`disabled` (proxy-await, proxy-admin-shutdown); Go durations for the ' +
        'injector\'s timeouts (`10s`, `1m30s`); policy-controller durations for `timeout.linkerd.io/*`, `retry.linkerd.io/timeout` ' +
        'and the balancer penalties: one whole number with a unit `ms`, `s`, `m`, `h` or `d`, or bare `0` (no fractions, no ' +
        'negatives, no compound values); single ports 1-65535; port lists `80,8080,9000-9100` (names too in a pod template\'s ' +
        '`opaque-ports`, where each name must be a container port of that pod; a Service\'s `opaque-ports` takes numbers and ranges ' +
        'only, and one bad item voids the whole list); CIDR lists; Kubernetes quantities; `proxy-cpu-ratio-limit` strictly between ' +
        '0 and 1; jitter ratio 0-100; images, tags and pull policies; the enums (`linkerd.io/inject`, `default-inbound-policy`, ' +
        '`proxy-log-format`, `access-log`, `proxy-log-http-headers`, `balancer.linkerd.io/failure-accrual`, ' +
        '`retry.linkerd.io/grpc`, `mirror.linkerd.io/exported`...); `retry.linkerd.io/http` conditions; `proxy-additional-env` as ' +
        'a JSON list of env vars.\n\n' +
        'Values that only some Linkerd versions take (`default-inbound-policy: audit` from 2.16, `failure-accrual: unified` from ' +
        '2.20) are flagged only when the target version is known and does not take them. Keys Linkerd writes itself ' +
        '(`linkerd.io/created-by`, `linkerd.io/proxy-version`...) are not checked. Free-text keys (`proxy-log-level`) are not checked.',
      bad:
        'metadata:\n  annotations:\n    config.linkerd.io/proxy-await: "true"      # enabled or disabled\n' +
        '    config.linkerd.io/proxy-cpu-limit: 1 core\n    config.linkerd.io/skip-outbound-ports: "5432;6379"\n',
      good:
        'metadata:\n  annotations:\n    config.linkerd.io/proxy-await: enabled\n    config.linkerd.io/proxy-cpu-limit: "1"\n' +
        '    config.linkerd.io/skip-outbound-ports: "5432,6379"\n',
      references: [
        'linkerd/linkerd2 pkg/inject/inject.go (ApplyAnnotationOverrides: how the injector parses each value)',
        'linkerd/linkerd2 pkg/util/parsing.go, pkg/util/portrange.go (port lists)',
        'linkerd/linkerd2 policy-controller/k8s/index/src/ports.rs (parse_portset), outbound/index.rs (parse_duration)',
        'rules/_linkerd-catalogue.json (per-key types and sources)',
      ],
    },
  },
  create(ctx) {
    const byLine: Array<{ site: KeySite; entry: KeyEntry; value: string }> = [];
    return {
      resource(r) {
        let names: Set<string> | undefined;
        for (const site of sitesOf(r)) {
          const c = classify(site.key);
          if (c.status !== 'known') continue;
          const entry = c.entries.find((e) => e.kind === site.kind);
          if (!entry || linkerdOwned(entry)) continue;
          const value = valueText(site.value);
          if (value === null) continue;
          const problem = valueProblem(entry, value, { place: site.place, portNames: () => (names ??= podPortNames(r)) });
          if (problem) {
            const consequence = /ignored|skips/.test(problem) ? '' : '; Linkerd ignores the value and keeps its default';
            ctx.report({ resource: r, path: site.path, message: `"${site.key}": ${problem}${consequence}` });
          } else if (entry.enumByLine) byLine.push({ site, entry, value });
        }
      },
      done() {
        if (byLine.length === 0) return;
        const t = linkerdTarget(ctx.facts);
        for (const { site, entry, value } of byLine) {
          const allowed = enumForTarget(entry, t);
          if (!allowed || allowed.includes(value)) continue;
          ctx.report({
            resource: site.resource,
            path: site.path,
            message: `"${value}" is not a value ${t.label} takes for "${site.key}" (it takes ${allowed.map((a) => `"${a}"`).join(', ')}); upgrade Linkerd or pick one of those`,
          });
        }
      },
    };
  },
};

export default rule;

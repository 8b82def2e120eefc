import type { Resource, Rule, RuleContext, Severity } from '../src/types.js';
import { DEFAULT_KUBERNETES_VERSION } from '../src/facts.js';
import {
  BUNDLED_SCHEMA_VERSION,
  apiLifecycle,
  builtinKindsOf,
  kubeMinor,
  nearest,
  validateBuiltin,
  validatorFor,
  type Violation,
} from '../src/schema.js';
import { crdInfo, validateCustom, type CrdInfo } from '../src/crd-schema.js';
import { hasLeadingZeroNumber } from '../src/yaml11.js';

/** The last file prepare() scanned for leading-zero numbers (its resources come one after another). */
let lastFile = { text: '', zero: false };

const rule: Rule = {
  meta: {
    id: 'schema',
    description:
      'An object that fails the Kubernetes OpenAPI schema: wrong type, missing required field, unknown field, bad enum value; ' +
      'an API version the target Kubernetes no longer serves; a custom resource that fails its CustomResourceDefinition; ' +
      'a plain scalar Kubernetes reads as another type (YAML 1.1).',
    rationale:
      'kubectl and the API server reject these (strict field validation makes unknown fields errors since Kubernetes 1.27), ' +
      'but only when the manifest reaches a cluster. Removed API versions fail at apply time after an upgrade. Kubernetes ' +
      'decodes YAML with go-yaml v2 (YAML 1.1): a bare `yes`, `on` or `0644` is not what a YAML 1.2 reader sees.',
    severity: 'error',
    category: 'schema',
    fixable: true,
    crossResource: true,
    docs: {
      details:
        'Built-in kinds (every group kubernetes-models 4.5.1 covers, generated from the Kubernetes 1.33 OpenAPI) are validated ' +
        'offline with its bundled validators, loaded per kind on first use. Each violation is its own finding: at the value for ' +
        'a wrong type or enum, at the key for an unknown field (with the nearest valid name), at the parent mapping for a ' +
        'missing required field. `null` for an optional field counts as absent, as the API server decodes it, so ' +
        '`kubectl create --dry-run -o yaml` output (`creationTimestamp: null`, `status: {}`) is clean; an empty string for an ' +
        'enum is the Go zero value and is defaulted.\n\n' +
        'API versions: an apiVersion/kind the target Kubernetes version (fact `kubernetesVersion`, default 1.33) no longer ' +
        'serves is an error naming the replacement and the version that removed it; a deprecated one still served is a ' +
        'warning. The table is `rules/_removed-apis.json`, each row with its source.\n\n' +
        'Custom resources: when the set (or `--context`) holds the CustomResourceDefinition of a kind, its objects are ' +
        'validated against the openAPIV3Schema of their version, with the API server\'s structural-schema rules ' +
        '(unknown fields rejected unless `x-kubernetes-preserve-unknown-fields`, `x-kubernetes-int-or-string`, `nullable`). ' +
        'Custom resources without a CRD in sight are not checked.\n\n' +
        'YAML 1.1 typing: a plain `yes`/`no`/`on`/`off`/`y`/`n` is a boolean for Kubernetes, `0644` is octal, `1_000` and ' +
        '`0b101` are integers. Where a string is required (labels, annotations, ConfigMap data, env values) that is an ' +
        'error with the quoted form to use (fixable); where the field takes that type (`readOnly: yes`, `defaultMode: 0644`) ' +
        'it is valid for Kubernetes and a warning, since YAML 1.2 tools (kustomize, yq) read another value.\n\n' +
        'Fields added after Kubernetes 1.33 are unknown to the bundled schemas: with a newer `kubernetesVersion`, unknown ' +
        'fields are warnings.',
      bad:
        'apiVersion: extensions/v1beta1   # removed in 1.16: use apps/v1\n' +
        'kind: Deployment\n' +
        'metadata:\n' +
        '  name: web\n' +
        '  labels:\n' +
        '    canary: yes                  # a boolean for Kubernetes: quote it\n' +
        'spec:\n' +
        '  replicas: "2"                  # expected an integer\n' +
        '  template:\n' +
        '    spec:\n' +
        '      containers:\n' +
        '        - name: web\n' +
        '          image: nginx:1.27\n' +
        '          imagePullPolice: Always  # unknown field: did you mean "imagePullPolicy"?\n',
      good:
        'apiVersion: apps/v1\n' +
        'kind: Deployment\n' +
        'metadata:\n' +
        '  name: web\n' +
        '  labels:\n' +
        '    canary: "yes"\n' +
        'spec:\n' +
        '  replicas: 2\n' +
        '  selector:\n' +
        '    matchLabels: {app: web}\n' +
        '  template:\n' +
        '    metadata:\n' +
        '      labels: {app: web}\n' +
        '    spec:\n' +
        '      containers:\n' +
        '        - name: web\n' +
        '          image: nginx:1.27\n' +
        '          imagePullPolicy: Always\n',
      references: [
        'kubernetes-models 4.5.1 (npm, MIT): validators generated from the Kubernetes OpenAPI',
        'https://kubernetes.io/docs/reference/using-api/deprecation-guide/ (Deprecated API Migration Guide)',
        'https://kubernetes.io/docs/tasks/extend-kubernetes/custom-resources/custom-resource-definitions/#specifying-a-structural-schema',
        'https://kubernetes.io/docs/reference/using-api/api-concepts/#field-validation',
        'gopkg.in/yaml.v2 resolve.go (go-yaml v2 plain scalar resolution, used through sigs.k8s.io/yaml)',
      ],
    },
  },
  // Validating a built-in kind needs only the object and its text: large runs do it on the parse workers.
  prepare(r, src) {
    if (r.file.context) return null;
    const fn = validatorFor(r.apiVersion, r.kind);
    if (!fn) return null;
    // Numbers' spelling matters only where the object's text has a leading-zero number; most files have none.
    // A file's resources share its text: the file is scanned once, each resource's own text only when the file has one.
    if (src.fileText !== lastFile.text) lastFile = { text: src.fileText, zero: hasLeadingZeroNumber(src.fileText) };
    const text = lastFile.zero ? src.sourceText('') : null;
    return validateBuiltin(r.object, fn, {
      raw: (path) => src.sourceText(path), checkNumbers: text !== null && hasLeadingZeroNumber(text), mayBePlain: src.mayBePlain?.bind(src),
      unshared: src.unshared,
    });
  },
  create(ctx) {
    /** CRDs seen so far (set and --context), by group/kind. */
    const crds = new Map<string, CrdInfo>();
    /** Custom resources whose CRD was not seen yet: checked in done() if it shows up later. */
    const waiting: Resource[] = [];
    let target: { version: string; minor: number } | undefined;
    const targetVersion = () => {
      if (!target) {
        const version = ctx.facts.get('kubernetesVersion')?.value ?? DEFAULT_KUBERNETES_VERSION;
        target = { version, minor: kubeMinor(version) };
      }
      return target;
    };

    return {
      resource(r) {
        const slash = r.apiVersion.indexOf('/');
        const group = slash === -1 ? '' : r.apiVersion.slice(0, slash);
        if (r.kind === 'CustomResourceDefinition' && group === 'apiextensions.k8s.io') {
          const info = crdInfo(r.object);
          if (info) crds.set(`${info.group}/${info.kind}`, info);
        }
        if (r.file.context) return; // indexed for CRDs only, never reported on

        if (!checkLifecycle(ctx, r, targetVersion())) return;
        const found = ctx.prepared<Violation[] | null>(r);
        if (found) {
          emit(ctx, r, found, targetVersion().minor > kubeMinor(BUNDLED_SCHEMA_VERSION));
          return;
        }
        const builtin = builtinKindsOf(r.apiVersion);
        if (builtin) {
          const sugg = nearest(r.kind, builtin);
          ctx.report({
            resource: r, path: '/kind',
            message: `${r.apiVersion} has no kind "${r.kind}"${sugg ? `; did you mean "${sugg}"?` : ''}`,
          });
          return;
        }
        if (group === '') return;
        const crd = crds.get(`${group}/${r.kind}`);
        if (crd) emit(ctx, r, validateCustom(r.object, crd), false);
        else {
          ctx.keep(r); // validated in done() if its CRD shows up later
          waiting.push(r);
        }
      },
      done() {
        for (const r of waiting) {
          const crd = crds.get(`${r.apiVersion.slice(0, r.apiVersion.indexOf('/'))}/${r.kind}`);
          if (crd) emit(ctx, r, validateCustom(r.object, crd), false);
        }
        waiting.length = 0;
      },
    };
  },
};

/** Report a removed or deprecated API version; false when the object is not worth validating further. */
function checkLifecycle(ctx: RuleContext, r: Resource, target: { version: string; minor: number }): boolean {
  const life = apiLifecycle(r.apiVersion, r.kind);
  if (!life || Number.isNaN(target.minor)) return true;
  const use = life.replacement ? `use "${life.replacement}"` : (life.note ?? 'it has no replacement API');
  if (life.removedIn && target.minor >= kubeMinor(life.removedIn)) {
    ctx.report({
      resource: r, path: '/apiVersion',
      message: `${r.apiVersion} ${r.kind} is no longer served since Kubernetes ${life.removedIn} (target ${target.version}); ${use}`,
    });
    return false;
  }
  const since = life.replacementAvailableSince ? kubeMinor(life.replacementAvailableSince) : NaN;
  if (life.removedIn && (Number.isNaN(since) || target.minor >= since)) {
    ctx.report({
      resource: r, path: '/apiVersion', severity: 'warning',
      message: `${r.apiVersion} ${r.kind} is deprecated and no longer served from Kubernetes ${life.removedIn}; ${use}`,
    });
  } else if (!life.removedIn && life.deprecatedIn && target.minor >= kubeMinor(life.deprecatedIn)) {
    ctx.report({
      resource: r, path: '/apiVersion', severity: 'warning',
      message: `${r.apiVersion} ${r.kind} is deprecated since Kubernetes ${life.deprecatedIn}${life.replacement ? `; use ${life.replacement}` : ''}`,
    });
  }
  return true;
}

function emit(ctx: RuleContext, r: Resource, found: Violation[], newerTarget: boolean): void {
  for (const v of found) {
    let severity: Severity | undefined = v.warning ? 'warning' : undefined;
    let message = v.message;
    if (newerTarget && v.code === 'unknown-field') {
      severity = 'warning';
      message += ` (the bundled schemas are Kubernetes ${BUNDLED_SCHEMA_VERSION}; a newer field is not known)`;
    }
    const replacement = v.replacement;
    ctx.report({
      resource: r, path: v.path, on: v.on, message,
      ...(severity ? { severity } : {}),
      ...(replacement !== undefined ? { fix: (fixer) => fixer.replaceNode({ resource: r, path: v.path }, replacement) } : {}),
    });
  }
}

export default rule;

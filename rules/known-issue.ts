import { readFileSync } from 'node:fs';
import type { FactKey } from '../src/facts.js';
import type { RelatedReport, Resource, Rule, RuleContext, Severity, Target } from '../src/types.js';
import { compareLinkerd, parseLinkerdVersion } from '../src/linkerd-version.js';
import { allPorts, asArray, containers, isObj, metadata, podTemplate, str } from '../src/model.js';
import { projectPath } from '../src/paths.js';
import { ptr } from '../src/pointer.js';
import { linkerdSources, semverSources, sourceName, sourceTarget } from '../src/tool-versions.js';
import { compareSemver, parseImage, parseSemver } from '../src/versions.js';

// ---- the advisory database (rules/_advisories.json) ---------------------------------------------

export type Tool = 'linkerd' | 'telepresence' | 'spegel';
export type Scope = 'pod-template' | 'namespace';
export type ArgMatcher = 'hostPort' | 'notHostPort';

export type Trigger =
  | { kind: 'fact-only'; condition: string }
  | { kind: 'annotation-present'; keys: string[]; scopes: Scope[]; scopeNotes?: Partial<Record<Scope, string>> }
  | { kind: 'image-args-order'; image: string; flags: string[]; first: ArgMatcher; then: ArgMatcher };

export interface Advisory {
  id: string;
  tool: Tool;
  /** Omitted: every version, known or not (the trigger alone is the evidence). */
  affected?: Array<{ from?: string; before?: string }>;
  fixed: string | null;
  fixNote?: string;
  trigger: Trigger;
  message: string;
  references: string[];
  severity?: Severity;
}

const TRIGGER_KINDS = ['fact-only', 'annotation-present', 'image-args-order'];

interface ToolSpec {
  name: string;
  fact: FactKey;
  /** Compare two versions; undefined when they cannot be compared (edge against stable). */
  compare(a: string, b: string): number | undefined;
  valid(v: string): boolean;
}

const semverCompare = (a: string, b: string) => {
  const x = parseSemver(a);
  const y = parseSemver(b);
  return x && y ? compareSemver(x, y) : undefined;
};

export const TOOLS: Record<Tool, ToolSpec> = {
  linkerd: {
    name: 'Linkerd',
    fact: 'linkerd.controlPlaneVersion',
    compare(a, b) {
      const x = parseLinkerdVersion(a);
      const y = parseLinkerdVersion(b);
      return x.ok && y.ok ? compareLinkerd(x.version, y.version) : undefined;
    },
    valid: (v) => parseLinkerdVersion(v).ok,
  },
  telepresence: { name: 'Telepresence', fact: 'telepresence.version', compare: semverCompare, valid: (v) => parseSemver(v) !== null },
  spegel: { name: 'Spegel', fact: 'spegel.version', compare: semverCompare, valid: (v) => parseSemver(v) !== null },
};

/** Check the database; throws with the advisory id on the first problem (tests run it). */
export function validateAdvisories(list: unknown): Advisory[] {
  if (!Array.isArray(list)) throw new Error('advisories: expected a list');
  const ids = new Set<string>();
  for (const a of list as Advisory[]) {
    const at = `advisory ${JSON.stringify(a?.id)}`;
    if (typeof a?.id !== 'string' || !/^[a-z0-9-]+$/.test(a.id) || ids.has(a.id)) throw new Error(`${at}: missing, malformed or repeated id`);
    ids.add(a.id);
    const tool = TOOLS[a.tool];
    if (!tool) throw new Error(`${at}: unknown tool ${JSON.stringify(a.tool)}`);
    for (const r of a.affected ?? []) {
      if (r.from === undefined && r.before === undefined) throw new Error(`${at}: an empty range`);
      for (const v of [r.from, r.before]) if (v !== undefined && !tool.valid(v)) throw new Error(`${at}: ${JSON.stringify(v)} is not a ${tool.name} version`);
      if (r.from !== undefined && r.before !== undefined && tool.compare(r.from, r.before) === undefined) {
        throw new Error(`${at}: ${r.from} and ${r.before} are not comparable`);
      }
    }
    if (a.fixed === undefined || (a.fixed === null && !a.fixNote)) throw new Error(`${at}: name the fixed version, or say in fixNote why there is none`);
    if (!Array.isArray(a.references) || a.references.length === 0 || !a.references.every((u) => /^https:\/\/github\.com\//.test(u))) {
      throw new Error(`${at}: references must start with the upstream issue's GitHub URL`);
    }
    if (typeof a.message !== 'string' || !a.message) throw new Error(`${at}: no message`);
    if (!TRIGGER_KINDS.includes(a.trigger?.kind)) throw new Error(`${at}: unknown trigger kind ${JSON.stringify(a.trigger?.kind)}`);
    if (a.trigger.kind === 'annotation-present' && (!a.trigger.keys?.length || !a.trigger.scopes?.length)) throw new Error(`${at}: keys and scopes are required`);
    if (a.trigger.kind === 'image-args-order' && (!a.trigger.image || !a.trigger.flags?.length)) throw new Error(`${at}: image and flags are required`);
    if (a.trigger.kind === 'fact-only' && a.affected === undefined) throw new Error(`${at}: a fact-only advisory needs affected versions`);
  }
  return list as Advisory[];
}

let cache: Advisory[] | undefined;
export function advisories(): Advisory[] {
  if (!cache) cache = validateAdvisories((JSON.parse(readFileSync(projectPath('rules/_advisories.json'), 'utf8')) as { advisories: unknown }).advisories);
  return cache;
}

/** Is the version inside one of the advisory's ranges? */
export function affects(a: Advisory, version: string): boolean {
  if (!a.affected) return true;
  const tool = TOOLS[a.tool];
  return a.affected.some((r) => {
    const lo = r.from === undefined ? 0 : tool.compare(version, r.from);
    const hi = r.before === undefined ? -1 : tool.compare(version, r.before);
    return lo !== undefined && hi !== undefined && lo >= 0 && hi < 0;
  });
}

function fill(template: string, vars: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => vars[k] ?? m);
}

/** The advisory's message, then the fixed version (or why there is none) and the upstream issue. */
export function advisoryMessage(a: Advisory, vars: Record<string, string>): string {
  const fix = a.fixed ? `fixed in ${TOOLS[a.tool].name} ${a.fixed}` : a.fixNote!;
  return `${fill(a.message, { scopeNote: '', ...vars })} (${fix}; ${a.references[0]})`;
}

// ---- the rule ------------------------------------------------------------------------------------

interface Hit {
  advisory: Advisory;
  target: Target;
  vars: Record<string, string>;
  related?: RelatedReport[];
}

/** The port a mirror URL or address names: `http://$(NODE_IP):30020` -> 30020. */
function portOf(item: string): number | undefined {
  const m = /:(\d{1,5})(?:\/.*)?$/.exec(item.trim());
  return m ? Number(m[1]) : undefined;
}

/** Per image name of an image-args-order trigger: the pattern of the repositories that are it. */
const imagePatterns = new Map<string, RegExp>();
function imagePattern(image: string): RegExp {
  let re = imagePatterns.get(image);
  if (!re) imagePatterns.set(image, (re = new RegExp(`(^|/)${image.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`)));
  return re;
}

/** Push the advisory's hits in `r` onto `hits` (most resources have none: nothing is made for them). */
function argsOrderHits(r: Resource, a: Advisory, t: Extract<Trigger, { kind: 'image-args-order' }>, hits: Hit[]): void {
  const imageRe = imagePattern(t.image);
  // The host ports are gathered once a container runs the image: most workloads run none.
  let hostPorts: Map<number, string> | undefined;
  const matches = (m: ArgMatcher, item: string) => {
    const port = portOf(item);
    const isHost = port !== undefined && hostPorts!.has(port);
    return m === 'hostPort' ? isHost : !isHost;
  };
  for (const c of containers(r)) {
    const image = str(c.container['image']);
    // The repository is part of the image's text: an image that does not contain the name is not parsed.
    if (image === undefined || !image.includes(t.image) || !imageRe.test(parseImage(image).repository)) continue;
    if (!hostPorts) {
      hostPorts = new Map();
      for (const p of allPorts(r)) if (p.hostPort !== undefined && p.hostPort > 0 && !hostPorts.has(p.hostPort)) hostPorts.set(p.hostPort, p.path);
    }
    const args = asArray(c.container['args']);
    const items: Array<{ value: string; path: string }> = [];
    args.forEach((arg, i) => {
      if (typeof arg !== 'string') return;
      const flag = t.flags.find((f) => arg === f || arg.startsWith(`${f}=`));
      if (!flag) return;
      if (arg.startsWith(`${flag}=`)) {
        // --flag=a,b: one node holds every item.
        for (const v of arg.slice(flag.length + 1).split(',')) items.push({ value: v, path: ptr(c.path, 'args', i) });
        return;
      }
      for (let j = i + 1; j < args.length; j++) {
        const v = args[j];
        if (typeof v !== 'string' || v.startsWith('-')) break;
        items.push({ value: v, path: ptr(c.path, 'args', j) });
      }
    });
    const i = items.findIndex((x) => matches(t.first, x.value));
    if (i === -1) continue;
    const later = items.slice(i + 1).find((x) => matches(t.then, x.value));
    if (!later) continue;
    const first = items[i]!;
    const related: RelatedReport[] = [{ resource: r, path: later.path, message: `"${later.value}" comes later` }];
    const hp = hostPorts.get(portOf(first.value)!);
    if (hp) related.push({ resource: r, path: hp, message: `the host port ${portOf(first.value)} is declared here` });
    hits.push({ advisory: a, target: { resource: r, path: first.path }, vars: { item: first.value, other: later.value }, related });
  }
}

/** Push the advisory's hits in `r` onto `hits` (most resources have none: nothing is made for them). */
function annotationHits(r: Resource, a: Advisory, t: Extract<Trigger, { kind: 'annotation-present' }>, hits: Hit[]): void {
  const look = (scope: Scope, base: () => string, annotations: unknown) => {
    if (!isObj(annotations)) return;
    for (const key of t.keys) {
      if (!(key in annotations)) continue;
      hits.push({ advisory: a, target: { resource: r, path: ptr(base(), key), on: 'key' }, vars: { key, scopeNote: t.scopeNotes?.[scope] ?? '' } });
    }
  };
  if (t.scopes.includes('namespace') && r.kind === 'Namespace' && r.apiVersion === 'v1') {
    look('namespace', () => '/metadata/annotations', metadata(r)['annotations']);
  }
  const tpl = t.scopes.includes('pod-template') ? podTemplate(r) : null;
  if (tpl) look('pod-template', () => ptr(tpl.path, 'metadata', 'annotations'), tpl.metadata['annotations']);
}

interface ToolState {
  /** The version in force, parsed; undefined when unknown or unparseable. */
  version?: string;
  source?: { label: string; target?: Target };
}

/** The tool's version in force. Telepresence and Spegel sources that fail to parse or disagree are reported here; Linkerd's by linkerd-version-mismatch. */
function toolState(ctx: RuleContext, tool: Tool): ToolState {
  if (tool === 'linkerd') {
    const top = linkerdSources(ctx.facts, TOOLS.linkerd.fact)[0];
    return top?.parsed ? { version: top.value, source: { label: sourceName(top), target: sourceTarget(top) } } : {};
  }
  const spec = TOOLS[tool];
  const sources = semverSources(ctx.facts, spec.fact, spec.name);
  for (const s of sources) {
    if (!s.error) continue;
    const message = `${spec.name} version from ${sourceName(s)}: ${s.error}; ${spec.name} advisories are checked without it`;
    const where = sourceTarget(s);
    if (where) ctx.report({ ...where, message });
    else ctx.reportFacts({ message, severity: 'error' });
  }
  const top = sources[0];
  if (!top?.parsed) return {};
  const seen = new Set<string>();
  for (const s of sources.slice(1)) {
    if (!s.parsed || compareSemver(s.parsed, top.parsed) === 0 || seen.has(s.value)) continue;
    seen.add(s.value);
    const message =
      `${spec.name} version ${s.value} from ${sourceName(s)} disagrees with ${top.value} from ${sourceName(top)}, ` +
      `which known-issue checks; make the sources agree`;
    const where = sourceTarget(s);
    if (where) ctx.report({ ...where, message });
    else ctx.reportFacts({ message });
  }
  return { version: top.value, source: { label: sourceName(top), target: sourceTarget(top) } };
}

const rule: Rule = {
  meta: {
    id: 'known-issue',
    description:
      'A tool version with a known defect for the way it is configured here: Linkerd injectors that ignore debug-image annotations, ' +
      'Linkerd without native sidecar support, Telepresence\'s --proxy-via connect race, Spegel\'s hostPort-first mirrors.',
    rationale:
      'These defects pass every schema check and show up only at run time, as an annotation that silently does nothing, a connect ' +
      'that times out, or image pulls that hang on a node. Each advisory names the affected versions, what triggers it, the fixed ' +
      'version and the upstream issue, so the fix is an upgrade or a configuration change, not a debugging session.',
    severity: 'warning',
    category: 'versions',
    fixable: false,
    crossResource: false,
    docs: {
      details:
        'The advisories are data: `rules/_advisories.json`. Each has a tool (whose version fact it reads: Linkerd control plane, ' +
        'Telepresence, Spegel), affected version ranges, a trigger, the fixed version and the upstream references. Triggers:\n\n' +
        '- `annotation-present`: one of `keys` on a pod template or a Namespace (`scopes`); reported at the key. Needs the tool version.\n' +
        '- `image-args-order`: in a container of `image`, among the values after one of `flags`, an item of kind `first` ' +
        '(`hostPort`: its `:port` is a hostPort of the pod) listed before an item of kind `then` (`notHostPort`); reported at the first item.\n' +
        '- `fact-only`: the version alone, for a defect no manifest shows (a command-line flag); reported at the manifest the version ' +
        'came from (the traffic-manager image), or without a location when it came from a flag or the config.\n\n' +
        'Current advisories: Linkerd injectors from 2.9.0 / edge-20.10.2 up to edge-25.3.2 (all of 2.14-2.17) ignore ' +
        '`config.linkerd.io/debug-image`, `debug-image-version` and `debug-image-pull-policy` (linkerd/linkerd2#13636, fixed in ' +
        'edge-25.3.3, the 2.18 line); no version inherits those keys from a Namespace. Linkerd before 2.15 (edge-23.11.4) has no native ' +
        'sidecar. Telepresence 2.19.0-2.21.2 can time out on `telepresence connect --proxy-via` (telepresenceio/telepresence#3781, ' +
        'fixed in 2.21.3): `--proxy-via` shows in no manifest, so this is reported on the version with the condition spelled out. ' +
        'Spegel lists the hostPort mirror (30020) before the NodePort one (30021) in every release through v0.7.4 (`--mirror-registries`, ' +
        '`--mirror-targets` from v0.1.0).\n\n' +
        'Telepresence and Spegel versions come from `--telepresence-version` / `--spegel-version`, the config, or the image tag of the ' +
        '`traffic-manager` container / the Spegel image (the `app.kubernetes.io/version` label when the image is pinned by digest). ' +
        'An unparseable flag or config version is an error; two sources that disagree are a warning naming the one used.',
      bad:
        '# control plane enterprise-2.17.0 (from --linkerd-version or linkerd-config)\n' +
        'spec:\n  template:\n    metadata:\n      annotations:\n        config.linkerd.io/enable-debug-sidecar: "true"\n' +
        '        config.linkerd.io/debug-image-version: edge-24.2.4   # ignored before edge-25.3.3\n',
      good:
        '# control plane edge-25.3.3 or 2.18+\n' +
        'spec:\n  template:\n    metadata:\n      annotations:\n        config.linkerd.io/enable-debug-sidecar: "true"\n' +
        '        config.linkerd.io/debug-image-version: edge-25.4.4\n',
      references: [
        'https://github.com/linkerd/linkerd2/issues/13636 (fix: PR #13778, edge-25.3.3)',
        'https://github.com/telepresenceio/telepresence/issues/3781 (fix: PR #3786, 2.21.3)',
        'https://github.com/spegel-org/spegel/issues/739 and PR #766; charts/spegel/templates/daemonset.yaml (v0.0.30 .. v0.7.4)',
        'https://github.com/linkerd/linkerd2/pull/11465 (native sidecar, edge-23.11.4)',
      ],
    },
  },
  create(ctx) {
    const list = advisories();
    const hits: Hit[] = [];
    return {
      resource(r) {
        for (const a of list) {
          if (a.trigger.kind === 'annotation-present') annotationHits(r, a, a.trigger, hits);
          else if (a.trigger.kind === 'image-args-order' && podTemplate(r)) argsOrderHits(r, a, a.trigger, hits);
        }
      },
      done() {
        const states = new Map<Tool, ToolState>();
        for (const tool of Object.keys(TOOLS) as Tool[]) states.set(tool, toolState(ctx, tool));
        for (const a of list) {
          const st = states.get(a.tool)!;
          if (a.affected && (st.version === undefined || !affects(a, st.version))) continue;
          const name = TOOLS[a.tool].name;
          const vars = {
            toolVersion: st.version ? `${name} ${st.version}` : name,
            source: st.source?.label ?? 'version unknown',
          };
          if (a.trigger.kind === 'fact-only') {
            const message = advisoryMessage(a, vars);
            if (st.source?.target) ctx.report({ ...st.source.target, message, ...(a.severity ? { severity: a.severity } : {}) });
            else ctx.reportFacts({ message, ...(a.severity ? { severity: a.severity } : {}) });
            continue;
          }
          for (const h of hits) {
            if (h.advisory !== a) continue;
            ctx.report({
              ...h.target,
              message: advisoryMessage(a, { ...vars, ...h.vars }),
              ...(h.related ? { related: h.related } : {}),
              ...(a.severity ? { severity: a.severity } : {}),
            });
          }
        }
      },
    };
  },
};

export default rule;

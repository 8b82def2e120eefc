// Tool versions read from manifests (SPEC section 4), and the version sources rules compare:
// the Linkerd control plane (ConfigMap linkerd-config, linkerd.io/created-by on control-plane
// workloads), the Telepresence traffic-manager image and the Spegel image. Shared by
// linkerd-version-mismatch and known-issue.

import type { Fact, FactCandidate, FactKey, FactSink, Facts } from './facts.js';
import { classifyLinkerdVersion, createdByVersion, type LinkerdVersion } from './linkerd-version.js';
import { containers, hasPodTemplate, isObj, metadata, str, stringMap, VERSION_LABEL, type ContainerRef } from './model.js';
import { ptr } from './pointer.js';
import type { Resource, Target } from './types.js';
import { parseImage, parseSemver, type SemVer } from './versions.js';
import { parseYamlValue } from './yaml-source.js';

export const LINKERD_CONFIG = 'linkerd-config';
const CREATED_BY = 'linkerd.io/created-by';

function describe(r: Resource): string {
  return r.namespace ? `${r.kind} ${r.namespace}/${r.name}` : `${r.kind} ${r.name}`;
}

// ---- collectors ------------------------------------------------------------------------------

/**
 * `linkerdVersion` inside the `values` YAML of ConfigMap linkerd-config. Placeholders (Linkerd's own
 * goldens render `linkerd-version`, `install-control-plane-version`) are unknown and skipped; a value
 * that tries to be a version and fails is kept, so that linkerd-version-mismatch reports it.
 */
export function collectLinkerdConfig(r: Resource, sink: FactSink): void {
  if (r.kind !== 'ConfigMap' || r.apiVersion !== 'v1' || r.name !== LINKERD_CONFIG) return;
  const data = r.object['data'];
  const values = isObj(data) ? str(data['values']) : undefined;
  if (values === undefined) return;
  const parsed = parseYamlValue(values);
  if (!parsed.ok || !isObj(parsed.value)) return;
  const v = parsed.value['linkerdVersion'];
  if (typeof v !== 'string' || classifyLinkerdVersion(v).kind === 'placeholder') return;
  sink.add('linkerd.controlPlaneVersion', v.trim(), `ConfigMap ${r.namespace}/${LINKERD_CONFIG}, linkerdVersion in data.values`, {
    resource: r,
    path: '/data/values',
  });
}

/** A Linkerd control-plane workload: labelled with its component, or with its own namespace as control-plane-ns. */
export function isLinkerdControlPlaneWorkload(r: Resource): boolean {
  if (!hasPodTemplate(r)) return false;
  const labels = stringMap(metadata(r)['labels']);
  if (labels['linkerd.io/extension'] !== undefined || labels['linkerd.io/cni-resource'] !== undefined) return false;
  if (labels['linkerd.io/control-plane-component'] !== undefined) return true;
  return labels['linkerd.io/control-plane-ns'] !== undefined && labels['linkerd.io/control-plane-ns'] === r.namespace;
}

/** `linkerd.io/created-by: linkerd/cli <ver>` or `linkerd/helm <ver>` on a control-plane workload. */
export function collectLinkerdCreatedBy(r: Resource, sink: FactSink): void {
  if (!isLinkerdControlPlaneWorkload(r)) return;
  const ann = metadata(r)['annotations'];
  const value = isObj(ann) ? str(ann[CREATED_BY]) : undefined;
  if (value === undefined) return;
  const cb = createdByVersion(value);
  if (!cb || (cb.tool !== 'cli' && cb.tool !== 'helm')) return;
  if (classifyLinkerdVersion(cb.version).kind === 'placeholder') return;
  sink.add('linkerd.controlPlaneVersion', cb.version, `${describe(r)}, annotation ${CREATED_BY}`, {
    resource: r,
    path: ptr('/metadata/annotations', CREATED_BY),
  });
}

/** A tag that tries to be a version: `2.21.2`, `v0.0.30`. */
function semverTag(tag: string | undefined): SemVer | null {
  return tag === undefined ? null : parseSemver(tag);
}

function versionLabel(r: Resource): { value: string; where: Target } | undefined {
  const labels = metadata(r)['labels'];
  const v = isObj(labels) ? labels[VERSION_LABEL] : undefined;
  if (typeof v !== 'string' || !parseSemver(v)) return undefined;
  return { value: v.trim(), where: { resource: r, path: ptr('/metadata/labels', VERSION_LABEL) } };
}

const TELEPRESENCE_IMAGES = new Set(['tel2', 'ambassador-telepresence-manager']);

/** The traffic-manager container of a Telepresence install, or undefined. */
export function trafficManagerContainer(r: Resource): ContainerRef | undefined {
  if (!hasPodTemplate(r)) return undefined;
  return containers(r).find((c) => {
    if (c.name !== 'traffic-manager' || c.type !== 'container') return false;
    const image = str(c.container['image']);
    return (image !== undefined && TELEPRESENCE_IMAGES.has(parseImage(image).name)) || r.name === 'traffic-manager';
  });
}

/** Telepresence version from the traffic-manager image tag; the `app.kubernetes.io/version` label when the tag is no version. */
export function collectTelepresence(r: Resource, sink: FactSink): void {
  const c = trafficManagerContainer(r);
  if (!c) return;
  const image = str(c.container['image']) ?? '';
  const ref = parseImage(image);
  if (ref.digest === undefined && semverTag(ref.tag)) {
    sink.add('telepresence.version', ref.tag!, `${describe(r)}, image ${image}`, { resource: r, path: ptr(c.path, 'image') });
    return;
  }
  const label = versionLabel(r);
  if (label) sink.add('telepresence.version', label.value, `${describe(r)}, label app.kubernetes.io/version`, label.where);
}

/** Spegel images: ghcr.io/spegel-org/spegel and mirrors of it. */
export function isSpegelImage(image: string): boolean {
  // Asked for every container: an image that does not name the repository at all is not parsed.
  return image.includes('spegel-org/spegel') && /(^|\/)spegel-org\/spegel$/.test(parseImage(image).repository);
}

/** Spegel version from its image tag (tags keep the `v`); the version label when the image is pinned by digest. */
export function collectSpegel(r: Resource, sink: FactSink): void {
  if (!hasPodTemplate(r)) return;
  const spegel = containers(r).filter((c) => isSpegelImage(str(c.container['image']) ?? ''));
  if (spegel.length === 0) return;
  for (const c of spegel) {
    const ref = parseImage(str(c.container['image'])!);
    if (ref.digest === undefined && semverTag(ref.tag)) {
      sink.add('spegel.version', ref.tag!, `${describe(r)}, image ${str(c.container['image'])}`, { resource: r, path: ptr(c.path, 'image') });
      return;
    }
  }
  const label = versionLabel(r);
  if (label) sink.add('spegel.version', label.value, `${describe(r)}, label app.kubernetes.io/version`, label.where);
}

// ---- version sources -------------------------------------------------------------------------

/** One source of a version fact, parsed. */
export interface LinkerdSource extends FactCandidate {
  parsed?: LinkerdVersion;
  /** Set when the value tries to be a version and fails. */
  error?: string;
}

/**
 * Every source of a Linkerd version fact, highest precedence first: flag, config, ConfigMap
 * linkerd-config, then created-by annotations (linkerd-config is what `linkerd version` reads).
 * Flag and config values are parsed strictly: anything unparseable carries an error.
 */
export function linkerdSources(facts: Facts, key: FactKey): LinkerdSource[] {
  const f: Fact | undefined = facts.get(key);
  if (!f || f.origin === 'default') return [];
  const rank = (c: FactCandidate) =>
    c.origin === 'flag' ? 0 : c.origin === 'config' ? 1 : c.where?.resource.kind === 'ConfigMap' ? 2 : 3;
  const sorted = f.candidates.map((c, i) => ({ c, i })).sort((a, b) => rank(a.c) - rank(b.c) || a.i - b.i);
  return sorted.map(({ c }) => {
    const k = classifyLinkerdVersion(c.value);
    if (k.kind === 'version') return { ...c, parsed: k.version };
    if (k.kind === 'malformed') return { ...c, error: k.error };
    return { ...c, error: `"${c.value}" is not a Linkerd version (expected stable-2.14.10, edge-24.10.1, enterprise-2.17.1 or 2.17.0)` };
  });
}

/** The Linkerd version in force for a fact (undefined when unknown or unparseable), with its source. */
export function linkerdInForce(facts: Facts, key: FactKey): LinkerdSource | undefined {
  return linkerdSources(facts, key)[0];
}

/** A semver tool version source (Telepresence, Spegel). */
export interface SemverSource extends FactCandidate {
  parsed?: SemVer;
  error?: string;
}

export function semverSources(facts: Facts, key: FactKey, tool: string): SemverSource[] {
  const f = facts.get(key);
  if (!f || f.origin === 'default') return [];
  return f.candidates.map((c) => {
    const v = parseSemver(c.value);
    return v ? { ...c, parsed: v } : { ...c, error: `"${c.value}" is not a ${tool} version (expected a release like ${tool === 'Spegel' ? 'v0.0.30' : '2.21.3'})` };
  });
}

/** The `linkerd-proxy` container: initContainers first (native sidecar), then containers. */
export function linkerdProxyContainer(r: Resource): ContainerRef | undefined {
  const all = containers(r).filter((c) => c.name === 'linkerd-proxy');
  return all.find((c) => c.type === 'initContainer') ?? all.find((c) => c.type === 'container');
}

/** Where a finding about a source goes: its manifest node, or nowhere (flags, config, --context files). */
export function sourceTarget(s: FactCandidate): Target | undefined {
  return s.where && !s.where.resource.file.context ? s.where : undefined;
}

/** `--linkerd-version`, `config linkerd.controlPlaneVersion`, or `ConfigMap linkerd/linkerd-config (...) in file.yaml` for a --context file. */
export function sourceName(s: FactCandidate): string {
  return s.where?.resource.file.context ? `${s.label} in ${s.where.resource.file.path}` : s.label;
}

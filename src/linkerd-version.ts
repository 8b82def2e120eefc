// Linkerd versions: `stable-2.14.10`, `edge-24.10.1`, `enterprise-2.17.1`, plain `2.17.0` / `v2.17.0`,
// hotpatches `<channel>-<version>-<N>`, and the stable line each belongs to.
// Sources: linkerd/linkerd2 pkg/version/channelversion.go (format, hotpatch), the repository's
// `version-2.X` tags (which edge release became which line), charts/linkerd-control-plane/Chart.yaml
// and pkg/k8s/api.go minAPIVersion (minimum Kubernetes per line).

export type LinkerdChannel = 'stable' | 'edge' | 'enterprise' | 'preview' | 'plain';

export interface LinkerdVersion {
  raw: string;
  channel: LinkerdChannel;
  /** stable/enterprise/plain: 2.14.10 -> [2, 14, 10]; edge/preview: 24.10.1 -> [24, 10, 1]. */
  numbers: [number, number, number];
  /** Hotpatch number from a `-N` suffix, 0 when none. */
  hotpatch: number;
  /** The release line, '2.15'; undefined when not known (an edge newer than the last mapped line). */
  line?: string;
}

/** Release lines kube-preflight knows, oldest first. */
export const LINKERD_LINES = ['2.14', '2.15', '2.16', '2.17', '2.18', '2.19', '2.20'] as const;
export type LinkerdLine = (typeof LINKERD_LINES)[number];

/** Last edge release of each line: the `version-2.X` tags of linkerd/linkerd2. */
const EDGE_LINE_ENDS: Array<[string, [number, number, number]]> = [
  ['2.14', [23, 8, 3]],
  ['2.15', [24, 2, 4]],
  ['2.16', [24, 8, 2]],
  ['2.17', [24, 11, 8]],
  ['2.18', [25, 4, 4]],
  ['2.19', [25, 10, 7]],
  ['2.20', [26, 6, 3]],
];
/** Edges before this belong to 2.13 or older (approximate lower bound of the 2.14 line). */
const FIRST_MAPPED_EDGE: [number, number, number] = [23, 4, 2];

/** Minimum Kubernetes minor per line (chart kubeVersion and minAPIVersion agree). */
export const MIN_KUBERNETES: Record<LinkerdLine, string> = {
  '2.14': '1.21', '2.15': '1.22', '2.16': '1.22', '2.17': '1.22', '2.18': '1.23', '2.19': '1.23', '2.20': '1.31',
};

function cmp3(a: readonly number[], b: readonly number[]): number {
  return a[0]! - b[0]! || a[1]! - b[1]! || a[2]! - b[2]!;
}

/** The line an edge release belongs to, or undefined outside the mapped range. */
export function edgeLine(n: [number, number, number]): string | undefined {
  if (cmp3(n, FIRST_MAPPED_EDGE) < 0) return undefined;
  for (const [line, end] of EDGE_LINE_ENDS) if (cmp3(n, end) <= 0) return line;
  return undefined;
}

export type ParseResult = { ok: true; version: LinkerdVersion } | { ok: false; error: string };

/** Parse a Linkerd version or image tag. Never throws. */
export function parseLinkerdVersion(input: string): ParseResult {
  const raw = input.trim();
  const m = /^(?:(stable|edge|enterprise|preview)-)?v?(\d+)\.(\d+)\.(\d+)(?:-(\d+))?(?:-[0-9A-Za-z.]+)?$/.exec(raw);
  if (!m) {
    return {
      ok: false,
      error: `"${input}" is not a Linkerd version (expected stable-2.14.10, edge-24.10.1, enterprise-2.17.1 or 2.17.0)`,
    };
  }
  const channel = (m[1] ?? 'plain') as LinkerdChannel;
  const numbers: [number, number, number] = [Number(m[2]), Number(m[3]), Number(m[4])];
  const hotpatch = m[5] ? Number(m[5]) : 0;
  if ((channel === 'edge' || channel === 'preview') && (numbers[1] < 1 || numbers[1] > 12)) {
    return { ok: false, error: `"${input}" is not a Linkerd ${channel} version: the month must be 1-12` };
  }
  if ((channel === 'stable' || channel === 'enterprise' || channel === 'plain') && numbers[0] !== 2) {
    return { ok: false, error: `"${input}" is not a Linkerd version: releases are 2.x` };
  }
  const line = channel === 'edge' || channel === 'preview' ? edgeLine(numbers) : `${numbers[0]}.${numbers[1]}`;
  return { ok: true, version: { raw, channel, numbers, hotpatch, ...(line !== undefined ? { line } : {}) } };
}

/** Channels whose numbers compare directly (stable, enterprise and plain all count 2.x.y). */
function family(c: LinkerdChannel): 'release' | 'edge' {
  return c === 'edge' || c === 'preview' ? 'edge' : 'release';
}

/** Compare two versions of one channel family; undefined across families (edge vs stable). */
export function compareLinkerd(a: LinkerdVersion, b: LinkerdVersion): number | undefined {
  if (family(a.channel) !== family(b.channel)) return undefined;
  return cmp3(a.numbers, b.numbers) || a.hotpatch - b.hotpatch;
}

/** Compare two line strings ('2.9' < '2.15'). */
export function compareLines(a: string, b: string): number {
  const [am, an] = a.split('.').map(Number);
  const [bm, bn] = b.split('.').map(Number);
  return am! - bm! || an! - bn!;
}

/** Version of a `linkerd.io/created-by` value: `linkerd/cli stable-2.14.10`, `linkerd/helm ...`, `linkerd/proxy-injector ...`. */
export function createdByVersion(value: string): { tool: string; version: string } | null {
  const m = /^linkerd\/([a-z-]+)\s+(\S+)$/.exec(value.trim());
  return m ? { tool: m[1]!, version: m[2]! } : null;
}

export type VersionClass =
  | { kind: 'version'; version: LinkerdVersion }
  | { kind: 'malformed'; error: string }
  | { kind: 'placeholder' };

/**
 * Sort a version string found in a manifest: a Linkerd version; something that tries to be one and
 * fails (`stable-2.14`, `edge-24.13.1`, `2.17`); or a placeholder that is no version at all
 * (`linkerd-version`, `dev-undefined`, `git-a94122bf`, `LinkerdVersion`, `latest`), which callers
 * treat as unknown. A value tries to be a version when it starts with a channel prefix or a number.
 */
export function classifyLinkerdVersion(input: string): VersionClass {
  const r = parseLinkerdVersion(input);
  if (r.ok) return { kind: 'version', version: r.version };
  const s = input.trim();
  if (/^(stable|edge|enterprise|preview)-/i.test(s) || /^v?\d/.test(s)) return { kind: 'malformed', error: r.error };
  return { kind: 'placeholder' };
}

/** Plain versions (`2.17.0`, as `linkerd check` prints them) match any release channel. */
function channelsMatch(a: LinkerdChannel, b: LinkerdChannel): boolean {
  if (a === b) return true;
  const release = (c: LinkerdChannel) => c === 'stable' || c === 'enterprise' || c === 'plain';
  return (a === 'plain' && release(b)) || (b === 'plain' && release(a));
}

/** The same release: `2.17.0`, `v2.17.0` and `enterprise-2.17.0` are one; hotpatches count. */
export function sameLinkerdVersion(a: LinkerdVersion, b: LinkerdVersion): boolean {
  return channelsMatch(a.channel, b.channel) && compareLinkerd(a, b) === 0;
}

export interface LinkerdSkew {
  /** 'error' when the channels or release lines differ, 'warning' within one line. */
  severity: 'error' | 'warning';
  /** Why, for messages: 'channels edge and enterprise differ', 'release lines 2.15 and 2.17 differ'. */
  reason: string;
}

/** How far apart two versions are; null when they are the same release. */
export function linkerdSkew(a: LinkerdVersion, b: LinkerdVersion): LinkerdSkew | null {
  if (sameLinkerdVersion(a, b)) return null;
  if (!channelsMatch(a.channel, b.channel)) {
    const lines = a.line && b.line ? (a.line === b.line ? ` (both on the ${a.line} line)` : ` (lines ${a.line} and ${b.line})`) : '';
    const name = (c: LinkerdChannel) => (c === 'plain' ? 'stable/enterprise' : c);
    return { severity: 'error', reason: `the channels ${name(a.channel)} and ${name(b.channel)} differ${lines}` };
  }
  if (a.line !== undefined && b.line !== undefined) {
    if (a.line !== b.line) return { severity: 'error', reason: `the release lines ${a.line} and ${b.line} differ` };
  } else if (a.line !== b.line) {
    return { severity: 'error', reason: `they belong to different release lines` };
  }
  if (cmp3(a.numbers, b.numbers) === 0) return { severity: 'warning', reason: `the hotpatches differ (${a.hotpatch} and ${b.hotpatch})` };
  return { severity: 'warning', reason: a.line ? `they are different releases of the ${a.line} line` : 'they are different releases' };
}

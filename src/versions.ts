// Version strings and image references, shared by the version-aware rules.

export interface SemVer {
  major: number;
  minor: number;
  patch: number;
  /** Pre-release or other suffix after '-', e.g. 'rc2'; '' when none. */
  pre: string;
  raw: string;
}

/** Parse `1.2.3`, `v1.2.3`, `1.2`, `1.2.3-rc.1`; null when it is not such a version. */
export function parseSemver(s: string): SemVer | null {
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?(?:[-+](.*))?$/.exec(s.trim());
  if (!m) return null;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3] ?? 0), pre: m[4] ?? '', raw: s };
}

export function compareSemver(a: SemVer, b: SemVer): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch || comparePre(a.pre, b.pre);
}

function comparePre(a: string, b: string): number {
  if (a === b) return 0;
  if (a === '') return 1; // a release sorts after its pre-releases
  if (b === '') return -1;
  return a.localeCompare(b, 'en', { numeric: true });
}

/** Kubernetes minor version as a number pair from '1.30', 'v1.30.2'; null when unparseable. */
export function kubeMinor(s: string): { major: number; minor: number } | null {
  const v = parseSemver(s);
  return v ? { major: v.major, minor: v.minor } : null;
}

export interface ImageRef {
  /** Registry and path without tag or digest: 'cr.l5d.io/linkerd/proxy'. */
  repository: string;
  /** Last path segment: 'proxy'. */
  name: string;
  tag?: string;
  digest?: string;
}

/** Split an image reference; a registry port (`host:5000/x`) is not a tag. */
export function parseImage(image: string): ImageRef {
  let rest = image.trim();
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const name = rest.slice(rest.lastIndexOf('/') + 1);
  return { repository: rest, name, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) };
}

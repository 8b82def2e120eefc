import t from 'tap';
import { compareLinkerd, compareLines, createdByVersion, edgeLine, parseLinkerdVersion } from '../src/linkerd-version.js';
import { parseImage, parseSemver, compareSemver } from '../src/versions.js';

const v = (s: string) => {
  const r = parseLinkerdVersion(s);
  if (!r.ok) throw new Error(r.error);
  return r.version;
};

t.test('channels, numbers, hotpatches and lines', async (t) => {
  t.same([v('stable-2.14.10').channel, v('stable-2.14.10').numbers, v('stable-2.14.10').line], ['stable', [2, 14, 10], '2.14']);
  t.same([v('edge-24.10.1').channel, v('edge-24.10.1').line], ['edge', '2.17']);
  t.same([v('enterprise-2.17.1').channel, v('enterprise-2.17.1').line], ['enterprise', '2.17']);
  t.same([v('2.17.0').channel, v('v2.17.0').line], ['plain', '2.17']);
  t.same([v('enterprise-2.17.1-2').hotpatch, v('stable-2.14.10').hotpatch], [2, 0]);
  t.equal(v('edge-24.2.4').line, '2.15', 'the last edge of 2.15 (version-2.15 tag)');
  t.equal(v('edge-24.2.5').line, '2.16');
  t.equal(v('edge-25.3.3').line, '2.18', 'the debug-image fix is on the 2.18 line');
  t.equal(v('edge-26.7.1').line, undefined, 'newer than the last mapped line: unknown, not guessed');
  t.equal(edgeLine([22, 1, 1]), undefined);
});

t.test('unparseable versions say why', async (t) => {
  for (const bad of ['latest', 'stable-2.14', 'edge-24.13.1', '3.0.0', '']) {
    const r = parseLinkerdVersion(bad);
    t.equal(r.ok, false, bad);
    if (!r.ok) t.match(r.error, /is not a Linkerd/);
  }
});

t.test('comparison within a channel family only', async (t) => {
  t.ok(compareLinkerd(v('stable-2.14.10'), v('stable-2.14.9'))! > 0);
  t.ok(compareLinkerd(v('enterprise-2.17.1'), v('2.17.0'))! > 0, 'enterprise and plain count the same numbers');
  t.ok(compareLinkerd(v('enterprise-2.17.1-1'), v('enterprise-2.17.1'))! > 0, 'a hotpatch is newer');
  t.equal(compareLinkerd(v('edge-24.10.1'), v('stable-2.14.10')), undefined);
  t.ok(compareLines('2.9', '2.15') < 0);
});

t.test('created-by and image references', async (t) => {
  t.same(createdByVersion('linkerd/cli stable-2.14.10'), { tool: 'cli', version: 'stable-2.14.10' });
  t.same(createdByVersion('linkerd/proxy-injector edge-24.10.1'), { tool: 'proxy-injector', version: 'edge-24.10.1' });
  t.equal(createdByVersion('helm'), null);
  t.same(parseImage('cr.l5d.io/linkerd/proxy:stable-2.14.10'), { repository: 'cr.l5d.io/linkerd/proxy', name: 'proxy', tag: 'stable-2.14.10' });
  t.same(parseImage('localhost:5000/proxy@sha256:abc'), { repository: 'localhost:5000/proxy', name: 'proxy', digest: 'sha256:abc' });
  t.same(parseImage('localhost:5000/proxy'), { repository: 'localhost:5000/proxy', name: 'proxy' });
  t.ok(compareSemver(parseSemver('v0.0.30')!, parseSemver('0.0.31')!) < 0);
  t.ok(compareSemver(parseSemver('2.21.3')!, parseSemver('2.21.3-rc.1')!) > 0);
});

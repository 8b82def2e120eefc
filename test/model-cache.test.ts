// The model's per-resource caches (model.ts): what several rules ask of one resource is computed
// once, shared frozen, and forgotten with forgetModelCache() (after each file, and after the last
// done()), so resources kept for done() do not keep what was computed from their whole objects.

import t from 'tap';
import { forgetModelCache, perResource, resourcesOf } from '../src/model.js';
import { ServiceGraph, servicePorts } from '../src/services.js';
import { sitesOf } from '../src/linkerd-keys.js';
import type { Resource } from '../src/types.js';

const service = (): Resource =>
  resourcesOf({ index: 0, path: 'svc.yaml', context: false }, 0, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'shop' },
    spec: {
      selector: { app: 'web' },
      ports: [
        { name: 'http', port: 80, targetPort: 'http' },
        { port: 443, targetPort: '8443', protocol: 'TCP' },
        { port: 53, protocol: 'UDP' },
      ],
    },
  })[0]!;

t.test('servicePorts: computed once per resource, shared frozen, forgotten with the model cache', async (t) => {
  forgetModelCache();
  const svc = service();
  const first = servicePorts(svc);
  t.same(
    first.map((p) => [p.index, p.path, p.name, p.port, p.protocol, p.targetPort, p.numericTarget]),
    [
      [0, '/spec/ports/0', 'http', 80, 'TCP', 'http', undefined],
      [1, '/spec/ports/1', undefined, 443, 'TCP', 8443, 8443],
      [2, '/spec/ports/2', undefined, 53, 'UDP', undefined, 53],
    ],
    'named, numeric-string and omitted targetPorts',
  );
  t.equal(servicePorts(svc), first, 'the second call shares the first result');
  t.ok(Object.isFrozen(first), 'shared results are frozen');
  t.throws(() => (first as unknown[]).push(1), TypeError, 'no caller can add to it');
  t.not(servicePorts(service()), first, 'another resource has its own');
  forgetModelCache();
  const again = servicePorts(svc);
  t.not(again, first, 'computed again once the cache is forgotten');
  t.same(again, first, 'to the same ports');
});

t.test('perResource: forgetModelCache forgets every cache made with it', async (t) => {
  let calls = 0;
  const count = perResource((r: Resource) => ({ kind: r.kind, call: ++calls }));
  const svc = service();
  t.equal(count(svc).call, 1);
  t.equal(count(svc).call, 1, 'cached');
  forgetModelCache();
  t.equal(count(svc).call, 2, 'forgotten');
});

t.test('ServiceGraph.selected: once per Service, until another resource is added', async (t) => {
  forgetModelCache();
  const deployment = (name: string, labels: Record<string, string>): Resource =>
    resourcesOf({ index: 1, path: `${name}.yaml`, context: false }, 0, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace: 'shop' },
      spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'c' }] } } },
    })[0]!;
  const graph = new ServiceGraph();
  const svc = service();
  graph.add(svc);
  graph.add(deployment('web-1', { app: 'web' }));
  graph.add(deployment('db', { app: 'db' }));
  const first = graph.selected(svc);
  t.same(first.map((w) => w.resource.name), ['web-1'], 'the workload the selector matches');
  t.equal(graph.selected(svc), first, 'asked again: the same list');
  graph.add(deployment('web-2', { app: 'web', tier: 'front' }));
  t.same(graph.selected(svc).map((w) => w.resource.name), ['web-1', 'web-2'], 'a workload added later is selected too');
});

t.test('sitesOf: the Linkerd key sites of a resource, shared until the model cache is forgotten', async (t) => {
  forgetModelCache();
  const pod = resourcesOf({ index: 2, path: 'pod.yaml', context: false }, 0, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', annotations: { 'linkerd.io/inject': 'enabled', 'example.com/x': 'y' } },
    spec: { containers: [{ name: 'c' }] },
  })[0]!;
  const sites = sitesOf(pod);
  t.same(sites.map((s) => [s.kind, s.key, s.path]), [['annotation', 'linkerd.io/inject', '/metadata/annotations/linkerd.io~1inject']], 'only the Linkerd key');
  t.equal(sitesOf(pod), sites, 'the five Linkerd rules share one list');
  forgetModelCache();
  t.not(sitesOf(pod), sites, 'forgotten with the model cache, after the file');
});

t.test('exact() gives the same items in a list of its own', async (t) => {
  const { exact } = await import('../src/model.js');
  const grown: number[] = [];
  for (let i = 0; i < 3; i++) grown.push(i);
  const got = exact(grown);
  t.same(got, [0, 1, 2]);
  t.not(got, grown, 'a copy: the grown list and its spare room can go');
  const none: number[] = [];
  t.equal(exact(none), none, 'an empty list has no room to give back: kept as it is');
});

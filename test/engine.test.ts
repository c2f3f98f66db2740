// The engine's door: proxies by pod, by Deployment or ad hoc; the bound on translating every proxy;
// deterministic output.

import t from 'tap';
import { compileScenario, InputError } from '../src/engine.js';
import { syntheticMesh } from '../bench/mesh.js';
import { readSample } from './support/samples.js';

const thrownBy = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return undefined;
};

t.test('translating every proxy of a big mesh is refused with a clear error; one proxy works', async (t) => {
  const scenario = compileScenario({ resources: syntheticMesh(60) });
  t.equal(scenario.index.proxies.length, 120);
  const refused = thrownBy(() => scenario.translate());
  t.ok(refused instanceof InputError);
  t.match(refused, { problems: [{ path: 'proxy', message: /name one proxy/ }] });
  const one = scenario.translate({ pod: 'ns-0/svc-0-v1' });
  t.equal(one.proxies.length, 1);
  t.match(one.proxies[0].name, /^svc-0-v1-[a-z0-9]+-[a-z0-9]+$/);
  t.equal(scenario.translate(undefined, 200).proxies.length, 120, 'a caller may raise the bound');
});

t.test('the same input gives byte-identical output', async (t) => {
  const first = JSON.stringify(compileScenario({ resources: readSample('bookinfo') }).translate());
  const second = JSON.stringify(compileScenario({ resources: readSample('bookinfo') }).translate());
  t.equal(first, second);
});

t.test('unknown pods and Deployments are input errors that say which', async (t) => {
  const scenario = compileScenario({ resources: readSample('bookinfo') });
  t.match(thrownBy(() => scenario.translate({ pod: 'default/reviews-v9' })), { problems: [{ path: 'proxy.pod', message: /default\/reviews-v9/ }] });
});

t.test('routes to a host or subset that nothing defines are analysis messages (IST0101), as istioctl analyze gives them', async (t) => {
  const broken = `${readSample('bookinfo')}---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: ratings}
spec:
  hosts: [ratings]
  http:
  - route:
    - destination: {host: ratings, subset: v9}
      weight: 90
    - destination: {host: ratings-next}
      weight: 10
`;
  const ist0101 = (resources: string) =>
    compileScenario({ resources }).analysis.filter((m) => m.code === 'IST0101').map((m) => [m.resource.kind, m.resource.name, m.path, m.level]);
  t.same(ist0101(broken), [
    ['VirtualService', 'ratings', 'spec.http[0].route[1].destination.host', 'Error'],
    ['VirtualService', 'ratings', 'spec.http[0].route[0].destination.subset', 'Error'],
  ]);
  const { analysis } = compileScenario({ resources: broken }).translate({ pod: 'default/productpage-v1' });
  t.ok(analysis.some((m) => m.name === 'ReferencedResourceNotFound' && m.message.includes('ratings-next')), 'translate answers carry the messages');
  t.same(ist0101(readSample('bookinfo')), [], 'bookinfo has none');
});

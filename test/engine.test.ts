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

t.test('routes to a host or subset that nothing defines are warned about, as istioctl analyze does', async (t) => {
  const broken = `${readSample('bookinfo')}---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: ratings}
spec:
  hosts: [ratings]
  http:
  - route:
    - destination: {host: ratings, subset: v9}
    - destination: {host: ratings-next}
`;
  const warnings = compileScenario({ resources: broken }).warnings.filter((w) => /Envoy answers 503/.test(w));
  t.same(warnings, [
    'VirtualService default/ratings: spec.http[0].route[0].destination: subset v9 of ratings.default.svc.cluster.local is defined by no DestinationRule (Envoy answers 503)',
    'VirtualService default/ratings: spec.http[0].route[1].destination: host ratings-next.default.svc.cluster.local is not a service of the mesh (Envoy answers 503)',
  ]);
  t.same(compileScenario({ resources: readSample('bookinfo') }).warnings.filter((w) => /Envoy answers 503/.test(w)), [], 'bookinfo has none');
});

// Fields meshplan reads but does not honour are said by name, as analysis messages of meshplan's own
// code (MPL0001) after istioctl analyze's: never a silent difference. istioctl analyze itself (and so
// its yardstick) never gives them.

import t from 'tap';
import { analyzeScenario, compileScenario } from '../../src/engine.js';
import { NOT_HONOURED } from '../../src/fidelity/unhonoured.js';
import { readSample } from '../support/samples.js';

const MESH = `apiVersion: v1
kind: Namespace
metadata: {name: default, labels: {istio-injection: enabled}}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {clusterIP: 10.96.0.10, selector: {app: web}, ports: [{name: http, port: 80}]}
---
apiVersion: v1
kind: Pod
metadata: {name: web-1, labels: {app: web, version: v1}}
spec: {containers: [{name: web, image: web}]}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: web}
spec:
  host: web
  trafficPolicy:
    tunnel: {protocol: CONNECT, targetHost: proxy.example.com, targetPort: 8080}
    loadBalancer:
      simple: ROUND_ROBIN
      localityLbSetting: {enabled: true, failoverPriority: [topology.kubernetes.io/region]}
  subsets:
  - name: v1
    labels: {version: v1}
    trafficPolicy:
      connectionPool: {http: {maxConcurrentStreams: 10, http2MaxRequests: 100}}
---
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: default}
spec:
  outboundTrafficPolicy: {mode: ALLOW_ANY, egressProxy: {host: egress.example.com, port: {number: 443}}}
`;

t.test('each field not honoured: one message naming its path, on its object and document', async (t) => {
  const s = compileScenario({ resources: MESH });
  const messages = s.analysis.filter((m) => m.code === 'MPL0001');
  t.same(
    messages.map((m) => [m.resource.kind, m.resource.name, m.document, m.path]).sort(),
    [
      ['DestinationRule', 'web', 3, 'spec.subsets[0].trafficPolicy.connectionPool.http.maxConcurrentStreams'],
      ['DestinationRule', 'web', 3, 'spec.trafficPolicy.loadBalancer.localityLbSetting.failoverPriority'],
      ['DestinationRule', 'web', 3, 'spec.trafficPolicy.tunnel'],
      ['Sidecar', 'default', 4, 'spec.outboundTrafficPolicy.egressProxy'],
    ],
  );
  t.match(messages.find((m) => m.path === 'spec.trafficPolicy.tunnel'), { name: 'FieldNotHonoured', level: 'Warning', message: /^spec\.trafficPolicy\.tunnel is not honoured: istiod tunnels/ });
  t.notOk(messages.some((m) => /http2MaxRequests|simple|enabled/.test(m.path ?? '')), 'honoured siblings are not named');
});

t.test('istioctl analyze does not give them; the samples have none', async (t) => {
  t.notOk(analyzeScenario({ resources: MESH }).messages.some((m) => m.code.startsWith('MPL')));
  for (const sample of ['bookinfo', 'egress', 'httpbin']) t.same(compileScenario({ resources: readSample(sample) }).analysis.filter((m) => m.code.startsWith('MPL')), [], sample);
});

t.test('the table names real places: every path starts at spec', async (t) => {
  const paths = Object.values(NOT_HONOURED).flat().map((f) => f.path);
  t.ok(paths.length > 10);
  t.same(paths.filter((p) => !p.startsWith('spec.')), []);
});

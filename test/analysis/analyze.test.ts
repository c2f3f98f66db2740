// The analysis stage's harness, as istioctl analyze offline has it: the default ingress gateway, ignored
// system namespaces, merged identical messages, and resources that silence codes on themselves.

import t from 'tap';
import { analyzeScenario } from '../../src/engine.js';

const gateway = (name: string, port: number, annotations = '') => `apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: ${name}${annotations}}
spec:
  selector: {istio: ingressgateway}
  servers: [{port: {number: ${port}, name: http, protocol: HTTP}, hosts: ["${name}.example"]}]
`;

const codes = (resources: string, mesh?: Record<string, unknown>) =>
  analyzeScenario({ resources, ...(mesh ? { mesh } : {}) }).messages.map((m) => `${m.code} ${m.resource.kind} ${m.resource.namespace}/${m.resource.name}`);

t.test('gateways resolve to the default ingress gateway (ports 80, 443, 31400, 15443) unless the ingress controller is off', async (t) => {
  t.same(codes(gateway('web', 80)), []);
  t.same(codes(gateway('web', 8081)), ['IST0162 Gateway default/web']);
  t.same(codes(gateway('web', 80), { ingressControllerMode: 'OFF' }), ['IST0101 Gateway default/web']);
});

t.test('kube-system and the other system namespaces are left out', async (t) => {
  const unnamed = (ns: string) => `apiVersion: v1\nkind: Service\nmetadata: {name: dns, namespace: ${ns}}\nspec:\n  ports: [{name: weird, port: 5353}]\n---\n`;
  t.same(codes(unnamed('kube-system') + unnamed('apps')), ['IST0118 Service apps/dns']);
});

t.test('a galley.istio.io/analyze-suppress annotation silences its codes on that resource', async (t) => {
  const suppressed = gateway('web', 8081, ', annotations: {galley.istio.io/analyze-suppress: "IST0162"}');
  t.same(codes(suppressed + '---\n' + gateway('shop', 8082)), ['IST0162 Gateway default/shop']);
  t.same(codes(gateway('web', 8081, ', annotations: {galley.istio.io/analyze-suppress: "*"}')), []);
});

t.test('identical messages of several analyzers are merged', async (t) => {
  const typo = gateway('web', 80).replace('istio: ingressgateway', 'istio: ingresstypo');
  // The port, conflicting-gateway and secret analyzers each say this selector matches nothing.
  t.same(codes(typo), ['IST0101 Gateway default/web']);
});

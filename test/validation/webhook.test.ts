// Istio's validating webhook rules: a translate (and a write, which parses the same way) refuses what
// istiod's webhook refuses, naming the field and the rule; analyze reports the same as IST0106.

import t from 'tap';
import { analyzeScenario, compileScenario, InputError } from '../../src/engine.js';

const vs = (http: string) => `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews}
spec:
  hosts: [reviews]
  http:
${http}`;

const refusal = (resources: string) => {
  try {
    compileScenario({ resources });
  } catch (e) {
    if (e instanceof InputError) return e.problems.filter((p) => p.severity === 'error').map((p) => [p.path, p.message]);
    throw e;
  }
  return [];
};

t.test('refused as the webhook refuses, with the field and the rule', async (t) => {
  t.same(refusal(vs('  - route: [{destination: {host: reviews}}]\n    timeout: fast\n')), [['spec.http[0].timeout', '"fast" is not a duration (e.g. "1s", "0.5s", "250ms")']]);
  t.same(refusal(vs('  - route: [{destination: {host: reviews}}]\n    retries: {attempts: -1}\n')), [['spec.http[0].retries.attempts', 'attempts cannot be negative']]);
  t.match(refusal(vs('  - match: [{uri: {regex: "/api/(v1"}}]\n    route: [{destination: {host: reviews}}]\n')), [['spec.http[0].match[0].uri.regex', /^invalid regex: .*RE2/]]);
  t.match(refusal(vs('  - match: [{headers: {x: {regex: "(?=a)"}}}]\n    route: [{destination: {host: reviews}}]\n')), [['spec.http[0].match[0].headers.x.regex', /lookaround/]]);
  t.same(refusal(vs('  - route:\n    - {destination: {host: reviews, subset: a}, weight: 0}\n    - {destination: {host: reviews, subset: b}, weight: 0}\n')), [['spec.http[0].route', 'total destination weight = 0']]);
  t.same(refusal(vs('  - route: [{destination: {host: reviews}, weight: -10}]\n')), [['spec.http[0].route[0].weight', 'weight -10 < 0']]);
  t.same(refusal(vs('  - route: [{destination: {host: "bad_host!"}}]\n')), [['spec.http[0].route[0].destination.host', 'domain name "bad_host!" invalid (label "bad_host!" invalid)']]);
  t.same(refusal(vs('  - route: [{destination: {host: reviews}}]\n    redirect: {uri: /x}\n')), [['spec.http[0]', 'HTTP route cannot contain both route and redirect']]);
  t.same(
    refusal('apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: r}\nspec:\n  host: reviews\n  trafficPolicy: {connectionPool: {tcp: {connectTimeout: 0.5ms}}}\n'),
    [['spec.trafficPolicy.connectionPool.tcp.connectTimeout', 'duration must be greater than 1ms']],
  );
  t.same(refusal('apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: g}\nspec:\n  servers: [{port: {number: 70000, name: http, protocol: HTTP}, hosts: ["*"]}]\n'), [
    ['spec.servers[0].port.number', 'port number 70000 must be in the range 1..65535'],
  ]);
});

t.test('valid config passes; analyze reports the refusals as IST0106 and does not refuse', async (t) => {
  t.same(refusal(vs('  - route: [{destination: {host: reviews}}]\n    timeout: 1.5s\n    retries: {attempts: 3, perTryTimeout: 500ms}\n')), []);
  const { messages } = analyzeScenario({ resources: vs('  - route: [{destination: {host: reviews}}]\n    timeout: fast\n') });
  t.match(messages.filter((m) => m.code === 'IST0106'), [{ name: 'SchemaValidationError', level: 'Error', resource: { kind: 'VirtualService', name: 'reviews' }, path: 'spec.http[0].timeout' }]);
});

t.test('unreachable rules are warnings: translated, and IST0130/IST0131 in analyze', async (t) => {
  const shadowed = vs('  - route: [{destination: {host: reviews}}]\n  - match: [{uri: {prefix: /api}}]\n    route: [{destination: {host: reviews}}]\n');
  const scenario = compileScenario({ resources: shadowed });
  t.ok(scenario.warnings.some((w) => /rule #1 not used \(route without matches defined before\)/.test(w)), scenario.warnings.join('\n'));
  t.match(analyzeScenario({ resources: shadowed }).messages.filter((m) => m.code === 'IST0130'), [{ name: 'VirtualServiceUnreachableRule', level: 'Warning' }]);
  const overlapping = vs('  - match: [{uri: {prefix: /api}}]\n    route: [{destination: {host: reviews}}]\n  - match: [{uri: {prefix: /api/v1}}]\n    route: [{destination: {host: reviews}}]\n');
  t.match(analyzeScenario({ resources: overlapping }).messages.filter((m) => m.code === 'IST0131'), [{ name: 'VirtualServiceIneffectiveMatch', message: /rule #1 match #0 of prefix \/api\/v1 is not used/ }]);
});

t.test('MeshConfig overrides: a bad enum value is refused, an unknown field warned about', async (t) => {
  const resources = vs('  - route: [{destination: {host: reviews}}]\n');
  let thrown: unknown;
  try {
    compileScenario({ resources, mesh: { outboundTrafficPolicy: { mode: 'ALLOW_SOME' } } });
  } catch (e) {
    thrown = e;
  }
  t.ok(thrown instanceof InputError);
  t.match((thrown as InputError).problems, [{ path: 'mesh.outboundTrafficPolicy.mode', message: /"ALLOW_SOME" is not a valid value; expected one of REGISTRY_ONLY, ALLOW_ANY/, severity: 'error' }]);
  const scenario = compileScenario({ resources, mesh: { outboundTraficPolicy: { mode: 'REGISTRY_ONLY' } } });
  t.ok(scenario.warnings.some((w) => w === 'request at mesh.outboundTraficPolicy: unknown MeshConfig field outboundTraficPolicy; ignored'), scenario.warnings.join('\n'));
});

// The tracer's RBAC decision over the filters istiod's builder would generate, one condition at a time:
// each policy field becomes an Envoy matcher, and the trace evaluates that matcher as Envoy does.

import t from 'tap';
import type { TraceRequestInput } from '../../src/contract.js';
import { compileScenario } from '../../src/engine.js';
import { readSample } from '../support/samples.js';

/** Bookinfo with one ALLOW policy on details; the request is traced as one inbound mTLS hop into details. */
function decide(rule: string, request: Partial<TraceRequestInput>, extra = '') {
  const policy = `apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: details-allow, namespace: default}
spec:
  selector: {matchLabels: {app: details}}
  rules:
${rule}
${extra}`;
  const jwt = `---
apiVersion: security.istio.io/v1
kind: RequestAuthentication
metadata: {name: details-jwt, namespace: default}
spec:
  selector: {matchLabels: {app: details}}
  jwtRules: [{issuer: "https://issuer.example", jwks: '{"keys":[]}'}]
`;
  const s = compileScenario({ resources: `${readSample('bookinfo')}\n---\n${policy}\n${jwt}` });
  const details = s.index.proxies.find((p) => p.name.startsWith('details-v1'))!;
  const r = s.trace({ pod: details.pod! }, { mode: 'inbound', port: 9080, tls: 'mtls', address: details.ips[0], host: 'details', ...request });
  return r.error?.code ?? 'allowed';
}

const productpage = { pod: 'default/productpage-v1' };

t.test('principals, namespaces, service accounts: from the client certificate', async (t) => {
  const rule = '  - from: [{source: {principals: ["cluster.local/ns/default/sa/bookinfo-productpage"]}}]';
  t.equal(decide(rule, { source: productpage }), 'allowed');
  t.equal(decide(rule, { source: { pod: 'default/ratings-v1' } }), 'RBAC_DENIED');
  t.equal(decide(rule, { source: productpage, tls: 'plaintext' }), 'RBAC_DENIED', 'plaintext has no client certificate');
  t.equal(decide('  - from: [{source: {namespaces: ["def*"]}}]', { source: productpage }), 'allowed');
  t.equal(decide('  - from: [{source: {notNamespaces: ["default"]}}]', { source: productpage }), 'RBAC_DENIED');
  t.equal(decide('  - from: [{source: {serviceAccounts: ["bookinfo-productpage"]}}]', { source: productpage }), 'allowed');
  t.equal(decide('  - from: [{source: {serviceAccounts: ["other/bookinfo-productpage"]}}]', { source: productpage }), 'RBAC_DENIED');
});

t.test('operations: paths (with templates), methods, hosts, ports', async (t) => {
  const paths = '  - to: [{operation: {paths: ["/details/{*}/info", "/static/{**}"], notPaths: ["/static/secret/{**}"]}}]';
  t.equal(decide(paths, { path: '/details/7/info' }), 'allowed');
  t.equal(decide(paths, { path: '/details/7/8/info' }), 'RBAC_DENIED', '{*} is one segment');
  t.equal(decide(paths, { path: '/static/a/b.css?v=1' }), 'allowed', 'the query is not part of the path');
  t.equal(decide(paths, { path: '/static/secret/key' }), 'RBAC_DENIED');
  t.equal(decide('  - to: [{operation: {methods: ["GET", "HEAD"]}}]', { method: 'POST' }), 'RBAC_DENIED');
  t.equal(decide('  - to: [{operation: {hosts: ["DETAILS"]}}]', {}), 'allowed', 'hosts ignore case');
  t.equal(decide('  - to: [{operation: {ports: ["9080"]}}]', {}), 'allowed');
  t.equal(decide('  - to: [{operation: {ports: ["9090"]}}]', {}), 'RBAC_DENIED');
});

t.test('conditions: headers, IPs, JWT claims', async (t) => {
  const header = '  - when: [{key: "request.headers[x-team]", values: ["blue*"]}]';
  t.equal(decide(header, { headers: { 'x-team': 'blue-2' } }), 'allowed');
  t.equal(decide(header, {}), 'RBAC_DENIED');
  const ip = '  - from: [{source: {ipBlocks: ["10.1.0.0/16"]}}]';
  t.equal(decide(ip, { source: productpage }), 'allowed', 'productpage has a 10.1.x.y address');
  t.equal(decide(ip, { source: { ip: '192.168.1.1' } }), 'RBAC_DENIED');
  const claims = '  - when: [{key: "request.auth.claims[groups]", values: ["admins"]}]';
  const jwt = { issuer: 'https://issuer.example', subject: 'bob' };
  t.equal(decide(claims, { jwt: { ...jwt, claims: { groups: ['devs', 'admins'] } } }), 'allowed', 'a list claim holding the value');
  t.equal(decide(claims, { jwt: { ...jwt, claims: { groups: 'admins' } } }), 'allowed', 'a string claim equal to it');
  t.equal(decide(claims, { jwt: { ...jwt, claims: { groups: ['devs'] } } }), 'RBAC_DENIED');
  t.equal(decide(claims, {}), 'RBAC_DENIED', 'no token, no claims');
  const principal = '  - from: [{source: {requestPrincipals: ["https://issuer.example/*"]}}]';
  t.equal(decide(principal, { jwt }), 'allowed');
  t.equal(decide(principal, { jwt: { ...jwt, valid: false } }), 'JWT_INVALID');
  const scope = '  - when: [{key: "request.auth.claims[scope]", values: ["write"]}]';
  t.equal(decide(scope, { jwt: { ...jwt, claims: { scope: 'read write' } } }), 'allowed', 'scope is split on spaces');
});

t.test('actions: DENY before ALLOW, AUDIT never decides, dry-run only reports', async (t) => {
  const allowAll = '  - {}';
  const deny = `---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: no-admin, namespace: default}
spec: {action: DENY, rules: [{to: [{operation: {paths: ["/admin"]}}]}]}`;
  t.equal(decide(allowAll, { path: '/admin' }, deny), 'RBAC_DENIED');
  t.equal(decide(allowAll, { path: '/details/1' }, deny), 'allowed');
  const audit = deny.replace('action: DENY', 'action: AUDIT');
  t.equal(decide(allowAll, { path: '/admin' }, audit), 'allowed');
  const dryRun = deny.replace('metadata: {name: no-admin, namespace: default}', 'metadata: {name: no-admin, namespace: default, annotations: {"istio.io/dry-run": "true"}}');
  t.equal(decide(allowAll, { path: '/admin' }, dryRun), 'allowed');
});

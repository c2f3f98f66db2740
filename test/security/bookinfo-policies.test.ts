// Bookinfo with a realistic policy set (test/support/fixtures/bookinfo-security.yaml): a JWT required at the
// ingress, /admin denied everywhere, only productpage may call reviews. Traced as Envoy would decide it,
// through the engine, over REST and GraphQL against a real PostgreSQL, and on the command line.

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import type { TraceRequestInput, TraceResult } from '../../src/contract.js';
import { compileScenario } from '../../src/engine.js';
import { repoRoot, readSample } from '../support/samples.js';
import { call, startTestServer } from '../support/server.js';

const POLICIES = path.join(repoRoot, 'test/support/fixtures/bookinfo-security.yaml');
const resources = `${readSample('bookinfo')}\n---\n${readFileSync(POLICIES, 'utf8')}`;
const scenario = compileScenario({ resources });
const pod = (prefix: string): string => scenario.index.proxies.find((p) => p.name.startsWith(prefix))!.pod!;
const GATEWAY = pod('istio-ingressgateway');
const ALICE = { issuer: 'https://auth.bookinfo.example', subject: 'alice', audiences: ['bookinfo'], claims: { group: 'readers' } };
const ingress = (extra: Partial<TraceRequestInput> = {}): TraceRequestInput => ({ port: 8080, host: 'bookinfo.example', path: '/productpage', ...extra });
const stepsOf = (r: TraceResult, hop: number, stage: string) => r.hops[hop].steps.filter((s) => s.stage === stage);

t.test('the generated filters: jwt_authn then RBAC at the gateway, DENY then ALLOW on reviews', async (t) => {
  const names = (podName: string, listener: string) => {
    const dump = scenario.translate({ pod: podName }).proxies[0].configDump as any;
    const l = dump.configs.find((c: any) => c['@type'].endsWith('ListenersConfigDump')).dynamic_listeners.find((x: any) => x.name === listener);
    const chain = l.active_state.listener.filter_chains.find((c: any) => c.filters.some((f: any) => f.name === 'envoy.filters.network.http_connection_manager'));
    return chain.filters.find((f: any) => f.name === 'envoy.filters.network.http_connection_manager').typed_config.http_filters.map((f: any) => f.name);
  };
  t.same(names(GATEWAY, '0.0.0.0_8080').slice(0, 3), ['istio.metadata_exchange', 'envoy.filters.http.jwt_authn', 'envoy.filters.http.rbac']);
  t.same(names(pod('reviews-v1'), 'virtualInbound').slice(0, 3), ['istio.metadata_exchange', 'envoy.filters.http.rbac', 'envoy.filters.http.rbac']);
  const provenance = scenario.translate({ pod: pod('reviews-v1') }).proxies[0].provenance.resources.listeners.virtualInbound;
  t.ok(provenance.includes('AuthorizationPolicy default/reviews-from-productpage'), 'the ALLOW policy shapes virtualInbound');
  t.ok(provenance.includes('AuthorizationPolicy default/deny-admin'), 'the namespace-wide DENY too');
  const table = scenario.proxyConfig({ pod: pod('reviews-v1') }, ['authz']);
  // The TCP chains keep an ALLOW filter with no policies (the rule's methods are HTTP only): istioctl shows it as anonymous.
  t.same(table.tables[0].rows, [
    ['DENY', 'deny-admin.default', '1'],
    ['ALLOW', '_anonymous_match_nothing_', '1'],
    ['ALLOW', 'reviews-from-productpage.default', '1'],
  ]);
  t.match(table.text, /^ACTION   AuthorizationPolicy +RULES\nDENY     deny-admin\.default +1\n/);
});

t.test('ingress: no token is 403, a bad token 401, a good one reaches productpage', async (t) => {
  const none = scenario.trace({ pod: GATEWAY }, ingress());
  t.match(none.error, { code: 'RBAC_DENIED', policy: null, hop: 0 });
  const rbac = stepsOf(none, 0, 'rbac')[0];
  t.match(rbac.why, /ALLOW policies are present and none matches/);
  t.match(rbac.rejected, [
    { name: 'ns[istio-system]-policy[require-jwt]-rule[0]', why: /matches its permissions, not its principals: needs JWT payload\.iss = "https:\/\/auth\.bookinfo\.example"/ },
    { name: 'ns[istio-system]-policy[require-jwt]-rule[1]', why: /none of its permissions: needs path = "\/healthz"/ },
  ]);

  const bad = scenario.trace({ pod: GATEWAY }, ingress({ jwt: { ...ALICE, valid: false } }));
  t.match(bad.error, { code: 'JWT_INVALID', hop: 0 });
  const otherIssuer = scenario.trace({ pod: GATEWAY }, ingress({ jwt: { ...ALICE, issuer: 'https://elsewhere.example' } }));
  t.match(otherIssuer.error, { code: 'JWT_INVALID', message: /not one of https:\/\/auth\.bookinfo\.example/ });
  const wrongAudience = scenario.trace({ pod: GATEWAY }, ingress({ jwt: { ...ALICE, audiences: ['other'] } }));
  t.match(wrongAudience.error, { code: 'JWT_INVALID', message: /audiences/ });

  const good = scenario.trace({ pod: GATEWAY }, ingress({ jwt: ALICE }));
  t.equal(good.error, null);
  t.equal(good.hops.length, 2);
  t.match(stepsOf(good, 0, 'jwt_authn')[0], { chosen: 'origins-0', why: /request principal https:\/\/auth\.bookinfo\.example\/alice/ });
  t.match(stepsOf(good, 0, 'rbac')[0], { chosen: 'ns[istio-system]-policy[require-jwt]-rule[0]' });
  t.notOk(good.hops[1].steps.some((s) => s.stage === 'jwt_authn'), 'productpage has no RequestAuthentication');


  const health = scenario.trace({ pod: GATEWAY }, ingress({ path: '/healthz' }));
  t.not(health.error?.code, 'RBAC_DENIED', '/healthz is allowed without a token (then has no route)');
});

t.test('only productpage may call reviews: the caller is the previous hop’s mTLS identity', async (t) => {
  const fromProductpage = scenario.trace({ pod: pod('productpage-v1') }, { port: 9080, host: 'reviews:9080', path: '/reviews/0' });
  t.equal(fromProductpage.error, null);
  t.match(stepsOf(fromProductpage, 1, 'rbac').map((s) => s.chosen), [null, 'ns[default]-policy[reviews-from-productpage]-rule[0]']);

  const fromRatings = scenario.trace({ pod: pod('ratings-v1') }, { port: 9080, host: 'reviews:9080', path: '/reviews/0' });
  t.match(fromRatings.error, { code: 'RBAC_DENIED', policy: null, hop: 1 });
  t.match(fromRatings.error!.message, /spiffe:\/\/cluster\.local\/ns\/default\/sa\/bookinfo-ratings/);

  const post = scenario.trace({ pod: pod('productpage-v1') }, { port: 9080, host: 'reviews:9080', path: '/reviews/0', method: 'POST' });
  t.match(post.error, { code: 'RBAC_DENIED', hop: 1 }, 'the ALLOW rule covers GET only');

  // One hop, inbound: the identity comes from request.source, and only over mTLS.
  const reviews = pod('reviews-v1');
  const inboundMtls = scenario.trace({ pod: reviews }, { mode: 'inbound', port: 9080, tls: 'mtls', address: scenario.index.proxies.find((p) => p.pod === reviews)!.ips[0], source: { pod: pod('productpage-v1') } });
  t.equal(inboundMtls.error, null);
  const inboundPlain = scenario.trace({ pod: reviews }, { mode: 'inbound', port: 9080, address: scenario.index.proxies.find((p) => p.pod === reviews)!.ips[0], source: { principal: 'cluster.local/ns/default/sa/bookinfo-productpage' } });
  t.match(inboundPlain.error, { code: 'RBAC_DENIED' }, 'plaintext carries no identity');
  t.match(stepsOf(inboundPlain, 0, 'rbac')[1].rejected[0].why, /no principal \(plaintext connection\)/);
  const unknownSource = (() => {
    try {
      scenario.trace({ pod: reviews }, { mode: 'inbound', port: 9080, source: { pod: 'default/nope' } });
      return undefined;
    } catch (e) {
      return e;
    }
  })();
  t.match(unknownSource, { problems: [{ path: 'request.source.pod', message: /no sidecar-injected or gateway pod or Deployment default\/nope/ }] });
});

t.test('/admin is denied on every bookinfo workload, naming the policy', async (t) => {
  const r = scenario.trace({ pod: pod('productpage-v1') }, { port: 9080, host: 'details:9080', path: '/admin/users' });
  t.match(r.error, { code: 'RBAC_DENIED', policy: 'default/deny-admin', hop: 1 });
  t.match(stepsOf(r, 1, 'rbac')[0], { chosen: 'ns[default]-policy[deny-admin]-rule[0]', why: /DENY policy default\/deny-admin matches/ });
  const fine = scenario.trace({ pod: pod('productpage-v1') }, { port: 9080, host: 'details:9080', path: '/details/0' });
  t.equal(fine.error, null);
});

t.test('STRICT mTLS: a plaintext request names the PeerAuthentication', async (t) => {
  const strict = `${resources}\n---\napiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: strict, namespace: default}\nspec: {mtls: {mode: STRICT}}\n`;
  const s = compileScenario({ resources: strict });
  const details = s.index.proxies.find((p) => p.name.startsWith('details-v1'))!;
  const r = s.trace({ pod: details.pod! }, { mode: 'inbound', port: 9080, address: details.ips[0] });
  t.match(r.error, { code: 'NO_FILTER_CHAIN', message: /mTLS is STRICT on port 9080 by PeerAuthentication default\/strict/ });
  t.ok(s.translate({ pod: details.pod! }).proxies[0].provenance.resources.listeners.virtualInbound.includes('PeerAuthentication default/strict'));
});

t.test('CUSTOM: the external authorizer cannot be known offline, and the trace says so', async (t) => {
  const custom = `${resources}\n---\napiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: ext, namespace: default}\nspec:\n  selector: {matchLabels: {app: details}}\n  action: CUSTOM\n  provider: {name: authz}\n  rules: [{to: [{operation: {paths: ["/details/*"]}}]}]\n`;
  const mesh = { extensionProviders: [{ name: 'authz', envoyExtAuthzHttp: { service: 'default/productpage.default.svc.cluster.local', port: 9080 } }] };
  const s = compileScenario({ resources: custom, mesh });
  const r = s.trace({ pod: s.index.proxies.find((p) => p.name.startsWith('productpage'))!.pod! }, { port: 9080, host: 'details:9080', path: '/details/0' });
  t.equal(r.error, null);
  t.match(stepsOf(r, 1, 'ext_authz')[0], { chosen: 'outbound|9080||productpage.default.svc.cluster.local', why: /cannot be known offline/ });

  // A provider istiod cannot use: its CUSTOM policy denies what it matches, and the scenario says why.
  const broken = compileScenario({ resources: custom, mesh: { extensionProviders: [{ name: 'authz', envoyExtAuthzHttp: { service: 'nowhere.example', port: 9080 } }] } });
  t.match(broken.warnings, [/extensionProviders authz: could not find service nowhere\.example/]);
  const denied = broken.trace({ pod: broken.index.proxies.find((p) => p.name.startsWith('productpage'))!.pod! }, { port: 9080, host: 'details:9080', path: '/details/0' });
  t.match(denied.error, { code: 'RBAC_DENIED', policy: 'default/ext', hop: 1 });
});

t.test('over REST and GraphQL', async (t) => {
  const { url } = await startTestServer(t);
  const stateless = await call(url, 'POST', '/api/v1/trace', { resources, proxy: { pod: GATEWAY }, request: ingress() });
  t.equal(stateless.status, 200, JSON.stringify(stateless.body).slice(0, 300));
  t.match(stateless.body.error, { code: 'RBAC_DENIED', hop: 0 });
  t.equal(stateless.body.error.policy, null, 'no ALLOW policy matched: policy null');
  const withToken = await call(url, 'POST', '/api/v1/trace', { resources, proxy: { pod: GATEWAY }, request: ingress({ jwt: ALICE }) });
  t.equal(withToken.body.error, null);
  const badJwt = await call(url, 'POST', '/api/v1/trace', { resources, proxy: { pod: GATEWAY }, request: ingress({ jwt: { valid: 'maybe' } as never }) });
  t.equal(badJwt.status, 400);
  t.match(JSON.stringify(badJwt.body), /jwt/);
  const table = await call(url, 'POST', '/api/v1/proxy-config', { resources, proxy: { pod: pod('reviews-v1') }, kinds: ['authz'] });
  t.equal(table.status, 200);
  t.same(table.body.tables[0].rows[0], ['DENY', 'deny-admin.default', '1']);

  const created = await call(url, 'POST', '/api/v1/scenarios', { name: 'secure-bookinfo', resources });
  t.equal(created.status, 201, JSON.stringify(created.body).slice(0, 300));
  const query = `query($proxy: ProxyInput!, $request: TraceRequestInput!) { scenario(name: "secure-bookinfo") { latest {
    trace(proxy: $proxy, request: $request) { error { code policy hop } hops { error { code policy } steps { stage chosen } } } } } }`;
  const gql = await call(url, 'POST', '/graphql', {
    query,
    variables: { proxy: { pod: pod('productpage-v1') }, request: { port: 9080, host: 'details:9080', path: '/admin' } },
  });
  t.same(gql.body.errors, undefined);
  t.same(gql.body.data.scenario.latest.trace.error, { code: 'RBAC_DENIED', policy: 'default/deny-admin', hop: 1 });
  const gqlJwt = await call(url, 'POST', '/graphql', { query, variables: { proxy: { pod: GATEWAY }, request: ingress({ jwt: ALICE }) } });
  t.equal(gqlJwt.body.data.scenario.latest.trace.error, null);
  const gqlAuthz = await call(url, 'POST', '/graphql', {
    query: `query($proxy: ProxyInput!) { scenario(name: "secure-bookinfo") { latest { proxyConfig(proxy: $proxy, kinds: [authz]) { tables { kind rows } text } } } }`,
    variables: { proxy: { pod: GATEWAY } },
  });
  t.same(gqlAuthz.body.data?.scenario.latest.proxyConfig.tables, [{ kind: 'authz', rows: [['ALLOW', 'require-jwt.istio-system', '2']] }], JSON.stringify(gqlAuthz.body.errors));
  const gqlBad = await call(url, 'POST', '/graphql', { query, variables: { proxy: { pod: GATEWAY }, request: ingress({ source: { pod: 1 } as never }) } });
  t.equal(gqlBad.body.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
});

t.test('on the command line', async (t) => {
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'src/cli.ts', 'trace', '-f', 'samples/bookinfo', '-f', POLICIES, '--proxy', 'default/ratings-v1', '--port', '9080', '--host', 'reviews:9080', '--path', '/reviews/0'],
    { cwd: repoRoot, encoding: 'utf8' },
  );
  t.equal(r.status, 1, r.stderr);
  t.match(r.stdout, /error at hop 1: RBAC_DENIED: no ALLOW policy matches .* \(policy none: no ALLOW policy matched\)/);
  t.match(r.stdout, /- rbac: \(none\): envoy\.filters\.http\.rbac ALLOW: ALLOW policies are present and none matches/);
  const ok = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'src/cli.ts', 'trace', '-f', 'samples/bookinfo', '-f', POLICIES, '--proxy', 'istio-system/istio-ingressgateway', '--port', '8080', '--host', 'bookinfo.example', '--path', '/productpage', '--jwt', JSON.stringify(ALICE), '--json'],
    { cwd: repoRoot, encoding: 'utf8' },
  );
  t.equal(ok.status, 0, ok.stderr);
  t.equal(JSON.parse(ok.stdout).error, null);
});

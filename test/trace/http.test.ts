// Virtual host domain precedence, route match semantics (incl. RE2) and route actions.

import t from 'tap';
import { traceRequest } from '../../src/trace/index.js';
import type { TraceRequestInput } from '../../src/contract.js';
import type { RouteConfiguration } from '../../src/xds/envoy.js';
import { chain, context, httpInspector, inlineRoutes, listener, proxy, rds, tcpProxy, xds } from './fixtures.js';

const gw = proxy('router', 'istio-system', 'ingressgateway', '10.0.0.9', { istio: 'ingressgateway' });

const routes: RouteConfiguration = {
  name: 'http.8080',
  virtual_hosts: [
    { name: 'exact', domains: ['www.example.com', 'www.example.com:8080'], routes: [{ name: 'exact', match: { prefix: '/' }, route: { cluster: 'c-exact' } }] },
    { name: 'suffix-short', domains: ['*.com'], routes: [{ name: 'suffix-short', match: { prefix: '/' }, route: { cluster: 'c-suffix-short' } }] },
    { name: 'suffix-long', domains: ['*.example.com'], routes: [{ name: 'suffix-long', match: { prefix: '/' }, route: { cluster: 'c-suffix-long' } }] },
    { name: 'prefix', domains: ['api.*'], routes: [{ name: 'prefix', match: { prefix: '/' }, route: { cluster: 'c-prefix' } }] },
    { name: 'secure', domains: ['secure.internal'], require_tls: 'ALL', routes: [{ name: 's', match: { prefix: '/' }, route: { cluster: 'c-secure' } }] },
    {
      name: 'routes',
      domains: ['routes.internal'],
      routes: [
        { name: 'exact-path', match: { path: '/exact' }, route: { cluster: 'c-exact-path' } },
        { name: 'separated', match: { path_separated_prefix: '/sep' }, route: { cluster: 'c-separated' } },
        { name: 'insensitive', match: { prefix: '/CASE', case_sensitive: false }, route: { cluster: 'c-insensitive' } },
        // (?i) is RE2 syntax that JavaScript's RegExp rejects; Envoy matches the whole path.
        { name: 'regex', match: { safe_regex: { regex: '(?i)/api/v[0-9]+' } }, route: { cluster: 'c-regex' } },
        {
          name: 'header-exact',
          match: { prefix: '/h', headers: [{ name: 'x-user', string_match: { exact: 'jason' } }] },
          route: { cluster: 'c-header-exact' },
        },
        {
          name: 'header-regex',
          match: { prefix: '/h', headers: [{ name: 'X-Version', string_match: { safe_regex: { regex: 'v\\d' } } }] },
          route: { cluster: 'c-header-regex' },
        },
        { name: 'header-absent', match: { prefix: '/h', headers: [{ name: 'x-debug', present_match: true, invert_match: true }] }, route: { cluster: 'c-no-debug' } },
        { name: 'method', match: { prefix: '/m', headers: [{ name: ':method', string_match: { exact: 'POST' } }] }, route: { cluster: 'c-post' } },
        { name: 'query', match: { prefix: '/q', query_parameters: [{ name: 'id', string_match: { prefix: '4' } }] }, route: { cluster: 'c-query' } },
        { name: 'weighted', match: { prefix: '/w' }, route: { weighted_clusters: { clusters: [{ name: 'c-v1', weight: 25 }, { name: 'c-v2', weight: 75 }] } } },
        { name: 'redirect', match: { prefix: '/old' }, redirect: { https_redirect: true, path_redirect: '/new' } },
        { name: 'direct', match: { prefix: '/status' }, direct_response: { status: 200 } },
        { name: 'rewrite', match: { prefix: '/r/' }, route: { cluster: 'c-rewrite', prefix_rewrite: '/', host_rewrite_literal: 'backend' } },
      ],
    },
    { name: 'wildcard', domains: ['*'], routes: [{ name: 'default', match: { prefix: '/' }, route: { cluster: 'c-any' } }] },
  ],
};

const portless: RouteConfiguration = {
  name: 'portless',
  ignore_port_in_host_matching: true,
  virtual_hosts: [{ name: 'only', domains: ['a.example'], routes: [{ name: 'only', match: { prefix: '/' }, route: { cluster: 'c-only' } }] }],
};

const config = xds({
  listeners: [
    listener('0.0.0.0_8080', '0.0.0.0', 8080, [chain('http', undefined, [rds('http.8080')])]),
    listener('0.0.0.0_8081', '0.0.0.0', 8081, [chain('portless', undefined, [rds('portless')])]),
    listener('0.0.0.0_8082', '0.0.0.0', 8082, [chain('inline', undefined, [inlineRoutes(portless)])], { listener_filters: [httpInspector] }),
    listener('0.0.0.0_8083', '0.0.0.0', 8083, [chain('missing', undefined, [rds('not-sent')])]),
    listener('0.0.0.0_9000', '0.0.0.0', 9000, [chain('tcp', undefined, [tcpProxy('c-tcp')])]),
    listener(
      '0.0.0.0_9001',
      '0.0.0.0',
      9001,
      [
        chain('tcp-weighted', undefined, [
          {
            name: 'envoy.filters.network.tcp_proxy',
            typed_config: {
              '@type': 'type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy',
              stat_prefix: 'w',
              weighted_clusters: { clusters: [{ name: 'tcp-a', weight: 50 }, { name: 'tcp-b', weight: 50 }] },
            },
          },
        ]),
      ],
    ),
  ],
  routes: [routes, portless],
});

const ctx = context([[gw, config]]);
const call = (r: Partial<TraceRequestInput>) => traceRequest(ctx, gw, { port: 8080, ...r });
const vhost = (host: string) => call({ host }).hops[0].virtualHost;
const routeTo = (r: Partial<TraceRequestInput>) => {
  const h = call({ host: 'routes.internal', ...r }).hops[0];
  return [h.route, h.cluster];
};

t.test('virtual host precedence: exact, longest suffix wildcard, prefix wildcard, "*"', async (t) => {
  t.equal(vhost('www.example.com'), 'exact');
  t.equal(vhost('WWW.Example.com'), 'exact');
  t.equal(vhost('www.example.com:8080'), 'exact');
  t.equal(vhost('api.example.com'), 'suffix-long');
  t.equal(vhost('foo.com'), 'suffix-short');
  t.equal(vhost('api.internal'), 'prefix');
  t.equal(vhost('api.'), 'wildcard', 'a wildcard matches at least one character');
  t.equal(vhost('nothing'), 'wildcard');
  t.equal(vhost(''), 'wildcard');
  const h = call({ host: 'www.example.com' });
  t.equal(h.flow, 'ingress');
  t.equal(h.hops[0].routeConfig, 'http.8080');
  t.equal(h.hops[0].route, 'exact');
  t.equal(h.hops[0].cluster, 'c-exact');
});

t.test('ignore_port_in_host_matching strips the port; NO_VIRTUAL_HOST', async (t) => {
  t.equal(call({ port: 8081, host: 'a.example:8081' }).hops[0].virtualHost, 'only');
  const miss = call({ port: 8081, host: 'b.example' });
  t.equal(miss.error?.code, 'NO_VIRTUAL_HOST');
  t.equal(miss.hops[0].routeConfig, 'portless');
  t.equal(call({ port: 8083, host: 'x' }).error?.code, 'NO_VIRTUAL_HOST');
});

t.test('inline route_config: virtual host and route, no RDS name (as the simulation reports)', async (t) => {
  const h = call({ port: 8082, host: 'a.example' }).hops[0];
  t.equal(h.routeConfig, null);
  t.equal(h.virtualHost, 'only');
  t.equal(h.cluster, 'c-only');
  t.equal(h.steps.find((s) => s.stage === 'route_config')?.chosen, 'portless');
});

t.test('require_tls ALL with plaintext: TLS_REDIRECT', async (t) => {
  const r = call({ host: 'secure.internal' });
  t.equal(r.error?.code, 'TLS_REDIRECT');
  t.equal(r.hops[0].virtualHost, 'secure');
  t.equal(r.hops[0].route, null);
  t.equal(r.hops[0].cluster, null);
});

t.test('route match semantics', async (t) => {
  t.same(routeTo({ path: '/exact' }), ['exact-path', 'c-exact-path']);
  t.same(routeTo({ path: '/exact?x=1' }), ['exact-path', 'c-exact-path'], 'path match ignores the query');
  t.same(routeTo({ path: '/exact/more' }), [null, null]);
  t.same(routeTo({ path: '/sep' }), ['separated', 'c-separated']);
  t.same(routeTo({ path: '/sep/x' }), ['separated', 'c-separated']);
  t.same(routeTo({ path: '/sepx' }), [null, null]);
  t.same(routeTo({ path: '/case/x' }), ['insensitive', 'c-insensitive']);
  t.same(routeTo({ path: '/API/V2' }), ['regex', 'c-regex'], 'RE2 (?i) flag');
  t.same(routeTo({ path: '/api/v2/users' }), [null, null], 'regex must match the whole path');
  t.same(routeTo({ path: '/h', headers: { 'X-User': 'jason' } }), ['header-exact', 'c-header-exact']);
  t.same(routeTo({ path: '/h', headers: { 'x-version': 'v2' } }), ['header-regex', 'c-header-regex']);
  t.same(routeTo({ path: '/h', headers: { 'x-version': 'v22' } }), ['header-absent', 'c-no-debug'], 'header regex is a full match');
  t.same(routeTo({ path: '/h', headers: { 'x-debug': '1' } }), [null, null]);
  t.same(routeTo({ path: '/m', method: 'post' }), ['method', 'c-post']);
  t.same(routeTo({ path: '/m' }), [null, null]);
  t.same(routeTo({ path: '/q?id=42' }), ['query', 'c-query']);
  t.same(routeTo({ path: '/q?id=7' }), [null, null]);
  const r = call({ host: 'routes.internal', path: '/nothing' });
  t.equal(r.error?.code, 'NO_ROUTE');
  t.equal(r.hops[0].virtualHost, 'routes');
  const routeStep = r.hops[0].steps.find((s) => s.stage === 'route')!;
  t.equal(routeStep.chosen, null);
  t.match(routeStep.rejected.find((x) => x.name === 'regex'), { why: /RE2/ });
});

t.test('weighted clusters: the largest share is followed, each share is listed', async (t) => {
  const h = call({ host: 'routes.internal', path: '/w' }).hops[0];
  t.equal(h.cluster, 'c-v2');
  const w = h.steps.find((s) => s.stage === 'weighted_clusters')!;
  t.match(w.why, /75 of 100 \(75%\)/);
  t.same(w.rejected.map((r) => r.name), ['c-v1']);
  t.match(w.rejected[0].why, /25%/);
  const tcp = call({ port: 9001, protocol: 'tcp' }).hops[0];
  t.equal(tcp.cluster, 'tcp-a', 'first on equal weights');
  t.equal(call({ port: 9000, protocol: 'tcp' }).hops[0].cluster, 'c-tcp');
});

t.test('redirect and direct response end the hop without a cluster or error', async (t) => {
  const r = call({ host: 'routes.internal', path: '/old' });
  t.equal(r.error, null);
  t.equal(r.hops[0].route, 'redirect');
  t.equal(r.hops[0].cluster, null);
  t.match(r.hops[0].steps.find((s) => s.stage === 'action'), { chosen: 'redirect', why: /https:\/\/routes\.internal\/new/ });
  const d = call({ host: 'routes.internal', path: '/status' }).hops[0];
  t.match(d.steps.find((s) => s.stage === 'action'), { chosen: 'direct_response', why: /200/ });
});

t.test('HTTP on a TCP proxy is fine; TCP to an HCM is PROTOCOL_ERROR', async (t) => {
  t.equal(call({ port: 9000, protocol: 'http' }).hops[0].cluster, 'c-tcp');
  t.equal(call({ port: 8080, protocol: 'tcp' }).error?.code, 'PROTOCOL_ERROR');
});

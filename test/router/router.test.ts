// Envoy's router on hand-built config: the weighted pick by random value, the rewrites a forwarding
// route applies (regex_rewrite as the generator emits it for path_separated_prefix rewrites, prefix_rewrite
// on a case-insensitive match, header mutations with append semantics), and redirects.

import t from 'tap';
import { rewriteRequest, routeEntry } from '../../src/router/action.js';
import type { RouterRequest } from '../../src/router/request.js';
import { selectRoute } from '../../src/router/select.js';
import { pickWeighted } from '../../src/router/weighted.js';
import type { Route, RouteConfiguration } from '../../src/xds/envoy.js';

const request = (path: string, extra: Partial<RouterRequest> = {}): RouterRequest => ({ host: 'h', path, method: 'GET', scheme: 'http', headers: new Map(), ...extra });

t.test('weighted clusters: random_value % total weight, clusters in order; without one the largest share', async (t) => {
  const clusters = [{ name: 'c1', weight: 30 }, { name: 'c2', weight: 30 }, { name: 'c3', weight: 40 }];
  t.same([115, 445, 560, 29, 30, 59, 60].map((v) => pickWeighted(clusters, v).chosen.name), ['c1', 'c2', 'c3', 'c1', 'c2', 'c2', 'c3']);
  t.equal(pickWeighted(clusters, undefined).chosen.name, 'c3');
});

t.test('rewrites before the request goes upstream', async (t) => {
  const rc: RouteConfiguration = {
    name: 'r',
    request_headers_to_add: [{ header: { key: 'x-global', value: 'g' } }, { header: { key: 'x-tag', value: 'global' }, append: false }],
    virtual_hosts: [
      {
        name: 'v',
        domains: ['*'],
        routes: [
          { match: { path_separated_prefix: '/sep' }, route: { cluster: 'c', regex_rewrite: { pattern: { regex: '^/sep(/?)(.*)' }, substitution: '/\\2' } } },
          { match: { prefix: '/API/', case_sensitive: false }, route: { cluster: 'c', prefix_rewrite: '/v2/', host_rewrite_literal: 'api.internal' } },
          { match: { prefix: '/tag' }, route: { cluster: 'c' }, request_headers_to_add: [{ header: { key: 'x-tag', value: 'route' } }] },
        ],
      },
    ],
  };
  const rewrite = (path: string) => {
    const selected = selectRoute(rc, request(path));
    if (selected.kind !== 'route') throw new Error(`no route for ${path}`);
    return rewriteRequest(rc, selected.vh, selected.route, request(path));
  };
  t.equal(rewrite('/sep/items?x=1').path, '/items?x=1');
  t.equal(rewrite('/sep').path, '/');
  const api = rewrite('/api/users');
  t.same([api.host, api.path, api.headers.get('x-envoy-original-path')], ['api.internal', '/v2/users', '/api/users']);
  const tagged = rewrite('/tag').headers;
  t.same([tagged.get('x-tag'), tagged.get('x-global')], ['global', 'g'], 'route first, then the route configuration: append false overwrites');
});

t.test('redirects: scheme, host, port, path and code', async (t) => {
  const route = (redirect: Route['redirect']): Route => ({ match: { prefix: '/old' }, redirect });
  const entry = (r: Route, path = '/old/x?q=1') => routeEntry(r, request(path, { host: 'www.example.com:8080' }));
  t.same(entry(route({ https_redirect: true, port_redirect: 443 })), { kind: 'redirect', uri: 'https://www.example.com:443/old/x?q=1', status: 301 });
  t.same(entry(route({ prefix_rewrite: '/new', response_code: 'TEMPORARY_REDIRECT', strip_query: true })), { kind: 'redirect', uri: 'http://www.example.com:8080/new/x', status: 307 });
  t.same(entry(route({ host_redirect: 'b.example', path_redirect: '/p' })), { kind: 'redirect', uri: 'http://b.example/p?q=1', status: 301 });
});

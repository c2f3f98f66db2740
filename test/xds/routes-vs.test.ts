// VirtualService http rules → Envoy routes, one feature at a time, on a small shop mesh.

import t, { type Test } from 'tap';
import { parseManifests } from '../../src/manifests/index.js';
import { buildMeshIndex } from '../../src/mesh/index.js';
import { configSources, type IstioConfig, type MeshIndex, type Proxy } from '../../src/mesh/types.js';
import type { Route } from '../../src/xds/envoy.js';
import { TYPE_URL } from '../../src/xds/envoy.js';
import { buildDefaultOutboundRoute, buildVirtualServiceRoutes } from '../../src/xds/routes/virtualservice.js';
import { checkEnvoyResource } from '../../src/envoy/protos.js';

const SERVICES = `
apiVersion: v1
kind: Service
metadata: {name: cart, namespace: shop}
spec:
  clusterIP: 10.96.0.10
  selector: {app: cart}
  ports:
  - {name: http, port: 8000}
---
apiVersion: v1
kind: Service
metadata: {name: pricing, namespace: shop}
spec:
  clusterIP: 10.96.0.11
  selector: {app: pricing}
  ports:
  - {name: http, port: 9000}
  - {name: grpc, port: 9001}
`;

function mesh(yaml: string, meshConfig: Record<string, unknown> = {}): MeshIndex {
  return buildMeshIndex(parseManifests(SERVICES + '---\n' + yaml).objects, meshConfig, { configDomain: 'cluster.local' });
}

const sidecar = (index: MeshIndex, labels: Record<string, string> = { app: 'web' }): Proxy =>
  index.makeProxy({ type: 'sidecar', namespace: 'shop', labels, ips: ['10.0.0.9'], metadata: {} });

function virtualService(index: MeshIndex, name: string): IstioConfig {
  const vs = index.sidecarScope(sidecar(index)).virtualServices.find((v) => v.name === name);
  if (!vs) throw new Error(`no VirtualService ${name}`);
  return vs;
}

/** Routes of a one-VS mesh, each checked against Envoy's protos. */
function routesOf(t: Test, http: string, opts: { port?: number; labels?: Record<string, string>; meshConfig?: Record<string, unknown>; extra?: string } = {}): Route[] {
  const index = mesh(
    `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: cart, namespace: shop}
spec:
  hosts: [cart]
  http:
${http}
${opts.extra ? `---\n${opts.extra}` : ''}`,
    opts.meshConfig,
  );
  const routes = buildVirtualServiceRoutes(index, sidecar(index, opts.labels), virtualService(index, 'cart'), {
    listenerPort: opts.port ?? 8000,
    gatewayNames: ['mesh'],
  });
  for (const r of routes) {
    const check = checkEnvoyResource(TYPE_URL.routeConfiguration, { name: 'x', virtual_hosts: [{ name: 'v', domains: ['*'], routes: [r] }] });
    t.same(check.errors, [], `route ${r.name ?? ''} is valid Envoy`);
  }
  return routes;
}

const CART = 'outbound|8000||cart.shop.svc.cluster.local';
const DEFAULT_RETRY = {
  retry_on: 'connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes',
  num_retries: 2,
  retry_host_predicate: [
    {
      name: 'envoy.retry_host_predicates.previous_hosts',
      typed_config: { '@type': 'type.googleapis.com/envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate' },
    },
  ],
  host_selection_retry_max_attempts: '5',
};

t.test('matches: headers sorted, uri, method/authority after headers, query, metadata and decorator', async (t) => {
  const [r] = routesOf(
    t,
    `  - name: beta
    match:
    - name: jason
      uri: {prefix: /api}
      ignoreUriCase: true
      headers:
        x-user: {exact: jason}
        cookie: {regex: '.*beta.*'}
        x-any: {}
      method: {exact: GET}
      authority: {prefix: shop}
      queryParams:
        debug: {exact: '1'}
    route:
    - destination: {host: cart, subset: v2}`,
  );
  t.equal(r.name, 'beta.jason');
  t.same(r.match, {
    prefix: '/api',
    case_sensitive: false,
    headers: [
      { name: 'cookie', string_match: { safe_regex: { regex: '.*beta.*' } } },
      { name: 'x-any', present_match: true },
      { name: 'x-user', string_match: { exact: 'jason' } },
      { name: ':method', string_match: { exact: 'GET' } },
      { name: ':authority', string_match: { prefix: 'shop' } },
    ],
    query_parameters: [{ name: 'debug', string_match: { exact: '1' } }],
  });
  t.equal(r.route?.cluster, 'outbound|8000|v2|cart.shop.svc.cluster.local');
  t.same(r.metadata, { filter_metadata: { istio: { config: '/apis/networking.istio.io/v1/namespaces/shop/virtual-service/cart' } } });
  t.same(r.decorator, { operation: 'cart.shop.svc.cluster.local:8000/api*' });
  t.same(r.route?.retry_policy, DEFAULT_RETRY);
  t.equal(r.route?.timeout, '0s');
  t.equal(r.route?.max_grpc_timeout, '0s');
});

t.test('withoutHeaders invert, exact and regex paths', async (t) => {
  const routes = routesOf(
    t,
    `  - match:
    - uri: {exact: /cart}
      withoutHeaders:
        x-debug: {exact: 'on'}
        x-trace: {}
    - uri: {regex: '/items/[0-9]+'}
    route:
    - destination: {host: cart}`,
  );
  t.same(routes[0].match, {
    path: '/cart',
    case_sensitive: true,
    headers: [
      { name: 'x-debug', string_match: { exact: 'on' }, invert_match: true, treat_missing_header_as_empty: true },
      { name: 'x-trace', present_match: true, invert_match: true },
    ],
  });
  t.same(routes[1].match, { safe_regex: { regex: '/items/[0-9]+' }, case_sensitive: true });
  t.equal(routes[1].decorator?.operation, `cart.shop.svc.cluster.local:8000/items/[0-9]+`);
});

t.test('port, source labels and gateways in a match filter it; a catch-all ends the rules', async (t) => {
  const routes = routesOf(
    t,
    `  - match:
    - {port: 9999, uri: {prefix: /wrong-port}}
    - {sourceLabels: {app: other}, uri: {prefix: /other-client}}
    - {gateways: [shop/edge], uri: {prefix: /gateway-only}}
    - {sourceLabels: {app: web}, uri: {prefix: /web}}
    route:
    - destination: {host: cart}
  - route:
    - destination: {host: pricing, port: {number: 9000}}
  - match:
    - uri: {prefix: /never}
    route:
    - destination: {host: cart}`,
  );
  t.same(routes.map((r) => r.match.prefix), ['/web', '/']);
  t.equal(routes[1].route?.cluster, 'outbound|9000||pricing.shop.svc.cluster.local');
});

t.test('destination port: explicit, the only service port, else the listener port', async (t) => {
  const routes = routesOf(
    t,
    `  - match: [{uri: {prefix: /a}}]
    route: [{destination: {host: cart}}]
  - match: [{uri: {prefix: /b}}]
    route: [{destination: {host: pricing}}]
  - match: [{uri: {prefix: /c}}]
    route: [{destination: {host: external.example.com}}]`,
    { port: 80 },
  );
  t.same(routes.map((r) => r.route?.cluster), [
    'outbound|8000||cart.shop.svc.cluster.local',
    'outbound|80||pricing.shop.svc.cluster.local',
    'outbound|80||external.example.com',
  ]);
});

t.test('weighted destinations: zero weights dropped, decorator names the VS, per-destination headers', async (t) => {
  const [r] = routesOf(
    t,
    `  - route:
    - destination: {host: cart, subset: v1}
      weight: 90
      headers:
        request:
          set: {x-version: v1}
    - destination: {host: cart, subset: v2}
      weight: 10
    - destination: {host: cart, subset: v3}
      weight: 0`,
  );
  t.same(r.route?.weighted_clusters, {
    clusters: [
      {
        name: 'outbound|8000|v1|cart.shop.svc.cluster.local',
        weight: 90,
        request_headers_to_add: [{ header: { key: 'x-version', value: 'v1' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' }],
      },
      { name: 'outbound|8000|v2|cart.shop.svc.cluster.local', weight: 10 },
    ],
  });
  t.equal(r.route?.cluster, undefined);
  t.same(r.decorator, { operation: 'cart:8000/*' });
});

t.test('redirect: authority, uri, derived port, response code; direct response', async (t) => {
  const routes = routesOf(
    t,
    `  - match: [{uri: {prefix: /old}}]
    redirect: {authority: new.example.com, uri: /new, derivePort: FROM_REQUEST_PORT, redirectCode: 302}
  - match: [{uri: {prefix: /moved}}]
    redirect: {scheme: https, port: 443, uri: /here}
  - match: [{uri: {prefix: /gone}}]
    directResponse: {status: 410, body: {string: gone}}`,
    { port: 8080 },
  );
  t.same(routes[0].redirect, { host_redirect: 'new.example.com', port_redirect: 8080, path_redirect: '/new', response_code: 'FOUND' });
  t.same(routes[1].redirect, { scheme_redirect: 'https', path_redirect: '/here' });
  t.same(routes[2].direct_response, { status: 410, body: { inline_string: 'gone' } });
  t.equal(routes[2].route, undefined);
  t.equal(routes[2].decorator?.operation, 'cart:8080/gone*');
});

t.test('rewrite, timeout, retries, mirrors, fault, CORS and header operations', async (t) => {
  const routes = routesOf(
    t,
    `  - match: [{uri: {prefix: /v1}}]
    rewrite: {uri: /v2, authority: cart.internal}
    timeout: 1.5s
    retries: {attempts: 3, perTryTimeout: 500ms, retryOn: 'gateway-error,503'}
    mirror: {host: pricing, port: {number: 9000}}
    mirrorPercentage: {value: 25}
    route: [{destination: {host: cart}}]
  - match: [{uri: {prefix: /regex}}]
    rewrite: {uriRegexRewrite: {match: '^/regex/(.*)', rewrite: '/\\1'}}
    retries: {attempts: 0}
    fault:
      delay: {fixedDelay: 5s, percentage: {value: 50}}
      abort: {httpStatus: 503, percentage: {value: 0.1}}
    corsPolicy:
      allowOrigins: [{exact: 'https://shop.example.com'}, {regex: '.*\\.example\\.org'}]
      allowMethods: [GET, POST]
      allowHeaders: [x-token]
      maxAge: 24h
      allowCredentials: true
    headers:
      request:
        set: {host: override.internal, x-b: '2'}
        add: {x-a: '1'}
        remove: [x-secret, ':path']
      response:
        remove: [server]
    route: [{destination: {host: cart}}]`,
  );
  const [first, second] = routes;
  t.same(first.route, {
    cluster: CART,
    prefix_rewrite: '/v2',
    host_rewrite_literal: 'cart.internal',
    timeout: '1.500s',
    retry_policy: {
      retry_on: 'gateway-error,retriable-status-codes',
      num_retries: 3,
      per_try_timeout: '0.500s',
      retry_host_predicate: DEFAULT_RETRY.retry_host_predicate,
      host_selection_retry_max_attempts: '5',
      retriable_status_codes: [503],
    },
    request_mirror_policies: [
      {
        cluster: 'outbound|9000||pricing.shop.svc.cluster.local',
        runtime_fraction: { default_value: { numerator: 250000, denominator: 'MILLION' } },
        trace_sampled: false,
      },
    ],
    max_grpc_timeout: '1.500s',
  });
  t.same(second.route, {
    cluster: CART,
    regex_rewrite: { pattern: { regex: '^/regex/(.*)' }, substitution: '/\\1' },
    host_rewrite_literal: 'override.internal',
    timeout: '0s',
    max_grpc_timeout: '0s',
  });
  t.same(second.typed_per_filter_config, {
    'envoy.filters.http.fault': {
      '@type': 'type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault',
      delay: { fixed_delay: '5s', percentage: { numerator: 500000, denominator: 'MILLION' } },
      abort: { http_status: 503, percentage: { numerator: 1000, denominator: 'MILLION' } },
    },
    'envoy.filters.http.cors': {
      '@type': 'type.googleapis.com/envoy.extensions.filters.http.cors.v3.CorsPolicy',
      allow_origin_string_match: [{ exact: 'https://shop.example.com' }, { safe_regex: { regex: '.*\\.example\\.org' } }],
      allow_methods: 'GET,POST',
      allow_headers: 'x-token',
      max_age: '86400',
      allow_credentials: true,
      filter_enabled: { default_value: { numerator: 100 } },
      forward_not_matching_preflights: true,
    },
  });
  t.same(second.request_headers_to_add, [
    { header: { key: 'x-b', value: '2' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' },
    { header: { key: 'x-a', value: '1' } },
  ]);
  t.same(second.request_headers_to_remove, ['x-secret']);
  t.same(second.response_headers_to_remove, ['server']);
});

t.test('mesh default retry policy, and consistent-hash destinations drop the previous-hosts predicate', async (t) => {
  const routes = routesOf(
    t,
    `  - match: [{uri: {prefix: /sticky}}]
    route: [{destination: {host: cart}}]`,
    {
      meshConfig: { defaultHttpRetryPolicy: { attempts: 5, retryOn: 'reset' } },
      extra: `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: cart, namespace: shop}
spec:
  host: cart
  trafficPolicy:
    loadBalancer:
      consistentHash: {httpHeaderName: x-user}`,
    },
  );
  t.same(routes[0].route?.retry_policy, { retry_on: 'reset', num_retries: 5, host_selection_retry_max_attempts: '5' });
  t.same(routes[0].route?.hash_policy, [{ header: { header_name: 'x-user' } }]);
});

t.test('default outbound route', async (t) => {
  const index = mesh('');
  const r = buildDefaultOutboundRoute(CART, 'cart.shop.svc.cluster.local:8000/*', index.mesh);
  t.same(r, {
    name: 'default',
    match: { prefix: '/' },
    route: { cluster: CART, timeout: '0s', retry_policy: DEFAULT_RETRY, max_grpc_timeout: '0s' },
    decorator: { operation: 'cart.shop.svc.cluster.local:8000/*' },
  });
});

t.test('delegation: delegate rules inherit the root match and settings; conflicting ones are dropped', async (t) => {
  // The index merges delegates (VirtualServices without hosts) into their roots.
  const index = mesh(`apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: cart, namespace: shop}
spec:
  hosts: [cart]
  http:
  - name: api
    match: [{uri: {prefix: /api}}]
    timeout: 3s
    delegate: {name: cart-api, namespace: team}
  - name: missing
    delegate: {name: nowhere}
  - route: [{destination: {host: pricing, port: {number: 9000}}}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: cart-api, namespace: team}
spec:
  http:
  - name: v2
    match: [{uri: {prefix: /api/v2}}]
    route: [{destination: {host: cart.shop.svc.cluster.local, subset: v2}}]
  - name: other
    match: [{uri: {prefix: /other}}]
    route: [{destination: {host: cart.shop.svc.cluster.local}}]
  - route: [{destination: {host: cart.shop.svc.cluster.local, subset: v1}}]`);
  const root = virtualService(index, 'cart');
  const routes = buildVirtualServiceRoutes(index, sidecar(index), root, { listenerPort: 8000, gatewayNames: ['mesh'] });
  t.same(
    routes.map((r) => [r.name, r.match.prefix, r.route?.cluster, r.route?.timeout]),
    [
      ['api-v2', '/api/v2', 'outbound|8000|v2|cart.shop.svc.cluster.local', '3s'],
      ['api', '/api', 'outbound|8000|v1|cart.shop.svc.cluster.local', '3s'],
      [undefined, '/', 'outbound|9000||pricing.shop.svc.cluster.local', '0s'],
    ],
  );
  t.same(configSources(root).map((r) => r.name), ['cart', 'cart-api'], 'the delegate is in the provenance');
  t.equal(index.warnings.filter((w) => /delegate/.test(w)).length, 2, 'the conflicting rule and the missing delegate are reported');
});

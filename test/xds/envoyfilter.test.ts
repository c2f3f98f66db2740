// EnvoyFilter patches on generated config: every operation in every context, the match conditions,
// ordering by priority and root namespace, proxy matches, provenance, and patches Envoy would refuse.

import { readFileSync } from 'node:fs';
import t from 'tap';
import { compileScenario } from '../../src/engine.js';
import { checkConfigDump } from '../../src/envoy/protos.js';
import type { Cluster, Listener, RouteConfiguration } from '../../src/xds/envoy.js';

const MESH = `${readFileSync(new URL('../support/fixtures/shop-mesh.yaml', import.meta.url), 'utf8')}---
apiVersion: v1
kind: Service
metadata: {name: istio-ingressgateway, namespace: istio-system}
spec:
  clusterIP: 10.96.9.1
  selector: {istio: ingressgateway}
  ports: [{name: http2, port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: Pod
metadata: {name: ingress-0, namespace: istio-system, labels: {istio: ingressgateway}, annotations: {sidecar.istio.io/inject: "false"}}
spec:
  containers: [{name: istio-proxy, image: proxyv2, args: [proxy, router]}]
status: {podIP: 10.1.9.9}
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: edge, namespace: istio-system}
spec:
  selector: {istio: ingressgateway}
  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["shop.example.com"]}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: shop, namespace: shop}
spec:
  hosts: [shop.example.com]
  gateways: [istio-system/edge]
  http: [{name: to-cart, route: [{destination: {host: cart, port: {number: 8080}}}]}]
`;

const ef = (name: string, namespace: string, spec: string) => `
---
apiVersion: networking.istio.io/v1alpha3
kind: EnvoyFilter
metadata: {name: ${name}, namespace: ${namespace}}
spec:
${spec.replace(/^/gm, '  ')}`;

const HCM = 'envoy.filters.network.http_connection_manager';

function translate(yaml: string, pod: string) {
  const scenario = compileScenario({ resources: MESH + yaml });
  const result = scenario.translate({ pod });
  const proxy = result.proxies[0];
  const configs = proxy.configDump.configs as Record<string, any>[];
  const section = (type: string) => configs.find((c) => c['@type'] === `type.googleapis.com/envoy.admin.v3.${type}`)!;
  const listeners: Listener[] = section('ListenersConfigDump').dynamic_listeners.map((l: any) => l.active_state.listener);
  const routes: RouteConfiguration[] = section('RoutesConfigDump').dynamic_route_configs.map((r: any) => r.route_config);
  const clusters: Cluster[] = section('ClustersConfigDump').dynamic_active_clusters.map((c: any) => c.cluster);
  const ecds = section('EcdsConfigDump')?.ecds_filters.map((f: any) => f.ecds_filter);
  const messages = result.analysis.filter((m) => m.code === 'MPL0006');
  return { proxy, listeners, routes, clusters, ecds, messages, dumpErrors: checkConfigDump(proxy.configDump).errors };
}

const listenerOf = (ls: Listener[], name: string) => ls.find((l) => l.name === name);
const httpFilterNames = (l: Listener | undefined, chain = 0): string[] =>
  ((l?.filter_chains[chain]?.filters.find((f) => f.name === HCM)?.typed_config as any)?.http_filters ?? []).map((f: any) => f.name);
const inboundHttpChain = (l: Listener | undefined) => l?.filter_chains.find((fc) => fc.filter_chain_match?.destination_port === 8080 && fc.filters.some((f) => f.name === HCM));

t.test('SIDECAR_INBOUND: HTTP filter INSERT_BEFORE the router, inline inbound route MERGE, inbound cluster MERGE', async (t) => {
  const out = translate(
    ef(
      'inbound',
      'shop',
      `workloadSelector: {labels: {app: cart}}
configPatches:
- applyTo: HTTP_FILTER
  match:
    context: SIDECAR_INBOUND
    listener:
      portNumber: 8080
      filterChain: {filter: {name: ${HCM}, subFilter: {name: envoy.filters.http.router}}}
  patch:
    operation: INSERT_BEFORE
    value:
      name: envoy.filters.http.lua
      typed_config:
        "@type": type.googleapis.com/envoy.extensions.filters.http.lua.v3.Lua
        defaultSourceCode: {inlineString: "function envoy_on_request(h) h:headers():add('x-cart', '1') end"}
- applyTo: HTTP_ROUTE
  match: {context: SIDECAR_INBOUND, routeConfiguration: {vhost: {route: {action: ROUTE}}}}
  patch: {operation: MERGE, value: {route: {timeout: 7s}}}
- applyTo: CLUSTER
  match: {context: SIDECAR_INBOUND, cluster: {service: cart.shop.svc.cluster.local, portNumber: 8080}}
  patch: {operation: MERGE, value: {connectTimeout: 2s}}`,
    ),
    'shop/cart',
  );
  t.same(out.messages, []);
  t.same(out.dumpErrors, [], 'the patched dump is valid Envoy config');
  const chain = inboundHttpChain(listenerOf(out.listeners, 'virtualInbound'))!;
  const hcm = chain.filters.find((f) => f.name === HCM)!.typed_config as any;
  const names = hcm.http_filters.map((f: any) => f.name);
  t.equal(names[names.length - 2], 'envoy.filters.http.lua', 'lua sits just before the router');
  t.equal(hcm.http_filters[names.length - 2].typed_config.default_source_code.inline_string.includes('x-cart'), true, 'camelCase read as proto names');
  t.equal(hcm.route_config.virtual_hosts[0].routes[0].route.timeout, '7s', 'inline inbound route patched');
  t.equal(out.clusters.find((c) => c.name === 'inbound|8080||')!.connect_timeout, '2s');
  t.ok(out.proxy.provenance.resources.listeners.virtualInbound.includes('EnvoyFilter shop/inbound'));
  t.ok(out.proxy.provenance.resources.clusters['inbound|8080||'].includes('EnvoyFilter shop/inbound'));
  t.ok(out.proxy.provenance.kinds.listeners.includes('EnvoyFilter'));
  // Outbound is a different context: untouched.
  t.notOk(httpFilterNames(listenerOf(out.listeners, '0.0.0.0_8080')).includes('envoy.filters.http.lua'));
});

t.test('SIDECAR_OUTBOUND: HTTP filter ADD, INSERT_FIRST, INSERT_AFTER, REPLACE, REMOVE, MERGE', async (t) => {
  const lua = (code: string) => `{name: envoy.filters.http.lua, typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.http.lua.v3.Lua, default_source_code: {inline_string: "${code}"}}}`;
  const at = (sub: string) => `{context: SIDECAR_OUTBOUND, listener: {portNumber: 8080, filterChain: {filter: {name: ${HCM}${sub ? `, subFilter: {name: ${sub}}` : ''}}}}}`;
  const out = translate(
    ef(
      'outbound',
      'shop',
      `workloadSelector: {labels: {app: web}}
configPatches:
- {applyTo: HTTP_FILTER, match: ${at('')}, patch: {operation: INSERT_FIRST, value: ${lua('first')}}}
- {applyTo: HTTP_FILTER, match: ${at('envoy.filters.http.cors')}, patch: {operation: INSERT_AFTER, value: {name: envoy.filters.http.buffer, typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.http.buffer.v3.Buffer, max_request_bytes: 1024}}}}
- {applyTo: HTTP_FILTER, match: ${at('envoy.filters.http.fault')}, patch: {operation: REMOVE}}
- {applyTo: HTTP_FILTER, match: ${at('envoy.filters.http.grpc_stats')}, patch: {operation: REPLACE, value: {name: envoy.filters.http.grpc_stats, typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.http.grpc_stats.v3.FilterConfig, stats_for_all_methods: true}}}}
- {applyTo: HTTP_FILTER, match: ${at('envoy.filters.http.buffer')}, patch: {operation: MERGE, value: {typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.http.buffer.v3.Buffer, max_request_bytes: 4096}}}}
- {applyTo: HTTP_FILTER, match: ${at('')}, patch: {operation: ADD, value: {name: envoy.filters.http.health_check, typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.http.health_check.v3.HealthCheck, pass_through_mode: false}}}}`,
    ),
    'shop/web',
  );
  t.same(out.messages, []);
  t.same(out.dumpErrors, []);
  const l = listenerOf(out.listeners, '0.0.0.0_8080');
  const names = httpFilterNames(l);
  t.equal(names[0], 'envoy.filters.http.lua', 'INSERT_FIRST');
  t.equal(names[names.indexOf('envoy.filters.http.cors') + 1], 'envoy.filters.http.buffer', 'INSERT_AFTER cors');
  t.notOk(names.includes('envoy.filters.http.fault'), 'REMOVE');
  t.equal(names[names.length - 1], 'envoy.filters.http.health_check', 'ADD goes last (after the router)');
  const filters = (l!.filter_chains[0].filters.find((f) => f.name === HCM)!.typed_config as any).http_filters;
  t.equal(filters.find((f: any) => f.name === 'envoy.filters.http.grpc_stats').typed_config.stats_for_all_methods, true, 'REPLACE');
  t.equal(filters.find((f: any) => f.name === 'envoy.filters.http.buffer').typed_config.max_request_bytes, 4096, 'MERGE of typed_config');
  // Other outbound listeners of the proxy (other ports) keep their filters.
  t.ok(out.proxy.provenance.resources.listeners['0.0.0.0_8080'].includes('EnvoyFilter shop/outbound'));
});

t.test('LISTENER, FILTER_CHAIN and NETWORK_FILTER operations; LISTENER_FILTER', async (t) => {
  const out = translate(
    ef(
      'net',
      'shop',
      `workloadSelector: {labels: {app: web}}
configPatches:
- applyTo: NETWORK_FILTER
  match: {context: SIDECAR_OUTBOUND, listener: {portNumber: 5432}}
  patch:
    operation: INSERT_FIRST
    value: {name: envoy.filters.network.local_ratelimit, typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.network.local_ratelimit.v3.LocalRateLimit, stat_prefix: db, token_bucket: {max_tokens: 10, fill_interval: 1s}}}
- applyTo: NETWORK_FILTER
  match: {context: SIDECAR_OUTBOUND, listener: {portNumber: 5432, filterChain: {filter: {name: envoy.filters.network.tcp_proxy}}}}
  patch: {operation: MERGE, value: {typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy, idle_timeout: 30s}}}
- applyTo: LISTENER
  match: {context: SIDECAR_OUTBOUND, listener: {portNumber: 5432}}
  patch: {operation: MERGE, value: {per_connection_buffer_limit_bytes: 32768}}
- applyTo: FILTER_CHAIN
  match: {context: SIDECAR_OUTBOUND, listener: {name: 10.96.1.11_5432}}
  patch: {operation: MERGE, value: {transport_socket_connect_timeout: 3s}}
- applyTo: LISTENER
  match: {context: SIDECAR_OUTBOUND}
  patch:
    operation: ADD
    value:
      name: extra_9999
      address: {socket_address: {address: 0.0.0.0, port_value: 9999}}
      filter_chains: [{filters: [{name: envoy.filters.network.tcp_proxy, typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy, stat_prefix: extra, cluster: BlackHoleCluster}}]}]
- applyTo: FILTER_CHAIN
  match: {context: SIDECAR_OUTBOUND, listener: {name: extra_9999}}
  patch:
    operation: ADD
    value: {name: second, filter_chain_match: {destination_port: 9999, transport_protocol: tls}, filters: [{name: envoy.filters.network.tcp_proxy, typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy, stat_prefix: second, cluster: BlackHoleCluster}}]}
- applyTo: FILTER_CHAIN
  match: {context: SIDECAR_OUTBOUND, listener: {name: virtualOutbound, filterChain: {name: virtualOutbound-blackhole}}}
  patch: {operation: REMOVE}
- applyTo: LISTENER_FILTER
  match: {context: SIDECAR_OUTBOUND, listener: {name: virtualOutbound}}
  patch: {operation: INSERT_FIRST, value: {name: envoy.filters.listener.proxy_protocol, typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.listener.proxy_protocol.v3.ProxyProtocol}}}
- applyTo: LISTENER
  match: {context: SIDECAR_INBOUND, listener: {portNumber: 15006}}
  patch: {operation: MERGE, value: {listener_filters_timeout: 2s}}`,
    ),
    'shop/web',
  );
  t.same(out.messages, []);
  t.same(out.dumpErrors, []);
  const db = listenerOf(out.listeners, '10.96.1.11_5432')!;
  t.equal(db.per_connection_buffer_limit_bytes, 32768, 'LISTENER MERGE');
  t.equal(db.filter_chains[0].filters[0].name, 'envoy.filters.network.local_ratelimit', 'NETWORK_FILTER INSERT_FIRST');
  t.equal((db.filter_chains[0].filters.find((f) => f.name === 'envoy.filters.network.tcp_proxy')!.typed_config as any).idle_timeout, '30s', 'NETWORK_FILTER MERGE');
  t.equal(db.filter_chains[0].transport_socket_connect_timeout, '3s', 'FILTER_CHAIN MERGE');
  const extra = listenerOf(out.listeners, 'extra_9999')!;
  t.ok(extra, 'LISTENER ADD');
  // Listener ADDs come after every listener is patched, so a FILTER_CHAIN ADD never meets them (as in istiod).
  t.same(extra.filter_chains.map((fc) => fc.name ?? ''), [''], 'FILTER_CHAIN ADD does not reach a listener added by the same run');
  const names = out.listeners.map((l) => l.name);
  t.ok(names.indexOf('extra_9999') < names.indexOf('virtualOutbound'), 'added after the outbound listeners, before virtualOutbound');
  const vo = listenerOf(out.listeners, 'virtualOutbound')!;
  t.notOk(vo.filter_chains.some((fc) => fc.name === 'virtualOutbound-blackhole'), 'FILTER_CHAIN REMOVE');
  t.equal(vo.listener_filters?.[0].name, 'envoy.filters.listener.proxy_protocol', 'LISTENER_FILTER INSERT_FIRST');
  t.equal(listenerOf(out.listeners, 'virtualInbound')!.listener_filters_timeout, '2s', 'SIDECAR_INBOUND LISTENER MERGE by port 15006');
  t.equal(db.listener_filters_timeout, '0s', 'inbound patch not on outbound');
  t.same(out.proxy.provenance.resources.listeners.extra_9999, ['EnvoyFilter shop/net']);
});

t.test('LISTENER REMOVE, and ADD with context ANY only for outbound and gateways', async (t) => {
  const out = translate(
    ef(
      'rm',
      'shop',
      `workloadSelector: {labels: {app: web}}
configPatches:
- {applyTo: LISTENER, match: {listener: {portNumber: 5432}}, patch: {operation: REMOVE}}
- applyTo: LISTENER
  patch:
    operation: ADD
    value: {name: any_7777, address: {socket_address: {address: 0.0.0.0, port_value: 7777}}, filter_chains: [{filters: [{name: envoy.filters.network.tcp_proxy, typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy, stat_prefix: a, cluster: BlackHoleCluster}}]}]}`,
    ),
    'shop/web',
  );
  t.notOk(listenerOf(out.listeners, '10.96.1.11_5432'), 'removed');
  t.equal(out.listeners.filter((l) => l.name === 'any_7777').length, 1, 'added once (outbound), not again for inbound');
});

t.test('routes: ROUTE_CONFIGURATION MERGE, VIRTUAL_HOST ADD/MERGE/REPLACE/REMOVE, HTTP_ROUTE ADD/INSERT_*/MERGE/REMOVE', async (t) => {
  const rc = `routeConfiguration: {portNumber: 8080`;
  const vh = `${rc}, vhost: {name: "cart.shop.svc.cluster.local:8080"`;
  const out = translate(
    ef(
      'routes',
      'shop',
      `workloadSelector: {labels: {app: web}}
configPatches:
- {applyTo: ROUTE_CONFIGURATION, match: {context: SIDECAR_OUTBOUND, ${rc}}}, patch: {operation: MERGE, value: {request_headers_to_add: [{header: {key: x-ef, value: "1"}}]}}}
- {applyTo: VIRTUAL_HOST, match: {context: SIDECAR_OUTBOUND, ${rc}}}, patch: {operation: ADD, value: {name: extra, domains: [extra.local], routes: [{match: {prefix: /}, direct_response: {status: 204}}]}}}
- {applyTo: VIRTUAL_HOST, match: {context: SIDECAR_OUTBOUND, ${vh}}}}, patch: {operation: MERGE, value: {include_request_attempt_count: false, response_headers_to_add: [{header: {key: x-vh, value: "2"}}]}}}
- {applyTo: VIRTUAL_HOST, match: {context: SIDECAR_OUTBOUND, ${rc}, vhost: {name: allow_any}}}, patch: {operation: REMOVE}}
- {applyTo: HTTP_ROUTE, match: {context: SIDECAR_OUTBOUND, ${vh}}}}, patch: {operation: INSERT_FIRST, value: {name: first, match: {prefix: /first}, direct_response: {status: 200}}}}
- {applyTo: HTTP_ROUTE, match: {context: SIDECAR_OUTBOUND, ${vh}, route: {name: default}}}}, patch: {operation: INSERT_BEFORE, value: {name: before, match: {prefix: /before}, redirect: {path_redirect: /x}}}}
- {applyTo: HTTP_ROUTE, match: {context: SIDECAR_OUTBOUND, ${vh}, route: {name: default}}}}, patch: {operation: INSERT_AFTER, value: {name: after, match: {prefix: /}, direct_response: {status: 404}}}}
- {applyTo: HTTP_ROUTE, match: {context: SIDECAR_OUTBOUND, ${vh}, route: {action: ROUTE}}}}, patch: {operation: MERGE, value: {route: {timeout: 5s}}}}
- {applyTo: HTTP_ROUTE, match: {context: SIDECAR_OUTBOUND, ${vh}}}}, patch: {operation: ADD, value: {name: last, match: {prefix: /last}, direct_response: {status: 410}}}}
- {applyTo: HTTP_ROUTE, match: {context: SIDECAR_OUTBOUND, ${vh}, route: {action: REDIRECT}}}}, patch: {operation: REMOVE}}
- {applyTo: VIRTUAL_HOST, match: {context: SIDECAR_OUTBOUND, ${rc}, vhost: {name: extra}}}, patch: {operation: REPLACE, value: {name: extra2, domains: [extra2.local], routes: []}}}`,
    ),
    'shop/web',
  );
  t.same(out.messages, []);
  t.same(out.dumpErrors, []);
  const r = out.routes.find((x) => x.name === '8080')!;
  t.same((r as any).request_headers_to_add, [{ header: { key: 'x-ef', value: '1' } }], 'ROUTE_CONFIGURATION MERGE');
  const hosts = r.virtual_hosts!.map((v) => v.name);
  t.notOk(hosts.includes('allow_any'), 'VIRTUAL_HOST REMOVE');
  t.ok(hosts.includes('extra'), 'VIRTUAL_HOST ADD (adds come after the replaces, so REPLACE did not meet it)');
  const cart = r.virtual_hosts!.find((v) => v.name === 'cart.shop.svc.cluster.local:8080')! as any;
  t.equal(cart.include_request_attempt_count, true, 'a false scalar is not merged (proto3: not populated)');
  t.same(cart.response_headers_to_add, [{ header: { key: 'x-vh', value: '2' } }], 'VIRTUAL_HOST MERGE');
  // Merges and removes run over the existing routes first, then the inserts, in patch order.
  // so the REMOVE of redirects does not meet the inserted redirect.
  t.same(cart.routes.map((x: any) => x.name), ['first', 'before', 'default', 'after', 'last'], 'INSERT_FIRST, INSERT_BEFORE, INSERT_AFTER, ADD');
  t.equal(cart.routes.find((x: any) => x.name === 'default').route.timeout, '5s', 'HTTP_ROUTE MERGE by action');
  t.ok(out.proxy.provenance.resources.virtualHosts['8080/cart.shop.svc.cluster.local:8080'].includes('EnvoyFilter shop/routes'));
  t.ok(out.proxy.provenance.resources.routes['8080'].includes('EnvoyFilter shop/routes'));
});

t.test('GATEWAY: route configuration by Service port, HTTP filter, cluster ADD and REMOVE', async (t) => {
  const out = translate(
    ef(
      'gw',
      'istio-system',
      `workloadSelector: {labels: {istio: ingressgateway}}
configPatches:
- {applyTo: VIRTUAL_HOST, match: {context: GATEWAY, routeConfiguration: {portNumber: 80}}, patch: {operation: MERGE, value: {domains: ["shop.example.org"]}}}
- {applyTo: VIRTUAL_HOST, match: {context: GATEWAY, routeConfiguration: {portNumber: 8080}}, patch: {operation: MERGE, value: {domains: ["never.example.org"]}}}
- applyTo: HTTP_FILTER
  match: {context: GATEWAY, listener: {filterChain: {filter: {name: ${HCM}, subFilter: {name: envoy.filters.http.router}}}}}
  patch: {operation: INSERT_BEFORE, value: {name: envoy.filters.http.compressor, typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.http.compressor.v3.Compressor, compressor_library: {name: gzip, typed_config: {"@type": type.googleapis.com/envoy.extensions.compression.gzip.compressor.v3.Gzip}}}}}
- {applyTo: CLUSTER, patch: {operation: ADD, value: {name: ext-authz, type: STRICT_DNS, connect_timeout: 1s, load_assignment: {cluster_name: ext-authz, endpoints: [{lb_endpoints: [{endpoint: {address: {socket_address: {address: authz.example.com, port_value: 9000}}}}]}]}}}}
- {applyTo: CLUSTER, match: {context: GATEWAY, cluster: {name: BlackHoleCluster}}, patch: {operation: REMOVE}}
- {applyTo: HTTP_FILTER, match: {context: SIDECAR_OUTBOUND}, patch: {operation: INSERT_FIRST, value: {name: envoy.filters.http.lua, typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.http.lua.v3.Lua}}}}`,
    ),
    'istio-system/ingress-0',
  );
  t.same(out.messages, []);
  t.same(out.dumpErrors, []);
  const r = out.routes.find((x) => x.name === 'http.8080')!;
  t.same(r.virtual_hosts![0].domains, ['shop.example.com', 'shop.example.org'], 'port 80 (the Service port) matches; lists append; 8080 does not');
  const names = httpFilterNames(listenerOf(out.listeners, '0.0.0.0_8080'));
  t.equal(names[names.length - 2], 'envoy.filters.http.compressor');
  t.notOk(names.includes('envoy.filters.http.lua'), 'a SIDECAR_OUTBOUND patch is not for gateways');
  t.ok(out.clusters.some((c) => c.name === 'ext-authz'), 'CLUSTER ADD (context ANY: gateways too)');
  t.notOk(out.clusters.some((c) => c.name === 'BlackHoleCluster'), 'CLUSTER REMOVE');
  t.same(out.proxy.provenance.resources.clusters['ext-authz'], ['EnvoyFilter istio-system/gw']);
});

t.test('CLUSTER MERGE with a transport socket, ADD in SIDECAR_OUTBOUND, REMOVE by service and subset', async (t) => {
  const out = translate(
    ef(
      'clusters',
      'shop',
      `workloadSelector: {labels: {app: web}}
configPatches:
- applyTo: CLUSTER
  match: {context: SIDECAR_OUTBOUND, cluster: {service: cart.shop.svc.cluster.local}}
  patch: {operation: MERGE, value: {circuit_breakers: {thresholds: [{max_connections: 7}]}, per_connection_buffer_limit_bytes: 1024}}
- applyTo: CLUSTER
  match: {context: SIDECAR_OUTBOUND, cluster: {service: ledger.shop.svc.cluster.local}}
  patch: {operation: REMOVE}
- applyTo: CLUSTER
  match: {context: SIDECAR_OUTBOUND}
  patch: {operation: ADD, value: {name: added, type: STATIC, connect_timeout: 1s}}`,
    ),
    'shop/web',
  );
  t.same(out.messages, []);
  t.same(out.dumpErrors, []);
  const cart = out.clusters.find((c) => c.name === 'outbound|8080||cart.shop.svc.cluster.local')! as any;
  t.same(cart.circuit_breakers.thresholds.map((x: any) => x.max_connections), [4294967295, 7], 'repeated fields append, as proto merge does');
  t.equal(cart.per_connection_buffer_limit_bytes, 1024);
  t.notOk(out.clusters.some((c) => c.name.includes('ledger')), 'REMOVE');
  const names = out.clusters.map((c) => c.name);
  t.ok(names.indexOf('added') > names.indexOf('PassthroughCluster') && names.indexOf('added') < names.indexOf('InboundPassthroughCluster'), 'outbound ADDs after Passthrough, before the inbound clusters');
});

t.test('ordering: priority first, then the root namespace, then creation', async (t) => {
  const first = (name: string, ns: string, priority: number, ts: string) =>
    ef(name, ns, `priority: ${priority}
configPatches:
- applyTo: HTTP_FILTER
  match: {context: SIDECAR_OUTBOUND, listener: {portNumber: 8080, filterChain: {filter: {name: ${HCM}}}}}
  patch: {operation: INSERT_FIRST, value: {name: ${name}, typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.http.lua.v3.Lua}}}`).replace(`namespace: ${ns}}`, `namespace: ${ns}, creationTimestamp: "${ts}"}`);
  const out = translate(
    first('ns-old', 'shop', 0, '2024-01-01T00:00:00Z') + first('root-new', 'istio-system', 0, '2025-01-01T00:00:00Z') + first('ns-early', 'shop', -5, '2025-06-01T00:00:00Z'),
    'shop/web',
  );
  // Each INSERT_FIRST goes in front of the earlier ones: the last applied is first.
  t.same(httpFilterNames(listenerOf(out.listeners, '0.0.0.0_8080')).slice(0, 3), ['ns-old', 'root-new', 'ns-early'], 'applied ns-early (priority -5), root-new (root namespace), ns-old');
});

t.test('proxy matches: proxyVersion regex against ISTIO_VERSION, metadata; workloadSelector', async (t) => {
  const yaml = ef(
    'versioned',
    'shop',
    `configPatches:
- applyTo: CLUSTER
  match: {proxy: {proxyVersion: '^1\\.2[0-9].*', metadata: {FLAVOR: blue}}, cluster: {name: BlackHoleCluster}}
  patch: {operation: MERGE, value: {connect_timeout: 4s}}`,
  );
  const scenario = compileScenario({ resources: MESH + yaml });
  const timeout = (metadata: Record<string, unknown>) => {
    const p = scenario.translate({ type: 'sidecar', namespace: 'shop', labels: { app: 'adhoc' }, ips: ['10.9.9.9'], metadata }).proxies[0];
    const clusters = (p.configDump.configs as any[]).find((c) => c['@type'].endsWith('ClustersConfigDump')).dynamic_active_clusters;
    return clusters.find((c: any) => c.cluster.name === 'BlackHoleCluster').cluster.connect_timeout;
  };
  t.equal(timeout({ ISTIO_VERSION: '1.27.1', FLAVOR: 'blue' }), '4s');
  t.equal(timeout({ ISTIO_VERSION: '1.19.0', FLAVOR: 'blue' }), '10s', 'version does not match');
  t.equal(timeout({ ISTIO_VERSION: '1.27.1', FLAVOR: 'red' }), '10s', 'metadata does not match');
  t.equal(timeout({ FLAVOR: 'blue' }), '10s', 'no version never matches a version regex');
  const other = translate(ef('cart-only', 'shop', `workloadSelector: {labels: {app: cart}}\nconfigPatches:\n- {applyTo: CLUSTER, match: {cluster: {name: BlackHoleCluster}}, patch: {operation: REMOVE}}`), 'shop/web');
  t.ok(other.clusters.some((c) => c.name === 'BlackHoleCluster'), 'a selector for other workloads does not apply');
});

t.test('EXTENSION_CONFIG: ADD sent over ECDS when a filter asks for it by name', async (t) => {
  const out = translate(
    ef(
      'ecds',
      'shop',
      `workloadSelector: {labels: {app: web}}
configPatches:
- applyTo: HTTP_FILTER
  match: {context: SIDECAR_OUTBOUND, listener: {portNumber: 8080, filterChain: {filter: {name: ${HCM}, subFilter: {name: envoy.filters.http.router}}}}}
  patch: {operation: INSERT_BEFORE, value: {name: shop.lua, config_discovery: {config_source: {ads: {}}, type_urls: [type.googleapis.com/envoy.extensions.filters.http.lua.v3.Lua]}}}
- applyTo: EXTENSION_CONFIG
  patch: {operation: ADD, value: {name: shop.lua, typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.http.lua.v3.Lua, default_source_code: {inline_string: "-- lua"}}}}
- applyTo: EXTENSION_CONFIG
  patch: {operation: ADD, value: {name: unused, typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.http.lua.v3.Lua}}}`,
    ),
    'shop/web',
  );
  t.same(out.messages, []);
  t.same(out.dumpErrors, []);
  t.same(out.ecds.map((f: any) => f.name), ['shop.lua'], 'only the name a filter asks for');
  t.equal(out.ecds[0].typed_config.default_source_code.inline_string, '-- lua');
});

t.test('patches that would make invalid config are left out and reported with the EnvoyFilter and patch index', async (t) => {
  const out = translate(
    ef(
      'broken',
      'shop',
      `workloadSelector: {labels: {app: web}}
configPatches:
- applyTo: LISTENER
  patch: {operation: ADD, value: {name: bad_port, address: {socket_address: {address: 0.0.0.0, port_value: 70000}}}}
- applyTo: HTTP_FILTER
  match: {context: SIDECAR_OUTBOUND, listener: {portNumber: 8080, filterChain: {filter: {name: ${HCM}, subFilter: {name: envoy.filters.http.cors}}}}}
  patch: {operation: MERGE, value: {typed_config: {"@type": type.googleapis.com/envoy.extensions.filters.http.lua.v3.Lua}}}
- applyTo: CLUSTER
  match: {cluster: {service: cart.shop.svc.cluster.local}}
  patch: {operation: MERGE, value: {connect_timeout: -1s, wrongField: 1}}
- applyTo: BOOTSTRAP
  patch: {operation: MERGE, value: {}}`,
    ),
    'shop/web',
  );
  t.same(out.dumpErrors, [], 'what is emitted stays valid');
  t.notOk(listenerOf(out.listeners, 'bad_port'));
  const byIndex = (i: number) => out.messages.filter((m) => m.path === `spec.configPatches[${i}]`);
  t.match(byIndex(0)[0], { resource: { kind: 'EnvoyFilter', namespace: 'shop', name: 'broken' }, message: /LISTENER ADD .*not valid envoy.config.listener.v3.Listener.*port_value/ });
  t.match(byIndex(1)[0].message, /cannot be merged into one of type envoy.extensions.filters.http.cors.v3.Cors/);
  t.ok(byIndex(2).some((m) => /wrongField.*dropped/.test(m.message)), 'unknown field named');
  t.ok(byIndex(2).some((m) => /merging makes envoy.config.cluster.v3.Cluster invalid.*connect_timeout/.test(m.message)), 'merge result refused');
  t.equal(out.clusters.find((c) => c.name === 'outbound|8080||cart.shop.svc.cluster.local')!.connect_timeout, '10s', 'not applied');
  t.match(byIndex(3)[0].message, /BOOTSTRAP/);
});

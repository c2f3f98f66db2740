// Telemetry on generated config: access logs (MeshConfig accessLogFile, envoyFileAccessLog providers,
// filters, disabled, per mode), tracing providers and their settings, Prometheus metric overrides, and the
// root namespace / namespace / workload precedence.

import { readFileSync } from 'node:fs';
import t from 'tap';
import { compileScenario } from '../../src/engine.js';
import { checkConfigDump } from '../../src/envoy/protos.js';
import type { Listener } from '../../src/xds/envoy.js';

const MESH = `${readFileSync(new URL('../support/fixtures/shop-mesh.yaml', import.meta.url), 'utf8')}---
apiVersion: v1
kind: Service
metadata: {name: zipkin, namespace: istio-system}
spec:
  clusterIP: 10.96.2.1
  ports: [{name: http, port: 9411}]
---
apiVersion: v1
kind: Service
metadata: {name: otel, namespace: observability}
spec:
  clusterIP: 10.96.2.2
  ports: [{name: grpc, port: 4317}]
`;

const PROVIDERS = {
  extensionProviders: [
    { name: 'json-file', envoyFileAccessLog: { path: '/dev/stdout', logFormat: { labels: { code: '%RESPONSE_CODE%', path: '%REQ_WITHOUT_QUERY(:PATH)%' } } } },
    { name: 'zipkin', zipkin: { service: 'zipkin.istio-system.svc.cluster.local', port: 9411 } },
    { name: 'otel', opentelemetry: { service: 'observability/otel.observability.svc.cluster.local', port: 4317 } },
    { name: 'prom', prometheus: {} },
    { name: 'als', envoyHttpAls: { service: 'otel.observability.svc.cluster.local', port: 4317 } },
  ],
};

const tel = (name: string, namespace: string, spec: string, apiVersion = 'telemetry.istio.io/v1') => `
---
apiVersion: ${apiVersion}
kind: Telemetry
metadata: {name: ${name}, namespace: ${namespace}}
spec:
${spec.replace(/^/gm, '  ')}`;

const HCM = 'envoy.filters.network.http_connection_manager';

function translate(yaml: string, pod: string, mesh: Record<string, unknown> = PROVIDERS) {
  const result = compileScenario({ resources: MESH + yaml, mesh }).translate({ pod });
  const proxy = result.proxies[0];
  const configs = proxy.configDump.configs as Record<string, any>[];
  const listeners: Listener[] = configs.find((c) => c['@type'].endsWith('ListenersConfigDump'))!.dynamic_listeners.map((l: any) => l.active_state.listener);
  const listener = (name: string) => listeners.find((l) => l.name === name)!;
  const hcmOf = (l: Listener) => l.filter_chains.flatMap((fc) => fc.filters).find((f) => f.name === HCM)?.typed_config as Record<string, any>;
  const inboundHcm = () => listener('virtualInbound').filter_chains.filter((fc) => fc.filter_chain_match?.destination_port === 8080).map((fc) => fc.filters.find((f) => f.name === HCM)!.typed_config as Record<string, any>)[0];
  return { proxy, listener, hcmOf, inboundHcm, messages: result.analysis.filter((m) => m.code === 'MPL0007'), dumpErrors: checkConfigDump(proxy.configDump).errors };
}

t.test('MeshConfig accessLogFile: every connection manager, TCP proxy and the virtual listeners (with the NR filter)', async (t) => {
  const out = translate('', 'shop/web', { accessLogFile: '/dev/stdout' });
  t.same(out.dumpErrors, []);
  const log = out.hcmOf(out.listener('0.0.0.0_8080')).access_log;
  t.equal(log.length, 1);
  t.match(log[0], { name: 'envoy.access_loggers.file', typed_config: { path: '/dev/stdout', log_format: { text_format_source: { inline_string: /^\[%START_TIME%\] .*%ROUTE_NAME%\n$/ } } } });
  const tcp = out.listener('10.96.1.11_5432').filter_chains[0].filters.find((f) => f.name === 'envoy.filters.network.tcp_proxy')!.typed_config as any;
  t.equal(tcp.access_log.length, 1, 'TCP proxies log too');
  t.same((out.listener('virtualOutbound').access_log as any[])?.[0]?.filter, { response_flag_filter: { flags: ['NR'] } });
  t.equal(out.listener('0.0.0.0_8080').access_log, undefined, 'per-port outbound listeners have no listener-level log');
  t.ok(out.proxy.provenance.resources.listeners['0.0.0.0_8080'].every((r) => !r.startsWith('Telemetry')), 'no Telemetry behind it');
  const json = translate('', 'shop/web', { accessLogFile: '/var/log/a.log', accessLogEncoding: 'JSON' });
  t.match(out.hcmOf(json.listener('0.0.0.0_8080')).access_log[0].typed_config, { path: '/var/log/a.log', log_format: { json_format: { start_time: '%START_TIME%' } } });
  t.same(translate('', 'shop/web', {}).hcmOf(translate('', 'shop/web', {}).listener('0.0.0.0_8080')).access_log, undefined, 'no accessLogFile: no logs');
});

t.test('access logging: root namespace default, provider with JSON labels and a CEL filter, disabled for one workload', async (t) => {
  const yaml =
    tel('mesh-default', 'istio-system', `accessLogging: [{providers: [{name: envoy}]}]`) +
    tel('shop-json', 'shop', `accessLogging: [{providers: [{name: json-file}], filter: {expression: "response.code >= 400"}}]`, 'telemetry.istio.io/v1alpha1') +
    tel('cart-off', 'shop', `selector: {matchLabels: {app: cart}}\naccessLogging: [{disabled: true}]`);
  const web = translate(yaml, 'shop/web');
  t.same(web.dumpErrors, []);
  const logs = web.hcmOf(web.listener('0.0.0.0_8080')).access_log;
  t.equal(logs.length, 1, 'the namespace Telemetry replaces the root one (its providers are the ones in scope)');
  t.match(logs[0], {
    typed_config: { path: '/dev/stdout', log_format: { json_format: { code: '%RESPONSE_CODE%' }, formatters: [{ name: 'envoy.formatter.req_without_query' }] } },
    filter: { extension_filter: { typed_config: { expression: 'response.code >= 400' } } },
  });
  t.match((web.listener('virtualOutbound').access_log as any[])?.[0]?.filter, { and_filter: { filters: [{ response_flag_filter: { flags: ['NR'] } }, { extension_filter: {} }] } });
  t.ok(web.proxy.provenance.resources.listeners['0.0.0.0_8080'].includes('Telemetry shop/shop-json'));
  const cart = translate(yaml, 'shop/cart');
  t.equal(cart.hcmOf(cart.listener('0.0.0.0_8080')).access_log, undefined, 'disabled for the selected workload');
  t.ok(cart.proxy.provenance.resources.listeners.virtualInbound.includes('Telemetry shop/cart-off'));
});

t.test('access logging by mode: SERVER only on inbound', async (t) => {
  const out = translate(tel('server-only', 'shop', `accessLogging: [{providers: [{name: envoy}], match: {mode: SERVER}}]`), 'shop/cart');
  t.equal(out.hcmOf(out.listener('0.0.0.0_8080')).access_log, undefined, 'outbound (CLIENT) has none');
  t.equal(out.inboundHcm().access_log.length, 1, 'inbound (SERVER) logs');
});

t.test('a provider kind meshplan does not model is reported', async (t) => {
  const out = translate(tel('als', 'shop', `accessLogging: [{providers: [{name: als}]}]`), 'shop/web');
  t.match(out.messages, [{ name: 'TelemetryNotModelled', message: /access log provider als/ }]);
  const als = translate('', 'shop/web', { enableEnvoyAccessLogService: true });
  t.match(als.messages, [{ message: /enableEnvoyAccessLogService/ }], 'MeshConfig gRPC access logs are named too');
});

t.test('tracing: zipkin from defaultProviders, then a Telemetry overriding sampling, tags and the provider', async (t) => {
  const mesh = { ...PROVIDERS, defaultProviders: { tracing: ['zipkin'] } };
  const base = translate('', 'shop/web', mesh);
  t.same(base.dumpErrors, []);
  const tracing = base.hcmOf(base.listener('0.0.0.0_8080')).tracing;
  t.match(tracing, {
    random_sampling: { value: 1 },
    provider: { name: 'envoy.tracers.zipkin', typed_config: { collector_cluster: 'outbound|9411||zipkin.istio-system.svc.cluster.local', collector_endpoint: '/api/v2/spans', trace_id_128bit: true, shared_span_context: false } },
  });
  t.ok(tracing.custom_tags.some((c: any) => c.tag === 'istio.canonical_service'), 'Istio tags');

  const yaml =
    tel('root', 'istio-system', `tracing: [{randomSamplingPercentage: 12.5}]`) +
    tel('web', 'shop', `selector: {matchLabels: {app: web}}\ntracing: [{providers: [{name: otel}], customTags: {team: {literal: {value: cart-team}}}, useRequestIdForTraceSampling: false}]`);
  const web = translate(yaml, 'shop/web', mesh);
  t.same(web.dumpErrors, []);
  const hcm = web.hcmOf(web.listener('0.0.0.0_8080'));
  t.match(hcm.tracing, {
    random_sampling: { value: 12.5 },
    provider: { name: 'envoy.tracers.opentelemetry', typed_config: { service_name: 'web.shop', grpc_service: { envoy_grpc: { cluster_name: 'outbound|4317||otel.observability.svc.cluster.local', authority: 'otel.observability.svc.cluster.local' } } } },
  });
  t.ok(hcm.tracing.custom_tags.some((c: any) => c.tag === 'team' && c.literal.value === 'cart-team'));
  t.equal(hcm.request_id_extension.typed_config.use_request_id_for_trace_sampling, false);
  const cart = translate(yaml, 'shop/cart', mesh);
  t.match(cart.hcmOf(cart.listener('0.0.0.0_8080')).tracing, { random_sampling: { value: 12.5 }, provider: { name: 'envoy.tracers.zipkin' } }, 'cart: root sampling, default provider');
});

t.test('tracing: disableSpanReporting for the server side; no provider at all: no tracing', async (t) => {
  const mesh = { ...PROVIDERS, defaultProviders: { tracing: ['zipkin'] } };
  const out = translate(tel('quiet', 'shop', `tracing: [{match: {mode: SERVER}, disableSpanReporting: true}]`), 'shop/cart', mesh);
  t.equal(out.inboundHcm().tracing, undefined, 'server side off');
  t.ok(out.hcmOf(out.listener('0.0.0.0_8080')).tracing.provider, 'client side still traced');
  const none = translate(tel('t', 'shop', `tracing: [{randomSamplingPercentage: 50}]`), 'shop/web');
  t.equal(none.hcmOf(none.listener('0.0.0.0_8080')).tracing, undefined, 'a Telemetry without any provider turns the legacy tracing block off');
  const legacy = translate('', 'shop/web', {});
  t.ok(legacy.hcmOf(legacy.listener('0.0.0.0_8080')).tracing, 'without Telemetry the MeshConfig block stays');
  const missing = translate(tel('t', 'shop', `tracing: [{providers: [{name: zipkin}]}]`), 'shop/web', { extensionProviders: [{ name: 'zipkin', zipkin: { service: 'nowhere.example', port: 9411 } }] });
  t.match(missing.messages, [{ message: /tracing not configured: could not find service nowhere.example/ }]);
});

t.test('metrics: Prometheus overrides become istio.stats config; disabling all metrics drops the filter for that mode', async (t) => {
  const mesh = { ...PROVIDERS, defaultProviders: { metrics: ['prom'] } };
  const yaml = tel(
    'metrics',
    'shop',
    `metrics:
- providers: [{name: prom}]
  reportingInterval: 15s
  overrides:
  - match: {metric: REQUEST_COUNT}
    tagOverrides: {request_protocol: {operation: REMOVE}, team: {value: "'cart'"}}
  - match: {metric: REQUEST_DURATION}
    disabled: true
  - match: {mode: SERVER, metric: ALL_METRICS}
    disabled: true`,
  );
  const out = translate(yaml, 'shop/cart', mesh);
  t.same(out.dumpErrors, []);
  const stats = (hcm: Record<string, any>) => hcm.http_filters.find((f: any) => f.name === 'istio.stats')?.typed_config;
  t.same(stats(out.hcmOf(out.listener('0.0.0.0_8080'))), {
    '@type': 'type.googleapis.com/stats.PluginConfig',
    tcp_reporting_duration: '15s',
    metrics: [
      // In the order of the metric names (REQUEST_COUNT, REQUEST_DURATION), as istiod sorts them.
      { name: 'requests_total', dimensions: { team: "'cart'" }, tags_to_remove: ['request_protocol'] },
      { name: 'request_duration_milliseconds', drop: true },
    ],
  });
  t.equal(stats(out.inboundHcm()), undefined, 'server metrics all disabled: no stats filter inbound');
  const tcp = out.listener('10.96.1.11_5432').filter_chains[0].filters.find((f) => f.name === 'istio.stats')!.typed_config as any;
  t.equal(tcp.metrics.length, 2, 'TCP stats filters get the same overrides');
  const enabledByTelemetry = translate(tel('prom-on', 'shop', `metrics: [{providers: [{name: prom}]}]`), 'shop/web');
  const names = enabledByTelemetry.hcmOf(enabledByTelemetry.listener('0.0.0.0_8080')).http_filters.map((f: any) => f.name);
  t.equal(names[names.indexOf('envoy.filters.http.router') - 1], 'istio.stats', 'a Telemetry turning Prometheus on adds the filter before the router');
});

// Tracing from Telemetry and MeshConfig defaultProviders (pilot/pkg/model/telemetry.go Tracing;
// pilot/pkg/networking/core/tracing.go configureTracingFromTelemetry, configureFromProviderConfig,
// zipkinConfig, datadogConfig, otelConfig, skywalkingConfig, configureCustomTags). Without either, the
// legacy MeshConfig block of src/xds/filters/tracing.ts stays.

import type { IstioConfig, MeshIndex, Proxy } from '../../mesh/types.js';
import { lookupCluster } from '../../security/ext-authz.js';
import { OPTIONAL_POLICY_TAGS, proxyConfigTags, proxyTracing, samplingPercent, serviceTags, type CustomTag } from '../filters/tracing.js';
import { defaultProviders, fetchProvider, providerNames, type Provider, type WorkloadMode } from './providers.js';

interface TracingSpec {
  provider?: Provider;
  disabled: boolean;
  randomSamplingPercentage?: number;
  customTags?: Record<string, any>;
  useRequestIdForTraceSampling: boolean;
  enableIstioTags: boolean;
}

const TRACING = 'type.googleapis.com/envoy.config.trace.v3.';

/** Tracing(): the client and server specs, or undefined when neither Telemetry nor a default provider applies. */
function tracingSpecs(index: MeshIndex, telemetries: IstioConfig[]): Record<WorkloadMode, TracingSpec> | undefined {
  const entries = telemetries.flatMap((t) => (Array.isArray(t.spec?.tracing) ? t.spec.tracing : []));
  const defaults = defaultProviders(index, 'tracing');
  if (entries.length === 0 && defaults.length === 0) return undefined;
  const fresh = (): TracingSpec => ({ disabled: false, useRequestIdForTraceSampling: true, enableIstioTags: true, provider: defaults[0] ? fetchProvider(index, defaults[0]) : undefined });
  const specs: Record<WorkloadMode, TracingSpec> = { CLIENT: fresh(), SERVER: fresh() };
  for (const m of entries) {
    const targets = m.match?.mode === 'CLIENT' ? [specs.CLIENT] : m.match?.mode === 'SERVER' ? [specs.SERVER] : [specs.CLIENT, specs.SERVER];
    const names = providerNames(m.providers);
    for (const s of targets) {
      if (names.length > 0) s.provider = fetchProvider(index, names[0]);
      if (m.disableSpanReporting !== undefined && m.disableSpanReporting !== null) s.disabled = m.disableSpanReporting === true;
      if (m.customTags) s.customTags = m.customTags;
      if (m.randomSamplingPercentage !== undefined && m.randomSamplingPercentage !== null) s.randomSamplingPercentage = Number(m.randomSamplingPercentage);
      if (m.useRequestIdForTraceSampling !== undefined && m.useRequestIdForTraceSampling !== null) s.useRequestIdForTraceSampling = m.useRequestIdForTraceSampling === true;
      if (m.enableIstioTags !== undefined && m.enableIstioTags !== null) s.enableIstioTags = m.enableIstioTags === true;
    }
  }
  for (const s of Object.values(specs)) if (!s.provider) s.disabled = true;
  return specs;
}

/** The Istio version in ISTIO_VERSION metadata, as [major, minor], if any. */
function proxyVersion(proxy: Proxy): [number, number] | undefined {
  const m = /^(\d+)\.(\d+)/.exec(String(proxy.metadata.ISTIO_VERSION ?? ''));
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}
const atLeast = (v: [number, number] | undefined, minor: number): boolean => v !== undefined && (v[0] > 1 || (v[0] === 1 && v[1] >= minor));

/** The node's service cluster as pilot-agent sets it: <canonical service>.<namespace>. */
function serviceCluster(proxy: Proxy): string {
  const l = proxy.labels;
  return `${l['service.istio.io/canonical-name'] ?? l['app.kubernetes.io/name'] ?? l.app ?? proxy.workloadName ?? 'istio-proxy'}.${proxy.namespace}`;
}

/** configureFromProviderConfig: the HCM tracing provider block; a string says why there is none. */
function providerTracing(index: MeshIndex, proxy: Proxy, provider: Provider): Record<string, unknown> | string {
  let spawnUpstream = proxy.type === 'router';
  let name: string;
  let typed: Record<string, unknown>;
  let maxTagLength = 0;
  const lookup = (p: { service?: string; port?: number }) => lookupCluster(index, p.service ?? '', Number(p.port ?? 0));
  const version = proxyVersion(proxy);
  if (provider.zipkin) {
    const z = provider.zipkin;
    const found = lookup(z);
    if (typeof found === 'string') return found;
    name = 'envoy.tracers.zipkin';
    maxTagLength = Number(z.maxTagLength ?? 0);
    const endpoint = z.path || '/api/v2/spans';
    typed = { '@type': `${TRACING}ZipkinConfig`, collector_endpoint_version: 'HTTP_JSON', ...(z.enable64bitTraceId ? {} : { trace_id_128bit: true }), shared_span_context: false };
    if (atLeast(version, 29)) {
      typed.collector_service = { http_uri: { uri: `http://${found.hostname}${endpoint}`, cluster: found.cluster, timeout: z.timeout ?? '5s' } };
    } else {
      Object.assign(typed, { collector_cluster: found.cluster, collector_endpoint: endpoint, collector_hostname: found.hostname });
    }
    if (atLeast(version, 28) && z.traceContextOption === 'USE_B3_WITH_W3C_PROPAGATION') typed.trace_context_option = 'USE_B3_WITH_W3C_PROPAGATION';
  } else if (provider.datadog) {
    const found = lookup(provider.datadog);
    if (typeof found === 'string') return found;
    name = 'envoy.tracers.datadog';
    maxTagLength = Number(provider.datadog.maxTagLength ?? 0);
    typed = { '@type': `${TRACING}DatadogConfig`, collector_cluster: found.cluster, service_name: serviceCluster(proxy), collector_hostname: found.hostname };
  } else if (provider.skywalking) {
    const found = lookup(provider.skywalking);
    if (typeof found === 'string') return found;
    name = 'envoy.tracers.skywalking';
    spawnUpstream = true;
    typed = { '@type': `${TRACING}SkyWalkingConfig`, grpc_service: { envoy_grpc: { cluster_name: found.cluster, authority: found.hostname } } };
  } else if (provider.opentelemetry) {
    const o = provider.opentelemetry;
    const found = lookup(o);
    if (typeof found === 'string') return found;
    name = 'envoy.tracers.opentelemetry';
    maxTagLength = Number(o.maxTagLength ?? 0);
    typed = { '@type': `${TRACING}OpenTelemetryConfig`, service_name: serviceCluster(proxy) };
    if (o.http) {
      const path = String(o.http.path ?? '').replace(/^\/*/, '');
      typed.http_service = {
        http_uri: { uri: path ? `${found.hostname}/${path}` : found.hostname, cluster: found.cluster, ...(o.http.timeout ? { timeout: o.http.timeout } : {}) },
        ...(o.http.headers?.length ? { request_headers_to_add: o.http.headers.map((h: any) => ({ header: { key: h.name, value: h.value } })) } : {}),
      };
    } else {
      typed.grpc_service = { envoy_grpc: { cluster_name: found.cluster, authority: found.hostname }, ...(o.grpc?.timeout ? { timeout: o.grpc.timeout } : {}) };
    }
  } else {
    return `provider ${provider.name} does not support tracing${provider.lightstep ? ' (lightstep is deprecated and no longer configured)' : ''}`;
  }
  return {
    ...(spawnUpstream ? { spawn_upstream_span: true } : {}),
    provider: { name, typed_config: typed },
    ...(maxTagLength ? { max_path_tag_length: maxTagLength } : {}),
  };
}

export interface TelemetryTracing {
  /** The HCM tracing block; undefined: no tracing. */
  tracing?: Record<string, unknown>;
  useRequestIdForTraceSampling: boolean;
  /** Why a provider could not be configured (as istiod logs it). */
  problem?: string;
}

/** configureTracingFromTelemetry for one listener class; undefined when the legacy MeshConfig block applies. */
export function telemetryTracing(index: MeshIndex, proxy: Proxy, telemetries: IstioConfig[], mode: WorkloadMode): TelemetryTracing | undefined {
  const specs = tracingSpecs(index, telemetries);
  if (!specs) return undefined;
  const spec = specs[mode];
  if (spec.disabled) return { useRequestIdForTraceSampling: true };
  const built = providerTracing(index, proxy, spec.provider!);
  if (typeof built === 'string') return { useRequestIdForTraceSampling: true, problem: built };
  const tracingConfig = proxyTracing(index, proxy);
  const sampling = spec.randomSamplingPercentage ?? samplingPercent(index, tracingConfig);
  const tags: CustomTag[] = [
    ...(spec.enableIstioTags ? [...serviceTags(index, proxy), ...OPTIONAL_POLICY_TAGS] : []),
    ...proxyConfigTags(spec.customTags && Object.keys(spec.customTags).length > 0 ? spec.customTags : tracingConfig?.customTags),
  ].sort((a, b) => (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0));
  const tracing: Record<string, unknown> = {
    client_sampling: { value: 100 },
    random_sampling: { value: sampling },
    overall_sampling: { value: 100 },
    ...built,
    ...(tags.length > 0 ? { custom_tags: tags } : {}),
  };
  if (tracing.max_path_tag_length === undefined && tracingConfig?.maxPathTagLength) tracing.max_path_tag_length = tracingConfig.maxPathTagLength;
  return { tracing, useRequestIdForTraceSampling: spec.useRequestIdForTraceSampling };
}

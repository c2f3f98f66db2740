// The HCM `tracing` block istiod sets from MeshConfig when no Telemetry tracing provider applies
// (pilot/pkg/networking/core/tracing.go configureTracingFromTelemetry, its legacy branch:
// configureSampling, proxyConfigSamplingValue, configureCustomTags, buildServiceTags, optionalPolicyTags).

import type { MeshIndex, Proxy } from '../../mesh/types.js';
import { featureNumber } from '../../mesh/features.js';

export interface ProxyTracing {
  sampling?: number;
  enableIstioTags?: boolean;
  maxPathTagLength?: number;
  customTags?: Record<string, { literal?: { value?: string }; environment?: { name?: string; defaultValue?: string }; header?: { name?: string; defaultValue?: string } }>;
}

/** envoy.type.tracing.v3.CustomTag. */
export type CustomTag = { tag: string } & Record<string, unknown>;

/** RBAC shadow-rule results, read from the rbac filter's dynamic metadata (authz model RBACShadow*). */
const dryRunTag = (tag: string, key: string): CustomTag => ({
  tag,
  metadata: { kind: { request: {} }, metadata_key: { key: 'envoy.filters.http.rbac', path: [{ key }] } },
});

export const OPTIONAL_POLICY_TAGS = [
  dryRunTag('istio.authorization.dry_run.allow_policy.name', 'istio_dry_run_allow_shadow_effective_policy_id'),
  dryRunTag('istio.authorization.dry_run.allow_policy.result', 'istio_dry_run_allow_shadow_engine_result'),
  dryRunTag('istio.authorization.dry_run.deny_policy.name', 'istio_dry_run_deny_shadow_effective_policy_id'),
  dryRunTag('istio.authorization.dry_run.deny_policy.result', 'istio_dry_run_deny_shadow_engine_result'),
];

/**
 * The proxy's canonical service and revision as the injector labels the pod (an explicit
 * service.istio.io/canonical-* label, else app.kubernetes.io/*, else app/version, else the workload and "latest").
 */
export function serviceTags(index: MeshIndex, proxy: Proxy): CustomTag[] {
  const l = proxy.labels;
  const service = l['service.istio.io/canonical-name'] ?? l['app.kubernetes.io/name'] ?? l.app ?? proxy.workloadName ?? 'unknown';
  const revision = l['service.istio.io/canonical-revision'] ?? l['app.kubernetes.io/version'] ?? l.version ?? 'latest';
  const literal = (tag: string, value: string) => ({ tag, literal: { value } });
  return [
    literal('istio.canonical_revision', revision),
    literal('istio.canonical_service', service),
    // The injector sets ISTIO_META_MESH_ID to the trust domain unless values.global.meshID says otherwise.
    literal('istio.mesh_id', String(proxy.metadata.MESH_ID ?? index.mesh.trustDomain ?? 'unknown')),
    literal('istio.namespace', proxy.namespace || 'default'),
    literal('istio.cluster_id', String(proxy.metadata.CLUSTER_ID ?? 'Kubernetes')),
  ];
}

export function proxyConfigTags(custom: ProxyTracing['customTags']): CustomTag[] {
  return Object.entries(custom ?? {}).flatMap(([tag, t]): CustomTag[] => {
    if (t?.environment) return [{ tag, environment: { name: t.environment.name, ...(t.environment.defaultValue ? { default_value: t.environment.defaultValue } : {}) } }];
    if (t?.header) return [{ tag, request_header: { name: t.header.name, ...(t.header.defaultValue ? { default_value: t.header.defaultValue } : {}) } }];
    if (t?.literal) return [{ tag, literal: { value: t.literal.value } }];
    return [];
  });
}

/** PILOT_TRACE_SAMPLING (default 1%), overridden by ProxyConfig tracing.sampling when set; above 100 means 1. */
export function samplingPercent(index: MeshIndex, tracing: ProxyTracing | undefined): number {
  const flag = featureNumber(index.options.features, 'PILOT_TRACE_SAMPLING');
  let sampling = flag >= 0 && flag <= 100 ? flag : 1;
  if (tracing?.sampling) sampling = tracing.sampling > 100 ? 1 : tracing.sampling;
  return sampling;
}

/**
 * The tracing block every HTTP connection manager of the proxy carries while MeshConfig enableTracing is on.
 * Undefined when tracing is off or a default tracing provider is configured (then the Telemetry stage sets it).
 */
/** The proxy's ProxyConfig tracing settings (its PROXY_CONFIG, else MeshConfig defaultConfig). */
export const proxyTracing = (index: MeshIndex, proxy: Proxy): ProxyTracing | undefined =>
  ((proxy.metadata.PROXY_CONFIG ?? index.mesh.defaultConfig) as { tracing?: ProxyTracing } | undefined)?.tracing;

export function meshTracing(index: MeshIndex, proxy: Proxy): Record<string, unknown> | undefined {
  const mesh = index.mesh;
  if (mesh.enableTracing === false) return undefined;
  // A default provider is Telemetry-style tracing (src/xds/telemetry/tracing.ts).
  const providers = (mesh.defaultProviders as { tracing?: unknown[] } | undefined)?.tracing;
  if (Array.isArray(providers) && providers.length > 0) return undefined;
  const tracing = proxyTracing(index, proxy);
  const istioTags = tracing?.enableIstioTags !== false ? [...serviceTags(index, proxy), ...OPTIONAL_POLICY_TAGS] : [];
  const tags = [...istioTags, ...proxyConfigTags(tracing?.customTags)].sort((a, b) => (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0));
  return {
    client_sampling: { value: 100 },
    random_sampling: { value: samplingPercent(index, tracing) },
    overall_sampling: { value: 100 },
    ...(tags.length > 0 ? { custom_tags: tags } : {}),
    ...(tracing?.maxPathTagLength ? { max_path_tag_length: tracing.maxPathTagLength } : {}),
  };
}

// Metrics from Telemetry (pilot/pkg/model/telemetry.go mergeMetrics, generateStatsConfig): the Prometheus
// provider's istio.stats filter, dropped for a class whose metrics are all disabled, with per-metric
// overrides (drop, tag upserts and removals) and the reporting interval.

import type { IstioConfig, MeshIndex } from '../../mesh/types.js';
import { defaultProviders, fetchProvider, providerNames, type WorkloadMode } from './providers.js';

const ALL_METRICS = ['REQUEST_COUNT', 'REQUEST_DURATION', 'REQUEST_SIZE', 'RESPONSE_SIZE', 'TCP_OPENED_CONNECTIONS', 'TCP_CLOSED_CONNECTIONS', 'TCP_SENT_BYTES', 'TCP_RECEIVED_BYTES', 'GRPC_REQUEST_MESSAGES', 'GRPC_RESPONSE_MESSAGES'];
const PROMETHEUS_NAME: Record<string, string> = {
  REQUEST_COUNT: 'requests_total', REQUEST_DURATION: 'request_duration_milliseconds', REQUEST_SIZE: 'request_bytes', RESPONSE_SIZE: 'response_bytes',
  TCP_OPENED_CONNECTIONS: 'tcp_connections_opened_total', TCP_CLOSED_CONNECTIONS: 'tcp_connections_closed_total', TCP_SENT_BYTES: 'tcp_sent_bytes_total',
  TCP_RECEIVED_BYTES: 'tcp_received_bytes_total', GRPC_REQUEST_MESSAGES: 'request_messages_total', GRPC_RESPONSE_MESSAGES: 'response_messages_total',
};

interface Override {
  disabled?: boolean;
  tags: Map<string, { operation?: string; value?: string }>;
}

export interface StatsConfigs {
  /** The istio.stats typed_config per mode; undefined for a mode whose metrics are all off. */
  byMode: Partial<Record<WorkloadMode, Record<string, unknown>>>;
}

const modesOf = (mode: string | undefined): WorkloadMode[] => (mode === 'CLIENT' || mode === 'SERVER' ? [mode] : ['CLIENT', 'SERVER']);
const isAllMetrics = (match: any): boolean => !match?.customMetric && (!match?.metric || match.metric === 'ALL_METRICS');
const matchesOf = (match: any): string[] => (match?.customMetric ? [match.customMetric] : !match?.metric || match.metric === 'ALL_METRICS' ? ALL_METRICS : [match.metric]);

/**
 * mergeMetrics for the Prometheus providers in scope, turned into istio.stats configs. Undefined when no
 * Telemetry has metrics (then the MeshConfig default stays as generated).
 */
export function statsConfigs(index: MeshIndex, telemetries: IstioConfig[], inboundOrGateway: (mode: WorkloadMode) => boolean): StatsConfigs | undefined {
  const metrics = telemetries.flatMap((t) => (Array.isArray(t.spec?.metrics) ? t.spec.metrics : []));
  if (metrics.length === 0) return undefined;
  const defaults = defaultProviders(index, 'metrics');
  let names = defaults;
  for (const m of metrics) if (providerNames(m.providers).length > 0) names = providerNames(m.providers);
  const inScope = new Set(names);
  // Only one Prometheus filter is modelled: the first Prometheus provider in scope.
  const prometheus = [...inScope].find((n) => fetchProvider(index, n)?.prometheus !== undefined);
  if (!prometheus) return { byMode: {} };
  const perMode: Record<WorkloadMode, Map<string, Override>> = { CLIENT: new Map(), SERVER: new Map() };
  const disabledAll = new Set<WorkloadMode>();
  let interval: string | undefined;
  let parent = defaults;
  for (const m of metrics) {
    let list = providerNames(m.providers);
    if (list.length === 0) list = parent;
    parent = list;
    if (!list.includes(prometheus)) continue;
    if (m.reportingInterval) interval = m.reportingInterval;
    for (const o of Array.isArray(m.overrides) ? m.overrides : []) {
      if (isAllMetrics(o.match) && o.disabled === true) {
        for (const mode of modesOf(o.match?.mode)) disabledAll.add(mode);
        continue;
      }
      for (const mode of modesOf(o.match?.mode)) {
        disabledAll.delete(mode);
        for (const name of matchesOf(o.match)) {
          const ov: Override = perMode[mode].get(name) ?? { tags: new Map() };
          if (o.disabled !== undefined && o.disabled !== null) ov.disabled = o.disabled === true;
          for (const [k, v] of Object.entries(o.tagOverrides ?? {})) ov.tags.set(k, v as { operation?: string; value?: string });
          perMode[mode].set(name, ov);
        }
      }
    }
  }
  const byMode: StatsConfigs['byMode'] = {};
  for (const mode of ['CLIENT', 'SERVER'] as WorkloadMode[]) {
    if (disabledAll.has(mode)) continue;
    const overrides = [...perMode[mode]].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    byMode[mode] = {
      '@type': 'type.googleapis.com/stats.PluginConfig',
      ...(inboundOrGateway(mode) ? { disable_host_header_fallback: true } : {}),
      ...(interval ? { tcp_reporting_duration: interval } : {}),
      ...(overrides.length > 0
        ? {
            metrics: overrides.map(([name, ov]) => {
              const tags = [...ov.tags].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
              const dimensions = Object.fromEntries(tags.filter(([, t]) => t.operation !== 'REMOVE').map(([k, t]) => [k, t.value ?? '']));
              const remove = tags.filter(([, t]) => t.operation === 'REMOVE').map(([k]) => k);
              return { name: PROMETHEUS_NAME[name] ?? name, ...(Object.keys(dimensions).length ? { dimensions } : {}), ...(remove.length ? { tags_to_remove: remove } : {}), ...(ov.disabled ? { drop: true } : {}) };
            }),
          }
        : {}),
    };
  }
  return { byMode };
}

// Telemetry (and MeshConfig accessLogFile / defaultProviders) on one proxy's listeners: access logs on
// connection managers, TCP proxies and the virtual and gateway listeners, the connection managers' tracing,
// and the istio.stats filters' config, per listener class as istiod sets them while building
// (pilot/pkg/networking/core/accesslog.go, tracing.go, listener_builder.go; pilot/pkg/model/telemetry.go).

import type { SourceRef } from '../../manifests/types.js';
import type { IstioConfig, MeshIndex, Proxy } from '../../mesh/types.js';
import type { Filter, FilterChain, Listener } from '../envoy.js';
import { VIRTUAL_INBOUND, VIRTUAL_OUTBOUND } from '../names.js';
import { accessLogs, type AccessLogs } from './access-log.js';
import { statsConfigs } from './metrics.js';
import type { WorkloadMode } from './providers.js';
import { defaultProviders, fetchProvider } from './providers.js';
import { telemetryTracing, type TelemetryTracing } from './tracing.js';

const HCM = 'envoy.filters.network.http_connection_manager';
const TCP_PROXY = 'envoy.filters.network.tcp_proxy';
const STATS = 'istio.stats';

export interface TelemetryResult {
  listeners: Listener[];
  /** Listener name → the Telemetry resources that shaped it. */
  touched: Map<string, SourceRef[]>;
  /** Telemetry settings istiod would apply that are not modelled, or providers it could not configure. */
  problems: { telemetry?: SourceRef; message: string }[];
}

/** Whether this stage has anything to do for the proxy. */
function applies(index: MeshIndex, telemetries: IstioConfig[]): boolean {
  return (
    telemetries.length > 0 ||
    (typeof index.mesh.accessLogFile === 'string' && index.mesh.accessLogFile !== '') ||
    defaultProviders(index, 'accessLogging').length > 0 ||
    defaultProviders(index, 'tracing').length > 0 ||
    index.mesh.enableEnvoyAccessLogService === true
  );
}

/** Telemetry fields istiod honours that meshplan does not model, named by path. */
function unmodelledFields(index: MeshIndex, telemetries: IstioConfig[]): TelemetryResult['problems'] {
  const out: TelemetryResult['problems'] = [];
  if (index.mesh.enableEnvoyAccessLogService === true) out.push({ message: 'MeshConfig enableEnvoyAccessLogService (gRPC access logs to envoy_accesslog_service) is not modelled' });
  for (const t of telemetries) {
    const name = `Telemetry ${t.namespace}/${t.name}`;
    (Array.isArray(t.spec?.tracing) ? t.spec.tracing : []).forEach((e: any, i: number) => {
      if (e?.disableContextPropagation !== undefined) out.push({ telemetry: t.source, message: `${name} spec.tracing[${i}].disableContextPropagation is not modelled (istiod sets no_context_propagation for 1.30+ proxies)` });
    });
    (Array.isArray(t.spec?.metrics) ? t.spec.metrics : []).forEach((e: any, i: number) => {
      for (const p of Array.isArray(e?.providers) ? e.providers : []) {
        const provider = fetchProvider(index, String(p?.name ?? ''));
        if (provider && !provider.prometheus) out.push({ telemetry: t.source, message: `${name} spec.metrics[${i}].providers: ${provider.name} is not a prometheus provider; only Prometheus metrics are modelled` });
      }
    });
  }
  return out;
}

interface ClassSettings {
  logs?: AccessLogs;
  tracing?: TelemetryTracing;
  stats?: Record<string, unknown> | null;
}

export function applyTelemetry(index: MeshIndex, proxy: Proxy, listeners: Listener[]): TelemetryResult | undefined {
  const telemetries = index.telemetries?.(proxy) ?? [];
  if (!applies(index, telemetries)) return undefined;
  const problems: TelemetryResult['problems'] = unmodelledFields(index, telemetries);
  const gateway = proxy.type === 'router';
  const stats = statsConfigs(index, telemetries, (mode) => gateway || mode === 'SERVER');
  const settings = new Map<WorkloadMode, ClassSettings>();
  const forMode = (mode: WorkloadMode): ClassSettings => {
    let s = settings.get(mode);
    if (!s) {
      s = {
        logs: accessLogs(index, telemetries, mode),
        // With a Telemetry or default provider, enableTracing no longer decides (configureTracingFromTelemetry).
        tracing: telemetryTracing(index, proxy, telemetries, mode),
        stats: stats ? (stats.byMode[mode] ?? null) : undefined,
      };
      for (const name of s.logs?.unmodelled ?? []) problems.push({ message: `access log provider ${name} is not an envoyFileAccessLog provider: meshplan does not model its access log` });
      if (s.tracing?.problem) problems.push({ message: `tracing not configured: ${s.tracing.problem}` });
      settings.set(mode, s);
    }
    return s;
  };
  const sources = telemetries.map((t) => t.source);
  const touched = new Map<string, SourceRef[]>();
  const out = (structuredClone(listeners) as Listener[]).map((l) => {
    const mode: WorkloadMode = !gateway && l.traffic_direction === 'INBOUND' ? 'SERVER' : 'CLIENT';
    const s = forMode(mode);
    const chains: FilterChain[] = [...l.filter_chains, ...(l.default_filter_chain ? [l.default_filter_chain] : [])];
    for (const fc of chains) {
      fc.filters = fc.filters.flatMap((f): Filter[] => {
        const typed = f.typed_config as Record<string, any> | undefined;
        if (f.name === STATS && s.stats !== undefined) return s.stats ? [{ ...f, typed_config: s.stats as Filter['typed_config'] }] : [];
        if (!typed) return [f];
        if (f.name === TCP_PROXY && s.logs?.logs.length) typed.access_log = [...(typed.access_log ?? []), ...s.logs.logs];
        // A Telemetry that turns Prometheus on where MeshConfig had it off: the filter goes where istiod puts it.
        if (f.name === TCP_PROXY && s.stats && !fc.filters.some((x) => x.name === STATS)) return [{ name: STATS, typed_config: s.stats as Filter['typed_config'] }, f];
        if (f.name === HCM) {
          if (s.logs?.logs.length) typed.access_log = [...(typed.access_log ?? []), ...s.logs.logs];
          if (s.tracing) {
            if (s.tracing.tracing) typed.tracing = s.tracing.tracing;
            else delete typed.tracing;
            if (typed.request_id_extension?.typed_config) typed.request_id_extension.typed_config.use_request_id_for_trace_sampling = s.tracing.useRequestIdForTraceSampling;
          }
          if (s.stats !== undefined && Array.isArray(typed.http_filters)) {
            const filters: Record<string, any>[] = typed.http_filters.flatMap((h: Record<string, any>) => (h.name !== STATS ? [h] : s.stats ? [{ ...h, typed_config: s.stats }] : []));
            if (s.stats && !filters.some((h) => h.name === STATS)) {
              const at = filters.findIndex((h) => h.name === 'envoy.filters.http.dynamic_forward_proxy' || h.name === 'envoy.filters.http.router');
              filters.splice(at === -1 ? filters.length : at, 0, { name: STATS, typed_config: s.stats });
            }
            typed.http_filters = filters;
          }
        }
        return [f];
      });
    }
    // The listener-level access log: virtual listeners and gateway listeners.
    if (s.logs?.listener.length && (gateway || l.name === VIRTUAL_INBOUND || l.name === VIRTUAL_OUTBOUND)) l.access_log = [...((l.access_log as unknown[]) ?? []), ...s.logs.listener];
    if (sources.length > 0) touched.set(l.name, sources);
    return l;
  });
  return { listeners: out, touched, problems };
}

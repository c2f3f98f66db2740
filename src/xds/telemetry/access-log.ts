// Access logging from Telemetry and MeshConfig (pilot/pkg/model/telemetry.go AccessLogging, mergeLogs;
// telemetry_logging.go telemetryAccessLog, fileAccessLogFromTelemetry, FileAccessLogFromMeshConfig;
// pilot/pkg/networking/core/accesslog.go buildAccessLogFromTelemetry and the listener filter).

import type { IstioConfig, MeshIndex } from '../../mesh/types.js';
import { defaultProviders, fetchProvider, modeMatches, providerNames, type WorkloadMode } from './providers.js';

type AccessLog = Record<string, unknown>;

const FILE_TYPE = 'type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog';
const REQ_WITHOUT_QUERY = {
  name: 'envoy.formatter.req_without_query',
  typed_config: { '@type': 'type.googleapis.com/envoy.extensions.formatter.req_without_query.v3.ReqWithoutQuery' },
};

/** EnvoyTextLogFormat: Istio's default text format. */
export const ENVOY_TEXT_LOG_FORMAT =
  '[%START_TIME%] "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%" %RESPONSE_CODE% %RESPONSE_FLAGS% ' +
  '%RESPONSE_CODE_DETAILS% %CONNECTION_TERMINATION_DETAILS% "%UPSTREAM_TRANSPORT_FAILURE_REASON%" %BYTES_RECEIVED% %BYTES_SENT% ' +
  '%DURATION% %RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% "%REQ(X-FORWARDED-FOR)%" "%REQ(USER-AGENT)%" "%REQ(X-REQUEST-ID)%" ' +
  '"%REQ(:AUTHORITY)%" "%UPSTREAM_HOST%" %UPSTREAM_CLUSTER_RAW% %UPSTREAM_LOCAL_ADDRESS% %DOWNSTREAM_LOCAL_ADDRESS% ' +
  '%DOWNSTREAM_REMOTE_ADDRESS% %REQUESTED_SERVER_NAME% %ROUTE_NAME%\n';

/** EnvoyJSONLogFormatIstio, in Istio's key order. */
const ENVOY_JSON_LOG_FORMAT: Record<string, string> = {
  start_time: '%START_TIME%', route_name: '%ROUTE_NAME%', method: '%REQ(:METHOD)%', path: '%REQ(X-ENVOY-ORIGINAL-PATH?:PATH)%',
  protocol: '%PROTOCOL%', response_code: '%RESPONSE_CODE%', response_flags: '%RESPONSE_FLAGS%', response_code_details: '%RESPONSE_CODE_DETAILS%',
  connection_termination_details: '%CONNECTION_TERMINATION_DETAILS%', bytes_received: '%BYTES_RECEIVED%', bytes_sent: '%BYTES_SENT%',
  duration: '%DURATION%', upstream_service_time: '%RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)%', x_forwarded_for: '%REQ(X-FORWARDED-FOR)%',
  user_agent: '%REQ(USER-AGENT)%', request_id: '%REQ(X-REQUEST-ID)%', authority: '%REQ(:AUTHORITY)%', upstream_host: '%UPSTREAM_HOST%',
  upstream_cluster: '%UPSTREAM_CLUSTER_RAW%', upstream_local_address: '%UPSTREAM_LOCAL_ADDRESS%', downstream_local_address: '%DOWNSTREAM_LOCAL_ADDRESS%',
  downstream_remote_address: '%DOWNSTREAM_REMOTE_ADDRESS%', requested_server_name: '%REQUESTED_SERVER_NAME%',
  upstream_transport_failure_reason: '%UPSTREAM_TRANSPORT_FAILURE_REASON%',
};

/** The listener-level access log only records connections no filter chain took (response flag NR). */
export const LISTENER_FILTER = { response_flag_filter: { flags: ['NR'] } };

const withNewline = (format: string): string => (format === '' ? ENVOY_TEXT_LOG_FORMAT : format.endsWith('\n') ? format : `${format}\n`);

function textFormat(format: string, omitEmpty = false): Record<string, unknown> {
  const text = withNewline(format);
  return {
    text_format_source: { inline_string: text },
    ...(omitEmpty ? { omit_empty_values: true } : {}),
    ...(text.includes('%REQ_WITHOUT_QUERY') ? { formatters: [REQ_WITHOUT_QUERY] } : {}),
  };
}

function jsonFormat(labels: Record<string, unknown> | undefined, omitEmpty = false): Record<string, unknown> {
  const json = labels && Object.keys(labels).length > 0 ? labels : ENVOY_JSON_LOG_FORMAT;
  return {
    json_format: json,
    json_format_options: {},
    ...(omitEmpty ? { omit_empty_values: true } : {}),
    ...(Object.values(json).some((v) => String(v).includes('%REQ_WITHOUT_QUERY')) ? { formatters: [REQ_WITHOUT_QUERY] } : {}),
  };
}

const fileLog = (path: string, logFormat: Record<string, unknown> | undefined): AccessLog => ({
  name: 'envoy.access_loggers.file',
  typed_config: { '@type': FILE_TYPE, path, ...(logFormat ? { log_format: logFormat } : {}) },
});

/** FileAccessLogFromMeshConfig: accessLogFile with accessLogEncoding (TEXT or JSON) and accessLogFormat. */
export function meshFileAccessLog(index: MeshIndex, path: string): AccessLog {
  const mesh = index.mesh;
  const encoding = (mesh.accessLogEncoding as string | undefined) ?? 'TEXT';
  const format = typeof mesh.accessLogFormat === 'string' ? mesh.accessLogFormat : '';
  if (encoding === 'JSON') {
    let labels: Record<string, unknown> | undefined;
    try {
      labels = format ? JSON.parse(format) : undefined;
    } catch {
      // istiod logs the parse error and uses its default format.
    }
    return fileLog(path, jsonFormat(labels));
  }
  return fileLog(path, textFormat(format));
}

/** telemetryAccessLog: the envoyFileAccessLog providers; other kinds are not modelled (say so upstream). */
function providerAccessLog(index: MeshIndex, provider: Record<string, any>): AccessLog | undefined {
  const file = provider.envoyFileAccessLog;
  if (!file) return undefined;
  if (provider.name === 'envoy' && !file.logFormat && !file.omitEmptyValues) return meshFileAccessLog(index, file.path ?? '/dev/stdout');
  const path = file.path || '/dev/stdout';
  const lf = file.logFormat;
  return fileLog(path, lf?.labels !== undefined ? jsonFormat(lf.labels, file.omitEmptyValues) : textFormat(lf?.text ?? '', file.omitEmptyValues));
}

interface LoggingSpec {
  filter?: { expression?: string };
  disabled?: boolean;
}

/** mergeLogs: provider → its filter, or disabled, from the Telemetries' accessLogging in order. */
function mergeLogs(index: MeshIndex, telemetries: IstioConfig[], mode: WorkloadMode): Map<string, LoggingSpec> {
  const providers = new Map<string, LoggingSpec>();
  const logs = telemetries.map((t) => (Array.isArray(t.spec?.accessLogging) ? t.spec.accessLogging : [])).filter((l) => l.length > 0);
  const defaults = defaultProviders(index, 'accessLogging');
  if (logs.length === 0) {
    for (const p of defaults) providers.set(p, {});
    return providers;
  }
  let names = defaults;
  const filters = new Map<string, LoggingSpec>();
  for (const entries of logs) {
    const here = new Set<string>();
    for (const e of entries) {
      if (!modeMatches(e.match, mode)) continue;
      for (const p of providerNames(e.providers)) {
        here.add(p);
        filters.set(p, { filter: e.filter });
      }
    }
    if (here.size > 0) names = [...here];
  }
  const inScope = new Set(names);
  let parent = defaults;
  for (const entries of logs) {
    for (const e of entries) {
      let list = providerNames(e.providers);
      if (list.length === 0) list = parent;
      parent = list;
      for (const p of list) {
        if (!inScope.has(p) || !modeMatches(e.match, mode)) continue;
        providers.set(p, e.disabled === true ? { disabled: true } : (filters.get(p) ?? {}));
      }
    }
  }
  return providers;
}

export interface AccessLogs {
  /** For connection managers and TCP proxies. */
  logs: AccessLog[];
  /** For listeners (with the NR filter). */
  listener: AccessLog[];
  /** Providers named that are not envoyFileAccessLog (not modelled), for messages. */
  unmodelled: string[];
}

const andFilter = (filters: Record<string, unknown>[]): Record<string, unknown> | undefined =>
  filters.length === 0 ? undefined : filters.length === 1 ? filters[0] : { and_filter: { filters } };

/** The access logs of a listener class (undefined: neither Telemetry nor MeshConfig asks for any). */
export function accessLogs(index: MeshIndex, telemetries: IstioConfig[], mode: WorkloadMode): AccessLogs | undefined {
  const anyLogging = telemetries.some((t) => Array.isArray(t.spec?.accessLogging) && t.spec.accessLogging.length > 0);
  if (!anyLogging && defaultProviders(index, 'accessLogging').length === 0) {
    const file = typeof index.mesh.accessLogFile === 'string' ? index.mesh.accessLogFile : '';
    if (!file) return undefined;
    const log = meshFileAccessLog(index, file);
    return { logs: [log], listener: [{ ...log, filter: LISTENER_FILTER }], unmodelled: [] };
  }
  const out: AccessLogs = { logs: [], listener: [], unmodelled: [] };
  const merged = mergeLogs(index, telemetries, mode);
  const specs = [...merged]
    .map(([name, spec]) => ({ provider: fetchProvider(index, name), spec, name }))
    .filter((x) => x.provider)
    .sort((a, b) => (a.provider!.name < b.provider!.name ? -1 : a.provider!.name > b.provider!.name ? 1 : 0));
  for (const { provider, spec } of specs) {
    const log = providerAccessLog(index, provider!);
    if (!log) {
      if (!provider!.prometheus && !provider!.zipkin && !provider!.opentelemetry && !provider!.datadog) out.unmodelled.push(provider!.name);
      continue;
    }
    if (spec.disabled) continue;
    const cel = spec.filter?.expression
      ? { extension_filter: { name: 'envoy.access_loggers.extension_filters.cel', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.access_loggers.filters.cel.v3.ExpressionFilter', expression: spec.filter.expression } } }
      : undefined;
    const own = andFilter(cel ? [cel] : []);
    out.logs.push({ ...log, ...(own ? { filter: own } : {}) });
    out.listener.push({ ...log, filter: andFilter([LISTENER_FILTER, ...(cel ? [cel] : [])]) });
  }
  return out;
}

// The HTTP connection manager and its HTTP filter chain as istiod builds them
// (pilot/pkg/networking/core/listener_builder.go buildHTTPConnectionManager, pilot/pkg/xds/filters/filters.go).

import type { Filter, RouteConfiguration, TypedConfig } from '../envoy.js';
import { adsConfigSource } from '../config-sources.js';
import { TYPE_URL } from '../envoy.js';
import type { MeshConfig, MeshIndex, Protocol, Proxy } from '../../mesh/types.js';
import { metricsEnabled } from './network.js';
import { meshTracing } from './tracing.js';
import { securityHttpFilters } from '../../security/index.js';

export type HttpListenerClass = 'sidecar-outbound' | 'sidecar-inbound' | 'gateway';

const TYPED_STRUCT = 'type.googleapis.com/udpa.type.v1.TypedStruct';

const typed = (name: string, type: string, fields: Record<string, unknown> = {}): { name: string; typed_config: TypedConfig } => ({
  name,
  typed_config: { '@type': `type.googleapis.com/${type}`, ...fields },
});

function metadataExchangeHttpFilter(cls: HttpListenerClass) {
  const side = cls === 'sidecar-inbound' ? 'downstream' : 'upstream';
  const discovery = [{ istio_headers: {} }, { workload_discovery: {} }];
  return {
    name: 'istio.metadata_exchange',
    typed_config: {
      '@type': TYPED_STRUCT,
      type_url: 'type.googleapis.com/io.istio.http.peer_metadata.Config',
      value: { [`${side}_discovery`]: discovery, [`${side}_propagation`]: [{ istio_headers: {} }] },
    },
  };
}

const alpnFilter = () =>
  typed('istio.alpn', 'istio.envoy.config.filter.http.alpn.v2alpha1.FilterConfig', {
    alpn_override: [
      { alpn_override: ['istio-http/1.0', 'istio', 'http/1.0'] },
      { upstream_protocol: 'HTTP11', alpn_override: ['istio-http/1.1', 'istio', 'http/1.1'] },
      { upstream_protocol: 'HTTP2', alpn_override: ['istio-h2', 'istio', 'h2'] },
    ],
  });

/** The HTTP filters in istiod's order for a listener class. */
export function httpFilters(
  mesh: MeshConfig,
  cls: HttpListenerClass,
  protocol: Protocol,
  extra: { dynamicForwardProxy?: boolean; security?: { name: string; typed_config: TypedConfig }[] } = {},
) {
  const filters: { name: string; typed_config: TypedConfig }[] = [metadataExchangeHttpFilter(cls)];
  // Authorization and request authentication: never on sidecar outbound (plugin/authz/authorization.go BuildHTTP).
  if (cls !== 'sidecar-outbound') filters.push(...(extra.security ?? []));
  if (protocol === 'GRPC-Web') filters.push(typed('envoy.filters.http.grpc_web', 'envoy.extensions.filters.http.grpc_web.v3.GrpcWeb'));
  filters.push(
    typed('envoy.filters.http.grpc_stats', 'envoy.extensions.filters.http.grpc_stats.v3.FilterConfig', {
      emit_filter_state: true,
      stats_for_all_methods: false,
    }),
  );
  if (cls !== 'sidecar-inbound') filters.push(alpnFilter());
  filters.push(typed('envoy.filters.http.fault', 'envoy.extensions.filters.http.fault.v3.HTTPFault'));
  filters.push(typed('envoy.filters.http.cors', 'envoy.extensions.filters.http.cors.v3.Cors'));
  if (metricsEnabled(mesh)) filters.push(typed('istio.stats', 'stats.PluginConfig'));
  if (extra.dynamicForwardProxy) {
    filters.push(
      typed('envoy.filters.http.dynamic_forward_proxy', 'envoy.extensions.filters.http.dynamic_forward_proxy.v3.FilterConfig', {
        dns_cache_config: { name: 'allow_any_dfp_dns_cache', dns_lookup_family: 'V4_ONLY', max_hosts: 1024 },
      }),
    );
  }
  filters.push(typed('envoy.filters.http.router', 'envoy.extensions.filters.http.router.v3.Router'));
  return filters;
}

export interface HcmOptions {
  cls: HttpListenerClass;
  statPrefix: string;
  protocol: Protocol;
  /** RDS name, or an inline route configuration. */
  rds?: string;
  routeConfig?: RouteConfiguration;
  dynamicForwardProxy?: boolean;
  /** The HTTP proxy listener accepts absolute URLs (CONNECT-less forward proxying). */
  allowAbsoluteUrl?: boolean;
}

/** MeshConfig pathNormalization (unset = DEFAULT = BASE: RFC 3986 normalization only). */
function pathNormalization(mesh: MeshConfig): Record<string, unknown> {
  switch ((mesh.pathNormalization as { normalization?: string } | undefined)?.normalization) {
    case 'NONE':
      return { normalize_path: false, path_with_escaped_slashes_action: 'KEEP_UNCHANGED' };
    case 'MERGE_SLASHES':
      return { normalize_path: true, merge_slashes: true, path_with_escaped_slashes_action: 'KEEP_UNCHANGED' };
    case 'DECODE_AND_MERGE_SLASHES':
      return { normalize_path: true, merge_slashes: true, path_with_escaped_slashes_action: 'UNESCAPE_AND_FORWARD' };
    default:
      return { normalize_path: true, path_with_escaped_slashes_action: 'KEEP_UNCHANGED' };
  }
}

/** envoy.filters.network.http_connection_manager for a listener chain of the proxy. */
export function httpConnectionManager(index: MeshIndex, proxy: Proxy, o: HcmOptions): Filter {
  const mesh = index.mesh;
  const hcm: TypedConfig = { '@type': TYPE_URL.hcm, stat_prefix: o.statPrefix };
  if (o.rds !== undefined) {
    hcm.rds = {
      config_source: adsConfigSource(),
      route_config_name: o.rds,
    };
  } else {
    hcm.route_config = o.routeConfig;
  }
  hcm.http_filters = httpFilters(mesh, o.cls, o.protocol, {
    dynamicForwardProxy: o.dynamicForwardProxy,
    security: o.cls === 'sidecar-outbound' ? [] : securityHttpFilters(index, proxy),
  });
  const tracing = meshTracing(index, proxy);
  if (tracing) hcm.tracing = tracing;
  hcm.use_remote_address = o.cls === 'gateway';
  if (o.allowAbsoluteUrl) hcm.http_protocol_options = { allow_absolute_url: true };
  if (o.cls === 'sidecar-inbound') {
    hcm.forward_client_cert_details = 'APPEND_FORWARD';
    hcm.set_current_client_cert_details = { subject: true, dns: true, uri: true };
    hcm.server_name = 'istio-envoy';
    if (o.protocol === 'HTTP2' || o.protocol === 'GRPC' || o.protocol === 'GRPC-Web') hcm.http2_protocol_options = {};
  }
  hcm.upgrade_configs = [{ upgrade_type: 'websocket' }];
  hcm.stream_idle_timeout = '0s';
  Object.assign(hcm, pathNormalization(mesh));
  hcm.request_id_extension = {
    typed_config: {
      '@type': 'type.googleapis.com/envoy.extensions.request_id.uuid.v3.UuidRequestIdConfig',
      use_request_id_for_trace_sampling: true,
    },
  };
  hcm.proxy_100_continue = true;
  return { name: 'envoy.filters.network.http_connection_manager', typed_config: hcm };
}

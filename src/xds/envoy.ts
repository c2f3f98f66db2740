// Envoy v3 resources in proto3 JSON form (snake_case, as /config_dump prints them).
// Only the fields meshplan writes or the tracer reads are typed; the rest stay open,
// because the generated objects are emitted as-is and checked against Envoy's protos in tests.

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface TypedConfig {
  '@type': string;
  [field: string]: unknown;
}

export interface SocketAddress {
  address: string;
  port_value?: number;
  protocol?: 'TCP' | 'UDP';
}

export interface Address {
  socket_address?: SocketAddress;
  pipe?: { path: string };
}

export interface CidrRange {
  address_prefix: string;
  prefix_len?: number;
}

export interface FilterChainMatch {
  destination_port?: number;
  prefix_ranges?: CidrRange[];
  server_names?: string[];
  transport_protocol?: string;
  application_protocols?: string[];
  source_type?: 'ANY' | 'SAME_IP_OR_LOOPBACK' | 'EXTERNAL';
  source_prefix_ranges?: CidrRange[];
  source_ports?: number[];
}

export interface Filter {
  name: string;
  typed_config?: TypedConfig;
}

export interface TransportSocket {
  name: string;
  typed_config?: TypedConfig;
}

export interface Metadata {
  filter_metadata?: Record<string, Record<string, unknown>>;
}

export interface FilterChain {
  name?: string;
  filter_chain_match?: FilterChainMatch;
  filters: Filter[];
  transport_socket?: TransportSocket;
  transport_socket_connect_timeout?: string;
  metadata?: Metadata;
}

export interface ListenerFilter {
  name: string;
  typed_config?: TypedConfig;
  filter_disabled?: unknown;
}

export interface Listener {
  name: string;
  address: Address;
  filter_chains: FilterChain[];
  default_filter_chain?: FilterChain;
  listener_filters?: ListenerFilter[];
  use_original_dst?: boolean;
  bind_to_port?: boolean;
  traffic_direction?: 'UNSPECIFIED' | 'INBOUND' | 'OUTBOUND';
  continue_on_listener_filters_timeout?: boolean;
  listener_filters_timeout?: string;
  max_connections_to_accept_per_socket_event?: number;
  [field: string]: unknown;
}

export interface StringMatcher {
  exact?: string;
  prefix?: string;
  suffix?: string;
  contains?: string;
  safe_regex?: { regex: string };
  ignore_case?: boolean;
}

export interface HeaderMatcher {
  name: string;
  string_match?: StringMatcher;
  exact_match?: string;
  prefix_match?: string;
  suffix_match?: string;
  contains_match?: string;
  safe_regex_match?: { regex: string };
  present_match?: boolean;
  invert_match?: boolean;
  treat_missing_header_as_empty?: boolean;
  /** Int64Range, end-exclusive. */
  range_match?: { start?: number | string; end?: number | string };
}

export interface QueryParameterMatcher {
  name: string;
  string_match?: StringMatcher;
  present_match?: boolean;
}

export interface RouteMatch {
  prefix?: string;
  path?: string;
  safe_regex?: { regex: string };
  path_separated_prefix?: string;
  case_sensitive?: boolean;
  headers?: HeaderMatcher[];
  query_parameters?: QueryParameterMatcher[];
  grpc?: Record<string, never>;
  runtime_fraction?: { runtime_key?: string; default_value?: FractionalPercent };
}

export interface FractionalPercent {
  numerator?: number;
  denominator?: 'HUNDRED' | 'TEN_THOUSAND' | 'MILLION';
}

/** type/matcher/v3 RegexMatchAndSubstitute. */
export interface RegexRewrite {
  pattern: { regex: string };
  substitution: string;
}

export interface HeaderValueOption {
  header: { key: string; value?: string };
  append?: boolean;
  append_action?: 'APPEND_IF_EXISTS_OR_ADD' | 'ADD_IF_ABSENT' | 'OVERWRITE_IF_EXISTS_OR_ADD' | 'OVERWRITE_IF_EXISTS';
  keep_empty_value?: boolean;
}

/** The header mutations a route, virtual host or route configuration may carry. */
export interface HeaderMutations {
  request_headers_to_add?: HeaderValueOption[];
  request_headers_to_remove?: string[];
  response_headers_to_add?: HeaderValueOption[];
  response_headers_to_remove?: string[];
}

export interface WeightedCluster {
  name: string;
  weight?: number;
  [field: string]: unknown;
}

export interface RouteAction {
  cluster?: string;
  cluster_header?: string;
  weighted_clusters?: { clusters: WeightedCluster[]; total_weight?: number };
  timeout?: string;
  prefix_rewrite?: string;
  regex_rewrite?: RegexRewrite;
  host_rewrite_literal?: string;
  host_rewrite_header?: string;
  host_rewrite_path_regex?: RegexRewrite;
  [field: string]: unknown;
}

export interface RedirectAction {
  https_redirect?: boolean;
  scheme_redirect?: string;
  host_redirect?: string;
  port_redirect?: number;
  path_redirect?: string;
  prefix_rewrite?: string;
  regex_rewrite?: RegexRewrite;
  response_code?: string;
  strip_query?: boolean;
}

export interface DirectResponseAction {
  status: number;
  body?: { inline_string?: string; inline_bytes?: string; filename?: string };
}

export interface Route extends HeaderMutations {
  name?: string;
  match: RouteMatch;
  route?: RouteAction;
  redirect?: RedirectAction;
  direct_response?: DirectResponseAction;
  metadata?: Metadata;
  decorator?: { operation: string };
  [field: string]: unknown;
}

export interface VirtualHost extends HeaderMutations {
  name: string;
  domains: string[];
  routes?: Route[];
  virtual_clusters?: { name: string; headers?: HeaderMatcher[] }[];
  require_tls?: 'NONE' | 'EXTERNAL_ONLY' | 'ALL';
  include_request_attempt_count?: boolean;
  [field: string]: unknown;
}

export interface RouteConfiguration extends HeaderMutations {
  name: string;
  virtual_hosts?: VirtualHost[];
  validate_clusters?: boolean;
  ignore_port_in_host_matching?: boolean;
  max_direct_response_body_size_bytes?: number;
  [field: string]: unknown;
}

export interface LbEndpoint {
  endpoint: { address: Address; hostname?: string };
  health_status?: 'UNKNOWN' | 'HEALTHY' | 'UNHEALTHY' | 'DRAINING' | 'TIMEOUT' | 'DEGRADED';
  metadata?: Metadata;
  load_balancing_weight?: number;
}

export interface LocalityLbEndpoints {
  locality?: { region?: string; zone?: string; sub_zone?: string };
  lb_endpoints: LbEndpoint[];
  load_balancing_weight?: number;
  priority?: number;
}

export interface ClusterLoadAssignment {
  cluster_name: string;
  endpoints: LocalityLbEndpoints[];
  [field: string]: unknown;
}

export interface TransportSocketMatch {
  name: string;
  match?: Record<string, unknown>;
  transport_socket: TransportSocket;
}

export interface Cluster {
  name: string;
  type?: 'STATIC' | 'STRICT_DNS' | 'LOGICAL_DNS' | 'EDS' | 'ORIGINAL_DST';
  cluster_type?: { name: string; typed_config?: TypedConfig };
  eds_cluster_config?: { eds_config: unknown; service_name?: string };
  lb_policy?: string;
  load_assignment?: ClusterLoadAssignment;
  transport_socket?: TransportSocket;
  transport_socket_matches?: TransportSocketMatch[];
  metadata?: Metadata;
  [field: string]: unknown;
}

/** One proxy's generated xDS, before it is wrapped as a config dump. */
export interface ProxyXds {
  listeners: Listener[];
  routes: RouteConfiguration[];
  clusters: Cluster[];
  /** EDS assignments; clusters of other types carry theirs inline (load_assignment). */
  endpoints: ClusterLoadAssignment[];
  /** ECDS resources (envoy.config.core.v3.TypedExtensionConfig), when any filter is configured through ECDS. */
  extensionConfigs?: { name: string; typed_config?: { '@type'?: string; [field: string]: unknown } }[];
}

export const TYPE_URL = {
  listener: 'type.googleapis.com/envoy.config.listener.v3.Listener',
  routeConfiguration: 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration',
  cluster: 'type.googleapis.com/envoy.config.cluster.v3.Cluster',
  clusterLoadAssignment: 'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment',
  hcm: 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
  tcpProxy: 'type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy',
  upstreamTls: 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext',
  downstreamTls: 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext',
  rawBuffer: 'type.googleapis.com/envoy.extensions.transport_sockets.raw_buffer.v3.RawBuffer',
} as const;

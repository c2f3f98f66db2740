// The two exceptions to the strict Envoy check, each named one by one.

/**
 * A field Istio emits that Envoy added after the protos shipped with @grpc/grpc-js-xds 1.14
 * (about Envoy 1.31). Its value is still checked, as `valueType` (a scalar or a message type).
 */
export interface NewerField {
  message: string;
  field: string;
  valueType: string;
  /** The Envoy release whose API added the field. */
  envoy: string;
}

export const NEWER_THAN_SHIPPED_PROTOS: readonly NewerField[] = [
  // Istio sets it on every STRICT_DNS/LOGICAL_DNS cluster (cluster_builder.go, "0s" = no jitter).
  { message: 'envoy.config.cluster.v3.Cluster', field: 'dns_jitter', valueType: 'google.protobuf.Duration', envoy: '1.32.0' },
];

/** A protoc-gen-validate rule of the shipped protos that a later Envoy release dropped. */
export interface RelaxedRule {
  message: string;
  field: string;
  /** Path of the rule inside `(validate.rules)`, e.g. "repeated.min_items". */
  rule: string;
  /** The Envoy release that dropped it, and where. */
  envoy: string;
  source: string;
}

export const RELAXED_VALIDATE_RULES: readonly RelaxedRule[] = [
  // Istio sets only udp_max_queries, keeping the system resolvers.
  {
    message: 'envoy.extensions.network.dns_resolver.cares.v3.CaresDnsResolverConfig',
    field: 'resolvers',
    rule: 'repeated.min_items',
    envoy: '1.33.0',
    source: 'envoyproxy/envoy#36735 (for istio/istio#53577)',
  },
];

/**
 * Extension types Istio's proxy understands but no shipped Envoy proto describes, with why.
 * Matched by exact type name or, for names ending in ".", by prefix.
 */
export const UNCHECKABLE_TYPES: readonly { type: string; reason: string }[] = [
  { type: 'istio.', reason: "Istio's own filter configs (istio/api envoy/...)" },
  { type: 'io.istio.', reason: "Istio proxy's own extensions (e.g. io.istio.http.peer_metadata.Config)" },
  { type: 'stats.PluginConfig', reason: "Istio proxy's stats filter (istio/api envoy/extensions/stats)" },
  { type: 'envoy.tcp.metadataexchange.config.MetadataExchange', reason: "Istio proxy's TCP metadata exchange filter" },
  { type: 'envoy.extensions.network_filters.peer_metadata.', reason: "Istio proxy's HBONE peer metadata filters" },
  { type: 'envoy.extensions.filters.http.peer_metadata.', reason: 'Envoy contrib extension (protos not shipped)' },
  { type: 'envoy.extensions.filters.network.peer_metadata.', reason: 'Envoy contrib extension (protos not shipped)' },
  { type: 'envoy.extensions.filters.network.mysql_proxy.', reason: 'Envoy contrib extension (protos not shipped)' },
  { type: 'envoy.extensions.private_key_providers.cryptomb.', reason: 'Envoy contrib extension (protos not shipped)' },
  { type: 'envoy.extensions.private_key_providers.qat.', reason: 'Envoy contrib extension (protos not shipped)' },
];

export const uncheckableReason = (typeName: string): string | undefined =>
  UNCHECKABLE_TYPES.find(({ type }) => (type.endsWith('.') ? typeName.startsWith(type) : typeName === type))?.reason;

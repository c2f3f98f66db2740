// The shapes of the public translate/trace contract (../shared/docs/contract.md).
// Field names here are fixed: scripts and tests outside this repo rely on them.

import type { Cluster, ClusterLoadAssignment, Listener, RouteConfiguration } from './xds/envoy.js';
import type { AnalysisMessage } from './analysis/context.js';

/** MeshConfig overrides in Istio's camelCase JSON form. */
export type MeshConfigInput = Record<string, unknown>;

export interface EngineOptions {
  /** Domain suffix that qualifies short hosts in Istio config; "" as in Istio's in-memory test server. */
  configDomain?: string;
  /** Istio feature flags by env var name, e.g. ENABLE_TLS_ON_SIDECAR_INGRESS. */
  features?: Record<string, boolean | string | number>;
}

export type ProxyType = 'sidecar' | 'router';

export type ProxySelector =
  | { pod: string }
  | {
      type: ProxyType;
      namespace?: string;
      labels?: Record<string, string>;
      ips?: string[];
      metadata?: Record<string, unknown>;
    };

export type TraceMode = 'outbound' | 'inbound' | 'gateway';

export interface TraceRequestInput {
  mode?: TraceMode;
  address?: string;
  port: number;
  protocol?: 'http' | 'http2' | 'tcp';
  tls?: 'plaintext' | 'tls' | 'mtls';
  alpn?: string;
  sni?: string;
  host?: string;
  path?: string;
  method?: string;
  headers?: Record<string, string>;
  /** Which weighted cluster to follow: Envoy's rule for a random value (`randomValue % total weight`, clusters in order). Default: the largest share. */
  pick?: { randomValue: number };
  /** Who sends, for policy checks (contract "Trace additions"): a pod, or a principal/namespace/ip. */
  source?: TraceSource;
  /** A bearer token the request carries, as RequestAuthentication reads it. */
  jwt?: TraceJwt;
}

export type TraceSource = { pod: string } | { principal?: string; namespace?: string; ip?: string };

export interface TraceJwt {
  issuer?: string;
  subject?: string;
  audiences?: string[];
  claims?: Record<string, unknown>;
  /** false: a token that fails verification. */
  valid?: boolean;
}

export type TraceErrorCode =
  | 'NO_LISTENER'
  | 'NO_FILTER_CHAIN'
  | 'NO_ROUTE'
  | 'TLS_REDIRECT'
  | 'NO_VIRTUAL_HOST'
  | 'MULTIPLE_FILTER_CHAINS'
  | 'PROTOCOL_ERROR'
  | 'TLS_ERROR'
  | 'MTLS_ERROR'
  | 'RBAC_DENIED'
  | 'JWT_INVALID';

/** How a hop, or the whole request, ended. */
export type TraceOutcomeKind = 'upstream' | 'passthrough' | 'blackhole' | 'direct_response' | 'redirect' | 'denied' | 'error';

export interface TraceOutcome {
  kind: TraceOutcomeKind;
  /** The HTTP status Envoy answers itself with, when it does. */
  status?: number;
  detail?: string;
}

export interface TraceError {
  code: TraceErrorCode;
  message: string;
  /** RBAC_DENIED: the deciding AuthorizationPolicy "<namespace>/<name>", null when no ALLOW policy matched. */
  policy?: string | null;
}

export interface TraceStep {
  stage: string;
  chosen: string | null;
  why: string;
  rejected: { name: string; why: string }[];
}

export interface ProxyRef {
  id: string;
  type: ProxyType;
  namespace: string;
  name: string;
}

export interface TraceHop {
  proxy: ProxyRef;
  mode: TraceMode;
  listener: string | null;
  filterChain: string | null;
  routeConfig: string | null;
  virtualHost: string | null;
  route: string | null;
  cluster: string | null;
  endpoint: { address: string; port: number; pod?: string } | null;
  tls: 'plaintext' | 'tls' | 'mtls' | null;
  error: TraceError | null;
  outcome: TraceOutcome;
  steps: TraceStep[];
}

export interface TraceResult {
  flow: 'ingress' | 'mesh' | 'egress';
  hops: TraceHop[];
  error: (TraceError & { hop: number }) | null;
  outcome: TraceOutcome;
  warnings?: string[];
  /** istioctl analyze's messages for the scenario (contract "Analyze"). */
  analysis?: AnalysisMessage[];
}

/** Envoy admin /config_dump (envoy.admin.v3.ConfigDump). */
export interface ConfigDump {
  configs: Record<string, unknown>[];
}

export interface TranslatedProxy {
  id: string;
  type: ProxyType;
  namespace: string;
  name: string;
  labels: Record<string, string>;
  ips: string[];
  configDump: ConfigDump;
  /** Which manifests shaped each listener, route, virtual host, cluster and endpoint set. */
  provenance: {
    kinds: Record<string, string[]>;
    resources: Record<string, Record<string, string[]>>;
  };
}

export interface TranslateResult {
  proxies: TranslatedProxy[];
  warnings: string[];
  /** istioctl analyze's messages for the scenario (contract "Analyze"). */
  analysis: AnalysisMessage[];
}

export type { Listener, RouteConfiguration, Cluster, ClusterLoadAssignment };
export type { AnalysisMessage };

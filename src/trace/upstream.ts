// The upstream side of a hop: the cluster, its endpoints (EDS, inline, or the original destination),
// a deterministic endpoint choice, and the transport socket the hop uses towards it.

import type { TraceStep } from '../contract.js';
import type { Cluster, LbEndpoint, Metadata, TransportSocket } from '../xds/envoy.js';
import { TYPE_URL } from '../xds/envoy.js';
import { pickStep, pickWeighted } from '../router/weighted.js';
import { tlsContext, type CompiledXds, type WeightedClusterRef } from './compile.js';
import { step, type AppProtocol, type Call, type TlsMode } from './request.js';

/** tcp_proxy's weighted clusters, picked as the router picks them (the request's random value, else the largest share). */
export function pickTcpCluster(clusters: WeightedClusterRef[], randomValue: number | undefined, steps: TraceStep[]): string {
  const pick = pickWeighted(clusters, randomValue);
  steps.push(pickStep(clusters, pick, randomValue));
  return pick.chosen.name;
}

export interface ChosenEndpoint {
  address: string;
  port: number;
  metadata?: Metadata;
  /** A hostname endpoint (DNS clusters): not an IP of the mesh. */
  hostname: boolean;
}

const HEALTHY = new Set(['UNKNOWN', 'HEALTHY', undefined]);

function socketAddress(e: LbEndpoint): { address: string; port: number } | undefined {
  const sa = e.endpoint?.address?.socket_address;
  return sa ? { address: sa.address, port: sa.port_value ?? 0 } : undefined;
}

/** The endpoint a hop sends to: the first healthy one in the generator's order, lowest priority first. */
export function chooseEndpoint(cx: CompiledXds, cluster: Cluster, call: Call, steps: TraceStep[]): ChosenEndpoint | undefined {
  const type = cluster.type ?? (cluster.cluster_type ? 'CUSTOM' : 'STATIC');
  if (type === 'ORIGINAL_DST') {
    const override = (cluster.original_dst_lb_config as { upstream_port_override?: number } | undefined)?.upstream_port_override;
    const port = override ?? call.port;
    steps.push(
      step('endpoint', `${call.address}:${port}`, `ORIGINAL_DST cluster: the connection's original destination${override ? ` with upstream_port_override ${override}` : ''}`),
    );
    return { address: call.address, port, hostname: false };
  }
  if (type === 'CUSTOM') {
    const host = call.host || call.address;
    steps.push(step('endpoint', host, `cluster_type ${cluster.cluster_type?.name}: resolved from the request (${host})`));
    return { address: call.address, port: call.port, hostname: true };
  }
  const edsName = cluster.eds_cluster_config?.service_name || cluster.name;
  const assignment = type === 'EDS' ? cx.loadAssignmentByName.get(edsName) : cluster.load_assignment;
  const source = type === 'EDS' ? `EDS assignment ${edsName}` : `the cluster's inline load_assignment (${type})`;
  if (!assignment) {
    steps.push(step('endpoint', null, `no ${source}: Envoy answers 503 (no healthy upstream)`));
    return undefined;
  }
  const localities = [...assignment.endpoints].sort((a, b) => (a.priority ?? 0) - (b.priority ?? 0));
  let chosen: { e: LbEndpoint; priority: number } | undefined;
  const rejected: { name: string; why: string }[] = [];
  for (const locality of localities) {
    for (const e of locality.lb_endpoints ?? []) {
      const sa = socketAddress(e);
      const name = sa ? `${sa.address}:${sa.port}` : (e.endpoint?.hostname ?? 'endpoint without socket address');
      if (!sa) rejected.push({ name, why: 'not a socket address' });
      else if (!HEALTHY.has(e.health_status)) rejected.push({ name, why: `health status ${e.health_status}` });
      else if (chosen) {
        const priority = locality.priority ?? 0;
        rejected.push({
          name,
          why: priority > chosen.priority ? `priority ${priority}: used only when priority ${chosen.priority} fails` : 'healthy; the trace follows the first healthy endpoint',
        });
      } else chosen = { e, priority: locality.priority ?? 0 };
    }
  }
  if (!chosen) {
    steps.push(step('endpoint', null, `${source} has no healthy endpoint: Envoy answers 503`, rejected));
    return undefined;
  }
  const sa = socketAddress(chosen.e)!;
  steps.push(step('endpoint', `${sa.address}:${sa.port}`, `first healthy endpoint of ${source}`, rejected));
  return { ...sa, metadata: chosen.e.metadata, hostname: type === 'STRICT_DNS' || type === 'LOGICAL_DNS' };
}

const matchesMetadata = (match: Record<string, unknown> | undefined, md: Record<string, unknown>): boolean =>
  Object.entries(match ?? {}).every(([k, v]) => md[k] === v);

export interface Upstream {
  tls: TlsMode;
  sni: string;
  protocol: AppProtocol;
}

/** The transport socket for an endpoint: the first transport_socket_matches entry its metadata matches, else the cluster's. */
/** The client's own TLS, forwarded untouched by a tcp_proxy that did not terminate it. */
export interface PassedThroughTls {
  tls: TlsMode;
  sni: string;
}

export function upstreamTls(
  cluster: Cluster,
  endpoint: ChosenEndpoint | undefined,
  protocol: AppProtocol,
  steps: TraceStep[],
  passedThrough?: PassedThroughTls,
): Upstream {
  const md = (endpoint?.metadata?.filter_metadata?.['envoy.transport_socket_match'] ?? {}) as Record<string, unknown>;
  let socket: TransportSocket | undefined = cluster.transport_socket;
  let via = cluster.transport_socket ? "the cluster's transport_socket" : 'no transport socket';
  const rejected: { name: string; why: string }[] = [];
  for (const m of cluster.transport_socket_matches ?? []) {
    if (matchesMetadata(m.match, md)) {
      socket = m.transport_socket;
      via = `transport_socket_matches ${m.name} (endpoint metadata envoy.transport_socket_match ${JSON.stringify(md)})`;
      break;
    }
    rejected.push({ name: m.name, why: `match ${JSON.stringify(m.match ?? {})} not in the endpoint's metadata ${JSON.stringify(md)}` });
  }
  const ctx = tlsContext(socket, TYPE_URL.upstreamTls);
  let tls: TlsMode = 'plaintext';
  let sni = '';
  if (ctx) {
    const common = (ctx.common_tls_context ?? {}) as { tls_certificate_sds_secret_configs?: unknown[]; tls_certificates?: unknown[] };
    tls = common.tls_certificate_sds_secret_configs?.length || common.tls_certificates?.length ? 'mtls' : 'tls';
    sni = typeof ctx.sni === 'string' ? ctx.sni : '';
  }
  let what = tls === 'mtls' ? 'TLS with a client certificate (mTLS)' : tls === 'tls' ? 'TLS without a client certificate' : 'plaintext';
  if (!ctx && passedThrough) {
    ({ tls, sni } = passedThrough);
    what = `the client's own ${tls === 'mtls' ? 'mTLS' : 'TLS'}, passed through untouched`;
  }
  steps.push(step('upstream_tls', tls, `${via}: ${what}${sni ? `, SNI ${sni}` : ''}`, rejected));
  return { tls, sni, protocol: upstreamProtocol(cluster, protocol) };
}

/** HTTP/2 upstream when the cluster's HttpProtocolOptions say so explicitly. */
function upstreamProtocol(cluster: Cluster, downstream: AppProtocol): AppProtocol {
  if (downstream === 'tcp') return 'tcp';
  const options = (cluster.typed_extension_protocol_options as Record<string, { explicit_http_config?: Record<string, unknown> }> | undefined)?.[
    'envoy.extensions.upstreams.http.v3.HttpProtocolOptions'
  ];
  const explicit = options?.explicit_http_config;
  if (explicit?.http2_protocol_options) return 'http2';
  if (explicit?.http_protocol_options) return 'http';
  return downstream;
}

// A service port's endpoints as Envoy LocalityLbEndpoints (pilot/pkg/xds/endpoints/endpoint_builder.go
// buildEnvoyLbEndpoint; networking/util AppendLbEndpointMetadata; mtls_checker.go).

import type { LocalityLbEndpoints, LbEndpoint } from '../envoy.js';
import type { Endpoint, MeshIndex, Service, ServicePort } from '../../mesh/types.js';
import { labelsMatch } from '../../mesh/hosts.js';
import type { SourceRef } from '../../manifests/types.js';
import { deepFreeze, memoFor } from '../clusters/cache.js';
import { ISTIO_TLS_MODE } from '../tls/upstream.js';

/** `<workload>;<ns>;<canonical name>;<canonical revision>;<cluster id>` (revision "latest" prints empty). */
export function workloadMetadata(ep: Endpoint): string {
  const l = ep.labels;
  const name = l['service.istio.io/canonical-name'] ?? l['app.kubernetes.io/name'] ?? l.app ?? ep.workloadName;
  const revision = l['service.istio.io/canonical-revision'] ?? l['app.kubernetes.io/version'] ?? l.version ?? '';
  return `${ep.workloadName};${ep.namespace};${name};${revision};Kubernetes`;
}

export interface LocalityOptions {
  /** Labels a subset requires (undefined = all endpoints). */
  subsetLabels?: Record<string, string>;
  /** DR tls mode for this cluster, when the rule sets one. */
  drTlsMode?: string;
}

/** Endpoints grouped per locality (sorted), with tlsMode and istio.workload metadata. */
export function localityLbEndpoints(
  index: MeshIndex,
  service: Service,
  port: ServicePort,
  opts: LocalityOptions,
): { localities: LocalityLbEndpoints[]; sources: SourceRef[] } {
  const eps = index.endpoints(service, port).filter((e) => !opts.subsetLabels || labelsMatch(opts.subsetLabels, e.labels));
  const groups = new Map<string, { locality: Endpoint['locality']; lb: LbEndpoint[]; weight: number }>();
  const sources: SourceRef[] = [];
  for (const ep of eps) {
    const key = `${ep.locality?.region ?? ''}/${ep.locality?.zone ?? ''}/${ep.locality?.subZone ?? ''}`;
    const g = groups.get(key) ?? { locality: ep.locality, lb: [], weight: 0 };
    g.lb.push(lbEndpoint(index, ep, opts));
    g.weight += ep.weight;
    groups.set(key, g);
    for (const s of ep.sources) if (!sources.some((x) => x.kind === s.kind && x.namespace === s.namespace && x.name === s.name)) sources.push(s);
  }
  const localities = [...groups.keys()].sort().map((key) => {
    const g = groups.get(key)!;
    const out: LocalityLbEndpoints = { lb_endpoints: g.lb, load_balancing_weight: g.weight };
    if (g.locality && Object.keys(g.locality).length > 0) {
      out.locality = {
        ...(g.locality.region ? { region: g.locality.region } : {}),
        ...(g.locality.zone ? { zone: g.locality.zone } : {}),
        ...(g.locality.subZone ? { sub_zone: g.locality.subZone } : {}),
      };
    }
    return out;
  });
  return { localities, sources };
}

/** mtls_checker: DR tls decides when set; else an Istio-labelled endpoint whose own policy is not DISABLE. */
function endpointMtls(index: MeshIndex, ep: Endpoint, drTlsMode: string | undefined): boolean {
  if (drTlsMode) return drTlsMode === 'ISTIO_MUTUAL';
  if (ep.tlsMode !== 'istio') return false;
  return index.workloadMtlsMode(ep.namespace, ep.labels, ep.port) !== 'DISABLE';
}

/**
 * An endpoint's LbEndpoint depends on the endpoint and whether it is reached with mTLS, so the clusters of a
 * port (the whole service and each subset) share one frozen object per endpoint and mode.
 */
const lbEndpoints = new WeakMap<Endpoint, { mtls?: LbEndpoint; plain?: LbEndpoint }>();

function lbEndpoint(index: MeshIndex, ep: Endpoint, opts: LocalityOptions): LbEndpoint {
  const mtls = endpointMtls(index, ep, opts.drTlsMode);
  const byMode = memoFor(lbEndpoints, ep, () => ({}));
  return (mtls ? (byMode.mtls ??= newLbEndpoint(ep, true)) : (byMode.plain ??= newLbEndpoint(ep, false)));
}

function newLbEndpoint(ep: Endpoint, mtls: boolean): LbEndpoint {
  const filterMetadata: Record<string, Record<string, unknown>> = {};
  if (mtls) filterMetadata['envoy.transport_socket_match'] = ISTIO_TLS_MODE;
  filterMetadata.istio = { workload: workloadMetadata(ep) };
  const out: LbEndpoint = {
    endpoint: { address: { socket_address: { address: ep.address, port_value: ep.port } } },
    health_status: ep.healthy ? 'HEALTHY' : 'UNHEALTHY',
    load_balancing_weight: ep.weight,
  };
  if (Object.keys(filterMetadata).length > 0) out.metadata = { filter_metadata: filterMetadata };
  return deepFreeze(out);
}

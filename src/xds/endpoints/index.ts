// EDS for one proxy: a ClusterLoadAssignment per EDS cluster (pilot/pkg/xds/endpoints/endpoint_builder.go).

import type { SourceRef } from '../../manifests/types.js';
import type { MeshIndex, Proxy } from '../../mesh/types.js';
import type { Cluster, ClusterLoadAssignment } from '../envoy.js';
import { parseSubsetKey } from '../names.js';
import { portLevelPolicy, subsetPolicy } from '../clusters/index.js';
import { localityLbEndpoints } from './localities.js';

/** outbound_.9080_.v1_.reviews.default.svc.cluster.local (SNI-DNAT clusters) back to its parts. */
function parseDnsSrvKey(name: string): { port: number; subset: string; host: string } | undefined {
  const m = /^outbound_\.(\d+)_\.([^_]*)_\.(.+)$/.exec(name);
  return m ? { port: Number(m[1]), subset: m[2], host: m[3] } : undefined;
}

export function buildEndpoints(
  index: MeshIndex,
  proxy: Proxy,
  clusters: Cluster[],
): { endpoints: ClusterLoadAssignment[]; provenance: Record<string, SourceRef[]> } {
  const endpoints: ClusterLoadAssignment[] = [];
  const provenance: Record<string, SourceRef[]> = {};
  const visible = index.sidecarScope(proxy).services;
  for (const c of clusters) {
    if (c.type !== 'EDS') continue;
    const key = parseSubsetKey(c.name) ?? parseDnsSrvKey(c.name);
    if (!key) continue;
    const service = visible.find((s) => s.hostname === key.host);
    const port = service?.ports.find((p) => p.port === key.port);
    if (!service || !port) continue;
    const rule = index.destinationRule(proxy, service);
    const subset = key.subset ? (rule?.spec.subsets ?? []).find((s: any) => s.name === key.subset) : undefined;
    const policy = subset ? subsetPolicy(rule?.spec.trafficPolicy, subset.trafficPolicy, port.port) : portLevelPolicy(rule?.spec.trafficPolicy, port.port).policy;
    const { localities, sources } = localityLbEndpoints(index, service, port, {
      subsetLabels: key.subset ? (subset?.labels ?? {}) : undefined,
      drTlsMode: policy?.tls?.mode,
    });
    endpoints.push({ cluster_name: c.name, endpoints: localities });
    provenance[c.name] = sources;
  }
  return { endpoints, provenance };
}

// EDS for one proxy: a ClusterLoadAssignment per EDS cluster (pilot/pkg/xds/endpoints/endpoint_builder.go).

import type { SourceRef } from '../../manifests/types.js';
import type { MeshIndex, Proxy } from '../../mesh/types.js';
import type { Cluster, ClusterLoadAssignment } from '../envoy.js';
import { outboundTargetOf } from '../clusters/index.js';
import { localityLbEndpoints } from './localities.js';
import { deepFreeze } from '../clusters/cache.js';

interface EndpointsResult {
  endpoints: ClusterLoadAssignment[];
  provenance: Record<string, SourceRef[]>;
}

/** Whole results by the shared (frozen) cluster list of one outbound scope: its proxies get the same assignments. */
const resultsByClusters = new WeakMap<readonly Cluster[], EndpointsResult>();

/** The proxy is not read: an outbound cluster's assignment depends only on what the cluster was built from. */
export function buildEndpoints(index: MeshIndex, _proxy: Proxy, clusters: readonly Cluster[]): EndpointsResult {
  const shareable = Object.isFrozen(clusters);
  const known = shareable ? resultsByClusters.get(clusters) : undefined;
  if (known) return known;
  const endpoints: ClusterLoadAssignment[] = [];
  const provenance: Record<string, SourceRef[]> = {};
  for (const c of clusters) {
    if (c.type !== 'EDS') continue;
    const assignment = clusterAssignment(index, c);
    if (!assignment) continue;
    endpoints.push(assignment.cla);
    provenance[c.name] = assignment.sources;
  }
  if (!shareable) return { endpoints, provenance };
  const result = deepFreeze({ endpoints, provenance });
  resultsByClusters.set(clusters, result);
  return result;
}

interface Assignment {
  cla: ClusterLoadAssignment;
  sources: SourceRef[];
}

/** Assignments by the (shared, frozen) outbound cluster they serve: every proxy with that cluster gets the same. */
const assignments = new WeakMap<Cluster, Assignment>();

/** The assignment of an outbound cluster, from what it was built from (undefined for clusters not built here). */
function clusterAssignment(index: MeshIndex, cluster: Cluster): Assignment | undefined {
  const known = assignments.get(cluster);
  if (known) return known;
  const target = outboundTargetOf(cluster);
  if (!target) return undefined;
  // The service's first port of that number (the cluster may come from a later one, e.g. TCP after UDP).
  const port = target.service.ports.find((p) => p.port === target.port.port)!;
  const { localities, sources } = localityLbEndpoints(index, target.service, port, {
    subsetLabels: target.subset ? (target.subset.labels ?? {}) : undefined,
    drTlsMode: target.policy?.tls?.mode,
  });
  const assignment = deepFreeze({ cla: { cluster_name: cluster.name, endpoints: localities }, sources });
  assignments.set(cluster, assignment);
  return assignment;
}

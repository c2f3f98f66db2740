// EDS for one proxy: a ClusterLoadAssignment per EDS cluster (pilot/pkg/xds/endpoints/endpoint_builder.go).

import type { SourceRef } from '../../manifests/types.js';
import type { IstioConfig, MeshIndex, Proxy, Service } from '../../mesh/types.js';
import type { Cluster, ClusterLoadAssignment } from '../envoy.js';
import { parseSubsetKey } from '../names.js';
import { portLevelPolicy, subsetPolicy } from '../clusters/index.js';
import { localityLbEndpoints } from './localities.js';
import { deepFreeze, idOf, memoFor, outboundScopeKey } from '../clusters/cache.js';

/** outbound_.9080_.v1_.reviews.default.svc.cluster.local (SNI-DNAT clusters) back to its parts. */
function parseDnsSrvKey(name: string): { port: number; subset: string; host: string } | undefined {
  const m = /^outbound_\.(\d+)_\.([^_]*)_\.(.+)$/.exec(name);
  return m ? { port: Number(m[1]), subset: m[2], host: m[3] } : undefined;
}

interface EndpointsResult {
  endpoints: ClusterLoadAssignment[];
  provenance: Record<string, SourceRef[]>;
}

/** Whole results by the shared (frozen) cluster list of one outbound scope: its proxies get the same assignments. */
const resultsByClusters = new WeakMap<readonly Cluster[], EndpointsResult>();

export function buildEndpoints(index: MeshIndex, proxy: Proxy, clusters: readonly Cluster[]): EndpointsResult {
  const shareable = Object.isFrozen(clusters);
  const known = shareable ? resultsByClusters.get(clusters) : undefined;
  if (known) return known;
  const endpoints: ClusterLoadAssignment[] = [];
  const provenance: Record<string, SourceRef[]> = {};
  const tables = memoFor(assignmentTables, index, () => ({ byScope: new Map(), byTarget: new Map() }));
  const scopeKey = outboundScopeKey(index, proxy);
  let byName = scopeKey === undefined ? undefined : tables.byScope.get(scopeKey);
  if (!byName) {
    byName = new Map();
    if (scopeKey !== undefined) tables.byScope.set(scopeKey, byName);
  }
  const destinations = new Map<string, Destination | undefined>();
  for (const c of clusters) {
    if (c.type !== 'EDS') continue;
    let assignment = byName.get(c.name);
    if (assignment === undefined && !byName.has(c.name)) byName.set(c.name, (assignment = clusterAssignment(index, proxy, tables, destinations, c.name)));
    if (!assignment) continue;
    endpoints.push(assignment.cla);
    provenance[c.name] = assignment.sources;
  }
  if (!shareable || scopeKey === undefined) return { endpoints, provenance };
  const result = deepFreeze({ endpoints, provenance });
  resultsByClusters.set(clusters, result);
  return result;
}

interface Assignment {
  cla: ClusterLoadAssignment;
  sources: SourceRef[];
}

/** Assignments by cluster name per outboundScopeKey, and each by what it is built from (shared across scopes). */
interface AssignmentTables {
  byScope: Map<string, Map<string, Assignment | undefined>>;
  byTarget: Map<string, Assignment>;
}
const assignmentTables = new WeakMap<MeshIndex, AssignmentTables>();

/** Visible services by hostname (the first of each), per sidecar scope's service list. */
const servicesByHostTables = new WeakMap<Service[], Map<string, Service>>();

function visibleService(visible: Service[], hostname: string): Service | undefined {
  let byHost = servicesByHostTables.get(visible);
  if (!byHost) {
    byHost = new Map();
    for (const s of visible) if (!byHost.has(s.hostname)) byHost.set(s.hostname, s);
    servicesByHostTables.set(visible, byHost);
  }
  return byHost.get(hostname);
}

/** A visible service and the DestinationRule the proxy applies to it. */
interface Destination {
  service: Service;
  rule?: IstioConfig;
}

function clusterAssignment(
  index: MeshIndex,
  proxy: Proxy,
  tables: AssignmentTables,
  destinations: Map<string, Destination | undefined>,
  name: string,
): Assignment | undefined {
  const key = parseSubsetKey(name) ?? parseDnsSrvKey(name);
  if (!key) return undefined;
  // Several clusters (ports, subsets) per host: resolve the service and its rule once per host.
  if (!destinations.has(key.host)) {
    const found = visibleService(index.sidecarScope(proxy).services, key.host);
    destinations.set(key.host, found && { service: found, rule: index.destinationRule(proxy, found) });
  }
  const destination = destinations.get(key.host);
  const port = destination?.service.ports.find((p) => p.port === key.port);
  if (!destination || !port) return undefined;
  const { service, rule } = destination;
  const targetKey = `${idOf(service)}|${idOf(port)}|${rule ? idOf(rule) : ''}|${name}`;
  const shared = tables.byTarget.get(targetKey);
  if (shared) return shared;
  const subset = key.subset ? (rule?.spec.subsets ?? []).find((s: any) => s.name === key.subset) : undefined;
  const policy = subset ? subsetPolicy(rule?.spec.trafficPolicy, subset.trafficPolicy, port.port) : portLevelPolicy(rule?.spec.trafficPolicy, port.port).policy;
  const { localities, sources } = localityLbEndpoints(index, service, port, {
    subsetLabels: key.subset ? (subset?.labels ?? {}) : undefined,
    drTlsMode: policy?.tls?.mode,
  });
  const assignment = deepFreeze({ cla: { cluster_name: name, endpoints: localities }, sources });
  tables.byTarget.set(targetKey, assignment);
  return assignment;
}

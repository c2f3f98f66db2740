// `istioctl proxy-config clusters` (istioctl/pkg/writer/envoy/configdump/cluster.go PrintClusterSummary).

import type { Cluster } from '../xds/envoy.js';
import { describeManagement, safelyParseSubsetKey, sortBySubsetKey } from './management.js';
import { tabwrite, TABLE } from './tabwriter.js';
import { tableLines, type KindOutput, type ProxyConfigFilter, type WriterOptions } from './types.js';

/** ClusterFilter.Verify: substrings of the name, the port as "|<port>|". */
function verify(f: ProxyConfigFilter, name: string): boolean {
  if (f.fqdn && !name.includes(f.fqdn)) return false;
  if (f.direction && !name.includes(f.direction)) return false;
  if (f.subset && !name.includes(f.subset)) return false;
  if (f.port && !name.includes(`|${f.port}|`)) return false;
  return true;
}

/** Cluster.GetType(): the discovery type, STATIC (the enum's zero) when a custom cluster_type is set instead. */
const clusterType = (c: Cluster): string => c.type ?? 'STATIC';

/** retrieveSortedClusterSlice: by host, subset, port, direction of the parsed name. */
export const sortedClusters = (clusters: Cluster[]): Cluster[] => sortBySubsetKey(clusters, (c) => c.name ?? '');

export const filteredClusters = (clusters: Cluster[], filter: ProxyConfigFilter): Cluster[] =>
  sortedClusters(clusters).filter((c) => verify(filter, c.name ?? ''));

export function clustersSummary(clusters: Cluster[], { filter, includeConfigType }: WriterOptions): KindOutput {
  const headers = ['SERVICE FQDN', 'PORT', 'SUBSET', 'DIRECTION', 'TYPE', 'DESTINATION RULE'];
  const rows = filteredClusters(clusters, filter).map((c) => {
    const name = c.name ?? '';
    const dr = describeManagement(c.metadata);
    if (name.split('|').length > 3) {
      const key = safelyParseSubsetKey(name);
      const cells = [key.host, String(key.port), key.subset || '-', key.direction, clusterType(c), dr];
      return includeConfigType ? [`cluster/${name}`, ...cells] : cells;
    }
    // A name without '|' (agent, BlackHoleCluster): istioctl prefixes the name itself, so both cells carry it.
    if (includeConfigType && name) return [`cluster/${name}`, `cluster/${name}`, '-', '-', '-', clusterType(c), dr];
    return [name, '-', '-', '-', clusterType(c), dr];
  });
  const allHeaders = includeConfigType ? ['NAME', ...headers] : headers;
  return { kind: 'clusters', headers: allHeaders, rows, text: tabwrite(tableLines(allHeaders, rows), TABLE) };
}

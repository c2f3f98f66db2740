// Endpoints, two ways as istioctl has them: a config dump's EDS table (istioctl/pkg/writer/envoy/configdump/
// endpoint.go PrintEndpointsSummary: `proxy-config eds --file`, and the ENDPOINTS section of `all`), and
// for generated config the /clusters table of `proxy-config endpoints` (writer/envoy/clusters/clusters.go).

import type { Address, ClusterLoadAssignment, LbEndpoint, LocalityLbEndpoints } from '../xds/envoy.js';
import { goSortSlice } from '../util/go-sort.js';
import { equalFold, sortBySubsetKey } from './management.js';
import { tabwrite, TABLE } from './tabwriter.js';
import { tableLines, type KindOutput, type ProxyConfigFilter, type WriterOptions } from './types.js';

type AnyAddress = Address & { envoy_internal_address?: { server_listener_name?: string; endpoint_id?: string } };

const endpointAddress = (lb: LbEndpoint): AnyAddress | undefined => lb.endpoint?.address as AnyAddress | undefined;
const endpointPort = (lb: LbEndpoint): number => endpointAddress(lb)?.socket_address?.port_value ?? 0;

/** retrieveEndpointAddresses: ip:port, a pipe's path, envoy://<listener>/<id>, for the address and each additional one. */
function endpointAddresses(lb: LbEndpoint): string[] {
  const extra = ((lb.endpoint as { additional_addresses?: { address?: AnyAddress }[] } | undefined)?.additional_addresses ?? []).map((a) => a.address);
  return [endpointAddress(lb), ...extra].map((a) => {
    if (a?.socket_address) return `${a.socket_address.address}:${a.socket_address.port_value ?? 0}`;
    if (a?.pipe) return a.pipe.path;
    if (a?.envoy_internal_address?.server_listener_name !== undefined) {
      return `envoy://${a.envoy_internal_address.server_listener_name}/${a.envoy_internal_address.endpoint_id ?? ''}`;
    }
    return 'unknown';
  });
}

/** HealthStatus as the EDS table prints it: the enum's name, UNKNOWN when unset. */
const edsStatus = (lb: LbEndpoint): string => lb.health_status ?? 'UNKNOWN';

/** EndpointFilter.Verify of the config dump writer: the address filter is compared with "ip:port". */
function verifyEds(f: ProxyConfigFilter, lb: LbEndpoint, cluster: string): boolean {
  if (f.address && !endpointAddresses(lb).some((a) => equalFold(a, f.address!))) return false;
  if (f.port && endpointPort(lb) !== f.port) return false;
  if (f.cluster && !equalFold(cluster, f.cluster)) return false;
  if (f.status && !equalFold(edsStatus(lb), f.status)) return false;
  return true;
}

/** retrieveSortedEndpointsSlice: each assignment with the endpoints the filter keeps, none left out, sorted by the parsed cluster name. */
export function filteredAssignments(assignments: ClusterLoadAssignment[], filter: ProxyConfigFilter): ClusterLoadAssignment[] {
  const kept = assignments.flatMap((cla) => {
    const endpoints: LocalityLbEndpoints[] = (cla.endpoints ?? []).map((llb) => ({
      ...llb,
      lb_endpoints: (llb.lb_endpoints ?? []).filter((lb) => verifyEds(filter, lb, cla.cluster_name ?? '')),
    }));
    return endpoints.some((llb) => llb.lb_endpoints.length > 0) ? [{ ...cla, endpoints }] : [];
  });
  return sortBySubsetKey(kept, (cla) => cla.cluster_name ?? '');
}

/** util.LocalityToString: region[/zone[/sub_zone]]. */
function locality(l: LocalityLbEndpoints['locality']): string {
  if (!l) return '';
  let s = l.region ?? '';
  if (!l.zone) return s;
  s += `/${l.zone}`;
  return l.sub_zone ? `${s}/${l.sub_zone}` : s;
}

export function edsSummary(assignments: ClusterLoadAssignment[], { filter, includeConfigType }: WriterOptions): KindOutput {
  const headers = ['NAME', 'STATUS', 'LOCALITY', 'CLUSTER'];
  const rows: string[][] = [];
  for (const cla of filteredAssignments(assignments, filter)) {
    for (const llb of cla.endpoints) {
      for (const lb of llb.lb_endpoints) {
        const addresses = endpointAddresses(lb).join(',');
        rows.push([includeConfigType ? `endpoint/${addresses}` : addresses, edsStatus(lb), locality(llb.locality), cla.cluster_name ?? '']);
      }
    }
  }
  return { kind: 'endpoints', headers, rows, text: tabwrite(tableLines(headers, rows), TABLE) };
}

/** A host of Envoy's /clusters: its address as retrieveEndpointAddress prints it, without the port. */
function hostAddress(lb: LbEndpoint): string {
  const a = endpointAddress(lb);
  if (a?.socket_address) return a.socket_address.address;
  if (a?.pipe) return `unix://${a.pipe.path}`;
  if (a?.envoy_internal_address?.server_listener_name !== undefined) {
    return `envoy://${a.envoy_internal_address.server_listener_name}/${a.envoy_internal_address.endpoint_id ?? ''}`;
  }
  return 'unknown';
}

/** Envoy reports an EDS host without health status as HEALTHY (eds_health_status); generated config has no outlier ejections. */
const clustersStatus = (lb: LbEndpoint): string => lb.health_status ?? 'HEALTHY';

export function clustersEndpointsSummary(assignments: ClusterLoadAssignment[], { filter }: WriterOptions): KindOutput {
  const hosts = assignments.flatMap((cla) =>
    (cla.endpoints ?? []).flatMap((llb) =>
      (llb.lb_endpoints ?? []).map((lb) => ({ address: hostAddress(lb), port: endpointPort(lb), cluster: cla.cluster_name ?? '', status: clustersStatus(lb) })),
    ),
  );
  const kept = hosts.filter(
    (h) =>
      (!filter.address || equalFold(h.address, filter.address)) &&
      (!filter.port || h.port === filter.port) &&
      (!filter.cluster || equalFold(h.cluster, filter.cluster)) &&
      (!filter.status || equalFold(h.status, filter.status)),
  );
  goSortSlice(kept, (a, b) => (a.address !== b.address ? a.address < b.address : a.port !== b.port ? a.port < b.port : a.cluster < b.cluster));
  const headers = ['ENDPOINT', 'STATUS', 'OUTLIER CHECK', 'CLUSTER'];
  const rows = kept.map((h) => [h.port !== 0 ? `${h.address}:${h.port}` : h.address, h.status, 'OK', h.cluster]);
  return { kind: 'endpoints', headers, rows, text: tabwrite(tableLines(headers, rows), TABLE) };
}

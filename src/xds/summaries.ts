// `istioctl proxy-config listeners|routes|clusters|endpoints` tables over generated xDS
// (istioctl/pkg/writer/envoy/configdump/{listener,route,cluster}.go, writer/envoy/clusters/clusters.go).

import type { Cluster, ClusterLoadAssignment, FilterChain, Listener, ProxyXds, RouteConfiguration, Route } from './envoy.js';
import { parseSubsetKey } from './names.js';
import { authzTable } from './summaries-authz.js';

export interface Table {
  headers: string[];
  rows: string[][];
}

export const SUMMARY_KINDS = ['listeners', 'routes', 'clusters', 'endpoints', 'authz'] as const;
export type SummaryKind = (typeof SUMMARY_KINDS)[number];
/** What proxy-config shows when no kinds are named: istioctl proxy-config's four tables. */
export const DEFAULT_SUMMARY_KINDS: readonly SummaryKind[] = ['listeners', 'routes', 'clusters', 'endpoints'];

/** The istioctl command a table stands for. */
export const summaryCommand = (kind: SummaryKind): string => (kind === 'authz' ? 'istioctl x authz check' : `istioctl proxy-config ${kind}`);
/** The tabwriter padding that command uses. */
export const summaryPadding = (kind: SummaryKind): number => (kind === 'authz' ? 3 : 5);

/** Columns aligned like Go's tabwriter as istioctl sets it up (padding 5 unless told, last column unpadded). */
export function formatTable(t: Table, padding = 5): string {
  const all = [t.headers, ...t.rows];
  const widths = t.headers.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  return all
    .map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] + padding))).join('').trimEnd())
    .join('\n')
    .concat('\n');
}

const HCM = 'envoy.filters.network.http_connection_manager';
const TCP_PROXY = 'envoy.filters.network.tcp_proxy';

function describeMatch(chain: FilterChain): string {
  const m = chain.filter_chain_match ?? {};
  const parts: string[] = [];
  if (m.server_names?.length) parts.push(`SNI: ${m.server_names.join(',')}`);
  if (m.transport_protocol) parts.push(`Trans: ${m.transport_protocol}`);
  if (m.application_protocols?.length) {
    const alpn = m.application_protocols.join(',');
    const named = alpn === 'http/1.0,http/1.1,h2c' ? 'HTTP' : alpn === 'istio-peer-exchange,istio' ? 'TCP TLS' : alpn;
    parts.push(`App: ${named}`);
  }
  const port = m.destination_port !== undefined ? `:${m.destination_port}` : '';
  if (m.prefix_ranges?.length) parts.push(`Addr: ${m.prefix_ranges.map((r) => `${r.address_prefix}/${r.prefix_len ?? 0}`).join(',')}${port}`);
  else if (port) parts.push(`Addr: *${port}`);
  return parts.length > 0 ? parts.join('; ') : 'ALL';
}

function describeDestination(chain: FilterChain): string {
  for (const f of chain.filters ?? []) {
    const cfg = (f.typed_config ?? {}) as Record<string, any>;
    if (f.name === HCM) {
      if (cfg.rds?.route_config_name) return `Route: ${cfg.rds.route_config_name}`;
      const vhosts: any[] = cfg.route_config?.virtual_hosts ?? [];
      const routes: any[] = vhosts.flatMap((v) => v.routes ?? []);
      if (vhosts.length === 1 && routes.length === 1 && routes[0].match?.prefix === '/' && routes[0].route?.cluster) {
        return `Cluster: ${routes[0].route.cluster}`;
      }
      return `Inline Route: ${routes.map((r) => describeRouteMatch(r)).join('; ')}`;
    }
    if (f.name === TCP_PROXY) {
      const cluster: string | undefined = cfg.cluster;
      if (cluster === 'BlackHoleCluster') return 'Non-HTTP/Non-TCP';
      if (cluster) return cluster.includes('Cluster') ? cluster : `Cluster: ${cluster}`;
      const weighted: any[] = cfg.weighted_clusters?.clusters ?? [];
      return `Cluster: ${weighted.map((w) => w.name).join(', ')}`;
    }
  }
  return 'Unknown';
}

const listenerAddress = (l: Listener) => l.address.socket_address?.address ?? l.address.pipe?.path ?? '';
const listenerPort = (l: Listener) => l.address.socket_address?.port_value ?? 0;

export function listenersTable(xds: ProxyXds): Table {
  const rows: { key: [number, string]; row: string[] }[] = [];
  for (const l of xds.listeners) {
    const chains = [...(l.filter_chains ?? []), ...(l.default_filter_chain ? [l.default_filter_chain] : [])];
    for (const chain of chains) {
      rows.push({ key: [listenerPort(l), listenerAddress(l)], row: [listenerAddress(l), String(listenerPort(l)), describeMatch(chain), describeDestination(chain)] });
    }
  }
  // Stable sort: chains of one listener keep their order, default chain last.
  rows.sort((a, b) => a.key[0] - b.key[0] || a.key[1].localeCompare(b.key[1]));
  return { headers: ['ADDRESSES', 'PORT', 'MATCH', 'DESTINATION'], rows: rows.map((r) => r.row) };
}

function describeRouteMatch(r: Route): string {
  const m = r.match ?? {};
  if (m.prefix !== undefined) return `${m.prefix}*`;
  if (m.path !== undefined) return m.path;
  if (m.path_separated_prefix !== undefined) return `PathPrefix:${m.path_separated_prefix}`;
  if (m.safe_regex) return `regex ${m.safe_regex.regex}`;
  return '/*';
}

/** DOMAINS: without `:port` forms, FQDN forms dropped when the short form exists, two shown + count. */
export function describeDomains(domains: string[]): string {
  if (domains.length <= 1) return domains[0] ?? '';
  const plain = domains.filter((d) => !d.includes(':'));
  const kept = plain.filter((d) => !plain.some((other) => other !== d && d.startsWith(`${other}.`)));
  const shown = kept.slice(0, 2).join(', ');
  return kept.length > 2 ? `${shown} + ${kept.length - 2} more...` : shown;
}

function virtualServiceOf(r: Route): string {
  const path = r.metadata?.filter_metadata?.istio?.config;
  const m = typeof path === 'string' ? /\/namespaces\/([^/]+)\/virtual-service\/([^/]+)$/.exec(path) : null;
  return m ? `${m[2]}.${m[1]}` : '';
}

const isPassthroughRoute = (r: Route) => r.route?.cluster === 'PassthroughCluster';

export function routesTable(xds: ProxyXds): Table {
  const rows: string[][] = [];
  for (const rc of xds.routes as RouteConfiguration[]) {
    for (const vh of rc.virtual_hosts ?? []) {
      const domains = describeDomains(vh.domains ?? []);
      const routes = vh.routes ?? [];
      if (routes.length === 0) {
        rows.push([rc.name, vh.name, domains, '/*', '404']);
        continue;
      }
      for (const r of routes) if (!isPassthroughRoute(r)) rows.push([rc.name, vh.name, domains, describeRouteMatch(r), virtualServiceOf(r)]);
    }
  }
  return { headers: ['NAME', 'VHOST NAME', 'DOMAINS', 'MATCH', 'VIRTUAL SERVICE'], rows };
}

const clusterType = (c: Cluster) => c.cluster_type?.name ?? c.type ?? 'STATIC';

function destinationRuleOf(c: Cluster): string {
  const path = c.metadata?.filter_metadata?.istio?.config;
  const m = typeof path === 'string' ? /\/namespaces\/([^/]+)\/destination-rule\/([^/]+)$/.exec(path) : null;
  return m ? `${m[2]}.${m[1]}` : '';
}

export function clustersTable(xds: ProxyXds): Table {
  const rows = xds.clusters.map((c) => {
    const key = parseSubsetKey(c.name);
    if (!key) return { sort: [c.name, '', 0, ''] as const, row: [c.name, '-', '-', '-', clusterType(c), destinationRuleOf(c)] };
    return {
      sort: [key.host, key.subset, key.port, key.direction] as const,
      row: [key.host, String(key.port), key.subset || '-', key.direction, clusterType(c), destinationRuleOf(c)],
    };
  });
  rows.sort((a, b) => a.sort[0].localeCompare(b.sort[0]) || a.sort[1].localeCompare(b.sort[1]) || a.sort[2] - b.sort[2] || a.sort[3].localeCompare(b.sort[3]));
  return { headers: ['SERVICE FQDN', 'PORT', 'SUBSET', 'DIRECTION', 'TYPE', 'DESTINATION RULE'], rows: rows.map((r) => r.row) };
}

export function endpointsTable(xds: ProxyXds): Table {
  const assignments: ClusterLoadAssignment[] = [
    ...xds.endpoints,
    ...xds.clusters.flatMap((c) => (c.load_assignment ? [{ ...c.load_assignment, cluster_name: c.name }] : [])),
  ];
  const rows: { address: string; port: number; cluster: string; row: string[] }[] = [];
  for (const cla of assignments) {
    for (const loc of cla.endpoints ?? []) {
      for (const lb of loc.lb_endpoints ?? []) {
        const sa = lb.endpoint.address.socket_address;
        const address = sa?.address ?? lb.endpoint.address.pipe?.path ?? '';
        const port = sa?.port_value ?? 0;
        const endpoint = sa ? `${address}:${port}` : address;
        rows.push({ address, port, cluster: cla.cluster_name, row: [endpoint, lb.health_status ?? 'HEALTHY', 'OK', cla.cluster_name] });
      }
    }
  }
  rows.sort((a, b) => a.address.localeCompare(b.address, 'en', { numeric: true }) || a.port - b.port || a.cluster.localeCompare(b.cluster));
  return { headers: ['ENDPOINT', 'STATUS', 'OUTLIER CHECK', 'CLUSTER'], rows: rows.map((r) => r.row) };
}

export function summaryTable(xds: ProxyXds, kind: SummaryKind): Table {
  switch (kind) {
    case 'listeners':
      return listenersTable(xds);
    case 'routes':
      return routesTable(xds);
    case 'clusters':
      return clustersTable(xds);
    case 'endpoints':
      return endpointsTable(xds);
    case 'authz':
      return authzTable(xds);
  }
}


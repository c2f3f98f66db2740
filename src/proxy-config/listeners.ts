// `istioctl proxy-config listeners` (istioctl/pkg/writer/envoy/configdump/listener.go PrintListenerSummary):
// a row per filter chain (the default chain included), or with --verbose=false a row per listener.

import type { FilterChain, FilterChainMatch, Filter, Listener, RouteConfiguration, RouteMatch, VirtualHost } from '../xds/envoy.js';
import { goSortSlice } from '../util/go-sort.js';
import { equalFold } from './management.js';
import { tabwrite, NARROW } from './tabwriter.js';
import { tableLines, type KindOutput, type ProxyConfigFilter, type WriterOptions } from './types.js';

const HTTP_CONNECTION_MANAGER = 'envoy.filters.network.http_connection_manager';
const TCP_PROXY = 'envoy.filters.network.tcp_proxy';
const BLACKHOLE_CLUSTER = 'BlackHoleCluster';

const address = (l: Listener): string => l.address?.socket_address?.address ?? l.address?.pipe?.path ?? '';
const additionalAddresses = (l: Listener): string[] =>
  ((l.additional_addresses as { address?: { socket_address?: { address?: string } } }[] | undefined) ?? []).map(
    (a) => a.address?.socket_address?.address ?? '',
  );
const port = (l: Listener): number => l.address?.socket_address?.port_value ?? 0;
const chainsOf = (l: Listener): FilterChain[] => [...(l.filter_chains ?? []), ...(l.default_filter_chain ? [l.default_filter_chain] : [])];

/** tcp_proxy to BlackHoleCluster is not TCP traffic to istioctl (it looks for the name in the filter's bytes). */
const isBlackHole = (f: Filter): boolean => JSON.stringify(f.typed_config ?? {}).includes(BLACKHOLE_CLUSTER);

/** retrieveListenerType: HTTP, TCP, HTTP+TCP or UNKNOWN by the filters of every chain. */
export function listenerType(l: Listener): string {
  let http = 0;
  let tcp = 0;
  for (const chain of chainsOf(l)) {
    for (const f of chain.filters ?? []) {
      if (f.name === HTTP_CONNECTION_MANAGER) http++;
      else if (f.name === TCP_PROXY && !isBlackHole(f)) tcp++;
    }
  }
  if (http > 0) return tcp === 0 ? 'HTTP' : 'HTTP+TCP';
  return tcp > 0 ? 'TCP' : 'UNKNOWN';
}

function verify(f: ProxyConfigFilter, l: Listener): boolean {
  if (f.address && ![...additionalAddresses(l), address(l)].some((a) => equalFold(a, f.address!))) return false;
  if (f.port && port(l) !== f.port) return false;
  if (f.type && !equalFold(listenerType(l), f.type)) return false;
  return true;
}

export const filteredListeners = (listeners: Listener[], filter: ProxyConfigFilter): Listener[] => listeners.filter((l) => verify(filter, l));

/** Named ALPN sets (protDescrs); istioctl ranges over a Go map, but no list equals two of them. */
const PROTOCOL_DESCRIPTIONS: [string, string[]][] = [
  ['App: HTTP TLS', ['http/1.0', 'http/1.1', 'h2c', 'istio-http/1.0', 'istio-http/1.1', 'istio-h2']],
  ['App: Istio HTTP Plain', ['istio', 'istio-http/1.0', 'istio-http/1.1', 'istio-h2']],
  ['App: TCP TLS', ['istio-peer-exchange', 'istio']],
  ['App: HTTP', ['http/1.0', 'http/1.1', 'h2c']],
];

/** getMatches: SNI, transport, ALPN, destination prefixes and port; ALL when the chain matches everything. */
export function describeChainMatch(match: FilterChainMatch | undefined): string {
  const m = match ?? {};
  const parts: string[] = [];
  if (m.server_names?.length) parts.push(`SNI: ${m.server_names.join(',')}`);
  if (m.transport_protocol) parts.push(`Trans: ${m.transport_protocol}`);
  if (m.application_protocols?.length) {
    const alpn = m.application_protocols;
    const named = PROTOCOL_DESCRIPTIONS.find(([, list]) => list.length === alpn.length && list.every((p, i) => p === alpn[i]));
    parts.push(named ? named[0] : `App: ${alpn.join(',')}`);
  }
  const portSuffix = m.destination_port !== undefined ? `:${m.destination_port}` : '';
  if (m.prefix_ranges?.length) parts.push(`Addr: ${m.prefix_ranges.map((r) => `${r.address_prefix}/${r.prefix_len ?? 0}`).join(',')}${portSuffix}`);
  else if (portSuffix) parts.push(`Addr: *${portSuffix}`);
  return parts.length ? parts.join('; ') : 'ALL';
}

/** describeMatch: the path conditions of a route match (headers are left out). */
export function describeRouteMatch(match: RouteMatch | undefined): string {
  const conds: string[] = [];
  if (match?.prefix) conds.push(`${match.prefix}*`);
  if (match?.path_separated_prefix) conds.push(`PathPrefix:${match.path_separated_prefix}`);
  if (match?.path) conds.push(match.path);
  if (match?.safe_regex) conds.push(`regex ${match.safe_regex.regex}`);
  return conds.join(' ');
}

/** getMatchAllCluster: one "*" virtual host with one "/" route to one cluster is shown as that cluster. */
function matchAllCluster(rc: RouteConfiguration): string {
  const vhosts = rc.virtual_hosts ?? [];
  if (vhosts.length !== 1) return '';
  const vh = vhosts[0];
  if (vh.domains?.length !== 1 || vh.domains[0] !== '*' || vh.routes?.length !== 1) return '';
  const route = vh.routes[0];
  const cluster = route.route?.cluster;
  if (route.match?.prefix !== '/' || typeof cluster !== 'string') return '';
  return cluster.includes('Cluster') ? cluster : `Cluster: ${cluster}`;
}

const describeDomains = (vh: VirtualHost): string => (vh.domains?.length === 1 && vh.domains[0] === '*' ? '' : (vh.domains ?? []).join('/'));

function describeInlineRoute(rc: RouteConfiguration): string {
  const cluster = matchAllCluster(rc);
  if (cluster) return cluster;
  const vhosts = (rc.virtual_hosts ?? []).map((vh) => {
    const routes = (vh.routes ?? []).map((r) => describeRouteMatch(r.match)).join(', ');
    const domains = describeDomains(vh);
    return domains ? `${domains} ${routes}` : routes;
  });
  return `Inline Route: ${vhosts.join('; ')}`;
}

/** getFilterType: where the chain sends traffic. */
export function describeDestination(filters: Filter[] | undefined): string {
  for (const f of filters ?? []) {
    const config = (f.typed_config ?? {}) as { route_config?: RouteConfiguration; rds?: { route_config_name?: string }; cluster?: string };
    if (f.name === HTTP_CONNECTION_MANAGER) {
      if (config.route_config) return describeInlineRoute(config.route_config);
      if (config.rds?.route_config_name) return `Route: ${config.rds.route_config_name}`;
      return 'HTTP';
    }
    if (f.name === TCP_PROXY && !isBlackHole(f)) {
      const cluster = typeof config.cluster === 'string' ? config.cluster : '';
      return cluster.includes('Cluster') ? cluster : `Cluster: ${cluster}`;
    }
  }
  return 'Non-HTTP/Non-TCP';
}

export function listenersSummary(listeners: Listener[], { filter, verbose, includeConfigType }: WriterOptions): KindOutput {
  // Sort by port, address, type (sort.Slice: listeners equal in all three keep no particular order but Go's).
  const keys = new Map(filteredListeners(listeners, filter).map((l) => [l, { port: port(l), address: address(l), type: listenerType(l) }]));
  const sorted = goSortSlice([...keys.keys()], (a, b) => {
    const [ka, kb] = [keys.get(a)!, keys.get(b)!];
    if (ka.port !== kb.port) return ka.port < kb.port;
    if (ka.address !== kb.address) return ka.address < kb.address;
    return ka.type < kb.type;
  });
  const headers = [...(includeConfigType ? ['NAME'] : []), 'ADDRESSES', 'PORT', ...(verbose ? ['MATCH', 'DESTINATION'] : ['TYPE'])];
  const rows: string[][] = [];
  for (const l of sorted) {
    const lead = [...(includeConfigType ? [`listener/${l.name ?? ''}`] : []), [address(l), ...additionalAddresses(l)].join(','), String(port(l))];
    if (!verbose) {
      rows.push([...lead, listenerType(l)]);
      continue;
    }
    const matches = goSortSlice(
      chainsOf(l).map((chain) => ({ match: describeChainMatch(chain.filter_chain_match), destination: describeDestination(chain.filters) })),
      (a, b) => a.destination > b.destination,
    );
    for (const m of matches) rows.push([...lead, m.match, m.destination]);
  }
  return { kind: 'listeners', headers, rows, text: tabwrite(tableLines(headers, rows), NARROW) };
}

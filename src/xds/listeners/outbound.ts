// Sidecar outbound listeners: one per bind:port of the visible services, with Istio's protocol
// conflict rules, plus virtualOutbound (pilot/pkg/networking/core/listener.go
// buildSidecarOutboundListeners/buildSidecarOutboundListener/buildListenerFromEntry, tls.go,
// networkfilter.go, listener_builder.go buildVirtualOutboundListener).

import type { SourceRef } from '../../manifests/types.js';
import { configSources, type IstioConfig, type MeshIndex, type Protocol, type Proxy, type Service, type ServicePort, type SidecarScope } from '../../mesh/types.js';
import type { Filter, FilterChain, FilterChainMatch, Listener, Metadata } from '../envoy.js';
import { httpConnectionManager } from '../filters/http.js';
import { acceptPerSocketEvent } from './accept.js';
import { httpInspectorFilter, tlsInspectorFilter } from '../filters/listener.js';
import { networkFilterStack, statsNetworkFilters, tcpProxyFilter, tcpToCluster } from '../filters/network.js';
import {
  BLACKHOLE_CLUSTER,
  PASSTHROUGH_CLUSTER,
  PASSTHROUGH_FILTER_CHAIN,
  VIRTUAL_OUTBOUND,
  VIRTUAL_OUTBOUND_BLACKHOLE_CHAIN,
  VIRTUAL_OUTBOUND_CATCHALL_TCP_CHAIN,
  VIRTUAL_OUTBOUND_PORT,
  listenerName,
  statPrefix,
  subsetKey,
} from '../names.js';
import { altHosts, HostIndex, proxyDnsDomain } from '../routes/sidecar-hosts.js';
import { destinationCluster, type Destination } from '../routes/virtualservice.js';
import { isTcpProtocol, isTlsProtocol, listenerClass, parseProtocol } from './protocol.js';
import { featureFlag, type BooleanFlag } from '../../mesh/features.js';

export const WILDCARD = '0.0.0.0';
export const PLAINTEXT_HTTP_ALPNS = ['http/1.1', 'h2c'];
const ALLOW_ANY_DYNAMIC_DNS_CLUSTER = 'AllowAnyDynamicDNSCluster';

export type OutboundPolicy = 'ALLOW_ANY' | 'REGISTRY_ONLY' | 'ALLOW_ANY_DYNAMIC_DNS';

/** The proxy's loopback address for listeners that bind a real port (actualLocalHosts, IPv4). */
const LOCALHOST = '127.0.0.1';

const truthy = (v: unknown): boolean => v === true || v === 1 || v === 'true' || v === 'TRUE' || v === '1';

export function featureEnabled(index: MeshIndex, name: BooleanFlag): boolean {
  return featureFlag(index.options.features, name);
}

/** Service.GetAddressForProxy: the VIP, or the auto-allocated one for proxies with DNS capture and auto-allocation. */
/** The proxy resolves auto-allocated service addresses itself (DNS capture with auto allocation). */
export const usesAutoAllocatedAddresses = (proxy: Proxy): boolean =>
  truthy(proxy.metadata.DNS_CAPTURE) && truthy(proxy.metadata.DNS_AUTO_ALLOCATE);

export function serviceAddressForProxy(service: Service, proxy: Proxy): string {
  if (service.address === WILDCARD && service.autoAllocatedAddress && usesAutoAllocatedAddresses(proxy)) {
    return service.autoAllocatedAddress;
  }
  return service.address;
}

/** The proxy's outbound traffic policy: its Sidecar's, else MeshConfig's. */
export function outboundPolicy(index: MeshIndex, scope: SidecarScope): OutboundPolicy {
  const fromSidecar = scope.sidecar?.spec?.outboundTrafficPolicy?.mode as string | undefined;
  const mode = fromSidecar ?? (index.mesh.outboundTrafficPolicy?.mode as string | undefined) ?? scope.outboundTrafficPolicy;
  return mode === 'REGISTRY_ONLY' || mode === 'ALLOW_ANY_DYNAMIC_DNS' ? mode : 'ALLOW_ANY';
}

/** Cluster of unknown outbound TCP traffic. */
export const catchAllCluster = (policy: OutboundPolicy): string =>
  policy === 'REGISTRY_ONLY' ? BLACKHOLE_CLUSTER : PASSTHROUGH_CLUSTER;

interface HttpChainOptions {
  rds: string;
  protocol: Protocol;
}

/** filterChainOpts: the match of one chain and what it runs. */
interface ChainOptions {
  sniHosts?: string[];
  cidrs?: string[];
  alpn?: string[];
  transport?: string;
  metadata?: Metadata;
  filters: Filter[];
  http?: HttpChainOptions;
  sources: SourceRef[];
}

interface ListenerEntry {
  bind: string;
  /** A real socket (Sidecar egress captureMode NONE or a unix socket), not an iptables-captured port. */
  bindToPort: boolean;
  port: ServicePort;
  protocol: Protocol;
  chains: ChainOptions[];
  /** conflictKey of each chain, once chains are merged into the entry. */
  chainKeys?: Set<string>;
  locked: boolean;
  sources: SourceRef[];
}

interface Context {
  index: MeshIndex;
  proxy: Proxy;
  scope: SidecarScope;
  policy: OutboundPolicy;
}

const configMetadata = (vs: IstioConfig): Metadata => ({
  filter_metadata: { istio: { config: `/apis/networking.istio.io/v1/namespaces/${vs.namespace}/virtual-service/${vs.name}` } },
});

const isMatchAll = (c: ChainOptions): boolean =>
  (!c.sniHosts?.length || c.sniHosts.includes('*')) && !c.alpn?.length && !c.transport && !c.cidrs?.length;

function cidrRange(addr: string) {
  const [ip, len] = addr.split('/');
  return { address_prefix: ip, prefix_len: len !== undefined ? Number(len) : ip.includes(':') ? 128 : 32 };
}

function toFilterChainMatch(c: ChainOptions): FilterChainMatch {
  const m: FilterChainMatch = {};
  if (c.sniHosts?.length && !c.sniHosts.includes('*')) m.server_names = [...c.sniHosts].sort();
  if (c.cidrs?.length) {
    const ranges = [...c.cidrs].sort().map(cidrRange).filter((r) => r.address_prefix !== WILDCARD);
    if (ranges.length) m.prefix_ranges = ranges;
  }
  if (c.transport) m.transport_protocol = c.transport;
  if (c.alpn?.length) m.application_protocols = c.alpn;
  return m;
}

const setKey = (xs: string[] | undefined, drop: (x: string) => boolean): string =>
  [...new Set((xs ?? []).filter((x) => !drop(x)))].sort().join(',');

/** An address as 8 or 16 bytes; undefined when it is not an IP. */
function ipBytes(ip: string): number[] | undefined {
  if (!ip.includes(':')) {
    const parts = ip.split('.').map(Number);
    return parts.length === 4 && parts.every((n) => Number.isInteger(n) && n >= 0 && n < 256) ? parts : undefined;
  }
  const [head, tail, ...rest] = ip.split('::');
  if (rest.length) return undefined;
  const groups = (g: string | undefined) => (g ? g.split(':') : []);
  const h = groups(head);
  const t = groups(tail);
  const all = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  if (all.length !== 8 || !all.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  return all.flatMap((g) => [parseInt(g, 16) >> 8, parseInt(g, 16) & 255]);
}

/** The CIDR with host bits cleared (netip.Prefix.Masked), as a comparable key; undefined for 0.0.0.0. */
function maskedCidr(cidr: string): string | undefined {
  const [ip, lenText] = cidr.split('/');
  const bytes = ipBytes(ip);
  if (!bytes) return cidr;
  if (bytes.every((b) => b === 0) && !ip.includes(':')) return undefined;
  const len = lenText === undefined ? bytes.length * 8 : Number(lenText);
  const masked = bytes.map((b, i) => {
    const keep = Math.max(0, Math.min(8, len - i * 8));
    return b & ((0xff << (8 - keep)) & 0xff);
  });
  return `${masked.join('.')}/${len}`;
}

const cidrKey = (xs: string[] | undefined): string =>
  [...new Set((xs ?? []).map(maskedCidr).filter((c): c is string => c !== undefined))].sort().join(',');

/** filterChainOpts.conflictsWith: same transport, ALPN, SNI set and (masked) CIDR set; two chains conflict when their keys are equal. */
const conflictKey = (c: ChainOptions): string =>
  JSON.stringify([c.transport ?? '', (c.alpn ?? []).join(','), setKey(c.sniHosts, (s) => s === '*'), cidrKey(c.cidrs)]);

const servicesByHost = new WeakMap<Service[], Map<string, Service>>();

/** The scope's first service of a host name. */
function serviceByHost(ctx: Context, host: string): Service | undefined {
  let byHost = servicesByHost.get(ctx.scope.services);
  if (!byHost) {
    byHost = new Map();
    for (const s of ctx.scope.services) if (!byHost.has(s.hostname)) byHost.set(s.hostname, s);
    servicesByHost.set(ctx.scope.services, byHost);
  }
  return byHost.get(host);
}


interface TcpDrSettings {
  idleTimeout?: string;
  maxDownstreamConnectionDuration?: string;
  hashBySourceIp?: boolean;
}

function drTcpSettings(ctx: Context, service: Service | undefined, subset: string): TcpDrSettings {
  if (!service) return {};
  const dr = ctx.index.destinationRule(ctx.proxy, service)?.spec;
  const tp = dr?.trafficPolicy;
  let useSourceIp = Boolean(tp?.loadBalancer?.consistentHash?.useSourceIp);
  const sub = (dr?.subsets ?? []).find((s: { name?: string }) => s.name === subset);
  if (sub?.trafficPolicy?.loadBalancer) useSourceIp = Boolean(sub.trafficPolicy.loadBalancer.consistentHash?.useSourceIp);
  return {
    idleTimeout: tp?.connectionPool?.tcp?.idleTimeout,
    maxDownstreamConnectionDuration: tp?.connectionPool?.tcp?.maxConnectionDuration,
    hashBySourceIp: useSourceIp || undefined,
  };
}

function singleDestinationFilters(ctx: Context, cluster: string, subset: string, port: ServicePort, service: Service | undefined): Filter[] {
  const tcp = tcpProxyFilter({ statPrefix: cluster, cluster, ...drTcpSettings(ctx, service, subset) });
  return [...statsNetworkFilters(ctx.index.mesh), ...networkFilterStack(port.protocol, tcp)];
}

interface RouteDestination {
  destination: Destination;
  weight?: number;
}

/** buildOutboundNetworkFilters for VS tcp/tls routes. */
function routeFilters(ctx: Context, routes: RouteDestination[], port: ServicePort, vs: IstioConfig): Filter[] {
  const service = serviceByHost(ctx, routes[0].destination.host ?? '');
  if (routes.length === 1) {
    const cluster = destinationCluster(routes[0].destination, service, port.port);
    return singleDestinationFilters(ctx, cluster, routes[0].destination.subset ?? '', port, service);
  }
  const weighted = routes
    .filter((r) => (r.weight ?? 0) > 0)
    .map((r) => ({ name: destinationCluster(r.destination, serviceByHost(ctx, r.destination.host ?? ''), port.port), weight: r.weight ?? 0 }));
  const tcp = tcpProxyFilter({ statPrefix: `${vs.name}.${vs.namespace}`, weightedClusters: weighted, ...drTcpSettings(ctx, service, '') });
  return [...statsNetworkFilters(ctx.index.mesh), ...networkFilterStack(port.protocol, tcp)];
}

interface L4Match {
  port?: number;
  sourceLabels?: Record<string, string>;
  gateways?: string[];
  sourceNamespace?: string;
  destinationSubnets?: string[];
  sniHosts?: string[];
}

function l4MatchApplies(ctx: Context, m: L4Match | undefined, port: number): boolean {
  if (!m) return true;
  const gatewayOk = !m.gateways?.length || m.gateways.includes('mesh');
  const labelsOk = Object.entries(m.sourceLabels ?? {}).every(([k, v]) => ctx.proxy.labels[k] === v);
  const portOk = !m.port || m.port === port;
  const nsOk = !m.sourceNamespace || m.sourceNamespace === ctx.proxy.namespace;
  return gatewayOk && labelsOk && portOk && nsOk;
}

const vsHostIndexes = new WeakMap<IstioConfig[], { index: HostIndex; owner: number[] }>();

/** The VSs with a host matching the host, in their order. */
function vsForHost(vss: IstioConfig[], host: string): IstioConfig[] {
  let hosts = vsHostIndexes.get(vss);
  if (!hosts) {
    const names: string[] = [];
    const owner: number[] = [];
    vss.forEach((vs, i) => {
      for (const h of (vs.spec?.hosts ?? []) as string[]) {
        names.push(h);
        owner.push(i);
      }
    });
    hosts = { index: new HostIndex(names), owner };
    vsHostIndexes.set(vss, hosts);
  }
  const found = [...new Set(hosts.index.matching(host).map((at) => hosts.owner[at]))].sort((a, b) => a - b);
  return found.map((i) => vss[i]);
}

interface OutboundOptions {
  bind: string;
  bindToPort?: boolean;
  port: ServicePort;
  service: Service;
  cidrs?: string[];
  headlessPodCidr?: boolean;
}

/** buildSidecarOutboundTLSFilterChainOpts. */
function tlsChains(ctx: Context, o: OutboundOptions, vss: IstioConfig[]): ChainOptions[] {
  if (!isTlsProtocol(o.port.protocol)) return [];
  const out: ChainOptions[] = [];
  const handled = new Set<string>();
  for (const vs of vss) {
    for (const rule of (vs.spec?.tls ?? []) as { match?: L4Match[]; route?: RouteDestination[] }[]) {
      if (!rule.route?.length) continue;
      for (const m of rule.match ?? []) {
        if (!l4MatchApplies(ctx, m, o.port.port)) continue;
        const cidrs = m.destinationSubnets?.length && o.port.port > 0 ? m.destinationSubnets : o.cidrs;
        const key = `${(m.sniHosts ?? []).join(',')}|${(m.destinationSubnets ?? []).join(',')}`;
        if (!handled.has(key)) {
          out.push({
            metadata: configMetadata(vs),
            sniHosts: m.sniHosts,
            cidrs,
            filters: routeFilters(ctx, rule.route, o.port, vs),
            sources: configSources(vs),
          });
        }
        handled.add(key);
      }
    }
  }
  if (out.length > 0) return out;
  const svc = o.service;
  const port = svc.ports.length === 1 ? svc.ports[0].port : o.port.port;
  const cluster = subsetKey('outbound', '', svc.hostname, port);
  const listenAddress = serviceAddressForProxy(svc, ctx.proxy);
  const address = listenAddress.includes('/') ? '' : listenAddress;
  let sniHosts: string[] | undefined;
  if (!o.headlessPodCidr && (o.cidrs?.length || address === '' || (address === WILDCARD && o.bind === WILDCARD))) {
    sniHosts = [svc.hostname];
    for (const alias of svc.aliases) sniHosts.push(alias, ...altHosts(alias, proxyDnsDomain(ctx.proxy.namespace)));
  }
  return [{ sniHosts, cidrs: o.cidrs, filters: singleDestinationFilters(ctx, cluster, '', o.port, svc), sources: svc.sources }];
}

/** buildSidecarOutboundTCPFilterChainOpts. */
function tcpChains(ctx: Context, o: OutboundOptions, vss: IstioConfig[]): ChainOptions[] {
  if (isTlsProtocol(o.port.protocol)) return [];
  const out: ChainOptions[] = [];
  let defaultAdded = false;
  outer: for (const vs of vss) {
    for (const rule of (vs.spec?.tcp ?? []) as { match?: L4Match[]; route?: RouteDestination[] }[]) {
      if (!rule.route?.length) continue;
      const base = { metadata: configMetadata(vs), cidrs: o.cidrs, sources: configSources(vs) };
      if (!rule.match?.length) {
        out.push({ ...base, filters: routeFilters(ctx, rule.route, o.port, vs) });
        defaultAdded = true;
        break outer;
      }
      const subnets: string[] = [];
      for (const m of rule.match) {
        if (!l4MatchApplies(ctx, m, o.port.port)) continue;
        if (!m.destinationSubnets?.length || o.port.port === 0) {
          out.push({ ...base, filters: routeFilters(ctx, rule.route, o.port, vs) });
          defaultAdded = true;
          break outer;
        }
        subnets.push(...m.destinationSubnets);
      }
      if (subnets.length > 0) {
        out.push({ cidrs: subnets, filters: routeFilters(ctx, rule.route, o.port, vs), sources: configSources(vs) });
        if ([...subnets].sort().join(',') === [...(o.cidrs ?? [])].sort().join(',')) defaultAdded = true;
      }
    }
  }
  if (!defaultAdded) {
    const svc = o.service;
    const port = svc.ports.length === 1 ? svc.ports[0].port : o.port.port;
    const cluster = subsetKey('outbound', '', svc.hostname, port);
    out.push({ cidrs: o.cidrs, filters: singleDestinationFilters(ctx, cluster, '', o.port, svc), sources: svc.sources });
  }
  return out;
}

function tcpListenerChains(ctx: Context, o: OutboundOptions, vss: IstioConfig[]): ChainOptions[] {
  const forHost = vsForHost(vss, o.service.hostname);
  return [...tlsChains(ctx, o, forHost), ...tcpChains(ctx, o, forHost)];
}

function httpListenerChain(o: OutboundOptions, sniffed: boolean): ChainOptions {
  let rds: string;
  if (o.port.port === 0) rds = o.bind;
  else if (sniffed && o.bind !== WILDCARD) rds = `${o.service.hostname}:${o.port.port}`;
  else rds = String(o.port.port);
  return { filters: [], http: { rds, protocol: o.port.protocol }, sources: o.service.sources };
}

const asPlaintextHttp = (c: ChainOptions): ChainOptions => ({ ...c, alpn: PLAINTEXT_HTTP_ALPNS, transport: 'raw_buffer' });

function mergeTcpChains(entry: ListenerEntry, incoming: ChainOptions[]): void {
  // conflictsWith compares four fields for equality, so a key of them finds a conflict without a scan.
  entry.chainKeys ??= new Set(entry.chains.map(conflictKey));
  for (const c of incoming) {
    const key = conflictKey(c);
    if (entry.chainKeys.has(key)) continue;
    entry.chainKeys.add(key);
    entry.chains.push(c);
  }
}

const WELL_KNOWN_EXCLUSIVE = new Set<Protocol>(['Mongo', 'MySQL']);

/** buildSidecarOutboundListener: add one service port to the listener map, resolving conflicts. */
function addServicePort(ctx: Context, listeners: Map<string, ListenerEntry>, input: OutboundOptions, vss: IstioConfig[]): void {
  const o: OutboundOptions = { ...input };
  if (o.service.resolution === 'Alias') return;
  const cls = listenerClass(o.port.protocol);
  if (cls === 'TCP' || cls === 'AUTO') {
    if (o.bind === '') {
      const address = serviceAddressForProxy(o.service, ctx.proxy);
      if (address.includes('/')) {
        o.bind = WILDCARD;
        o.cidrs = [address];
      } else {
        o.bind = address || WILDCARD;
      }
    }
  } else if (cls === 'HTTP') {
    if (o.bind === '') o.bind = WILDCARD;
  } else {
    return;
  }
  const key = `${o.bind}_${o.port.port}`;
  const current = listeners.get(key);
  if (current?.locked) return;

  let protocol: Protocol = o.port.protocol;
  let chains: ChainOptions[];
  type Conflict = 'none' | 'HTTPOverTCP' | 'TCPOverHTTP' | 'TCPOverTCP' | 'TCPOverAuto' | 'AutoOverHTTP' | 'AutoOverTCP';
  let conflict: Conflict = 'none';
  const currentIsHttp = current ? listenerClass(current.protocol) === 'HTTP' : false;
  const currentIsTcp = current ? isTcpProtocol(current.protocol) : false;

  if (o.port.protocol === 'HTTP_PROXY') {
    chains = [httpListenerChain(o, false)];
  } else if (cls === 'HTTP') {
    if (current) {
      if (!currentIsTcp) return;
      conflict = 'HTTPOverTCP';
    }
    chains = [httpListenerChain(o, false)];
    if (o.bind === WILDCARD) {
      chains = chains.map(asPlaintextHttp);
      protocol = '';
    }
  } else if (cls === 'TCP') {
    chains = tcpListenerChains(ctx, o, vss);
    if (current) conflict = currentIsHttp ? 'TCPOverHTTP' : currentIsTcp ? 'TCPOverTCP' : 'TCPOverAuto';
  } else if (current && !currentIsHttp && !currentIsTcp) {
    conflict = 'TCPOverAuto';
    chains = tcpListenerChains(ctx, o, vss);
  } else {
    if (current) conflict = currentIsHttp ? 'AutoOverHTTP' : 'AutoOverTCP';
    chains = [...tcpListenerChains(ctx, o, vss), asPlaintextHttp(httpListenerChain(o, true))];
  }

  if (
    current &&
    conflict !== 'none' &&
    (WELL_KNOWN_EXCLUSIVE.has(o.port.protocol) || WELL_KNOWN_EXCLUSIVE.has(current.protocol)) &&
    o.port.protocol !== current.protocol
  ) {
    return;
  }

  switch (conflict) {
    case 'none':
    case 'AutoOverHTTP':
      listeners.set(key, { bind: o.bind, bindToPort: o.bindToPort ?? false, port: o.port, protocol, chains, locked: false, sources: [...o.service.sources] });
      return;
    case 'HTTPOverTCP':
    case 'TCPOverHTTP':
    case 'AutoOverTCP':
      mergeTcpChains(current!, chains);
      current!.protocol = '';
      current!.sources.push(...o.service.sources);
      return;
    case 'TCPOverTCP':
    case 'TCPOverAuto':
      mergeTcpChains(current!, chains);
      current!.sources.push(...o.service.sources);
  }
}

function catchAllFilters(ctx: Context): Filter[] {
  return tcpToCluster(ctx.index.mesh, catchAllCluster(ctx.policy));
}

const TRANSPORT_SOCKET_CONNECT_TIMEOUT = '15s';

/** buildListenerFromEntry. */
function listenerFromEntry(ctx: Context, e: ListenerEntry): Listener {
  const name = listenerName(e.bind, e.port.port);
  const l: Listener = {
    name,
    // BuildAddress: a unix:// bind is a pipe.
    address: e.bind.startsWith('unix://') ? { pipe: { path: e.bind.slice('unix://'.length) } } : { socket_address: { address: e.bind, port_value: e.port.port } },
    filter_chains: [],
    traffic_direction: 'OUTBOUND',
    continue_on_listener_filters_timeout: true,
    ...(e.bindToPort ? acceptPerSocketEvent(ctx.index) : { bind_to_port: false }),
  };
  const needTls = e.chains.some((c) => (c.sniHosts?.length ?? 0) > 0);
  const needHttp = e.chains.some((c) => (c.alpn?.length ?? 0) > 0);
  const listenerFilters = [];
  if (needTls) listenerFilters.push(tlsInspectorFilter());
  if (needHttp) listenerFilters.push(httpInspectorFilter());
  if (listenerFilters.length) l.listener_filters = listenerFilters;
  l.listener_filters_timeout = needHttp ? ((ctx.index.mesh.protocolDetectionTimeout as string | undefined) ?? '0s') : '0s';

  let defaultChain: FilterChain | undefined;
  for (const c of e.chains) {
    const chain: FilterChain = { filters: [] };
    if (c.metadata) chain.metadata = c.metadata;
    chain.transport_socket_connect_timeout = TRANSPORT_SOCKET_CONNECT_TIMEOUT;
    chain.filters = c.http
      ? [
          httpConnectionManager(ctx.index, ctx.proxy, {
            cls: 'sidecar-outbound',
            statPrefix: statPrefix(`outbound_${name}`),
            protocol: c.http.protocol,
            rds: c.http.rds,
            dynamicForwardProxy: ctx.policy === 'ALLOW_ANY_DYNAMIC_DNS',
          }),
        ]
      : c.filters;
    if (isMatchAll(c)) {
      defaultChain = chain;
    } else {
      chain.filter_chain_match = toFilterChainMatch(c);
      l.filter_chains.push(chain);
    }
  }
  if (defaultChain && l.filter_chains.length === 0) {
    l.filter_chains = [defaultChain];
  } else if (defaultChain) {
    l.default_filter_chain = defaultChain;
  } else {
    l.default_filter_chain = { name: PASSTHROUGH_FILTER_CHAIN, filter_chain_match: {}, filters: catchAllFilters(ctx) };
  }
  return l;
}

function egressPort(port: { number: number; protocol?: string; name?: string }): ServicePort {
  return { name: port.name ?? '', port: port.number, protocol: parseProtocol(port.protocol) };
}

/** The per-port outbound listeners of a sidecar, in creation order. */
export function buildOutboundListeners(index: MeshIndex, proxy: Proxy, scope: SidecarScope) {
  const ctx: Context = { index, proxy, scope, policy: outboundPolicy(index, scope) };
  const listeners = new Map<string, ListenerEntry>();
  const headlessChains = featureEnabled(index, 'PILOT_ENABLE_HEADLESS_FILTER_CHAIN_LISTENER');
  for (const egress of scope.egress) {
    // captureMode NONE (or a unix socket) makes the listener a real socket, on 127.0.0.1 unless bound elsewhere.
    const bindToPort = egress.captureMode === 'NONE' || (egress.bind ?? '').startsWith('unix://');
    const bind = egress.bind ?? (bindToPort ? LOCALHOST : '');
    if (egress.port) {
      const port = egressPort(egress.port);
      // CanBindToPort: an unprivileged pod cannot open a port below 1024.
      if (bindToPort && port.port < 1024 && truthy(proxy.metadata.UNPRIVILEGED_POD)) continue;
      for (const service of egress.services) addServicePort(ctx, listeners, { bind, bindToPort, port, service }, egress.virtualServices);
      continue;
    }
    for (const e of listeners.values()) e.locked = true;
    for (const service of egress.services) {
      for (const port of service.ports) {
        const cls = listenerClass(port.protocol);
        const base = { bind, bindToPort, port, service };
        const passthroughWithoutVip = service.resolution === 'Passthrough' && serviceAddressForProxy(service, proxy) === WILDCARD;
        if (bind === '' && passthroughWithoutVip && (cls === 'TCP' || cls === 'AUTO')) {
          const endpoints = index.endpoints(service, port);
          if (service.registry !== 'Kubernetes' && endpoints.length === 0 && !service.selector) {
            addServicePort(ctx, listeners, base, egress.virtualServices);
            continue;
          }
          for (const ep of endpoints) {
            if (ep.hostname || !/^[0-9a-fA-F.:]+$/.test(ep.address)) continue;
            if (ep.address === proxy.ips[0]) continue;
            if (headlessChains && cls === 'TCP') {
              // PILOT_ENABLE_HEADLESS_FILTER_CHAIN_LISTENER: one wildcard listener, a /32 chain per pod.
              addServicePort(ctx, listeners, { ...base, bind: WILDCARD, cidrs: [ep.address], headlessPodCidr: true }, egress.virtualServices);
            } else {
              addServicePort(ctx, listeners, { ...base, bind: ep.address }, egress.virtualServices);
            }
          }
          continue;
        }
        addServicePort(ctx, listeners, base, egress.virtualServices);
      }
    }
  }
  const out: { listener: Listener; sources: SourceRef[] }[] = [];
  for (const e of listeners.values()) {
    const sources = [...e.sources, ...e.chains.flatMap((c) => c.sources)];
    out.push({ listener: listenerFromEntry(ctx, e), sources });
  }
  out.sort((a, b) => a.listener.name.localeCompare(b.listener.name));
  return out;
}

/** The RDS name of the HTTP proxy listener (model.RDSHttpProxy). */
export const HTTP_PROXY_ROUTE = 'http_proxy';

/** 127.0.0.1_<port>: the explicit HTTP proxy listener when MeshConfig proxyHttpPort or HTTP_PROXY_PORT is set (buildHTTPProxy). */
export function buildHttpProxyListener(index: MeshIndex, proxy: Proxy): Listener | undefined {
  const port = Number(proxy.metadata.HTTP_PROXY_PORT ?? index.mesh.proxyHttpPort ?? 0);
  if (!Number.isInteger(port) || port <= 0) return undefined;
  const name = listenerName(LOCALHOST, port);
  return {
    name,
    address: { socket_address: { address: LOCALHOST, port_value: port } },
    filter_chains: [
      {
        filters: [
          httpConnectionManager(index, proxy, {
            cls: 'sidecar-outbound',
            statPrefix: statPrefix(`outbound_${name}`),
            protocol: 'HTTP_PROXY',
            rds: HTTP_PROXY_ROUTE,
            allowAbsoluteUrl: true,
          }),
        ],
        transport_socket_connect_timeout: TRANSPORT_SOCKET_CONNECT_TIMEOUT,
      },
    ],
    traffic_direction: 'OUTBOUND',
    continue_on_listener_filters_timeout: true,
    ...acceptPerSocketEvent(index),
    listener_filters_timeout: '0s',
  };
}

/** virtualOutbound: the iptables capture listener on 15001 (buildVirtualOutboundListener). */
export function buildVirtualOutboundListener(index: MeshIndex, proxy: Proxy, scope: SidecarScope): Listener {
  const policy = outboundPolicy(index, scope);
  const chains: FilterChain[] = [
    {
      name: VIRTUAL_OUTBOUND_BLACKHOLE_CHAIN,
      filter_chain_match: { destination_port: VIRTUAL_OUTBOUND_PORT },
      filters: tcpToCluster(index.mesh, BLACKHOLE_CLUSTER),
    },
  ];
  const l: Listener = {
    name: VIRTUAL_OUTBOUND,
    address: { socket_address: { address: WILDCARD, port_value: VIRTUAL_OUTBOUND_PORT } },
    filter_chains: chains,
    use_original_dst: true,
    traffic_direction: 'OUTBOUND',
    ...acceptPerSocketEvent(index),
  };
  if (policy === 'ALLOW_ANY_DYNAMIC_DNS') {
    chains.push({
      name: `${VIRTUAL_OUTBOUND_CATCHALL_TCP_CHAIN}-http`,
      filter_chain_match: { application_protocols: PLAINTEXT_HTTP_ALPNS },
      filters: [
        httpConnectionManager(index, proxy, {
          cls: 'sidecar-outbound',
          statPrefix: statPrefix(`outbound_${VIRTUAL_OUTBOUND}_allow_any_dynamic_dns`),
          protocol: 'HTTP',
          routeConfig: {
            name: 'allow_any_dynamic_dns',
            virtual_hosts: [dynamicDnsCatchAllVirtualHost()],
            validate_clusters: false,
            max_direct_response_body_size_bytes: 1048576,
            ignore_port_in_host_matching: true,
          },
          dynamicForwardProxy: true,
        }),
      ],
    });
    l.listener_filters = [httpInspectorFilter()];
  }
  chains.push({ name: VIRTUAL_OUTBOUND_CATCHALL_TCP_CHAIN, filters: tcpToCluster(index.mesh, catchAllCluster(policy)) });
  return l;
}

/** The catch-all virtual host of ALLOW_ANY_DYNAMIC_DNS (httproute.go buildCatchAllVirtualHost). */
export function dynamicDnsCatchAllVirtualHost() {
  return {
    name: 'allow_any_dynamic_dns',
    domains: ['*'],
    routes: [
      {
        name: 'allow_any_dynamic_dns',
        match: { prefix: '/' },
        route: { cluster: ALLOW_ANY_DYNAMIC_DNS_CLUSTER, timeout: '0s', max_grpc_timeout: '0s' },
      },
    ],
    include_request_attempt_count: true,
  };
}

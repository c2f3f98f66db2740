// Listeners of a router (ingress or egress gateway): one per merged server port
// (pilot/pkg/networking/core/gateway.go buildGatewayListeners, buildGatewayTCPBasedFilterChains,
// createGatewayHTTPFilterChainOpts, createGatewayTCPFilterChainOpts, buildGatewayNetworkFiltersFromTCPRoutes,
// buildGatewayNetworkFiltersFromTLSRoutes, builtAutoPassthroughFilterChains; listener.go buildGatewayListener).

import { securityNetworkFilters, securitySources } from '../../security/index.js';
import type { Filter, FilterChain, Listener, ListenerFilter, TransportSocket } from '../envoy.js';
import { configSources, type IstioConfig, type MeshIndex, type Protocol, type Proxy } from '../../mesh/types.js';
import { dedupeSources, type SourceRef } from '../../manifests/types.js';
import { dnsSrvSubsetKey, listenerName, statPrefix } from '../names.js';
import { httpConnectionManager } from '../filters/http.js';
import { acceptPerSocketEvent } from './accept.js';
import { metadataExchangeNetworkFilter, statsNetworkFilters, tcpProxyFilter } from '../filters/network.js';
import { tlsInspectorFilter } from '../filters/listener.js';
import { hostMatches, hostSubsetOf } from '../../mesh/hosts.js';
import { durationJson } from '../../mesh/durations.js';
import { destinationCluster, lookupService, type Destination } from '../routes/virtualservice.js';
import { gatewayTlsSocket } from '../tls/downstream-gateway.js';
import { parseProtocol, isHttpProtocol } from './protocol.js';
import {
  checkDuplicates,
  isHttpsTerminating,
  isPassthroughServer,
  mergeGateways,
  serverPortKey,
  type GatewayServer,
  type MergedGateway,
  type MergedServer,
} from './gateway-merge.js';

/** Istio's mTLS ALPNs: what an AUTO_PASSTHROUGH chain accepts, so only mesh mTLS reaches it. */
const ALL_ISTIO_MTLS_ALPNS = ['istio', 'istio-peer-exchange', 'istio-http/1.0', 'istio-http/1.1', 'istio-h2'];
/** Internal annotation naming the Gateway API route a VirtualService was generated from. */
const PARENTS_ANNOTATION = 'internal.istio.io/parents';
/** PILOT_GATEWAY_TRANSPORT_SOCKET_CONNECT_TIMEOUT: bounds slow TLS handshakes on gateway chains. */
const TRANSPORT_SOCKET_CONNECT_TIMEOUT = '15s';

interface ChainOpts {
  sniHosts?: string[];
  applicationProtocols?: string[];
  transportSocket?: TransportSocket;
  filters: Filter[];
  sources: SourceRef[];
}

interface L4Match {
  port?: number;
  gateways?: string[];
  sniHosts?: string[];
}

interface L4Route {
  match?: L4Match[];
  route?: { destination: Destination; weight?: number }[];
}

export function buildGatewayListeners(index: MeshIndex, proxy: Proxy): { listeners: Listener[]; provenance: Record<string, SourceRef[]> } {
  const merged = mergeGateways(index, proxy);
  if (!merged) return { listeners: [], provenance: {} };
  return new GatewayListenerBuilder(index, proxy, merged).build();
}

class GatewayListenerBuilder {
  /** SNI hosts claimed by passthrough chains per listener port, so duplicates are dropped. */
  private readonly tlsHostsByPort = new Map<number, Map<string, string>>();
  private readonly unprivileged: boolean;

  constructor(
    private readonly index: MeshIndex,
    private readonly proxy: Proxy,
    private readonly merged: MergedGateway,
  ) {
    this.unprivileged = String(proxy.metadata.UNPRIVILEGED_POD ?? '') === 'true';
  }

  build(): { listeners: Listener[]; provenance: Record<string, SourceRef[]> } {
    const chainsByListener = new Map<string, { bind: string; port: number; chains: ChainOpts[]; sources: SourceRef[] }>();
    for (const port of this.merged.serverPorts) {
      // An unprivileged pod cannot bind below 1024.
      if (this.unprivileged && port.number < 1024) continue;
      const bind = port.bind || '0.0.0.0';
      const name = listenerName(bind, port.number);
      const servers = this.merged.mergedServers.get(serverPortKey(port));
      if (!servers) continue;
      const entry = chainsByListener.get(name) ?? { bind, port: port.number, chains: [], sources: [] };
      chainsByListener.set(name, entry);
      entry.sources.push(...servers.servers.map((s) => s.gateway.source));
      const protocol = parseProtocol(port.protocol);
      if (isHttpProtocol(protocol)) {
        entry.chains.push({
          filters: [this.hcm(statPrefix(`outbound_${name}`), servers.routeName, protocol)],
          sources: [],
        });
        continue;
      }
      for (const ms of servers.servers) {
        if (isHttpsTerminating(ms.server)) {
          entry.chains.push({
            sniHosts: ms.tlsInfo?.sniHosts,
            transportSocket: gatewayTlsSocket(this.index.mesh, ms.server.tls!, false),
            filters: [this.hcm(ms.server.name || statPrefix(`outbound_${name}`), ms.tlsInfo?.routeName ?? '', ms.protocol)],
            sources: [],
          });
        } else {
          entry.chains.push(...this.tcpChains(ms, port.number));
        }
      }
    }

    const listeners: Listener[] = [];
    const provenance: Record<string, SourceRef[]> = {};
    for (const [name, entry] of chainsByListener) {
      // A listener without chains would be rejected; istiod drops it.
      if (entry.chains.length === 0) continue;
      listeners.push(this.listener(name, entry.bind, entry.port, entry.chains));
      provenance[name] = dedupeSources([...entry.sources, ...entry.chains.flatMap((c) => c.sources), ...securitySources(this.index, this.proxy)]);
    }
    return { listeners, provenance };
  }

  private listener(name: string, bind: string, port: number, chains: ChainOpts[]): Listener {
    const listenerFilters: ListenerFilter[] = [];
    if (this.proxyProtocol()) {
      listenerFilters.push({
        name: 'envoy.filters.listener.proxy_protocol',
        typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.listener.proxy_protocol.v3.ProxyProtocol' },
      });
    }
    // The TLS inspector is needed only to read SNI or ALPN.
    if (chains.some((c) => (c.sniHosts?.length ?? 0) > 0 || c.transportSocket)) listenerFilters.push(tlsInspectorFilter());
    return {
      name,
      address: { socket_address: { address: bind, port_value: port } },
      filter_chains: chains.map((c) => this.filterChain(c)),
      ...(listenerFilters.length > 0 ? { listener_filters: listenerFilters } : {}),
      traffic_direction: 'OUTBOUND',
      ...acceptPerSocketEvent(this.index),
    };
  }

  /** filterChainOpts.toFilterChainMatch: no match at all for a match-all chain; "*" drops the SNI match. */
  private filterChain(c: ChainOpts): FilterChain {
    const match: Record<string, unknown> = {};
    const sni = c.sniHosts ?? [];
    if (sni.length > 0 && !sni.includes('*')) match.server_names = [...sni].sort();
    if (c.applicationProtocols?.length) match.application_protocols = c.applicationProtocols;
    return {
      ...(Object.keys(match).length > 0 ? { filter_chain_match: match } : {}),
      filters: c.filters,
      ...(c.transportSocket ? { transport_socket: c.transportSocket } : {}),
      transport_socket_connect_timeout: TRANSPORT_SOCKET_CONNECT_TIMEOUT,
    };
  }

  private proxyProtocol(): boolean {
    const config = this.proxy.metadata.PROXY_CONFIG as { gatewayTopology?: { proxyProtocol?: unknown } } | undefined;
    return config?.gatewayTopology?.proxyProtocol !== undefined;
  }

  private gatewayTopology(): { numTrustedProxies?: number; forwardClientCertDetails?: string } {
    const fromProxy = (this.proxy.metadata.PROXY_CONFIG as { gatewayTopology?: object } | undefined)?.gatewayTopology;
    const fromMesh = (this.index.mesh.defaultConfig as { gatewayTopology?: object } | undefined)?.gatewayTopology;
    return (fromProxy ?? fromMesh ?? {}) as { numTrustedProxies?: number; forwardClientCertDetails?: string };
  }

  /** The shared HCM builder plus the gateway's own settings (buildGatewayConnectionManager). */
  private hcm(prefix: string, routeName: string, protocol: Protocol): Filter {
    const filter = httpConnectionManager(this.index, this.proxy, { cls: 'gateway', statPrefix: prefix, protocol, rds: routeName });
    const topology = this.gatewayTopology();
    const fcc = topology.forwardClientCertDetails && topology.forwardClientCertDetails !== 'UNDEFINED'
      ? topology.forwardClientCertDetails
      : 'SANITIZE_SET';
    const extra: Record<string, unknown> = {
      ...(topology.numTrustedProxies ? { xff_num_trusted_hops: topology.numTrustedProxies } : {}),
      forward_client_cert_details: fcc,
      ...(fcc === 'APPEND_FORWARD' || fcc === 'SANITIZE_SET'
        ? { set_current_client_cert_details: { subject: true, cert: true, dns: true, uri: true } }
        : {}),
      server_name: 'istio-envoy',
      http_protocol_options: {},
    };
    return { ...filter, typed_config: { ...filter.typed_config!, ...extra } };
  }

  /** createGatewayTCPFilterChainOpts: opaque TCP, TLS terminated into TCP, or SNI passthrough. */
  private tcpChains(ms: MergedServer, listenerPort: number): ChainOpts[] {
    const server = ms.server;
    if (!server.tls || !isPassthroughServer(server)) {
      const routed = this.tcpRouteFilters(ms);
      if (!routed) return [];
      if (!server.tls) return [{ filters: routed.filters, sources: routed.sources }];
      return [{
        sniHosts: ms.tlsInfo?.sniHosts,
        transportSocket: gatewayTlsSocket(this.index.mesh, server.tls, true),
        filters: routed.filters,
        sources: routed.sources,
      }];
    }
    if (server.tls.mode === 'AUTO_PASSTHROUGH') return this.autoPassthroughChains(ms.tlsInfo?.sniHosts ?? []);
    return this.tlsPassthroughChains(ms, listenerPort);
  }

  private virtualServices(gatewayName: string): IstioConfig[] {
    return this.index.virtualServicesForGateway(this.proxy.namespace, gatewayName);
  }

  /** buildGatewayNetworkFiltersFromTCPRoutes: the first VS tcp rule matching the server's port and gateway. */
  private tcpRouteFilters(ms: MergedServer): { filters: Filter[]; sources: SourceRef[] } | undefined {
    for (const vs of this.virtualServices(ms.gatewayName)) {
      if (!matchesGatewayHosts(ms.server.hosts, vs)) continue;
      for (const tcp of (vs.spec.tcp ?? []) as L4Route[]) {
        const matches = tcp.match ?? [];
        const applies = matches.length === 0 || matches.some((m) => l4Matches(m, ms.server, ms.gatewayName));
        if (!applies || !tcp.route?.length) continue;
        const includeMx = ms.server.tls?.mode === 'ISTIO_MUTUAL';
        return { filters: this.networkFilters(tcp.route, ms.server.port.number, vs, includeMx), sources: configSources(vs) };
      }
      // A Gateway API TLSRoute becomes a VS with tls rules only; on a terminating server they route as TCP.
      if ((vs.annotations[PARENTS_ANNOTATION] ?? '').startsWith('TLSRoute/') && !isPassthroughServer(ms.server)) {
        for (const tls of (vs.spec.tls ?? []) as L4Route[]) {
          if (!tls.route?.length || !(tls.match ?? []).some((m) => l4Matches(m, ms.server, ms.gatewayName))) continue;
          const includeMx = ms.server.tls?.mode === 'ISTIO_MUTUAL';
          return { filters: this.networkFilters(tls.route, ms.server.port.number, vs, includeMx), sources: configSources(vs) };
        }
      }
    }
    return undefined;
  }

  /** buildGatewayNetworkFiltersFromTLSRoutes (PASSTHROUGH): a chain per VS tls match, keyed by its SNI hosts. */
  private tlsPassthroughChains(ms: MergedServer, listenerPort: number): ChainOpts[] {
    const chains: ChainOpts[] = [];
    const known = this.tlsHostsByPort.get(listenerPort) ?? new Map<string, string>();
    this.tlsHostsByPort.set(listenerPort, known);
    for (const vs of this.virtualServices(ms.gatewayName)) {
      if (!matchesGatewayHosts(ms.server.hosts, vs)) continue;
      for (const tls of (vs.spec.tls ?? []) as L4Route[]) {
        if (!tls.route?.length) continue;
        for (const match of tls.match ?? []) {
          if (!l4Matches(match, ms.server, ms.gatewayName)) continue;
          const sni = match.sniHosts ?? [];
          // Envoy rejects two chains with the same SNI match: the later rule is dropped.
          if (checkDuplicates(sni, ms.server.bind ?? '', known).length > 0) continue;
          chains.push({ sniHosts: sni, filters: this.networkFilters(tls.route, ms.server.port.number, vs, false), sources: configSources(vs) });
        }
      }
    }
    return chains;
  }

  /** builtAutoPassthroughFilterChains: one SNI-DNAT chain per mesh service port (and DR subset) the server hosts cover. */
  private autoPassthroughChains(hosts: string[]): ChainOpts[] {
    const chains: ChainOpts[] = [];
    for (const service of this.index.sidecarScope(this.proxy).services) {
      if (service.meshExternal) continue;
      if (!hosts.some((h) => hostSubsetOf(service.hostname, h))) continue;
      const dr = this.index.destinationRule(this.proxy, service);
      const subsets = ((dr?.spec as { subsets?: { name: string }[] } | undefined)?.subsets ?? []).map((s) => s.name);
      for (const port of service.ports) {
        if (port.protocol === 'UDP') continue;
        for (const subset of ['', ...subsets]) {
          const cluster = dnsSrvSubsetKey('outbound', subset, service.hostname, port.port);
          chains.push({
            sniHosts: [cluster],
            applicationProtocols: ALL_ISTIO_MTLS_ALPNS,
            filters: [...statsNetworkFilters(this.index.mesh), tcpProxyFilter({ statPrefix: cluster, cluster, ...this.tcpSettings(dr?.spec, subset) })],
            sources: [...service.sources, ...(dr ? [dr.source] : [])],
          });
        }
      }
    }
    return chains;
  }

  /** buildOutboundNetworkFilters: tcp_proxy to one cluster, or weighted clusters named after the VS. */
  private networkFilters(routes: { destination: Destination; weight?: number }[], port: number, vs: IstioConfig, includeMx: boolean): Filter[] {
    const first = lookupService(this.index, this.proxy, routes[0].destination.host, vs.namespace);
    const dr = first ? this.index.destinationRule(this.proxy, first) : undefined;
    let tcpProxy: Filter;
    if (routes.length === 1) {
      const cluster = destinationCluster(routes[0].destination, first, port);
      tcpProxy = tcpProxyFilter({ statPrefix: cluster, cluster, ...this.tcpSettings(dr?.spec, routes[0].destination.subset ?? '') });
    } else {
      const weightedClusters = routes
        .filter((r) => (r.weight ?? 0) > 0)
        .map((r) => ({
          name: destinationCluster(r.destination, lookupService(this.index, this.proxy, r.destination.host, vs.namespace), port),
          weight: r.weight!,
        }));
      tcpProxy = tcpProxyFilter({ statPrefix: `${vs.name}.${vs.namespace}`, weightedClusters, ...this.tcpSettings(dr?.spec, '') });
    }
    return [
      ...(includeMx ? [metadataExchangeNetworkFilter()] : []),
      ...securityNetworkFilters(this.index, this.proxy),
      ...statsNetworkFilters(this.index.mesh),
      tcpProxy,
    ];
  }

  /** DR connection-pool timeouts and source-IP hashing for a tcp_proxy (maybeSetHashPolicy). */
  private tcpSettings(spec: unknown, subsetName: string) {
    const dr = spec as DestinationRuleTcp | undefined;
    const tcp = dr?.trafficPolicy?.connectionPool?.tcp;
    let useSourceIp = dr?.trafficPolicy?.loadBalancer?.consistentHash?.useSourceIp === true;
    const subset = dr?.subsets?.find((s) => s.name === subsetName);
    if (subset?.trafficPolicy?.loadBalancer) useSourceIp = subset.trafficPolicy.loadBalancer.consistentHash?.useSourceIp === true;
    const idle = tcp?.idleTimeout ?? (this.proxy.metadata.IDLE_TIMEOUT as string | undefined);
    return {
      ...(idle ? { idleTimeout: durationJson(idle) } : {}),
      ...(tcp?.maxConnectionDuration ? { maxDownstreamConnectionDuration: durationJson(tcp.maxConnectionDuration) } : {}),
      ...(dr && useSourceIp ? { hashBySourceIp: true } : {}),
    };
  }
}

interface DestinationRuleTcp {
  trafficPolicy?: {
    connectionPool?: { tcp?: { idleTimeout?: string; maxConnectionDuration?: string } };
    loadBalancer?: { consistentHash?: { useSourceIp?: boolean } };
  };
  subsets?: { name: string; trafficPolicy?: { loadBalancer?: { consistentHash?: { useSourceIp?: boolean } } } }[];
}

/** pickMatchingGatewayHosts: a VS host matching a server host (a `ns/host` one only for VSs in ns). */
function matchesGatewayHosts(serverHosts: string[], vs: IstioConfig): boolean {
  const vsHosts = (vs.spec.hosts ?? []) as string[];
  return vsHosts.some((vsHost) =>
    serverHosts.some((gwHost) => {
      const slash = gwHost.indexOf('/');
      if (slash >= 0 && gwHost.slice(0, slash) !== vs.namespace) return false;
      return hostMatches(slash >= 0 ? gwHost.slice(slash + 1) : gwHost, vsHost);
    }),
  );
}

/** l4SingleMatch: the match's port and gateways (if set) agree with the server. */
function l4Matches(match: L4Match, server: GatewayServer, gatewayName: string): boolean {
  const portOk = !match.port || match.port === server.port.number;
  const gatewayOk = !match.gateways?.length || match.gateways.includes(gatewayName);
  return portOk && gatewayOk;
}


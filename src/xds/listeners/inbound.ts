// Sidecar inbound: virtualInbound on 15006 with a chain set per service target port and per
// mTLS mode, plus the passthrough chains (pilot/pkg/networking/core/listener_inbound.go,
// filterchain_options.go, pilot/pkg/networking/plugin/authn/authentication.go).

import type { SourceRef } from '../../manifests/types.js';
import type { MeshIndex, MtlsMode, Protocol, Proxy, SidecarScope } from '../../mesh/types.js';
import type { Filter, FilterChain, FilterChainMatch, Listener, TransportSocket } from '../envoy.js';
import { httpConnectionManager } from '../filters/http.js';
import { acceptPerSocketEvent } from './accept.js';
import { inspectorFilters, originalDstFilter } from '../filters/listener.js';
import { metadataExchangeNetworkFilter, networkFilterStack, statsNetworkFilters, tcpProxyFilter } from '../filters/network.js';
import { istioMtlsSocket, serverTlsSocket, type ServerTls } from '../filters/tls.js';
import {
  BLACKHOLE_CLUSTER,
  INBOUND_PASSTHROUGH_CLUSTER,
  VIRTUAL_INBOUND,
  VIRTUAL_INBOUND_BLACKHOLE_CHAIN,
  VIRTUAL_INBOUND_CATCHALL_HTTP_CHAIN,
  VIRTUAL_INBOUND_PORT,
  inboundClusterName,
  listenerName,
  statPrefix,
} from '../names.js';
import { buildInboundRouteConfig } from '../routes/inbound.js';
import { securityNetworkFilters, securitySources } from '../../security/index.js';
import { featureEnabled } from './outbound.js';
import { afterTlsTermination, listenerClass, parseProtocol } from './protocol.js';

const WILDCARD = '0.0.0.0';
const PLAINTEXT_HTTP_ALPNS = ['http/1.1', 'h2c'];
const MTLS_HTTP_ALPNS = ['istio-http/1.0', 'istio-http/1.1', 'istio-h2'];
const ALL_ISTIO_MTLS_ALPNS = ['istio', 'istio-peer-exchange', ...MTLS_HTTP_ALPNS];
const MTLS_TCP_WITH_MXC_ALPNS = ['istio-peer-exchange', 'istio'];

type ChainProtocol = 'HTTP' | 'TCP';

/** FilterChainMatchOptions: one chain of a port, and whether it terminates TLS. */
interface MatchOption {
  alpn?: string[];
  transport: 'tls' | 'raw_buffer';
  protocol: ChainProtocol;
  tls?: boolean;
}

/** getFilterChainMatchOptions: the chains of a port for its listener class and mTLS mode. */
function matchOptions(mode: MtlsMode, cls: 'HTTP' | 'TCP' | 'AUTO'): MatchOption[] {
  if (cls === 'HTTP') {
    if (mode === 'STRICT') return [{ protocol: 'HTTP', transport: 'tls', tls: true }];
    if (mode === 'PERMISSIVE')
      return [
        { alpn: ALL_ISTIO_MTLS_ALPNS, transport: 'tls', protocol: 'HTTP', tls: true },
        { protocol: 'HTTP', transport: 'raw_buffer' },
      ];
    return [{ protocol: 'HTTP', transport: 'raw_buffer' }];
  }
  if (cls === 'AUTO') {
    if (mode === 'STRICT')
      return [
        { alpn: MTLS_HTTP_ALPNS, protocol: 'HTTP', transport: 'tls', tls: true },
        { protocol: 'TCP', transport: 'tls', tls: true },
      ];
    if (mode === 'PERMISSIVE')
      return [
        { alpn: MTLS_HTTP_ALPNS, transport: 'tls', protocol: 'HTTP', tls: true },
        { alpn: PLAINTEXT_HTTP_ALPNS, protocol: 'HTTP', transport: 'raw_buffer' },
        { alpn: MTLS_TCP_WITH_MXC_ALPNS, transport: 'tls', protocol: 'TCP', tls: true },
        { protocol: 'TCP', transport: 'raw_buffer' },
        { transport: 'tls', protocol: 'TCP' },
      ];
    return [
      { alpn: PLAINTEXT_HTTP_ALPNS, protocol: 'HTTP', transport: 'raw_buffer' },
      { protocol: 'TCP', transport: 'raw_buffer' },
    ];
  }
  if (mode === 'STRICT') return [{ protocol: 'TCP', transport: 'tls', tls: true }];
  if (mode === 'PERMISSIVE')
    return [
      { alpn: ALL_ISTIO_MTLS_ALPNS, transport: 'tls', protocol: 'TCP', tls: true },
      { transport: 'tls', protocol: 'TCP' },
      { protocol: 'TCP', transport: 'raw_buffer' },
    ];
  return [{ protocol: 'TCP', transport: 'raw_buffer' }];
}

/** inboundChainConfig. */
interface ChainConfig {
  clusterName: string;
  servicePort: number;
  targetPort: number;
  protocol: Protocol;
  bind: string;
  hostname: string;
  passthrough: boolean;
  bindToPort: boolean;
  tls?: ServerTls;
  sidecarMetadata?: { name: string; namespace: string };
  sources: SourceRef[];
}

const chainName = (cc: ChainConfig, p: ChainProtocol): string =>
  cc.passthrough ? (p === 'HTTP' ? VIRTUAL_INBOUND_CATCHALL_HTTP_CHAIN : VIRTUAL_INBOUND) : listenerName(cc.bind, cc.targetPort);

const chainStatPrefix = (cc: ChainConfig): string =>
  statPrefix(cc.passthrough ? cc.clusterName : `inbound_${listenerName(cc.bind, cc.targetPort)}`);

const classOf = (p: Protocol): 'HTTP' | 'TCP' | 'AUTO' => {
  const c = listenerClass(p);
  return c === 'HTTP' || c === 'TCP' ? c : 'AUTO';
};

function httpFiltersFor(index: MeshIndex, proxy: Proxy, cc: ChainConfig): Filter[] {
  return [
    metadataExchangeNetworkFilter(),
    httpConnectionManager(index, proxy, {
      cls: 'sidecar-inbound',
      statPrefix: chainStatPrefix(cc),
      protocol: cc.protocol,
      routeConfig: buildInboundRouteConfig({
        clusterName: cc.clusterName,
        servicePort: cc.servicePort,
        hostname: cc.hostname,
        protocol: cc.protocol,
      }),
    }),
  ];
}

function tcpFiltersFor(index: MeshIndex, proxy: Proxy, cc: ChainConfig): Filter[] {
  const tcp = tcpProxyFilter({ statPrefix: cc.clusterName, cluster: cc.clusterName });
  return [
    metadataExchangeNetworkFilter(),
    ...securityNetworkFilters(index, proxy),
    ...statsNetworkFilters(index.mesh),
    ...networkFilterStack(cc.protocol, tcp),
  ];
}

/** inboundChainForOpts. */
function chainsFor(index: MeshIndex, proxy: Proxy, cc: ChainConfig, opts: MatchOption[], socketFor: (p: ChainProtocol) => TransportSocket): FilterChain[] {
  return opts.map((opt) => {
    const match: FilterChainMatch = {};
    if (cc.targetPort > 0) match.destination_port = cc.targetPort;
    match.transport_protocol = opt.transport;
    if (opt.alpn) match.application_protocols = opt.alpn;
    const chain: FilterChain = {
      name: chainName(cc, opt.protocol),
      filter_chain_match: match,
      filters: opt.protocol === 'HTTP' ? httpFiltersFor(index, proxy, cc) : tcpFiltersFor(index, proxy, cc),
    };
    if (opt.tls) chain.transport_socket = socketFor(opt.protocol);
    if (cc.sidecarMetadata) {
      chain.metadata = {
        filter_metadata: {
          istio: { config: `/apis/networking.istio.io/v1/namespaces/${cc.sidecarMetadata.namespace}/sidecar/${cc.sidecarMetadata.name}` },
        },
      };
    }
    return chain;
  });
}

/** net.IP.IsGlobalUnicast, roughly: not loopback, link-local, unspecified or multicast. */
function isGlobalUnicast(ip: string): boolean {
  if (ip.includes(':')) return !/^(::1?$|fe80:|ff)/i.test(ip);
  const [a, b] = ip.split('.').map(Number);
  return !(a === 0 || a === 127 || (a === 169 && b === 254) || a >= 224);
}

interface SidecarIngress {
  port: { number: number; protocol?: string; name?: string };
  bind?: string;
  captureMode?: string;
  defaultEndpoint?: string;
  tls?: ServerTls;
}

/** buildInboundChainConfigs: service target ports, or the Sidecar's ingress listeners; by target port. */
function chainConfigs(index: MeshIndex, proxy: Proxy, scope: SidecarScope): ChainConfig[] {
  const byPort = new Map<number, ChainConfig>();
  const ingress = (scope.sidecar?.spec?.ingress ?? []) as SidecarIngress[];
  if (ingress.length === 0) {
    for (const t of index.serviceTargets(proxy)) {
      if (byPort.has(t.targetPort)) continue;
      byPort.set(t.targetPort, {
        clusterName: inboundClusterName(t.targetPort),
        servicePort: t.port.port,
        targetPort: t.targetPort,
        protocol: t.port.protocol,
        bind: WILDCARD,
        hostname: t.service.hostname,
        passthrough: false,
        bindToPort: false,
        sources: t.service.sources,
      });
    }
  } else {
    const sidecar = scope.sidecar!;
    const inboundBind = proxy.ips.find(isGlobalUnicast) ?? WILDCARD;
    for (const i of ingress) {
      const port = i.port.number;
      if (byPort.has(port)) continue;
      const cc: ChainConfig = {
        clusterName: inboundClusterName(port),
        servicePort: port,
        targetPort: port,
        protocol: parseProtocol(i.port.protocol),
        bind: i.bind || inboundBind,
        hostname: `${sidecar.name}.${sidecar.namespace}`,
        passthrough: false,
        bindToPort: i.captureMode === 'NONE',
        sidecarMetadata: { name: sidecar.name, namespace: sidecar.namespace },
        sources: [sidecar.source],
      };
      if (i.tls && featureEnabled(index, 'ENABLE_TLS_ON_SIDECAR_INGRESS')) {
        cc.tls = i.tls;
        cc.protocol = afterTlsTermination(cc.protocol);
      }
      byPort.set(port, cc);
    }
  }
  return [...byPort.values()].sort((a, b) => a.targetPort - b.targetPort);
}

function portChains(index: MeshIndex, proxy: Proxy, cc: ChainConfig): FilterChain[] {
  const mode = index.mtlsMode(proxy, cc.targetPort);
  if (cc.tls && mode === 'DISABLE') {
    const protocol = afterTlsTermination(cc.protocol);
    const c = { ...cc, protocol };
    const cls = listenerClass(protocol) === 'HTTP' ? 'HTTP' : 'TCP';
    const tls = cc.tls;
    return chainsFor(index, proxy, c, [{ protocol: cls, transport: 'tls', tls: true }], (p) => serverTlsSocket(tls, p));
  }
  return chainsFor(index, proxy, cc, matchOptions(mode, classOf(cc.protocol)), istioMtlsSocket);
}

function blackholeChain(index: MeshIndex): FilterChain {
  return {
    name: VIRTUAL_INBOUND_BLACKHOLE_CHAIN,
    filter_chain_match: { destination_port: VIRTUAL_INBOUND_PORT },
    filters: [
      metadataExchangeNetworkFilter(),
      ...statsNetworkFilters(index.mesh),
      tcpProxyFilter({ statPrefix: BLACKHOLE_CLUSTER, cluster: BLACKHOLE_CLUSTER }),
    ],
  };
}

/** buildInboundPassthroughChains: the workload mode, plus one set per portLevelMtls port that serves no service. */
function passthroughChains(index: MeshIndex, proxy: Proxy, configs: ChainConfig[], hasIngress: boolean, ingressPorts: number[]): FilterChain[] {
  const servedPorts = new Set(hasIngress ? ingressPorts : configs.map((c) => c.targetPort));
  const ports = [0, ...(index.mtlsPortLevelPorts?.(proxy) ?? []).filter((p) => !servedPorts.has(p))];
  return ports.flatMap((port) => {
    const mode = index.mtlsMode(proxy, port);
    const cc: ChainConfig = {
      clusterName: INBOUND_PASSTHROUGH_CLUSTER,
      servicePort: 0,
      targetPort: port,
      protocol: '',
      bind: WILDCARD,
      hostname: '',
      passthrough: true,
      bindToPort: false,
      sources: [],
    };
    return chainsFor(index, proxy, cc, matchOptions(mode, 'AUTO'), istioMtlsSocket);
  });
}

function inboundListener(index: MeshIndex, name: string, address: string, port: number, bindToPort: boolean, chains: FilterChain[]): Listener {
  const l: Listener = {
    name,
    address: { socket_address: { address, port_value: port } },
    filter_chains: chains,
    traffic_direction: 'INBOUND',
    continue_on_listener_filters_timeout: true,
    ...acceptPerSocketEvent(index),
  };
  l.listener_filters = [...(bindToPort ? [] : [originalDstFilter()]), ...inspectorFilters(chains)];
  l.listener_filters_timeout = (index.mesh.protocolDetectionTimeout as string | undefined) ?? '0s';
  return l;
}

/** virtualInbound, then listeners of Sidecar ingress ports with captureMode NONE. */
export function buildInboundListeners(index: MeshIndex, proxy: Proxy, scope: SidecarScope) {
  const configs = chainConfigs(index, proxy, scope);
  const ingress = (scope.sidecar?.spec?.ingress ?? []) as SidecarIngress[];
  const virtualChains: FilterChain[] = [];
  const custom: { listener: Listener; sources: SourceRef[] }[] = [];
  const sources: SourceRef[] = [];
  for (const cc of configs) {
    const chains = portChains(index, proxy, cc);
    if (cc.bindToPort) {
      const name = listenerName(cc.bind, cc.targetPort);
      custom.push({ listener: inboundListener(index, name, cc.bind, cc.targetPort, true, chains), sources: cc.sources });
    } else {
      virtualChains.push(...chains);
      sources.push(...cc.sources);
    }
  }
  const all = [
    blackholeChain(index),
    ...passthroughChains(index, proxy, configs, ingress.length > 0, ingress.map((i) => i.port.number)),
    ...virtualChains,
  ];
  const virtual = inboundListener(index, VIRTUAL_INBOUND, WILDCARD, VIRTUAL_INBOUND_PORT, false, all);
  // The PeerAuthentications that set its mTLS modes and the policies behind its RBAC and JWT filters shape every inbound chain.
  const policies = [...(index.peerAuthentications?.(proxy).policies ?? []).map((p) => p.source), ...securitySources(index, proxy)];
  return [{ listener: virtual, sources: [...sources, ...policies] }, ...custom.map((c) => ({ ...c, sources: [...c.sources, ...policies] }))];
}

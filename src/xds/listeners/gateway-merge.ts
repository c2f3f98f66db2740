// The Gateways selecting a router, merged per listener port into one logical gateway
// (pilot/pkg/model/push_context.go mergeGateways, pilot/pkg/model/gateway.go mergeGateways, resolvePorts,
// gatewayRDSRouteName, sanitizeServerHostNamespace, CheckDuplicates, GetSNIHostsForServer).

import type { IstioConfig, MeshIndex, Protocol, Proxy, ServiceTarget } from '../../mesh/types.js';
import { parseProtocol, isHttpProtocol } from './protocol.js';
import type { GatewayServerTls } from '../tls/downstream-gateway.js';

/** A Gateway `servers[]` entry in Istio's JSON form. */
export interface GatewayServer {
  port: { number: number; name?: string; protocol?: string; targetPort?: number };
  bind?: string;
  hosts: string[];
  tls?: GatewayServerTls;
  name?: string;
}

/** A server kept by the merge, with what the listener and route builders need to know about it. */
export interface MergedServer {
  server: GatewayServer;
  /** "ns/name" of the Gateway it came from. */
  gatewayName: string;
  gateway: IstioConfig;
  protocol: Protocol;
  /** For TLS servers: the SNI hosts of its chain and the RDS name of an HTTPS-terminating one. */
  tlsInfo?: { sniHosts: string[]; routeName: string };
}

/** One listener-side port: the resolved (target) port, protocol as written, bind address. */
export interface ServerPort {
  number: number;
  protocol: string;
  bind: string;
}

export interface MergedGateway {
  /** Unique server ports in the order first seen. */
  serverPorts: ServerPort[];
  /** Servers per server port (keyed by serverPortKey) and the RDS name of plain HTTP ones. */
  mergedServers: Map<string, { servers: MergedServer[]; routeName: string }>;
  /** Servers per RDS name, in the order added. */
  serversByRouteName: Map<string, MergedServer[]>;
  /** Gateways that contributed at least one server. */
  gateways: IstioConfig[];
}

export const serverPortKey = (p: ServerPort): string => `${p.number}|${p.protocol}|${p.bind}`;

/** A label on a gateway Service that opts it out of Service port → targetPort translation. */
const DISABLE_PORT_TRANSLATION = 'experimental.istio.io/disable-gateway-port-translation';
/** Internal annotation naming the Services a gateway applies to (set for Gateway API gateways). */
const GATEWAY_SERVICE_ANNOTATION = 'internal.istio.io/gateway-service';

export const isPassthroughServer = (s: GatewayServer): boolean =>
  s.tls?.mode === 'PASSTHROUGH' || s.tls?.mode === 'AUTO_PASSTHROUGH';

/** gateway.IsTLSServer: TLS settings on a non-HTTP port (an HTTP server's tls only holds httpsRedirect). */
export const isTlsServer = (s: GatewayServer): boolean => s.tls !== undefined && !isHttpProtocol(parseProtocol(s.port.protocol));

/** gateway.IsHTTPServer: HTTP protocols, or HTTPS terminated here. */
export const isHttpServer = (s: GatewayServer): boolean => {
  const p = parseProtocol(s.port.protocol);
  return isHttpProtocol(p) || (p === 'HTTPS' && !isPassthroughServer(s));
};

export const isHttpsTerminating = (s: GatewayServer): boolean =>
  s.tls !== undefined && parseProtocol(s.port.protocol) === 'HTTPS' && !isPassthroughServer(s);

/** gatewayRDSRouteName: http.<port>[.<bind>] or https.<serverPort>.<portName>.<gw>.<ns>[.<bind>]; "" otherwise. */
export function gatewayRouteName(s: GatewayServer, resolvedPort: number, gateway: IstioConfig): string {
  const bind = s.bind ? `.${s.bind}` : '';
  const p = parseProtocol(s.port.protocol);
  if (isHttpProtocol(p)) return `http.${resolvedPort}${bind}`;
  if (p === 'HTTPS' && !isPassthroughServer(s)) {
    return `https.${s.port.number}.${s.port.name ?? ''}.${gateway.name}.${gateway.namespace}${bind}`;
  }
  return '';
}

/** sanitizeServerHostNamespace: `./h` → `<ns>/h`, `*\/h` → `h`, `*\/*` → just `*`. */
function sanitizeHosts(hosts: string[], namespace: string): string[] {
  const out: string[] = [];
  for (const h of hosts) {
    const slash = h.indexOf('/');
    if (slash < 0) {
      out.push(h);
      continue;
    }
    const ns = h.slice(0, slash);
    const name = h.slice(slash + 1);
    if (ns === '.') out.push(`${namespace}/${name}`);
    else if (ns === '*') {
      if (name === '*') return ['*'];
      out.push(name);
    } else out.push(h);
  }
  return out;
}

/** GetSNIHostsForServer: hosts without their namespace, deduplicated and sorted. */
export const sniHostsForServer = (s: GatewayServer): string[] =>
  [...new Set(s.hosts.map((h) => (h.includes('/') ? h.split('/')[1] : h)))].sort();

/** CheckDuplicates: hosts already claimed on this bind; when none, claims them all. */
export function checkDuplicates(hosts: string[], bind: string, known: Map<string, string>): string[] {
  const duplicates = hosts.filter((h) => known.has(h) && known.get(h) === bind);
  if (duplicates.length === 0) for (const h of hosts) known.set(h, bind);
  return duplicates;
}

/** resolvePorts: the port(s) a gateway server listens on, from the gateway Services' target ports. */
function resolvePorts(number: number, targets: ServiceTarget[], legacySelector: boolean): number[] {
  const ports: number[] = [];
  for (const t of targets) {
    // Services with the opt-out label only take part when the gateway names them directly.
    if (legacySelector && t.service.labels[DISABLE_PORT_TRANSLATION] !== undefined) continue;
    if (t.port.port !== number) continue;
    // Label-selected gateways resolve to the first match, as Istio always did.
    if (legacySelector) return [t.targetPort];
    if (!ports.includes(t.targetPort)) ports.push(t.targetPort);
  }
  // A label-selected gateway listens on the port as written when no Service port matches;
  // one naming its Services has no fallback: without a match the server is a no-op.
  if (ports.length === 0 && legacySelector) return [number];
  return ports;
}

/** canMergeProtocols: HTTP servers share a port with HTTP servers (or the same protocol). */
const canMergeProtocols = (incoming: Protocol, current: Protocol): boolean =>
  (isHttpProtocol(incoming) || incoming === current) && isHttpProtocol(current);

/** The gateways that apply to the proxy with the service targets each may use for port translation. */
function gatewaysWithTargets(index: MeshIndex, proxy: Proxy): { gateway: IstioConfig; legacySelector: boolean; targets: ServiceTarget[] }[] {
  const targets = index.serviceTargets(proxy);
  const out: { gateway: IstioConfig; legacySelector: boolean; targets: ServiceTarget[] }[] = [];
  for (const gateway of index.gatewaysFor(proxy)) {
    const named = gateway.annotations[GATEWAY_SERVICE_ANNOTATION];
    if (named !== undefined) {
      const hosts = new Set(named.split(','));
      const matching = targets.filter((t) => hosts.has(t.service.hostname) && t.service.namespace === gateway.namespace);
      if (matching.length > 0) out.push({ gateway, legacySelector: false, targets: matching });
    } else {
      out.push({ gateway, legacySelector: true, targets });
    }
  }
  return out;
}

/** Merges the proxy's gateways; undefined when no gateway applies. Warnings name the servers dropped. */
export function mergeGateways(index: MeshIndex, proxy: Proxy, warnings: string[] = []): MergedGateway | undefined {
  const applicable = gatewaysWithTargets(index, proxy);
  if (applicable.length === 0) return undefined;

  const gatewayPorts = new Set<number>();
  const nonPlainTextBinds = new Map<number, Set<string>>();
  const plainTextServers = new Map<number, ServerPort>();
  const tlsHostsByPort = new Map<number, Map<string, string>>();
  const merged: MergedGateway = { serverPorts: [], mergedServers: new Map(), serversByRouteName: new Map(), gateways: [] };

  const addToRoute = (routeName: string, ms: MergedServer, replace: boolean) => {
    const list = replace ? [] : merged.serversByRouteName.get(routeName) ?? [];
    list.push(ms);
    merged.serversByRouteName.set(routeName, list);
  };
  const addPlainTextServer = (ms: MergedServer, port: ServerPort, routeName: string) => {
    if (!isTlsServer(ms.server)) plainTextServers.set(port.number, port);
    if (isHttpServer(ms.server)) addToRoute(routeName, ms, true);
    merged.mergedServers.set(serverPortKey(port), { servers: [ms], routeName });
    merged.serverPorts.push(port);
  };

  for (const { gateway, legacySelector, targets } of applicable) {
    const gatewayName = `${gateway.namespace}/${gateway.name}`;
    const skip = (s: GatewayServer, why: string) => warnings.push(`gateway ${gatewayName}: server ${s.port.name ?? ''} port ${s.port.number} skipped: ${why}`);
    let contributed = false;
    for (const raw of (gateway.spec.servers ?? []) as GatewayServer[]) {
      if (!raw?.port) continue;
      const server: GatewayServer = { ...raw, hosts: sanitizeHosts(raw.hosts ?? [], gateway.namespace) };
      const protocol = parseProtocol(server.port.protocol);
      for (const resolvedPort of resolvePorts(server.port.number, targets, legacySelector)) {
        const routeName = gatewayRouteName(server, resolvedPort, gateway);
        const ms: MergedServer = { server, gatewayName, gateway, protocol };
        const bind = server.bind ?? '';
        if (server.tls) {
          // Two chains matching the same SNI on one listener would be rejected by Envoy.
          const known = tlsHostsByPort.get(resolvedPort) ?? new Map<string, string>();
          tlsHostsByPort.set(resolvedPort, known);
          const duplicates = checkDuplicates(server.hosts, bind, known);
          if (duplicates.length > 0) {
            skip(server, `duplicate hosts ${duplicates.join(', ')}`);
            continue;
          }
          ms.tlsInfo = { sniHosts: sniHostsForServer(server), routeName };
        }
        const serverPort: ServerPort = { number: resolvedPort, protocol: server.port.protocol ?? '', bind };
        if (!gatewayPorts.has(resolvedPort)) {
          gatewayPorts.add(resolvedPort);
          addPlainTextServer(ms, serverPort, routeName);
          contributed = true;
          continue;
        }
        const current = plainTextServers.get(resolvedPort);
        if (current) {
          if (!canMergeProtocols(protocol, parseProtocol(current.protocol)) && current.bind === bind) {
            skip(server, `conflicts with ${current.protocol} server on port ${resolvedPort}`);
            continue;
          }
          if (routeName === '' && current.bind === bind) {
            skip(server, 'no RDS name for a second server on the port');
            continue;
          }
          if (current.bind !== bind) {
            const existing = merged.mergedServers.get(serverPortKey(serverPort));
            if (!existing) addPlainTextServer(ms, serverPort, routeName);
            else {
              existing.routeName = routeName;
              existing.servers.push(ms);
              addToRoute(routeName, ms, false);
            }
          } else {
            merged.mergedServers.get(serverPortKey(current))!.servers.push(ms);
            addToRoute(routeName, ms, false);
          }
          contributed = true;
          continue;
        }
        if (!isTlsServer(server)) {
          plainTextServers.set(resolvedPort, serverPort);
          if (isHttpServer(server)) addToRoute(routeName, ms, true);
          merged.mergedServers.set(serverPortKey(serverPort), { servers: [ms], routeName });
          merged.serverPorts.push(serverPort);
          contributed = true;
          continue;
        }
        if (isHttpServer(server)) {
          if (routeName === '') {
            skip(server, 'no RDS name');
            continue;
          }
          // Each HTTPS server needs its own RDS name to pick out its hosts.
          if (merged.serversByRouteName.has(routeName)) {
            skip(server, `RDS name ${routeName} already used`);
            continue;
          }
          addToRoute(routeName, ms, true);
        }
        const binds = nonPlainTextBinds.get(resolvedPort) ?? new Set<string>();
        const newBind = !binds.has(bind);
        binds.add(bind);
        nonPlainTextBinds.set(resolvedPort, binds);
        if (!server.tls && !newBind) {
          skip(server, 'TLS port without TLS settings');
          continue;
        }
        const existing = merged.mergedServers.get(serverPortKey(serverPort));
        if (existing) existing.servers.push(ms);
        else {
          merged.mergedServers.set(serverPortKey(serverPort), { servers: [ms], routeName: '' });
          merged.serverPorts.push(serverPort);
        }
        contributed = true;
      }
    }
    if (contributed) merged.gateways.push(gateway);
  }
  return merged;
}

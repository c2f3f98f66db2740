// The request tracer: runs a request through a proxy's generated Envoy config the way Envoy matches it
// (listener, listener filters, filter chain, TLS, HTTP route or TCP proxy, cluster, endpoint), then
// follows it to the next proxy of the mesh. Outcomes and defaults follow Istio's simulation
// (pilot/pkg/simulation/traffic.go); it reads only Envoy config, plus the index to find the next proxy.

import type { ProxyRef, TraceHop, TraceMode, TraceOutcome, TraceRequestInput, TraceResult, TraceStep } from '../contract.js';
import type { MeshIndex, Proxy } from '../mesh/types.js';
import { BLACKHOLE_CLUSTER, BLOCK_ALL_VHOST, INBOUND_PASSTHROUGH_CLUSTER, PASSTHROUGH_CLUSTER, parseSubsetKey } from '../xds/names.js';
import type { GeneratedXds } from '../xds/types.js';
import { compileListener, compileXds, type CompiledChain, type CompiledXds } from './compile.js';
import { routeHttp } from './http.js';
import { applyListenerFilters, matchFilterChain, selectListener, type Failure } from './listener.js';
import { outcomeOfError } from './outcome.js';
import { step, toCall, type Call } from './request.js';
import { chooseEndpoint, pickTcpCluster, upstreamTls, type PassedThroughTls } from './upstream.js';
import { authorize, type Peer } from './rbac.js';
import { proxySource, requestSource } from './source.js';

export interface TraceContext {
  /** The mesh behind the config, to follow the request to its next proxy. Without it (one live proxy's
   *  config dump) the trace is one hop: where the request goes next cannot be known from one dump. */
  index?: MeshIndex;
  xdsFor(proxy: Proxy): GeneratedXds;
}

/** Envoy-to-Envoy hops followed at most; a longer path is a routing loop. */
export const MAX_HOPS = 8;

interface Continuation {
  proxy: Proxy;
  mode: TraceMode;
  request: TraceRequestInput;
}

interface HopOutcome {
  hop: TraceHop;
  next?: Continuation;
  /** The request left the mesh to a destination that is not a service of the mesh. */
  leftToExternal: boolean;
}

const proxyRef = (p: Proxy): ProxyRef => ({ id: p.id, type: p.type, namespace: p.namespace, name: p.name });

export const defaultMode = (proxy: Proxy): TraceMode => (proxy.type === 'router' ? 'gateway' : 'outbound');

const isEgressGateway = (p: Proxy): boolean =>
  p.type === 'router' && (p.labels.istio === 'egressgateway' || /egressgateway/.test(p.labels.app ?? '') || /egressgateway/.test(p.name));

const meshProxyIds = new WeakMap<MeshIndex, Set<string>>();

/** The proxy of the mesh (sidecar-injected or gateway pod) that owns an address, if any. */
function meshProxyAt(index: MeshIndex, address: string): Proxy | undefined {
  let ids = meshProxyIds.get(index);
  if (!ids) {
    ids = new Set(index.proxies.map((p) => p.id));
    meshProxyIds.set(index, ids);
  }
  const p = index.proxyByIp(address);
  return p && ids.has(p.id) ? p : undefined;
}

export function traceRequest(ctx: TraceContext, proxy: Proxy, request: TraceRequestInput): TraceResult {
  const hops: TraceHop[] = [];
  const proxies: Proxy[] = [];
  const visited = new Set<string>();
  let current: Continuation = { proxy, mode: request.mode ?? defaultMode(proxy), request };
  let source: Call['source'] = requestSource(ctx.index, request) ?? (current.mode === 'outbound' ? proxySource(ctx.index, proxy) : undefined);
  let leftToExternal = false;
  for (;;) {
    const call = toCall(current.request, current.mode, source);
    const outcome = runHop(ctx, current.proxy, call);
    hops.push(outcome.hop);
    proxies.push(current.proxy);
    leftToExternal = outcome.leftToExternal;
    const next = outcome.next;
    if (!next) break;
    const key = `${next.proxy.id}|${next.mode}|${next.request.address}:${next.request.port}`;
    if (visited.has(key) || hops.length >= MAX_HOPS) {
      outcome.hop.steps.push(
        step('next_hop', null, visited.has(key) ? `loop: ${next.proxy.name} was already reached the same way; trace stopped` : `trace stopped after ${MAX_HOPS} hops (a routing loop?)`),
      );
      break;
    }
    visited.add(key);
    // The next Envoy sees this workload's identity only in the client certificate of Istio mTLS.
    const from = proxySource(ctx.index, current.proxy);
    source = from && outcome.hop.tls !== 'mtls' ? { ...from, principal: undefined } : from;
    current = next;
  }
  const failed = hops.findIndex((h) => h.error);
  return {
    flow: flowOf(hops[0].mode, proxies, leftToExternal),
    hops,
    error: failed < 0 ? null : { ...hops[failed].error!, hop: failed },
    // The request ends where the first hop fails, else where the last hop sent it.
    outcome: hops[failed < 0 ? hops.length - 1 : failed].outcome,
  };
}

function flowOf(firstMode: TraceMode, proxies: Proxy[], leftToExternal: boolean): TraceResult['flow'] {
  const first = proxies[0];
  if (first.type === 'router' && firstMode === 'gateway' && !isEgressGateway(first)) return 'ingress';
  return leftToExternal || proxies.some(isEgressGateway) ? 'egress' : 'mesh';
}

function runHop(ctx: TraceContext, proxy: Proxy, call: Call): HopOutcome {
  const steps: TraceStep[] = [];
  const hop: TraceHop = {
    proxy: proxyRef(proxy),
    mode: call.mode,
    listener: null,
    filterChain: null,
    routeConfig: null,
    virtualHost: null,
    route: null,
    cluster: null,
    endpoint: null,
    tls: null,
    error: null,
    outcome: { kind: 'error' },
    steps,
  };
  const stop = (failure?: Failure & { policy?: string | null }, outcome?: TraceOutcome): HopOutcome => {
    if (failure) hop.error = { code: failure.code, message: failure.message, ...(failure.policy !== undefined ? { policy: failure.policy } : {}) };
    hop.outcome = outcome ?? (failure ? outcomeOfError(failure.code) : { kind: 'error', detail: 'nothing forwards the request' });
    return { hop, leftToExternal: false };
  };
  const fail = (stage: string, failure: Failure): HopOutcome => {
    steps.push(step(stage, null, failure.message));
    return stop(failure);
  };
  const cx = compileXds(ctx.xdsFor(proxy));

  const selected = selectListener(cx, call, steps);
  if ('failure' in selected) return stop(selected.failure);
  const listener = selected.found;
  hop.listener = listener.name;
  const cl = compileListener(listener);
  const { tlsInspected, alpn } = applyListenerFilters(cl, call, steps);
  const matched = matchFilterChain(cl, call, tlsInspected, alpn, steps);
  if ('failure' in matched) return stop(strictRejection(ctx.index, proxy, call, matched.failure));
  const chain = matched.found;
  hop.filterChain = chain.name;

  const tlsFailure = downstreamTls(chain, call, steps);
  if (tlsFailure) return fail('downstream_tls', tlsFailure);

  let clusterName: string;
  let request = call;
  if (chain.hcm) {
    if (call.tls !== 'plaintext' && !chain.downstreamTls) {
      return fail('http', { code: 'PROTOCOL_ERROR', message: `${call.tls} bytes reach the HTTP connection manager of ${chain.label}, which does not terminate TLS` });
    }
    if (call.protocol === 'tcp') {
      return fail('http', { code: 'PROTOCOL_ERROR', message: `non-HTTP (tcp) bytes reach the HTTP connection manager of ${chain.label}` });
    }
    const verdict = authorizeHop(chain, call, steps);
    if (verdict.failure) return stop(verdict.failure);
    // jwt_authn removes a verified token unless its provider forwards it, and may copy claims into headers.
    const claimHeaders = Object.entries(verdict.claimHeaders);
    const headers = claimHeaders.length > 0 ? new Map([...call.headers, ...claimHeaders]) : call.headers;
    const authorized = { ...call, headers, jwt: verdict.jwtForwarded ? call.jwt : undefined };
    let rc = chain.hcm.inline;
    if (rc) {
      steps.push(step('route_config', rc.name, 'inline route_config of the HTTP connection manager'));
    } else {
      const name = chain.hcm.rds ?? '';
      hop.routeConfig = name;
      rc = cx.routeConfigByName.get(name);
      steps.push(step('route_config', rc ? name : null, rc ? 'named by the HTTP connection manager (RDS)' : `RDS names ${name}, which this proxy was not sent`));
    }
    const routing = routeHttp(rc, hop.routeConfig, authorized, steps);
    hop.virtualHost = routing.virtualHost ?? null;
    hop.route = routing.route ?? null;
    if (!routing.forward) {
      stop(routing.failure, routing.outcome);
      // Under REGISTRY_ONLY the catch-all vhost's 502 is an egress attempt blocked.
      return { hop, leftToExternal: routing.virtualHost === BLOCK_ALL_VHOST };
    }
    clusterName = routing.forward.cluster;
    request = routing.forward.call;
  } else if (chain.tcpProxy) {
    const verdict = authorizeHop(chain, call, steps);
    if (verdict.failure) return stop(verdict.failure);
    const tcp = chain.tcpProxy;
    clusterName = tcp.weightedClusters ? pickTcpCluster(tcp.weightedClusters, call.randomValue, steps) : (tcp.cluster ?? '');
    steps.push(step('tcp_proxy', clusterName, tcp.weightedClusters ? 'tcp_proxy weighted_clusters' : 'tcp_proxy cluster'));
  } else {
    steps.push(step('network_filters', null, `filter chain ${chain.label} has neither an HTTP connection manager nor tcp_proxy: nothing forwards the request`));
    return stop();
  }
  hop.cluster = clusterName;
  // tcp_proxy on a chain that did not terminate TLS forwards the client's TLS bytes as they are.
  const passedThrough = chain.tcpProxy && !chain.downstreamTls && call.tls !== 'plaintext' ? { tls: call.tls, sni: call.sni } : undefined;
  return forward(ctx, cx, proxy, hop, request, clusterName, passedThrough);
}

/** A plaintext request that no inbound chain takes because mTLS is STRICT: name the PeerAuthentication that made it so (provenance). */
function strictRejection(index: MeshIndex | undefined, proxy: Proxy, call: Call, failure: Failure): Failure {
  if (!index || call.mode !== 'inbound' || call.tls !== 'plaintext' || proxy.type !== 'sidecar' || index.mtlsMode(proxy, call.port) !== 'STRICT') return failure;
  const from = index.peerAuthentications?.(proxy, call.port).modeFrom;
  return from ? { ...failure, message: `${failure.message}: mTLS is STRICT on port ${call.port} by PeerAuthentication ${from.namespace}/${from.name}` } : failure;
}

/** The chain's jwt_authn, RBAC and ext_authz filters on the request; the peer identity only where the chain terminated mTLS. */
function authorizeHop(chain: CompiledChain, call: Call, steps: TraceStep[]) {
  const principal = call.source?.principal;
  const peer: Peer =
    call.tls === 'mtls' && chain.downstreamTls?.requiresMtls && principal
      ? { principal }
      : { noPrincipal: call.tls !== 'mtls' ? `${call.tls} connection` : !chain.downstreamTls ? 'this chain does not terminate mTLS' : 'the client workload is unknown' };
  return authorize(chain.chain, call, peer, call.jwt, steps);
}

/** TLS termination on the chosen chain, as the simulation judges it. */
function downstreamTls(chain: CompiledChain, call: Call, steps: TraceStep[]): Failure | undefined {
  const tls = chain.downstreamTls;
  if (!tls) return undefined;
  if (call.tls === 'plaintext') {
    return { code: 'TLS_ERROR', message: `filter chain ${chain.label} terminates TLS, but the request is plaintext` };
  }
  if (tls.requiresMtls !== (call.tls === 'mtls')) {
    return {
      code: 'MTLS_ERROR',
      message: tls.requiresMtls
        ? `filter chain ${chain.label} requires Istio mTLS (client certificate, mesh certificate "default"); the request is ${call.tls}`
        : `filter chain ${chain.label} terminates TLS without requiring an Istio client certificate; the request is mTLS`,
    };
  }
  steps.push(
    step('downstream_tls', chain.downstreamTls?.certificate ?? 'tls', tls.requiresMtls ? 'terminates Istio mTLS (client certificate required)' : 'terminates TLS'),
  );
  return undefined;
}

function forward(
  ctx: TraceContext,
  cx: CompiledXds,
  proxy: Proxy,
  hop: TraceHop,
  call: Call,
  clusterName: string,
  passedThrough?: PassedThroughTls,
): HopOutcome {
  const { steps } = hop;
  const cluster = cx.clusterByName.get(clusterName);
  if (!cluster) {
    steps.push(step('cluster', null, `cluster ${clusterName} is not in this proxy's config: Envoy answers 503`));
    hop.outcome = { kind: 'error', status: 503, detail: `cluster ${clusterName || '(none)'} not found` };
    return { hop, leftToExternal: false };
  }
  hop.outcome = upstreamOutcome(clusterName);
  steps.push(step('cluster', cluster.name, `discovery type ${cluster.type ?? cluster.cluster_type?.name ?? 'STATIC'}`));
  const endpoint = chooseEndpoint(cx, cluster, call, steps);
  // No endpoint: a mesh service with none is still mesh traffic; BlackHoleCluster is a blocked egress.
  if (!endpoint) {
    if (hop.outcome.kind !== 'blackhole') hop.outcome = { kind: 'error', status: 503, detail: `no healthy upstream in ${clusterName}` };
    return { hop, leftToExternal: !isMeshService(ctx.index, cx, clusterName) };
  }
  const upstream = upstreamTls(cluster, endpoint, call.protocol, steps, passedThrough);
  hop.tls = upstream.tls;
  hop.endpoint = { address: endpoint.address, port: endpoint.port };
  if (call.mode === 'inbound') {
    steps.push(step('next_hop', null, `inbound: delivered to the workload of ${proxy.name} at ${endpoint.address}:${endpoint.port}`));
    return { hop, leftToExternal: false };
  }
  if (!ctx.index) {
    steps.push(step('next_hop', null, `${endpoint.address}:${endpoint.port}: the next hop cannot be known from one proxy's config dump`));
    return { hop, leftToExternal: !isMeshService(undefined, cx, clusterName) };
  }
  const next = endpoint.hostname ? undefined : meshProxyAt(ctx.index, endpoint.address);
  if (!next) {
    const external = !isMeshService(ctx.index, cx, clusterName);
    steps.push(
      step(
        'next_hop',
        null,
        `${endpoint.address}:${endpoint.port} is not a proxy of the mesh: the request leaves the mesh${external ? ' to a destination outside it' : ' to a workload without a sidecar'}`,
      ),
    );
    return { hop, leftToExternal: external };
  }
  if (next.pod) hop.endpoint.pod = next.pod;
  const mode: TraceMode = next.type === 'router' ? 'gateway' : 'inbound';
  steps.push(step('next_hop', next.name, `${endpoint.address} is ${next.type === 'router' ? 'a gateway pod: continues in gateway mode' : 'a pod with a sidecar: continues in inbound mode'}`));
  const request: TraceRequestInput = {
    mode,
    address: endpoint.address,
    port: endpoint.port,
    protocol: upstream.protocol,
    tls: upstream.tls,
    sni: upstream.sni,
    host: call.host,
    path: call.path,
    method: call.method,
    headers: Object.fromEntries(call.headers),
    ...(call.jwt ? { jwt: call.jwt } : {}),
  };
  return { hop, next: { proxy: next, mode, request }, leftToExternal: false };
}

/** Where a hop that forwards sends the request, by the cluster it chose. */
function upstreamOutcome(clusterName: string): TraceOutcome {
  if (clusterName === BLACKHOLE_CLUSTER) return { kind: 'blackhole', detail: `${BLACKHOLE_CLUSTER}: the connection is dropped` };
  if (clusterName === PASSTHROUGH_CLUSTER || clusterName === INBOUND_PASSTHROUGH_CLUSTER) return { kind: 'passthrough', detail: `${clusterName}: to the original destination` };
  return { kind: 'upstream' };
}

/**
 * Whether a cluster names a service of the mesh itself (not a ServiceEntry marked MESH_EXTERNAL, not
 * passthrough). Without the mesh, the cluster says it: istiod marks a mesh-internal service's clusters
 * with the istio-mTLS transport socket match (tlsMode-istio) and leaves MESH_EXTERNAL ones without.
 */
function isMeshService(index: MeshIndex | undefined, cx: CompiledXds, clusterName: string): boolean {
  const key = parseSubsetKey(clusterName);
  if (key === undefined) return false;
  if (index) return (index.servicesByHost.get(key.host) ?? []).some((s) => !s.meshExternal);
  return (cx.clusterByName.get(clusterName)?.transport_socket_matches ?? []).some((m) => m.name === 'tlsMode-istio');
}

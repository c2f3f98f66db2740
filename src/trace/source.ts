// Who sends a traced request, for the policy checks of each hop (contract "Trace additions"): the
// request's `source`, else on hop 0 of a sidecar in outbound mode the sidecar's own workload; on later
// hops the previous hop's workload, whose identity Envoy sees only when that hop sent Istio mTLS.

import type { TraceRequestInput } from '../contract.js';
import type { MeshIndex, Proxy } from '../mesh/types.js';
import { parseIp } from './ip.js';
import type { Call } from './request.js';

/**
 * The SPIFFE identity of a workload's certificate: spiffe://<trust domain>/ns/<ns>/sa/<service account>.
 * Without a mesh (a live config dump), Istio's default trust domain.
 */
export const workloadPrincipal = (index: MeshIndex | undefined, namespace: string, serviceAccount?: string): string =>
  `spiffe://${index?.mesh.trustDomain ?? 'cluster.local'}/ns/${namespace}/sa/${serviceAccount || 'default'}`;

/** A proxy as the source of the next hop. */
export const proxySource = (index: MeshIndex | undefined, proxy: Proxy): NonNullable<Call['source']> | undefined => {
  const ip = proxy.ips[0];
  return ip ? { address: ip, ip: parseIp(ip), principal: workloadPrincipal(index, proxy.namespace, proxy.serviceAccount) } : undefined;
};

/** The request's `source`: a pod of the mesh, or a principal / namespace / ip. */
export function requestSource(index: MeshIndex | undefined, input: TraceRequestInput): Call['source'] | undefined {
  const s = input.source;
  if (!s) return undefined;
  if ('pod' in s) {
    const [namespace, name] = s.pod.includes('/') ? s.pod.split('/', 2) : ['default', s.pod];
    const proxy = index?.proxies.find((p) => p.pod === `${namespace}/${name}`);
    return proxy ? proxySource(index, proxy) : undefined;
  }
  const principal = s.principal
    ? s.principal.startsWith('spiffe://') ? s.principal : `spiffe://${s.principal}`
    : s.namespace ? workloadPrincipal(index, s.namespace) : undefined;
  const address = s.ip ?? '';
  return { address, ip: address ? parseIp(address) : undefined, principal };
}

// Istio host name semantics (pkg/config/host/name.go) and the domain forms of a service
// (pilot/pkg/networking/core/httproute.go GenerateAltVirtualHosts), shared by sidecar listeners and routes.

export const isWildcard = (h: string): boolean => h.startsWith('*');

/** host.Name.Matches: true when either name covers the other. */
export function hostsMatch(a: string, b: string): boolean {
  const aw = isWildcard(a);
  const bw = isWildcard(b);
  if (aw && bw) return a.length > b.length ? a.endsWith(b.slice(1)) : b.endsWith(a.slice(1));
  if (aw) return b.endsWith(a.slice(1));
  if (bw) return a.endsWith(b.slice(1));
  return a === b;
}

/** host.Name.SubsetOf: every name matched by a is matched by b. */
export function hostSubsetOf(a: string, b: string): boolean {
  if (isWildcard(b)) {
    if (isWildcard(a)) return a.endsWith(b.slice(1));
    return a.endsWith(b.slice(1));
  }
  return a === b;
}

/** The proxy's DNS domain, "<ns>.svc.cluster.local" (model.Proxy.DNSDomain). */
export const proxyDnsDomain = (namespace: string): string => `${namespace}.svc.cluster.local`;

function kubernetesAltHosts(hostname: string, proxyDomain: string): string[] {
  const proxyNs = proxyDomain.slice(0, proxyDomain.indexOf('.svc.'));
  const ih = hostname.indexOf('.svc.');
  if (ih <= 0) return [];
  const ns = hostname.indexOf('.');
  if (ns + 1 >= hostname.length || ns + 1 > ih) return [];
  if (hostname.slice(ns + 1, ih) === proxyNs) {
    return [hostname.slice(0, ns), `${hostname.slice(0, ih)}.svc`, hostname.slice(0, ih)];
  }
  return [hostname.slice(0, ih), `${hostname.slice(0, ih)}.svc`];
}

/** Alternate names of a host without ports: absolute FQDN, then the short Kubernetes forms. */
export function altHosts(hostname: string, proxyDomain: string): string[] {
  const out: string[] = [];
  if (!/^[0-9.]+$/.test(hostname) && !hostname.includes(':')) out.push(`${hostname}.`);
  if (proxyDomain.includes('.svc.')) {
    if (hostname.endsWith(proxyDomain.slice(proxyDomain.indexOf('.svc.')))) out.push(...kubernetesAltHosts(hostname, proxyDomain));
    return out;
  }
  const h = hostname.split('.').reverse();
  const d = proxyDomain.split('.').reverse();
  let shared = 0;
  while (shared < Math.min(h.length, d.length) && h[shared] === d[shared]) shared++;
  if (shared === 0) return out;
  const unique = h.slice(shared).reverse();
  out.push(unique.join('.'));
  if (unique.length === 2) out.push(`${unique.join('.')}.${d[shared - 1]}`);
  return out;
}

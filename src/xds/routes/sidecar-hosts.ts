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

/**
 * The namespace whose proxies get the short names of a host ("reviews", "reviews.shop.svc"): its
 * altHosts are the same for the proxies of every other namespace. Undefined when no namespace's differ.
 */
export function shortNamesNamespace(hostname: string): string | undefined {
  if (!hostname.endsWith(proxyDnsDomain(''))) return undefined;
  const ih = hostname.indexOf('.svc.');
  const ns = hostname.indexOf('.');
  if (ih <= 0 || ns + 1 >= hostname.length || ns + 1 > ih) return undefined;
  return hostname.slice(ns + 1, ih);
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

/**
 * Host names indexed for the lookups istiod does by scanning every host (the wildcard VirtualService
 * index, separateVSHostsAndServices, the TCP listener's VS lookup): each query costs about the number
 * of distinct wildcard lengths plus its answers, not the number of hosts, so a mesh of thousands of
 * wildcard ServiceEntries and VirtualServices builds in linear time. Answers are positions in the
 * input order, ascending, so callers keep istiod's iteration order.
 */
export class HostIndex {
  private readonly exact = new Map<string, number[]>();
  /** Wildcard hosts by their suffix ("*.a.com" → ".a.com", "*" → ""). */
  private readonly bySuffix = new Map<string, number[]>();
  private readonly suffixLengths: number[];
  /** Every host reversed, sorted: the hosts ending with a suffix are one range (built for the first wildcard query). */
  private reversedHosts?: { key: string; at: number }[];

  constructor(private readonly hosts: readonly string[]) {
    const lengths = new Set<number>();
    hosts.forEach((h, at) => {
      const map = isWildcard(h) ? this.bySuffix : this.exact;
      const key = isWildcard(h) ? h.slice(1) : h;
      if (isWildcard(h)) lengths.add(key.length);
      const list = map.get(key);
      if (list) list.push(at);
      else map.set(key, [at]);
    });
    this.suffixLengths = [...lengths];
  }

  private get reversed(): { key: string; at: number }[] {
    return (this.reversedHosts ??= this.hosts.map((h, at) => ({ key: reverse(h), at })).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.at - b.at)));
  }

  /** Positions of the hosts h with hostSubsetOf(name, h): name itself, or a wildcard covering it. */
  covering(name: string): number[] {
    const out = [...(isWildcard(name) ? [] : (this.exact.get(name) ?? []))];
    for (const len of this.suffixLengths) {
      if (len > name.length) continue;
      out.push(...(this.bySuffix.get(name.slice(name.length - len)) ?? []));
    }
    return sortedUnique(out);
  }

  /** Positions of the hosts h with hostsMatch(h, name). */
  matching(name: string): number[] {
    if (!isWildcard(name)) return this.covering(name);
    const suffix = name.slice(1);
    const out: number[] = [];
    // Hosts ending with the suffix: concrete ones, and wildcards longer than name.
    for (const at of this.endingWith(suffix)) if (!isWildcard(this.hosts[at]) || this.hosts[at].length > name.length) out.push(at);
    // Wildcards no longer than name that cover it.
    for (const len of this.suffixLengths) {
      if (len > name.length - 1) continue;
      out.push(...(this.bySuffix.get(name.slice(name.length - len)) ?? []));
    }
    return sortedUnique(out);
  }

  private endingWith(suffix: string): number[] {
    const prefix = reverse(suffix);
    const reversed = this.reversed;
    let lo = 0;
    let hi = reversed.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (reversed[mid].key < prefix) lo = mid + 1;
      else hi = mid;
    }
    const out: number[] = [];
    for (let i = lo; i < reversed.length && reversed[i].key.startsWith(prefix); i++) out.push(reversed[i].at);
    return out;
  }
}

const reverse = (s: string): string => [...s].reverse().join('');
const sortedUnique = (xs: number[]): number[] => [...new Set(xs)].sort((a, b) => a - b);

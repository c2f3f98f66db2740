// Hostname rules of Istio's config model: wildcard matching (pkg/config/host/name.go) and
// short-name qualification (pilot/pkg/model/config.go ResolveShortnameToFQDN, resolveGatewayName).

export const isWildcard = (h: string): boolean => h.startsWith('*');

/** host.Name.SubsetOf: every name h matches is also matched by o. */
export function hostSubsetOf(h: string, o: string): boolean {
  if (h === o) return true;
  if (!isWildcard(o)) return false;
  const suffix = o.slice(1);
  return isWildcard(h) ? h.slice(1).endsWith(suffix) : h.endsWith(suffix);
}

/** host.Name.Matches: the two names share at least one concrete host (bidirectional). */
export function hostMatches(a: string, b: string): boolean {
  if (a === b) return true;
  const aw = isWildcard(a);
  const bw = isWildcard(b);
  if (aw && bw) {
    const as = a.slice(1);
    const bs = b.slice(1);
    return as.length > bs.length ? as.endsWith(bs) : bs.endsWith(as);
  }
  if (aw) return b.endsWith(a.slice(1));
  if (bw) return a.endsWith(b.slice(1));
  return false;
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;
export const isIpAddress = (s: string): boolean => IPV4.test(s) || (s.includes(':') && /^[0-9a-fA-F:.]+$/.test(s));

/** ResolveShortnameToFQDN: `reviews` in ns `default` → `reviews.default[.svc.<domain>]`. */
export function resolveShortname(hostname: string, namespace: string, domain: string): string {
  if (!hostname || hostname === '*' || isIpAddress(hostname) || hostname.includes('.')) return hostname;
  let out = namespace ? `${hostname}.${namespace}` : hostname;
  if (domain) out += `.svc.${domain}`;
  return out;
}

/** resolveGatewayName: `gw`, `./gw`, `gw.ns.svc.cluster.local` → `ns/gw`; `mesh` stays. */
export function resolveGatewayName(gateway: string, namespace: string): string {
  if (gateway === 'mesh') return gateway;
  if (!gateway.includes('/')) {
    const dot = gateway.indexOf('.');
    if (dot < 0) return `${namespace}/${gateway}`;
    const rest = gateway.slice(dot + 1);
    const next = rest.indexOf('.');
    return `${next < 0 ? rest : rest.slice(0, next)}/${gateway.slice(0, dot)}`;
  }
  const [ns, name] = gateway.split('/', 2);
  return ns === '.' ? `${namespace}/${name}` : gateway;
}

/** Labels selector ⊆ labels (labels.Instance.SubsetOf). */
export function labelsMatch(selector: Record<string, string> | undefined, labels: Record<string, string>): boolean {
  if (!selector) return true;
  for (const k of Object.keys(selector)) if (labels[k] !== selector[k]) return false;
  return true;
}

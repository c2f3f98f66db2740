// `istioctl proxy-config routes` (istioctl/pkg/writer/envoy/configdump/route.go PrintRouteSummary).

import type { Route, RouteConfiguration } from '../xds/envoy.js';
import { goSortSlice } from '../util/go-sort.js';
import { describeRouteMatch } from './listeners.js';
import { atoi, describeManagement } from './management.js';
import { tabwrite, TABLE } from './tabwriter.js';
import { tableLines, type KindOutput, type ProxyConfigFilter, type WriterOptions } from './types.js';

const PASSTHROUGH_CLUSTER = 'PassthroughCluster';
const isPassthrough = (r: Route): boolean => r.route?.cluster === PASSTHROUGH_CLUSTER;

/**
 * retrieveSortedRouteSlice: numeric names (ports) in order; any comparison with a name that is not a
 * number is "not less" both ways, so where those end up is Go's sort.Slice's doing.
 */
export function sortedRoutes(routes: RouteConfiguration[]): RouteConfiguration[] {
  return goSortSlice([...routes], (a, b) => {
    const i = atoi(a.name ?? '');
    const j = atoi(b.name ?? '');
    return i !== undefined && j !== undefined && i < j;
  });
}

export const filteredRoutes = (routes: RouteConfiguration[], filter: ProxyConfigFilter): RouteConfiguration[] =>
  sortedRoutes(routes).filter((rc) => !filter.name || rc.name === filter.name);

/** unexpandDomains: a name.svc.cluster.local or name.svc form is dropped when the shorter form is listed too. */
function unexpandDomains(domains: string[]): string[] {
  const unique = new Set(domains);
  const drop = new Set<string>();
  for (const h of domains) {
    for (const suffix of ['.svc.cluster.local', '.svc']) {
      const stripped = h.endsWith(suffix) ? h.slice(0, -suffix.length) : h;
      if (stripped !== h && unique.has(stripped)) drop.add(h);
    }
  }
  return domains.filter((h) => !drop.has(h));
}

/** describeRouteDomains: one domain as is; else those without a port (a bare IPv6 literal kept), two shown and a count. */
export function describeRouteDomains(domains: string[] | undefined): string {
  if (!domains?.length) return '';
  if (domains.length === 1) return domains[0];
  const withoutPort = domains.filter((d) => !d.includes(':') || ((d.match(/:/g)?.length ?? 0) > 2 && d.endsWith(']')));
  const kept = unexpandDomains(withoutPort);
  return kept.length > 2 ? `${kept.slice(0, 2).join(', ')} + ${kept.length - 2} more...` : kept.join(', ');
}

export function routesSummary(routes: RouteConfiguration[], { filter, verbose, includeConfigType }: WriterOptions): KindOutput {
  const headers = verbose ? ['NAME', 'VHOST NAME', 'DOMAINS', 'MATCH', 'VIRTUAL SERVICE'] : ['NAME', 'VIRTUAL HOSTS'];
  const rows: string[][] = [];
  for (const rc of filteredRoutes(routes, filter)) {
    const name = includeConfigType ? `route/${rc.name ?? ''}` : (rc.name ?? '');
    if (!verbose) {
      rows.push([name, String(rc.virtual_hosts?.length ?? 0)]);
      continue;
    }
    for (const vh of rc.virtual_hosts ?? []) {
      const domains = describeRouteDomains(vh.domains);
      for (const r of vh.routes ?? []) {
        if (!isPassthrough(r)) rows.push([name, vh.name ?? '', domains, describeRouteMatch(r.match), describeManagement(r.metadata)]);
      }
      if (!vh.routes?.length) rows.push([name, vh.name ?? '', domains, '/*', '404']);
    }
  }
  return { kind: 'routes', headers, rows, text: tabwrite(tableLines(headers, rows), TABLE) };
}

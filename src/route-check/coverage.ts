// Route coverage as router_check_tool counts it (test/tools/router_check/coverage.cc): a route object
// (each cluster of weighted_clusters is one) is covered when a test asserted a field of it that matched;
// basic = covered objects / route objects, detailed = the share of each covered object's fields
// (5 for a forwarding route, 2 for a redirect or direct response), summed, / route objects.

import type { RouteConfiguration } from '../xds/envoy.js';
import type { RouteCoverageReport, UncoveredRoute } from './types.js';

export type CoveredField = 'cluster' | 'virtual_cluster' | 'virtual_host' | 'path_rewrite' | 'host_rewrite' | 'redirect_path' | 'redirect_code';

/** A route object the tool tracks: a forwarding entry, or a direct-response (redirect) entry. */
export interface RouteObject {
  key: string;
  kind: 'forward' | 'direct';
  /** Position of the configured route it belongs to, absent for require_tls's synthesised redirect. */
  at?: { virtualHost: number; route: number };
}

const FIELDS = { forward: 5, direct: 2 };

/** Route objects of a configuration: one per route, one per weighted cluster. */
export const routeObjectCount = (rc: RouteConfiguration): number =>
  (rc.virtual_hosts ?? []).reduce(
    (sum, vh) => sum + (vh.routes ?? []).reduce((n, r) => n + (r.route?.weighted_clusters?.clusters?.length || 1), 0),
    0,
  );

export class RouteCoverage {
  private readonly covered = new Map<string, { object: RouteObject; fields: Set<CoveredField> }>();

  mark(object: RouteObject, field: CoveredField): void {
    let entry = this.covered.get(object.key);
    if (!entry) {
      entry = { object, fields: new Set() };
      this.covered.set(object.key, entry);
    }
    entry.fields.add(field);
  }

  /** Which configured routes a set of route positions covers: "vhost index/route index". */
  coveredRoutes(): Set<string> {
    const out = new Set<string>();
    for (const { object } of this.covered.values()) if (object.at) out.add(`${object.at.virtualHost}/${object.at.route}`);
    return out;
  }

  report(rc: RouteConfiguration, mode: 'basic' | 'detailed'): RouteCoverageReport {
    const total = routeObjectCount(rc);
    let sum = 0;
    for (const { object, fields } of this.covered.values()) sum += mode === 'basic' ? 1 : fields.size / FIELDS[object.kind];
    return { percent: total ? (100 * sum) / total : 0, uncovered: uncoveredRoutes(rc, this.coveredRoutes()) };
  }
}

/** The configured routes no covered object belongs to, by name, or by index when unnamed. */
export function uncoveredRoutes(rc: RouteConfiguration, covered: Set<string>): UncoveredRoute[] {
  const out: UncoveredRoute[] = [];
  (rc.virtual_hosts ?? []).forEach((vh, v) =>
    (vh.routes ?? []).forEach((r, i) => {
      if (!covered.has(`${v}/${i}`)) out.push({ virtual_host: vh.name, route: r.name || i });
    }),
  );
  return out;
}

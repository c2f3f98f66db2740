// References that istiod accepts but Envoy cannot serve, reported as `istioctl analyze` does
// (IST0101 ReferencedResourceNotFound): a route to a host the mesh does not know, or to a subset no
// DestinationRule defines, which Envoy answers with 503.

import type { IstioConfig, Service } from './types.js';

interface RouteDestination {
  destination?: { host?: string; subset?: string };
}

/** Warnings for every destination of VirtualService routes that points at nothing. */
export function unresolvedDestinations(
  virtualServices: IstioConfig[],
  destinationRules: IstioConfig[],
  servicesByHost: Map<string, Service[]>,
): string[] {
  const subsetsByHost = new Map<string, Set<string>>();
  for (const dr of destinationRules) {
    const subsets = subsetsByHost.get(dr.spec.host) ?? new Set<string>();
    for (const s of dr.spec.subsets ?? []) subsets.add(s.name);
    subsetsByHost.set(dr.spec.host, subsets);
  }
  const warnings: string[] = [];
  for (const vs of virtualServices) {
    for (const kind of ['http', 'tcp', 'tls'] as const) {
      (vs.spec[kind] ?? []).forEach((rule: { route?: RouteDestination[] }, i: number) => {
        (rule.route ?? []).forEach((r, j) => {
          const { host, subset } = r.destination ?? {};
          if (!host || host.includes('*')) return;
          const where = `VirtualService ${vs.namespace}/${vs.name}: spec.${kind}[${i}].route[${j}].destination`;
          if (!servicesByHost.has(host)) warnings.push(`${where}: host ${host} is not a service of the mesh (Envoy answers 503)`);
          else if (subset && !subsetsByHost.get(host)?.has(subset)) {
            warnings.push(`${where}: subset ${subset} of ${host} is defined by no DestinationRule (Envoy answers 503)`);
          }
        });
      });
    }
  }
  return warnings;
}

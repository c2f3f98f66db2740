// virtualservice.JWTClaimRouteAnalyzer (analyzers/virtualservice/jwtclaimroute.go): routing on a JWT claim
// (`@request.auth.claims.*` headers) at a gateway only works where a RequestAuthentication validates the token.

import type { Analyzer } from '../analyzer.js';
import { KINDS, labelsOf, list, record, selects, specOf, str } from '../context.js';

/** jwt.ToRoutingClaim(key).Match: a header name that stands for a JWT claim. */
const isClaimKey = (key: string): boolean => key.startsWith('@request.auth.claims.') || key.startsWith('@request.auth.claims[');

export const jwtClaimRouteAnalyzer: Analyzer = {
  name: 'virtualservice.JWTClaimRouteAnalyzer',
  description: 'Checks the VirtualService using JWT claim based routing has corresponding RequestAuthentication',
  analyze(c) {
    const raSelectors = new Map<string, Record<string, any>[]>();
    for (const ra of c.all(KINDS.RequestAuthentication)) {
      const ns = ra.metadata.namespace;
      raSelectors.set(ns, [...(raSelectors.get(ns) ?? []), record(record(specOf(ra).selector).matchLabels)]);
    }
    for (const vs of c.all(KINDS.VirtualService)) {
      const matches = list(specOf(vs).http).flatMap((r) => list(record(r).match).map(record));
      const claim = matches.flatMap((m) => [...Object.keys(record(m.headers)), ...Object.keys(record(m.withoutHeaders))]).find(isClaimKey);
      if (!claim) continue;
      for (const gwName of list(specOf(vs).gateways).map(str)) {
        if (gwName === 'mesh') continue;
        const [ns, name] = gwName.includes('/') ? gwName.split('/', 2) : [vs.metadata.namespace, gwName];
        const gw = c.find(KINDS.Gateway, ns, name);
        if (!gw) continue;
        for (const pod of c.workloadPods()) {
          const podLabels = labelsOf(pod);
          if (!selects(record(specOf(gw).selector), podLabels)) continue;
          const selectors = [...(raSelectors.get('istio-system') ?? []), ...(raSelectors.get(pod.metadata.namespace) ?? [])];
          if (selectors.some((s) => selects(s, podLabels))) continue;
          c.report(vs, 'JwtClaimBasedRoutingWithoutRequestAuthN', `The VirtualService routes on the JWT claim "${claim}" through gateway ${ns}/${name}, but no RequestAuthentication applies to its pod ${pod.metadata.name}: the claim is never set`, 'spec.http');
        }
      }
    }
  },
};

// deprecation.DeprecationAnalyzer (analyzers/deprecation/deprecation.go): deprecated fields (fault delay
// `percent`, Sidecar outboundTrafficPolicy.egressProxy) and removed rbac.istio.io kinds.

import type { Analyzer } from '../analyzer.js';
import { KINDS, list, record, specOf, str } from '../context.js';

const REMOVED_RBAC_KINDS = new Set(['ClusterRbacConfig', 'RbacConfig', 'ServiceRole', 'ServiceRoleBinding']);

export const deprecationAnalyzer: Analyzer = {
  name: 'deprecation.DeprecationAnalyzer',
  description: 'Checks for deprecated Istio types and fields',
  analyze(c) {
    for (const vs of c.all(KINDS.VirtualService)) {
      list(specOf(vs).http).forEach((r, i) => {
        if (Number(record(record(record(r).fault).delay).percent ?? 0) > 0) {
          c.report(vs, 'Deprecated', 'Deprecated: HTTPRoute.fault.delay.percent is deprecated; use HTTPRoute.fault.delay.percentage', `spec.http[${i}].fault.delay.percent`);
        }
      });
    }
    for (const sc of c.all(KINDS.Sidecar)) {
      if (record(specOf(sc).outboundTrafficPolicy).egressProxy !== undefined) {
        c.report(sc, 'Deprecated', 'Deprecated: OutboundTrafficPolicy.EgressProxy ignored', 'spec.outboundTrafficPolicy.egressProxy');
      }
    }
    for (const crd of c.all({ group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition' })) {
      const spec = specOf(crd);
      const kind = str(record(spec.names).kind);
      if (str(spec.group) === 'rbac.istio.io' && REMOVED_RBAC_KINDS.has(kind)) {
        c.report(crd, 'Deprecated', `Deprecated: Custom resource type rbac.istio.io ${kind} is removed`);
      }
    }
  },
};

// The status istiod would write on Gateway API objects, as istioctl analyze reports a live cluster's
// (analyzers/conditions/conditions.go ConditionAnalyzer): each condition with a negative status
// (Accepted, Programmed, ResolvedRefs = False) on a Gateway, one of its listeners, or a route's parentRef
// is an IST0171 NegativeConditionStatus. Offline there is no status to read, so the conditions are the
// ones meshplan's conversion computes as istiod would (pilot/pkg/config/kube/gateway reportGatewayStatus,
// buildListener, createRouteStatus). Gateways of classes meshplan does not model (ambient waypoints and
// east-west gateways, remote and non-Istio classes) and Gateway fields it leaves out are MPL0005 NotModelled.

import type { Analyzer } from '../analyzer.js';
import { gatewayApiStatus } from '../../mesh/convert/index.js';
import { resolveOptions } from '../../mesh/meshconfig.js';
import type { EngineOptions } from '../../contract.js';
import { KINDS } from '../context.js';

/** The kinds istiod writes status on here: without any of them there is nothing to convert. */
const STATUS_KINDS = [KINDS.KubernetesGateway, KINDS.HTTPRoute, KINDS.GRPCRoute, KINDS.TCPRoute, KINDS.TLSRoute];

export const k8sGatewayStatusAnalyzer: Analyzer = {
  name: 'k8sgateway.StatusAnalyzer',
  description: 'Reports the negative status conditions istiod would write on Gateway API gateways and routes',
  analyze(c) {
    if (STATUS_KINDS.every((kind) => c.all(kind).length === 0)) return;
    let status: ReturnType<typeof gatewayApiStatus>;
    try {
      status = gatewayApiStatus(c.objects, { mesh: c.mesh, options: resolveOptions({ features: c.features as EngineOptions['features'] }), warnings: [] });
    } catch {
      // Objects too malformed to convert: their schema messages (IST0106) already say why.
      return;
    }
    for (const cond of status.conditions) {
      if (cond.status !== 'False') continue;
      const on = cond.scope ? ` on ${cond.scope}` : '';
      c.report(cond.object, 'NegativeConditionStatus', `A condition with a negative status is present${on}: type=${cond.type}, reason=${cond.reason}, message=${cond.message}.`, cond.path || undefined);
    }
    for (const u of status.unmodelled) c.report(u.gateway, 'NotModelled', `${u.path}: ${u.message}`, u.path);
  },
};

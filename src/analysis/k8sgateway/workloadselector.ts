// k8sgateway.SelectorAnalyzer (analyzers/k8sgateway/workloadselector.go): a policy that selects the pods of a
// Gateway API Gateway by labels has no effect on them; it must use targetRef.

import type { Analyzer } from '../analyzer.js';
import { KINDS, labelsOf, record, selects, specOf } from '../context.js';

const GATEWAY_NAME = 'gateway.networking.k8s.io/gateway-name';
const POLICY_KINDS = [KINDS.AuthorizationPolicy, KINDS.RequestAuthentication, KINDS.Telemetry, KINDS.WasmPlugin];

export const k8sGatewaySelectorAnalyzer: Analyzer = {
  name: 'k8sgateway.SelectorAnalyzer',
  description: 'Check that selectors are effective for Kubernetes gateway',
  analyze(c) {
    const gatewayPods = c.workloadPods().filter((p) => GATEWAY_NAME in labelsOf(p));
    for (const kind of POLICY_KINDS) {
      for (const policy of c.all(kind)) {
        const spec = specOf(policy);
        if (spec.targetRef !== undefined && spec.targetRef !== null) continue;
        if (spec.selector === undefined || spec.selector === null) continue;
        const matchLabels = record(record(spec.selector).matchLabels);
        for (const pod of gatewayPods) {
          if (pod.metadata.namespace !== policy.metadata.namespace || !selects(matchLabels, labelsOf(pod))) continue;
          c.report(policy, 'IneffectiveSelector', `Ineffective selector on Kubernetes Gateway ${labelsOf(pod)[GATEWAY_NAME]}: use targetRef instead`, 'spec.selector');
        }
      }
    }
  },
};

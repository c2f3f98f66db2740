// applicationUID.Analyzer (analyzers/deployment/pod.go): application containers must not run as UID 1337,
// the sidecar's: iptables lets that UID's traffic bypass Envoy.

import type { K8sObject } from '../../manifests/types.js';
import type { Analyzer } from '../analyzer.js';
import { KINDS, labelsOf, list, podSpecOf, record, type AnalysisContext } from '../context.js';
import { isIstioControlPlane } from '../service/portname.js';

const PROXY_UID = 1337;

function check(c: AnalysisContext, o: K8sObject): void {
  if (isIstioControlPlane(labelsOf(o))) return;
  const spec = podSpecOf(o);
  const report = (path: string) =>
    c.report(o, 'InvalidApplicationUID', 'User ID (UID) 1337 is reserved for the sidecar proxy: traffic of an application running as it bypasses Envoy', path);
  const prefix = o.kind === 'Pod' ? 'spec' : 'spec.template.spec';
  if (record(spec.securityContext).runAsUser === PROXY_UID) report(`${prefix}.securityContext.runAsUser`);
  list(spec.containers).forEach((container, i) => {
    const ct = record(container);
    if (ct.name === 'istio-proxy' || ct.name === 'istio-operator') return;
    if (record(ct.securityContext).runAsUser === PROXY_UID) report(`${prefix}.containers[${i}].securityContext.runAsUser`);
  });
}

export const applicationUIDAnalyzer: Analyzer = {
  name: 'applicationUID.Analyzer',
  description: 'Checks invalid application UID',
  analyze(c) {
    for (const pod of c.all(KINDS.Pod)) check(c, pod);
    for (const d of c.all(KINDS.Deployment)) check(c, d);
  },
};

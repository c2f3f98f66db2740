// auth.AuthorizationPoliciesAnalyzer (analyzers/authz/authorizationpolicies.go): an AuthorizationPolicy that
// selects no mesh workload (IST0127), and source namespaces that match no Namespace of the input (IST0101).

import type { K8sObject } from '../../manifests/types.js';
import type { Analyzer } from '../analyzer.js';
import { KINDS, labelsOf, list, record, selectorString, selects, specOf, str, type AnalysisContext } from '../context.js';
import { podInAmbientMode } from '../util/ambient.js';
import { podInMesh } from '../util/in-mesh.js';

/** namespaceMatch: "*", a "*suffix", a "prefix*", or the name (case-insensitive). */
function namespaceMatch(ns: string, exp: string): boolean {
  if (exp === '*') return true;
  if (exp.startsWith('*')) return ns.endsWith(exp.slice(1));
  if (exp.endsWith('*')) return ns.startsWith(exp.slice(0, -1));
  return ns.toLowerCase() === exp.toLowerCase();
}

/** Labels of the mesh (sidecar or ambient) pods of each namespace (initPodLabelsMap). */
function meshPodLabels(c: AnalysisContext): Map<string, Record<string, string>[]> {
  const out = new Map<string, Record<string, string>[]>();
  for (const pod of c.workloadPods()) {
    const list = out.get(pod.metadata.namespace) ?? [];
    if (podInMesh(c, pod)) list.push(labelsOf(pod));
    if (podInAmbientMode(pod)) list.push(labelsOf(pod));
    out.set(pod.metadata.namespace, list);
  }
  return out;
}

function noMatchingWorkloads(c: AnalysisContext, ap: K8sObject, pods: Map<string, Record<string, string>[]>): void {
  const spec = specOf(ap);
  const ns = ap.metadata.namespace;
  const hasSelector = spec.selector !== undefined && spec.selector !== null;
  const matchLabels = record(record(spec.selector).matchLabels);
  const sel = selectorString(matchLabels);
  const report = (selector: string) =>
    c.report(ap, 'NoMatchingWorkloadsFound', `No matching workloads for this resource with the following labels: ${selector}`, hasSelector ? 'spec.selector' : undefined);
  if (ns === c.mesh.rootNamespace) {
    if (hasSelector && ![...pods.values()].some((l) => l.some((labels) => selects(matchLabels, labels)))) report(sel);
    return;
  }
  if (!hasSelector) {
    if ((pods.get(ns) ?? []).length === 0) report('');
    return;
  }
  if (!(pods.get(ns) ?? []).some((labels) => selects(matchLabels, labels))) report(sel);
}

export const authorizationPoliciesAnalyzer: Analyzer = {
  name: 'auth.AuthorizationPoliciesAnalyzer',
  description: 'Checks the validity of authorization policies',
  analyze(c) {
    const pods = meshPodLabels(c);
    const namespaces = c.all(KINDS.Namespace).map((n) => n.metadata.name);
    for (const ap of c.all(KINDS.AuthorizationPolicy)) {
      noMatchingWorkloads(c, ap, pods);
      list(specOf(ap).rules).forEach((rule, i) => {
        list(record(rule).from).forEach((from, j) => {
          const source = record(record(from).source);
          const check = (field: string) =>
            list(source[field]).map(str).forEach((ns, k) => {
              if (namespaces.some((n) => namespaceMatch(n, ns))) return;
              c.report(ap, 'ReferencedResourceNotFound', `Referenced namespace not found: "${ns}"`, `spec.rules[${i}].from[${j}].source.${field}[${k}]`);
            });
          check('namespaces');
          check('notNamespaces');
        });
      });
    }
  },
};

// schema.ValidationAnalyzer (pkg/config/analysis/analyzers/schema/validation.go): an object its kind's
// schema or istiod's webhook refuses is reported as IST0106 SchemaValidationError instead of failing the
// analysis; the webhook's warnings are IST0133 SchemaWarning, or the more precise IST0130/IST0131 for
// VirtualService rules that cannot be reached (morePreciseMessage).

import type { K8sObject, ManifestProblem } from '../../manifests/types.js';
import { isValidatedKind, validateIstioObject } from '../../validation/index.js';
import type { AnalysisContext } from '../context.js';

export function schemaMessages(c: AnalysisContext, problems: { object?: K8sObject; problem: ManifestProblem }[]): void {
  const refused = new Set<K8sObject>();
  for (const { object, problem } of problems) {
    const [namespace, name] = problem.object?.includes('/') ? problem.object.split('/', 2) : ['', problem.object ?? ''];
    const target: K8sObject = object ?? { apiVersion: '', kind: problem.kind ?? '', metadata: { namespace, name } };
    if (object) refused.add(object);
    c.report(target, 'SchemaValidationError', `Schema validation error: ${problem.path ? `${problem.path}: ` : ''}${problem.message}`, problem.path || undefined);
  }
  for (const o of c.objects) {
    if (refused.has(o) || !isValidatedKind(o.apiVersion, o.kind)) continue;
    for (const issue of validateIstioObject(o)) {
      const text = `${issue.path}: ${issue.message}`;
      if (issue.severity === 'error') c.report(o, 'SchemaValidationError', `Schema validation error: ${text}`, issue.path);
      else if (issue.type === 'VirtualServiceUnreachableRule') {
        c.report(o, 'VirtualServiceUnreachableRule', `VirtualService rule ${issue.params![0]} not used (${issue.params![1]})`, issue.path);
      } else if (issue.type === 'VirtualServiceIneffectiveMatch') {
        c.report(o, 'VirtualServiceIneffectiveMatch', `VirtualService rule ${issue.params![0]} match ${issue.params![1]} is not used (duplicate/overlapping match in rule ${issue.params![2]})`, issue.path);
      } else c.report(o, 'SchemaWarning', `Schema validation warning: ${text}`, issue.path);
    }
  }
}

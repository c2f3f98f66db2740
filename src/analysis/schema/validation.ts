// schema.ValidationAnalyzer (pkg/config/analysis/analyzers/schema/validation.go): an object its kind's
// schema refuses is reported as IST0106 SchemaValidationError instead of failing the whole analysis.

import type { K8sObject, ManifestProblem } from '../../manifests/types.js';
import type { AnalysisContext } from '../context.js';

export function schemaMessages(c: AnalysisContext, problems: { object?: K8sObject; problem: ManifestProblem }[]): void {
  for (const { object, problem } of problems) {
    const [namespace, name] = problem.object?.includes('/') ? problem.object.split('/', 2) : ['', problem.object ?? ''];
    const target: K8sObject = object ?? { apiVersion: '', kind: problem.kind ?? '', metadata: { namespace, name } };
    c.report(target, 'SchemaValidationError', `Schema validation error: ${problem.path ? `${problem.path}: ` : ''}${problem.message}`, problem.path || undefined);
  }
}

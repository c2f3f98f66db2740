// Istio's validating webhook (pkg/config/validation): the rules istiod refuses an object by on `kubectl
// apply`, beyond its schema. Writes and translates refuse such objects (400); analyze reports them (IST0106,
// and the warnings as IST0133, or IST0130/IST0131 for unreachable VirtualService rules).

import { apiGroup, type K8sObject } from '../manifests/types.js';
import { Issues, type ValidationIssue } from './common.js';
import { validateVirtualService } from './virtualservice.js';
import { validateDestinationRule, validateGateway } from './networking.js';

export type { ValidationIssue } from './common.js';

type Validator = (spec: Record<string, any>, issues: Issues) => void;

/** By kind, then API group: the rules hold for every version (networking.istio.io/v1, v1beta1, ...). */
const VALIDATORS = new Map<string, { group: string; validate: Validator }>([
  ['VirtualService', { group: 'networking.istio.io', validate: validateVirtualService }],
  ['DestinationRule', { group: 'networking.istio.io', validate: validateDestinationRule }],
  ['Gateway', { group: 'networking.istio.io', validate: validateGateway }],
]);

// By kind first: most objects are of other kinds, and their apiVersion is never cut into its group.
const validatorOf = (apiVersion: string, kind: string): Validator | undefined => {
  const rules = VALIDATORS.get(kind);
  return rules && apiGroup(apiVersion) === rules.group ? rules.validate : undefined;
};

/** Whether istiod's webhook has rules for this kind (beyond its schema). */
export const isValidatedKind = (apiVersion: string, kind: string): boolean => validatorOf(apiVersion, kind) !== undefined;

/**
 * Verdicts by spec and validator: the manifest reading validates each object, then freezes it; analyze
 * asks again for the same frozen spec and reads the verdict back (a spec not frozen may have changed since).
 */
const verdicts = new WeakMap<object, Map<Validator, ValidationIssue[]>>();

/** The webhook's verdict on one object: errors refuse it, warnings are said. */
export function validateIstioObject(obj: K8sObject): ValidationIssue[] {
  const validate = validatorOf(obj.apiVersion, obj.kind);
  const spec = obj.spec;
  if (!validate || typeof spec !== 'object' || spec === null || Array.isArray(spec)) return [];
  const known = verdicts.get(spec)?.get(validate);
  if (known && Object.isFrozen(spec)) return known;
  const issues = new Issues();
  validate(spec, issues);
  verdicts.set(spec, (verdicts.get(spec) ?? new Map()).set(validate, issues.list));
  return issues.list;
}

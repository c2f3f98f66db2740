// Istio's validating webhook (pkg/config/validation): the rules istiod refuses an object by on `kubectl
// apply`, beyond its schema. Writes and translates refuse such objects (400); analyze reports them (IST0106,
// and the warnings as IST0133, or IST0130/IST0131 for unreachable VirtualService rules).

import { apiGroup, type K8sObject } from '../manifests/types.js';
import { Issues, type ValidationIssue } from './common.js';
import { validateVirtualService } from './virtualservice.js';
import { validateDestinationRule, validateGateway } from './networking.js';

export type { ValidationIssue } from './common.js';

const VALIDATORS: Record<string, (spec: Record<string, any>, issues: Issues) => void> = {
  'networking.istio.io/VirtualService': validateVirtualService,
  'networking.istio.io/DestinationRule': validateDestinationRule,
  'networking.istio.io/Gateway': validateGateway,
};

/** "networking.istio.io/VirtualService" for networking.istio.io/v1: the rules hold for every version. */
const groupKind = (apiVersion: string, kind: string): string => `${apiGroup(apiVersion)}/${kind}`;

/** Whether istiod's webhook has rules for this kind (beyond its schema). */
export const isValidatedKind = (apiVersion: string, kind: string): boolean => groupKind(apiVersion, kind) in VALIDATORS;

/**
 * Verdicts by spec and validator: the manifest reading validates each object, then freezes it; analyze
 * asks again for the same frozen spec and reads the verdict back (a spec not frozen may have changed since).
 */
const verdicts = new WeakMap<object, Map<(spec: Record<string, any>, issues: Issues) => void, ValidationIssue[]>>();

/** The webhook's verdict on one object: errors refuse it, warnings are said. */
export function validateIstioObject(obj: K8sObject): ValidationIssue[] {
  const validate = VALIDATORS[groupKind(obj.apiVersion, obj.kind)];
  const spec = obj.spec;
  if (!validate || typeof spec !== 'object' || spec === null || Array.isArray(spec)) return [];
  const known = verdicts.get(spec)?.get(validate);
  if (known && Object.isFrozen(spec)) return known;
  const issues = new Issues();
  validate(spec, issues);
  verdicts.set(spec, (verdicts.get(spec) ?? new Map()).set(validate, issues.list));
  return issues.list;
}

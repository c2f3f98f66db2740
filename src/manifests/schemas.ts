// Schema checks for the kinds meshplan reads, with kubectl's strict field validation:
// wrong types and unknown fields are both problems.
//
// The schemas come from kubernetes-models (Kubernetes' OpenAPI) and @kubernetes-models/istio (Istio 1.29
// CRDs: networking v1, v1beta1, v1alpha3 with EnvoyFilter; security v1, v1beta1; telemetry v1, v1alpha1) and
// @kubernetes-models/gateway-api (Gateway, GatewayClass, HTTPRoute, GRPCRoute, TCPRoute, TLSRoute, ReferenceGrant;
// the package declares Node 22 but its validators run on Node 20). All ship them as ajv validators compiled
// ahead of time, not as JSON Schema, so strictness cannot be added by setting additionalProperties:false.
// Instead the validator runs over a read-tracking view of the object: a map whose schema lists
// properties makes the validator look up each listed name, while an open map (labels, int-or-string,
// x-kubernetes-preserve-unknown-fields) is either enumerated or not looked into at all. So a field
// that the validator never looked up, in a map where it looked up others and enumerated nothing, is
// a field the schema does not know.

import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Service } from 'kubernetes-models/v1/Service';
import { Endpoints } from 'kubernetes-models/v1/Endpoints';
import { Pod } from 'kubernetes-models/v1/Pod';
import { Node } from 'kubernetes-models/v1/Node';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { Secret } from 'kubernetes-models/v1/Secret';
import { EndpointSlice } from 'kubernetes-models/discovery.k8s.io/v1/EndpointSlice';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { IngressClass } from 'kubernetes-models/networking.k8s.io/v1/IngressClass';
import * as networkingV1 from '@kubernetes-models/istio/networking.istio.io/v1';
import * as networkingV1beta1 from '@kubernetes-models/istio/networking.istio.io/v1beta1';
import * as networkingV1alpha3 from '@kubernetes-models/istio/networking.istio.io/v1alpha3';
import * as securityV1 from '@kubernetes-models/istio/security.istio.io/v1';
import * as securityV1beta1 from '@kubernetes-models/istio/security.istio.io/v1beta1';
import * as gatewayApiV1 from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1';
import * as gatewayApiV1beta1 from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1beta1';
import * as gatewayApiV1alpha2 from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1alpha2';
import * as gatewayApiV1alpha3 from '@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1alpha3';
import { Telemetry as TelemetryV1 } from '@kubernetes-models/istio/telemetry.istio.io/v1';
import { Telemetry as TelemetryV1alpha1 } from '@kubernetes-models/istio/telemetry.istio.io/v1alpha1';

/** A kubernetes-models class: its prototype's validate() checks `this` and throws on problems. */
interface ModelClass {
  readonly apiVersion: string;
  readonly kind: string;
  prototype: { validate(): void };
}

interface AjvError {
  instancePath: string;
  schemaPath: string;
  keyword: string;
  params: Record<string, any>;
  message?: string;
}

export interface FieldProblem {
  /** e.g. "spec.http[0].route[0].destination.host" */
  path: string;
  message: string;
  /**
   * unreadable: istiod could not read the object (wrong type, bad enum value, conflicting fields).
   * refused: the object reads, but an API server with strict field validation refuses it (unknown
   * field, missing required field); Istio's own config parser accepts these (it retries with unknown
   * fields allowed), and Istio's tests rely on that.
   */
  kind: 'unreadable' | 'refused';
}

const ISTIO_NETWORKING_KINDS = ['Gateway', 'VirtualService', 'DestinationRule', 'ServiceEntry', 'Sidecar', 'WorkloadEntry'] as const;

const SUPPORTED: ModelClass[] = [
  Namespace,
  Service,
  Endpoints,
  Pod,
  Node,
  ServiceAccount,
  // Read for what refers to it (a Gateway listener's certificateRefs); its data is not used.
  Secret,
  EndpointSlice,
  Deployment,
  Ingress,
  IngressClass,
  ...[networkingV1, networkingV1beta1, networkingV1alpha3].flatMap((api) => ISTIO_NETWORKING_KINDS.map((k) => api[k])),
  ...[securityV1, securityV1beta1].flatMap((api) => [api.PeerAuthentication, api.AuthorizationPolicy, api.RequestAuthentication]),
  // Gateway API: the kinds istiod reads, in every version its CRDs serve.
  ...[gatewayApiV1.Gateway, gatewayApiV1.GatewayClass, gatewayApiV1.HTTPRoute, gatewayApiV1.GRPCRoute, gatewayApiV1.TLSRoute],
  ...[gatewayApiV1beta1.Gateway, gatewayApiV1beta1.GatewayClass, gatewayApiV1beta1.HTTPRoute, gatewayApiV1beta1.ReferenceGrant],
  ...[gatewayApiV1alpha2.GRPCRoute, gatewayApiV1alpha2.TCPRoute, gatewayApiV1alpha2.TLSRoute, gatewayApiV1alpha2.ReferenceGrant],
  gatewayApiV1alpha3.TLSRoute,
  networkingV1alpha3.EnvoyFilter,
  TelemetryV1,
  TelemetryV1alpha1,
];

const MODELS = new Map<string, ModelClass>(SUPPORTED.map((m) => [`${m.apiVersion}/${m.kind}`, m]));
/**
 * Versions Istio's Gateway API CRDs serve that the models package has no class for: checked with the
 * schema of the version they were promoted from (the fields are the same).
 */
const CHECKED_AS: Record<string, string> = {
  'gateway.networking.k8s.io/v1/TCPRoute': 'gateway.networking.k8s.io/v1alpha2',
  'gateway.networking.k8s.io/v1/ReferenceGrant': 'gateway.networking.k8s.io/v1beta1',
};
for (const [key, version] of Object.entries(CHECKED_AS)) {
  const kind = key.slice(key.lastIndexOf('/') + 1);
  MODELS.set(key, MODELS.get(`${version}/${kind}`)!);
}

/** Whether meshplan reads objects of this apiVersion and kind. */
export const isSupportedKind = (apiVersion: string, kind: string): boolean => MODELS.has(`${apiVersion}/${kind}`);

/** Every problem of one object against the schema of its kind (which must be supported). */
export function checkObject(obj: Record<string, unknown>): FieldProblem[] {
  const model = MODELS.get(`${obj.apiVersion}/${obj.kind}`);
  if (!model) throw new Error(`no schema for ${obj.apiVersion}/${obj.kind}`);
  const lookups = new Map<object, Lookups>();
  let errors: AjvError[] = [];
  try {
    const checkedAs = CHECKED_AS[`${obj.apiVersion}/${obj.kind}`];
    const checked = checkedAs ? { ...obj, apiVersion: checkedAs } : obj;
    try {
      model.prototype.validate.call(trackLookups(checked, lookups));
    } finally {
      // The copy's top-level lookups are the object's (its fields are the object's own).
      if (checked !== obj) lookups.set(obj, lookups.get(checked)!);
    }
  } catch (e) {
    const list = (e as { errors?: AjvError[] }).errors;
    if (!Array.isArray(list)) throw e;
    errors = list;
  }
  return [...typeProblems(obj, errors), ...unknownFields(obj, lookups)];
}

interface Lookups {
  names: Set<string>;
  enumerated: boolean;
}

/** A view of `value` that records, per map, which names were looked up and whether it was enumerated. */
function trackLookups<T>(value: T, lookups: Map<object, Lookups>): T {
  if (typeof value !== 'object' || value === null) return value;
  const seen: Lookups = { names: new Set(), enumerated: false };
  lookups.set(value, seen);
  const views = new Map<string, unknown>();
  return new Proxy(value, {
    get(target, key) {
      const child = Reflect.get(target, key);
      if (typeof key !== 'string') return child;
      seen.names.add(key);
      if (typeof child !== 'object' || child === null) return child;
      let view = views.get(key);
      if (view === undefined) {
        view = trackLookups(child, lookups);
        views.set(key, view);
      }
      return view;
    },
    has(target, key) {
      if (typeof key === 'string') seen.names.add(key);
      return Reflect.has(target, key);
    },
    ownKeys(target) {
      seen.enumerated = true;
      return Reflect.ownKeys(target);
    },
  });
}

function unknownFields(root: unknown, lookups: Map<object, Lookups>): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const visit = (value: unknown, path: string): void => {
    if (typeof value !== 'object' || value === null) return;
    if (Array.isArray(value)) {
      value.forEach((item, i) => visit(item, `${path}[${i}]`));
      return;
    }
    const seen = lookups.get(value);
    if (!seen) return; // never validated: below a type error, or in an open map
    const closed = !seen.enumerated && seen.names.size > 0;
    for (const [key, child] of Object.entries(value)) {
      const childPath = path === '' ? key : `${path}.${key}`;
      if (closed && !seen.names.has(key)) problems.push({ path: childPath, message: `unknown field "${key}"`, kind: 'refused' });
      else visit(child, childPath);
    }
  };
  visit(root, '');
  return problems;
}

/** "/spec/http/0/route" → "spec.http[0].route", array indices told apart by the data itself. */
function fieldPath(root: unknown, pointer: string): string {
  let path = '';
  let node: any = root;
  for (const raw of pointer.split('/').slice(1)) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    path += Array.isArray(node) ? `[${segment}]` : path === '' ? segment : `.${segment}`;
    node = node?.[segment];
  }
  return path;
}

const joinField = (parent: string, name: string): string => (parent === '' ? name : `${parent}.${name}`);

// Istio's schemas say "one of these fields" with oneOf over `required` branches, and int-or-string is
// oneOf/anyOf over types. The branches are compiled into separate functions whose errors carry no trace
// of the branch, so the errors at the place of a failed oneOf/anyOf are folded into one message.
const COMBINATORS = new Set(['oneOf', 'anyOf']);
const BRANCH_KEYWORDS = new Set(['type', 'required', 'not']);

function typeProblems(root: unknown, errors: AjvError[]): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const seen = new Set<string>();
  const add = (path: string, message: string, kind: FieldProblem['kind'] = 'unreadable'): void => {
    const key = `${path}\0${message}`;
    if (!seen.has(key)) {
      seen.add(key);
      problems.push({ path, message, kind });
    }
  };
  const combinatorAt = new Set(errors.filter((e) => COMBINATORS.has(e.keyword)).map((e) => e.instancePath));
  for (const e of errors) {
    const path = fieldPath(root, e.instancePath);
    if (COMBINATORS.has(e.keyword)) {
      const branches = errors.filter((b) => b.instancePath === e.instancePath && BRANCH_KEYWORDS.has(b.keyword));
      const types = [...new Set(branches.filter((b) => b.keyword === 'type').map((b) => b.params.type))];
      const fields = [...new Set(branches.filter((b) => b.keyword === 'required').map((b) => b.params.missingProperty))];
      if (types.length > 0) add(path, `must be ${types.join(' or ')}`);
      else if (fields.length > 0) add(path, `exactly one of ${fields.join(', ')} must be set`);
      else add(path, e.message ?? e.keyword);
    } else if (combinatorAt.has(e.instancePath) && BRANCH_KEYWORDS.has(e.keyword)) {
      continue; // folded into the oneOf/anyOf message above
    } else if (e.keyword === 'required') {
      add(joinField(path, e.params.missingProperty), 'required field is missing', 'refused');
    } else if (e.keyword === 'enum') {
      add(path, `must be one of ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`);
    } else {
      add(path, e.message ?? e.keyword);
    }
  }
  return problems;
}

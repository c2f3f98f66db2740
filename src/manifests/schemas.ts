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
// That tracked run is slow (a Proxy per map), so it runs once per place of a kind's schema: valid
// objects are checked by the plain validator and a walk over the names the tracked runs learnt.

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
import { KindMap } from '../util/kind-map.js';

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

const MODELS = new KindMap<ModelClass>(SUPPORTED.map((m) => [m.apiVersion, m.kind, m]));
/**
 * Versions Istio's Gateway API CRDs serve that the models package has no class for: checked with the
 * schema of the version they were promoted from (the fields are the same).
 */
const PROMOTED = [
  ['gateway.networking.k8s.io/v1', 'TCPRoute', 'gateway.networking.k8s.io/v1alpha2'],
  ['gateway.networking.k8s.io/v1', 'ReferenceGrant', 'gateway.networking.k8s.io/v1beta1'],
] as const;
const CHECKED_AS = new KindMap<string>(PROMOTED);
for (const [apiVersion, kind, version] of PROMOTED) MODELS.set(apiVersion, kind, MODELS.get(version, kind)!);

/** Whether meshplan reads objects of this apiVersion and kind. */
export const isSupportedKind = (apiVersion: string, kind: string): boolean => MODELS.has(apiVersion, kind);

/** The model and the apiVersion to check an object as (see CHECKED_AS). */
function modelOf(obj: Record<string, unknown>): { model: ModelClass; checked: Record<string, unknown> } {
  const apiVersion = obj.apiVersion as string;
  const kind = obj.kind as string;
  const model = MODELS.get(apiVersion, kind);
  if (!model) throw new Error(`no schema for ${apiVersion}/${kind}`);
  const checkedAs = CHECKED_AS.get(apiVersion, kind);
  return { model, checked: checkedAs ? { ...obj, apiVersion: checkedAs } : obj };
}

/**
 * Every problem of one object against the schema of its kind (which must be supported). With `tree`
 * (no object in two places, as YAML without aliases reads), the fast way need not look out for aliases.
 */
export function checkObject(obj: Record<string, unknown>, tree = false): FieldProblem[] {
  const { model, checked } = modelOf(obj);
  // The fast way: the plain validator, then unknown fields from what tracked runs learnt about the
  // places this object has. A schema error, or a place not learnt yet, takes the tracked run.
  const errors = validationErrors(model, checked);
  if (errors.length === 0) {
    let places = PLACES.get(model);
    if (!places) PLACES.set(model, (places = newPlace()));
    const problems: FieldProblem[] = [];
    if (unknownFieldsAt(places, obj, '', problems, tree ? undefined : new Set())) return problems;
    const lookups = trackedRun(model, obj, checked);
    learn(places, obj, lookups);
    return unknownFields(obj, lookups);
  }
  return [...typeProblems(obj, errors), ...unknownFields(obj, trackedRun(model, obj, checked))];
}

/** The tracked run alone, as every check was made before the shortcut: what checkObject must equal (its differential test's reference). */
export function checkObjectTracked(obj: Record<string, unknown>): FieldProblem[] {
  const { model, checked } = modelOf(obj);
  return [...typeProblems(obj, validationErrors(model, checked)), ...unknownFields(obj, trackedRun(model, obj, checked))];
}

function validationErrors(model: ModelClass, value: unknown): AjvError[] {
  try {
    model.prototype.validate.call(value);
    return [];
  } catch (e) {
    const list = (e as { errors?: AjvError[] }).errors;
    if (!Array.isArray(list)) throw e;
    return list;
  }
}

/** What the validator looked up in each map of the object, from a run over a read-tracking view. */
function trackedRun(model: ModelClass, obj: object, checked: object): Map<object, Lookups> {
  const lookups = new Map<object, Lookups>();
  validationErrors(model, trackLookups(checked, lookups));
  // The copy's top-level lookups are the object's (its fields are the object's own).
  if (checked !== obj) lookups.set(obj, lookups.get(checked)!);
  return lookups;
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
  // A proxy's get may not answer a view for a frozen property: a frozen map is watched through a copy of its top level.
  const target = Object.isFrozen(value) ? ((Array.isArray(value) ? value.slice() : { ...value }) as T & object) : value;
  return new Proxy(target, {
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

const isClosed = (seen: Lookups): boolean => !seen.enumerated && seen.names.size > 0;

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
    const closed = isClosed(seen);
    for (const [key, child] of Object.entries(value)) {
      const childPath = path === '' ? key : `${path}.${key}`;
      if (closed && !seen.names.has(key)) problems.push({ path: childPath, message: `unknown field "${key}"`, kind: 'refused' });
      else visit(child, childPath);
    }
  };
  visit(root, '');
  return problems;
}

/**
 * One place in a kind's schema, reached by field names from the top (an open map's values share one
 * place, "*"), and what the validator does with a map there. With all errors collected, the validator
 * of a place looks up the same names in every valid object, so one tracked run per place tells it;
 * a place where two tracked runs disagree is never trusted.
 */
interface Place {
  /** A map has been seen here; `seen` is undefined when the validator never got it. */
  learnt: boolean;
  seen?: Lookups;
  varies: boolean;
  fields: Map<string, Place>;
  items?: Place;
}

/** Per model, the places tracked runs have learnt. */
const PLACES = new Map<ModelClass, Place>();

const newPlace = (): Place => ({ learnt: false, varies: false, fields: new Map() });

/** unknownFields from the learnt places: false when the object reaches a place not (reliably) learnt. `visited` is undefined for a tree. */
function unknownFieldsAt(place: Place, value: object, path: string, problems: FieldProblem[], visited: Set<object> | undefined): boolean {
  // One object at two places (a YAML alias) is left to the tracked run.
  if (visited) {
    if (visited.has(value)) return false;
    visited.add(value);
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (typeof item !== 'object' || item === null) continue;
      if (!place.items || !unknownFieldsAt(place.items, item, `${path}[${i}]`, problems, visited)) return false;
    }
    return true;
  }
  if (!place.learnt || place.varies) return false;
  const seen = place.seen;
  if (!seen || (!seen.enumerated && seen.names.size === 0)) return true; // its fields are never looked at
  const closed = isClosed(seen);
  for (const key of Object.keys(value)) {
    const child: unknown = (value as Record<string, unknown>)[key];
    if (closed && !seen.names.has(key)) {
      problems.push({ path: joinField(path, key), message: `unknown field "${key}"`, kind: 'refused' });
    } else if (typeof child === 'object' && child !== null) {
      const at = place.fields.get(seen.enumerated ? '*' : key);
      if (!at || !unknownFieldsAt(at, child, joinField(path, key), problems, visited)) return false;
    }
  }
  return true;
}

/** Records a valid object's tracked run in its places. */
function learn(place: Place, value: unknown, lookups: Map<object, Lookups>): void {
  if (typeof value !== 'object' || value === null) return;
  if (Array.isArray(value)) {
    place.items ??= newPlace();
    for (const item of value) learn(place.items, item, lookups);
    return;
  }
  const seen = lookups.get(value);
  if (place.learnt && !sameLookups(place.seen, seen)) place.varies = true;
  place.learnt = true;
  place.seen ??= seen;
  // Where the validator looked at no field, the walk stops too: no places for the data's own names.
  if (!seen || (!seen.enumerated && seen.names.size === 0)) return;
  const closed = isClosed(seen);
  for (const [key, child] of Object.entries(value)) {
    if (closed && !seen.names.has(key)) continue;
    const name = seen.enumerated ? '*' : key;
    let at = place.fields.get(name);
    if (!at) place.fields.set(name, (at = newPlace()));
    learn(at, child, lookups);
  }
}

/** Whether two runs did the same with a map for unknown fields (an open map's own names do not count). */
function sameLookups(a: Lookups | undefined, b: Lookups | undefined): boolean {
  if (!a || !b) return a === b;
  if (a.enumerated || b.enumerated) return a.enumerated === b.enumerated;
  return a.names.size === b.names.size && [...a.names].every((n) => b.names.has(n));
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

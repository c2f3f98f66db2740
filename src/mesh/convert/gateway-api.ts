// What every Gateway API converter shares, as istiod has it (pilot/pkg/config/kube/gateway: conversion.go
// extractParentReferenceInfo, referenceAllowed, buildDestination, parentRefString, namespacesFromSelector;
// conditions.go createRouteStatus; gatewaycommon/references.go ReferenceGrants): the registry the routes
// refer to, ReferenceGrants, the parents a route binds to and the status conditions istiod would write.
//
// Conditions are status, not configuration: the converters record them (ConversionContext.conditions)
// and the analysis stage reports the negative ones as istioctl analyze does for a live cluster's
// status (conditions.ConditionAnalyzer, IST0171 NegativeConditionStatus).

import type { K8sObject } from '../../manifests/types.js';
import { cmp } from '../config.js';
import { hostMatches, hostSubsetOf, isWildcard } from '../hosts.js';
import type { Destination } from '../istio-api.js';
import { KUBE_DOMAIN } from '../services.js';
import type { ConversionContext } from './index.js';

export const GATEWAY_API_GROUP = 'gateway.networking.k8s.io';
export const ISTIO_GROUP = 'networking.istio.io';
const MCS_GROUP = 'multicluster.x-k8s.io';
/** constants.InternalParentNames: the Gateway API objects an Istio object was derived from. */
export const PARENTS_ANNOTATION = 'internal.istio.io/parents';

export const isGatewayApiKind = (o: K8sObject, kind: string): boolean =>
  o.apiVersion.startsWith(`${GATEWAY_API_GROUP}/`) && o.kind === kind;

/** The route kinds istiod converts. */
export type RouteKind = 'HTTPRoute' | 'GRPCRoute' | 'TCPRoute' | 'TLSRoute';

/** One status condition istiod would write on a Gateway API object (a listener's or a parentRef's when `scope` says so). */
export interface GatewayApiCondition {
  object: K8sObject;
  /** The field the condition is about: "spec.listeners[0]", "spec.parentRefs[1]" or "" for the object. */
  path: string;
  /** "listener http" or "parentRef istio-system/gateway" or "". */
  scope: string;
  type: string;
  status: 'True' | 'False';
  reason: string;
  message: string;
}

export const recordCondition = (ctx: ConversionContext, c: GatewayApiCondition): void => void ctx.conditions?.push(c);

/** A conversion error istiod reports as a condition reason (ConfigError). */
export interface ConfigError {
  reason: string;
  message: string;
}

/** A route conversion error that drops every route of the object (istiod's nil route). */
export class HardError extends Error {
  constructor(
    message: string,
    readonly reason = 'InvalidConfiguration',
  ) {
    super(message);
  }
}

const createdAt = (o: K8sObject): number => {
  const t = Date.parse(o.metadata.creationTimestamp ?? '');
  return Number.isNaN(t) ? Number.NEGATIVE_INFINITY : t;
};

/** Creation time, then namespace and name: the order istiod merges objects in (sortConfigByCreationTime). */
export const byCreation = (a: K8sObject, b: K8sObject): number =>
  createdAt(a) - createdAt(b) || cmp(a.metadata.namespace!, b.metadata.namespace!) || cmp(a.metadata.name, b.metadata.name);

/** metav1.LabelSelectorAsSelector(...).Matches. */
export function labelSelectorMatches(selector: any, labels: Record<string, string>): boolean {
  for (const [k, v] of Object.entries((selector?.matchLabels ?? {}) as Record<string, string>)) if (labels[k] !== v) return false;
  for (const e of (selector?.matchExpressions ?? []) as any[]) {
    const has = e.key in labels;
    const values: string[] = e.values ?? [];
    if (e.operator === 'In' && !(has && values.includes(labels[e.key]))) return false;
    if (e.operator === 'NotIn' && has && values.includes(labels[e.key])) return false;
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

/** The objects the Gateway API converters look things up in. */
export interface Registry {
  services: Map<string, K8sObject>;
  serviceEntries: Map<string, K8sObject>;
  hostnames: Set<string>;
  /** Namespace name → labels, with kubernetes.io/metadata.name set as the API server sets it. */
  namespaces: Map<string, Record<string, string>>;
  grants: K8sObject[];
  /**
   * "ns/name" of the input's Secrets; undefined when it has none (then certificateRefs are taken as
   * resolving: a dump without Secrets says nothing about them).
   */
  secrets?: Set<string>;
}

const registries = new WeakMap<K8sObject[], Registry>();

export function registryOf(objects: K8sObject[]): Registry {
  const cached = registries.get(objects);
  if (cached) return cached;
  const services = objects.filter((o) => o.apiVersion === 'v1' && o.kind === 'Service');
  const entries = objects.filter((o) => o.apiVersion.startsWith(`${ISTIO_GROUP}/`) && o.kind === 'ServiceEntry');
  const namespaces = new Map<string, Record<string, string>>();
  const namespaceNames = new Set(objects.map((o) => o.metadata.namespace).filter((n): n is string => !!n));
  for (const o of objects) if (o.apiVersion === 'v1' && o.kind === 'Namespace') namespaceNames.add(o.metadata.name);
  for (const name of [...namespaceNames].sort(cmp)) {
    const object = objects.find((o) => o.apiVersion === 'v1' && o.kind === 'Namespace' && o.metadata.name === name);
    namespaces.set(name, { ...(object?.metadata.labels ?? {}), 'kubernetes.io/metadata.name': name });
  }
  const secrets = objects.filter((o) => o.apiVersion === 'v1' && o.kind === 'Secret');
  const registry: Registry = {
    services: new Map(services.map((o) => [`${o.metadata.namespace}/${o.metadata.name}`, o])),
    serviceEntries: new Map(entries.map((o) => [`${o.metadata.namespace}/${o.metadata.name}`, o])),
    hostnames: new Set([
      ...services.map((o) => `${o.metadata.name}.${o.metadata.namespace}.svc.${KUBE_DOMAIN}`),
      ...entries.flatMap((o) => (o.spec?.hosts ?? []) as string[]),
    ]),
    namespaces,
    grants: objects.filter((o) => isGatewayApiKind(o, 'ReferenceGrant')),
    ...(secrets.length ? { secrets: new Set(secrets.map((o) => `${o.metadata.namespace}/${o.metadata.name}`)) } : {}),
  };
  registries.set(objects, registry);
  return registry;
}

/**
 * ReferenceGrants.BackendAllowed / SecretAllowed: a grant in the target's namespace lets objects of
 * `fromKind` in `fromNamespace` refer to `toGroup/toKind` (named `toName`, when the grant names one).
 */
export function referenceGranted(
  registry: Registry,
  from: { kind: string; namespace: string },
  to: { group: string; kind: string; name: string; namespace: string },
): boolean {
  return registry.grants.some(
    (g) =>
      g.metadata.namespace === to.namespace &&
      ((g.spec?.from ?? []) as any[]).some((f) => f.group === GATEWAY_API_GROUP && f.kind === from.kind && f.namespace === from.namespace) &&
      ((g.spec?.to ?? []) as any[]).some((t) => (t.group ?? '') === to.group && t.kind === to.kind && (t.name === undefined || t.name === '' || t.name === to.name)),
  );
}

/** A backend destination and the soft problem istiod keeps the route with (ResolvedRefs=False). */
export interface BuiltDestination {
  destination: Destination;
  problem?: ConfigError;
}

/**
 * buildDestination: the Istio destination of a backendRef. Routes bound to Gateways need a
 * ReferenceGrant for another namespace's backend (`enforceGrant`); mesh routes do not.
 * Hard problems throw (the whole route is dropped); soft ones keep the destination, as istiod does.
 */
export function buildDestination(ref: any, route: K8sObject, registry: Registry, enforceGrant: boolean): BuiltDestination {
  const ns = route.metadata.namespace!;
  const group: string = ref.group ?? '';
  const kind: string = ref.kind ?? 'Service';
  const namespace: string = ref.namespace ?? ns;
  if (enforceGrant && ref.namespace !== undefined && ref.namespace !== ns) {
    if (!referenceGranted(registry, { kind: route.kind, namespace: ns }, { group, kind, name: ref.name, namespace })) {
      return {
        destination: {} as Destination,
        problem: {
          reason: 'RefNotPermitted',
          message: `backendRef ${ref.name}/${ref.namespace} not accessible to a ${route.kind} in namespace "${ns}" (missing a ReferenceGrant?)`,
        },
      };
    }
  }
  let host: string;
  let problem: ConfigError | undefined;
  const notFound = (h: string): ConfigError => ({ reason: 'BackendNotFound', message: `backend(${h}) not found` });
  if (group === '' && kind === 'Service') {
    if (String(ref.name).includes('.')) throw new HardError('service name invalid; the name of the Service must be used, not the hostname.', 'InvalidDestination');
    host = `${ref.name}.${namespace}.svc.${KUBE_DOMAIN}`;
    if (!registry.services.has(`${namespace}/${ref.name}`)) problem = notFound(host);
  } else if (group === ISTIO_GROUP && kind === 'Hostname') {
    if (ref.namespace !== undefined) throw new HardError('namespace may not be set with Hostname type', 'InvalidDestination');
    host = ref.name;
    if (!registry.hostnames.has(host)) problem = notFound(host);
  } else if (group === MCS_GROUP && kind === 'ServiceImport') {
    // Without ENABLE_MCS_HOST istiod treats a ServiceImport as the Service of the same name.
    host = `${ref.name}.${namespace}.svc.${KUBE_DOMAIN}`;
    if (!registry.services.has(`${namespace}/${ref.name}`)) problem = notFound(host);
  } else {
    return {
      destination: {} as Destination,
      problem: { reason: 'InvalidKind', message: `referencing unsupported backendRef: group "${ref.group ?? ''}" kind "${ref.kind ?? ''}"` },
    };
  }
  if (ref.port === undefined) throw new HardError('port is required in backendRef', 'InvalidDestination');
  return { destination: { host, port: { number: ref.port } }, ...(problem ? { problem } : {}) };
}

/** A listener of a Gateway as routes see it (parentInfo). */
export interface ListenerParent {
  /** "ns/name" of the Kubernetes Gateway. */
  gateway: string;
  /** The Istio Gateway routes bind to: "ns/<gateway>~istio-autogenerated-k8s-gateway~<listener>". */
  internalName: string;
  allowedKinds: { group: string; kind: string }[];
  /** The server hosts, "ns/host". */
  hostnames: string[];
  originalHostname: string;
  sectionName: string;
  port: number;
  protocol: string;
}

/** One parent a route may bind to (routeParentReference). */
export interface RouteParent {
  /** parentRefString: the sort key and the parentRef's identity in status. */
  key: string;
  /** The index of the parentRef in spec.parentRefs. */
  index: number;
  ref: any;
  mesh: boolean;
  /** "mesh" or the listener's Istio Gateway. */
  internalName: string;
  /** Mesh parents: the hosts of the Service or ServiceEntry. */
  hosts: string[];
  /** Gateway parents: the listener. */
  listener?: ListenerParent;
  bannedHostnames: string[];
  denied?: ConfigError;
}

/** parentRefString. */
const parentRefString = (ref: any, namespace: string): string =>
  `${ref.group ?? GATEWAY_API_GROUP}/${ref.kind ?? 'Gateway'}/${ref.name}/${ref.sectionName ?? ''}/${ref.port ?? 0}.${ref.namespace ?? namespace}`;

/** referenceAllowed for a Gateway listener: port, sectionName, hostnames (both ways wildcarded) and kind. */
function listenerAllows(listener: ListenerParent, routeKind: RouteKind, ref: any, hostnames: string[], namespace: string): ConfigError | undefined {
  if (ref.port !== undefined && ref.port !== 0 && ref.port !== listener.port) return { reason: 'NoMatchingParent', message: `port ${ref.port} not found` };
  if (ref.sectionName && ref.sectionName !== listener.sectionName) return { reason: 'NoMatchingParent', message: `sectionName "${ref.sectionName}" not found` };
  const routeHosts = hostnames.length ? hostnames : ['*'];
  if (listener.hostnames.length) {
    let matched = false;
    let hostMatched = false;
    for (const routeHost of routeHosts) {
      for (const parentHost of listener.hostnames) {
        const [parentNamespace, parentHostname] = parentHost.includes('/') ? parentHost.split('/') : ['*', parentHost];
        const hostnameMatch = hostMatches(parentHostname, routeHost);
        hostMatched ||= hostnameMatch;
        if (hostnameMatch && (parentNamespace === '*' || parentNamespace === namespace)) matched = true;
      }
    }
    if (!matched) {
      return hostMatched
        ? { reason: 'NotAllowedByListeners', message: `hostnames matched parent hostname "${listener.originalHostname}", but namespace "${namespace}" is not allowed by the parent` }
        : { reason: 'NoMatchingListenerHostname', message: `no hostnames matched parent hostname "${listener.originalHostname}"` };
    }
  }
  if (!listener.allowedKinds.some((k) => k.kind === routeKind && k.group === GATEWAY_API_GROUP)) {
    return { reason: 'NotAllowedByListeners', message: `kind ${GATEWAY_API_GROUP}/v1, Kind=${routeKind} is not allowed` };
  }
  return undefined;
}

/**
 * extractParentReferenceInfo + referenceAllowed: every parent of the route, one per listener of a
 * referenced Gateway (sectionName and port mismatches are denied, not left out), sorted by parentRefString.
 */
function routeParents(route: K8sObject, listeners: Map<string, ListenerParent[]>, registry: Registry): RouteParent[] {
  const ns = route.metadata.namespace!;
  const kind = route.kind as RouteKind;
  const hostnames: string[] = route.spec?.hostnames ?? [];
  const out: RouteParent[] = [];
  ((route.spec?.parentRefs ?? []) as any[]).forEach((ref, index) => {
    const group: string = ref.group ?? GATEWAY_API_GROUP;
    const refKind: string = ref.kind ?? 'Gateway';
    const namespace: string = ref.namespace ?? ns;
    const key = parentRefString(ref, ns);
    if (group === '' && refKind === 'Service') {
      const found = registry.services.has(`${namespace}/${ref.name}`);
      out.push({
        key, index, ref, mesh: true, internalName: 'mesh', bannedHostnames: [],
        hosts: [`${ref.name}.${namespace}.svc.${KUBE_DOMAIN}`],
        ...(found ? {} : { denied: { reason: 'NoMatchingParent', message: `parent service: "${ref.name}" not found` } }),
      });
    } else if (group === ISTIO_GROUP && refKind === 'ServiceEntry') {
      const entry = registry.serviceEntries.get(`${namespace}/${ref.name}`);
      out.push({
        key, index, ref, mesh: true, internalName: 'mesh', bannedHostnames: [],
        hosts: [...(entry?.spec?.hosts ?? [])],
        ...(entry ? {} : { denied: { reason: 'NoMatchingParent', message: `parent service entry: "${ref.name}" not found` } }),
      });
    } else if (group === GATEWAY_API_GROUP && refKind === 'Gateway') {
      const candidates = listeners.get(`${namespace}/${ref.name}`) ?? [];
      for (const listener of candidates) {
        // Listeners on the same port and protocol claim their own hostnames first (hostnameAllowedByIsolation).
        const banned = candidates
          .filter((l) => l !== listener && l.port === listener.port && l.protocol === listener.protocol && l.originalHostname !== listener.originalHostname)
          .map((l) => l.originalHostname);
        const denied = listenerAllows(listener, kind, ref, hostnames, ns);
        out.push({ key, index, ref, mesh: false, internalName: listener.internalName, hosts: [], listener, bannedHostnames: banned, ...(denied ? { denied } : {}) });
      }
    }
    // Other parent kinds (ListenerSet, other controllers' kinds) are not istiod's to convert here.
  });
  return out.sort((a, b) => cmp(a.key, b.key));
}

/** hostnameAllowedByIsolation: a wildcard listener leaves hosts that a more exact listener on its port claims. */
export function hostnameAllowedByIsolation(parent: RouteParent, routeHost: string): boolean {
  const ours = parent.listener?.originalHostname ?? '';
  if (ours !== '' && !isWildcard(ours)) return true;
  if (ours !== '' && !hostMatches(routeHost, ours)) return false;
  for (const other of parent.bannedHostnames) {
    if (ours.length > other.length) continue;
    if (hostSubsetOf(routeHost, other)) return false;
  }
  return true;
}

/** filteredReferences: the accepted parents, by internal name. */
const acceptedParents = (parents: RouteParent[]): RouteParent[] =>
  parents.filter((p) => !p.denied).sort((a, b) => cmp(a.internalName, b.internalName));

/**
 * createRouteStatus: per parentRef, Accepted (the most severe denial of its parents, or valid) and
 * ResolvedRefs (the route's conversion error for that kind of parent).
 */
function recordRouteStatus(route: K8sObject, parents: RouteParent[], errors: { mesh?: ConfigError; gateway?: ConfigError }, ctx: ConversionContext): void {
  if (!ctx.conditions) return;
  const ns = route.metadata.namespace!;
  const rank = (p: RouteParent): number =>
    !p.denied ? 0 : p.denied.reason === 'NotAllowedByListeners' ? 1 : p.denied.reason === 'NoMatchingListenerHostname' ? 2 : 4;
  ((route.spec?.parentRefs ?? []) as any[]).forEach((ref, index) => {
    const results = parents.filter((p) => p.index === index);
    // A parentRef to a Gateway istiod does not program has no status of istiod's.
    if (results.length === 0) return;
    let report = results[0];
    let denied = report.denied ? { ...report.denied } : undefined;
    for (const r of results.slice(1)) {
      if (rank(r) < rank(report)) {
        report = r;
        denied = r.denied ? { ...r.denied } : undefined;
      } else if (rank(r) === rank(report) && r.denied) {
        denied = denied ? { ...denied, message: `${denied.message}; ${r.denied.message}` } : { ...r.denied };
      }
    }
    const valid = results.filter((r) => !r.denied).length;
    const scope = `parentRef ${ref.namespace ?? ns}/${ref.name}${ref.sectionName ? `/${ref.sectionName}` : ''}`;
    const base = { object: route, path: `spec.parentRefs[${index}]`, scope };
    recordCondition(ctx, denied
      ? { ...base, type: 'Accepted', status: 'False', reason: denied.reason, message: denied.message }
      : { ...base, type: 'Accepted', status: 'True', reason: 'Accepted', message: valid > 1 ? `Route was valid, bound to ${valid} parents` : 'Route was valid' });
    const error = report.mesh ? errors.mesh : errors.gateway;
    recordCondition(ctx, error
      ? { ...base, type: 'ResolvedRefs', status: 'False', reason: error.reason, message: error.message }
      : { ...base, type: 'ResolvedRefs', status: 'True', reason: 'ResolvedRefs', message: 'All references resolved' });
  });
}

/** The routes of one object for one key, before mergeHTTPRoutes (RouteWithKey). */
export interface KeyedRoutes<R> {
  host: string;
  route: K8sObject;
  gateway: string;
  /** Mesh routes: a producer route is in the namespace of the service it routes. */
  producer: boolean;
  routes: R[];
}

/** The routes of one object converted for mesh or for gateway parents; routes undefined on a hard error. */
export interface ConvertedRoutes<R> {
  routes?: R[];
  /** The ResolvedRefs error: the hard one, else the last soft problem. */
  error?: ConfigError;
  problems: ConfigError[];
}

const where = (o: K8sObject) => `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`;

/**
 * computeRoute: a route's parents, its rules converted once for mesh and once for gateway parents
 * (only where it has such parents), the status recorded, the problems said as warnings.
 */
export function bindRoute<R>(
  route: K8sObject,
  listeners: Map<string, ListenerParent[]>,
  registry: Registry,
  ctx: ConversionContext,
  convert: (mesh: boolean) => ConvertedRoutes<R>,
): { accepted: RouteParent[]; routesFor: (parent: RouteParent) => R[] | undefined } {
  const parents = routeParents(route, listeners, registry);
  for (const p of parents) {
    if (p.mesh && p.denied) ctx.warnings.push(`${where(route)}: parent ${p.ref.kind} ${p.ref.namespace ?? route.metadata.namespace}/${p.ref.name} not found; istiod does not accept the route for it`);
  }
  ((route.spec?.parentRefs ?? []) as any[]).forEach((ref, index) => {
    if ((ref.group ?? GATEWAY_API_GROUP) !== GATEWAY_API_GROUP || (ref.kind ?? 'Gateway') !== 'Gateway' || parents.some((p) => p.index === index)) return;
    ctx.warnings.push(`${where(route)}: parent Gateway ${ref.namespace ?? route.metadata.namespace}/${ref.name} is not a Gateway istiod programs; the route is not bound to it`);
  });
  const accepted = acceptedParents(parents);
  const mesh = accepted.some((p) => p.mesh) ? convert(true) : undefined;
  const gateway = accepted.some((p) => !p.mesh) ? convert(false) : undefined;
  recordRouteStatus(route, parents, { mesh: mesh?.error, gateway: gateway?.error }, ctx);
  const problems = new Set<string>();
  for (const [side, result] of [['mesh', mesh], ['gateway', gateway]] as const) {
    if (!result) continue;
    if (!result.routes) ctx.warnings.push(`${where(route)}: ${result.error!.message}; istiod generates no ${side} routes for it`);
    for (const p of result.problems) problems.add(`${where(route)}: ${p.message}`);
  }
  ctx.warnings.push(...problems);
  return { accepted, routesFor: (parent) => (parent.mesh ? mesh : gateway)?.routes };
}

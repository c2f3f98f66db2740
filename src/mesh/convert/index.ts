// Kinds istiod reads but translates through Istio's own API first (Kubernetes Ingress, Gateway API
// routes): each converter turns its input objects into the Gateways and VirtualServices istiod would
// derive, marked `derivedFrom` the input object, before the mesh is indexed.

import type { EngineOptions } from '../../contract.js';
import type { K8sObject } from '../../manifests/types.js';
import type { MeshConfig } from '../types.js';
import { convertIngresses, isIngress } from './ingress.js';
import { convertHttpRoutes } from './httproute.js';
import { convertKubernetesGateways, resolveGateways, type NotModelled } from './k8s-gateway.js';
import { convertTcpRoutes, convertTlsRoutes } from './tcproute.js';
import { GATEWAY_API_GROUP, type GatewayApiCondition } from './gateway-api.js';

export interface ConversionContext {
  mesh: MeshConfig;
  options: Required<EngineOptions>;
  warnings: string[];
  /** Where the Gateway API converters record the status conditions istiod would write (analysis reads them). */
  conditions?: GatewayApiCondition[];
}

/** One input kind's conversion: the Istio objects it yields (the input objects are left as they are). */
export type Converter = (objects: K8sObject[], ctx: ConversionContext) => K8sObject[];

const GATEWAY_API_PREFIX = `${GATEWAY_API_GROUP}/`;
const isGatewayApi = (o: K8sObject): boolean => o.apiVersion.startsWith(GATEWAY_API_PREFIX);

/** Each converter with the objects it converts from: without one of them in the input it yields nothing, so it is not run
 *  (each would otherwise scan the whole input, a third of a large mesh's index time). */
const CONVERTERS: { reads: (o: K8sObject) => boolean; convert: Converter }[] = [
  { reads: isIngress, convert: convertIngresses },
  { reads: isGatewayApi, convert: convertKubernetesGateways },
  { reads: isGatewayApi, convert: convertHttpRoutes },
  { reads: isGatewayApi, convert: convertTcpRoutes },
  { reads: isGatewayApi, convert: convertTlsRoutes },
];
const READERS = [...new Set(CONVERTERS.map((c) => c.reads))];

/** The input with every derived Istio object appended, in converter order. */
export function withDerivedIstioConfig(objects: K8sObject[], ctx: ConversionContext): K8sObject[] {
  const read = new Set<(o: K8sObject) => boolean>();
  // One pass over the input for all the converters.
  for (const o of objects) for (const reads of READERS) if (reads(o)) read.add(reads);
  return [...objects, ...CONVERTERS.flatMap(({ reads, convert }) => (read.has(reads) ? convert(objects, ctx) : []))];
}

/**
 * The status conditions istiod would write on the input's Gateway API objects, and the Gateways it
 * leaves to other controllers or meshplan does not model: the Gateway API converters run for their
 * conditions alone (analysis).
 */
export function gatewayApiStatus(objects: K8sObject[], ctx: ConversionContext): { conditions: GatewayApiCondition[]; unmodelled: NotModelled[] } {
  const conditions: GatewayApiCondition[] = [];
  const statusCtx: ConversionContext = { ...ctx, warnings: [], conditions };
  for (const convert of [convertKubernetesGateways, convertHttpRoutes, convertTcpRoutes, convertTlsRoutes]) convert(objects, statusCtx);
  return { conditions, unmodelled: resolveGateways(objects, statusCtx).unmodelled };
}

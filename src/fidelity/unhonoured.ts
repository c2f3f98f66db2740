// Spec fields of kinds meshplan translates that it reads but does not turn into Envoy config as istiod
// does: one maintained table, walked over every object, each hit said as an analysis message naming the
// field (FieldNotHonoured, MPL0001).
//
// Why a table of the fields left out rather than of those honoured: the generators honour nearly every
// field of these kinds (checked against src/xds and src/mesh when an entry is added or removed), and a
// field the schema does not know is already a schema warning of the manifest stage. An entry leaves the
// table when its generator learns the field. Kinds meshplan does not translate at all (EnvoyFilter,
// Telemetry, WasmPlugin, ...) are named by the manifest stage as ignored.

import type { AnalysisMessage } from '../analysis/context.js';
import type { K8sObject } from '../manifests/types.js';
import { meshplanMessage, type DocumentOf } from './message.js';

interface NotHonoured {
  /** Field path below the object, `[]` for each item of a list: "spec.subsets[].trafficPolicy.tunnel". */
  path: string;
  /** What istiod does with it that meshplan does not. */
  why: string;
}

/** A DestinationRule traffic policy's fields not honoured, at each place a traffic policy can be. */
const TRAFFIC_POLICY: NotHonoured[] = [
  { path: 'tunnel', why: 'istiod tunnels the upstream connection (HTTP CONNECT) through the given proxy; meshplan generates no tunnelling_config' },
  { path: 'connectionPool.http.maxConcurrentStreams', why: 'istiod sets http2_protocol_options.max_concurrent_streams; meshplan does not' },
  { path: 'loadBalancer.localityLbSetting.failover', why: 'istiod orders endpoint priorities by the failover regions; meshplan orders them by locality distance only' },
  { path: 'loadBalancer.localityLbSetting.failoverPriority', why: 'istiod orders endpoint priorities by the labels listed; meshplan orders them by locality distance only' },
  { path: 'loadBalancer.localityLbSetting.distribute', why: 'istiod weights each locality of EDS by the percentages given; meshplan sets locality_weighted_lb_config but not the weights' },
  { path: 'retryBudget', why: 'istiod sets the cluster circuit breakers\' retry_budget; meshplan does not' },
];

const TRAFFIC_POLICY_PLACES = ['spec.trafficPolicy', 'spec.trafficPolicy.portLevelSettings[]', 'spec.subsets[].trafficPolicy', 'spec.subsets[].trafficPolicy.portLevelSettings[]'];

/** Kind → the fields of its objects not honoured. */
export const NOT_HONOURED: Record<string, NotHonoured[]> = {
  DestinationRule: TRAFFIC_POLICY_PLACES.flatMap((place) => TRAFFIC_POLICY.map((f) => ({ ...f, path: `${place}.${f.path}` }))),
  Sidecar: [
    { path: 'spec.outboundTrafficPolicy.egressProxy', why: 'istiod sends traffic to unknown destinations to this egress proxy (REGISTRY_ONLY off); meshplan uses PassthroughCluster' },
    { path: 'spec.inboundConnectionPool.http.maxConcurrentStreams', why: 'istiod sets max_concurrent_streams on inbound clusters; meshplan does not' },
    { path: 'spec.ingress[].connectionPool.http.maxConcurrentStreams', why: 'istiod sets max_concurrent_streams on the inbound cluster; meshplan does not' },
  ],
  WorkloadEntry: [
    { path: 'spec.network', why: 'istiod splits EDS by network (endpoints of other networks through their east-west gateway); meshplan models one network' },
  ],
  ServiceEntry: [
    { path: 'spec.endpoints[].network', why: 'istiod splits EDS by network (endpoints of other networks through their east-west gateway); meshplan models one network' },
  ],
};

/** Each kind's fields with their paths split once: ["spec", "subsets[]", "trafficPolicy", "tunnel"]. */
const PATTERNS = new Map(Object.entries(NOT_HONOURED).map(([kind, fields]) => [kind, fields.map((field) => ({ field, segments: field.path.split('.') }))]));

/** Every concrete path under `value` that a pattern's segments (from `from` on) name, with a value there. */
function find(value: unknown, segments: string[], from: number, at: string, out: string[]): void {
  if (from === segments.length) {
    if (value !== undefined && value !== null) out.push(at);
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  const segment = segments[from];
  const list = segment.endsWith('[]');
  const name = list ? segment.slice(0, -2) : segment;
  const child = (value as Record<string, unknown>)[name];
  if (child === undefined || child === null) return;
  const here = at === '' ? name : `${at}.${name}`;
  if (!list) return find(child, segments, from + 1, here, out);
  if (Array.isArray(child)) child.forEach((item, i) => find(item, segments, from + 1, `${here}[${i}]`, out));
}

export function unhonouredFieldMessages(objects: K8sObject[], documentOf: DocumentOf): AnalysisMessage[] {
  const out: AnalysisMessage[] = [];
  for (const o of objects) {
    for (const { field, segments } of PATTERNS.get(o.kind) ?? []) {
      const paths: string[] = [];
      find(o, segments, 0, '', paths);
      for (const path of paths) out.push(meshplanMessage('FieldNotHonoured', o, `${path} is not honoured: ${field.why}`, path, documentOf));
    }
  }
  return out;
}

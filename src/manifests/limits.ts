// Bounds on what the objects of one input expand to (src/limits.ts has the values): checked in the
// manifest stage, before the mesh index or any proxy's xDS is built, so an input past a bound costs
// only its parsing. Each problem names the object, the field and the limit's variable.

import { LIMITS, overLimit, type Limits } from '../limits.js';
import { requestProblem, type K8sObject, type ManifestProblem } from './types.js';

export interface LocatedObject {
  object: K8sObject;
  document: number;
  /** Field path prefix of the object in its document ("items[3]." inside a List). */
  prefix: string;
}

type Check = (o: K8sObject, limits: Limits) => { path: string; message: string }[];

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

function bounded(path: string, items: unknown, what: string, key: keyof Limits, limits: Limits) {
  const n = list(items).length;
  return n > limits[key] ? [{ path, message: overLimit(`the number of ${what}`, n, key, limits) }] : [];
}

const CHECKS: Record<string, Check> = {
  Deployment: (o, l) => {
    const replicas = o.spec?.replicas;
    const containers = list(o.spec?.template?.spec?.containers) as any[];
    return [
      ...(typeof replicas === 'number' && replicas > l.maxReplicas
        ? [{ path: 'spec.replicas', message: overLimit('replicas', replicas, 'maxReplicas', l) }]
        : []),
      ...containers.flatMap((c, i) => bounded(`spec.template.spec.containers[${i}].ports`, c?.ports, 'ports', 'maxPorts', l)),
    ];
  },
  Pod: (o, l) => (list(o.spec?.containers) as any[]).flatMap((c, i) => bounded(`spec.containers[${i}].ports`, c?.ports, 'ports', 'maxPorts', l)),
  Service: (o, l) => bounded('spec.ports', o.spec?.ports, 'ports', 'maxPorts', l),
  ServiceEntry: (o, l) => [
    ...bounded('spec.ports', o.spec?.ports, 'ports', 'maxPorts', l),
    ...bounded('spec.hosts', o.spec?.hosts, 'hosts', 'maxHosts', l),
  ],
  VirtualService: (o, l) => bounded('spec.hosts', o.spec?.hosts, 'hosts', 'maxHosts', l),
  Gateway: (o, l) => [
    ...bounded('spec.servers', o.spec?.servers, 'servers', 'maxGatewayServers', l),
    ...(list(o.spec?.servers) as any[]).flatMap((s, i) => bounded(`spec.servers[${i}].hosts`, s?.hosts, 'hosts', 'maxHosts', l)),
  ],
  Sidecar: (o, l) => [
    ...bounded('spec.egress', o.spec?.egress, 'egress listeners', 'maxPorts', l),
    ...bounded('spec.ingress', o.spec?.ingress, 'ingress listeners', 'maxPorts', l),
    ...(list(o.spec?.egress) as any[]).flatMap((e, i) => bounded(`spec.egress[${i}].hosts`, e?.hosts, 'hosts', 'maxHosts', l)),
  ],
};

/** Whether any `regex` field of the value is longer than the limit: regexProblems' walk without paths (or an array per map). */
function hasLongRegex(root: unknown, limits: Limits): boolean {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const value = stack.pop();
    if (typeof value !== 'object' || value === null) continue;
    for (const k in value) {
      if (!Object.hasOwn(value, k)) continue;
      const v: unknown = (value as Record<string, unknown>)[k];
      if (k === 'regex' && typeof v === 'string' && v.length > limits.maxRegexLength) return true;
      if (typeof v === 'object' && v !== null) stack.push(v);
    }
  }
  return false;
}

/** Regular expressions anywhere in an object (`regex` fields of string matches), walked without recursion. */
function regexProblems(o: K8sObject, limits: Limits): { path: string; message: string }[] {
  if (!hasLongRegex(o.spec, limits)) return [];
  const out: { path: string; message: string }[] = [];
  const stack: [unknown, string][] = [[o.spec, 'spec']];
  while (stack.length > 0) {
    const [value, path] = stack.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    for (const [k, v] of Object.entries(value)) {
      const at = Array.isArray(value) ? `${path}[${k}]` : `${path}.${k}`;
      if (k === 'regex' && typeof v === 'string' && v.length > limits.maxRegexLength) {
        out.push({ path: at, message: overLimit('the regular expression length', v.length, 'maxRegexLength', limits) });
      } else stack.push([v, at]);
    }
  }
  return out.reverse();
}

/** Problems of one object past a bound; with the length of its longest string known, regular expressions within the bound are not looked for. */
export function objectLimitProblems(o: K8sObject, limits: Limits = LIMITS, longestString = Infinity): { path: string; message: string }[] {
  const regexes = longestString > limits.maxRegexLength ? regexProblems(o, limits) : [];
  return [...(CHECKS[o.kind]?.(o, limits) ?? []), ...regexes];
}

const problemAt = (at: LocatedObject, path: string, message: string): ManifestProblem => ({
  document: at.document,
  kind: at.object.kind,
  object: `${at.object.metadata.namespace}/${at.object.metadata.name}`,
  path: at.prefix + path,
  message,
  severity: 'error',
});

/**
 * Bounds across objects: the pods of the whole input, and each root VirtualService's delegation
 * fan-out (mergeVirtualServicesIfNeeded makes one route per root match × delegate rule × delegate match).
 */
export function inputLimitProblems(objects: LocatedObject[], limits: Limits = LIMITS): ManifestProblem[] {
  const problems: ManifestProblem[] = [];
  let pods = 0;
  // One pass for the pods and the delegates, one over the VirtualServices that may delegate.
  const delegates = new Map<string, K8sObject>();
  const virtualServices: LocatedObject[] = [];
  for (const at of objects) {
    const o = at.object;
    if (o.kind === 'Pod') pods += 1;
    else if (o.kind === 'Deployment') pods += typeof o.spec?.replicas === 'number' ? o.spec.replicas : 1;
    else if (o.kind === 'VirtualService') {
      virtualServices.push(at);
      if (list(o.spec?.hosts).length === 0) delegates.set(`${o.metadata.namespace}/${o.metadata.name}`, o);
    }
  }
  if (pods > limits.maxPods) {
    problems.push(requestProblem('resources', overLimit('the number of pods of the input', pods, 'maxPods', limits)));
  }
  const matches = (rule: any) => Math.max(1, list(rule?.match).length);
  for (const at of virtualServices) {
    const o = at.object;
    let routes = 0;
    for (const rule of list(o.spec?.http) as any[]) {
      const ref = rule?.delegate;
      const delegate = ref?.name ? delegates.get(`${ref.namespace || o.metadata.namespace}/${ref.name}`) : undefined;
      if (!delegate) routes += 1;
      else for (const sub of list(delegate.spec?.http)) routes += matches(rule) * matches(sub);
    }
    if (routes > limits.maxDelegationFanout) {
      problems.push(problemAt(at, 'spec.http', overLimit('the number of routes its delegation expands to', routes, 'maxDelegationFanout', limits)));
    }
  }
  return problems;
}

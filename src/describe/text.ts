// A pod's description as `istioctl x describe pod` prints it (printPod, printService, printDestinationRule,
// printVirtualService, printPeerAuthentication, printIngressInfo): names as `name` in the pod's namespace,
// else `name.namespace`.

import type { PodDescription } from './schema.js';

type PortFacts = PodDescription['services'][number]['ports'][number];

const SEPARATOR = '--------------------';

export function describeText(d: PodDescription): string {
  const kname = (r: { name: string; namespace: string }) => (r.namespace === d.pod.namespace ? r.name : `${r.name}.${r.namespace}`);
  const out: string[] = [];
  const sp = (n: number) => ' '.repeat(n);
  out.push(`Pod: ${d.pod.name}`);
  out.push(`   Pod Revision: ${d.pod.revision}`);
  out.push(d.pod.ports.length > 0 ? `   Pod Ports: ${d.pod.ports.map((p) => `${p.port}${p.protocol !== 'TCP' ? `/${p.protocol}` : ''} (${p.container})`).join(', ')}` : '   Pod does not expose ports');
  for (const w of d.warnings) out.push(w.startsWith('Suggestion') ? w : `Warning: ${w}`);
  out.push(SEPARATOR);
  d.services.forEach((svc, i) => {
    if (i > 0) out.push(SEPARATOR);
    out.push(`Service: ${kname(svc)}`);
    for (const p of svc.ports) out.push(p.targetPort === null ? `   port ${p.name} ${p.port}: no container port named for it on the pod` : `   Port: ${p.name} ${p.port}/${p.protocol} targets pod port ${p.targetPort}`);
    const several = svc.ports.length > 1;
    const base = several ? 3 : 0;
    for (const p of svc.ports) {
      if (several) out.push(`${p.port}:`);
      if (p.destinationRule) destinationRuleLines(p, base, kname).forEach((l) => out.push(l));
      if (p.virtualService) virtualServiceLines(p.virtualService, base, kname).forEach((l) => out.push(l));
      // meshplan's addition: istioctl prints the workload's mode only (Effective PeerAuthentication, below).
      out.push(`${' '.repeat(base)}Effective mTLS mode on target port ${p.targetPort ?? p.port}: ${p.mtlsMode}`);
    }
  });
  out.push(SEPARATOR);
  out.push('Effective PeerAuthentication:');
  out.push(`   Workload mTLS mode: ${d.peerAuthentication.mode}`);
  if (d.peerAuthentication.portLevel.length > 0) {
    out.push('   Port Level mTLS mode:');
    for (const p of d.peerAuthentication.portLevel) out.push(`      ${p.port}: ${p.mode}`);
  }
  if (d.peerAuthentication.applied.length > 0) {
    out.push('Applied PeerAuthentication:');
    out.push(`   ${d.peerAuthentication.applied.map((p) => `${p.name}.${p.namespace}`).join(', ')}`);
  }
  if (d.authorizationPolicies.length > 0) {
    out.push('Applied AuthorizationPolicy:');
    out.push(`   ${d.authorizationPolicies.map((p) => `${p.name}.${p.namespace} (${p.action})`).join(', ')}`);
  }
  if (d.ingress.length === 0) out.push('Not exposed on any ingress gateway');
  for (const g of d.ingress) {
    out.push(SEPARATOR);
    for (const url of g.urls) out.push(`Exposed on Ingress Gateway ${url}`);
    out.push(`${sp(0)}Gateway: ${kname(g.gateway)} (hosts ${g.hosts.join(', ')})`);
    virtualServiceLines(g.virtualService, 0, kname).forEach((l) => out.push(l));
  }
  return `${out.join('\n')}\n`;
}

function destinationRuleLines(p: PortFacts, base: number, kname: (r: { name: string; namespace: string }) => string): string[] {
  const dr = p.destinationRule!;
  const sp = (n: number) => ' '.repeat(base + n);
  const out = [`${sp(0)}DestinationRule: ${kname(dr)} for "${dr.host}"`];
  if (dr.matchingSubsets.length > 0 || dr.nonMatchingSubsets.length > 0) {
    if (dr.matchingSubsets.length === 0) out.push(`${sp(3)}WARNING POD DOES NOT MATCH ANY SUBSETS.  (Non matching subsets ${dr.nonMatchingSubsets.join(',')})`);
    out.push(`${sp(3)}Matching subsets: ${dr.matchingSubsets.join(',')}`);
    if (dr.nonMatchingSubsets.length > 0) out.push(`${sp(6)}(Non-matching subsets ${dr.nonMatchingSubsets.join(',')})`);
  }
  const tp = dr.trafficPolicy;
  if (!tp) out.push(`${sp(3)}No Traffic Policy`);
  else {
    if (tp.tlsMode) out.push(`${sp(3)}Traffic Policy TLS Mode: ${tp.tlsMode}`);
    if (tp.policies.length > 0) out.push(`${sp(3)}Policies: ${tp.policies.join('/')}`);
    if (tp.portLevelSettings.length > 0) {
      out.push(`${sp(3)}Port Level Settings:`);
      for (const ps of tp.portLevelSettings) {
        out.push(`${' '.repeat(4)}${ps.port}:`);
        if (ps.tlsMode) out.push(`${sp(6)}TLS Mode: ${ps.tlsMode}`);
        if (ps.policies.length > 0) out.push(`${sp(6)}Policies: ${ps.policies.join('/')}`);
      }
    }
  }
  return out;
}

/** printVirtualService: the facts of the rules that reach the pod, else why none does. */
function virtualServiceLines(vs: NonNullable<PortFacts['virtualService']>, base: number, kname: (r: { name: string; namespace: string }) => string): string[] {
  const sp = (n: number) => ' '.repeat(base + n);
  const out = [`${sp(0)}VirtualService: ${kname(vs)}`];
  const reaching = vs.routes.filter((r) => r.reachesPod);
  if (reaching.length === 0) {
    for (const kind of ['http', 'tcp'] as const) {
      const n = vs.routes.filter((r) => r.kind === kind).length;
      if (n > 0) out.push(`${sp(3)}WARNING: No destinations match pod subsets (checked ${n} ${kind.toUpperCase()} routes)`);
    }
    for (const note of vs.routes.flatMap((r) => r.notes)) out.push(`${sp(6)}${note}`);
    return out;
  }
  for (const r of reaching) {
    for (const d of r.destinations) if (d.weight > 0) out.push(`${sp(3)}Route to host "${d.host}"${d.subset ? ` subset "${d.subset}"` : ''} with weight ${d.weight}%`);
    if (r.matches.length > 0) out.push(`${sp(3)}${r.matches.join(', ')}`);
  }
  if (reaching.length < vs.routes.length) out.push(`${sp(3)}${vs.routes.length - reaching.length} additional destination(s) that will not reach this pod`);
  return out;
}

// The Envoy config diff as the APIs answer it: proxies, summary and text, with the fields left out
// at detail "summary" (the default above SUMMARY_DETAIL_ABOVE proxies).

import type { GeneratedXds } from '../xds/types.js';
import { diffProxies, summarize, type DiffProxyRef, type EnvoyDiffSummary, type ProxyDiff, type SideProxy } from './envoy.js';
import { impactText } from './impact.js';

export type { DiffProxyRef, EnvoyDiffSummary, ProxyDiff, ResourceChange, SideProxy, XdsKind } from './envoy.js';
export type { FieldChange } from './fields.js';

export type DiffDetail = 'full' | 'summary';

/** Above this many proxies a diff leaves out the fields unless asked for them. */
export const SUMMARY_DETAIL_ABOVE = 100;

export interface EnvoyDiff {
  proxies: ProxyDiff[];
  summary: EnvoyDiffSummary;
  text: string;
  detail: DiffDetail;
}

export function envoyDiffOf(before: SideProxy[], after: SideProxy[], detail?: DiffDetail, onProgress?: (done: number, total: number) => void): EnvoyDiff {
  const proxies = diffProxies(before, after, onProgress);
  const summary = summarize(proxies);
  const chosen = detail ?? (proxies.length > SUMMARY_DETAIL_ABOVE ? 'summary' : 'full');
  return {
    proxies: chosen === 'full' ? proxies : proxies.map((p) => ({ ...p, changes: p.changes.map(({ fields: _f, ...c }) => c) })),
    summary,
    text: impactText(proxies, summary),
    detail: chosen,
  };
}

/** A live dump (read by src/dump) as one side of a diff: one proxy, without provenance. */
export function dumpSide(xds: GeneratedXds, ref: DiffProxyRef): SideProxy[] {
  return [{ ref, xds: () => xds }];
}

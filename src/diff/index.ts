// The Envoy config diff as the APIs answer it: proxies, summary and text, with the fields left out
// at detail "summary" (the default above SUMMARY_DETAIL_ABOVE proxies).

import type { ConfigDump } from '../contract.js';
import { fromConfigDump } from '../xds/configdump.js';
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

export function envoyDiffOf(before: SideProxy[], after: SideProxy[], detail?: DiffDetail): EnvoyDiff {
  const proxies = diffProxies(before, after);
  const summary = summarize(proxies);
  const chosen = detail ?? (proxies.length > SUMMARY_DETAIL_ABOVE ? 'summary' : 'full');
  return {
    proxies: chosen === 'full' ? proxies : proxies.map((p) => ({ ...p, changes: p.changes.map(({ fields: _f, ...c }) => c) })),
    summary,
    text: impactText(proxies, summary),
    detail: chosen,
  };
}

const BOOTSTRAP = 'type.googleapis.com/envoy.admin.v3.BootstrapConfigDump';

/**
 * Who a live dump is from: its bootstrap's node id (type~ip~name.namespace~domain), as Envoy's admin
 * prints it; undefined when the dump has no bootstrap.
 */
export function dumpProxyRef(dump: ConfigDump): DiffProxyRef | undefined {
  const bootstrap = dump.configs.find((c) => c['@type'] === BOOTSTRAP) as { bootstrap?: { node?: { id?: string } } } | undefined;
  const id = bootstrap?.bootstrap?.node?.id;
  const m = id ? /^(sidecar|router)~[^~]*~([^.~]+)\.([^~]+)~/.exec(id) : null;
  return m ? { type: m[1] as DiffProxyRef['type'], name: m[2], namespace: m[3] } : undefined;
}

/** A live dump as one side of a diff: one proxy, without provenance. */
export function dumpSide(dump: ConfigDump, ref: DiffProxyRef): SideProxy[] {
  const xds = fromConfigDump(dump);
  return [{ ref, xds: () => xds }];
}

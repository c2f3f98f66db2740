// CLUSTER patches of CDS (pilot/pkg/networking/core/envoyfilter/cluster_patch.go ApplyClusterMerge,
// InsertedClusters, mergeTransportSocketCluster; cluster.go buildClusters for where each applies).

import type { EnvoyFilterPatch, PatchContext } from '../../mesh/envoyfilters.js';
import type { Cluster } from '../envoy.js';
import { parseSubsetKey } from '../names.js';
import { mergeAny, mergeMessage } from './proto-json.js';
import { contextMatch, isMerge, VALUE_TYPE, type PatchRun } from './patch.js';

type JsonObject = Record<string, any>;

/** clusterMatch: by name, else by the subset key's subset, host (inbound: the services of the port) and port. */
function clusterMatch(c: Cluster, p: EnvoyFilterPatch, hosts: string[]): boolean {
  const m = p.match.cluster;
  if (!m) return true;
  if (m.name) return m.name === c.name;
  const key = parseSubsetKey(c.name);
  const hostMatches = key?.direction === 'inbound' && hosts.length > 0 ? hosts : [key?.host ?? ''];
  if (m.subset && m.subset !== (key?.subset ?? '')) return false;
  if (m.service && !hostMatches.includes(m.service)) return false;
  if (m.portNumber && Number(m.portNumber) !== (key?.port ?? 0)) return false;
  return true;
}

/**
 * A cluster MERGE: a transport socket is merged into the one of the same name (among transport_socket_matches
 * too) at the typed_config level; a cluster with matches but none of that name keeps its sockets; otherwise
 * the socket is replaced. The rest is the plain message merge.
 */
function mergeCluster(into: JsonObject, value: JsonObject, replaceList: boolean): string | undefined {
  const ts = value.transport_socket;
  if (!ts) {
    mergeMessage(VALUE_TYPE.CLUSTER!, into, value, { replaceList });
    return undefined;
  }
  // Copies of what changes: `into` is a shallow copy of a cluster other proxies share.
  let target: JsonObject | undefined;
  if (Array.isArray(into.transport_socket_matches) && into.transport_socket_matches.length > 0) {
    const i = into.transport_socket_matches.findIndex((m: JsonObject) => m.transport_socket?.name === ts.name);
    // Merging would leave both transport_socket and transport_socket_matches: istiod drops the patch.
    if (i === -1) return 'the cluster has transport_socket_matches and none of them has this transport socket name';
    into.transport_socket_matches = [...into.transport_socket_matches];
    const match = (into.transport_socket_matches[i] = { ...into.transport_socket_matches[i] });
    target = match.transport_socket = { ...match.transport_socket };
  } else if (into.transport_socket?.name === ts.name) target = into.transport_socket = { ...into.transport_socket };
  if (!target) {
    into.transport_socket = ts;
    return undefined;
  }
  if (target.typed_config && ts.typed_config) {
    const merged = mergeAny(target.typed_config, ts.typed_config);
    if (merged.problem) return merged.problem;
    target.typed_config = merged.value;
  }
  return undefined;
}

/**
 * ApplyClusterMerge for one cluster: undefined when a REMOVE drops it; the cluster itself when no patch
 * changes it (generated clusters are shared and frozen), else a patched copy.
 */
export function patchCluster(run: PatchRun, ctx: PatchContext, cluster: Cluster, hosts: string[]): Cluster | undefined {
  const patches = run.of('CLUSTER').filter((p) => contextMatch(ctx, p) && clusterMatch(cluster, p, hosts) && (p.operation === 'REMOVE' || isMerge(p)));
  if (patches.length === 0) return cluster;
  // Merges copy what they change, so a shallow copy is enough.
  const c = { ...cluster } as Cluster;
  for (const p of patches) {
    if (p.operation === 'REMOVE') return undefined;
    if (run.merge(p, VALUE_TYPE.CLUSTER!, c as JsonObject, c.name, (into, value) => mergeCluster(into, value, p.operation === 'MERGE_AND_REPLACE_LIST'))) {
      run.touch('clusters', c.name, p);
    }
  }
  return c;
}

/** InsertedClusters: the ADDs of a context (ADDs without a context only for sidecar outbound and gateways). */
export function insertedClusters(run: PatchRun, ctx: PatchContext): Cluster[] {
  const out: Cluster[] = [];
  for (const p of run.of('CLUSTER')) {
    if (p.operation !== 'ADD') continue;
    if (p.context === 'ANY' && ctx !== 'SIDECAR_OUTBOUND' && ctx !== 'GATEWAY') continue;
    if (!contextMatch(ctx, p)) continue;
    const v = run.value(p) as Cluster | undefined;
    if (v) {
      out.push(v);
      run.touch('clusters', v.name, p);
    }
  }
  return out;
}

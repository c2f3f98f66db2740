// Helpers istioctl's writers share (istioctl/pkg/writer/envoy/configdump/route.go describeManagement,
// cluster.go safelyParseSubsetKey; pilot/pkg/model ParseSubsetKey).

import type { Metadata } from '../xds/envoy.js';
import { goSortSlice } from '../util/go-sort.js';

/** The Istio config behind a resource, from filter_metadata.istio.config: "<name>.<namespace>" (renderConfig). */
export function describeManagement(metadata: Metadata | undefined): string {
  const config = metadata?.filter_metadata?.istio?.config;
  if (config === undefined) return '';
  const path = typeof config === 'string' ? config : '';
  if (!path.startsWith('/apis/networking.istio.io/')) return '<unknown>';
  const pieces = path.split('/');
  return pieces.length === 8 ? `${pieces[7]}.${pieces[5]}` : '';
}

/** strconv.Atoi: an optional sign and decimal digits, else no number. */
export function atoi(s: string): number | undefined {
  return /^[+-]?\d+$/.test(s) ? Number(s) : undefined;
}

export interface SubsetKey {
  direction: string;
  subset: string;
  host: string;
  port: number;
}

/** model.ParseSubsetKey on a name with more than three '|' parts, else the whole name as host (safelyParseSubsetKey). */
export function safelyParseSubsetKey(name: string): SubsetKey {
  const parts = name.split('|');
  if (parts.length <= 3) return { direction: '', subset: '', host: name, port: 0 };
  return { direction: parts[0], port: atoi(parts[1]) ?? 0, subset: parts[2], host: parts[3] };
}

/** The clusters' and EDS tables' order: host, subset, port, direction. */
export const subsetKeyLess = (a: SubsetKey, b: SubsetKey): boolean => {
  if (a.host !== b.host) return a.host < b.host;
  if (a.subset !== b.subset) return a.subset < b.subset;
  if (a.port !== b.port) return a.port < b.port;
  return a.direction < b.direction;
};

/** strings.EqualFold for the ASCII names istioctl compares. */
export const equalFold = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

/** Items sorted by their names' subset keys (sort.Slice over safelyParseSubsetKey), each name parsed once. */
export function sortBySubsetKey<T>(items: T[], name: (item: T) => string): T[] {
  const keys = new Map(items.map((item) => [item, safelyParseSubsetKey(name(item))]));
  return goSortSlice([...items], (a, b) => subsetKeyLess(keys.get(a)!, keys.get(b)!));
}

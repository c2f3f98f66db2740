// A route configuration given as proto3 JSON, accepted only when Envoy would accept it: checked
// strictly against Envoy's v3 protos (unknown fields, enum names, wrappers, durations, required
// fields: src/envoy/protos.ts), then read in the snake_case form the router works on.

import { checkEnvoyResource } from '../envoy/protos.js';
import type { ManifestProblem } from '../manifests/types.js';
import type { RouteConfiguration } from '../xds/envoy.js';

const ROUTE_CONFIGURATION = 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration';

/** Fields whose keys are data (filter names, metadata namespaces, Struct keys), not proto field names. */
const DATA_KEYED = new Set(['typed_per_filter_config', 'metadata', 'filter_metadata', 'typed_filter_metadata', 'typed_metadata']);

const snake = (key: string): string => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** proto3 JSON may use lowerCamelCase field names; the router reads the proto names. */
function toProtoNames(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toProtoNames);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => {
      const name = k.startsWith('@') ? k : snake(k);
      return [name, DATA_KEYED.has(name) ? v : toProtoNames(v)];
    }),
  );
}

export interface CheckedRouteConfig {
  config?: RouteConfiguration;
  problems: ManifestProblem[];
}

/** The route configuration, or every reason Envoy would refuse it (paths under `at`). */
export function checkRouteConfiguration(json: unknown, at = 'routeConfig'): CheckedRouteConfig {
  const { errors } = checkEnvoyResource(ROUTE_CONFIGURATION, json);
  if (errors.length) {
    return {
      problems: errors.map((e) => {
        const colon = e.indexOf(': ');
        return { document: -1, kind: 'RouteConfiguration', path: `${at}${e.slice(1, colon)}`, message: e.slice(colon + 2), severity: 'error' };
      }),
    };
  }
  return { config: toProtoNames(json) as RouteConfiguration, problems: [] };
}

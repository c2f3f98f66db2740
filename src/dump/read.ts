// Reads what Envoy's admin /config_dump (or `istioctl proxy-config all -o json`) prints into a LiveDump,
// the way istioctl's configdump.Wrapper does (istioctl/pkg/util/configdump): sections found by their
// "@type", unknown extension types left alone, v2 type URLs of resources accepted. Anything that is not
// a config dump is answered with every problem and where it is.

import { requestProblem, type ManifestProblem } from '../manifests/types.js';
import { inProtoNames } from './proto-names.js';
import type { DumpSecret, DynamicListener, EcdsFilter, Json, LiveDump } from './types.js';

export const ADMIN_TYPE = 'type.googleapis.com/envoy.admin.v3.';

const EXPECTED =
  'expected an Envoy config dump: {"configs": [...]}, each section an object with an "@type" such as ' +
  `${ADMIN_TYPE}ListenersConfigDump, as Envoy's admin /config_dump or \`istioctl proxy-config all -o json\` prints it`;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

class Reader {
  readonly problems: ManifestProblem[] = [];
  constructor(private readonly root: string) {}

  problem(path: string, message: string): void {
    this.problems.push(requestProblem(`${this.root}${path}`, message));
  }

  /** A repeated field: absent is empty (proto3 JSON omits empty lists). */
  list(section: Json, field: string, path: string): Json[] {
    const v = section[field];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) {
      this.problem(`${path}.${field}`, `expected a list, got ${typeof v}`);
      return [];
    }
    return v.flatMap((item, i) => {
      if (isObject(item)) return [item];
      this.problem(`${path}.${field}[${i}]`, `expected an object, got ${item === null ? 'null' : typeof item}`);
      return [];
    });
  }

  /**
   * A resource packed in an Any: its "@type" is dropped so it has the shape of a generated resource.
   * istioctl sets the v3 type URL before unpacking (older Envoys print v2 ones), so any resource type
   * whose last segment is the expected message is accepted.
   */
  resource<T>(entry: Json, field: string, message: string, path: string): T | undefined {
    const v = entry[field];
    if (v === undefined || v === null) return undefined;
    if (!isObject(v)) {
      this.problem(`${path}.${field}`, `expected a ${message} object, got ${typeof v}`);
      return undefined;
    }
    const type = v['@type'];
    if (type !== undefined && (typeof type !== 'string' || !type.endsWith(`.${message}`))) {
      this.problem(`${path}.${field}.@type`, `expected a ...${message}, got ${JSON.stringify(type)}`);
      return undefined;
    }
    const { '@type': _type, ...rest } = v;
    return rest as T;
  }

  resources<T>(section: Json, listField: string, field: string, message: string, path: string): T[] {
    return this.list(section, listField, path).flatMap((entry, i) => {
      const r = this.resource<T>(entry, field, message, `${path}.${listField}[${i}]`);
      return r ? [r] : [];
    });
  }
}

/** The LiveDump of a config dump, or the problems that make it not one (paths under `root`). */
export function readConfigDump(given: unknown, root = 'configDump'): { dump?: LiveDump; problems: ManifestProblem[] } {
  const r = new Reader(root);
  const input = inProtoNames(given);
  if (!isObject(input) || !Array.isArray(input.configs)) {
    const given = isObject(input) && input.configs !== undefined ? input.configs : input;
    r.problem(isObject(input) ? '.configs' : '', `${EXPECTED}; got ${describe(given)}`);
    return { problems: r.problems };
  }
  const dump: LiveDump = { sections: [], other: [], input: given as LiveDump['input'] };
  input.configs.forEach((section: unknown, i: number) => {
    const path = `.configs[${i}]`;
    const type = isObject(section) ? section['@type'] : undefined;
    if (!isObject(section) || typeof type !== 'string') {
      r.problem(path, `${EXPECTED}; this section has no "@type"`);
      return;
    }
    if (!type.startsWith(ADMIN_TYPE)) {
      r.problem(`${path}.@type`, `expected an admin section type (${ADMIN_TYPE}<Name>ConfigDump), got ${JSON.stringify(type)}`);
      return;
    }
    const name = type.slice(ADMIN_TYPE.length);
    dump.sections.push(name);
    readSection(r, dump, name, section, path);
  });
  if (r.problems.length > 0) return { problems: r.problems };
  return { dump, problems: [] };
}

/** Each section as Envoy's admin config_dump.proto defines it. A repeated section: the last one wins, as in istioctl's getSection (ECDS sections add up). */
function readSection(r: Reader, dump: LiveDump, name: string, section: Json, path: string): void {
  switch (name) {
    case 'BootstrapConfigDump': {
      const bootstrap = section.bootstrap;
      if (bootstrap !== undefined && !isObject(bootstrap)) r.problem(`${path}.bootstrap`, 'expected a Bootstrap object');
      dump.bootstrap = isObject(bootstrap) ? bootstrap : {};
      return;
    }
    case 'ClustersConfigDump':
      dump.clusters = {
        static: r.resources(section, 'static_clusters', 'cluster', 'Cluster', path),
        dynamicActive: r.resources(section, 'dynamic_active_clusters', 'cluster', 'Cluster', path),
        dynamicWarming: r.resources(section, 'dynamic_warming_clusters', 'cluster', 'Cluster', path),
      };
      return;
    case 'EndpointsConfigDump':
      dump.endpoints = {
        static: r.resources(section, 'static_endpoint_configs', 'endpoint_config', 'ClusterLoadAssignment', path),
        dynamic: r.resources(section, 'dynamic_endpoint_configs', 'endpoint_config', 'ClusterLoadAssignment', path),
      };
      return;
    case 'ListenersConfigDump':
      dump.listeners = {
        static: r.resources(section, 'static_listeners', 'listener', 'Listener', path),
        dynamic: r.list(section, 'dynamic_listeners', path).map((entry, i): DynamicListener => {
          const at = `${path}.dynamic_listeners[${i}]`;
          const state = (field: string) => {
            const s = entry[field];
            if (s === undefined || s === null) return undefined;
            if (!isObject(s)) {
              r.problem(`${at}.${field}`, 'expected a listener state object ({version_info, listener, last_updated})');
              return undefined;
            }
            return r.resource<NonNullable<DynamicListener['active']>>(s, 'listener', 'Listener', `${at}.${field}`);
          };
          const active = state('active_state');
          const name = typeof entry.name === 'string' ? entry.name : (active?.name ?? '');
          return {
            name,
            ...(active ? { active } : {}),
            ...optional('warming', state('warming_state')),
            ...optional('draining', state('draining_state')),
            ...(isObject(entry.error_state) ? { errorState: entry.error_state } : {}),
          };
        }),
      };
      return;
    case 'RoutesConfigDump':
      dump.routes = {
        static: r.resources(section, 'static_route_configs', 'route_config', 'RouteConfiguration', path),
        dynamic: r.resources(section, 'dynamic_route_configs', 'route_config', 'RouteConfiguration', path),
      };
      return;
    case 'ScopedRoutesConfigDump':
      dump.scopedRoutes = {
        inline: r.list(section, 'inline_scoped_route_configs', path),
        dynamic: r.list(section, 'dynamic_scoped_route_configs', path),
      };
      return;
    case 'SecretsConfigDump': {
      const dynamic = (field: string): DumpSecret[] =>
        r.list(section, field, path).map((entry, i) => {
          const secret = r.resource<Json>(entry, 'secret', 'Secret', `${path}.${field}[${i}]`);
          return {
            name: typeof entry.name === 'string' ? entry.name : '',
            ...(typeof entry.version_info === 'string' ? { versionInfo: entry.version_info } : {}),
            ...(secret ? { secret } : {}),
          };
        });
      dump.secrets = {
        static: r.list(section, 'static_secrets', path),
        dynamicActive: dynamic('dynamic_active_secrets'),
        dynamicWarming: dynamic('dynamic_warming_secrets'),
      };
      return;
    }
    case 'EcdsConfigDump': {
      const filters = r.list(section, 'ecds_filters', path).flatMap((entry, i) => {
        // The TypedExtensionConfig keeps its own typed_config "@type": ECDS shows it.
        const config = r.resource<Json>(entry, 'ecds_filter', 'TypedExtensionConfig', `${path}.ecds_filters[${i}]`);
        if (!config) return [];
        return [{ name: typeof config.name === 'string' ? config.name : '', ...(isObject(config.typed_config) ? { typed_config: config.typed_config } : {}) } as EcdsFilter];
      });
      dump.ecds = [...(dump.ecds ?? []), ...filters];
      return;
    }
    default:
      dump.other.push(section);
  }
}

const optional = <K extends string, V>(key: K, value: V | undefined) => (value === undefined ? {} : ({ [key]: value } as Record<K, V>));

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (isObject(v)) {
    const keys = Object.keys(v).slice(0, 5);
    return keys.length ? `an object with ${keys.map((k) => JSON.stringify(k)).join(', ')}` : 'an empty object';
  }
  return `${v === null ? 'null' : typeof v}`;
}

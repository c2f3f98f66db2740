// `istioctl proxy-config <kind>` over a config source (a live dump or generated config): each kind's
// table as istioctl prints it (-o short), or its resources (-o json|yaml), with istioctl's filters.

import { stringify as toYaml } from 'yaml';
import type { ManifestProblem } from '../manifests/types.js';
import type { Json } from '../dump/types.js';
import { ADMIN_TYPE } from '../dump/read.js';
import { authzSummary, rbacConfigs } from './authz.js';
import { bootstrapSummary } from './bootstrap.js';
import { clustersSummary, filteredClusters } from './clusters.js';
import { ecdsSummary, sortedEcds } from './ecds.js';
import { clustersEndpointsSummary, edsSummary, filteredAssignments } from './endpoints.js';
import { filteredListeners, listenersSummary } from './listeners.js';
import { filteredRoutes, routesSummary } from './routes.js';
import { secretsSummary } from './secrets.js';
import type { ConfigSource } from './source.js';
import { PROXY_CONFIG_KINDS, type KindOutput, type OutputFormat, type ProxyConfigFilter, type ProxyConfigKind, type WriterOptions } from './types.js';

export { dumpSource, generatedSource, type ConfigSource } from './source.js';
export * from './types.js';

export interface ProxyConfigRequest {
  kinds?: readonly ProxyConfigKind[];
  filter?: ProxyConfigFilter;
  /** istioctl's --verbose, true by default. */
  verbose?: boolean;
  output?: OutputFormat;
  /** Today, for VALID CERT: the core reads no clock. */
  now: Date;
}

export interface ProxyConfigOutput {
  /** Each kind's table; `all` gives each of its sections'. */
  tables: KindOutput[];
  /** What istioctl prints: one kind's text as is; several, each after a `# istioctl proxy-config <kind>` line. */
  text: string;
  problems: ManifestProblem[];
}

/** The default kinds: the four tables generated config has. */
export const DEFAULT_KINDS: readonly ProxyConfigKind[] = ['listeners', 'routes', 'clusters', 'endpoints'];

/** The section a kind reads, named as in the dump, for the problem when the source has none. */
const SECTION: Record<Exclude<ProxyConfigKind, 'all'>, string> = {
  clusters: 'ClustersConfigDump',
  listeners: 'ListenersConfigDump',
  routes: 'RoutesConfigDump',
  endpoints: 'EndpointsConfigDump',
  secrets: 'SecretsConfigDump',
  bootstrap: 'BootstrapConfigDump',
  ecds: 'EcdsConfigDump',
  authz: 'ListenersConfigDump',
};

/** The command whose output a kind's text is, for answers with several kinds. */
const command = (kind: ProxyConfigKind): string => (kind === 'authz' ? 'istioctl x authz check' : `istioctl proxy-config ${kind}`);

const has = (source: ConfigSource, kind: Exclude<ProxyConfigKind, 'all'>): boolean =>
  ({
    clusters: source.clusters,
    listeners: source.listeners,
    routes: source.routes,
    endpoints: source.endpoints ?? (source.origin === 'dump' ? [] : undefined),
    secrets: source.secrets,
    bootstrap: source.bootstrap,
    ecds: source.ecds,
    authz: source.listeners,
  })[kind] !== undefined;

/** One kind's table; the source is known to have its section. */
function summary(source: ConfigSource, kind: Exclude<ProxyConfigKind, 'all'>, options: WriterOptions, eds = source.origin === 'dump'): KindOutput {
  switch (kind) {
    case 'clusters':
      return clustersSummary(source.clusters!, options);
    case 'listeners':
      return listenersSummary(source.listeners!, options);
    case 'routes':
      return routesSummary(source.routes!, options);
    case 'endpoints':
      // A dump without EDS (taken without ?include_eds) prints the header alone, as istioctl.
      return eds ? edsSummary(source.endpoints ?? [], options) : clustersEndpointsSummary(source.endpoints!, options);
    case 'secrets':
      return secretsSummary(source.secrets!, options);
    case 'bootstrap':
      return bootstrapSummary(source.bootstrap!);
    case 'ecds':
      return ecdsSummary(source.ecds!);
    case 'authz':
      return authzSummary(source.listeners!);
  }
}

const HEADINGS: [Exclude<ProxyConfigKind, 'all'>, string][] = [
  ['bootstrap', 'BOOTSTRAP INFO'],
  ['clusters', 'CLUSTER INFO'],
  ['listeners', 'LISTENER INFO'],
  ['routes', 'ROUTE INFO'],
  ['secrets', 'SECRET INFO'],
  ['endpoints', 'ENDPOINTS INFO'],
];

/**
 * PrintFullSummary: every section with its type in NAME, an empty line between; endpoints as the EDS
 * table. Sections the source lacks are left out. The sections' tables come along for JSON answers.
 */
function fullSummary(source: ConfigSource, options: WriterOptions): { sections: KindOutput[]; text: string } {
  const all = { ...options, includeConfigType: true };
  const present = HEADINGS.filter(([kind]) => has(source, kind));
  const sections = present.map(([kind]) => summary(source, kind, all, true));
  const text = sections.map((out, i) => `${options.filter.withHeaders ? `------ ${present[i][1]} ------\n\n` : ''}${out.text}`).join('\n');
  return { sections, text };
}

const adminSection = (source: ConfigSource, name: string): Json[] =>
  source.dump.configs.filter((c) => c['@type'] === `${ADMIN_TYPE}${name}`).map(({ '@type': _t, ...rest }) => rest);

/** What `-o json|yaml` prints for a kind: its resources as the filters leave them. */
function resources(source: ConfigSource, kind: ProxyConfigKind, filter: ProxyConfigFilter): unknown {
  switch (kind) {
    case 'clusters':
      return filteredClusters(source.clusters!, filter);
    case 'listeners':
      return filteredListeners(source.listeners!, filter);
    case 'routes':
      return filteredRoutes(source.routes!, filter);
    case 'endpoints':
      return filteredAssignments(source.endpoints ?? [], filter);
    case 'bootstrap':
    case 'secrets':
      return adminSection(source, SECTION[kind]).at(-1);
    case 'ecds':
      return { ecds_filters: sortedEcds(source.ecds!).map((f) => ({ ecds_filter: { '@type': 'type.googleapis.com/envoy.config.core.v3.TypedExtensionConfig', ...f } })) };
    case 'authz':
      return rbacConfigs(source.listeners!);
    case 'all':
      return source.dump;
  }
}

function formatted(value: unknown, output: 'json' | 'yaml', kind: ProxyConfigKind): string {
  // istioctl: json.MarshalIndent with four spaces; `all` prints the dump as read; YAML via sigs.k8s.io/yaml (keys sorted).
  if (output === 'yaml') return `${toYaml(value, { sortMapEntries: true })}\n`;
  return `${JSON.stringify(value, null, kind === 'all' ? 2 : 4)}\n`;
}

export function renderProxyConfig(source: ConfigSource, request: ProxyConfigRequest): ProxyConfigOutput {
  const kinds = request.kinds?.length ? request.kinds : DEFAULT_KINDS;
  const filter = request.filter ?? {};
  const options: WriterOptions = { filter, verbose: request.verbose ?? true, includeConfigType: false, now: request.now };
  const problems: ManifestProblem[] = kinds.flatMap((kind, i) =>
    kind === 'all' || has(source, kind)
      ? []
      : [
          {
            document: -1,
            path: `kinds[${i}]`,
            message:
              source.origin === 'dump'
                ? `the config dump has no ${SECTION[kind]} section`
                : `meshplan does not generate ${kind}: the ${SECTION[kind]} section is a live proxy's (give its configDump)`,
            severity: 'error' as const,
          },
        ],
  );
  if (problems.length) return { tables: [], text: '', problems };
  const outputs = kinds.map((kind) => {
    if (kind !== 'all') {
      const out = summary(source, kind, options);
      return { tables: [out], text: out.text };
    }
    const full = fullSummary(source, options);
    return { tables: full.sections, text: full.text };
  });
  const tables = outputs.flatMap((o) => o.tables);
  const output = request.output ?? 'short';
  const texts = output === 'short' ? outputs.map((o) => o.text) : kinds.map((kind) => formatted(resources(source, kind, filter), output, kind));
  const text = texts.length === 1 ? texts[0] : texts.map((t, i) => `# ${command(kinds[i])}\n${t}`).join('\n');
  return { tables, text, problems: [] };
}

export const isProxyConfigKind = (k: string): k is ProxyConfigKind => (PROXY_CONFIG_KINDS as readonly string[]).includes(k);

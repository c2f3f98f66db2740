// The pure core's one door: manifests in, Envoy config and traces out. No I/O.
// The service layers (REST, GraphQL, store) call only this module.

import type {
  ConfigDump,
  EngineOptions,
  MeshConfigInput,
  ProxySelector,
  TraceRequestInput,
  TraceResult,
  TranslatedProxy,
  TranslateResult,
} from './contract.js';
import { parseManifests } from './manifests/index.js';
import type { ManifestProblem } from './manifests/types.js';
import { buildMeshIndex } from './mesh/index.js';
import type { MeshIndex, Proxy } from './mesh/types.js';
import { generateXds } from './xds/index.js';
import { toConfigDump } from './xds/configdump.js';
import { provenanceTable } from './xds/provenance.js';
import { SUMMARY_KINDS, summaryTable, formatTable, type SummaryKind, type Table } from './xds/summaries.js';
import type { GeneratedXds } from './xds/types.js';
import { traceRequest } from './trace/index.js';
import { dumpProxyRef, dumpSide, envoyDiffOf, type DiffDetail, type DiffProxyRef, type EnvoyDiff, type SideProxy } from './diff/index.js';
import { quoteMeta } from './util/regex.js';

/** How many proxies a translate without a proxy answers for, at most. */
export const MAX_PROXIES_PER_TRANSLATE = 100;

export interface ProxyConfigResult {
  proxy: { id: string; type: string; namespace: string; name: string };
  tables: (Table & { kind: SummaryKind })[];
  text: string;
  warnings: string[];
}

export interface ScenarioInput {
  /** Multi-document YAML, or an array of objects. */
  resources: string | unknown[];
  mesh?: MeshConfigInput;
  options?: EngineOptions;
}

/** Invalid input: every problem found, with where and why. The APIs turn it into a 400. */
export class InputError extends Error {
  constructor(
    message: string,
    readonly problems: ManifestProblem[],
  ) {
    super(message);
    this.name = 'InputError';
  }
}

/** A scenario parsed and indexed once; proxies' xDS are generated on demand and memoised. */
export class CompiledScenario {
  readonly index: MeshIndex;
  readonly warnings: string[];
  /** Recently generated proxies' xDS, so a multi-hop trace or repeated calls reuse them; bounded, since a
   *  1000-service mesh's proxies together would not fit in memory. */
  private readonly xdsCache = new Map<string, GeneratedXds>();
  private static readonly XDS_CACHE_SIZE = 64;

  constructor(input: ScenarioInput) {
    const parsed = parseManifests(input.resources);
    const errors = parsed.problems.filter((p) => p.severity === 'error');
    // The warnings go along: an unknown field is often why the object is wrong.
    if (errors.length > 0) throw new InputError(`${errors.length} problem(s) in resources`, parsed.problems);
    this.index = buildMeshIndex(parsed.objects, input.mesh ?? {}, input.options ?? {});
    this.warnings = [
      ...parsed.problems.filter((p) => p.severity === 'warning').map(formatProblem),
      ...this.index.warnings,
    ];
  }

  /** The proxy a selector names: a pod of the mesh, or an ad-hoc workload. */
  proxy(selector: ProxySelector): Proxy {
    if ('pod' in selector) {
      const [namespace, name] = selector.pod.includes('/') ? selector.pod.split('/', 2) : ['default', selector.pod];
      // A pod by its name, or a Deployment by its name: then its first pod (named <deployment>-<hash>-<id>).
      const ofDeployment = new RegExp(`^${quoteMeta(name)}-[a-z0-9]+-[a-z0-9]+$`);
      const found =
        this.index.proxies.find((p) => p.pod === `${namespace}/${name}`) ??
        this.index.proxies.find((p) => p.namespace === namespace && p.pod !== undefined && ofDeployment.test(p.name));
      if (!found) {
        throw new InputError(`proxy: no sidecar-injected or gateway pod ${namespace}/${name} in resources`, [
          { document: -1, path: 'proxy.pod', message: `no sidecar-injected or gateway pod or Deployment ${namespace}/${name}`, severity: 'error' },
        ]);
      }
      return found;
    }
    return this.index.makeProxy({
      type: selector.type,
      namespace: selector.namespace ?? 'default',
      labels: selector.labels ?? {},
      ips: selector.ips ?? [],
      metadata: selector.metadata ?? {},
    });
  }

  xds(proxy: Proxy): GeneratedXds {
    // Ad-hoc proxies may share an id (type~ip~name) yet differ in labels or metadata.
    const key = `${proxy.id} ${JSON.stringify([proxy.labels, proxy.metadata])}`;
    let xds = this.xdsCache.get(key);
    if (xds) this.xdsCache.delete(key); // re-inserted below as the most recent
    else xds = generateXds(this.index, proxy);
    this.xdsCache.set(key, xds);
    if (this.xdsCache.size > CompiledScenario.XDS_CACHE_SIZE) this.xdsCache.delete(this.xdsCache.keys().next().value!);
    return xds;
  }

  /**
   * One proxy's config, or every proxy's. A big mesh's proxies together are far more than an answer can
   * carry (a sidecar of a 1000-service mesh has ~20 MiB of config), so "every proxy" has a bound.
   */
  translate(selector?: ProxySelector, maxProxies = MAX_PROXIES_PER_TRANSLATE): TranslateResult {
    if (!selector && this.index.proxies.length > maxProxies) {
      throw new InputError(`the mesh has ${this.index.proxies.length} proxies; translate them one at a time`, [
        {
          document: -1,
          path: 'proxy',
          message: `translating every proxy is limited to ${maxProxies} and this mesh has ${this.index.proxies.length}: name one proxy (proxy.pod or an ad-hoc proxy)`,
          severity: 'error',
        },
      ]);
    }
    const proxies = selector ? [this.proxy(selector)] : this.index.proxies;
    return { proxies: proxies.map((p) => this.translated(p)), warnings: this.warnings };
  }

  trace(selector: ProxySelector, request: TraceRequestInput): TraceResult {
    const result = traceRequest(
      { index: this.index, xdsFor: (p) => this.xds(p) },
      this.proxy(selector),
      request,
    );
    return { ...result, warnings: this.warnings };
  }

  /** `istioctl proxy-config <kind>` for one proxy: the table, and the text istioctl would print. */
  proxyConfig(selector: ProxySelector, kinds: readonly SummaryKind[] = SUMMARY_KINDS): ProxyConfigResult {
    const proxy = this.proxy(selector);
    const xds = this.xds(proxy);
    const tables = kinds.map((kind) => ({ kind, ...summaryTable(xds, kind) }));
    return {
      proxy: { id: proxy.id, type: proxy.type, namespace: proxy.namespace, name: proxy.name },
      tables,
      text: tables.map((t) => `# istioctl proxy-config ${t.kind}\n${formatTable(t)}`).join('\n'),
      warnings: this.warnings,
    };
  }

  private translated(proxy: Proxy): TranslatedProxy {
    const xds = this.xds(proxy);
    return {
      id: proxy.id,
      type: proxy.type,
      namespace: proxy.namespace,
      name: proxy.name,
      labels: proxy.labels,
      ips: proxy.ips,
      configDump: toConfigDump(xds),
      provenance: provenanceTable(xds.provenance),
    };
  }
}

export const formatProblem = (p: ManifestProblem): string =>
  `${p.document >= 0 ? `document ${p.document}` : 'request'}${p.kind ? ` ${p.kind}` : ''}${p.object ? ` ${p.object}` : ''}${p.path ? ` at ${p.path}` : ''}: ${p.message}`;

export const compileScenario = (input: ScenarioInput): CompiledScenario => new CompiledScenario(input);

/** One side of an Envoy diff: a compiled scenario, or a live /config_dump of one proxy. */
export type DiffInput = CompiledScenario | { configDump: ConfigDump };

/**
 * The Envoy config diff from `before` to `after`: every proxy of either side, or the one `proxy` names
 * (present on one side only: added or removed). A dump stands for the proxy its bootstrap names, else
 * for the proxy the other side is asked about.
 */
export function envoyDiff(
  before: DiffInput,
  after: DiffInput,
  options: { proxy?: ProxySelector; detail?: DiffDetail } = {},
): EnvoyDiff & { warnings: string[] } {
  const inputs = [before, after];
  const dumped = inputs.map((input) => (input instanceof CompiledScenario ? undefined : dumpProxyRef(input.configDump)));
  const problems: InputError[] = [];
  /** A scenario's proxies: the one `proxy` names, else the one a dump on the other side is from, else every proxy. */
  const scenarioSide = (scenario: CompiledScenario, dumpRef: DiffProxyRef | undefined): SideProxy[] => {
    let proxies = scenario.index.proxies;
    if (options.proxy) {
      try {
        proxies = [scenario.proxy(options.proxy)];
      } catch (e) {
        if (!(e instanceof InputError)) throw e;
        problems.push(e);
        proxies = [];
      }
    } else if (dumpRef) proxies = proxies.filter((p) => p.namespace === dumpRef.namespace && p.name === dumpRef.name);
    // One proxy goes through the scenario's cache (a repeated diff is then nearly free); every proxy is
    // generated and let go one at a time, so a big mesh's configs never pile up.
    const xdsOf = proxies.length === 1 ? (p: Proxy) => scenario.xds(p) : (p: Proxy) => generateXds(scenario.index, p);
    return proxies.map((p) => ({ ref: { namespace: p.namespace, name: p.name, type: p.type }, xds: () => xdsOf(p) }));
  };
  const sides = inputs.map((input, i) => (input instanceof CompiledScenario ? scenarioSide(input, dumped[1 - i]) : undefined));
  const scenarios = sides.filter((side) => side !== undefined).length;
  if (problems.length > 0 && problems.length === scenarios) throw problems[0];
  const [a, b] = inputs.map((input, i) => {
    if (input instanceof CompiledScenario) return sides[i]!;
    // A dump is from the proxy its bootstrap names, else from the one proxy the other side is asked about.
    const other = sides[1 - i];
    const ref = dumped[i] ?? (other === undefined ? { namespace: '', name: 'configDump', type: 'sidecar' as const } : other.length === 1 ? other[0].ref : undefined);
    if (!ref) {
      throw new InputError('name the proxy the config dump was taken from', [
        { document: -1, path: 'proxy', message: `the config dump has no bootstrap naming its proxy and the other side has ${other!.length} proxies: name one`, severity: 'error' },
      ]);
    }
    return dumpSide(input.configDump, ref);
  });
  const warnings = [...new Set(inputs.flatMap((input) => (input instanceof CompiledScenario ? input.warnings : [])))];
  return { ...envoyDiffOf(a, b, options.detail), warnings };
}

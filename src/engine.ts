// The pure core's one door: manifests in, Envoy config and traces out. No I/O.
// The service layers (REST, GraphQL, store) call only this module.

import type {
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
import { quoteMeta } from './util/regex.js';
import { ByteLru, heapGrowth } from './util/byte-lru.js';
import { timeStage } from './util/stages.js';

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
  /** Bytes of xDS each compiled scenario keeps for reuse (settable by the service: XDS_CACHE_BYTES). */
  static xdsCacheBytes = 128 * 1024 * 1024;
  /** Recently generated proxies' xDS, so a multi-hop trace or repeated calls reuse them; bounded by bytes
   *  (heap growth while generating), since a 1000-service mesh's proxies together would not fit in memory. */
  private readonly xdsCache = new ByteLru<{ xds: GeneratedXds; bytes: number }>(CompiledScenario.xdsCacheBytes, (e) => e.bytes);
  /** Heap growth while parsing and indexing: what this scenario costs before any proxy is generated. */
  private readonly compiledBytes: number;

  constructor(input: ScenarioInput) {
    const compiled = heapGrowth(() => {
      const parsed = timeStage('parse', () => parseManifests(input.resources));
      const errors = parsed.problems.filter((p) => p.severity === 'error');
      // The warnings go along: an unknown field is often why the object is wrong.
      if (errors.length > 0) throw new InputError(`${errors.length} problem(s) in resources`, parsed.problems);
      return { parsed, index: timeStage('index', () => buildMeshIndex(parsed.objects, input.mesh ?? {}, input.options ?? {})) };
    });
    const { parsed, index } = compiled.value;
    this.index = index;
    // A collection while compiling hides part of the growth; an index is seldom under 8 bytes per input byte.
    const inputBytes = typeof input.resources === 'string' ? input.resources.length : JSON.stringify(input.resources).length;
    this.compiledBytes = Math.max(compiled.bytes, 8 * inputBytes);
    this.warnings = [
      ...parsed.problems.filter((p) => p.severity === 'warning').map(formatProblem),
      ...this.index.warnings,
    ];
  }

  /** An estimate of the memory this scenario holds: its index and the xDS it keeps (for caches bounded by bytes). */
  get cachedBytes(): number {
    return this.compiledBytes + this.xdsCache.bytes;
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
    const hit = this.xdsCache.get(key);
    if (hit) return hit.xds;
    const generated = heapGrowth(() => timeStage('xds', () => generateXds(this.index, proxy)));
    this.xdsCache.set(key, { xds: generated.value, bytes: generated.bytes });
    return generated.value;
  }

  /**
   * One proxy's config, or every proxy's. A big mesh's proxies together are far more than an answer can
   * carry (a sidecar of a 1000-service mesh has ~20 MiB of config), so "every proxy" has a bound.
   */
  translate(
    selector?: ProxySelector,
    maxProxies = MAX_PROXIES_PER_TRANSLATE,
    onProgress?: (done: number, total: number) => void,
  ): TranslateResult {
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
    const translated = proxies.map((p, i) => {
      const one = this.translated(p);
      onProgress?.(i + 1, proxies.length);
      return one;
    });
    return { proxies: translated, warnings: this.warnings };
  }

  trace(selector: ProxySelector, request: TraceRequestInput): TraceResult {
    const result = timeStage('trace', () =>
      traceRequest({ index: this.index, xdsFor: (p) => this.xds(p) }, this.proxy(selector), request),
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

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
import { requestProblem, type ManifestProblem, type ParsedManifests } from './manifests/types.js';
import { buildMeshIndex } from './mesh/index.js';
import type { MeshIndex, Proxy } from './mesh/types.js';
import { generateXds } from './xds/index.js';
import { toConfigDump } from './xds/configdump.js';
import { provenanceTable } from './xds/provenance.js';
import {
  dumpSource,
  generatedSource,
  renderProxyConfig,
  type ConfigSource,
  type KindOutput,
  type ProxyConfigKind,
  type ProxyConfigRequest,
} from './proxy-config/index.js';
import { readConfigDump } from './dump/read.js';
import type { LiveDump } from './dump/types.js';
import { dumpProxy, dumpXds } from './dump/view.js';
import type { GeneratedXds } from './xds/types.js';
import type { RouteConfiguration } from './xds/envoy.js';
import { traceRequest } from './trace/index.js';
import { securityWarnings } from './security/warnings.js';
import { checkRoutes } from './route-check/check.js';
import { checkRouteConfiguration } from './route-check/config.js';
import { routeTestProblems } from './route-check/tests.js';
import type { CoverageMode, RouteCheckResult, RouteTest } from './route-check/types.js';
import { readExpectations } from './verify/document.js';
import type { ExpectationsDocument, VerifyResult } from './verify/types.js';
import { runExpectations, type VerifyTarget } from './verify/verify.js';
import { dumpSide, envoyDiffOf, type DiffDetail, type DiffProxyRef, type EnvoyDiff, type SideProxy } from './diff/index.js';
import { quoteMeta } from './util/regex.js';
import { analyze, type AnalysisMessage } from './analysis/index.js';
import { fidelityMessages } from './fidelity/index.js';
import { describePod, describeText, type PodDescription } from './describe/index.js';
import { envoyFilterPatchMessages } from './analysis/envoyfilter/patches.js';
import { telemetryMessages } from './analysis/telemetry/generated.js';
import { validateMeshConfig } from './validation/meshconfig.js';
import { ByteLru, heapGrowth } from './util/byte-lru.js';
import { timeStage } from './util/stages.js';
import { buildTrafficGraph, type TrafficGraph } from './graph/index.js';

/** How many proxies a translate without a proxy answers for, at most. */
export const MAX_PROXIES_PER_TRANSLATE = 100;

export interface ProxyConfigResult {
  proxy: { id: string; type: string; namespace: string; name: string };
  /** Each kind's rows (without the text istioctl prints for it, which is in `text`). */
  tables: Omit<KindOutput, 'text'>[];
  text: string;
  warnings: string[];
  analysis: AnalysisMessage[];
}

/** istioctl's flags besides the kinds; `now` decides VALID CERT of secrets (the core reads no clock). */
export type ProxyConfigOptions = Omit<ProxyConfigRequest, 'kinds' | 'now'> & { now?: Date };

const EPOCH = new Date(0);

/** proxy-config's answer for one proxy's config source, or its problems as an InputError. */
function proxyConfigOf(
  proxy: Proxy,
  source: ConfigSource,
  kinds: readonly ProxyConfigKind[] | undefined,
  options: ProxyConfigOptions,
  warnings: string[],
  analysis: AnalysisMessage[],
): ProxyConfigResult {
  const out = renderProxyConfig(source, { ...options, kinds, now: options.now ?? EPOCH });
  if (out.problems.length) throw new InputError(out.problems.map((p) => p.message).join('; '), out.problems);
  return {
    proxy: { id: proxy.id, type: proxy.type, namespace: proxy.namespace, name: proxy.name },
    tables: out.tables.map(({ text: _text, ...table }) => table),
    text: out.text,
    warnings,
    analysis,
  };
}

export interface DescribeResult {
  description: PodDescription;
  /** The description as `istioctl x describe pod` prints it. */
  text: string;
  warnings: string[];
  analysis: AnalysisMessage[];
}

export interface ScenarioInput {
  /** Multi-document YAML, or an array of objects. */
  resources: string | unknown[];
  mesh?: MeshConfigInput;
  options?: EngineOptions;
  /** When certificates are checked by the analysis (ms since the epoch); without it, validity periods are not. */
  now?: number;
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
export class CompiledScenario implements VerifyTarget {
  readonly index: MeshIndex;
  readonly warnings: string[];
  /** Bytes of xDS each compiled scenario keeps for reuse (settable by the service: XDS_CACHE_BYTES). */
  static xdsCacheBytes = 128 * 1024 * 1024;
  /** Recently generated proxies' xDS, so a multi-hop trace or repeated calls reuse them; bounded by bytes
   *  (heap growth while generating), since a 1000-service mesh's proxies together would not fit in memory. */
  private readonly xdsCache = new ByteLru<{ xds: GeneratedXds; bytes: number }>(CompiledScenario.xdsCacheBytes, (e) => e.bytes);
  /** Heap growth while parsing and indexing: what this scenario costs before any proxy is generated. */
  private readonly compiledBytes: number;
  private analysisMessages?: AnalysisMessage[];
  private readonly parsed: ParsedManifests;

  constructor(private readonly input: ScenarioInput) {
    const compiled = heapGrowth(() => {
      const parsed = timeStage('parse', () => parseManifests(input.resources));
      const meshIssues = validateMeshConfig(input.mesh ?? {}).map((i): ManifestProblem => ({ document: -1, path: i.path, message: i.message, severity: i.severity }));
      const problems = [...parsed.problems, ...meshIssues];
      const errors = problems.filter((p) => p.severity === 'error');
      // The warnings go along: an unknown field is often why the object is wrong.
      if (errors.length > 0) throw new InputError(`${errors.length} problem(s) in resources`, problems);
      return { parsed, problems, index: timeStage('index', () => buildMeshIndex(parsed.objects, input.mesh ?? {}, input.options ?? {})) };
    });
    const { parsed, problems, index } = compiled.value;
    this.parsed = parsed;
    this.index = index;
    // A collection while compiling hides part of the growth; an index is seldom under 8 bytes per input byte.
    const inputBytes = typeof input.resources === 'string' ? input.resources.length : JSON.stringify(input.resources).length;
    this.compiledBytes = Math.max(compiled.bytes, 8 * inputBytes);
    this.warnings = [
      ...problems.filter((p) => p.severity === 'warning').map(formatProblem),
      ...this.index.warnings,
      ...securityWarnings(this.index),
    ];
  }

  /** istioctl analyze's messages for this scenario, then meshplan's own (MPL…), computed once, when first asked for. */
  get analysis(): AnalysisMessage[] {
    this.analysisMessages ??= [
      ...analyze({
        inputs: [{ resources: this.input.resources, parsed: this.parsed }],
        mesh: this.input.mesh,
        options: this.input.options,
        now: this.input.now,
      }).messages,
      ...fidelityMessages(this.parsed, this.index),
    ];
    return this.analysisMessages;
  }

  /** The scenario's analysis, and the EnvoyFilter patches and Telemetry settings left out of these proxies' generated config. */
  analysisFor(proxies: readonly Proxy[]): AnalysisMessage[] {
    const patchMessages = proxies.flatMap((p) => {
      const xds = this.xds(p);
      return [...envoyFilterPatchMessages(p, xds.envoyFilterProblems ?? []), ...telemetryMessages(p, xds.telemetryProblems ?? [])];
    });
    return patchMessages.length > 0 ? [...this.analysis, ...patchMessages] : this.analysis;
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
          requestProblem('proxy.pod', `no sidecar-injected or gateway pod or Deployment ${namespace}/${name}`),
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
    return { proxies: translated, warnings: this.warnings, analysis: this.analysisFor(proxies) };
  }

  trace(selector: ProxySelector, request: TraceRequestInput): TraceResult {
    const proxy = this.proxy(selector);
    const result = timeStage('trace', () => traceRequest({ index: this.index, xdsFor: (p) => this.xds(p) }, proxy, this.withSourcePod(request)));
    return { ...result, warnings: this.warnings, analysis: this.analysis };
  }

  /** request.source.pod named as proxies are (a pod, or a Deployment's first pod), resolved to the pod. */
  private withSourcePod(request: TraceRequestInput): TraceRequestInput {
    const source = request.source;
    if (!source || !('pod' in source)) return request;
    let pod: string | undefined;
    try {
      pod = this.proxy({ pod: source.pod }).pod;
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      throw new InputError(`request.source: no pod ${source.pod}`, [
        requestProblem('request.source.pod', `no sidecar-injected or gateway pod or Deployment ${source.pod}`),
      ]);
    }
    return { ...request, source: { pod: pod! } };
  }

  /** router_check_tool tests against one proxy's generated route configuration, by its name (RDS name, e.g. "9080"). */
  routeCheck(selector: ProxySelector, routeConfig: string, tests: readonly RouteTest[], coverage?: CoverageMode): RouteCheckResult {
    const problems = routeTestProblems(tests);
    if (problems.length) throw new InputError(`${problems.length} problem(s) in tests`, problems);
    return checkRoutes(this.routeConfiguration(selector, routeConfig), tests, coverage);
  }

  /** Every expectation and route test of a document (text or object); an InputError naming each problem. */
  verify(expectations: unknown): VerifyResult {
    return runExpectations(this, parseExpectations(expectations), (message, problems) => new InputError(message, problems));
  }

  /** The traffic graph: workloads, services, gateways and external hosts, and the routes between them. */
  graph(): TrafficGraph {
    return buildTrafficGraph(this.index);
  }

  proxyName(selector: ProxySelector): string {
    const proxy = this.proxy(selector);
    return `${proxy.namespace}/${proxy.name}`;
  }

  routeConfigurations(selector: ProxySelector): RouteConfiguration[] {
    return this.xds(this.proxy(selector)).routes;
  }

  /** One proxy's generated route configuration by name; an InputError naming the ones it has otherwise. */
  routeConfiguration(selector: ProxySelector, name: string, at = 'routeConfig'): RouteConfiguration {
    const proxy = this.proxy(selector);
    const routes = this.xds(proxy).routes;
    const found = routes.find((rc) => rc.name === name);
    if (found) return found;
    throw new InputError(`${proxy.namespace}/${proxy.name} has no route configuration ${name}`, [
      requestProblem(at, `no route configuration "${name}" on ${proxy.namespace}/${proxy.name}; it has: ${routes.map((rc) => rc.name).join(', ') || 'none'}`),
    ]);
  }

  /** `istioctl x describe pod` for a pod (or a Deployment's first pod): its description, and the text istioctl would print. */
  describe(pod: string): DescribeResult {
    const proxy = this.proxy({ pod });
    const description = describePod(this.index, proxy);
    return { description, text: describeText(description), warnings: this.warnings, analysis: this.analysis };
  }

  /** `istioctl proxy-config <kind>` for one proxy: the tables, and the text istioctl would print. */
  proxyConfig(selector: ProxySelector, kinds?: readonly ProxyConfigKind[], options: ProxyConfigOptions = {}): ProxyConfigResult {
    const proxy = this.proxy(selector);
    return proxyConfigOf(proxy, generatedSource(this.xds(proxy), proxy), kinds, options, this.warnings, this.analysisFor([proxy]));
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
      configDump: toConfigDump(xds, proxy),
      provenance: provenanceTable(xds.provenance),
    };
  }
}

/**
 * A live proxy's config dump, read once: the same proxy-config and trace as for generated config.
 * The trace is one hop, since one dump cannot tell which proxy the request reaches next.
 */
export class LiveProxyConfig {
  readonly dump: LiveDump;
  readonly proxy: Proxy;
  readonly xds: GeneratedXds;
  /** What istiod sent (the dynamic resources): what a diff compares with a design, bootstrap statics left out. */
  readonly served: GeneratedXds;

  constructor(configDump: unknown, path = 'configDump') {
    const { dump, problems } = readConfigDump(configDump, path);
    if (!dump) throw new InputError(`${path} is not an Envoy config dump`, problems);
    this.dump = dump;
    this.proxy = dumpProxy(dump);
    this.xds = dumpXds(dump);
    this.served = dumpXds(dump, false);
  }

  /** One of the dump's route configurations by name, for route-check; an InputError naming the ones it has otherwise. */
  routeConfiguration(name: string, at = 'routeConfig'): RouteConfiguration {
    const found = this.xds.routes.find((rc) => rc.name === name);
    if (found) return found;
    throw new InputError(`the config dump has no route configuration ${name}`, [
      requestProblem(at, `no route configuration "${name}" in the config dump; it has: ${this.xds.routes.map((rc) => rc.name).join(', ') || 'none'}`),
    ]);
  }

  proxyConfig(kinds?: readonly ProxyConfigKind[], options: ProxyConfigOptions = {}): ProxyConfigResult {
    return proxyConfigOf(this.proxy, dumpSource(this.dump), kinds, options, [], []);
  }

  trace(request: TraceRequestInput): TraceResult {
    return { ...traceRequest({ xdsFor: () => this.xds }, this.proxy, request), warnings: [] };
  }
}

export const readLiveProxyConfig = (configDump: unknown, path?: string): LiveProxyConfig => new LiveProxyConfig(configDump, path);

export const formatProblem = (p: ManifestProblem): string =>
  `${p.document >= 0 ? `document ${p.document}` : 'request'}${p.kind ? ` ${p.kind}` : ''}${p.object ? ` ${p.object}` : ''}${p.path ? ` at ${p.path}` : ''}: ${p.message}`;

export const compileScenario = (input: ScenarioInput): CompiledScenario => new CompiledScenario(input);

/**
 * `istioctl analyze` over manifests: every kind is read, an object its schema refuses is a message
 * (IST0106). Only input that cannot be read at all (YAML syntax, limits) is refused.
 */
export function analyzeScenario(
  input: ScenarioInput & { files?: { file: string; resources: string | unknown[] }[] },
): { messages: AnalysisMessage[] } {
  const inputs = input.files ?? [{ resources: input.resources }];
  const result = analyze({ inputs, mesh: input.mesh, options: input.options, now: input.now });
  if (result.unreadable.length > 0) throw new InputError(`${result.unreadable.length} problem(s) in resources`, result.unreadable);
  return { messages: result.messages };
}

/**
 * router_check_tool over an inline route configuration (proto3 JSON, snake_case or camelCase): an
 * InputError with every reason when Envoy would refuse the configuration.
 */
export function routeCheck(routeConfig: unknown, tests: readonly RouteTest[], coverage?: CoverageMode): RouteCheckResult {
  const checked = checkRouteConfiguration(routeConfig);
  const problems = [...checked.problems, ...routeTestProblems(tests)];
  if (!checked.config || problems.length) throw new InputError('the route configuration or tests are not ones Envoy would accept', problems);
  return checkRoutes(checked.config, tests, coverage);
}

/** An expectations document (YAML / JSON text, or the object) read and schema-checked; an InputError with every problem. */
export function parseExpectations(input: unknown): ExpectationsDocument {
  const read = readExpectations(input);
  if (!read.document) throw new InputError(`${read.problems.length} problem(s) in expectations`, read.problems);
  return read.document;
}

/** The verify gate: every expectation of a document against a compiled scenario ({ passed, failed, results, coverage }). */
export const verify = (scenario: CompiledScenario, expectations: unknown): VerifyResult => scenario.verify(expectations);
export type { ExpectationsDocument, VerifyResult, TrafficGraph };

/** The route-check core over a RouteConfiguration object already read (e.g. from a live config dump). */
export { checkRoutes, routeTestProblems };
export type { CoverageMode, RouteCheckResult, RouteTest };
/** One side of an Envoy diff: a compiled scenario, or a live /config_dump of one proxy. */
export type DiffInput = CompiledScenario | LiveProxyConfig;

/**
 * The Envoy config diff from `before` to `after`: every proxy of either side, or the one `proxy` names
 * (present on one side only: added or removed). A dump stands for the proxy its bootstrap names, else
 * for the proxy the other side is asked about.
 */
export function envoyDiff(
  before: DiffInput,
  after: DiffInput,
  options: { proxy?: ProxySelector; detail?: DiffDetail; onProgress?: (done: number, total: number) => void } = {},
): EnvoyDiff & { warnings: string[] } {
  const inputs = [before, after];
  // Who a dump is from: its bootstrap node, when it names one.
  const dumped = inputs.map((input): DiffProxyRef | undefined =>
    input instanceof CompiledScenario || !input.proxy.name ? undefined : { namespace: input.proxy.namespace, name: input.proxy.name, type: input.proxy.type },
  );
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
        requestProblem('proxy', `the config dump has no bootstrap naming its proxy and the other side has ${other!.length} proxies: name one`),
      ]);
    }
    return dumpSide(input.served, ref);
  });
  const warnings = [...new Set(inputs.flatMap((input) => (input instanceof CompiledScenario ? input.warnings : [])))];
  return { ...envoyDiffOf(a, b, options.detail, options.onProgress), warnings };
}

/**
 * Drift: how a live proxy's config dump differs from what the design gives that proxy (`proxy`, else the
 * pod its bootstrap node names). Only what istiod sends is compared: the dump's bootstrap statics, version
 * info and timestamps are outside the design.
 */
export function drift(design: CompiledScenario, live: LiveProxyConfig, proxy?: ProxySelector): EnvoyDiff & { warnings: string[]; matches: boolean } {
  const target = design.proxy(proxy ?? { pod: `${live.proxy.namespace}/${live.proxy.name}` });
  const ref: DiffProxyRef = { namespace: target.namespace, name: target.name, type: target.type };
  const diff = envoyDiffOf([{ ref, xds: () => design.xds(target) }], dumpSide(live.served, ref), 'full');
  return { ...diff, warnings: design.warnings, matches: diff.summary.unchanged === diff.summary.proxies };
}

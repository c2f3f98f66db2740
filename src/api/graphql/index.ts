// GraphQL for dashboards (schema.graphql, schema first). Loaders batch the per-row fields
// (latest revision, revisions, review) so a list costs a fixed number of queries.

import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { GraphQLScalarType, Kind, NoSchemaIntrospectionCustomRule, valueFromASTUntyped } from 'graphql';
import mercurius, { type IResolvers, type MercuriusLoaders } from 'mercurius';
import { LIMITS } from '../../limits.js';
import { costLimitRule } from './cost.js';
import { registerGraphQLGuards, withoutSuggestions } from './guards.js';
import type { ProxySelector, TraceRequestInput } from '../../contract.js';
import type { RouteTest } from '../../engine.js';
import type { ReviewState } from '../../generated/prisma/client.js';
import { NotFoundError, ValidationError } from '../../store/errors.js';
import { NEXT_STATES, type RevisionRecord, type ScenarioRecord, type ScenarioStore } from '../../store/scenarios.js';
import type { OutputFormat, ProxyConfigFilter, ProxyConfigKind } from '../../proxy-config/index.js';
import { revisionSource, type RevisionAnalyses } from '../sources.js';
import type { EnginePool } from '../../worker/pool.js';
import type { JobQueue, JobView } from '../../jobs/queue.js';
import { inputProblems, type InputArgument } from '../inputs.js';
import { revisionEnvoyDiff } from '../envoy-diff.js';
import type { ReviewGate } from '../review-gate.js';
import type { DiffDetail } from '../../diff/index.js';
import { problemFor, toInputProblem } from '../problems.js';
import { registerGraphiQL } from '../graphiql.js';
import { requestProblem } from '../../manifests/types.js';

const SCHEMA = readFileSync(new URL('../../../schema.graphql', import.meta.url), 'utf8');

const JSONScalar = new GraphQLScalarType({
  name: 'JSON',
  serialize: (v) => v,
  parseValue: (v) => v,
  parseLiteral: (ast, variables) => valueFromASTUntyped(ast, variables),
});

const DateTimeScalar = new GraphQLScalarType({
  name: 'DateTime',
  serialize: (v) => (v instanceof Date ? v.toISOString() : v),
  parseValue: (v) => new Date(v as string),
  parseLiteral: (ast) => (ast.kind === Kind.STRING ? new Date(ast.value) : null),
});

const CODES: Record<number, string> = {
  400: 'BAD_USER_INPUT',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  412: 'PRECONDITION_FAILED',
  422: 'LIMIT_EXCEEDED',
  429: 'TOO_MANY_REQUESTS',
  503: 'SERVICE_UNAVAILABLE',
  500: 'INTERNAL_SERVER_ERROR',
};

/** Runs a resolver, turning the store's and engine's refusals into GraphQL errors with a code. */
export async function guarded<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    const problem = problemFor(e, '/graphql');
    throw new mercurius.ErrorWithProps(problem.status === 500 ? problem.detail : (e as Error).message, {
      code: CODES[problem.status] ?? 'ERROR',
      status: problem.status,
      ...(problem.errors ? { problems: problem.errors } : {}),
      ...(problem.warnings ? { warnings: problem.warnings } : {}),
      ...(problem.verification ? { verification: problem.verification } : {}),
    });
  }
}

export interface GraphQLOptions {
  store: ScenarioStore;
  /** Stored revisions' analyses (every view of a revision carries one). */
  analyses: RevisionAnalyses;
  gate: ReviewGate;
  /** The engine's worker pool: heavy fields run here. */
  engine: EnginePool;
  /** Jobs, when the service runs them. */
  jobs?: JobQueue;
  graphiql: boolean;
  queryDepth: number;
  /** Schema introspection and "Did you mean" suggestions (off in production unless enabled). */
  introspection: boolean;
  maxCost?: number;
  maxResponseBytes?: number;
}

export async function registerGraphQL(app: FastifyInstance, options: GraphQLOptions): Promise<void> {
  const { store, analyses, gate, engine, jobs } = options;
  const jobQueue = (): JobQueue => {
    if (!jobs) throw new NotFoundError('this service runs no jobs');
    return jobs;
  };
  const jobWithResult = async (view: JobView) => ({
    ...view,
    result: view.state === 'completed' ? JSON.parse((await jobQueue().result(view.id)) ?? 'null') : null,
  });

  const resolvers: IResolvers = {
    JSON: JSONScalar,
    DateTime: DateTimeScalar,
    Query: {
      scenario: (_root, { name }: { name: string }) =>
        guarded(() => store.scenario(name)).catch((e) => (e.extensions?.code === 'NOT_FOUND' ? null : Promise.reject(e))),
      scenarios: (_root, args: { first: number; after?: string; labels?: Record<string, string> }) =>
        guarded(() => store.list({ limit: Math.min(Math.max(args.first, 1), 200), cursor: args.after, labels: args.labels ?? {} })),
      job: (_root, { id }: { id: string }) =>
        guarded(async () => jobWithResult(await jobQueue().get(id))).catch((e) => (e.extensions?.code === 'NOT_FOUND' ? null : Promise.reject(e))),
      diff: (_root, args: { name: string; from: number; to?: number }) =>
        guarded(async () => {
          const to = args.to ?? (await store.scenario(args.name)).latestRevision;
          return { from: args.from, to, ...(await store.diff(args.name, args.from, to)) };
        }),
      // A live dump is read in an engine thread; a large one came as its bytes (JsonBytes) and was never parsed here.
      liveProxyConfig: (_root, args: { configDump: unknown; kinds?: ProxyConfigKind[] | null; filter?: ProxyConfigFilter | null; verbose?: boolean | null; output?: OutputFormat | null }) =>
        guarded(async () => {
          const options = {
            ...(args.filter ? { filter: checked('filter', args.filter) } : {}),
            ...(typeof args.verbose === 'boolean' ? { verbose: args.verbose } : {}),
            ...(args.output ? { output: args.output } : {}),
            now: new Date(),
          };
          return (await engine.run('liveProxyConfig', undefined, { configDump: args.configDump, kinds: args.kinds ?? undefined, options })).value();
        }),
      liveTrace: (_root, args: { configDump: unknown; request: TraceRequestInput }) =>
        guarded(async () => {
          const request = checked('request', args.request);
          return (await engine.run('liveTrace', undefined, { configDump: args.configDump, request })).value();
        }),
    },
    Mutation: {
      createScenario: (_root, { input }: { input: Parameters<ScenarioStore['create']>[0] }) =>
        guarded(async () => written(await store.create(checked('createScenario', input)), analyses)),
      addRevision: (_root, args: { name: string; ifMatch: string; input: Parameters<ScenarioStore['addRevision']>[2] }) =>
        guarded(async () => written(await store.addRevision(args.name, args.ifMatch, checked('addRevision', args.input)), analyses)),
      setReview: (_root, args: { name: string; revision: number; state: ReviewState; reviewer?: string; comment?: string; force?: boolean }) =>
        guarded(() => {
          const { name, revision, ...review } = args;
          return gate.setReview(name, revision, checked('setReview', review));
        }),
      deleteScenario: (_root, { name }: { name: string }) => guarded(async () => (await store.delete(name), true)),
      translateJob: (_root, args: { name: string; revision?: number | null; proxy?: ProxySelector | null }) =>
        guarded(async () => {
          const revision = await store.revision(args.name, args.revision ?? undefined);
          const id = await jobQueue().submit('translate', revisionSource(revision), { proxy: args.proxy ? checked('proxy', args.proxy) : undefined });
          return jobWithResult(await jobQueue().get(id));
        }),
      cancelJob: (_root, { id }: { id: string }) => guarded(async () => jobWithResult(await jobQueue().cancel(id))),
    },
    Scenario: {
      revision: (s: ScenarioRecord) => s.latestRevision,
      at: (s: ScenarioRecord, { revision }: { revision: number }) =>
        guarded(() => store.revision(s.name, revision)).catch((e) => (e.extensions?.code === 'NOT_FOUND' ? null : Promise.reject(e))),
    },
    Review: {
      next: (r: { state: ReviewState }) => NEXT_STATES[r.state],
    },
    Revision: {
      revision: (r: RevisionRecord) => r.number,
      resources: (r: RevisionRecord) => r.manifests,
      analysis: (r: RevisionRecord) => guarded(() => analyses.of(r)),
      graph: (r: RevisionRecord) => guarded(async () => (await engine.run('graph', revisionSource(r), {})).value()),
      proxies: (r: RevisionRecord) => guarded(async () => (await engine.run('proxies', revisionSource(r), {})).value()),
      translate: (r: RevisionRecord, { proxy }: { proxy?: ProxySelector }) =>
        guarded(async () => (await engine.run('translate', revisionSource(r), { proxy: proxy ? checked('proxy', proxy) : undefined })).value()),
      proxyConfig: (r: RevisionRecord, args: { proxy: ProxySelector; kinds?: ProxyConfigKind[] | null }) =>
        guarded(async () =>
          (await engine.run('proxyConfig', revisionSource(r), { proxy: checked('proxy', args.proxy), kinds: args.kinds ?? undefined })).value(),
        ),
      describe: (r: RevisionRecord, args: { pod: string }) => guarded(async () => (await engine.run('describe', revisionSource(r), { pod: args.pod })).value()),
      drift: (r: RevisionRecord, args: { configDump: unknown; proxy?: ProxySelector | null }) =>
        guarded(async () =>
          (await engine.run('drift', revisionSource(r), { configDump: args.configDump, proxy: args.proxy ? checked('proxy', args.proxy) : undefined, revision: r.number })).value(),
        ),
      envoyDiff: (r: RevisionRecord, args: { from?: number | null; proxy?: ProxySelector | null; detail?: DiffDetail | null }) =>
        guarded(() =>
          revisionEnvoyDiff(store, engine, r.scenario, {
            to: r.number,
            from: args.from ?? undefined,
            proxy: args.proxy ? checked('proxy', args.proxy) : undefined,
            detail: args.detail ?? undefined,
          }),
        ),
      trace: (r: RevisionRecord, args: { proxy: ProxySelector; request: TraceRequestInput }) =>
        guarded(async () => {
          const checkedArgs = { proxy: checked('proxy', args.proxy), request: checked('request', args.request) };
          const result = (await engine.run('trace', revisionSource(r), checkedArgs)).value();
          return { ...result, warnings: result.warnings ?? [], analysis: result.analysis ?? [] };
        }),
      verify: (r: RevisionRecord, args: { expectations?: unknown }) =>
        guarded(async () => {
          const expectations = args.expectations ?? r.expectations;
          if (!expectations) {
            throw new ValidationError('no expectations', [
              requestProblem('expectations', `revision ${r.number} of "${r.scenario}" has no expectations: pass some`),
            ]);
          }
          return (await engine.run('verify', revisionSource(r), { expectations })).value();
        }),
      routeCheck: (r: RevisionRecord, args: { proxy: ProxySelector; routeConfig: string; tests: unknown; coverage?: string | null }) =>
        guarded(async () => {
          const tests = checked('routeTests', { tests: args.tests }).tests as RouteTest[];
          const coverage = args.coverage === 'detailed' ? 'detailed' : 'basic';
          const checkedArgs = { proxy: checked('proxy', args.proxy), routeConfig: args.routeConfig, tests, coverage } as const;
          return (await engine.run('routeCheck', revisionSource(r), checkedArgs)).value();
        }),
    },
  };

  const loaders: MercuriusLoaders = {
    Scenario: {
      latest: async (queries: { obj: ScenarioRecord }[]) => {
        const found = await store.revisionsByNumber(queries.map(({ obj }) => ({ scenarioId: obj.id, number: obj.latestRevision })));
        const byScenario = new Map(found.map((r) => [r.scenarioId, r]));
        return queries.map(({ obj }) => byScenario.get(obj.id));
      },
      // One query per page asked for (usually one): a page of each scenario's revisions, as REST pages them.
      revisions: async (queries: { obj: ScenarioRecord; params: { first?: number; before?: number | null } }[]) => {
        const pageOf = (q: (typeof queries)[number]) => ({ first: Math.min(Math.max(q.params.first ?? 50, 1), 200), before: q.params.before ?? undefined });
        const pages = new Map<string, Map<number, RevisionRecord[]>>();
        for (const q of queries) {
          const key = JSON.stringify(pageOf(q));
          if (pages.has(key)) continue;
          const ids = queries.filter((o) => JSON.stringify(pageOf(o)) === key).map(({ obj }) => obj.id);
          pages.set(key, await store.revisionsOf(ids, pageOf(q)));
        }
        return queries.map((q) => pages.get(JSON.stringify(pageOf(q)))!.get(q.obj.id) ?? []);
      },
    },
    Revision: {
      review: async (queries: { obj: RevisionRecord }[]) => {
        const found = await store.currentReviews(queries.map(({ obj }) => obj.id));
        return queries.map(({ obj }) => found.get(obj.id));
      },
      reviews: async (queries: { obj: RevisionRecord }[]) => {
        const found = await store.reviewHistories(queries.map(({ obj }) => obj.id));
        return queries.map(({ obj }) => found.get(obj.id) ?? []);
      },
    },
  };

  const maxCost = options.maxCost ?? LIMITS.graphqlMaxCost;
  await app.register(mercurius, {
    schema: SCHEMA,
    resolvers,
    loaders,
    graphiql: false, // served from local assets instead (graphiql.ts): mercurius' page loads from a CDN
    queryDepth: options.queryDepth,
    path: '/graphql',
    // The cost depends on the variables (first: $n), so validation runs per request: no document cache.
    cache: false,
    validationRules: ({ variables }) => [costLimitRule(maxCost, variables), ...(options.introspection ? [] : [NoSchemaIntrospectionCustomRule])],
    ...(options.introspection ? {} : { errorFormatter: withoutSuggestions }),
  });
  registerGraphQLGuards(app, options.maxResponseBytes ?? LIMITS.graphqlMaxResponseBytes);
  if (options.graphiql) await registerGraphiQL(app);
}

const written = async (w: Awaited<ReturnType<ScenarioStore['create']>>, analyses: RevisionAnalyses) => ({
  scenario: w.scenario,
  revision: w.revision,
  warnings: w.warnings.map(toInputProblem),
  analysis: await analyses.of(w.revision),
});

/** The argument without GraphQL's nulls, once it passes its REST schema (GraphQL types mode, protocol, tls, labels loosely). */
function checked<T extends object>(argument: InputArgument, value: T): T {
  const input = withoutNulls(value);
  const problems = inputProblems(argument, input);
  if (problems.length === 0) return input;
  throw new ValidationError(
    `${argument} is invalid`,
    problems.map((p) => requestProblem(p.path, p.message)),
  );
}

/** GraphQL passes absent optional input fields as null; the engine expects them absent. */
function withoutNulls<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null && v !== undefined)) as T;
}

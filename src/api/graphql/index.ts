// GraphQL for dashboards (schema.graphql, schema first). Loaders batch the per-row fields
// (latest revision, revisions, review) so a list costs a fixed number of queries.

import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { GraphQLScalarType, Kind, valueFromASTUntyped } from 'graphql';
import mercurius, { type IResolvers, type MercuriusLoaders } from 'mercurius';
import type { ProxySelector, TraceRequestInput } from '../../contract.js';
import type { ReviewState } from '../../generated/prisma/client.js';
import { ValidationError } from '../../store/errors.js';
import type { RevisionRecord, ScenarioRecord, ScenarioStore } from '../../store/scenarios.js';
import type { SummaryKind } from '../../xds/summaries.js';
import { revisionSource, type CompiledScenarioCache } from '../compiled.js';
import type { EnginePool } from '../../worker/pool.js';
import type { JobQueue, JobView } from '../../jobs/queue.js';
import { NotFoundError } from '../../store/errors.js';
import { inputProblems, type InputArgument } from '../inputs.js';
import { problemFor, toInputProblem } from '../problems.js';
import { registerGraphiQL } from '../graphiql.js';

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
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  412: 'PRECONDITION_FAILED',
  429: 'TOO_MANY_REQUESTS',
  503: 'SERVICE_UNAVAILABLE',
  500: 'INTERNAL_SERVER_ERROR',
};

/** Runs a resolver, turning the store's and engine's refusals into GraphQL errors with a code. */
async function guarded<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    const problem = problemFor(e, '/graphql');
    throw new mercurius.ErrorWithProps(problem.status === 500 ? problem.detail : (e as Error).message, {
      code: CODES[problem.status] ?? 'ERROR',
      status: problem.status,
      ...(problem.errors ? { problems: problem.errors } : {}),
      ...(problem.warnings ? { warnings: problem.warnings } : {}),
    });
  }
}

export interface GraphQLOptions {
  store: ScenarioStore;
  /** For resolvers that call a CompiledScenario in-process. */
  compiled: CompiledScenarioCache;
  /** The engine's worker pool: heavy fields run here. */
  engine: EnginePool;
  /** Jobs, when the service runs them. */
  jobs?: JobQueue;
  graphiql: boolean;
  queryDepth: number;
}

export async function registerGraphQL(app: FastifyInstance, options: GraphQLOptions): Promise<void> {
  const { store, engine, jobs } = options;
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
    },
    Mutation: {
      createScenario: (_root, { input }: { input: Parameters<ScenarioStore['create']>[0] }) =>
        guarded(async () => written(await store.create(input))),
      addRevision: (_root, args: { name: string; ifMatch: string; input: Parameters<ScenarioStore['addRevision']>[2] }) =>
        guarded(async () => written(await store.addRevision(args.name, args.ifMatch, args.input))),
      setReview: (_root, args: { name: string; revision: number; state: ReviewState; reviewer?: string; comment?: string }) =>
        guarded(() => store.setReview(args.name, args.revision, args)),
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
    Revision: {
      revision: (r: RevisionRecord) => r.number,
      resources: (r: RevisionRecord) => r.manifests,
      translate: (r: RevisionRecord, { proxy }: { proxy?: ProxySelector }) =>
        guarded(async () => (await engine.run('translate', revisionSource(r), { proxy: proxy ? checked('proxy', proxy) : undefined })).value()),
      proxyConfig: (r: RevisionRecord, args: { proxy: ProxySelector; kinds?: SummaryKind[] | null }) =>
        guarded(async () =>
          (await engine.run('proxyConfig', revisionSource(r), { proxy: checked('proxy', args.proxy), kinds: args.kinds ?? undefined })).value(),
        ),
      trace: (r: RevisionRecord, args: { proxy: ProxySelector; request: TraceRequestInput }) =>
        guarded(async () => {
          const checkedArgs = { proxy: checked('proxy', args.proxy), request: checked('request', args.request) };
          const result = (await engine.run('trace', revisionSource(r), checkedArgs)).value();
          return { ...result, warnings: result.warnings ?? [] };
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
      revisions: async (queries: { obj: ScenarioRecord }[]) => {
        const found = await store.revisionsOf(queries.map(({ obj }) => obj.id));
        return queries.map(({ obj }) => found.get(obj.id) ?? []);
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

  await app.register(mercurius, {
    schema: SCHEMA,
    resolvers,
    loaders,
    graphiql: false, // served from local assets instead (graphiql.ts): mercurius' page loads from a CDN
    queryDepth: options.queryDepth,
    path: '/graphql',
  });
  if (options.graphiql) await registerGraphiQL(app);
}

const written = (w: Awaited<ReturnType<ScenarioStore['create']>>) => ({
  scenario: w.scenario,
  revision: w.revision,
  warnings: w.warnings.map(toInputProblem),
});

/** The argument without GraphQL's nulls, once it passes its REST schema (GraphQL types mode, protocol, tls, labels loosely). */
function checked<T extends object>(argument: InputArgument, value: T): T {
  const input = withoutNulls(value);
  const problems = inputProblems(argument, input);
  if (problems.length === 0) return input;
  throw new ValidationError(
    `${argument} is invalid`,
    problems.map((p) => ({ document: -1, path: p.path, message: p.message, severity: 'error' as const })),
  );
}

/** GraphQL passes absent optional input fields as null; the engine expects them absent. */
function withoutNulls<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null && v !== undefined)) as T;
}

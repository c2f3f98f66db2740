// REST routes of stored scenarios: create, list, get, revisions (If-Match), diff, review, delete.

import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PreconditionRequiredError } from '../problems.js';
import { ValidationError } from '../../store/errors.js';
import type { ScenarioStore } from '../../store/scenarios.js';
import type { RevisionAnalyses } from '../sources.js';
import type { ReviewGate } from '../review-gate.js';
import { revisionSummaryView, reviewView, scenarioRevisionView, scenarioView } from '../views.js';
import {
  AddRevisionBody,
  CreateScenarioBody,
  DiffQuery,
  ListQuery,
  NameParams,
  Problem,
  Review,
  ReviewBody,
  RevisionListQuery,
  RevisionParams,
  RevisionQuery,
  RevisionSummary,
  ScenarioRevision,
  ScenarioSummary,
} from './schemas.js';
import { requestProblem } from '../../manifests/types.js';

const problems = (...codes: number[]) => Object.fromEntries(codes.map((c) => [c, Problem]));
const tags = ['scenarios'];

/** 201 with the new revision, its ETag and where to read it. */
async function created(reply: FastifyReply, written: Awaited<ReturnType<ScenarioStore['create']>>, location: string, analyses: RevisionAnalyses) {
  const analysis = await analyses.of(written.revision);
  reply.code(201).header('etag', written.revision.etag).header('location', location);
  return scenarioRevisionView(written.scenario, written.revision, written.review, written.warnings, analysis);
}

/** "a=b,c=d" (repeatable) → {a: "b", c: "d"}. */
function parseLabelSelector(selector: string | string[] | undefined): Record<string, string> {
  const terms = (Array.isArray(selector) ? selector : selector ? [selector] : []).flatMap((s) => s.split(','));
  const labels: Record<string, string> = {};
  for (const term of terms.map((t) => t.trim()).filter(Boolean)) {
    const eq = term.indexOf('=');
    if (eq <= 0) {
      throw new ValidationError('invalid label selector', [
        requestProblem('querystring.label', `"${term}" is not key=value`),
      ]);
    }
    labels[term.slice(0, eq)] = term.slice(eq + 1);
  }
  return labels;
}

function requireIfMatch(request: FastifyRequest): string {
  const header = request.headers['if-match'];
  if (!header) throw new PreconditionRequiredError('If-Match is required: send the ETag of the latest revision');
  return header;
}

export async function scenarioRoutes(
  app: FastifyInstance,
  { store, analyses, gate }: { store: ScenarioStore; analyses: RevisionAnalyses; gate: ReviewGate },
): Promise<void> {
  const respondWithRevision = async (reply: FastifyReply, name: string, number?: number) => {
    const [scenario, revision] = await Promise.all([store.scenario(name), store.revision(name, number)]);
    const review = (await store.currentReviews([revision.id])).get(revision.id)!;
    reply.header('etag', revision.etag);
    return scenarioRevisionView(scenario, revision, review, undefined, await analyses.of(revision));
  };

  app.post<{ Body: CreateScenarioBody }>(
    '/api/v1/scenarios',
    {
      schema: {
        tags,
        summary: 'Create a scenario with its first revision',
        description: 'JSON or YAML body; a raw manifest body takes name, description, message and author from the query.',
        body: CreateScenarioBody,
        response: { 201: ScenarioRevision, ...problems(400, 409, 413) },
      },
    },
    async (request, reply) => {
      const written = await store.create(request.body);
      return created(reply, written, `/api/v1/scenarios/${written.scenario.name}`, analyses);
    },
  );

  app.get<{ Querystring: typeof ListQuery.static }>(
    '/api/v1/scenarios',
    {
      schema: {
        tags,
        summary: 'List scenarios by name, a page at a time',
        querystring: ListQuery,
        response: { 200: Type.Object({ items: Type.Array(ScenarioSummary), nextCursor: Type.Union([Type.String(), Type.Null()]) }), ...problems(400) },
      },
    },
    async (request) => {
      const page = await store.list({
        limit: request.query.limit,
        cursor: request.query.cursor,
        labels: parseLabelSelector(request.query.label),
      });
      return { items: page.items.map(scenarioView), nextCursor: page.nextCursor };
    },
  );

  app.get<{ Params: typeof NameParams.static; Querystring: typeof RevisionQuery.static }>(
    '/api/v1/scenarios/:name',
    {
      schema: {
        tags,
        summary: 'Get a scenario at its latest revision, or at ?revision=N',
        params: NameParams,
        querystring: RevisionQuery,
        response: { 200: ScenarioRevision, 304: Type.Null(), ...problems(404) },
      },
    },
    async (request, reply) => {
      const body = await respondWithRevision(reply, request.params.name, request.query.revision);
      if (request.headers['if-none-match'] === body.etag) return reply.code(304).send();
      return body;
    },
  );

  app.delete<{ Params: typeof NameParams.static }>(
    '/api/v1/scenarios/:name',
    {
      schema: { tags, summary: 'Delete a scenario with all its revisions', params: NameParams, response: { 204: Type.Null(), ...problems(404) } },
    },
    async (request, reply) => {
      await store.delete(request.params.name);
      return reply.code(204).send();
    },
  );

  app.post<{ Params: typeof NameParams.static; Body: AddRevisionBody }>(
    '/api/v1/scenarios/:name/revisions',
    {
      schema: {
        tags,
        summary: 'Add a revision (If-Match: the ETag of the latest revision)',
        params: NameParams,
        headers: Type.Object({ 'if-match': Type.Optional(Type.String()) }),
        body: AddRevisionBody,
        response: { 200: ScenarioRevision, 201: ScenarioRevision, ...problems(400, 404, 412, 413, 428) },
      },
    },
    async (request, reply) => {
      const ifMatch = requireIfMatch(request);
      const written = await store.addRevision(request.params.name, ifMatch, request.body);
      if (!written.created) {
        // The same content as the latest revision: that revision, not a new one.
        reply.code(200).header('etag', written.revision.etag);
        return scenarioRevisionView(written.scenario, written.revision, written.review, written.warnings, await analyses.of(written.revision));
      }
      return created(reply, written, `/api/v1/scenarios/${written.scenario.name}?revision=${written.revision.number}`, analyses);
    },
  );

  app.get<{ Params: typeof NameParams.static; Querystring: typeof RevisionListQuery.static }>(
    '/api/v1/scenarios/:name/revisions',
    {
      schema: {
        tags,
        summary: 'List the revisions of a scenario, newest first, a page at a time',
        params: NameParams,
        querystring: RevisionListQuery,
        response: {
          200: Type.Object({ items: Type.Array(RevisionSummary), nextCursor: Type.Union([Type.String(), Type.Null()]) }),
          ...problems(400, 404),
        },
      },
    },
    async (request) => {
      const page = await store.revisionPage(request.params.name, request.query);
      const reviews = await store.currentReviews(page.items.map((r) => r.id));
      return { items: page.items.map((r) => revisionSummaryView(r, reviews.get(r.id)!)), nextCursor: page.nextCursor };
    },
  );

  app.get<{ Params: typeof RevisionParams.static }>(
    '/api/v1/scenarios/:name/revisions/:revision',
    {
      schema: { tags, summary: 'Get one revision', params: RevisionParams, response: { 200: ScenarioRevision, ...problems(404) } },
    },
    async (request, reply) => respondWithRevision(reply, request.params.name, request.params.revision),
  );

  app.get<{ Params: typeof NameParams.static; Querystring: typeof DiffQuery.static }>(
    '/api/v1/scenarios/:name/diff',
    {
      schema: {
        tags,
        summary: "The difference between two revisions' manifests, object by object",
        params: NameParams,
        querystring: DiffQuery,
        response: {
          200: Type.Object({ from: Type.Integer(), to: Type.Integer() }, { additionalProperties: true }),
          ...problems(400, 404),
        },
      },
    },
    async (request) => {
      const to = request.query.to ?? (await store.scenario(request.params.name)).latestRevision;
      return { from: request.query.from, to, ...(await store.diff(request.params.name, request.query.from, to)) };
    },
  );

  app.post<{ Params: typeof RevisionParams.static; Body: ReviewBody }>(
    '/api/v1/scenarios/:name/revisions/:revision/review',
    {
      schema: {
        tags,
        summary: 'Set the review state of a revision (draft → in_review → approved | rejected); approving runs its verification (409 on failures unless force with a comment)',
        params: RevisionParams,
        body: ReviewBody,
        response: { 201: Review, ...problems(400, 404, 409) },
      },
    },
    async (request, reply) => {
      const review = await gate.setReview(request.params.name, request.params.revision, request.body);
      return reply.code(201).send(reviewView(review));
    },
  );

  app.get<{ Params: typeof RevisionParams.static }>(
    '/api/v1/scenarios/:name/revisions/:revision/reviews',
    {
      schema: {
        tags,
        summary: 'The review history of a revision, oldest first',
        params: RevisionParams,
        response: { 200: Type.Object({ items: Type.Array(Review) }), ...problems(404) },
      },
    },
    async (request) => {
      const revision = await store.revision(request.params.name, request.params.revision);
      return { items: (await store.reviewHistory(revision.id)).map(reviewView) };
    },
  );
}

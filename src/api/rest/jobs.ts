// Jobs: a heavy request sent with `Prefer: respond-async` is answered 202 with the job's URL; the job
// is read (state, progress), its answer fetched once completed, and cancelled, from any instance.

import type { Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { JobQueue } from '../../jobs/queue.js';
import type { OperationArgs, OperationName } from '../../worker/operations.js';
import type { ScenarioSource } from '../../worker/scenarios.js';
import { Job, JobParams, Problem } from './schemas.js';

/** RFC 7240: the client prefers an asynchronous answer. Without a job queue the preference is not applied. */
export const prefersAsync = (request: FastifyRequest): boolean =>
  /(^|[,\s])respond-async\s*(,|;|$)/i.test(String(request.headers.prefer ?? ''));

/** 202 with the job's URL (Location) and its state. */
export async function acceptJob<N extends OperationName>(
  jobs: JobQueue,
  reply: FastifyReply,
  operation: N,
  source: ScenarioSource,
  args: OperationArgs<N>,
): Promise<FastifyReply> {
  const id = await jobs.submit(operation, source, args);
  return reply.code(202).header('location', `/api/v1/jobs/${id}`).header('preference-applied', 'respond-async').send(await jobs.get(id));
}

export async function jobRoutes(app: FastifyInstance, { jobs }: { jobs: JobQueue }): Promise<void> {
  const problems = (...codes: number[]) => Object.fromEntries(codes.map((c) => [c, Problem]));

  app.get<{ Params: Static<typeof JobParams> }>(
    '/api/v1/jobs/:id',
    { schema: { tags: ['jobs'], summary: "A job's state and progress", params: JobParams, response: { 200: Job, ...problems(400, 404) } } },
    async (request) => jobs.get(request.params.id),
  );

  app.get<{ Params: Static<typeof JobParams> }>(
    '/api/v1/jobs/:id/result',
    {
      schema: {
        tags: ['jobs'],
        summary: "A completed job's answer (the synchronous request's body); 409 while it is not completed",
        params: JobParams,
        response: { ...problems(400, 404, 409) },
      },
    },
    async (request, reply) => {
      const result = await jobs.result(request.params.id);
      if (result === undefined) {
        const job = await jobs.get(request.params.id);
        return reply.code(409).type('application/problem+json').send({
          type: 'about:blank',
          title: 'Conflict',
          status: 409,
          detail: `job ${job.id} is ${job.state}${job.error ? `: ${job.error}` : ''}; its answer is there once it is completed`,
          instance: request.url,
        });
      }
      return reply.type('application/json; charset=utf-8').send(result);
    },
  );

  app.delete<{ Params: Static<typeof JobParams> }>(
    '/api/v1/jobs/:id',
    { schema: { tags: ['jobs'], summary: 'Cancel a job (a running one is stopped)', params: JobParams, response: { 200: Job, ...problems(400, 404) } } },
    async (request) => jobs.cancel(request.params.id),
  );
}

// Routes whose body is engine work as a whole (engine-requests.ts): a small body is read on the event
// loop and its call sent to the engine pool; a large JSON body (bodies.ts LARGE_JSON_BYTES or more: a live
// proxy's config dump, a mesh as JSON) is never parsed there: its bytes go to a worker thread, which reads,
// checks and runs it under the same in-flight bound and time budget. A job keeps its arguments in
// PostgreSQL, so a large body sent with `Prefer: respond-async` is read here, as before.

import type { FastifyReply, FastifyRequest } from 'fastify';
import type { JobQueue } from '../../jobs/queue.js';
import type { OperationName } from '../../worker/operations.js';
import type { EngineAnswer, EnginePool } from '../../worker/pool.js';
import type { ScenarioSource } from '../../worker/scenarios.js';
import { readJsonBody } from '../bodies.js';
import { JsonBytes, jsonText } from '../../worker/json-bytes.js';
import { engineCallOf, engineRequests, type EngineCall, type EngineRequestName } from './engine-requests.js';
import { acceptJob, prefersAsync } from './jobs.js';

const TEXT_OPERATIONS: ReadonlySet<OperationName> = new Set(['proxyConfig', 'liveProxyConfig', 'describe']);
/** istioctl's text instead of JSON: for an operation that has it, when the client asks for text. */
const asText = (request: FastifyRequest, operation: OperationName) => TEXT_OPERATIONS.has(operation) && (request.headers.accept?.startsWith('text/plain') ?? false);

/** The stored revision a per-scenario engine route runs on (drift), from the request's params and query. */
export type RevisionOf = (request: FastifyRequest) => Promise<{ source: ScenarioSource; number: number }>;

export function engineBodies(engine: EnginePool, jobs: JobQueue | undefined) {
  /** The worker's JSON as it is (not serialised again on the event loop), or istioctl's text for a client that asks for text. */
  const send = (request: FastifyRequest, reply: FastifyReply, operation: OperationName, answer: EngineAnswer<OperationName>) => {
    if (asText(request, operation)) {
      return reply.type('text/plain; charset=utf-8').serializer(String).send((answer.value() as { text: string }).text);
    }
    return reply.type('application/json; charset=utf-8').send(answer.buffer);
  };

  /** An engine call's answer; with `Prefer: respond-async`, a job for it (when it runs on a scenario and JSON is asked for). */
  const answerCall = async <N extends OperationName>(request: FastifyRequest, reply: FastifyReply, call: EngineCall<N>) => {
    if (call.source && jobs && prefersAsync(request) && !asText(request, call.operation)) return acceptJob(jobs, reply, call.operation, call.source, call.args);
    return send(request, reply, call.operation, await engine.run(call.operation, call.source, call.args));
  };

  /** The handler of an engine route: the call its body (read on the event loop) asks for. */
  const handler =
    (name: EngineRequestName, revisionOf?: RevisionOf) =>
    async (request: FastifyRequest, reply: FastifyReply) => {
      const revision = revisionOf ? await revisionOf(request) : undefined;
      return answerCall(request, reply, engineCallOf(name, request.body, { now: Date.now(), source: revision?.source, revision: revision?.number }));
    };

  /**
   * preValidation of an engine route: a large body goes to a worker as text and is answered from there
   * (validation and the handler are skipped: the worker checks it against the same schema). The
   * query string is not checked yet here: a revision number that is not one is left to fastify.
   */
  const preValidation =
    (name: EngineRequestName, revisionOf?: RevisionOf) =>
    async (request: FastifyRequest, reply: FastifyReply) => {
      if (!(request.body instanceof JsonBytes)) return;
      const query = (request.query ?? {}) as Record<string, unknown>;
      const readHere = (jobs && prefersAsync(request)) || (revisionOf && query.revision !== undefined && !/^[1-9]\d{0,9}$/.test(String(query.revision)));
      if (readHere) {
        request.body = readJsonBody(request, jsonText(request.body));
        return;
      }
      const revision = revisionOf ? await revisionOf(request) : undefined;
      const context = { now: Date.now(), source: revision?.source, revision: revision?.number };
      const answer = await engine.runRequest({ name, label: engineRequests[name].label, body: request.body, query, context });
      return send(request, reply, name, answer);
    };

  return {
    answerCall,
    /** Route options and handler of an engine route. */
    route: (name: EngineRequestName, revisionOf?: RevisionOf) => ({
      options: { config: { engineRequest: name }, preValidation: preValidation(name, revisionOf) },
      handler: handler(name, revisionOf),
    }),
  };
}

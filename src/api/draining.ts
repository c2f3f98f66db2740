// The stop as clients see it. Once the service is stopping, a request that arrives is answered 503 with
// Connection: close (a load balancer or client retries it elsewhere) and the answers to the requests in
// flight close their connections; the listener stays open meanwhile. Closing it first (fastify's close)
// would refuse new connections and reset kept-alive ones a client is sending on. `drain` resolves once
// no request is in flight; then the service closes (engine pool, jobs, database).

import type { FastifyInstance } from 'fastify';

declare module 'fastify' {
  interface FastifyInstance {
    /** Refuses new requests (503) and resolves when the ones in flight have been answered. */
    drain(): Promise<void>;
  }
}

/** 503: the service is stopping. */
export class ServiceStoppingError extends Error {
  override name = 'ServiceStoppingError';
  readonly statusCode = 503;
  readonly retryAfterSeconds = 1;
  constructor() {
    super('the service is stopping: send the request again (to another instance, or once it is back)');
  }
}

/** Registered first, so a request that arrives while stopping is refused before any other hook runs. */
export function registerDraining(app: FastifyInstance): void {
  let stopping = false;
  let inFlight = 0;
  let drained: (() => void) | undefined;
  app.addHook('onRequest', async (_request, reply) => {
    if (stopping) {
      reply.header('connection', 'close');
      throw new ServiceStoppingError();
    }
    inFlight++;
    // 'close' comes when the answer is sent, or when the client went away before it.
    reply.raw.once('close', () => {
      if (--inFlight === 0) drained?.();
    });
  });
  app.addHook('onSend', async (_request, reply) => {
    if (stopping) reply.header('connection', 'close');
  });
  app.decorate('drain', () => {
    stopping = true;
    return inFlight === 0 ? Promise.resolve() : new Promise<void>((resolve) => (drained = resolve));
  });
}

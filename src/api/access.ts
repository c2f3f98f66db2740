// Access control over HTTP, registered before every route so it sees them all: CORS, security
// headers, then who is calling (bearer token or OIDC JWT) and the route's rule from the one
// table (src/access/policy.ts; unlisted routes need admin), the caller's identity recorded as
// author or reviewer, four eyes on approvals, a per-identity rate limit, and the audit log of writes.

import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { AuditLog, auditDetail } from '../access/audit.js';
import { authorize } from '../access/authorize.js';
import type { AccessConfig } from '../access/config.js';
import { AccessControl, anonymous, type Identity } from '../access/identity.js';
import { OidcVerifier } from '../access/oidc.js';
import { IDENTITY_FIELDS, isWrite, listedRule, REVIEW_ROUTE, routeKey, ruleFor, setIdentityField } from '../access/policy.js';
import { checkReview, type ReviewRequest } from '../access/review.js';
import { TokenStore } from '../access/tokens.js';
import type { PrismaClient } from '../generated/prisma/client.js';
import type { ScenarioStore } from '../store/scenarios.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller; null on open routes (health, documentation), which do not ask. */
    identity: Identity | null;
  }
  interface FastifyInstance {
    access: Access;
  }
}

export interface Access {
  control: AccessControl;
  tokens: TokenStore;
  audit: AuditLog;
  /** Every route registered after this plugin, as "METHOD url": the policy test checks each has a rule. */
  routes: string[];
}

export interface AccessPluginOptions {
  prisma: PrismaClient;
  store: ScenarioStore;
  config: AccessConfig;
  /** Access control on from the start (src/access/startup.ts); without it: whether a token exists now. */
  enforced?: boolean;
}

/** Swagger UI and GraphiQL are pages: their scripts are the service's own files (src/api/graphiql.ts). */
const PAGE_CSP: Record<string, Record<string, string[]>> = {
  '/docs': { 'img-src': ["'self'", 'data:', 'validator.swagger.io'] },
  '/graphiql': { 'style-src': ["'self'", "'unsafe-inline'"] },
};

/** helmet's CSP for JSON answers and pages; no upgrade-insecure-requests: the service speaks plain HTTP. */
const cspFor = (extra: Record<string, string[]> = {}) => ({
  useDefaults: true,
  directives: { 'upgrade-insecure-requests': null, ...extra },
});

async function accessPlugin(app: FastifyInstance, options: AccessPluginOptions): Promise<void> {
  const { config, store } = options;
  const tokens = new TokenStore(options.prisma);
  const audit = new AuditLog(options.prisma);
  const control = new AccessControl({
    mode: config.mode,
    tokens,
    oidc: config.oidc ? new OidcVerifier(config.oidc) : undefined,
    enforced: options.enforced ?? (await tokens.activeCount()) > 0,
    onEnforced: (why) => app.log.warn(`access control is now on: ${why}; calls need a token from here on`),
  });
  const routes: string[] = [];
  app.decorate('access', { control, tokens, audit, routes });
  app.decorateRequest('identity', null);

  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.push(routeKey(method, route.url));
    const page = Object.keys(PAGE_CSP).find((p) => route.url === p || route.url.startsWith(`${p}/`));
    if (page) route.config = { ...route.config, helmet: { contentSecurityPolicy: cspFor(PAGE_CSP[page]) } } as typeof route.config;
  });
  app.addHook('onReady', async () => {
    const unlisted = [...new Set(routes)].filter((r) => listedRule(r.split(' ')[0], r.slice(r.indexOf(' ') + 1)) === undefined);
    if (unlisted.length) app.log.warn({ routes: unlisted }, 'routes without an access rule need admin: add them to src/access/policy.ts');
  });

  // Before the access check, so refusals carry CORS and security headers too.
  if (config.corsOrigins.length > 0) {
    await app.register(cors, {
      origin: config.corsOrigins.includes('*') ? '*' : config.corsOrigins,
      methods: ['GET', 'HEAD', 'POST', 'DELETE'],
      allowedHeaders: ['authorization', 'content-type', 'if-match', 'if-none-match', 'x-request-id'],
      exposedHeaders: ['etag', 'location', 'x-request-id', 'retry-after', 'www-authenticate'],
      maxAge: 600,
    });
  }
  if (config.securityHeaders) await app.register(helmet, { contentSecurityPolicy: cspFor() });

  app.addHook('onRequest', async (request, reply) => {
    const url = request.routeOptions.url;
    if (url === undefined) return; // no such route: the 404 says nothing worth guarding
    const rule = ruleFor(request.method, url);
    if (rule === 'open') return;
    request.identity = await control.identify(request.headers.authorization);
    if (rule === 'graphql') return; // each root field has its rule (src/api/graphql/access.ts)
    if (request.identity.via === 'none') reply.header('www-authenticate', 'Bearer realm="meshplan"');
    authorize(request.identity, rule, `${request.method} ${url}`);
  });

  // After the route's own checks (schema), before its handler: who writes, and four eyes.
  app.addHook('preHandler', async (request) => {
    const identity = request.identity;
    if (!identity || identity.via === 'open' || request.routeOptions.url === undefined) return;
    const key = routeKey(request.method, request.routeOptions.url);
    const field = IDENTITY_FIELDS[key];
    if (field) setIdentityField(request.body, field, identity.name);
    if (key === REVIEW_ROUTE) {
      const { name, revision } = request.params as { name: string; revision: number };
      await checkReview(identity, { scenario: name, number: revision }, request.body as ReviewRequest, async () => (await store.revision(name, revision)).author);
    }
  });

  if (config.rateLimit > 0) {
    await app.register(rateLimit, {
      max: config.rateLimit,
      timeWindow: config.rateLimitWindowMs,
      // Runs after the access check (route hooks follow app hooks), so the caller is known.
      keyGenerator: (request) => {
        const who = request.identity;
        return who && (who.via === 'token' || who.via === 'oidc') ? `${who.via}:${who.name}` : `ip:${request.ip}`;
      },
      allowList: (request) => request.routeOptions.url === undefined || ruleFor(request.method, request.routeOptions.url) === 'open',
      errorResponseBuilder: (_request, context) =>
        Object.assign(new Error(`more than ${context.max} requests in ${config.rateLimitWindowMs / 1000} s (RATE_LIMIT); retry in ${context.after}`), {
          statusCode: context.statusCode,
        }),
    });
  }

  // Before the answer leaves, so a client that reads the log after a write finds it there.
  app.addHook('onSend', async (request, reply, payload) => {
    const url = request.routeOptions.url;
    if (url === undefined || !isWrite(request.method, url)) return payload;
    try {
      await audit.record({
        identity: request.identity ?? anonymous(),
        action: `${request.method} ${url}`,
        target: request.url.split('?')[0],
        status: reply.statusCode,
        detail: auditDetail(request.params, request.query, request.body),
        ip: request.ip,
        requestId: request.id,
      });
    } catch (e) {
      request.log.error({ err: e }, 'audit log write failed');
    }
    return payload;
  });
}

export default fp(accessPlugin, { name: 'meshplan-access', fastify: '5.x' });

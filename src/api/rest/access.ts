// REST routes of access control: the caller, API tokens (admin) and the audit log (admin).
// Who may call each is in src/access/policy.ts, like every other route.

import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { OPEN_IDENTITY } from '../../access/identity.js';
import type { TokenRecord } from '../../access/tokens.js';
import { AuditEntry, AuditQuery, Caller, CreatedToken, Problem, Token, TokenBody, TokenParams } from './schemas.js';

const problems = (...codes: number[]) => Object.fromEntries(codes.map((c) => [c, Problem]));
const tags = ['access'];

const tokenView = (t: TokenRecord) => ({
  ...t,
  createdAt: t.createdAt.toISOString(),
  expiresAt: t.expiresAt?.toISOString() ?? null,
  revokedAt: t.revokedAt?.toISOString() ?? null,
  lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
});

export async function accessRoutes(app: FastifyInstance): Promise<void> {
  const { tokens, audit, control } = app.access;

  app.get('/api/v1/me', { schema: { tags, summary: 'The caller as the service sees them', response: { 200: Caller, ...problems(401) } } }, async (request) => {
    const { name, role, via } = request.identity ?? OPEN_IDENTITY;
    return { name, role, via };
  });

  app.get(
    '/api/v1/tokens',
    { schema: { tags, summary: 'API tokens, newest first (never their secret)', response: { 200: Type.Object({ items: Type.Array(Token) }), ...problems(401, 403) } } },
    async () => ({ items: (await tokens.list()).map(tokenView) }),
  );

  app.post<{ Body: TokenBody }>(
    '/api/v1/tokens',
    {
      schema: {
        tags,
        summary: 'Create an API token; the answer holds the token, shown this once',
        body: TokenBody,
        response: { 201: CreatedToken, ...problems(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const created = await tokens.create({ ...request.body, createdBy: request.identity?.name ?? '' });
      control.turnOn(`token ${created.id} (${created.name}) was created`);
      return reply.code(201).send(tokenView(created));
    },
  );

  app.delete<{ Params: typeof TokenParams.static }>(
    '/api/v1/tokens/:id',
    { schema: { tags, summary: 'Revoke an API token for good', params: TokenParams, response: { 200: Token, ...problems(401, 403, 404) } } },
    async (request) => tokenView(await tokens.revoke(request.params.id)),
  );

  app.get<{ Querystring: typeof AuditQuery.static }>(
    '/api/v1/audit',
    {
      schema: {
        tags,
        summary: 'The audit log: every write, allowed or refused, newest first',
        querystring: AuditQuery,
        response: { 200: Type.Object({ items: Type.Array(AuditEntry), nextCursor: Type.Union([Type.String(), Type.Null()]) }), ...problems(400, 401, 403) },
      },
    },
    async (request) => {
      const page = await audit.list({ limit: request.query.limit, cursor: request.query.cursor, actor: request.query.actor });
      return { items: page.items.map((e) => ({ ...e, at: e.at.toISOString() })), nextCursor: page.nextCursor };
    },
  );
}

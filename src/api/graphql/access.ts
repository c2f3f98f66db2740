// Access control over GraphQL: the same rules as REST (src/access/policy.ts), per root field.
// Every Query and Mutation field is wrapped once the app is ready, so fields other modules add
// are covered too (unlisted ones need admin); refusals are UNAUTHENTICATED / FORBIDDEN errors.
// Mutations record the caller's identity as author or reviewer, check four eyes on approvals,
// and write the audit log, as REST does in src/api/access.ts.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { defaultFieldResolver, type GraphQLFieldResolver, type GraphQLObjectType } from 'graphql';
import type { MercuriusContext } from 'mercurius';
import { auditDetail } from '../../access/audit.js';
import { authorize } from '../../access/authorize.js';
import { anonymous, type Identity } from '../../access/identity.js';
import { GRAPHQL_RULES, IDENTITY_FIELDS, setIdentityField } from '../../access/policy.js';
import { checkReview, type ReviewRequest } from '../../access/review.js';
import type { ScenarioStore } from '../../store/scenarios.js';
import { guarded } from './index.js';

const requestOf = (context: MercuriusContext): FastifyRequest => context.reply.request;
/** Set by the access hook on /graphql; a request that somehow skipped it is nobody, not everybody. */
const identityOf = (context: MercuriusContext): Identity => requestOf(context).identity ?? anonymous();

export function guardGraphQL(app: FastifyInstance, { store }: { store: ScenarioStore }): void {
  const { audit } = app.access;

  app.graphql.defineResolvers({
    Query: {
      me: (_root: unknown, _args: unknown, context: MercuriusContext) => {
        const { name, role, via } = identityOf(context);
        return { name, role, via };
      },
      auditLog: (_root: unknown, args: { first: number; after?: string | null; actor?: string | null }) =>
        guarded(() => audit.list({ limit: Math.min(Math.max(args.first, 1), 500), cursor: args.after ?? undefined, actor: args.actor ?? undefined })),
    },
  });

  /** The root field's rule, then its own work; mutations are audited whatever the outcome. */
  const wrap = (type: GraphQLObjectType, isMutation: boolean) => {
    for (const field of Object.values(type.getFields())) {
      const key = `${type.name}.${field.name}`;
      const needs = GRAPHQL_RULES[key] ?? 'admin';
      const resolve: GraphQLFieldResolver<unknown, MercuriusContext> = field.resolve ?? defaultFieldResolver;
      const what = `${isMutation ? 'mutation' : 'query'} ${field.name}`;
      field.resolve = async (root, args: Record<string, unknown>, context: MercuriusContext, info) => {
        const identity = identityOf(context);
        let status = 200;
        try {
          await guarded(async () => {
            authorize(identity, needs, what);
            if (identity.via === 'open') return;
            if (IDENTITY_FIELDS[key]) setIdentityField(args, IDENTITY_FIELDS[key], identity.name);
            if (key === 'Mutation.setReview') {
              const target = { scenario: String(args.name), number: Number(args.revision) };
              await checkReview(identity, target, args as unknown as ReviewRequest, async () => (await store.revision(target.scenario, target.number)).author);
            }
          });
          return await resolve(root, args, context, info);
        } catch (e) {
          status = (e as { extensions?: { status?: number } }).extensions?.status ?? 500;
          throw e;
        } finally {
          if (isMutation) {
            const request = requestOf(context);
            const input = args.input as Record<string, unknown> | undefined;
            await audit
              .record({
                identity,
                action: what,
                target: String(args.name ?? input?.name ?? ''),
                status,
                detail: auditDetail(args, input),
                ip: request.ip,
                requestId: request.id,
              })
              .catch((e) => request.log.error({ err: e }, 'audit log write failed'));
          }
        }
      };
    }
  };

  app.addHook('onReady', async () => {
    const schema = app.graphql.schema;
    const query = schema.getQueryType();
    const mutation = schema.getMutationType();
    if (query) wrap(query, false);
    if (mutation) wrap(mutation, true);
  });
}

// Who may do what: the one table of access rules. REST routes (method + fastify route url) and
// GraphQL root fields each name the least role they need; src/api/access.ts and
// src/api/graphql/access.ts apply them. Anything not listed needs admin (fail closed), and
// test/access/policy.test.ts fails for every registered route or root field without an entry.

import type { ReviewState } from '../generated/prisma/client.js';
import type { Role } from './roles.js';

/** open: no identity needed; graphql: identity resolved, each root field checked by GRAPHQL_RULES. */
export type Rule = Role | 'open' | 'graphql';

export const ROUTE_RULES: Record<string, Rule> = {
  // Operations and documentation.
  'GET /healthz': 'open',
  'GET /readyz': 'open',
  'GET /metrics': 'open',
  'GET /openapi.json': 'open',
  'GET /': 'open', // the dashboard's page: it reads through GraphQL, with the caller's token
  'OPTIONS *': 'open', // CORS preflight: browsers send it without credentials
  'GET /graphql': 'graphql',
  'POST /graphql': 'graphql',

  // Reads of stored scenarios.
  'GET /api/v1/scenarios': 'reader',
  'GET /api/v1/scenarios/:name': 'reader',
  'GET /api/v1/scenarios/:name/revisions': 'reader',
  'GET /api/v1/scenarios/:name/revisions/:revision': 'reader',
  'GET /api/v1/scenarios/:name/revisions/:revision/reviews': 'reader',
  'GET /api/v1/scenarios/:name/diff': 'reader',
  'GET /api/v1/me': 'reader',

  // Computations that write nothing follow reader, stored scenario or not.
  'POST /api/v1/translate': 'reader',
  'POST /api/v1/trace': 'reader',
  'POST /api/v1/proxy-config': 'reader',
  'POST /api/v1/scenarios/:name/translate': 'reader',
  'POST /api/v1/scenarios/:name/trace': 'reader',
  'POST /api/v1/scenarios/:name/proxy-config': 'reader',
  'POST /api/v1/describe': 'reader',
  'POST /api/v1/scenarios/:name/describe': 'reader',
  // ...and those of the contract's v2 additions.
  'POST /api/v1/route-check': 'reader',
  'POST /api/v1/scenarios/:name/route-check': 'reader',
  'POST /api/v1/verify': 'reader',
  'POST /api/v1/scenarios/:name/verify': 'reader',
  'POST /api/v1/analyze': 'reader',
  'POST /api/v1/scenarios/:name/analyze': 'reader',
  'POST /api/v1/envoy-diff': 'reader',
  'GET /api/v1/scenarios/:name/envoy-diff': 'reader',
  'POST /api/v1/scenarios/:name/drift': 'reader',
  // Jobs run the same computations (Prefer: respond-async): whoever may compute may follow and cancel them.
  'GET /api/v1/jobs/:id': 'reader',
  'GET /api/v1/jobs/:id/result': 'reader',
  'DELETE /api/v1/jobs/:id': 'reader',

  // Writes.
  'POST /api/v1/scenarios': 'editor',
  'POST /api/v1/scenarios/:name/revisions': 'editor',
  // editor submits (draft, in_review); approving and rejecting need more: REVIEW_RULES.
  'POST /api/v1/scenarios/:name/revisions/:revision/review': 'editor',
  'DELETE /api/v1/scenarios/:name': 'admin',

  // Administration.
  'GET /api/v1/tokens': 'admin',
  'POST /api/v1/tokens': 'admin',
  'DELETE /api/v1/tokens/:id': 'admin',
  'GET /api/v1/audit': 'admin',
};

/** Static pages of the API browsers (Swagger UI, GraphiQL) and the dashboard's assets: every route under these is open. */
const OPEN_FOLDERS = ['/docs', '/graphiql', '/ui'];

export const GRAPHQL_RULES: Record<string, Role> = {
  'Query.scenario': 'reader',
  'Query.scenarios': 'reader',
  'Query.diff': 'reader',
  'Query.liveProxyConfig': 'reader',
  'Query.liveTrace': 'reader',
  'Query.job': 'reader',
  'Mutation.translateJob': 'reader',
  'Mutation.cancelJob': 'reader',
  'Query.me': 'reader',
  'Query.auditLog': 'admin',
  'Mutation.createScenario': 'editor',
  'Mutation.addRevision': 'editor',
  'Mutation.setReview': 'editor',
  'Mutation.deleteScenario': 'admin',
};

/** The least role to move a revision to each review state. */
export const REVIEW_RULES: Record<ReviewState, Role> = {
  draft: 'editor',
  in_review: 'editor',
  approved: 'reviewer',
  rejected: 'reviewer',
};

/**
 * Where a write names a person: with access control on, the caller's identity is recorded
 * there and whatever the request said is dropped (REST: a body field; GraphQL: an argument path).
 */
export const IDENTITY_FIELDS: Record<string, string> = {
  'POST /api/v1/scenarios': 'author',
  'POST /api/v1/scenarios/:name/revisions': 'author',
  'POST /api/v1/scenarios/:name/revisions/:revision/review': 'reviewer',
  'Mutation.createScenario': 'input.author',
  'Mutation.addRevision': 'input.author',
  'Mutation.setReview': 'reviewer',
};

/** The review route, where four eyes apply (./review.ts). */
export const REVIEW_ROUTE = 'POST /api/v1/scenarios/:name/revisions/:revision/review';

export const routeKey = (method: string, url: string): string => `${method === 'HEAD' ? 'GET' : method} ${url}`;

/** The listed rule of a route, or undefined when the table has no entry. */
export function listedRule(method: string, url: string): Rule | undefined {
  if (OPEN_FOLDERS.some((folder) => url === folder || url.startsWith(`${folder}/`))) return 'open';
  return ROUTE_RULES[routeKey(method, url)];
}

/** The rule that applies: an unlisted route needs admin. */
export const ruleFor = (method: string, url: string): Rule => listedRule(method, url) ?? 'admin';

/** Writes are audited: anything but reads that needs more than reader. */
export function isWrite(method: string, url: string): boolean {
  const rule = ruleFor(method, url);
  return !['GET', 'HEAD', 'OPTIONS'].includes(method) && rule !== 'open' && rule !== 'graphql' && rule !== 'reader';
}

/** Sets a dotted path (input.author) in an object, when the object is there. */
export function setIdentityField(target: unknown, path: string, name: string): void {
  const keys = path.split('.');
  let at = target;
  for (const key of keys.slice(0, -1)) at = at && typeof at === 'object' ? (at as Record<string, unknown>)[key] : undefined;
  if (at && typeof at === 'object') (at as Record<string, unknown>)[keys[keys.length - 1]] = name;
}

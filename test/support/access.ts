// The service with access control on, on a fresh database, and one person per role with a token.

import { OPEN_ACCESS, type AccessConfig } from '../../src/access/config.js';
import { ROLES, type Role } from '../../src/access/roles.js';
import { call, startTestServer, type Reply, type TestServer } from './server.js';

/** Who holds which role in the access tests. */
export const PEOPLE: Record<Role, string> = { reader: 'rui', editor: 'eva', reviewer: 'rita', admin: 'ada' };

export interface AccessServer extends TestServer {
  tokens: Record<Role, string>;
  /** An HTTP call as this role (anonymous: no Authorization header). */
  as(who: Role | 'anonymous', method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Reply>;
  /** A GraphQL operation as this role. */
  gql(who: Role | 'anonymous', query: string, variables?: Record<string, unknown>): Promise<any>;
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

export async function startAccessServer(t: { teardown(fn: () => unknown): void }, config: Partial<AccessConfig> = {}): Promise<AccessServer> {
  const server = await startTestServer(t, { access: { config: { ...OPEN_ACCESS, ...config }, enforced: true } });
  const tokens = {} as Record<Role, string>;
  for (const role of ROLES) tokens[role] = (await server.app.access.tokens.create({ name: PEOPLE[role], role })).token;
  const headersOf = (who: Role | 'anonymous'): Record<string, string> => (who === 'anonymous' ? {} : bearer(tokens[who]));
  return {
    ...server,
    tokens,
    as: (who, method, path, body, headers = {}) => call(server.url, method, path, body, { ...headersOf(who), ...headers }),
    gql: async (who, query, variables = {}) => (await call(server.url, 'POST', '/graphql', { query, variables }, headersOf(who))).body,
  };
}

/** A small mesh: one Service with its Deployment. */
export const MANIFEST = `apiVersion: v1
kind: Service
metadata: {name: web, namespace: default}
spec:
  clusterIP: 10.96.0.10
  selector: {app: web}
  ports: [{name: http, port: 80}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: web}]}
`;

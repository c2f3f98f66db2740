// Single sign-on: JWTs of the configured issuer, verified against a JWKS this test serves on
// loopback; forged, expired, wrong-issuer and wrong-audience tokens are refused.

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, UnsecuredJWT, type JWTPayload } from 'jose';
import t from 'tap';
import { MANIFEST, startAccessServer } from '../support/access.js';
import { call } from '../support/server.js';

const ISSUER = 'https://login.example/realms/mesh';
const AUDIENCE = 'meshplan';

t.test('OIDC JWTs', async (t) => {
  const issuerKeys = await generateKeyPair('RS256');
  const forgerKeys = await generateKeyPair('RS256');
  const jwks = { keys: [{ ...(await exportJWK(issuerKeys.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }] };
  const jwksServer = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks)));
  await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
  t.teardown(() => jwksServer.close());
  const jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks`;

  const server = await startAccessServer(t, {
    oidc: {
      issuer: ISSUER,
      audience: AUDIENCE,
      jwksUrl,
      rolesClaim: 'realm_access.roles',
      roleMap: { 'mesh-reviewers': 'reviewer', 'mesh-admins': 'admin' },
      nameClaim: 'preferred_username',
    },
  });
  await server.store.create({ name: 'shop', resources: MANIFEST, author: 'someone' });

  const sign = (claims: JWTPayload, options: { key?: CryptoKey; issuer?: string; audience?: string; expires?: string | number } = {}) =>
    new SignJWT({ realm_access: { roles: ['mesh-reviewers', 'offline_access'] }, preferred_username: 'olga', ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer(options.issuer ?? ISSUER)
      .setAudience(options.audience ?? AUDIENCE)
      .setSubject('5f0c-olga')
      .setIssuedAt()
      .setExpirationTime(options.expires ?? '5m')
      .sign(options.key ?? issuerKeys.privateKey);
  const as = async (jwt: string, method: string, path: string, body?: unknown) => call(server.url, method, path, body, { authorization: `Bearer ${jwt}` });

  const olga = await sign({});
  t.same((await as(olga, 'GET', '/api/v1/me')).body, { name: 'olga', role: 'reviewer', via: 'oidc' }, 'name and role from the claims');
  t.equal((await as(olga, 'POST', '/api/v1/scenarios/shop/revisions/1/review', { state: 'in_review' })).status, 201);
  const approved = await as(olga, 'POST', '/api/v1/scenarios/shop/revisions/1/review', { state: 'approved' });
  t.equal(approved.status, 201, 'a reviewer by SSO approves');
  t.equal(approved.body.reviewer, 'olga');
  t.equal((await as(olga, 'DELETE', '/api/v1/scenarios/shop')).status, 403, 'but is no admin');

  const gql = await call(server.url, 'POST', '/graphql', { query: '{ me { name role via } }' }, { authorization: `Bearer ${olga}` });
  t.same(gql.body.data.me, { name: 'olga', role: 'reviewer', via: 'oidc' }, 'GraphQL sees the same caller');

  const admin = await sign({ realm_access: { roles: ['mesh-reviewers', 'mesh-admins'] }, preferred_username: undefined });
  t.same((await as(admin, 'GET', '/api/v1/me')).body, { name: '5f0c-olga', role: 'admin', via: 'oidc' }, 'the highest role; sub without a username');

  const noRole = await sign({ realm_access: { roles: ['offline_access'] } });
  const refused = await as(noRole, 'GET', '/api/v1/scenarios');
  t.equal(refused.status, 403, 'signed in, but no role maps');
  t.match(refused.body.detail, /olga has no role/);

  const bad: [string, string, RegExp][] = [
    ['forged (signed with another key, same kid)', await sign({}, { key: forgerKeys.privateKey }), /signature does not verify/],
    ['from the wrong issuer', await sign({}, { issuer: 'https://evil.example' }), /claim "iss"/],
    ['for another audience', await sign({}, { audience: 'other-app' }), /claim "aud"/],
    ['expired', await sign({}, { expires: Math.floor(Date.now() / 1000) - 600 }), /expired/],
    ['unsigned (alg none)', new UnsecuredJWT({ preferred_username: 'olga' }).setIssuer(ISSUER).setAudience(AUDIENCE).encode(), /JWT refused/],
    ['malformed', 'not.a.jwt', /JWT refused/],
  ];
  for (const [what, jwt, why] of bad) {
    const reply = await as(jwt, 'GET', '/api/v1/scenarios');
    t.equal(reply.status, 401, `a JWT ${what} is refused`);
    t.match(reply.body.detail, why, what);
    const viaGraphQL = await call(server.url, 'POST', '/graphql', { query: '{ scenarios { items { name } } }' }, { authorization: `Bearer ${jwt}` });
    t.match(viaGraphQL.body.errors?.[0], { extensions: { code: 'UNAUTHENTICATED' }, message: why }, `GraphQL: ${what}`);
  }
});

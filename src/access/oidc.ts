// Single sign-on: JWTs from one OIDC issuer, verified with jose (signature against the issuer's
// JWKS, fetched and cached by jose, then iss, aud, exp and nbf), mapped to a name and a role.

import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose';
import type { OidcConfig } from './config.js';
import { highestRole, isRole, type Role } from './roles.js';

export type OidcCheck = { ok: true; name: string; role: Role | null } | { ok: false; reason: string };

/** A claim by name or dotted path (Keycloak keeps roles in realm_access.roles). */
function claimAt(payload: JWTPayload, path: string): unknown {
  if (path in payload) return payload[path];
  return path.split('.').reduce<unknown>((v, key) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined), payload);
}

/** A claim's values: an array of strings, or one string of space- or comma-separated values (as `scope`). */
function claimValues(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return typeof value === 'string' ? value.split(/[\s,]+/).filter(Boolean) : [];
}

export class OidcVerifier {
  private readonly jwks: ReturnType<typeof createRemoteJWKSet>;

  constructor(private readonly config: OidcConfig) {
    this.jwks = createRemoteJWKSet(new URL(config.jwksUrl));
  }

  async check(token: string): Promise<OidcCheck> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.jwks, { issuer: this.config.issuer, audience: this.config.audience }));
    } catch (e) {
      return { ok: false, reason: `JWT refused: ${describe(e)}` };
    }
    const name = claimAt(payload, this.config.nameClaim) ?? payload.sub;
    if (typeof name !== 'string' || name === '') return { ok: false, reason: `JWT has neither ${this.config.nameClaim} nor sub` };
    const values = claimValues(claimAt(payload, this.config.rolesClaim));
    const map = this.config.roleMap;
    const roles = values.map((v) => (map ? map[v] : isRole(v) ? v : undefined)).filter((r): r is Role => r !== undefined);
    return { ok: true, name, role: highestRole(roles) ?? null };
  }
}

/** jose's reasons, in words a caller can act on. */
function describe(e: unknown): string {
  if (e instanceof errors.JWTExpired) return 'it has expired';
  if (e instanceof errors.JWTClaimValidationFailed) return `claim "${e.claim}" is not accepted (${e.reason}: ${e.message})`;
  if (e instanceof errors.JWSSignatureVerificationFailed) return 'its signature does not verify against the issuer\'s keys';
  if (e instanceof errors.JWKSNoMatchingKey) return 'no key of the issuer matches its header (kid, alg)';
  if (e instanceof errors.JWSInvalid || e instanceof errors.JWTInvalid) return `it is malformed (${e.message})`;
  if (e instanceof errors.JOSEError) return e.message;
  return `the issuer's keys could not be read (${(e as Error).message})`;
}

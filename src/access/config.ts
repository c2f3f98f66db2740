// Access settings from the environment (the README's configuration table lists each).

import { integer } from '../util/env.js';
import { isRole, ROLES, type Role } from './roles.js';

export interface OidcConfig {
  issuer: string;
  /** The `aud` a token must carry. */
  audience: string;
  jwksUrl: string;
  /** Claim holding the caller's groups or roles: a name or a dotted path (realm_access.roles). */
  rolesClaim: string;
  /** Claim value → role; without a map, values that are role names count. */
  roleMap: Record<string, Role> | undefined;
  /** Claim naming the caller (as author, reviewer, in the audit log); `sub` when it is missing. */
  nameClaim: string;
}

export interface AccessConfig {
  /** auto: on once a token exists or an issuer is configured; on: always; off: never (anyone is admin). */
  mode: 'auto' | 'on' | 'off';
  oidc: OidcConfig | undefined;
  /** Origins allowed to call from a browser (CORS); empty: none, '*': any. */
  corsOrigins: string[];
  /** Requests per identity per window; 0 turns the limit off. */
  rateLimit: number;
  rateLimitWindowMs: number;
  /** Security headers (helmet). */
  securityHeaders: boolean;
}

function parseRoleMap(raw: string): Record<string, Role> {
  const map: Record<string, Role> = {};
  for (const pair of raw.split(',').map((p) => p.trim()).filter(Boolean)) {
    const eq = pair.lastIndexOf('=');
    const role = pair.slice(eq + 1).trim();
    if (eq <= 0 || !isRole(role)) throw new Error(`OIDC_ROLE_MAP: "${pair}" is not <claim value>=<${ROLES.join('|')}>`);
    map[pair.slice(0, eq).trim()] = role;
  }
  return map;
}

function loadOidc(env: NodeJS.ProcessEnv): OidcConfig | undefined {
  const issuer = env.OIDC_ISSUER;
  if (!issuer) return undefined;
  const missing = ['OIDC_AUDIENCE', 'OIDC_JWKS_URL'].filter((name) => !env[name]);
  if (missing.length) throw new Error(`OIDC_ISSUER is set: ${missing.join(' and ')} must be set too`);
  try {
    new URL(env.OIDC_JWKS_URL!);
  } catch {
    throw new Error(`OIDC_JWKS_URL must be a URL, got "${env.OIDC_JWKS_URL}"`);
  }
  return {
    issuer,
    audience: env.OIDC_AUDIENCE!,
    jwksUrl: env.OIDC_JWKS_URL!,
    rolesClaim: env.OIDC_ROLES_CLAIM || 'roles',
    roleMap: env.OIDC_ROLE_MAP ? parseRoleMap(env.OIDC_ROLE_MAP) : undefined,
    nameClaim: env.OIDC_NAME_CLAIM || 'preferred_username',
  };
}

export function loadAccessConfig(env: NodeJS.ProcessEnv = process.env): AccessConfig {
  const mode = (env.AUTH || 'auto').toLowerCase();
  if (mode !== 'auto' && mode !== 'on' && mode !== 'off') throw new Error(`AUTH must be auto, on or off, got "${env.AUTH}"`);
  return {
    mode,
    oidc: loadOidc(env),
    corsOrigins: (env.CORS_ORIGINS ?? '').split(',').map((o) => o.trim()).filter(Boolean),
    rateLimit: integer(env, 'RATE_LIMIT', 600),
    rateLimitWindowMs: integer(env, 'RATE_LIMIT_WINDOW_MS', 60_000),
    securityHeaders: env.SECURITY_HEADERS !== 'false',
  };
}

/** What tests and embedders get when they say nothing: open, no limit, headers on. */
export const OPEN_ACCESS: AccessConfig = {
  mode: 'auto',
  oidc: undefined,
  corsOrigins: [],
  rateLimit: 0,
  rateLimitWindowMs: 60_000,
  securityHeaders: true,
};

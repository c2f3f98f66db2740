// Whether access control is on when the service starts, and the one line that says so. The
// two-command start stays open on loopback; any other address needs access control or AUTH=off.

import { isIP } from 'node:net';
import type { AccessConfig } from './config.js';
import type { TokenStore } from './tokens.js';

export interface AccessAtStart {
  enforced: boolean;
  level: 'info' | 'warn';
  message: string;
}

/** The service refuses to start: the message says what to do. */
export class AccessSetupError extends Error {
  override name = 'AccessSetupError';
}

const FIRST_TOKEN = 'npm run cli -- token create --name admin --role admin';

/** Addresses only this machine can reach. */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (bare === 'localhost' || bare === '::1') return true;
  return isIP(bare) === 4 && bare.startsWith('127.');
}

export async function accessAtStart(config: AccessConfig, host: string, tokens: TokenStore): Promise<AccessAtStart> {
  if (config.mode === 'off') {
    return { enforced: false, level: 'warn', message: `access control is off (AUTH=off): anyone who can reach ${host} may read, write, approve and delete` };
  }
  const active = await tokens.activeCount();
  const sources = [
    ...(active > 0 ? [`${active} active token(s)`] : []),
    ...(config.oidc ? [`OIDC issuer ${config.oidc.issuer}`] : []),
  ];
  if (sources.length > 0) return { enforced: true, level: 'info', message: `access control is on: ${sources.join(', ')}` };
  if (config.mode === 'on') {
    return { enforced: true, level: 'warn', message: `access control is on (AUTH=on) but no token exists: every call needs one; \`${FIRST_TOKEN}\`` };
  }
  if (!isLoopback(host)) {
    throw new AccessSetupError(
      `refusing to listen on ${host} with no access control: create a token (\`${FIRST_TOKEN}\`), set OIDC_ISSUER, or set AUTH=off to serve everyone as admin`,
    );
  }
  return {
    enforced: false,
    level: 'warn',
    message: `access control is open: no token or OIDC issuer is configured and ${host} is loopback, so anyone on this machine is admin; \`${FIRST_TOKEN}\` turns it on (at the token's first use, or the next start)`,
  };
}

// The outcome a hop's error stands for: what the client sees when Envoy refuses or answers itself.

import type { TraceErrorCode, TraceOutcome } from '../contract.js';

const OUTCOMES: Record<TraceErrorCode, TraceOutcome> = {
  NO_LISTENER: { kind: 'error', detail: 'connection refused: no listener' },
  NO_FILTER_CHAIN: { kind: 'error', detail: 'connection closed: no filter chain matches' },
  MULTIPLE_FILTER_CHAINS: { kind: 'error', detail: 'more than one filter chain matches' },
  NO_VIRTUAL_HOST: { kind: 'error', status: 404, detail: 'no virtual host matches' },
  NO_ROUTE: { kind: 'error', status: 404, detail: 'no route matches' },
  TLS_REDIRECT: { kind: 'redirect', status: 301, detail: 'require_tls: redirect to https' },
  PROTOCOL_ERROR: { kind: 'error', detail: 'protocol error' },
  TLS_ERROR: { kind: 'error', detail: 'TLS handshake fails' },
  MTLS_ERROR: { kind: 'error', detail: 'mTLS handshake fails' },
  RBAC_DENIED: { kind: 'denied', status: 403, detail: 'RBAC: access denied' },
  JWT_INVALID: { kind: 'denied', status: 401, detail: 'Jwt verification fails' },
};

export const outcomeOfError = (code: TraceErrorCode): TraceOutcome => OUTCOMES[code];

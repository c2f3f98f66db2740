// A trace request with its defaults filled in the way Istio's simulation fills them (Call.FillDefaults).

import type { TraceJwt, TraceMode, TraceRequestInput, TraceStep } from '../contract.js';
import { parseIp, type IpAddress } from './ip.js';

export type TlsMode = 'plaintext' | 'tls' | 'mtls';
export type AppProtocol = 'http' | 'http2' | 'tcp';

export interface Call {
  mode: TraceMode;
  address: string;
  ip: IpAddress | undefined;
  port: number;
  protocol: AppProtocol;
  tls: TlsMode;
  /** ALPN the client offers (FillDefaults for tls/mtls when not given). */
  alpn: string;
  sni: string;
  host: string;
  path: string;
  method: string;
  /** Header names in lower case, as Envoy compares them. */
  headers: Map<string, string>;
  /** The random value Envoy's router draws (trace request's pick), if fixed. */
  randomValue?: number;
  /** The connection's source, when known (the previous hop, or the sidecar's own workload), with its workload identity. */
  source: { address: string; ip: IpAddress | undefined; port?: number; principal?: string } | undefined;
  /** The bearer token the request carries, if any. */
  jwt?: TraceJwt;
}

const MTLS_ALPN: Record<AppProtocol, string> = { http: 'istio-http/1.1', http2: 'istio-h2', tcp: 'istio' };
const TLS_ALPN: Record<AppProtocol, string> = { http: 'http/1.1', http2: 'h2', tcp: '' };
/** What http_inspector detects from plaintext bytes. */
export const SNIFFED_ALPN: Record<AppProtocol, string> = { http: 'http/1.1', http2: 'h2c', tcp: '' };

export const DEFAULT_ADDRESS = '1.3.3.7';

export function toCall(input: TraceRequestInput, mode: TraceMode, source: Call['source']): Call {
  const headers = new Map<string, string>();
  for (const [name, value] of Object.entries(input.headers ?? {})) headers.set(name.toLowerCase(), value);
  const protocol = input.protocol ?? 'http';
  const tls = input.tls ?? 'plaintext';
  const host = input.host || headers.get('host') || headers.get(':authority') || '';
  const address = input.address || DEFAULT_ADDRESS;
  let alpn = input.alpn ?? '';
  if (!alpn && tls === 'mtls') alpn = MTLS_ALPN[protocol];
  if (!alpn && tls === 'tls') alpn = TLS_ALPN[protocol];
  return {
    mode,
    address,
    ip: parseIp(address),
    port: input.port,
    protocol,
    tls,
    alpn,
    sni: input.sni || (tls === 'tls' ? host : ''),
    host,
    path: input.path || '/',
    method: (input.method || 'GET').toUpperCase(),
    headers,
    source,
    randomValue: input.pick?.randomValue,
    ...(input.jwt ? { jwt: input.jwt } : {}),
  };
}

const MAX_REJECTED = 25;

/**
 * What a step passed over, capped so that a listener of thousands of chains stays readable and fast:
 * reasons past the cap are counted, not built.
 */
export class Rejections {
  readonly listed: { name: string; why: string }[] = [];
  private unlisted = 0;

  add(name: string, why: string | (() => string)): void {
    if (this.listed.length < MAX_REJECTED) this.listed.push({ name, why: typeof why === 'string' ? why : why() });
    else this.unlisted++;
  }

  toList(): { name: string; why: string }[] {
    return this.unlisted ? [...this.listed, { name: `(${this.unlisted} more)`, why: 'not listed' }] : this.listed;
  }
}

export function step(stage: string, chosen: string | null, why: string, rejected: { name: string; why: string }[] | Rejections = []): TraceStep {
  return { stage, chosen, why, rejected: rejected instanceof Rejections ? rejected.toList() : rejected };
}

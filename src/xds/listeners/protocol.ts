// How listeners classify Istio protocols (pilot/pkg/networking/networking.go, pkg/config/protocol).

import type { ListenerClass, Protocol } from '../../mesh/types.js';

const HTTP_PROTOCOLS = new Set<Protocol>(['HTTP', 'HTTP2', 'HTTP_PROXY', 'GRPC', 'GRPC-Web']);
const TCP_PROTOCOLS = new Set<Protocol>(['TCP', 'HTTPS', 'TLS', 'Mongo', 'Redis', 'MySQL']);

export function listenerClass(p: Protocol): ListenerClass {
  if (HTTP_PROTOCOLS.has(p)) return 'HTTP';
  if (TCP_PROTOCOLS.has(p)) return 'TCP';
  if (p === '') return 'AUTO';
  return 'UNKNOWN';
}

export const isHttpProtocol = (p: Protocol): boolean => HTTP_PROTOCOLS.has(p);
export const isTcpProtocol = (p: Protocol): boolean => TCP_PROTOCOLS.has(p);
export const isTlsProtocol = (p: Protocol): boolean => p === 'HTTPS' || p === 'TLS';
export const isHttpOrSniffed = (p: Protocol): boolean => HTTP_PROTOCOLS.has(p) || p === '';

const BY_NAME: Record<string, Protocol> = {
  http: 'HTTP', http2: 'HTTP2', http_proxy: 'HTTP_PROXY', grpc: 'GRPC', 'grpc-web': 'GRPC-Web', https: 'HTTPS',
  tls: 'TLS', tcp: 'TCP', mongo: 'Mongo', redis: 'Redis', mysql: 'MySQL', udp: 'UDP',
};

/** protocol.Parse: case-insensitive; unknown → "" (auto). */
export const parseProtocol = (s: string | undefined): Protocol => BY_NAME[(s ?? '').toLowerCase()] ?? '';

/** Protocol.AfterTLSTermination: HTTPS → HTTP, TLS → TCP. */
export function afterTlsTermination(p: Protocol): Protocol {
  if (p === 'HTTPS') return 'HTTP';
  if (p === 'TLS') return 'TCP';
  return p;
}

// Downstream TLS contexts: Istio mTLS on inbound chains (pilot/pkg/security/authn/utils/utils.go)
// and Sidecar ingress `tls` (listener.go BuildListenerTLSContext).

import type { TransportSocket } from '../envoy.js';
import { agentSecret } from '../config-sources.js';
import { TYPE_URL } from '../envoy.js';

/** security.SupportedCiphers, Istio's default for inbound mTLS. */
const SUPPORTED_CIPHERS = [
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'AES256-GCM-SHA384',
  'AES128-GCM-SHA256',
];

const downstreamTls = (ctx: Record<string, unknown>): TransportSocket => ({
  name: 'envoy.transport_sockets.tls',
  typed_config: { '@type': TYPE_URL.downstreamTls, ...ctx },
});

export type ChainKind = 'HTTP' | 'TCP';

/** Istio mTLS termination on an inbound chain: workload cert `default`, validated against `ROOTCA`. */
export function istioMtlsSocket(kind: ChainKind): TransportSocket {
  return downstreamTls({
    common_tls_context: {
      tls_params: {
        tls_minimum_protocol_version: 'TLSv1_2',
        tls_maximum_protocol_version: 'TLSv1_3',
        cipher_suites: SUPPORTED_CIPHERS,
      },
      alpn_protocols: kind === 'HTTP' ? ['h2', 'http/1.1'] : ['istio-peer-exchange', 'h2', 'http/1.1'],
      tls_certificate_sds_secret_configs: [agentSecret('default')],
      combined_validation_context: {
        default_validation_context: {},
        validation_context_sds_secret_config: agentSecret('ROOTCA'),
      },
    },
    require_client_certificate: true,
  });
}

/** Sidecar ingress ServerTLSSettings (SIMPLE / MUTUAL with files or a credentialName). */
export interface ServerTls {
  mode?: string;
  credentialName?: string;
  serverCertificate?: string;
  privateKey?: string;
  caCertificates?: string;
  subjectAltNames?: string[];
  minProtocolVersion?: string;
  maxProtocolVersion?: string;
  cipherSuites?: string[];
}

export function serverTlsSocket(tls: ServerTls, kind: ChainKind): TransportSocket {
  const mutual = tls.mode === 'MUTUAL' || tls.mode === 'OPTIONAL_MUTUAL';
  const certName = tls.credentialName
    ? `kubernetes://${tls.credentialName}`
    : `file-cert:${tls.serverCertificate ?? ''}~${tls.privateKey ?? ''}`;
  const common: Record<string, unknown> = {
    tls_params: {
      tls_minimum_protocol_version: 'TLSv1_2',
      tls_maximum_protocol_version: 'TLSv1_3',
      ...(tls.cipherSuites?.length ? { cipher_suites: tls.cipherSuites } : {}),
    },
    alpn_protocols: kind === 'HTTP' ? ['h2', 'http/1.1'] : [],
    tls_certificate_sds_secret_configs: [agentSecret(certName)],
  };
  if (kind === 'TCP') delete common.alpn_protocols;
  if (mutual) {
    const caName = tls.credentialName ? `kubernetes://${tls.credentialName}-cacert` : `file-root:${tls.caCertificates ?? ''}`;
    common.combined_validation_context = {
      default_validation_context: tls.subjectAltNames?.length
        ? { match_subject_alt_names: tls.subjectAltNames.map((exact) => ({ exact })) }
        : {},
      validation_context_sds_secret_config: agentSecret(caName),
    };
  }
  return downstreamTls({ common_tls_context: common, ...(tls.mode === 'MUTUAL' ? { require_client_certificate: true } : {}) });
}

// Upstream TLS for outbound clusters (pilot/pkg/networking/core/cluster_tls.go,
// pilot/pkg/networking/util/util.go ALPN constants, pkg/model/authentication.go SDS config).

import type { TransportSocket, TransportSocketMatch } from '../envoy.js';
import { agentSecret, credentialSecret } from '../config-sources.js';
import { TYPE_URL } from '../envoy.js';

const TLS_PARAMS = { tls_minimum_protocol_version: 'TLSv1_2', tls_maximum_protocol_version: 'TLSv1_3' };

export const ALPN_IN_MESH = ['istio-peer-exchange', 'istio'];
export const ALPN_IN_MESH_H2 = ['istio-peer-exchange', 'istio', 'h2'];

const sanMatchers = (sans: string[]) => sans.map((exact) => ({ exact }));

/** Istio mTLS to a mesh workload: SDS `default` certificate, `ROOTCA` validation, SNI = the cluster's DNS SRV key. */
export function istioMutualSocket(sni: string, sans: string[], http2: boolean): TransportSocket {
  return {
    name: 'envoy.transport_sockets.tls',
    typed_config: {
      '@type': TYPE_URL.upstreamTls,
      common_tls_context: {
        tls_params: TLS_PARAMS,
        alpn_protocols: http2 ? ALPN_IN_MESH_H2 : ALPN_IN_MESH,
        tls_certificate_sds_secret_configs: [agentSecret('default')],
        combined_validation_context: {
          default_validation_context: sans.length > 0 ? { match_subject_alt_names: sanMatchers(sans) } : {},
          validation_context_sds_secret_config: agentSecret('ROOTCA'),
        },
      },
      sni,
    },
  };
}

export const RAW_BUFFER_SOCKET: TransportSocket = {
  name: 'envoy.transport_sockets.raw_buffer',
  typed_config: { '@type': TYPE_URL.rawBuffer },
};

/** Auto mTLS: TLS to endpoints labelled tlsMode=istio, plaintext to the rest. */
export function autoMtlsMatches(sni: string, sans: string[], http2: boolean): TransportSocketMatch[] {
  return [
    { name: 'tlsMode-istio', match: { tlsMode: 'istio' }, transport_socket: istioMutualSocket(sni, sans, http2) },
    { name: 'tlsMode-disabled', match: {}, transport_socket: RAW_BUFFER_SOCKET },
  ];
}

/** DR `tls` SIMPLE / MUTUAL (originating TLS to a non-mesh server). */
export function originationSocket(tls: any, http2: boolean, proxyIsGateway: boolean): TransportSocket {
  const common: Record<string, unknown> = { tls_params: TLS_PARAMS };
  const credential: string | undefined = tls.credentialName;
  const sans: string[] = tls.subjectAltNames ?? [];
  if (!tls.insecureSkipVerify) {
    const root = credential
      ? `kubernetes://${credential}${proxyIsGateway ? '-cacert' : ''}`
      : tls.caCertificates
        ? `file-root:${tls.caCertificates}`
        : 'file-root:system';
    common.combined_validation_context = {
      default_validation_context: sans.length > 0 ? { match_subject_alt_names: sanMatchers(sans) } : {},
      validation_context_sds_secret_config: credential ? credentialSecret(root) : agentSecret(root),
    };
  }
  if (tls.mode === 'MUTUAL') {
    const cert = credential ? `kubernetes://${credential}` : `file-cert:${tls.clientCertificate ?? ''}~${tls.privateKey ?? ''}`;
    common.tls_certificate_sds_secret_configs = [credential ? credentialSecret(cert) : agentSecret(cert)];
  }
  if (http2) common.alpn_protocols = ['h2'];
  const ctx: Record<string, unknown> = { '@type': TYPE_URL.upstreamTls, common_tls_context: common };
  if (tls.sni) ctx.sni = tls.sni;
  return { name: 'envoy.transport_sockets.tls', typed_config: ctx as TransportSocket['typed_config'] & {} };
}

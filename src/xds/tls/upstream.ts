// Upstream TLS for outbound clusters (pilot/pkg/networking/core/cluster_tls.go,
// pilot/pkg/networking/util/util.go ALPN constants, pkg/model/authentication.go SDS config).

import type { TransportSocket, TransportSocketMatch } from '../envoy.js';
import type { MeshConfig } from '../../mesh/types.js';
import { agentSecret, credentialNameSecret } from '../config-sources.js';
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

/** DR `tls` SIMPLE / MUTUAL: originating TLS to a non-mesh server (cluster_tls.go constructUpstreamTLS). */
export function originationSocket(mesh: MeshConfig, tls: any, http2: boolean, sans: string[]): TransportSocket {
  const common: Record<string, unknown> = { tls_params: upstreamTlsParams(mesh) };
  const credential: string | undefined = tls.credentialName;
  const defaultValidation = (extra: Record<string, unknown> = {}) => ({
    ...(sans.length > 0 ? { match_subject_alt_names: sanMatchers(sans) } : {}),
    ...extra,
  });
  if (credential) {
    // ApplyCustomSDSToClientCommonTLSContext: the CA is always the credential's "-cacert" companion.
    if (tls.mode === 'MUTUAL') common.tls_certificate_sds_secret_configs = [credentialNameSecret(credential)];
    if (!tls.insecureSkipVerify) {
      common.combined_validation_context = {
        default_validation_context: defaultValidation(),
        validation_context_sds_secret_config: credentialNameSecret(`${credential}-cacert`),
      };
    }
  } else {
    // Files mounted in the pod, served by the agent; no caCertificates means the system roots.
    if (tls.mode === 'MUTUAL') {
      common.tls_certificate_sds_secret_configs = [agentSecret(`file-cert:${tls.clientCertificate ?? ''}~${tls.privateKey ?? ''}`)];
    }
    if (tls.insecureSkipVerify) common.validation_context = {};
    else {
      common.combined_validation_context = {
        default_validation_context: defaultValidation(tls.caCrl ? { crl: { filename: tls.caCrl } } : {}),
        validation_context_sds_secret_config: agentSecret(`file-root:${tls.caCertificates || 'system'}`),
      };
    }
  }
  if (http2) common.alpn_protocols = ['h2'];
  const ctx: Record<string, unknown> = { '@type': TYPE_URL.upstreamTls, common_tls_context: common };
  if (tls.sni) ctx.sni = tls.sni;
  return { name: 'envoy.transport_sockets.tls', typed_config: ctx as TransportSocket['typed_config'] & {} };
}

/** TLSv1_2..TLSv1_3 plus MeshConfig tlsDefaults curves and ciphers (applyTLSDefaults; its minimum is for servers only). */
function upstreamTlsParams(mesh: MeshConfig): Record<string, unknown> {
  const defaults = (mesh.tlsDefaults ?? {}) as { ecdhCurves?: string[]; cipherSuites?: string[] };
  return {
    ...TLS_PARAMS,
    ...(defaults.ecdhCurves?.length ? { ecdh_curves: defaults.ecdhCurves } : {}),
    ...(defaults.cipherSuites?.length ? { cipher_suites: defaults.cipherSuites } : {}),
  };
}

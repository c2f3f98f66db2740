// Upstream TLS for outbound clusters (pilot/pkg/networking/core/cluster_tls.go,
// pilot/pkg/networking/util/util.go ALPN constants, pkg/model/authentication.go SDS config).

import type { TransportSocket, TransportSocketMatch } from '../envoy.js';
import type { MeshConfig } from '../../mesh/types.js';
import { agentSecret, credentialNameSecret } from '../config-sources.js';
import { TYPE_URL } from '../envoy.js';
import { deepFreeze, memoFor } from '../clusters/cache.js';

const TLS_PARAMS = { tls_minimum_protocol_version: 'TLSv1_2', tls_maximum_protocol_version: 'TLSv1_3' };

export const ALPN_IN_MESH = ['istio-peer-exchange', 'istio'];
export const ALPN_IN_MESH_H2 = ['istio-peer-exchange', 'istio', 'h2'];

const sanMatchers = (sans: readonly string[]) => sans.map((exact) => ({ exact }));

/** Istio mTLS to a mesh workload: SDS `default` certificate, `ROOTCA` validation, SNI = the cluster's DNS SRV key. */
export function istioMutualSocket(sni: string, sans: readonly string[], http2: boolean): TransportSocket {
  return {
    name: 'envoy.transport_sockets.tls',
    typed_config: { '@type': TYPE_URL.upstreamTls, common_tls_context: istioMutualContext(sans, http2), sni },
  };
}

const DEFAULT_CERTIFICATE = deepFreeze([agentSecret('default')]);
const ROOT_CA = deepFreeze(agentSecret('ROOTCA'));

/**
 * The common TLS context of Istio mTLS depends only on the SANs and ALPN, so the clusters of a service
 * (ports, subsets) and every proxy share one frozen object per SAN list instead of each building its own.
 */
const mutualContexts = new WeakMap<readonly string[], { h1?: Record<string, unknown>; h2?: Record<string, unknown> }>();

function istioMutualContext(sans: readonly string[], http2: boolean): Record<string, unknown> {
  const byAlpn = memoFor(mutualContexts, sans, () => ({}));
  const known = http2 ? byAlpn.h2 : byAlpn.h1;
  if (known) return known;
  const context = deepFreeze({
    tls_params: TLS_PARAMS,
    alpn_protocols: http2 ? ALPN_IN_MESH_H2 : ALPN_IN_MESH,
    tls_certificate_sds_secret_configs: DEFAULT_CERTIFICATE,
    combined_validation_context: {
      default_validation_context: sans.length > 0 ? { match_subject_alt_names: sanMatchers(sans) } : {},
      validation_context_sds_secret_config: ROOT_CA,
    },
  });
  if (http2) byAlpn.h2 = context;
  else byAlpn.h1 = context;
  return context;
}

export const RAW_BUFFER_SOCKET: TransportSocket = {
  name: 'envoy.transport_sockets.raw_buffer',
  typed_config: { '@type': TYPE_URL.rawBuffer },
};

/** The endpoint metadata (envoy.transport_socket_match) that auto mTLS matches. */
export const ISTIO_TLS_MODE = deepFreeze({ tlsMode: 'istio' });
const PLAINTEXT_MATCH = deepFreeze({ name: 'tlsMode-disabled', match: {}, transport_socket: RAW_BUFFER_SOCKET });

/** Auto mTLS: TLS to endpoints labelled tlsMode=istio, plaintext to the rest. */
export function autoMtlsMatches(sni: string, sans: readonly string[], http2: boolean): TransportSocketMatch[] {
  return [{ name: 'tlsMode-istio', match: ISTIO_TLS_MODE, transport_socket: istioMutualSocket(sni, sans, http2) }, PLAINTEXT_MATCH];
}

/** DR `tls` SIMPLE / MUTUAL: originating TLS to a non-mesh server (cluster_tls.go constructUpstreamTLS). */
export function originationSocket(mesh: MeshConfig, tls: any, http2: boolean, sans: readonly string[]): TransportSocket {
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

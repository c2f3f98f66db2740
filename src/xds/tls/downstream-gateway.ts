// Gateway server TLS → DownstreamTlsContext (pilot/pkg/networking/core/listener.go BuildListenerTLSContext,
// pilot/pkg/security/model/authentication.go ApplyToCommonTLSContext, ApplyCredentialSDSToServerCommonTLSContext).

import type { MeshConfig } from '../../mesh/types.js';
import type { TransportSocket } from '../envoy.js';
import { TYPE_URL } from '../envoy.js';
import { agentSecret, credentialNameSecret } from '../config-sources.js';

/** Istio's ServerTLSSettings in JSON form (the fields that shape the TLS context). */
export interface GatewayServerTls {
  httpsRedirect?: boolean;
  mode?: 'PASSTHROUGH' | 'SIMPLE' | 'MUTUAL' | 'AUTO_PASSTHROUGH' | 'ISTIO_MUTUAL' | 'OPTIONAL_MUTUAL';
  serverCertificate?: string;
  privateKey?: string;
  caCertificates?: string;
  credentialName?: string;
  credentialNames?: string[];
  caCertCredentialName?: string;
  tlsCertificates?: { serverCertificate?: string; privateKey?: string }[];
  caCrl?: string;
  insecureSkipVerify?: boolean;
  subjectAltNames?: string[];
  verifyCertificateSpki?: string[];
  verifyCertificateHash?: string[];
  minProtocolVersion?: string;
  maxProtocolVersion?: string;
  cipherSuites?: string[];
  ecdhCurves?: string[];
}

const ALPN_HTTP = ['h2', 'http/1.1'];
const ALPN_DOWNSTREAM_WITH_MX = ['istio-peer-exchange', 'h2', 'http/1.1'];



const exactMatchers = (names?: string[]) => (names ?? []).map((exact) => ({ exact }));

/** MeshConfig tlsDefaults: the mesh-wide floor for gateway servers that terminate TLS themselves. */
interface MeshTlsDefaults {
  minProtocolVersion?: string;
  cipherSuites?: string[];
  ecdhCurves?: string[];
}

/** The transport socket of a TLS-terminating gateway server. `tcpTerminating`: a TLS server (not HTTPS) ending in tcp_proxy. */
export function gatewayTlsSocket(mesh: MeshConfig, tls: GatewayServerTls, tcpTerminating: boolean): TransportSocket {
  const mode = tls.mode ?? 'PASSTHROUGH';
  const requireClientCert = mode === 'MUTUAL' || mode === 'ISTIO_MUTUAL';
  const validateClient = requireClientCert || mode === 'OPTIONAL_MUTUAL';
  const common: Record<string, unknown> = {};

  const credentialNames = tls.credentialNames?.length ? tls.credentialNames : tls.credentialName ? [tls.credentialName] : [];
  // ApplyToCommonTLSContext: a CRL file and insecureSkipVerify shape the client validation.
  const clientValidation = (): Record<string, unknown> => ({
    ...withSans({}, tls.subjectAltNames),
    ...(tls.caCrl ? { crl: { filename: tls.caCrl } } : {}),
    ...(tls.insecureSkipVerify ? { trust_chain_verification: 'ACCEPT_UNTRUSTED' } : {}),
  });
  if (mode === 'ISTIO_MUTUAL') {
    common.tls_certificate_sds_secret_configs = [agentSecret('default')];
    common.combined_validation_context = {
      default_validation_context: clientValidation(),
      validation_context_sds_secret_config: agentSecret('ROOTCA'),
    };
  } else if (credentialNames.length > 0) {
    common.tls_certificate_sds_secret_configs = credentialNames.map(credentialNameSecret);
    const caName = tls.caCertCredentialName || `${credentialNames[0]}-cacert`;
    if (mode === 'MUTUAL' || mode === 'OPTIONAL_MUTUAL') {
      const validation: Record<string, unknown> = withSans({}, tls.subjectAltNames);
      if (tls.verifyCertificateSpki?.length) validation.verify_certificate_spki = tls.verifyCertificateSpki;
      if (tls.verifyCertificateHash?.length) validation.verify_certificate_hash = tls.verifyCertificateHash;
      if (tls.insecureSkipVerify) validation.trust_chain_verification = 'ACCEPT_UNTRUSTED';
      common.combined_validation_context = {
        default_validation_context: validation,
        validation_context_sds_secret_config: credentialNameSecret(caName),
      };
    } else if (tls.subjectAltNames?.length) {
      common.validation_context = withSans({}, tls.subjectAltNames);
    }
  } else {
    // Certificates mounted as files, served by the agent under file-cert:/file-root: names.
    const certName = (cert?: string, key?: string) => (cert && key ? `file-cert:${cert}~${key}` : 'default');
    const files = tls.tlsCertificates?.length ? tls.tlsCertificates : [{ serverCertificate: tls.serverCertificate, privateKey: tls.privateKey }];
    common.tls_certificate_sds_secret_configs = files.map((f) => agentSecret(certName(f.serverCertificate, f.privateKey)));
    if (validateClient) {
      common.combined_validation_context = {
        default_validation_context: clientValidation(),
        validation_context_sds_secret_config: agentSecret(tls.caCertificates ? `file-root:${tls.caCertificates}` : 'ROOTCA'),
      };
    }
  }

  if (mode === 'SIMPLE' || mode === 'MUTUAL' || mode === 'OPTIONAL_MUTUAL') {
    const params: Record<string, unknown> = {};
    // applyDownstreamTLSDefaults, then the server's own settings (applyServerTLSSettings) override them.
    const defaults = (mesh.tlsDefaults ?? {}) as MeshTlsDefaults;
    if (defaults.ecdhCurves?.length) params.ecdh_curves = defaults.ecdhCurves;
    if (defaults.cipherSuites?.length) params.cipher_suites = defaults.cipherSuites;
    if (defaults.minProtocolVersion && defaults.minProtocolVersion !== 'TLS_AUTO') {
      params.tls_minimum_protocol_version = defaults.minProtocolVersion === 'TLSV1_3' ? 'TLSv1_3' : 'TLSv1_2';
    }
    if (tls.minProtocolVersion && tls.minProtocolVersion !== 'TLS_AUTO') params.tls_minimum_protocol_version = tls.minProtocolVersion.replace('TLSV', 'TLSv');
    if (tls.maxProtocolVersion && tls.maxProtocolVersion !== 'TLS_AUTO') params.tls_maximum_protocol_version = tls.maxProtocolVersion.replace('TLSV', 'TLSv');
    if (tls.cipherSuites?.length) params.cipher_suites = tls.cipherSuites;
    if (tls.ecdhCurves?.length) params.ecdh_curves = tls.ecdhCurves;
    if (Object.keys(params).length > 0) common.tls_params = params;
  }
  common.alpn_protocols = tcpTerminating && mode === 'ISTIO_MUTUAL' ? ALPN_DOWNSTREAM_WITH_MX : ALPN_HTTP;

  return {
    name: 'envoy.transport_sockets.tls',
    typed_config: {
      '@type': TYPE_URL.downstreamTls,
      common_tls_context: orderCommon(common),
      require_client_certificate: requireClientCert,
    },
  };
}

function withSans(validation: Record<string, unknown>, sans?: string[]): Record<string, unknown> {
  return sans?.length ? { ...validation, match_subject_alt_names: exactMatchers(sans) } : validation;
}

const COMMON_ORDER = [
  'tls_params', 'tls_certificate_sds_secret_configs', 'validation_context', 'combined_validation_context', 'alpn_protocols',
];

function orderCommon(common: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of COMMON_ORDER) if (common[key] !== undefined) out[key] = common[key];
  return out;
}

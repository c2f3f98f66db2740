// Where Envoy fetches what istiod does not send inline: RDS and EDS over the ADS stream, and TLS
// secrets from the agent's SDS socket or, for credentialName, from istiod over ADS
// (pilot/pkg/security/model/authentication.go, networking/util).

/** RDS and EDS over ADS; initial_fetch_timeout 0s so a listener or cluster never waits for them. */
export const adsConfigSource = () => ({ ads: {}, initial_fetch_timeout: '0s', resource_api_version: 'V3' });

/** A secret the agent serves on the sds-grpc socket: the workload cert `default`, `ROOTCA`, `file-*`. */
export const agentSecret = (name: string) => ({
  name,
  sds_config: {
    api_config_source: {
      api_type: 'GRPC',
      grpc_services: [{ envoy_grpc: { cluster_name: 'sds-grpc' } }],
      set_node_on_first_message_only: true,
      transport_api_version: 'V3',
    },
    initial_fetch_timeout: '0s',
    resource_api_version: 'V3',
  },
});

/** A credentialName secret istiod serves over ADS; no initial_fetch_timeout, so a missing secret does not block (SDSAdsConfig). */
export const credentialSecret = (name: string) => ({ name, sds_config: { ads: {}, resource_api_version: 'V3' } });

/**
 * A credentialName's secret (ConstructSdsSecretConfigForCredential): `builtin://` is the agent's workload
 * certificate (and `builtin://-cacert` its root), bare names are Kubernetes secrets (credentials.ToResourceName).
 */
export function credentialNameSecret(name: string) {
  if (name === 'builtin://') return agentSecret('default');
  if (name === 'builtin://-cacert') return agentSecret('ROOTCA');
  return credentialSecret(name.includes('://') ? name : `kubernetes://${name}`);
}

// MeshConfig overrides checked as istiod reads its mesh config (pkg/config/mesh: ApplyMeshConfig with
// protomarshal, then ValidateMeshConfig): a field MeshConfig does not have is warned about (istiod would
// refuse the whole config, meshplan ignores the field), an enum value it does not have is refused.

import { checkDuration, Issues, type ValidationIssue } from './common.js';

/** MeshConfig's top-level fields (istio.io/api mesh/v1alpha1/config.proto), in their JSON names. */
const FIELDS = new Set([
  'accessLogEncoding', 'accessLogFile', 'accessLogFormat', 'ca', 'caCertificates', 'certificates',
  'configSources', 'connectTimeout', 'defaultConfig', 'defaultDestinationRuleExportTo',
  'defaultHttpRetryPolicy', 'defaultProviders', 'defaultServiceExportTo', 'defaultTrafficPolicy',
  'defaultVirtualServiceExportTo', 'disableEnvoyListenerLog', 'discoverySelectors', 'dnsRefreshRate',
  'enableAutoMtls', 'enableEnvoyAccessLogService', 'enablePrometheusMerge', 'enableTracing',
  'extensionProviders', 'h2UpgradePolicy', 'hboneIdleTimeout', 'inboundClusterStatName',
  'inboundTrafficPolicy', 'ingressClass', 'ingressControllerMode', 'ingressSelector', 'ingressService',
  'localityLbSetting', 'meshMTLS', 'outboundClusterStatName', 'outboundTrafficPolicy', 'pathNormalization',
  'protocolDetectionTimeout', 'proxyHttpPort', 'proxyInboundListenPort', 'proxyListenPort', 'rootNamespace',
  'serviceEntryVisibility', 'serviceScopeConfigs', 'serviceSettings', 'tcpKeepalive', 'tlsDefaults',
  'trustDomain', 'trustDomainAliases', 'verifyCertificateAtClient', 'zoneAwareLbSetting',
]);

/** Enum fields and their values. */
const ENUMS: [path: string[], values: string[]][] = [
  [['outboundTrafficPolicy', 'mode'], ['REGISTRY_ONLY', 'ALLOW_ANY', 'ALLOW_ANY_DYNAMIC_DNS']],
  [['inboundTrafficPolicy', 'mode'], ['PASSTHROUGH', 'LOCALHOST']],
  [['ingressControllerMode'], ['UNSPECIFIED', 'OFF', 'DEFAULT', 'STRICT']],
  [['h2UpgradePolicy'], ['DO_NOT_UPGRADE', 'UPGRADE']],
  [['accessLogEncoding'], ['TEXT', 'JSON']],
];

const DURATIONS = ['connectTimeout'];

export function validateMeshConfig(mesh: Record<string, unknown>): ValidationIssue[] {
  const issues = new Issues();
  for (const key of Object.keys(mesh)) {
    if (!FIELDS.has(key)) issues.warning(`mesh.${key}`, `unknown MeshConfig field ${key}; ignored`);
  }
  for (const [path, values] of ENUMS) {
    let value: unknown = mesh;
    for (const p of path) value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[p] : undefined;
    if (value !== undefined && !values.includes(String(value))) {
      issues.error(`mesh.${path.join('.')}`, `${JSON.stringify(value)} is not a valid value; expected one of ${values.join(', ')}`);
    }
  }
  for (const field of DURATIONS) checkDuration(issues, `mesh.${field}`, mesh[field]);
  return issues.list;
}

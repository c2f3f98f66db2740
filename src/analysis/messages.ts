// istioctl analyze's message types: code, name and level as Istio's pkg/config/analysis/msg/messages.yaml
// defines them, so a message can be looked up by its code in Istio's documentation; then meshplan's own
// (MPL codes), for what Istio has no message for.

export type Level = 'Error' | 'Warning' | 'Info';

/** Message type name → code and level (Istio's table, in code order). */
export const MESSAGE_TYPES = {
  InternalError: { code: 'IST0001', level: 'Error' },
  Deprecated: { code: 'IST0002', level: 'Warning' },
  ReferencedResourceNotFound: { code: 'IST0101', level: 'Error' },
  NamespaceNotInjected: { code: 'IST0102', level: 'Info' },
  PodMissingProxy: { code: 'IST0103', level: 'Warning' },
  SchemaValidationError: { code: 'IST0106', level: 'Error' },
  MisplacedAnnotation: { code: 'IST0107', level: 'Warning' },
  UnknownAnnotation: { code: 'IST0108', level: 'Warning' },
  ConflictingMeshGatewayVirtualServiceHosts: { code: 'IST0109', level: 'Error' },
  ConflictingSidecarWorkloadSelectors: { code: 'IST0110', level: 'Error' },
  MultipleSidecarsWithoutWorkloadSelectors: { code: 'IST0111', level: 'Error' },
  VirtualServiceDestinationPortSelectorRequired: { code: 'IST0112', level: 'Error' },
  DeploymentAssociatedToMultipleServices: { code: 'IST0116', level: 'Warning' },
  PortNameIsNotUnderNamingConvention: { code: 'IST0118', level: 'Info' },
  NamespaceMultipleInjectionLabels: { code: 'IST0123', level: 'Warning' },
  InvalidAnnotation: { code: 'IST0125', level: 'Warning' },
  UnknownMeshNetworksServiceRegistry: { code: 'IST0126', level: 'Error' },
  NoMatchingWorkloadsFound: { code: 'IST0127', level: 'Warning' },
  NoServerCertificateVerificationDestinationLevel: { code: 'IST0128', level: 'Warning' },
  NoServerCertificateVerificationPortLevel: { code: 'IST0129', level: 'Warning' },
  VirtualServiceUnreachableRule: { code: 'IST0130', level: 'Warning' },
  VirtualServiceIneffectiveMatch: { code: 'IST0131', level: 'Info' },
  VirtualServiceHostNotFoundInGateway: { code: 'IST0132', level: 'Warning' },
  SchemaWarning: { code: 'IST0133', level: 'Warning' },
  ServiceEntryAddressesRequired: { code: 'IST0134', level: 'Warning' },
  DeprecatedAnnotation: { code: 'IST0135', level: 'Info' },
  AlphaAnnotation: { code: 'IST0136', level: 'Info' },
  DeploymentConflictingPorts: { code: 'IST0137', level: 'Warning' },
  GatewayDuplicateCertificate: { code: 'IST0138', level: 'Warning' },
  InvalidWebhook: { code: 'IST0139', level: 'Error' },
  IngressRouteRulesNotAffected: { code: 'IST0140', level: 'Warning' },
  InsufficientPermissions: { code: 'IST0141', level: 'Error' },
  UnsupportedKubernetesVersion: { code: 'IST0142', level: 'Error' },
  LocalhostListener: { code: 'IST0143', level: 'Error' },
  InvalidApplicationUID: { code: 'IST0144', level: 'Warning' },
  ConflictingGateways: { code: 'IST0145', level: 'Error' },
  ImageAutoWithoutInjectionWarning: { code: 'IST0146', level: 'Warning' },
  ImageAutoWithoutInjectionError: { code: 'IST0147', level: 'Error' },
  NamespaceInjectionEnabledByDefault: { code: 'IST0148', level: 'Info' },
  JwtClaimBasedRoutingWithoutRequestAuthN: { code: 'IST0149', level: 'Error' },
  ExternalNameServiceTypeInvalidPortName: { code: 'IST0150', level: 'Warning' },
  EnvoyFilterUsesRelativeOperation: { code: 'IST0151', level: 'Warning' },
  EnvoyFilterUsesReplaceOperationIncorrectly: { code: 'IST0152', level: 'Error' },
  EnvoyFilterUsesAddOperationIncorrectly: { code: 'IST0153', level: 'Error' },
  EnvoyFilterUsesRemoveOperationIncorrectly: { code: 'IST0154', level: 'Error' },
  EnvoyFilterUsesRelativeOperationWithProxyVersion: { code: 'IST0155', level: 'Warning' },
  UnsupportedGatewayAPIVersion: { code: 'IST0156', level: 'Error' },
  FutureUnsupportedGatewayAPIVersion: { code: 'IST0172', level: 'Warning' },
  InvalidTelemetryProvider: { code: 'IST0157', level: 'Warning' },
  PodsIstioProxyImageMismatchInNamespace: { code: 'IST0158', level: 'Warning' },
  ConflictingTelemetryWorkloadSelectors: { code: 'IST0159', level: 'Error' },
  MultipleTelemetriesWithoutWorkloadSelectors: { code: 'IST0160', level: 'Error' },
  InvalidGatewayCredential: { code: 'IST0161', level: 'Error' },
  GatewayPortNotDefinedOnService: { code: 'IST0162', level: 'Warning' },
  InvalidExternalControlPlaneConfig: { code: 'IST0163', level: 'Warning' },
  ExternalControlPlaneAddressIsNotAHostname: { code: 'IST0164', level: 'Info' },
  ReferencedInternalGateway: { code: 'IST0165', level: 'Warning' },
  IneffectiveSelector: { code: 'IST0166', level: 'Warning' },
  IneffectivePolicy: { code: 'IST0167', level: 'Warning' },
  UnknownUpgradeCompatibility: { code: 'IST0168', level: 'Warning' },
  UpdateIncompatibility: { code: 'IST0169', level: 'Warning' },
  MultiClusterInconsistentService: { code: 'IST0170', level: 'Warning' },
  NegativeConditionStatus: { code: 'IST0171', level: 'Warning' },
  DestinationRuleSubsetNotSelectPods: { code: 'IST0173', level: 'Error' },
  UnknownDestinationRuleHost: { code: 'IST0174', level: 'Warning' },
  JwksUriFetchUnrestricted: { code: 'IST0175', level: 'Warning' },
  GatewayAPICRDVersionBelowMinimum: { code: 'IST0176', level: 'Warning' },
  ConflictingServiceEntryProtocol: { code: 'IST0177', level: 'Warning' },
} as const satisfies Record<string, { code: string; level: Level }>;

export type MessageName = keyof typeof MESSAGE_TYPES;

/**
 * meshplan's own message types, not istioctl's: where meshplan's answer leaves something of the input out
 * or reads it as Kubernetes' controllers would. Codes MPL…; they come with translate, trace and describe
 * answers (src/fidelity, the EnvoyFilter and Telemetry generators); of istioctl analyze's answers (and its
 * yardstick), only meshplan's own Gateway API status analyzer gives one (NotModelled).
 */
export const MESHPLAN_MESSAGE_TYPES = {
  FieldNotHonoured: { code: 'MPL0001', level: 'Warning' },
  EndpointsWithoutSlices: { code: 'MPL0002', level: 'Info' },
  EndpointPodNotFound: { code: 'MPL0003', level: 'Warning' },
  MeshConfigMapNotRead: { code: 'MPL0004', level: 'Warning' },
  /** Input istiod acts on that meshplan does not model (Gateway API classes and fields); /analyze gives it too. */
  NotModelled: { code: 'MPL0005', level: 'Warning' },
  /** An EnvoyFilter patch left out of a proxy's config (Envoy would refuse it). */
  EnvoyFilterPatchNotApplied: { code: 'MPL0006', level: 'Warning' },
  TelemetryNotModelled: { code: 'MPL0007', level: 'Warning' },
} as const satisfies Record<string, { code: string; level: Level }>;

export type MeshplanMessageName = keyof typeof MESHPLAN_MESSAGE_TYPES;

/** A level's rank, for --failure-threshold and --output-threshold (diag.Level). */
export const LEVEL_RANK: Record<Level, number> = { Info: 0, Warning: 1, Error: 2 };

/** The message type of a code ("IST0101"), if Istio has one. */
export function messageTypeByCode(code: string): { name: MessageName; code: string; level: Level } | undefined {
  for (const [name, t] of Object.entries(MESSAGE_TYPES)) if (t.code === code) return { name: name as MessageName, ...t };
  return undefined;
}

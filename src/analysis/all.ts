// Every analyzer `istioctl analyze` runs offline (analyzers/all.go All()), in Istio's order, and
// meshplan's k8sgateway.StatusAnalyzer (the status istiod would write, which offline input lacks).

import type { Analyzer } from './analyzer.js';
import { caCertificateAnalyzer } from './destinationrule/ca-certificates.js';
import { certificateAnalyzer } from './gateway/certificate.js';
import { conflictingGatewayAnalyzer } from './gateway/conflictinggateway.js';
import { ingressGatewayPortAnalyzer } from './gateway/gateway.js';
import { secretAnalyzer } from './gateway/secret.js';
import { destinationHostAnalyzer } from './virtualservice/destinationhosts.js';
import { destinationRuleAnalyzer } from './virtualservice/destinationrules.js';
import { gatewayAnalyzer } from './virtualservice/gateways.js';
import { conflictingMeshGatewayHostsAnalyzer } from './virtualservice/conflictingmeshgatewayhosts.js';
import { jwtClaimRouteAnalyzer } from './virtualservice/jwtclaimroute.js';
import { portNameAnalyzer } from './service/portname.js';
import { protocolAddressesAnalyzer } from './serviceentry/protocoladdresses.js';
import { conflictingServiceEntryProtocolAnalyzer } from './serviceentry/conflictingserviceentries.js';
import { applicationUIDAnalyzer } from './deployment/pod.js';
import { multiServiceAnalyzer } from './deployment/services.js';
import { subsetSelectPodAnalyzer } from './destinationrule/subset.js';
import { telemetrySelectorAnalyzer } from './telemetry/selector.js';
import { telemetryDefaultSelectorAnalyzer } from './telemetry/default_selector.js';
import { telemetryProviderAnalyzer } from './telemetry/providers.js';
import { lightstepAnalyzer } from './telemetry/lightstep.js';
import { sidecarSelectorAnalyzer } from './sidecar/selector.js';
import { envoyPatchAnalyzer } from './envoyfilter/envoyfilter.js';
import { authorizationPoliciesAnalyzer } from './authz/authorizationpolicies.js';
import { k8sGatewaySelectorAnalyzer } from './k8sgateway/workloadselector.js';
import { k8sGatewayStatusAnalyzer } from './k8sgateway/status.js';
import { injectionAnalyzer } from './injection/injection.js';
import { deprecationAnalyzer } from './deprecation/deprecation.js';
import { k8sAnnotationsAnalyzer } from './annotations/annotations.js';

export const ANALYZERS: readonly Analyzer[] = [
  caCertificateAnalyzer,
  ingressGatewayPortAnalyzer,
  secretAnalyzer,
  conflictingGatewayAnalyzer,
  certificateAnalyzer,
  gatewayAnalyzer,
  destinationHostAnalyzer,
  destinationRuleAnalyzer,
  conflictingMeshGatewayHostsAnalyzer,
  jwtClaimRouteAnalyzer,
  portNameAnalyzer,
  protocolAddressesAnalyzer,
  conflictingServiceEntryProtocolAnalyzer,
  applicationUIDAnalyzer,
  multiServiceAnalyzer,
  subsetSelectPodAnalyzer,
  telemetrySelectorAnalyzer,
  telemetryDefaultSelectorAnalyzer,
  telemetryProviderAnalyzer,
  lightstepAnalyzer,
  sidecarSelectorAnalyzer,
  envoyPatchAnalyzer,
  authorizationPoliciesAnalyzer,
  k8sGatewaySelectorAnalyzer,
  k8sGatewayStatusAnalyzer,
  injectionAnalyzer,
  deprecationAnalyzer,
  k8sAnnotationsAnalyzer,
];

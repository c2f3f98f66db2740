// What the xDS stage produces for one proxy: Envoy resources plus, beside them, the manifests
// that shaped each one (provenance), kept out of the Envoy objects so those stay valid Envoy.

import type { SourceRef } from '../manifests/types.js';
import type { Cluster, ProxyXds } from './envoy.js';
import type { PatchProblem } from './envoyfilter/patch.js';

export interface Provenance {
  /** By listener name. */
  listeners: Record<string, SourceRef[]>;
  /** By route configuration name. */
  routes: Record<string, SourceRef[]>;
  /** By "<route config name>/<virtual host name>". */
  virtualHosts: Record<string, SourceRef[]>;
  /** By cluster name. */
  clusters: Record<string, SourceRef[]>;
  /** By cluster name of the load assignment. */
  endpoints: Record<string, SourceRef[]>;
}

export interface GeneratedXds extends ProxyXds {
  provenance: Provenance;
  /** The leading run of `clusters` that every proxy of the same outbound scope shares (the same array), so comparisons can skip it. */
  sharedClusters?: readonly Cluster[];
  /** EnvoyFilter patches istiod would apply that this config leaves out (and why), for analysis messages. */
  envoyFilterProblems?: PatchProblem[];
  /** Telemetry settings istiod would apply that this config leaves out (and why). */
  telemetryProblems?: { telemetry?: SourceRef; message: string }[];
}

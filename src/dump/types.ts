// A live Envoy's /config_dump (envoy.admin.v3.ConfigDump), read section by section. Resources stay as
// Envoy printed them (proto3 JSON, snake_case field names), minus the Any wrapper's "@type", so they
// have the shape of the generated ones; extension configs of types we do not know are kept untouched.

import type { Cluster, ClusterLoadAssignment, Listener, RouteConfiguration } from '../xds/envoy.js';

export type Json = Record<string, unknown>;

/** ListenersConfigDump.DynamicListener: one name, up to three states of it. */
export interface DynamicListener {
  name: string;
  active?: Listener;
  warming?: Listener;
  draining?: Listener;
  errorState?: Json;
}

/** SecretsConfigDump's dynamic secret (name, version_info, last_updated, secret). */
export interface DumpSecret {
  name: string;
  versionInfo?: string;
  /** envoy.extensions.transport_sockets.tls.v3.Secret, without "@type". */
  secret?: Json;
}

/** core.v3.TypedExtensionConfig of an EcdsConfigDump (name, typed_config). */
export interface EcdsFilter {
  name: string;
  typed_config?: { '@type'?: string; [field: string]: unknown };
}

export interface LiveDump {
  /** The admin section types present, in dump order (type.googleapis.com/envoy.admin.v3.<Name> → <Name>). */
  sections: string[];
  /** BootstrapConfigDump.bootstrap (envoy.config.bootstrap.v3.Bootstrap). */
  bootstrap?: Json;
  clusters?: { static: Cluster[]; dynamicActive: Cluster[]; dynamicWarming: Cluster[] };
  listeners?: { static: Listener[]; dynamic: DynamicListener[] };
  routes?: { static: RouteConfiguration[]; dynamic: RouteConfiguration[] };
  /** ScopedRoutesConfigDump: inline and dynamic scoped route configs, as they are. */
  scopedRoutes?: { inline: Json[]; dynamic: Json[] };
  /** Only in a dump taken with ?include_eds (istioctl proxy-config all does). */
  endpoints?: { static: ClusterLoadAssignment[]; dynamic: ClusterLoadAssignment[] };
  secrets?: { static: Json[]; dynamicActive: DumpSecret[]; dynamicWarming: DumpSecret[] };
  /** Every EcdsConfigDump section's filters, merged in dump order (as istioctl's GetEcdsConfigDump). */
  ecds?: EcdsFilter[];
  /** Sections of admin types this reader does not know, kept as they are. */
  other: Json[];
  /** The dump as it came, for `-o json|yaml` of its sections. */
  input: { configs: Json[] };
}

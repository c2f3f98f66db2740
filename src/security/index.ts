// The security filters of one proxy, built once and shared by all its chains (istiod builds its authn and
// authz builders once per ListenerBuilder: listener_builder.go NewListenerBuilder).

import type { SourceRef } from '../manifests/types.js';
import type { MeshIndex, Proxy } from '../mesh/types.js';
import type { Filter } from './authz-builder.js';
import { buildAuthzFilters, type AuthzFilters } from './authz-builder.js';
import { buildJwtFilter } from './jwt.js';

export interface SecurityFilters extends AuthzFilters {
  jwt?: Filter;
}

const built = new WeakMap<MeshIndex, WeakMap<Proxy, SecurityFilters>>();

export function securityFilters(index: MeshIndex, proxy: Proxy): SecurityFilters {
  let byProxy = built.get(index);
  if (!byProxy) built.set(index, (byProxy = new WeakMap()));
  let filters = byProxy.get(proxy);
  if (!filters) byProxy.set(proxy, (filters = { ...buildAuthzFilters(index, proxy), jwt: buildJwtFilter(index, proxy) }));
  return filters;
}

/** HTTP filters after istio.metadata_exchange (listener_builder.go:480-484): CUSTOM, jwt_authn, then AUDIT/DENY/ALLOW. */
export const securityHttpFilters = (index: MeshIndex, proxy: Proxy): Filter[] => {
  const f = securityFilters(index, proxy);
  return [...f.customHttp, ...(f.jwt ? [f.jwt] : []), ...f.localHttp];
};

/** Network filters after istio.metadata_exchange (networkfilter.go buildCompleteNetworkFilters): CUSTOM, then local. */
export const securityNetworkFilters = (index: MeshIndex, proxy: Proxy): Filter[] => {
  const f = securityFilters(index, proxy);
  return [...f.customTcp, ...f.localTcp];
};

/** The AuthorizationPolicies and RequestAuthentications behind a proxy's security filters (for provenance). */
export function securitySources(index: MeshIndex, proxy: Proxy): SourceRef[] {
  const p = index.authorizationPolicies(proxy);
  return [...p.custom, ...p.audit, ...p.deny, ...p.allow, ...index.requestAuthentications(proxy)].map((c) => c.source);
}

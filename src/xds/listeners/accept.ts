// How many connections a listener that owns a socket accepts per socket event
// (listener_builder.go maxConnectionsToAcceptPerSocketEvent; MAX_CONNECTIONS_PER_SOCKET_EVENT_LOOP,
// default 1, 0 = unlimited and the field is left out).

import type { MeshIndex } from '../../mesh/types.js';
import type { Listener } from '../envoy.js';
import { featureNumber } from '../../mesh/features.js';

export function acceptPerSocketEvent(index: MeshIndex): Pick<Listener, 'max_connections_to_accept_per_socket_event'> {
  const limit = featureNumber(index.options.features, 'MAX_CONNECTIONS_PER_SOCKET_EVENT_LOOP');
  return limit > 0 ? { max_connections_to_accept_per_socket_event: limit } : {};
}

// The inline route configuration of a sidecar's inbound HTTP chains
// (pilot/pkg/networking/core/httproute.go buildSidecarInboundHTTPRouteConfig, route.go BuildDefaultHTTPInboundRoute).

import type { Protocol } from '../../mesh/types.js';
import type { RouteConfiguration } from '../envoy.js';

export interface InboundRouteInput {
  /** inbound|<targetPort>|| or InboundPassthroughCluster. */
  clusterName: string;
  /** Service port (0 for passthrough). */
  servicePort: number;
  /** Host the port serves, for the trace decorator ("" for passthrough). */
  hostname: string;
  protocol: Protocol;
}

const isGrpc = (p: Protocol): boolean => p === 'GRPC' || p === 'GRPC-Web';

export function buildInboundRouteConfig(i: InboundRouteInput): RouteConfiguration {
  const action: Record<string, unknown> = {
    cluster: i.clusterName,
    timeout: '0s',
  };
  if (!isGrpc(i.protocol)) action.retry_policy = { retry_on: 'reset-before-request', num_retries: 2 };
  action.max_stream_duration = { max_stream_duration: '0s', grpc_timeout_header_max: '0s' };
  return {
    name: i.clusterName,
    virtual_hosts: [
      {
        name: `inbound|http|${i.servicePort}`,
        domains: ['*'],
        routes: [
          {
            name: 'default',
            match: { prefix: '/' },
            route: action,
            decorator: { operation: `${i.hostname}:${i.servicePort}/*` },
          },
        ],
      },
    ],
    validate_clusters: false,
  };
}

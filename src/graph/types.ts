// The traffic graph of a scenario (GraphQL Revision.graph): what sends to what, read from the mesh
// index as istiod would see it, each node and edge naming the manifests behind it.

export type GraphNodeKind = 'workload' | 'service' | 'gateway' | 'external';

/** route: a VirtualService route (mesh or gateway); egress: a gateway's route to an external host;
 *  endpoint: a service's endpoints on a workload; passthrough: a sidecar's way out to unknown hosts (ALLOW_ANY). */
export type GraphEdgeKind = 'route' | 'egress' | 'endpoint' | 'passthrough';

export interface GraphNode {
  /** kind:namespace/name (services and external hosts: kind:hostname). */
  id: string;
  kind: GraphNodeKind;
  name: string;
  namespace: string;
  /** Workloads and gateways with a proxy: one of its pods ("namespace/name"), to look from. */
  proxy: string | null;
  /** Services and external hosts: their ports. */
  ports: number[];
  /** Workloads and gateways: the inbound mTLS mode (PeerAuthentication) on their first port. */
  mtls: string | null;
  /** Workloads and gateways: the AuthorizationPolicies that apply, "ACTION namespace/name". */
  policies: string[];
  /** "Kind namespace/name" of each manifest behind the node. */
  sources: string[];
}

export interface GraphEdge {
  id: string;
  kind: GraphEdgeKind;
  from: string;
  to: string;
  /** route and egress: the destination's share of the route in percent. */
  weight: number | null;
  /** route and egress: the route's match conditions, as people read them ("" matches everything). */
  match: string | null;
  subset: string | null;
  port: number | null;
  /** "VirtualService namespace/name http[0]" (with the route's name when it has one). */
  route: string | null;
  /** Client side: the DestinationRule's TLS mode, or auto mTLS' choice; endpoint: the workload's PeerAuthentication mode. */
  mtls: string | null;
  /** The manifest that set mtls, or "auto mTLS" / "mesh default". */
  mtlsFrom: string | null;
  /** endpoint: the AuthorizationPolicies the receiving workload enforces. */
  policies: string[];
  sources: string[];
}

export interface TrafficGraph {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

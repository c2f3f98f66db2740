// The shape of a pod's description (istioctl x describe pod), defined once: REST validates and documents
// its answers with it, the TypeScript types derive from it, GraphQL carries it as JSON.

import { Type, type Static } from '@sinclair/typebox';

const Ref = Type.Object({ name: Type.String(), namespace: Type.String() });

const DestinationRule = Type.Object({
  ...Ref.properties,
  host: Type.String(),
  matchingSubsets: Type.Array(Type.String(), { description: "Subsets whose labels the pod's labels carry" }),
  nonMatchingSubsets: Type.Array(Type.String()),
  trafficPolicy: Type.Union([
    Type.Object({
      tlsMode: Type.Optional(Type.String()),
      policies: Type.Array(Type.String(), { description: 'load balancer, connection pool, outlier detection: those set' }),
      portLevelSettings: Type.Array(Type.Object({ port: Type.Integer(), tlsMode: Type.Optional(Type.String()), policies: Type.Array(Type.String()) })),
    }),
    Type.Null(),
  ]),
});

const RouteFact = Type.Object({
  kind: Type.Union([Type.Literal('http'), Type.Literal('tcp'), Type.Literal('tls')]),
  index: Type.Integer({ description: 'Position of the rule in the VirtualService' }),
  name: Type.Optional(Type.String()),
  reachesPod: Type.Boolean({ description: "Whether one of the rule's destinations is this pod's service (and a subset it matches)" }),
  matches: Type.Array(Type.String(), { description: 'The rule\'s matches as istioctl renders them ("Match: /productpage", "Match: headers end-user=jason")' }),
  destinations: Type.Array(Type.Object({ host: Type.String(), subset: Type.Optional(Type.String()), port: Type.Optional(Type.Integer()), weight: Type.Integer() })),
  notes: Type.Array(Type.String(), { description: 'Why a destination does not reach the pod (a subset it does not match, an unknown subset)' }),
});

const VirtualService = Type.Object({ ...Ref.properties, hosts: Type.Array(Type.String()), routes: Type.Array(RouteFact) });

const ServicePort = Type.Object({
  name: Type.String(),
  port: Type.Integer(),
  protocol: Type.String({ description: 'Istio\'s protocol for the port (HTTP, TCP, ...), "auto-detect" when sniffed' }),
  targetPort: Type.Union([Type.Integer(), Type.Null()], { description: 'The pod port it targets; null when a named target port is not on the pod' }),
  destinationRule: Type.Union([DestinationRule, Type.Null()], { description: "The DestinationRule the pod's sidecar applies to the service port" }),
  virtualService: Type.Union([VirtualService, Type.Null()], { description: "The VirtualService routing the service's host on the pod's sidecar" }),
  mtlsMode: Type.String({ description: 'Effective PeerAuthentication mode on the target port (STRICT, PERMISSIVE, DISABLE)' }),
});

export const PodDescription = Type.Object(
  {
    pod: Type.Object({
      ...Ref.properties,
      proxy: Type.Union([Type.Literal('sidecar'), Type.Literal('router')]),
      revision: Type.String(),
      ip: Type.String(),
      ports: Type.Array(Type.Object({ port: Type.Integer(), protocol: Type.String(), container: Type.String() })),
      labels: Type.Record(Type.String(), Type.String()),
    }),
    services: Type.Array(Type.Object({ ...Ref.properties, hostname: Type.String(), ports: Type.Array(ServicePort) })),
    peerAuthentication: Type.Object({
      mode: Type.String({ description: "The workload's mTLS mode" }),
      portLevel: Type.Array(Type.Object({ port: Type.Integer(), mode: Type.String() })),
      applied: Type.Array(Ref, { description: 'The PeerAuthentications that select the pod: mesh, namespace, workload' }),
    }),
    authorizationPolicies: Type.Array(Type.Object({ ...Ref.properties, action: Type.String() }), { description: 'The AuthorizationPolicies that select the pod, by action (CUSTOM, DENY, ALLOW, AUDIT)' }),
    ingress: Type.Array(
      Type.Object({
        gateway: Ref,
        gatewayPods: Type.Array(Type.String()),
        service: Type.Union([Ref, Type.Null()], { description: 'The Service in front of the gateway pods' }),
        urls: Type.Array(Type.String(), { description: 'Where it is exposed: scheme://address[:port] of the gateway Service (its load balancer address, else its cluster IP)' }),
        hosts: Type.Array(Type.String(), { description: 'Hosts of the Gateway servers the VirtualService binds' }),
        virtualService: VirtualService,
      }),
      { description: 'Gateways whose VirtualServices route to one of the pod\'s services' },
    ),
    warnings: Type.Array(Type.String(), { description: 'What istioctl warns about: no Service selects the pod, missing telemetry labels, ...' }),
  },
  { description: "What `istioctl x describe pod` says of a pod, from the mesh index the translation uses" },
);
export type PodDescription = Static<typeof PodDescription>;

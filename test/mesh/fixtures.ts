// A small bookinfo-like mesh written for these tests.

import { parseManifests } from '../../src/manifests/index.js';
import { buildMeshIndex } from '../../src/mesh/index.js';
import type { MeshIndex } from '../../src/mesh/types.js';

export const BOOKINFO = `
apiVersion: v1
kind: Namespace
metadata: {name: default, labels: {istio-injection: enabled}}
---
apiVersion: v1
kind: Namespace
metadata: {name: istio-system}
---
apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: default}
spec:
  clusterIP: 10.96.0.20
  selector: {app: reviews}
  ports: [{name: http, port: 9080, targetPort: 9080}]
---
apiVersion: v1
kind: Service
metadata: {name: ratings, namespace: default}
spec:
  clusterIP: 10.96.0.30
  selector: {app: ratings}
  ports: [{name: grpc-api, port: 9090, targetPort: api}]
---
apiVersion: v1
kind: Service
metadata: {name: db, namespace: default, annotations: {networking.istio.io/exportTo: "."}}
spec:
  clusterIP: None
  selector: {app: db}
  ports: [{port: 3306}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: reviews-v1, namespace: default}
spec:
  replicas: 2
  template:
    metadata: {labels: {app: reviews, version: v1}}
    spec: {serviceAccountName: bookinfo-reviews, containers: [{name: app}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: reviews-v2, namespace: default}
spec:
  template:
    metadata: {labels: {app: reviews, version: v2}}
    spec: {serviceAccountName: bookinfo-reviews, containers: [{name: app}]}
---
apiVersion: v1
kind: Pod
metadata: {name: ratings-1, namespace: default, labels: {app: ratings, version: v1}}
spec: {containers: [{name: app, ports: [{name: api, containerPort: 7070}]}]}
status: {podIP: 10.2.0.9}
---
apiVersion: v1
kind: Pod
metadata: {name: db-0, namespace: default, labels: {app: db, sidecar.istio.io/inject: "false"}}
spec: {containers: [{name: db}]}
---
apiVersion: v1
kind: Pod
metadata: {name: istio-ingressgateway-1, namespace: istio-system, labels: {istio: ingressgateway}}
spec: {containers: [{name: istio-proxy}]}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: default}
spec:
  host: reviews
  trafficPolicy:
    loadBalancer: {simple: ROUND_ROBIN}
    portLevelSettings:
    - port: {number: 9080}
      connectionPool: {tcp: {maxConnections: 7}}
  subsets:
  - {name: v1, labels: {version: v1}}
  - {name: v2, labels: {version: v2}, trafficPolicy: {loadBalancer: {simple: RANDOM}}}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews-extra, namespace: default, creationTimestamp: "2030-01-01T00:00:00Z"}
spec:
  host: reviews.default.svc.cluster.local
  trafficPolicy: {loadBalancer: {simple: LEAST_REQUEST}}
  subsets:
  - {name: v1, labels: {version: other}}
  - {name: v3, labels: {version: v3}}
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: external-api, namespace: default}
spec:
  hosts: [api.example.com]
  location: MESH_EXTERNAL
  resolution: DNS
  ports: [{name: tls, number: 443, protocol: TLS}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: default}
spec:
  hosts: [reviews]
  http: [{route: [{destination: {host: reviews, subset: v1}}]}]
`;

export function index(yaml: string, mesh: Record<string, unknown> = {}): MeshIndex {
  const parsed = parseManifests(yaml);
  const errors = parsed.problems.filter((p) => p.severity === 'error');
  if (errors.length > 0) throw new Error(JSON.stringify(errors));
  return buildMeshIndex(parsed.objects, mesh, {});
}

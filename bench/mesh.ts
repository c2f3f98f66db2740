// A synthetic mesh of N services in the shape of a real one: per service a Deployment with two
// versions, a ClusterIP Service, a DestinationRule with subsets and a canary VirtualService.

export function syntheticMesh(services: number, namespaces = 10): string {
  const docs: string[] = [];
  for (let n = 0; n < namespaces; n++) {
    docs.push(`apiVersion: v1
kind: Namespace
metadata:
  name: ns-${n}
  labels:
    istio-injection: enabled`);
  }
  for (let i = 0; i < services; i++) {
    const ns = `ns-${i % namespaces}`;
    const name = `svc-${i}`;
    const ip = `10.96.${Math.floor(i / 250)}.${(i % 250) + 1}`;
    docs.push(`apiVersion: v1
kind: Service
metadata:
  name: ${name}
  namespace: ${ns}
spec:
  clusterIP: ${ip}
  selector:
    app: ${name}
  ports:
  - name: http
    port: 8080
  - name: grpc
    port: 9090`);
    for (const version of ['v1', 'v2']) {
      docs.push(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}-${version}
  namespace: ${ns}
spec:
  replicas: 1
  selector:
    matchLabels:
      app: ${name}
      version: ${version}
  template:
    metadata:
      labels:
        app: ${name}
        version: ${version}
    spec:
      containers:
      - name: app
        image: example/app
        ports:
        - containerPort: 8080`);
    }
    docs.push(`apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: ${name}
  namespace: ${ns}
spec:
  host: ${name}
  trafficPolicy:
    connectionPool:
      http:
        http2MaxRequests: 1000
  subsets:
  - name: v1
    labels:
      version: v1
  - name: v2
    labels:
      version: v2`);
    docs.push(`apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: ${name}
  namespace: ${ns}
spec:
  hosts:
  - ${name}
  http:
  - match:
    - headers:
        x-canary:
          exact: "true"
    route:
    - destination:
        host: ${name}
        subset: v2
  - route:
    - destination:
        host: ${name}
        subset: v1
      weight: 90
    - destination:
        host: ${name}
        subset: v2
      weight: 10`);
  }
  return docs.join('\n---\n') + '\n';
}

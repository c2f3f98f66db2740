// A mesh with Gateway API gateways for the gateway-api tests: one Gateway of each listener protocol,
// a manually deployed Gateway, a waypoint, and routes of every kind that bind, or fail to, in the
// ways istiod reports (written for meshplan).

const service = (name: string, namespace: string, ip: string, port: number, protocol = 'http') => `
---
apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: ${namespace}}
spec:
  clusterIP: ${ip}
  selector: {app: ${name}}
  ports: [{name: ${protocol}, port: ${port}}]
---
apiVersion: v1
kind: Pod
metadata: {name: ${name}-1, namespace: ${namespace}, labels: {app: ${name}}}
spec: {containers: [{name: app, image: ${name}}]}
status: {podIP: ${ip.replace('10.96.', '10.2.')}}`;

export const GATEWAY_API_MESH = `
apiVersion: v1
kind: Namespace
metadata: {name: istio-ingress}
---
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {team: shop, istio-injection: enabled}}
---
apiVersion: v1
kind: Namespace
metadata: {name: other, labels: {team: other}}
---
apiVersion: v1
kind: Namespace
metadata: {name: web}
${service('catalog', 'shop', '10.96.5.10', 8080)}
${service('catalog-v2', 'shop', '10.96.5.11', 8080)}
${service('db', 'shop', '10.96.5.12', 5432, 'tcp')}
${service('vault', 'shop', '10.96.5.13', 443, 'tls')}
${service('grpc', 'shop', '10.96.5.14', 9090, 'grpc')}
${service('payments', 'other', '10.96.6.10', 8080)}
---
apiVersion: v1
kind: Secret
metadata: {name: shop-cert, namespace: istio-ingress}
type: kubernetes.io/tls
data: {tls.crt: "", tls.key: ""}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: edge, namespace: istio-ingress, creationTimestamp: "2024-01-01T00:00:00Z"}
spec:
  gatewayClassName: istio
  listeners:
  - name: http
    port: 80
    protocol: HTTP
    hostname: "*.example.com"
    allowedRoutes: {namespaces: {from: All}}
  - name: https
    port: 443
    protocol: HTTPS
    hostname: shop.example.com
    tls: {certificateRefs: [{name: shop-cert}]}
    allowedRoutes: {namespaces: {from: Selector, selector: {matchLabels: {team: shop}}}}
  - name: tls
    port: 8443
    protocol: TLS
    hostname: "*.db.example.com"
    tls: {mode: Passthrough}
    allowedRoutes: {namespaces: {from: All}}
  - name: tcp
    port: 5432
    protocol: TCP
    allowedRoutes: {namespaces: {from: All}}
  - name: lower
    port: 9000
    protocol: http
  - name: no-cert
    port: 8444
    protocol: HTTPS
    tls: {certificateRefs: [{name: missing-cert}]}
  - name: kinds
    port: 8080
    protocol: HTTP
    allowedRoutes: {kinds: [{kind: TCPRoute}]}
---
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: corp}
spec: {controllerName: istio.io/gateway-controller}
---
apiVersion: v1
kind: Service
metadata: {name: corp-ingress, namespace: istio-ingress}
spec:
  clusterIP: 10.96.7.1
  selector: {app: corp-ingress}
  ports: [{name: http, port: 80, targetPort: 8080}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: manual, namespace: istio-ingress}
spec:
  gatewayClassName: corp
  addresses: [{type: Hostname, value: corp-ingress}]
  listeners: [{name: http, port: 80, protocol: HTTP}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: waypoint, namespace: shop}
spec:
  gatewayClassName: istio-waypoint
  listeners: [{name: mesh, port: 15008, protocol: HBONE}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: catalog, namespace: shop, creationTimestamp: "2024-01-01T00:00:00Z"}
spec:
  parentRefs: [{name: edge, namespace: istio-ingress}]
  hostnames: [shop.example.com]
  rules:
  - matches: [{path: {type: PathPrefix, value: /api/}}]
    filters:
    - type: RequestHeaderModifier
      requestHeaderModifier: {set: [{name: X-Shop, value: "1"}], remove: [x-debug]}
    - type: RequestMirror
      requestMirror: {backendRef: {name: catalog-v2, port: 8080}, percent: 25}
    backendRefs:
    - {name: catalog, port: 8080, weight: 90}
    - {name: catalog-v2, port: 8080, weight: 10}
  - matches: [{path: {type: PathPrefix, value: /old}}]
    filters:
    - type: URLRewrite
      urlRewrite: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /new}}
    backendRefs: [{name: catalog, port: 8080}]
  - matches: [{path: {type: Exact, value: /login}}]
    filters:
    - type: RequestRedirect
      requestRedirect: {scheme: https, statusCode: 301}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: payments, namespace: other}
spec:
  parentRefs:
  - {name: edge, namespace: istio-ingress, sectionName: https}
  - {name: edge, namespace: istio-ingress, sectionName: nope}
  hostnames: [shop.example.com]
  rules: [{backendRefs: [{name: payments, port: 8080}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: frontend, namespace: web}
spec:
  parentRefs: [{name: edge, namespace: istio-ingress, sectionName: http}]
  hostnames: [www.example.com]
  rules:
  - matches: [{path: {value: /shop}}]
    backendRefs: [{name: catalog, namespace: shop, port: 8080}]
  - backendRefs: [{name: payments, namespace: other, port: 8080}]
---
apiVersion: gateway.networking.k8s.io/v1beta1
kind: ReferenceGrant
metadata: {name: web-to-catalog, namespace: shop}
spec:
  from: [{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: web}]
  to: [{group: "", kind: Service, name: catalog}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata: {name: grpc, namespace: shop}
spec:
  parentRefs: [{name: edge, namespace: istio-ingress, port: 80}]
  hostnames: [grpc.example.com]
  rules:
  - matches: [{method: {service: shop.Catalog, method: List}}]
    backendRefs: [{name: grpc, port: 9090}]
---
apiVersion: gateway.networking.k8s.io/v1alpha2
kind: TCPRoute
metadata: {name: db, namespace: shop}
spec:
  parentRefs: [{name: edge, namespace: istio-ingress, sectionName: tcp}]
  rules: [{backendRefs: [{name: db, port: 5432}]}]
---
apiVersion: gateway.networking.k8s.io/v1alpha2
kind: TLSRoute
metadata: {name: vault, namespace: shop}
spec:
  parentRefs: [{name: edge, namespace: istio-ingress, sectionName: tls}]
  hostnames: [vault.db.example.com, vault.example.org]
  rules: [{backendRefs: [{name: vault, port: 443}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: corp, namespace: istio-ingress}
spec:
  parentRefs: [{name: manual}]
  rules: [{backendRefs: [{name: ghost, port: 80}]}]
`;

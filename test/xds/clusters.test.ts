import t from 'tap';
import { buildClusters } from '../../src/xds/clusters/index.js';
import { buildEndpoints } from '../../src/xds/endpoints/index.js';
import { BOOKINFO, index } from '../mesh/fixtures.js';

const sidecarIn = (idx: ReturnType<typeof index>, labels: Record<string, string> = {}) =>
  idx.makeProxy({ type: 'sidecar', namespace: 'default', labels, ips: ['9.9.9.9'], metadata: {} });

t.test('sidecar clusters for the bookinfo mesh', async (t) => {
  const idx = index(BOOKINFO);
  const { clusters, provenance } = buildClusters(idx, sidecarIn(idx, { app: 'reviews' }));
  const byName = new Map(clusters.map((c) => [c.name, c]));
  t.same(
    clusters.map((c) => c.name),
    [
      'outbound|443||api.example.com',
      'outbound|3306||db.default.svc.cluster.local',
      'outbound|9090||ratings.default.svc.cluster.local',
      'outbound|9080||reviews.default.svc.cluster.local',
      'outbound|9080|v1|reviews.default.svc.cluster.local',
      'outbound|9080|v2|reviews.default.svc.cluster.local',
      'outbound|9080|v3|reviews.default.svc.cluster.local',
      'BlackHoleCluster',
      'PassthroughCluster',
      'inbound|9080||',
      'InboundPassthroughCluster',
    ],
  );
  const reviews = byName.get('outbound|9080||reviews.default.svc.cluster.local')!;
  t.equal(reviews.type, 'EDS');
  t.equal(reviews.lb_policy, 'LEAST_REQUEST', 'port-level settings replace the top-level load balancer');
  t.same((reviews.circuit_breakers as any).thresholds[0].max_connections, 7);
  t.same(reviews.transport_socket_matches?.map((m) => m.name), ['tlsMode-istio', 'tlsMode-disabled']);
  const tls = reviews.transport_socket_matches![0].transport_socket.typed_config as any;
  t.equal(tls.sni, 'outbound_.9080_._.reviews.default.svc.cluster.local');
  t.same(tls.common_tls_context.combined_validation_context.default_validation_context.match_subject_alt_names, [
    { exact: 'spiffe://cluster.local/ns/default/sa/bookinfo-reviews' },
  ]);
  t.equal((reviews.metadata!.filter_metadata!.istio as any).config, '/apis/networking.istio.io/v1/namespaces/default/destination-rule/reviews');
  const v2 = byName.get('outbound|9080|v2|reviews.default.svc.cluster.local')!;
  t.equal(v2.lb_policy, 'RANDOM', 'subset load balancer overrides');
  t.equal((v2.metadata!.filter_metadata!.istio as any).subset, 'v2');
  const ratings = byName.get('outbound|9090||ratings.default.svc.cluster.local')!;
  t.same((ratings.typed_extension_protocol_options as any)['envoy.extensions.upstreams.http.v3.HttpProtocolOptions'].explicit_http_config, {
    http2_protocol_options: {},
  });
  const db = byName.get('outbound|3306||db.default.svc.cluster.local')!;
  t.equal(db.type, 'ORIGINAL_DST');
  t.equal(db.lb_policy, 'CLUSTER_PROVIDED');
  t.notOk(db.transport_socket_matches, 'no auto mTLS on headless');
  const api = byName.get('outbound|443||api.example.com')!;
  t.equal(api.type, 'STRICT_DNS');
  t.equal(api.load_assignment?.endpoints[0].lb_endpoints[0].endpoint.address.socket_address?.address, 'api.example.com');
  t.notOk(api.transport_socket_matches, 'external services get no auto mTLS');
  const inbound = byName.get('inbound|9080||')!;
  t.equal(inbound.type, 'ORIGINAL_DST');
  t.same(inbound.upstream_bind_config, { source_address: { address: '127.0.0.6', port_value: 0 } });
  t.same(
    provenance['outbound|9080|v1|reviews.default.svc.cluster.local'].map((s) => `${s.kind}/${s.name}`),
    ['Service/reviews', 'DestinationRule/reviews', 'DestinationRule/reviews-extra'],
  );
});

t.test('EDS assignments filter by subset and mark mTLS endpoints', async (t) => {
  const idx = index(BOOKINFO);
  const proxy = sidecarIn(idx);
  const { clusters } = buildClusters(idx, proxy);
  const { endpoints } = buildEndpoints(idx, proxy, clusters);
  const count = (name: string) => endpoints.find((e) => e.cluster_name === name)!.endpoints.flatMap((l) => l.lb_endpoints).length;
  t.equal(count('outbound|9080||reviews.default.svc.cluster.local'), 3);
  t.equal(count('outbound|9080|v1|reviews.default.svc.cluster.local'), 2);
  t.equal(count('outbound|9080|v2|reviews.default.svc.cluster.local'), 1);
  t.equal(count('outbound|9080|v3|reviews.default.svc.cluster.local'), 0);
  const v2 = endpoints.find((e) => e.cluster_name === 'outbound|9080|v2|reviews.default.svc.cluster.local')!.endpoints[0];
  t.equal(v2.load_balancing_weight, 1);
  t.same(v2.lb_endpoints[0].metadata?.filter_metadata, {
    'envoy.transport_socket_match': { tlsMode: 'istio' },
    istio: { workload: 'reviews-v2;default;reviews;v2;Kubernetes' },
  });
  t.notOk(endpoints.some((e) => e.cluster_name.includes('api.example.com')), 'DNS clusters carry endpoints inline');
});

t.test('gateway clusters', async (t) => {
  const idx = index(`${BOOKINFO}
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: cross, namespace: istio-system}
spec:
  selector: {istio: ingressgateway}
  servers: [{port: {number: 15443, name: tls, protocol: TLS}, tls: {mode: AUTO_PASSTHROUGH}, hosts: ["*.local"]}]
`);
  const gw = idx.proxies.find((p) => p.type === 'router')!;
  const names = buildClusters(idx, gw).clusters.map((c) => c.name);
  t.notOk(names.includes('PassthroughCluster'));
  t.ok(names.includes('BlackHoleCluster'));
  t.notOk(names.includes('outbound|3306||db.default.svc.cluster.local'), 'db is not exported to istio-system');
  t.ok(names.includes('outbound_.9080_.v1_.reviews.default.svc.cluster.local'), 'SNI-DNAT cluster for AUTO_PASSTHROUGH');
});

t.test('DR TLS origination: files, credentials, insecureSkipVerify, ServiceEntry SANs, mesh tlsDefaults (constructUpstreamTLS)', async (t) => {
  const rules = `
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: files-api, namespace: default}
spec:
  hosts: [files.example.com]
  location: MESH_EXTERNAL
  resolution: DNS
  subjectAltNames: [files.example.com]
  ports: [{name: https, number: 443, protocol: TLS}]
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: files, namespace: default}
spec:
  host: files.example.com
  trafficPolicy:
    tls: {mode: MUTUAL, clientCertificate: /certs/c.pem, privateKey: /certs/k.pem, caCrl: /certs/crl.pem}
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: api, namespace: default}
spec:
  host: api.example.com
  workloadSelector: {matchLabels: {app: reviews}}
  trafficPolicy:
    tls: {mode: SIMPLE, credentialName: api-ca, sni: api.example.com}
`;
  const idx = index(`${BOOKINFO}---\n${rules}`, { tlsDefaults: { ecdhCurves: ['P-256'], cipherSuites: ['ECDHE-ECDSA-AES128-GCM-SHA256'] } });
  const { clusters } = buildClusters(idx, sidecarIn(idx, { app: 'reviews' }));
  const common = (name: string) => (clusters.find((c) => c.name === name)!.transport_socket!.typed_config as any).common_tls_context;
  const files = common('outbound|443||files.example.com');
  t.same(files.tls_params, {
    tls_minimum_protocol_version: 'TLSv1_2',
    tls_maximum_protocol_version: 'TLSv1_3',
    ecdh_curves: ['P-256'],
    cipher_suites: ['ECDHE-ECDSA-AES128-GCM-SHA256'],
  });
  t.equal(files.tls_certificate_sds_secret_configs[0].name, 'file-cert:/certs/c.pem~/certs/k.pem');
  t.same(files.combined_validation_context.default_validation_context, {
    match_subject_alt_names: [{ exact: 'files.example.com' }],
    crl: { filename: '/certs/crl.pem' },
  }, 'a ServiceEntry lends its subjectAltNames; the CRL file is checked');
  t.equal(files.combined_validation_context.validation_context_sds_secret_config.name, 'file-root:system');
  const api = common('outbound|443||api.example.com');
  t.equal(api.combined_validation_context.validation_context_sds_secret_config.name, 'kubernetes://api-ca-cacert', 'the CA is the -cacert companion');
  t.notOk(api.tls_certificate_sds_secret_configs, 'SIMPLE sends no client certificate');

  const skip = index(`${BOOKINFO}---\n${rules.replace('caCrl: /certs/crl.pem', 'insecureSkipVerify: true')}`);
  const skipped = (buildClusters(skip, sidecarIn(skip)).clusters.find((c) => c.name === 'outbound|443||files.example.com')!.transport_socket!.typed_config as any)
    .common_tls_context;
  t.same(skipped.validation_context, {}, 'insecureSkipVerify leaves an empty validation context');
  t.notOk(skipped.combined_validation_context);
});

// Listener selection, listener filters, filter chain match precedence and downstream TLS outcomes.

import t from 'tap';
import { traceRequest } from '../../src/trace/index.js';
import type { TraceRequestInput } from '../../src/contract.js';
import {
  chain,
  context,
  downstreamTls,
  httpInspector,
  listener,
  originalDst,
  proxy,
  rds,
  tcpProxy,
  tlsInspector,
  xds,
} from './fixtures.js';

const app = proxy('sidecar', 'default', 'app', '10.0.0.1');

const config = xds({
  listeners: [
    listener('virtualOutbound', '0.0.0.0', 15001, [chain('virtualOutbound-catchall-tcp', undefined, [tcpProxy('PassthroughCluster')])], {
      use_original_dst: true,
    }),
    listener(
      '0.0.0.0_80',
      '0.0.0.0',
      80,
      [chain('http', { application_protocols: ['http/1.1', 'h2c'] }, [rds('80')])],
      {
        bind_to_port: false,
        listener_filters: [tlsInspector, httpInspector],
        default_filter_chain: chain('PassthroughFilterChain', undefined, [tcpProxy('PassthroughCluster')]),
      },
    ),
    listener('10.96.0.20_3306', '10.96.0.20', 3306, [chain('db', undefined, [tcpProxy('outbound|3306||db.default')])], { bind_to_port: false }),
    listener(
      '0.0.0.0_443',
      '0.0.0.0',
      443,
      [
        chain('port-any', { transport_protocol: 'tls' }, [tcpProxy('any')]),
        chain('vip-8', { prefix_ranges: [{ address_prefix: '10.0.0.0', prefix_len: 8 }], transport_protocol: 'tls' }, [tcpProxy('vip-8')]),
        chain('vip-24', { prefix_ranges: [{ address_prefix: '10.96.1.0', prefix_len: 24 }] }, [tcpProxy('vip-24')]),
        chain('sni-exact', { prefix_ranges: [{ address_prefix: '10.96.0.0', prefix_len: 16 }], server_names: ['api.example.com'] }, [tcpProxy('sni-exact')]),
        chain('sni-wild', { prefix_ranges: [{ address_prefix: '10.96.0.0', prefix_len: 16 }], server_names: ['*.example.com'] }, [tcpProxy('sni-wild')]),
        chain('sni-wilder', { prefix_ranges: [{ address_prefix: '10.96.0.0', prefix_len: 16 }], server_names: ['*.eu.example.com'] }, [tcpProxy('sni-wilder')]),
        chain('v6', { prefix_ranges: [{ address_prefix: '2001:db8::', prefix_len: 32 }] }, [tcpProxy('v6')]),
      ],
      { listener_filters: [tlsInspector] },
    ),
    listener(
      '0.0.0.0_9000',
      '0.0.0.0',
      9000,
      [chain('a', { transport_protocol: 'raw_buffer' }, [tcpProxy('a')]), chain('b', { transport_protocol: 'raw_buffer' }, [tcpProxy('b')])],
      {},
    ),
    listener('0.0.0.0_9001', '0.0.0.0', 9001, [chain('tls-only', { transport_protocol: 'tls' }, [tcpProxy('x')])], {
      listener_filters: [{ ...tlsInspector, filter_disabled: { destination_port_range: { start: 9001, end: 9002 } } }],
    }),
    listener(
      'virtualInbound',
      '0.0.0.0',
      15006,
      [
        chain('mtls-80', { destination_port: 80, transport_protocol: 'tls' }, [tcpProxy('inbound|80||')], downstreamTls('default', true)),
        chain('plain-80', { destination_port: 80, transport_protocol: 'raw_buffer', application_protocols: ['http/1.1', 'h2c'] }, [rds('inbound-80')]),
        chain('tcp-80', { destination_port: 80, transport_protocol: 'raw_buffer' }, [tcpProxy('inbound|80||')]),
        chain('simple-tls-81', { destination_port: 81 }, [tcpProxy('inbound|81||')], downstreamTls('kubernetes://cert', false)),
        chain('local', { destination_port: 82, source_type: 'SAME_IP_OR_LOOPBACK' }, [tcpProxy('local')]),
        chain('remote', { destination_port: 82 }, [tcpProxy('remote')]),
        chain('hcm-no-tls-83', { destination_port: 83 }, [rds('inbound-83')]),
        chain('passthrough', undefined, [tcpProxy('InboundPassthroughCluster')]),
      ],
      { listener_filters: [tlsInspector, httpInspector] },
    ),
  ],
  clusters: [originalDst('PassthroughCluster'), originalDst('InboundPassthroughCluster')],
  routes: [{ name: '80', virtual_hosts: [{ name: 'allow_any', domains: ['*'], routes: [{ name: 'allow_any', match: { prefix: '/' }, route: { cluster: 'PassthroughCluster' } }] }] }],
});

const ctx = context([[app, config]]);
const hop = (request: TraceRequestInput) => traceRequest(ctx, app, request).hops[0];

t.test('listener: address:port, then 0.0.0.0:port, then virtualOutbound', async (t) => {
  t.equal(hop({ address: '10.96.0.20', port: 3306, protocol: 'tcp' }).listener, '10.96.0.20_3306');
  t.equal(hop({ address: '10.96.0.99', port: 80 }).listener, '0.0.0.0_80');
  const fallback = hop({ address: '10.96.0.99', port: 5555, protocol: 'tcp' });
  t.equal(fallback.listener, 'virtualOutbound');
  t.equal(fallback.filterChain, 'virtualOutbound-catchall-tcp');
  t.equal(fallback.cluster, 'PassthroughCluster');
  t.same(fallback.steps[0].rejected.map((r) => r.name), ['10.96.0.99_5555', '0.0.0.0_5555']);
  const inbound = hop({ mode: 'inbound', address: '10.0.0.1', port: 80, tls: 'mtls', protocol: 'tcp' });
  t.equal(inbound.listener, 'virtualInbound');
  t.equal(inbound.filterChain, 'mtls-80');
});

t.test('NO_LISTENER on a gateway without the port, and inbound without virtualInbound', async (t) => {
  const gw = proxy('router', 'istio-system', 'ingress', '10.0.0.9');
  const gctx = context([[gw, xds({ listeners: [listener('0.0.0.0_8080', '0.0.0.0', 8080, [chain('c', undefined, [tcpProxy('x')])])] })]]);
  const result = traceRequest(gctx, gw, { port: 9999, protocol: 'tcp' });
  t.equal(result.hops[0].mode, 'gateway');
  t.equal(result.error?.code, 'NO_LISTENER');
  t.equal(result.error?.hop, 0);
  t.equal(traceRequest(gctx, gw, { mode: 'inbound', port: 8080 }).error?.code, 'NO_LISTENER');
  t.equal(traceRequest(gctx, gw, { port: 8080, protocol: 'tcp' }).hops[0].listener, '0.0.0.0_8080');
});

t.test('http_inspector sets ALPN for plaintext HTTP; TCP falls to the default chain', async (t) => {
  const http = hop({ address: '10.96.0.99', port: 80, host: 'x' });
  t.equal(http.filterChain, 'http');
  t.equal(http.routeConfig, '80');
  t.equal(hop({ address: '10.96.0.99', port: 80, protocol: 'http2', host: 'x' }).filterChain, 'http');
  const tcp = hop({ address: '10.96.0.99', port: 80, protocol: 'tcp' });
  t.equal(tcp.filterChain, 'PassthroughFilterChain');
  t.equal(tcp.error, null);
  const chainStep = tcp.steps.find((s) => s.stage === 'filter_chain')!;
  t.match(chainStep.rejected, [{ name: 'http', why: /application_protocols .* does not match/ }]);
});

t.test('destination IP: longest prefix wins, then server names exact before longest wildcard', async (t) => {
  t.equal(hop({ address: '10.96.1.5', port: 443, protocol: 'tcp', tls: 'tls', sni: 'other' }).filterChain, 'vip-24');
  t.equal(hop({ address: '10.96.0.5', port: 443, protocol: 'tcp', tls: 'tls', sni: 'api.example.com' }).filterChain, 'sni-exact');
  t.equal(hop({ address: '10.96.0.5', port: 443, protocol: 'tcp', tls: 'tls', sni: 'www.example.com' }).filterChain, 'sni-wild');
  t.equal(hop({ address: '10.96.0.5', port: 443, protocol: 'tcp', tls: 'tls', sni: 'x.eu.example.com' }).filterChain, 'sni-wilder');
  // SNI defaults to the host for TLS calls.
  t.equal(hop({ address: '10.96.0.5', port: 443, protocol: 'http', tls: 'tls', host: 'api.example.com' }).filterChain, 'sni-exact');
  // The wildcard needs at least one character before the suffix.
  const bare = hop({ address: '10.96.0.5', port: 443, protocol: 'tcp', tls: 'tls', sni: 'example.com' });
  t.equal(bare.error?.code, 'NO_FILTER_CHAIN');
  // Only the /8 range contains 10.1.2.3
  t.equal(hop({ address: '10.1.2.3', port: 443, protocol: 'tcp', tls: 'tls', sni: 'a' }).filterChain, 'vip-8');
  t.equal(hop({ address: '192.168.1.1', port: 443, protocol: 'tcp', tls: 'tls' }).filterChain, 'port-any');
  t.equal(hop({ address: '2001:db8::7', port: 443, protocol: 'tcp', tls: 'tls' }).filterChain, 'v6');
  // Plaintext: the chains without a prefix range that needs TLS
  t.equal(hop({ address: '192.168.1.1', port: 443, protocol: 'tcp' }).error?.code, 'NO_FILTER_CHAIN');
});

t.test('MULTIPLE_FILTER_CHAINS when two chains match equally', async (t) => {
  const result = traceRequest(ctx, app, { address: '1.2.3.4', port: 9000, protocol: 'tcp' });
  t.equal(result.error?.code, 'MULTIPLE_FILTER_CHAINS');
  t.match(result.error?.message, /a, b/);
  t.equal(result.hops[0].filterChain, null);
});

t.test('tls_inspector disabled by filter_disabled: transport is raw_buffer', async (t) => {
  const h = hop({ address: '1.2.3.4', port: 9001, protocol: 'tcp', tls: 'tls' });
  t.equal(h.error?.code, 'NO_FILTER_CHAIN');
  t.match(h.steps.find((s) => s.stage === 'listener_filters')?.rejected, [{ name: 'tls_inspector', why: /disabled on port 9001/ }]);
});

t.test('inbound: transport protocol, TLS_ERROR, MTLS_ERROR, PROTOCOL_ERROR', async (t) => {
  const inbound = (r: Omit<TraceRequestInput, 'mode' | 'address'>) => traceRequest(ctx, app, { mode: 'inbound', address: '10.0.0.1', ...r });
  t.equal(inbound({ port: 80, tls: 'mtls', protocol: 'http' }).hops[0].filterChain, 'mtls-80');
  t.equal(inbound({ port: 80, protocol: 'http', host: 'x' }).hops[0].filterChain, 'plain-80');
  t.equal(inbound({ port: 80, protocol: 'tcp' }).hops[0].filterChain, 'tcp-80');
  t.equal(inbound({ port: 80, protocol: 'tcp', tls: 'tls' }).error?.code, 'MTLS_ERROR');
  t.equal(inbound({ port: 81, protocol: 'tcp' }).error?.code, 'TLS_ERROR');
  t.equal(inbound({ port: 81, protocol: 'tcp', tls: 'mtls' }).error?.code, 'MTLS_ERROR');
  const simple = inbound({ port: 81, protocol: 'tcp', tls: 'tls' });
  t.equal(simple.error, null);
  t.equal(simple.hops[0].cluster, 'inbound|81||');
  t.equal(inbound({ port: 83, protocol: 'tcp' }).error?.code, 'PROTOCOL_ERROR');
  const tlsToHcm = inbound({ port: 83, protocol: 'http', tls: 'tls' });
  t.equal(tlsToHcm.error?.code, 'PROTOCOL_ERROR');
  t.equal(tlsToHcm.hops[0].filterChain, 'hcm-no-tls-83');
  t.equal(inbound({ port: 9999, protocol: 'tcp' }).hops[0].filterChain, 'passthrough');
  t.equal(inbound({ port: 9999, protocol: 'tcp' }).hops[0].cluster, 'InboundPassthroughCluster');
});

t.test('source type: a connection from outside is EXTERNAL', async (t) => {
  const inbound = traceRequest(ctx, app, { mode: 'inbound', address: '10.0.0.1', port: 82, protocol: 'tcp' });
  t.equal(inbound.hops[0].filterChain, 'remote');
  const rejected = inbound.hops[0].steps.find((s) => s.stage === 'filter_chain')?.rejected ?? [];
  t.match(rejected.find((r) => r.name === 'local'), { why: /source_type SAME_IP_OR_LOOPBACK does not match/ });
});

t.test('steps say what was chosen and what was passed over', async (t) => {
  const h = hop({ address: '10.96.0.5', port: 443, protocol: 'tcp', tls: 'tls', sni: 'api.example.com' });
  const fc = h.steps.find((s) => s.stage === 'filter_chain')!;
  t.equal(fc.chosen, 'sni-exact');
  const why = Object.fromEntries(fc.rejected.map((r) => [r.name, r.why]));
  t.match(why['sni-wild'], /server_names .* less specifically/);
  t.match(why['vip-8'], /prefix_ranges .* less specifically/);
  t.match(why['v6'], /does not match/);
  t.match(why['port-any'], /leaves prefix_ranges empty/);
});

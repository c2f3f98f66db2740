// Round trip: the config dump translate gives for each proxy of the bookinfo sample, read back as a live
// proxy's dump, gives the same proxy-config tables and, for the hop it can see, the same trace.

import t from 'tap';
import type { TraceHop, TraceRequestInput } from '../../src/contract.js';
import { compileScenario, readLiveProxyConfig } from '../../src/engine.js';
import { edsSummary } from '../../src/proxy-config/endpoints.js';
import type { ProxyConfigKind } from '../../src/proxy-config/index.js';
import { readSample } from '../support/samples.js';

const scenario = compileScenario({ resources: readSample('bookinfo') });
const now = new Date('2026-12-01T00:00:00Z');

t.test('every bookinfo proxy: the same tables from its dump as from its generated config', async (t) => {
  t.ok(scenario.index.proxies.length >= 7, 'the sample has its proxies');
  const variants: [ProxyConfigKind, object][] = [
    ['clusters', {}],
    ['clusters', { filter: { direction: 'inbound' } }],
    ['listeners', {}],
    ['listeners', { verbose: false }],
    ['listeners', { filter: { port: 15006, type: 'HTTP+TCP' } }],
    ['routes', {}],
    ['routes', { verbose: false }],
    ['routes', { filter: { name: '9080' } }],
    ['routes', { output: 'json' }],
    ['bootstrap', {}],
  ];
  for (const proxy of scenario.index.proxies) {
    const selector = { pod: proxy.pod! };
    const [translated] = scenario.translate(selector).proxies;
    const live = readLiveProxyConfig(JSON.parse(JSON.stringify(translated.configDump)));
    for (const [kind, options] of variants) {
      const generated = scenario.proxyConfig(selector, [kind], { ...options, now });
      const fromDump = live.proxyConfig([kind], { ...options, now });
      t.equal(fromDump.text, generated.text, `${proxy.name} ${kind} ${JSON.stringify(options)}`);
    }
    // A dump's endpoints are its EDS table: the generated EDS assignments, as that table shows them.
    const eds = edsSummary(scenario.xds(proxy).endpoints, { filter: {}, verbose: true, includeConfigType: false, now });
    t.equal(live.proxyConfig(['endpoints'], { now }).text, eds.text, `${proxy.name} endpoints (EDS)`);
    t.ok(eds.rows.length > 0, `${proxy.name} has EDS endpoints`);
  }
});

/** A hop as both traces see it: the next hop is where they part (the dump cannot know it). */
const seen = ({ steps, endpoint, ...hop }: TraceHop) => ({
  ...hop,
  endpoint: endpoint && { address: endpoint.address, port: endpoint.port },
  steps: steps.filter((s) => s.stage !== 'next_hop'),
});

t.test('the first hop of a trace is the same over the dump', async (t) => {
  const podOf = (prefix: string) => scenario.index.proxies.find((p) => p.pod?.split('/')[1].startsWith(prefix))!.pod!;
  const requests: [string, TraceRequestInput][] = [
    ['istio-ingressgateway', { port: 8080, host: 'bookinfo.example', path: '/productpage' }],
    ['istio-ingressgateway', { port: 8080, host: 'bookinfo.example', path: '/admin' }],
    ['productpage-v1', { port: 9080, host: 'reviews:9080', path: '/reviews/0', headers: { 'end-user': 'jason' } }],
    ['productpage-v1', { port: 9080, host: 'ratings:9080', path: '/ratings/0' }],
    ['reviews-v1', { mode: 'inbound', address: '10.1.0.4', port: 9080, tls: 'mtls', host: 'reviews:9080' }],
  ];
  for (const [prefix, request] of requests) {
    const pod = podOf(prefix);
    const generated = scenario.trace({ pod }, request);
    const live = readLiveProxyConfig(JSON.parse(JSON.stringify(scenario.translate({ pod }).proxies[0].configDump)));
    const fromDump = live.trace(request);
    t.equal(fromDump.hops.length, 1, `${prefix} ${request.path ?? request.port}: one hop`);
    t.same(seen(fromDump.hops[0]), seen(generated.hops[0]), `${prefix} ${request.path ?? request.port}: the same first hop`);
    t.same(fromDump.error, generated.error?.hop === 0 ? generated.error : null, 'the same refusal, when the first hop refuses');
    if (generated.flow !== 'egress') t.equal(fromDump.flow, generated.flow, 'the same flow');
  }
});

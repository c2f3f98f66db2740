// A live proxy's config dump over HTTP: proxy-config (JSON, istioctl's text, -o json|yaml) and trace
// take { configDump } where resources + proxy name an Envoy otherwise; what is not a dump is a 400.

import t from 'tap';
import { parse as parseYaml } from 'yaml';
import { bookinfoManifests } from '../../src/store/seed.js';
import { call, startTestServer } from '../support/server.js';

t.test('config dumps as input', async (t) => {
  const { url } = await startTestServer(t);
  const resources = await bookinfoManifests();
  const translated = await call(url, 'POST', '/api/v1/translate', { resources, proxy: { pod: 'default/productpage-v1' } });
  t.equal(translated.status, 200);
  const configDump = translated.body.proxies[0].configDump;

  await t.test('proxy-config of a dump: the proxy from its node, the tables istioctl prints', async (t) => {
    const res = await call(url, 'POST', '/api/v1/proxy-config', { configDump, kinds: ['clusters', 'endpoints'] });
    t.equal(res.status, 200, JSON.stringify(res.body).slice(0, 300));
    t.match(res.body.proxy, { type: 'sidecar', namespace: 'default', name: /^productpage-v1-/ });
    t.same(res.body.tables.map((x: any) => [x.kind, x.headers]), [
      ['clusters', ['SERVICE FQDN', 'PORT', 'SUBSET', 'DIRECTION', 'TYPE', 'DESTINATION RULE']],
      ['endpoints', ['NAME', 'STATUS', 'LOCALITY', 'CLUSTER']],
    ]);
    const all = await call(url, 'POST', '/api/v1/proxy-config', { configDump, kinds: ['all'] });
    t.same(all.body.tables.map((x: any) => x.kind), ['bootstrap', 'clusters', 'listeners', 'routes', 'endpoints'], "all: the tables of the dump's sections");
    t.equal(all.body.tables[1].headers[0], 'NAME', 'with the type in NAME, as istioctl prints all');
    const text = await call(url, 'POST', '/api/v1/proxy-config', { configDump, kinds: ['all'], filter: { withHeaders: true } }, { accept: 'text/plain' });
    // A generated dump's bootstrap has only the node: no Istio version, Envoy 0.0.0, as istioctl prints it.
    t.match(text.body, /^------ BOOTSTRAP INFO ------\n\nEnvoy Version: 0\.0\.0\n\n------ CLUSTER INFO ------\n\nNAME +SERVICE FQDN/, 'all: the sections the dump has, each with its type in NAME');
    t.match(text.body, /\n------ ENDPOINTS INFO ------\n\nNAME +STATUS +LOCALITY +CLUSTER\nendpoint\/10\.1\.0\.\d+:9080 /);
  });

  await t.test('-o json and -o yaml: the filtered resources', async (t) => {
    const json = await call(url, 'POST', '/api/v1/proxy-config', { configDump, kinds: ['clusters'], filter: { fqdn: 'reviews', subset: 'v2' }, output: 'json' }, { accept: 'text/plain' });
    t.match(json.headers.get('content-type'), /^text\/plain/);
    t.same(json.body.map((c: any) => c.name), ['outbound|9080|v2|reviews.default.svc.cluster.local'], 'the text is JSON');
    const yaml = await call(url, 'POST', '/api/v1/proxy-config', { configDump, kinds: ['listeners'], filter: { port: 9080 }, output: 'yaml' }, { accept: 'text/plain' });
    t.same(parseYaml(yaml.body).map((l: any) => l.name), ['0.0.0.0_9080']);
  });

  await t.test('trace over a dump: one hop, the same tracer', async (t) => {
    const res = await call(url, 'POST', '/api/v1/trace', { configDump, request: { port: 9080, host: 'reviews:9080', headers: { 'end-user': 'jason' } } });
    t.equal(res.status, 200, JSON.stringify(res.body).slice(0, 300));
    t.equal(res.body.hops.length, 1);
    t.match(res.body.hops[0], { listener: '0.0.0.0_9080', cluster: 'outbound|9080|v2|reviews.default.svc.cluster.local', tls: 'mtls' });
    t.match(res.body.hops[0].steps.at(-1), { stage: 'next_hop', why: /cannot be known from one proxy's config dump/ });
  });

  await t.test('GraphQL: liveProxyConfig and liveTrace, checked as REST checks them', async (t) => {
    const res = await call(url, 'POST', '/graphql', {
      query: `query ($dump: JSON!) {
        liveProxyConfig(configDump: $dump, kinds: [routes], filter: {name: "9080"}, verbose: false) { proxy { type name } tables { kind headers rows } text }
        liveTrace(configDump: $dump, request: {port: 9080, host: "ratings"}) { hops { listener cluster } }
      }`,
      variables: { dump: configDump },
    });
    t.equal(res.status, 200, JSON.stringify(res.body).slice(0, 300));
    t.match(res.body.data.liveProxyConfig, { proxy: { type: 'sidecar', name: /^productpage-v1-/ }, tables: [{ kind: 'routes', headers: ['NAME', 'VIRTUAL HOSTS'] }] });
    t.match(res.body.data.liveProxyConfig.text, /^NAME +VIRTUAL HOSTS\n9080 +\d+\n$/);
    t.same(res.body.data.liveTrace.hops, [{ listener: '0.0.0.0_9080', cluster: 'outbound|9080||ratings.default.svc.cluster.local' }]);
    const bad = await call(url, 'POST', '/graphql', {
      query: `{ liveProxyConfig(configDump: {configs: 3}, filter: {port: 70000}) { text } }`,
    });
    t.match(bad.body.errors, [{ extensions: { code: 'BAD_USER_INPUT', problems: [{ path: 'filter.port' }] } }]);
    const notADump = await call(url, 'POST', '/graphql', { query: `{ liveTrace(configDump: {configs: 3}, request: {port: 80}) { flow } }` });
    t.match(notADump.body.errors, [{ extensions: { code: 'BAD_USER_INPUT', problems: [{ path: 'configDump.configs', message: /expected an Envoy config dump/ }] } }]);
  });

  await t.test('bad input: 400 problems that say what and where', async (t) => {
    const notADump = await call(url, 'POST', '/api/v1/proxy-config', { configDump: { proxies: [] } });
    t.equal(notADump.status, 400);
    t.match(notADump.headers.get('content-type'), /application\/problem\+json/);
    t.match(notADump.body.errors, [{ path: 'configDump.configs', message: /expected an Envoy config dump/ }]);
    const brokenSection = await call(url, 'POST', '/api/v1/trace', {
      configDump: { configs: [{ '@type': 'type.googleapis.com/envoy.admin.v3.ListenersConfigDump', dynamic_listeners: 'none' }] },
      request: { port: 80 },
    });
    t.equal(brokenSection.status, 400);
    t.match(brokenSection.body.errors, [{ path: 'configDump.configs[0].dynamic_listeners', message: 'expected a list, got string' }]);
    const both = await call(url, 'POST', '/api/v1/proxy-config', { configDump, resources, proxy: { pod: 'default/productpage-v1' } });
    t.equal(both.status, 400);
    t.match(both.body.errors, [{ path: 'configDump', message: /either configDump .* or resources and proxy/ }]);
    const neither = await call(url, 'POST', '/api/v1/trace', { request: { port: 80 } });
    t.equal(neither.status, 400);
    t.match(neither.body.errors, [{ path: 'resources' }]);
    const noSecrets = await call(url, 'POST', '/api/v1/proxy-config', { configDump, kinds: ['secrets'] });
    t.equal(noSecrets.status, 400);
    t.match(noSecrets.body.errors, [{ path: 'kinds[0]', message: 'the config dump has no SecretsConfigDump section' }]);
  });
});

// The dashboard in a real browser (the machine's Chromium through playwright-core) against the
// real service (`npm start`, PostgreSQL, the first start's bookinfo example): a new user's first
// trace and graph, then creating a scenario, adding a revision, its Envoy diff, its proxies, an
// error's problem list and an approval. A screenshot of each page goes to .tap/screenshots/.

import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { emptyDatabase } from '../support/server.js';
import { ROOT, startService } from '../support/service.js';
import { readSample } from '../support/samples.js';
import { syntheticMesh } from '../../bench/mesh.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = join(ROOT, '.tap', 'screenshots');

async function openBrowser(tt: { teardown(fn: () => unknown): void }): Promise<BrowserContext> {
  // No skip: without a browser the dashboard is untested, which is a failure (.ci/run installs it).
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  const profile = await mkdtemp(join(tmpdir(), 'meshplan-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 860 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  tt.teardown(async () => {
    await context.close();
    await rm(profile, { recursive: true, force: true });
  });
  return context;
}

/** Waits for what should show, failing at once with the page's error when it shows one instead. */
async function shows(page: Page, what: ReturnType<Page['locator']>): Promise<void> {
  const alert = page.getByRole('alert').first();
  await Promise.race([
    what.waitFor(),
    alert.waitFor().then(async () => {
      throw new Error(`the page shows an error instead: ${await alert.innerText()}`);
    }),
  ]);
}

t.test('the dashboard, as a new user and as a reviewer', async (t) => {
  const databaseUrl = await emptyDatabase(t);
  const service = await startService(t, { env: { DATABASE_URL: databaseUrl, SEED_EXAMPLE: 'true', LOG_LEVEL: 'warn' } });
  // SIGTERM through npm stops the server too (npm's SIGKILL at teardown would leave it running).
  t.teardown(async () => {
    if (service.child.exitCode === null) service.child.kill('SIGTERM');
    await service.exited;
  });
  const context = await openBrowser(t);
  await mkdir(SHOTS, { recursive: true });
  const page = await context.newPage();
  const origin = new URL(service.url).host;
  const foreign: string[] = [];
  const problems: string[] = [];
  page.on('request', (r) => {
    const url = new URL(r.url());
    if (!['data:', 'about:'].includes(url.protocol) && url.host !== origin) foreign.push(r.url());
  });
  // A 4xx the page asked for (the bad manifests' 400, a favicon's 404) is logged too: it is no script error.
  page.on('console', (m) => m.type() === 'error' && !/^Failed to load resource: the server responded with a status of 4\d\d/.test(m.text()) && problems.push(m.text()));
  page.on('response', (r) => r.status() >= 500 && problems.push(`${r.status()} from ${r.url()}`));
  page.on('pageerror', (e) => problems.push(e.message));
  const shot = async (p: Page, name: string) => {
    const path = join(SHOTS, `${name}.png`);
    await p.screenshot({ path, fullPage: true });
    t.comment(`screenshot: ${path}`);
  };

  await t.test('first run opens onto the bookinfo example', async (t) => {
    await page.goto(`${service.url}/`);
    await page.getByRole('heading', { name: 'Start with the bookinfo example' }).waitFor();
    const row = page.getByRole('row', { name: /bookinfo/ });
    t.match(await row.innerText(), /#1/);
    t.match(await row.innerText(), /draft/);
    await shot(page, '01-scenarios');
  });

  await t.test('a trace from the welcome: the gateway, then productpage, hop by hop', async (t) => {
    await page.getByRole('link', { name: 'Trace a request' }).click();
    const form = page.getByRole('form', { name: 'Request to trace' });
    await form.waitFor();
    t.equal(await page.getByLabel('Host').inputValue(), 'bookinfo.example', 'the form starts from the gateway');
    t.equal(await page.getByLabel('Port').inputValue(), '8080');
    await page.getByRole('button', { name: 'Trace', exact: true }).click();
    await shows(page, page.getByRole('heading', { name: /Result/ }));
    t.match(page.url(), /#\/s\/bookinfo\/r\/1\/trace\?proxy=istio-system/, 'the trace is a link');
    const hops = page.locator('.hop');
    t.ok((await hops.count()) >= 2, 'the gateway hop and the sidecar hop');
    t.match(await hops.nth(0).innerText(), /istio-ingressgateway[\s\S]*outbound\|9080\|\|productpage\.default\.svc\.cluster\.local/);
    t.match(await hops.nth(1).innerText(), /productpage-v1/);
    await hops.nth(0).getByText(/decisions/).click();
    t.match(await hops.nth(0).locator('table').innerText(), /Why/);
    await shot(page, '02-trace');
  });

  await t.test('the graph: nodes by namespace, a route edge with its weight, a trace from a node', async (t) => {
    await page.getByRole('link', { name: 'Graph', exact: true }).click();
    const reviewsV1 = page.getByRole('button', { name: /^workload reviews-v1 in default/ });
    await shows(page, reviewsV1);
    t.same(await page.locator('svg .ns text').allTextContents(), ['default', 'istio-system'], 'a box per namespace; passthrough off by default');
    const canary = page.getByRole('button', { name: /^route edge from reviews to reviews-v1, 90%/ });
    await canary.focus();
    await page.keyboard.press('Enter');
    const details = page.locator('aside.graph-details');
    await details.getByText('VirtualService default/reviews http[1]').waitFor();
    t.match(await details.innerText(), /Weight\s+90%[\s\S]*Subset\s+v1[\s\S]*ISTIO_MUTUAL/);
    await shot(page, '03-graph');
    await page.getByRole('button', { name: /^route edge from reviews to reviews-v2, 100%, when header end-user = jason/ }).click();
    await details.getByRole('link', { name: 'Trace this route' }).click();
    await shows(page, page.getByRole('heading', { name: /Result/ }));
    t.match(await page.locator('.hop').first().innerText(), /reviews-v2|v2/, "jason's request goes to v2");
  });

  const name = 'storefront';
  await t.test('a new scenario with its first revision', async (t) => {
    await page.getByRole('link', { name: 'New scenario' }).first().click();
    await page.getByLabel('Name').fill(name);
    await page.getByLabel('Description').fill('bookinfo for the store team');
    await page.getByLabel('Labels').fill('team=store');
    await page.getByLabel(/Manifests/).fill(readSample('bookinfo'));
    await page.getByRole('button', { name: 'Create scenario' }).click();
    await shows(page, page.getByRole('heading', { name, exact: true }));
    t.match(await page.locator('.revisions').innerText(), /Revision 1[\s\S]*draft/);
    t.match(page.url(), new RegExp(`#/s/${name}$`));
  });

  await t.test('a second revision and its Envoy diff', async (t) => {
    await page.getByRole('button', { name: 'Add a revision' }).click();
    const yaml = page.getByLabel(/Manifests of the new revision/);
    const text = await yaml.inputValue();
    t.match(text, /weight: 90/);
    await yaml.fill(text.replace('weight: 90', 'weight: 50').replace('weight: 10', 'weight: 50'));
    await page.getByLabel('What changes and why').fill('reviews canary at 50%');
    await page.getByRole('button', { name: 'Save revision 2' }).click();
    await shows(page, page.getByRole('heading', { name: /Envoy config: revision 1 → 2/ }));
    const manifests = page.locator('section', { has: page.getByRole('heading', { name: /Manifests: revision 1 → 2/ }) });
    t.match(await manifests.innerText(), /changed\s+VirtualService default\/reviews/);
    const envoy = page.locator('section', { has: page.getByRole('heading', { name: /Envoy config/ }) });
    const diff = await envoy.innerText();
    t.match(diff, /routes/);
    t.match(diff, /weighted_clusters\.clusters\[outbound\|9080\|v1\|reviews\.default\.svc\.cluster\.local\]\.weight\s+90\s+50/, 'the weight, before and after');
    t.match(diff, /from VirtualService default\/reviews/, 'provenance');
    await shot(page, '04-envoy-diff');
  });

  await t.test("a proxy's proxy-config tables, filtered", async (t) => {
    await page.getByRole('link', { name: 'Proxies' }).click();
    await page.getByRole('link', { name: /productpage-v1/ }).click();
    const table = page.locator('table.mono');
    await shows(page, table);
    t.match(await table.locator('thead').innerText(), /ADDRESSES?\s+PORT\s+MATCH\s+DESTINATION/i, "istioctl's listener columns");
    await page.getByRole('button', { name: /^clusters/ }).click();
    await page.getByLabel('Filter rows').fill('reviews');
    await page.getByLabel('Filter rows').press('Enter');
    await page.waitForURL(/filter=reviews/);
    const rows = await table.locator('tbody tr').allInnerTexts();
    t.ok(rows.length >= 3 && rows.every((r) => r.includes('reviews')), `${rows.length} cluster rows, each for reviews`);
    await shot(page, '05-proxy-config');
  });

  await t.test('bad manifests: the GraphQL error and its problem list', async (t) => {
    await page.goto(`${service.url}/#/new`);
    await page.getByLabel('Name').fill('broken');
    await page.getByLabel(/Manifests/).fill('apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: x\nspec:\n  hosts: 7\n');
    await page.getByRole('button', { name: 'Create scenario' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    const text = await alert.innerText();
    t.match(text, /BAD_USER_INPUT/);
    t.match(text, /hosts/, 'the problem names the field');
    await shot(page, '06-error');
  });

  await t.test('approving the revision', async (t) => {
    await page.goto(`${service.url}/#/s/${name}/r/2/overview`);
    await page.getByRole('heading', { name: 'Review' }).waitFor();
    const review = page.locator('section', { has: page.getByRole('heading', { name: 'Review' }) });
    t.same(await review.getByRole('button').allTextContents(), ['Submit for review'], 'a draft can only be submitted');
    await page.getByRole('button', { name: 'Submit for review' }).click();
    await shows(page, review.getByRole('button', { name: 'Approve' }));
    await page.getByLabel('Your name').fill('rita');
    await page.getByLabel('Comment').fill('50/50 is what we agreed');
    await page.getByRole('button', { name: 'Approve' }).click();
    await shows(page, review.locator('.history li', { hasText: '50/50 is what we agreed' }));
    t.match(await review.innerText(), /Now\s+approved\s+by rita/);
    t.match(await page.locator('.title-row').first().innerText(), /approved/);
    await shot(page, '07-review');
    await page.goto(`${service.url}/#/s/${name}`);
    await page.getByText(/^Review history/).first().click();
    t.match(await page.locator('.revisions li').first().innerText(), /Revision 2[\s\S]*approved[\s\S]*50\/50 is what we agreed/);
    await shot(page, '08-scenario');
  });

  await t.test("bookinfo's overview: its expectations verified, its analysis", async (t) => {
    await page.goto(`${service.url}/#/s/bookinfo/r/1/overview`);
    const verification = page.locator('section', { has: page.getByRole('heading', { name: 'Verification' }) });
    await shows(page, verification.locator('.ok-note, .bad-note'));
    t.match(await verification.innerText(), /\d+ passed, 0 failed/);
    await shot(page, '09-overview');
  });

  await t.test('a graph of 100 services stays legible: a readable scale, a node found by name', async (t) => {
    const created = await fetch(`${service.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'mutation($input: CreateScenarioInput!) { createScenario(input: $input) { revision { revision } } }', variables: { input: { name: 'big', resources: syntheticMesh(100) } } }),
    }).then((r) => r.json());
    t.same(created.errors, undefined);
    await page.goto(`${service.url}/#/s/big/r/1/graph`);
    await shows(page, page.locator('svg .node').first());
    t.ok((await page.locator('svg .node').count()) >= 200, 'every workload and service drawn');
    const box = await page.locator('svg .node .name').first().boundingBox();
    t.ok(box && box.height >= 10, `node names are drawn ${box?.height.toFixed(1)} px high`);
    await page.getByLabel('Find a node').fill('svc-42');
    await page.getByRole('button', { name: 'Find', exact: true }).click();
    await page.locator('aside.graph-details h2', { hasText: 'svc-42' }).waitFor();
    await shot(page, '10-graph-100-services');
  });

  await t.test('keyboard: the skip link and a visible focus ring', async (t) => {
    await page.goto(`${service.url}/`);
    await page.getByRole('heading', { name: 'Scenarios' }).waitFor();
    await page.keyboard.press('Tab');
    t.equal(await page.evaluate(() => document.activeElement?.textContent), 'Skip to content');
    await page.keyboard.press('Tab');
    const ring = await page.evaluate(() => getComputedStyle(document.activeElement!).boxShadow);
    t.not(ring, 'none', 'the focused link shows a ring');
  });

  await t.test('GraphiQL and the OpenAPI page work offline beside it', async (t) => {
    await page.goto(`${service.url}/graphiql`);
    await shows(page, page.locator('.graphiql-container'));
    t.ok(await page.locator('.graphiql-container').isVisible(), 'GraphiQL renders');
    await page.goto(`${service.url}/docs/`);
    await shows(page, page.getByText('Istio mesh scenarios', { exact: false }).first());
    t.pass('Swagger UI renders');
  });

  t.same(foreign, [], 'no request to another host');
  t.same(problems, [], 'no script error, no CSP violation');
});

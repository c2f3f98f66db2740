// A request traced through the Envoy config: the form (proxy, request fields, headers) keeps its
// values in the URL, so a trace is a link; the answer is drawn hop by hop, each step with what it
// chose, why, and what it passed over.

import { html, nothing } from 'lit';
import { gql, type MeshProxy } from '../api.js';
import { errorView, loadingView, Page } from '../parts.js';
import { links, navigate } from '../router.js';

interface Step {
  stage: string;
  chosen: string | null;
  why: string;
  rejected: { name: string; why: string }[];
}
interface Hop {
  proxy: { namespace: string; name: string; type: string };
  mode: string;
  listener: string | null;
  filterChain: string | null;
  routeConfig: string | null;
  virtualHost: string | null;
  route: string | null;
  cluster: string | null;
  endpoint: { address: string; port: number; pod: string | null } | null;
  tls: string | null;
  error: { code: string; message: string; policy?: string | null } | null;
  outcome: { kind: string; status: number | null; detail: string | null };
  steps: Step[];
}
interface TraceResult {
  flow: string;
  hops: Hop[];
  error: { code: string; message: string; hop: number; policy?: string | null } | null;
  outcome: { kind: string; status: number | null; detail: string | null };
  warnings: string[];
}
interface TraceView {
  proxies: MeshProxy[];
  defaults: Record<string, string>;
  result?: TraceResult;
  traceError?: unknown;
}

const FIELDS = ['proxy', 'port', 'protocol', 'host', 'path', 'method', 'headers', 'address', 'tls', 'sni'] as const;

/** A first request worth tracing: the first gateway's first server, host and path (else the first proxy). */
function defaults(proxies: MeshProxy[], objects: any[]): Record<string, string> {
  const gateway = proxies.find((p) => p.type === 'router') ?? proxies[0];
  const gw = objects.find((o) => o?.kind === 'Gateway' && o.apiVersion?.startsWith('networking.istio.io'));
  const server = gw?.spec?.servers?.[0];
  const vs = objects.find((o) => o?.kind === 'VirtualService' && (o.spec?.gateways ?? []).some((g: string) => g.endsWith(gw?.metadata?.name ?? '\0')));
  const uri = vs?.spec?.http?.[0]?.match?.[0]?.uri;
  const host = (server?.hosts?.[0] ?? '').replace(/^.*\//, '');
  return {
    proxy: gateway?.pod ?? '',
    port: String(gw && gateway?.type === 'router' ? (server?.port?.number ?? 80) : 80),
    protocol: 'http',
    host: host && host !== '*' ? host : '',
    path: uri?.exact ?? uri?.prefix ?? '/',
    method: 'GET',
    headers: '',
  };
}

const parseHeaders = (text: string): Record<string, string> =>
  Object.fromEntries(
    text
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l.includes(':'))
      .map((l) => [l.slice(0, l.indexOf(':')).trim(), l.slice(l.indexOf(':') + 1).trim()]),
  );

const STAGE_FIELDS: [keyof Hop, string][] = [
  ['listener', 'Listener'],
  ['filterChain', 'Filter chain'],
  ['routeConfig', 'Route config'],
  ['virtualHost', 'Virtual host'],
  ['route', 'Route'],
  ['cluster', 'Cluster'],
];

class Trace extends Page<TraceView> {
  static override properties = { ...Page.properties, name: { attribute: false }, revision: { attribute: false }, query: { attribute: false } };
  declare name: string;
  declare revision: number;
  declare query: URLSearchParams;

  protected keyOf() {
    return `${this.name}/${this.revision}?${this.query}`;
  }

  protected async load(): Promise<TraceView> {
    const d = await gql<{ scenario: { at: { proxies: MeshProxy[]; objects: any[] } } }>(
      'query P($name: String!, $revision: Int!) { scenario(name: $name) { at(revision: $revision) { proxies { id type namespace name pod labels ips } objects } } }',
      { name: this.name, revision: this.revision },
    );
    const { proxies, objects } = d.scenario.at;
    const view: TraceView = { proxies, defaults: defaults(proxies, Array.isArray(objects) ? objects : []) };
    if (!this.query.get('port') || !this.query.get('proxy')) return view;
    const q = (k: string) => this.query.get(k) || undefined;
    const request = {
      port: Number(q('port')),
      protocol: q('protocol'),
      host: q('host'),
      path: q('path'),
      method: q('method'),
      address: q('address'),
      tls: q('tls'),
      sni: q('sni'),
      headers: q('headers') ? parseHeaders(q('headers')!) : undefined,
    };
    try {
      const t = await gql<{ scenario: { at: { trace: TraceResult } } }>(
        `query T($name: String!, $revision: Int!, $pod: String!, $request: TraceRequestInput!) { scenario(name: $name) { at(revision: $revision) { trace(proxy: {pod: $pod}, request: $request) {
          flow warnings error { code message hop policy } outcome { kind status detail }
          hops { proxy { namespace name type } mode listener filterChain routeConfig virtualHost route cluster tls endpoint { address port pod } error { code message policy } outcome { kind status detail } steps { stage chosen why rejected { name why } } }
        } } } }`,
        { name: this.name, revision: this.revision, pod: q('proxy'), request },
      );
      return { ...view, result: t.scenario.at.trace };
    } catch (e) {
      return { ...view, traceError: e };
    }
  }

  private submit(e: Event) {
    e.preventDefault();
    const f = (e.target as HTMLFormElement).elements;
    const q: Record<string, string> = {};
    for (const k of FIELDS) q[k] = ((f.namedItem(k) as HTMLInputElement | null)?.value ?? '').trim();
    navigate(links.revision(this.name, this.revision, 'trace', undefined, q));
  }

  private form(d: TraceView) {
    const v = (k: string) => this.query.get(k) ?? d.defaults[k] ?? '';
    return html`<form class="trace-form card" @submit=${this.submit} aria-label="Request to trace">
      <div class="row">
        <div class="field grow"><label for="t-proxy">From proxy</label>
          <select id="t-proxy" name="proxy" required>
            ${d.proxies.map((p) => html`<option value=${p.pod ?? ''} ?selected=${p.pod === v('proxy')}>${p.type === 'router' ? 'gateway' : 'sidecar'} · ${p.namespace}/${p.name}</option>`)}
          </select></div>
        <div class="field"><label for="t-protocol">Protocol</label>
          <select id="t-protocol" name="protocol">${['http', 'http2', 'tcp'].map((p) => html`<option ?selected=${p === v('protocol')}>${p}</option>`)}</select></div>
        <div class="field"><label for="t-method">Method</label><input id="t-method" name="method" size="6" .value=${v('method')} /></div>
      </div>
      <div class="row">
        <div class="field grow"><label for="t-host">Host</label><input id="t-host" name="host" .value=${v('host')} placeholder="reviews.default.svc.cluster.local" /></div>
        <div class="field"><label for="t-port">Port</label><input id="t-port" name="port" type="number" min="1" max="65535" required .value=${v('port')} /></div>
        <div class="field grow"><label for="t-path">Path</label><input id="t-path" name="path" .value=${v('path')} /></div>
      </div>
      <details ?open=${!!(this.query.get('headers') || this.query.get('address') || this.query.get('tls') || this.query.get('sni'))}>
        <summary>Headers, address and TLS</summary>
        <div class="row">
          <div class="field grow"><label for="t-headers">Headers (one “name: value” a line)</label><textarea id="t-headers" name="headers" rows="3" .value=${v('headers')} placeholder="end-user: jason"></textarea></div>
          <div class="field"><label for="t-address">Address</label><input id="t-address" name="address" .value=${v('address')} placeholder="the service's" /></div>
          <div class="field"><label for="t-tls">TLS</label><select id="t-tls" name="tls">${['', 'plaintext', 'tls', 'mtls'].map((p) => html`<option value=${p} ?selected=${p === v('tls')}>${p || 'default'}</option>`)}</select></div>
          <div class="field"><label for="t-sni">SNI</label><input id="t-sni" name="sni" .value=${v('sni')} /></div>
        </div>
      </details>
      <p><button class="primary" type="submit">Trace</button></p>
    </form>`;
  }

  private hop(h: Hop, i: number) {
    return html`<li class="hop card ${h.error ? 'hop-error' : ''}">
      <div class="hop-head">
        <span class="hop-n" aria-hidden="true">${i + 1}</span>
        <h3>Hop ${i + 1}: ${h.proxy.namespace}/${h.proxy.name}</h3>
        <span class="badge ${h.proxy.type}">${h.proxy.type === 'router' ? 'gateway' : 'sidecar'}</span>
        ${h.mode !== (h.proxy.type === 'router' ? 'gateway' : 'sidecar') ? html`<span class="badge">${h.mode}</span>` : nothing}
        <span class="badge outcome-${h.outcome.kind}">${h.outcome.kind}${h.outcome.status ? ` ${h.outcome.status}` : ''}</span>
      </div>
      <dl class="chain">
        ${STAGE_FIELDS.filter(([k]) => h[k]).map(([k, label]) => html`<div><dt>${label}</dt><dd><code>${h[k] as string}</code></dd></div>`)}
        ${h.endpoint ? html`<div><dt>Endpoint</dt><dd><code>${h.endpoint.address}:${h.endpoint.port}</code>${h.endpoint.pod ? html` <span class="muted">${h.endpoint.pod}</span>` : nothing}</dd></div>` : nothing}
        ${h.tls ? html`<div><dt>TLS</dt><dd>${h.tls}</dd></div>` : nothing}
      </dl>
      ${h.error ? html`<p class="bad-note"><strong>${h.error.code}</strong> ${h.error.message}${h.error.policy ? html` (policy ${h.error.policy})` : nothing}</p>` : nothing}
      <details>
        <summary>${h.steps.length} decisions: what was chosen, why, and what was passed over</summary>
        <table class="list steps">
          <thead><tr><th scope="col">Stage</th><th scope="col">Chose</th><th scope="col">Why</th><th scope="col">Passed over</th></tr></thead>
          <tbody>
            ${h.steps.map(
              (s) => html`<tr>
                <td>${s.stage}</td>
                <td>${s.chosen ? html`<code>${s.chosen}</code>` : html`<span class="muted">none</span>`}</td>
                <td>${s.why}</td>
                <td>${s.rejected.length ? html`<ul class="rejected">${s.rejected.map((r) => html`<li><code>${r.name}</code>: ${r.why}</li>`)}</ul>` : html`<span class="muted">—</span>`}</td>
              </tr>`,
            )}
          </tbody>
        </table>
      </details>
    </li>`;
  }

  protected view(d: TraceView) {
    const r = d.result;
    return html`
      ${this.form(d)}
      ${this.loading ? loadingView('Tracing') : nothing}
      ${d.traceError ? errorView(d.traceError) : nothing}
      ${r
        ? html`<section aria-labelledby="trace-title" class="trace">
            <h2 id="trace-title">Result: <span class="badge outcome-${r.outcome.kind}">${r.outcome.kind}${r.outcome.status ? ` ${r.outcome.status}` : ''}</span></h2>
            <p class="flow">Flow: <strong>${r.flow}</strong>, ${r.hops.length} ${r.hops.length === 1 ? 'hop' : 'hops'}</p>
            ${r.error ? html`<p class="bad-note"><strong>${r.error.code}</strong> at hop ${r.error.hop + 1}: ${r.error.message}</p>` : nothing}
            ${r.warnings.map((w) => html`<p class="warn-note">${w}</p>`)}
            <ol class="hops">${r.hops.map((h, i) => this.hop(h, i))}</ol>
          </section>`
        : !d.traceError
          ? html`<p class="empty">Fill in a request and press Trace. The form starts from the mesh's first gateway.</p>`
          : nothing}
    `;
  }
}
customElements.define('mp-trace', Trace);

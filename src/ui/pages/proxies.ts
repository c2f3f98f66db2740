// The proxies of a revision, and one proxy's istioctl proxy-config tables (the columns istioctl
// prints), one kind at a time, filtered by any text in a row.

import { html, nothing } from 'lit';
import { gql, type MeshProxy } from '../api.js';
import { errorView, loadingView, Page } from '../parts.js';
import { links, navigate } from '../router.js';

interface Table {
  kind: string;
  headers: string[];
  rows: string[][];
}
interface ProxiesView {
  proxies: MeshProxy[];
  config?: { tables: Table[]; warnings: string[] };
  configError?: unknown;
}

const KINDS = ['listeners', 'routes', 'clusters', 'endpoints', 'authz'];

class Proxies extends Page<ProxiesView> {
  static override properties = { ...Page.properties, name: { attribute: false }, revision: { attribute: false }, proxy: { attribute: false }, query: { attribute: false } };
  declare name: string;
  declare revision: number;
  declare proxy: string;
  declare query: URLSearchParams;

  protected keyOf() {
    return `${this.name}/${this.revision}/${this.proxy}`;
  }
  protected async load(): Promise<ProxiesView> {
    const d = await gql<{ scenario: { at: { proxies: MeshProxy[] } } }>('query P($name: String!, $revision: Int!) { scenario(name: $name) { at(revision: $revision) { proxies { id type namespace name pod labels ips } } } }', {
      name: this.name,
      revision: this.revision,
    });
    const proxies = d.scenario.at.proxies;
    if (!this.proxy) return { proxies };
    try {
      const c = await gql<{ scenario: { at: { proxyConfig: ProxiesView['config'] } } }>(
        `query C($name: String!, $revision: Int!, $pod: String!) { scenario(name: $name) { at(revision: $revision) { proxyConfig(proxy: {pod: $pod}, kinds: [listeners, routes, clusters, endpoints, authz]) { tables { kind headers rows } warnings } } } }`,
        { name: this.name, revision: this.revision, pod: this.proxy },
      );
      return { proxies, config: c.scenario.at.proxyConfig };
    } catch (e) {
      return { proxies, configError: e };
    }
  }

  private set(key: string, value: string) {
    const q = Object.fromEntries(this.query);
    q[key] = value;
    navigate(links.revision(this.name, this.revision, 'proxies', this.proxy, q));
  }

  protected view(d: ProxiesView) {
    const kind = this.query.get('kind') ?? 'listeners';
    const filter = (this.query.get('filter') ?? '').toLowerCase();
    const table = d.config?.tables.find((t) => t.kind === kind);
    const rows = table ? table.rows.filter((r) => !filter || r.some((c) => c.toLowerCase().includes(filter))) : [];
    return html`<div class="split">
      <nav class="proxy-list" aria-label="Proxies">
        <h2>Proxies <span class="count">${d.proxies.length}</span></h2>
        <ul>
          ${d.proxies.map(
            (p) => html`<li><a href=${links.revision(this.name, this.revision, 'proxies', p.pod ?? '', Object.fromEntries(this.query))} aria-current=${p.pod === this.proxy ? 'page' : 'false'}>
              <span class="badge ${p.type}">${p.type === 'router' ? 'gateway' : 'sidecar'}</span> ${p.name}<div class="muted">${p.namespace} · ${p.ips.join(', ')}</div></a></li>`,
          )}
        </ul>
      </nav>
      <section class="grow" aria-label="Proxy config">
        ${!this.proxy
          ? html`<p class="empty">Choose a proxy to see its listeners, routes, clusters and endpoints as <code>istioctl proxy-config</code> prints them.</p>`
          : html`
              <div class="title-row">
                <h2>${this.proxy}</h2>
                <a class="button push" href=${links.revision(this.name, this.revision, 'trace', undefined, { proxy: this.proxy })}>Trace from this proxy</a>
              </div>
              ${d.configError ? errorView(d.configError) : nothing}
              ${this.loading ? loadingView() : nothing}
              ${d.config
                ? html`
                    <div class="filters">
                      <div class="segmented" role="group" aria-label="Kind">
                        ${KINDS.map((k) => html`<button type="button" aria-pressed=${k === kind} @click=${() => this.set('kind', k)}>${k} <span class="count">${d.config!.tables.find((t) => t.kind === k)?.rows.length ?? 0}</span></button>`)}
                      </div>
                      <div class="field"><label for="filter">Filter rows</label><input id="filter" type="search" .value=${this.query.get('filter') ?? ''} @change=${(e: Event) => this.set('filter', (e.target as HTMLInputElement).value)} placeholder="e.g. 9080" /></div>
                    </div>
                    ${d.config.warnings.map((w) => html`<p class="warn-note">${w}</p>`)}
                    ${table
                      ? html`<div class="scroll"><table class="list mono">
                          <caption class="sr-only">${kind} of ${this.proxy}</caption>
                          <thead><tr>${table.headers.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead>
                          <tbody>${rows.map((r) => html`<tr>${r.map((c) => html`<td>${c}</td>`)}</tr>`)}</tbody>
                        </table></div>
                        <p class="muted">${rows.length} of ${table.rows.length} rows</p>`
                      : html`<p class="empty">No ${kind} table.</p>`}
                  `
                : nothing}
            `}
      </section>
    </div>`;
  }
}
customElements.define('mp-proxies', Proxies);

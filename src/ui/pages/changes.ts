// What a revision changes against another (default: the last approved before it, else its
// predecessor, as Revision.envoyDiff chooses): the manifests, then the Envoy config per proxy,
// grouped as the API groups it (proxy → xDS kind → resource → changed paths, before and after).

import { html, nothing } from 'lit';
import { gql } from '../api.js';
import { Page, show } from '../parts.js';
import { links, navigate } from '../router.js';

interface Ref {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
}
interface FieldChange {
  path: string;
  before?: unknown;
  after?: unknown;
  from?: unknown;
  to?: unknown;
  reorder?: boolean | null;
}
interface EnvoyChange {
  kind: string;
  name: string;
  change: string;
  fields: FieldChange[] | null;
  provenance: { before: string[]; after: string[] };
}
interface EnvoyProxy {
  proxy: { namespace: string; name: string; type: string };
  status: string;
  changes: EnvoyChange[];
}
interface ChangesView {
  from: number;
  envoy: { from: number; to: number; proxies: EnvoyProxy[]; summary: { proxies: number; changed: number; unchanged: number; added: number; removed: number }; warnings: string[] };
  manifests: { added: Ref[]; removed: Ref[]; changed: (Ref & { changes: FieldChange[] })[]; unchanged: number };
}

const QUERY = `query Changes($name: String!, $revision: Int!, $from: Int) {
  scenario(name: $name) { at(revision: $revision) {
    envoyDiff(from: $from) {
      from to warnings
      summary { proxies changed unchanged added removed }
      proxies { proxy { namespace name type } status changes { kind name change fields { path before after reorder } provenance { before after } } }
    }
  } }
}`;
const MANIFESTS = `query Manifests($name: String!, $from: Int!, $to: Int!) {
  diff(name: $name, from: $from, to: $to) { added { apiVersion kind namespace name } removed { apiVersion kind namespace name } changed { apiVersion kind namespace name changes { path from to } } unchanged }
}`;

const ref = (r: Ref) => `${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name}`;
const value = (v: unknown) => (v === undefined || v === null ? html`<span class="muted">—</span>` : html`<code class="value">${show(v)}</code>`);

class Changes extends Page<ChangesView | { first: true }> {
  static override properties = { ...Page.properties, name: { attribute: false }, revision: { attribute: false }, from: { attribute: false } };
  declare name: string;
  declare revision: number;
  declare from: string;

  protected keyOf() {
    return `${this.name}/${this.revision}/${this.from}`;
  }
  protected async load(): Promise<ChangesView | { first: true }> {
    if (this.revision === 1 && !this.from) return { first: true };
    const from = this.from ? Number(this.from) : null;
    const d = await gql<{ scenario: { at: { envoyDiff: ChangesView['envoy'] } } }>(QUERY, { name: this.name, revision: this.revision, from });
    const envoy = d.scenario.at.envoyDiff;
    const m = await gql<{ diff: ChangesView['manifests'] }>(MANIFESTS, { name: this.name, from: envoy.from, to: this.revision });
    return { from: envoy.from, envoy, manifests: m.diff };
  }

  private pickFrom(e: Event) {
    e.preventDefault();
    const v = ((e.target as HTMLFormElement).elements.namedItem('from') as HTMLInputElement).value;
    navigate(links.revision(this.name, this.revision, 'changes', undefined, { from: v }));
  }

  protected view(d: ChangesView | { first: true }) {
    const form = html`<form class="filters" @submit=${this.pickFrom}>
      <div class="field"><label for="from">Compare with revision</label><input id="from" name="from" type="number" min="1" max=${this.revision} .value=${this.from} placeholder="last approved" /></div>
      <button type="submit">Compare</button>
    </form>`;
    if ('first' in d) return html`${form}<p class="empty">Revision 1 is the first: nothing before it to compare with.</p>`;
    const { envoy, manifests } = d;
    // Proxies with the very same changes (a mesh-wide route) are shown once, naming them all.
    const groups = new Map<string, EnvoyProxy[]>();
    for (const p of envoy.proxies.filter((x) => x.status !== 'unchanged')) {
      const key = JSON.stringify([p.status, p.changes]);
      groups.set(key, [...(groups.get(key) ?? []), p]);
    }
    const changedProxies = [...groups.values()];
    return html`
      ${form}
      <section aria-labelledby="manifests-title">
        <h2 id="manifests-title">Manifests: revision ${d.from} → ${this.revision}</h2>
        <p class="muted">${manifests.added.length} added, ${manifests.removed.length} removed, ${manifests.changed.length} changed, ${manifests.unchanged} unchanged</p>
        <ul class="objects">
          ${manifests.added.map((o) => html`<li><span class="badge added">added</span> ${ref(o)}</li>`)}
          ${manifests.removed.map((o) => html`<li><span class="badge removed">removed</span> ${ref(o)}</li>`)}
          ${manifests.changed.map(
            (o) => html`<li><span class="badge changed">changed</span> ${ref(o)}
              <table class="fields"><thead><tr><th scope="col">Path</th><th scope="col">Before</th><th scope="col">After</th></tr></thead>
              <tbody>${o.changes.map((c) => html`<tr><td><code>${c.path}</code></td><td class="before">${value(c.from)}</td><td class="after">${value(c.to)}</td></tr>`)}</tbody></table>
            </li>`,
          )}
        </ul>
      </section>
      <section aria-labelledby="envoy-title">
        <h2 id="envoy-title">Envoy config: revision ${envoy.from} → ${envoy.to}</h2>
        <p class="summary">
          <span><strong>${envoy.summary.changed}</strong> proxies changed</span>
          <span><strong>${envoy.summary.added}</strong> added</span>
          <span><strong>${envoy.summary.removed}</strong> removed</span>
          <span><strong>${envoy.summary.unchanged}</strong> unchanged</span>
        </p>
        ${envoy.warnings.map((w) => html`<p class="warn-note">${w}</p>`)}
        ${changedProxies.length === 0 ? html`<p class="ok-note">No proxy's Envoy config changes.</p>` : nothing}
        ${changedProxies.map(
          ([p, ...same]) => html`<details class="card proxy-diff" open>
            <summary><span class="badge ${p.status}">${p.status}</span> <strong>${p.proxy.namespace}/${p.proxy.name}</strong>
              ${same.length ? html`<span>and ${same.length} more with the same changes</span>` : nothing}
              <span class="muted">${p.proxy.type} · ${p.changes.length} resources</span></summary>
            ${same.length ? html`<p class="muted same">Also: ${same.map((x) => `${x.proxy.namespace}/${x.proxy.name}`).join(', ')}</p>` : nothing}
            ${['listeners', 'routes', 'clusters', 'endpoints', 'secrets']
              .map((kind) => [kind, p.changes.filter((c) => c.kind === kind)] as const)
              .filter(([, list]) => list.length)
              .map(
                ([kind, list]) => html`<h3 class="kind">${kind}</h3>
                  ${list.map(
                    (c) => html`<div class="resource">
                      <div><span class="badge ${c.change}">${c.change}</span> <code>${c.name}</code>
                        <span class="muted from">from ${[...new Set([...c.provenance.before, ...c.provenance.after])].join(', ') || 'mesh defaults'}</span></div>
                      ${c.fields?.length
                        ? html`<table class="fields"><thead><tr><th scope="col">Path</th><th scope="col">Before</th><th scope="col">After</th></tr></thead>
                            <tbody>${c.fields.map((f) => html`<tr><td><code>${f.path}</code>${f.reorder ? html` <span class="badge">reordered</span>` : nothing}</td><td class="before">${value(f.before)}</td><td class="after">${value(f.after)}</td></tr>`)}</tbody></table>`
                        : nothing}
                    </div>`,
                  )}`,
              )}
          </details>`,
        )}
      </section>
    `;
  }
}
customElements.define('mp-changes', Changes);

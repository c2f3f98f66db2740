// Scenarios: search by name, filter by labels, each with its latest revision and review state.
// A first run has the bookinfo example: the welcome points at its trace and graph.

import { html, nothing } from 'lit';
import { gql, type ReviewState } from '../api.js';
import { labelChips, Page, stateBadge, when } from '../parts.js';
import { links, navigate } from '../router.js';

interface Row {
  name: string;
  description: string;
  labels: Record<string, string>;
  revision: number;
  updatedAt: string;
  latest: { message: string; author: string; review: { state: ReviewState } };
}

const QUERY = `query Scenarios($labels: JSON, $after: String) {
  scenarios(first: 200, labels: $labels, after: $after) {
    items { name description labels revision updatedAt latest { message author review { state } } }
    nextCursor
  }
}`;

/** "team=payments, env=prod" → {team: payments, env: prod}. */
export const parseLabels = (text: string): Record<string, string> =>
  Object.fromEntries(
    text
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean)
      .map((p) => [p.split('=')[0].trim(), p.slice(p.indexOf('=') + 1).trim()]),
  );

class Scenarios extends Page<{ items: Row[]; nextCursor: string | null }> {
  static override properties = { ...Page.properties, query: { attribute: false } };
  declare query: URLSearchParams;

  protected keyOf() {
    return this.query?.get('labels') ?? '';
  }
  protected async load() {
    const labels = parseLabels(this.query?.get('labels') ?? '');
    return (await gql<{ scenarios: { items: Row[]; nextCursor: string | null } }>(QUERY, { labels: Object.keys(labels).length ? labels : null })).scenarios;
  }

  private filter(e: Event) {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const q = new URLSearchParams();
    for (const key of ['q', 'labels']) {
      const v = (form.elements.namedItem(key) as HTMLInputElement).value.trim();
      if (v) q.set(key, v);
    }
    navigate(links.scenarios(q));
  }

  protected view(page: { items: Row[]; nextCursor: string | null }) {
    const search = (this.query?.get('q') ?? '').toLowerCase();
    const rows = page.items.filter((s) => !search || s.name.toLowerCase().includes(search) || s.description.toLowerCase().includes(search));
    const example = page.items.find((s) => s.name === 'bookinfo');
    return html`
      <h1>Scenarios</h1>
      ${example
        ? html`<section class="welcome" aria-labelledby="welcome-title">
            <h2 id="welcome-title">Start with the bookinfo example</h2>
            <p>A mesh with an ingress gateway and a canary for <em>reviews</em>. See where a request goes, hop by hop, and what routes to what.</p>
            <p class="actions">
              <a class="button primary" href=${links.revision('bookinfo', example.revision, 'trace')}>Trace a request</a>
              <a class="button" href=${links.revision('bookinfo', example.revision, 'graph')}>See the traffic graph</a>
              <a class="button" href=${links.scenario('bookinfo')}>Revisions and reviews</a>
            </p>
          </section>`
        : nothing}
      <form class="filters" role="search" @submit=${this.filter}>
        <div class="field"><label for="q">Search</label><input id="q" name="q" type="search" placeholder="name or description" .value=${this.query?.get('q') ?? ''} /></div>
        <div class="field"><label for="labels">Labels</label><input id="labels" name="labels" placeholder="team=payments, env=prod" .value=${this.query?.get('labels') ?? ''} /></div>
        <button type="submit">Filter</button>
        <a class="button primary push" href=${links.create()}>New scenario</a>
      </form>
      ${this.loading ? html`<p class="loading" role="status">Refreshing…</p>` : nothing}
      ${rows.length === 0
        ? html`<p class="empty">No scenario matches. <a href=${links.create()}>Create one</a>.</p>`
        : html`<table class="list">
            <caption class="sr-only">Scenarios</caption>
            <thead><tr><th scope="col">Name</th><th scope="col">Labels</th><th scope="col">Latest revision</th><th scope="col">Review</th><th scope="col">Updated</th></tr></thead>
            <tbody>
              ${rows.map(
                (s) => html`<tr>
                  <td><a class="strong" href=${links.scenario(s.name)}>${s.name}</a><div class="muted">${s.description}</div></td>
                  <td>${labelChips(s.labels)}</td>
                  <td><a href=${links.revision(s.name, s.revision)}>#${s.revision}</a> <span class="muted">${s.latest.message}</span></td>
                  <td>${stateBadge(s.latest.review.state)}</td>
                  <td>${when(s.updatedAt)}</td>
                </tr>`,
              )}
            </tbody>
          </table>`}
      ${page.nextCursor ? html`<p class="muted">Showing the first 200: narrow the search with labels.</p>` : nothing}
    `;
  }
}
customElements.define('mp-scenarios', Scenarios);

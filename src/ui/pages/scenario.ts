// One scenario: its revisions (newest first) with each one's review history, and a new revision
// from the latest's manifests.

import { html, nothing } from 'lit';
import { gql, type Caller } from '../api.js';
import { errorView, labelChips, Page, stateBadge, when } from '../parts.js';
import { links, navigate } from '../router.js';
import type { RevisionView } from './revision.js';

/** A revision as the scenario page lists it: the revision page's fields without the analysis. */
type Rev = Pick<RevisionView, 'revision' | 'message' | 'author' | 'createdAt' | 'review' | 'reviews'>;
interface ScenarioView {
  name: string;
  description: string;
  labels: Record<string, string>;
  revision: number;
  latest: { etag: string; resources: string };
  revisions: Rev[];
}

const QUERY = `query Scenario($name: String!) {
  scenario(name: $name) {
    name description labels revision
    latest { etag resources }
    revisions(first: 20) { revision message author createdAt review { state reviewer comment createdAt } reviews { state reviewer comment createdAt forced } }
  }
}`;

class ScenarioPage extends Page<ScenarioView> {
  static override properties = { ...Page.properties, name: { attribute: false }, caller: { attribute: false }, adding: { state: true }, addError: { state: true } };
  declare name: string;
  declare caller: Caller | undefined;
  declare adding: boolean;
  declare addError: unknown;

  protected keyOf() {
    return this.name;
  }
  protected async load() {
    const { scenario } = await gql<{ scenario: ScenarioView | null }>(QUERY, { name: this.name });
    if (!scenario) throw new Error(`no scenario "${this.name}"`);
    return scenario;
  }

  private async addRevision(e: Event, s: ScenarioView) {
    e.preventDefault();
    const f = (e.target as HTMLFormElement).elements;
    this.addError = undefined;
    try {
      const r = await gql<{ addRevision: { revision: { revision: number } } }>(
        'mutation Add($name: String!, $ifMatch: String!, $input: RevisionInput!) { addRevision(name: $name, ifMatch: $ifMatch, input: $input) { revision { revision } } }',
        { name: s.name, ifMatch: s.latest.etag, input: { resources: (f.namedItem('resources') as HTMLTextAreaElement).value, message: (f.namedItem('message') as HTMLInputElement).value } },
      );
      this.adding = false;
      navigate(links.revision(s.name, r.addRevision.revision.revision, 'changes'));
    } catch (err) {
      this.addError = err;
    }
  }

  protected view(s: ScenarioView) {
    return html`
      <nav class="crumbs" aria-label="Breadcrumb"><a href=${links.scenarios()}>Scenarios</a> › ${s.name}</nav>
      <div class="title-row">
        <h1>${s.name}</h1>
        <div>${labelChips(s.labels)}</div>
        <button type="button" class="primary push" aria-expanded=${!!this.adding} @click=${() => (this.adding = !this.adding)}>Add a revision</button>
      </div>
      <p class="muted">${s.description}</p>
      ${this.adding
        ? html`<form class="stack card" @submit=${(e: Event) => this.addRevision(e, s)} aria-label="New revision">
            <div class="field"><label for="resources">Manifests of the new revision (YAML)</label><textarea id="resources" name="resources" rows="16" spellcheck="false" .value=${s.latest.resources}></textarea></div>
            <div class="field"><label for="message">What changes and why</label><input id="message" name="message" required /></div>
            ${this.addError ? errorView(this.addError) : nothing}
            <p><button class="primary" type="submit">Save revision ${s.revision + 1}</button> <button type="button" @click=${() => (this.adding = false)}>Cancel</button></p>
          </form>`
        : nothing}
      <h2>Revisions</h2>
      ${s.revision > s.revisions.length ? html`<p class="muted">The newest ${s.revisions.length} of ${s.revision}; older ones are at <code>#/s/${s.name}/r/N</code>.</p>` : nothing}
      <ol class="revisions">
        ${s.revisions.map(
          (r) => html`<li class="card">
            <div class="rev-head">
              <a class="strong" href=${links.revision(s.name, r.revision)}>Revision ${r.revision}</a>
              ${stateBadge(r.review.state)}
              <span>${r.message || html`<span class="muted">no message</span>`}</span>
              <span class="muted push">${r.author ? `${r.author} · ` : ''}${when(r.createdAt)}</span>
            </div>
            <div class="rev-links">
              <a href=${links.revision(s.name, r.revision, 'changes')}>Changes</a>
              <a href=${links.revision(s.name, r.revision, 'proxies')}>Proxies</a>
              <a href=${links.revision(s.name, r.revision, 'trace')}>Trace</a>
              <a href=${links.revision(s.name, r.revision, 'graph')}>Graph</a>
            </div>
            ${r.reviews.length
              ? html`<details>
                  <summary>Review history (${r.reviews.length})</summary>
                  <ul class="history">
                    ${r.reviews.map((v) => html`<li>${stateBadge(v.state)} by ${v.reviewer || 'someone'} ${when(v.createdAt)}${v.forced ? html` <span class="badge warn">forced</span>` : nothing}${v.comment ? html`: “${v.comment}”` : nothing}</li>`)}
                  </ul>
                </details>`
              : nothing}
          </li>`,
        )}
      </ol>
    `;
  }
}
customElements.define('mp-scenario', ScenarioPage);

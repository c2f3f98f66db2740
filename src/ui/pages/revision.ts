// A revision: its header and review actions, and the tab the route names (overview: review
// history, analysis, verification; changes; proxies; trace; graph).

import { html, nothing } from 'lit';
import { gql, type AnalysisMessage, type Caller, type Review, type ReviewState } from '../api.js';
import { errorView, loadingView, Page, stateBadge, when } from '../parts.js';
import { links, TABS, type Route } from '../router.js';
import './changes.js';
import './proxies.js';
import './trace.js';
import './graph.js';

export interface RevisionView {
  name: string;
  latest: number;
  revision: number;
  message: string;
  author: string;
  createdAt: string;
  review: Review;
  reviews: Review[];
  hasExpectations: boolean;
  analysis: AnalysisMessage[];
}

const QUERY = `query Revision($name: String!, $revision: Int!) {
  scenario(name: $name) {
    revision
    at(revision: $revision) {
      revision message author createdAt expectations
      review { state reviewer comment createdAt next }
      reviews { state reviewer comment createdAt forced verification }
      analysis { code name level resource { kind namespace name } path message }
    }
  }
}`;

type RevisionRoute = Extract<Route, { page: 'revision' }>;

/** Who may move a revision to a state (src/access/policy.ts REVIEW_RULES); open access is admin. */
const RANK = { reader: 0, editor: 1, reviewer: 2, admin: 3 } as const;
const NEEDS: Record<ReviewState, keyof typeof RANK> = { draft: 'editor', in_review: 'editor', approved: 'reviewer', rejected: 'reviewer' };
const may = (caller: Caller | undefined, state: ReviewState) => !caller || (caller.role !== null && RANK[caller.role] >= RANK[NEEDS[state]]);

class RevisionPage extends Page<RevisionView> {
  static override properties = { ...Page.properties, route: { attribute: false }, caller: { attribute: false }, reviewError: { state: true }, reviewBusy: { state: true } };
  declare route: RevisionRoute;
  declare caller: Caller | undefined;
  declare reviewError: unknown;
  declare reviewBusy: boolean;

  protected keyOf() {
    return `${this.route.name}/${this.route.revision}`;
  }
  protected async load(): Promise<RevisionView> {
    const { scenario } = await gql<{ scenario: { revision: number; at: (Omit<RevisionView, 'name' | 'latest' | 'hasExpectations'> & { expectations: unknown }) | null } | null }>(QUERY, {
      name: this.route.name,
      revision: this.route.revision,
    });
    if (!scenario) throw new Error(`no scenario "${this.route.name}"`);
    if (!scenario.at) throw new Error(`"${this.route.name}" has no revision ${this.route.revision} (its latest is ${scenario.revision})`);
    const { expectations, ...at } = scenario.at;
    return { ...at, name: this.route.name, latest: scenario.revision, hasExpectations: expectations !== null };
  }

  private async setReview(e: Event, state: ReviewState) {
    e.preventDefault();
    const form = (e.target as HTMLElement).closest('form')!;
    const comment = (form.elements.namedItem('comment') as HTMLTextAreaElement).value;
    // With access control on, the service records the caller; open, the name given here.
    const reviewer = (form.elements.namedItem('reviewer') as HTMLInputElement | null)?.value.trim() || null;
    if (reviewer) localStorage.setItem('meshplan.name', reviewer);
    this.reviewBusy = true;
    this.reviewError = undefined;
    try {
      await gql(
        'mutation Review($name: String!, $revision: Int!, $state: ReviewState!, $comment: String, $reviewer: String) { setReview(name: $name, revision: $revision, state: $state, comment: $comment, reviewer: $reviewer) { state } }',
        { name: this.route.name, revision: this.route.revision, state, comment: comment || null, reviewer },
      );
      form.reset();
      await this.reload();
    } catch (err) {
      this.reviewError = err;
    } finally {
      this.reviewBusy = false;
    }
  }

  private reviewActions(r: RevisionView) {
    const actions: { state: ReviewState; label: string; cls: string }[] = [
      { state: 'in_review', label: r.review.state === 'draft' ? 'Submit for review' : 'Back to review', cls: r.review.state === 'draft' ? 'primary' : '' },
      { state: 'approved', label: 'Approve', cls: 'primary' },
      { state: 'rejected', label: 'Reject', cls: 'danger' },
      { state: 'draft', label: 'Back to draft', cls: '' },
    ];
    // The moves the service allows from here (Review.next), for the caller's role.
    const allowed = actions.filter((a) => (r.review.next ?? []).includes(a.state) && may(this.caller, a.state));
    if (allowed.length === 0) return html`<p class="muted">Your role cannot change this review.</p>`;
    return html`<form class="review-form" aria-label="Review" @submit=${(e: Event) => e.preventDefault()}>
      ${!this.caller || this.caller.via === 'open'
        ? html`<div class="field"><label for="reviewer">Your name</label><input id="reviewer" name="reviewer" autocomplete="name" .value=${localStorage.getItem('meshplan.name') ?? ''} /></div>`
        : nothing}
      <div class="field"><label for="comment">Comment</label><textarea id="comment" name="comment" rows="2" placeholder="why (required to force an approval)"></textarea></div>
      <div class="actions">
        ${allowed.map((a) => html`<button type="submit" class=${a.cls} ?disabled=${this.reviewBusy} @click=${(e: Event) => this.setReview(e, a.state)}>${a.label}</button>`)}
      </div>
      ${this.reviewError ? errorView(this.reviewError) : nothing}
    </form>`;
  }

  private overview(r: RevisionView) {
    const levels = { Error: 0, Warning: 1, Info: 2 };
    const analysis = [...r.analysis].sort((a, b) => levels[a.level] - levels[b.level]);
    return html`
      <div class="two-col">
        <section class="card" aria-labelledby="review-title">
          <h2 id="review-title">Review</h2>
          <p>Now ${stateBadge(r.review.state)} ${r.review.reviewer ? html`by ${r.review.reviewer}` : nothing} ${r.review.comment ? html`: “${r.review.comment}”` : nothing}</p>
          ${this.reviewActions(r)}
          <h3>History</h3>
          ${r.reviews.length === 0
            ? html`<p class="muted">No review yet.</p>`
            : html`<ol class="history">
                ${r.reviews.map(
                  (v) => html`<li>${stateBadge(v.state)} by ${v.reviewer || 'someone'} · ${when(v.createdAt)}${v.forced ? html` <span class="badge warn">forced</span>` : nothing}${v.comment ? html`<div class="muted">“${v.comment}”</div>` : nothing}${v.verification ? html`<div class="muted">checks: ${(v.verification as any).passed} passed, ${(v.verification as any).failed} failed</div>` : nothing}</li>`,
                )}
              </ol>`}
        </section>
        <section class="card" aria-labelledby="verify-title">
          <h2 id="verify-title">Verification</h2>
          ${r.hasExpectations ? html`<mp-verify .name=${r.name} .revision=${r.revision}></mp-verify>` : html`<p class="muted">This revision has no expectations document.</p>`}
        </section>
      </div>
      <section aria-labelledby="analysis-title">
        <h2 id="analysis-title">Analysis <span class="count">${r.analysis.length}</span></h2>
        ${analysis.length === 0
          ? html`<p class="ok-note">istioctl analyze finds nothing to say.</p>`
          : html`<table class="list">
              <thead><tr><th scope="col">Level</th><th scope="col">Code</th><th scope="col">Resource</th><th scope="col">Message</th></tr></thead>
              <tbody>
                ${analysis.map(
                  (m) => html`<tr>
                    <td><span class="badge level-${m.level}">${m.level}</span></td>
                    <td><code title=${m.name}>${m.code}</code></td>
                    <td>${m.resource.kind} ${m.resource.namespace ? `${m.resource.namespace}/` : ''}${m.resource.name}${m.path ? html`<div class="muted"><code>${m.path}</code></div>` : nothing}</td>
                    <td>${m.message}</td>
                  </tr>`,
                )}
              </tbody>
            </table>`}
      </section>
    `;
  }

  private tab(r: RevisionView) {
    const route = this.route;
    switch (route.tab) {
      case 'changes':
        return html`<mp-changes .name=${r.name} .revision=${r.revision} .from=${route.query.get('from') ?? ''}></mp-changes>`;
      case 'proxies':
        return html`<mp-proxies .name=${r.name} .revision=${r.revision} .proxy=${route.proxy ?? ''} .query=${route.query}></mp-proxies>`;
      case 'trace':
        return html`<mp-trace .name=${r.name} .revision=${r.revision} .query=${route.query}></mp-trace>`;
      case 'graph':
        return html`<mp-graph .name=${r.name} .revision=${r.revision} .query=${route.query}></mp-graph>`;
      default:
        return this.overview(r);
    }
  }

  protected view(r: RevisionView) {
    return html`
      <nav class="crumbs" aria-label="Breadcrumb"><a href=${links.scenarios()}>Scenarios</a> › <a href=${links.scenario(r.name)}>${r.name}</a> › revision ${r.revision}</nav>
      <div class="title-row">
        <h1>${r.name} <span class="muted">revision ${r.revision}</span></h1>
        ${stateBadge(r.review.state)}
        ${r.revision !== r.latest ? html`<a href=${links.revision(r.name, r.latest, this.route.tab)}>latest is ${r.latest}</a>` : nothing}
        <span class="muted push">${[r.message, r.author].filter(Boolean).map((x) => `${x} · `)}${when(r.createdAt)}</span>
      </div>
      <nav class="tabs" aria-label="Revision">
        ${TABS.map((t) => html`<a href=${links.revision(r.name, r.revision, t.tab)} aria-current=${t.tab === this.route.tab ? 'page' : 'false'}>${t.label}</a>`)}
      </nav>
      <div class="tab-body">${this.tab(r)}</div>
    `;
  }
}
customElements.define('mp-revision', RevisionPage);

interface VerifyView {
  passed: number;
  failed: number;
  results: { name: string; passed: boolean; failures: { field: string; expected: unknown; actual: unknown }[] }[];
  coverage: { percent?: number; proxies?: { proxy: string; routes: number; covered: number; uncovered?: string[] }[] };
}

class Verify extends Page<VerifyView> {
  static override properties = { ...Page.properties, name: { attribute: false }, revision: { attribute: false } };
  declare name: string;
  declare revision: number;
  protected keyOf() {
    return `${this.name}/${this.revision}`;
  }
  protected async load() {
    const d = await gql<{ scenario: { at: { verify: VerifyView } } }>(
      'query Verify($name: String!, $revision: Int!) { scenario(name: $name) { at(revision: $revision) { verify { passed failed results { name passed failures { field expected actual } } coverage } } } }',
      { name: this.name, revision: this.revision },
    );
    return d.scenario.at.verify;
  }
  override render() {
    return this.data === undefined && this.error === undefined ? loadingView('Running the expectations') : super.render();
  }
  protected view(v: VerifyView) {
    return html`
      <p class=${v.failed ? 'bad-note' : 'ok-note'}>${v.passed} passed, ${v.failed} failed${v.coverage?.percent !== undefined ? html` · route coverage ${Math.round(v.coverage.percent)}%` : nothing}</p>
      <ul class="checks">
        ${v.results.map(
          (r) => html`<li class=${r.passed ? 'pass' : 'fail'}>
            <span aria-hidden="true">${r.passed ? '✓' : '✗'}</span><span class="sr-only">${r.passed ? 'passed' : 'failed'}</span> ${r.name}
            ${r.failures.map((f) => html`<div class="muted"><code>${f.field}</code>: expected ${JSON.stringify(f.expected)}, got ${JSON.stringify(f.actual)}</div>`)}
          </li>`,
        )}
      </ul>
      ${v.coverage?.proxies?.length
        ? html`<details><summary>Coverage by proxy</summary><ul>${v.coverage.proxies.map((p) => html`<li>${p.proxy}: ${p.covered} of ${p.routes} routes</li>`)}</ul></details>`
        : nothing}
    `;
  }
}
customElements.define('mp-verify', Verify);

// Pieces every page uses: the loading and error states, review badges, times, and Page, the base
// of each page (light DOM, so the one stylesheet applies; loads again when its key changes).

import { html, LitElement, nothing, type TemplateResult } from 'lit';
import { ApiError, type ReviewState } from './api.js';

export const loadingView = (what = 'Loading') => html`<p class="loading" role="status" aria-live="polite"><span class="spinner" aria-hidden="true"></span>${what}…</p>`;

/** A failure: the GraphQL message, its code, and each problem (where and why). */
export function errorView(error: unknown, retry?: () => void): TemplateResult {
  const e = error instanceof ApiError ? error : new ApiError(String((error as Error)?.message ?? error), 'ERROR', []);
  const verification = e.extensions.verification as { failures?: { name: string; failures?: { field: string; expected: unknown; actual: unknown }[] }[] } | undefined;
  return html`<div class="error" role="alert">
    <p><strong>${e.message}</strong> <code class="code">${e.code}</code></p>
    ${e.problems.length
      ? html`<ul class="problems">
          ${e.problems.map(
            (p) => html`<li>
              ${p.document !== undefined && p.document !== null && p.document >= 0 ? html`<span class="where">document ${p.document}</span>` : nothing}
              ${p.kind ? html`<span class="where">${p.kind} ${p.object ?? ''}</span>` : nothing}
              ${p.path ? html`<code>${p.path}</code>` : nothing} ${p.message}
            </li>`,
          )}
        </ul>`
      : nothing}
    ${verification?.failures?.length
      ? html`<ul class="problems">
          ${verification.failures.map((f) => html`<li><strong>${f.name}</strong>: ${(f.failures ?? []).map((x) => html`<code>${x.field}</code> expected ${JSON.stringify(x.expected)}, got ${JSON.stringify(x.actual)}; `)}</li>`)}
        </ul>`
      : nothing}
    ${retry ? html`<button type="button" @click=${retry}>Try again</button>` : nothing}
  </div>`;
}

const STATE_LABEL: Record<ReviewState, string> = { draft: 'draft', in_review: 'in review', approved: 'approved', rejected: 'rejected' };
export const stateBadge = (state: ReviewState) => html`<span class="badge state-${state}">${STATE_LABEL[state]}</span>`;

export const when = (iso: string) => {
  const d = new Date(iso);
  return html`<time datetime=${iso} title=${d.toISOString()}>${d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })}</time>`;
};

export const labelChips = (labels: Record<string, string>) =>
  html`${Object.entries(labels ?? {}).map(([k, v]) => html`<span class="chip">${k}=${v}</span>`)}`;

export const show = (v: unknown): string => (v === undefined ? '—' : typeof v === 'string' ? v : JSON.stringify(v));

export abstract class Page<T> extends LitElement {
  static override properties = { data: { state: true }, error: { state: true }, loading: { state: true } };
  declare data: T | undefined;
  declare error: unknown;
  declare loading: boolean;
  private key?: string;

  protected override createRenderRoot() {
    return this;
  }
  /** What the page shows, as a string: a change loads again. */
  protected abstract keyOf(): string;
  protected abstract load(): Promise<T>;
  protected abstract view(data: T): unknown;

  protected override willUpdate(): void {
    const key = this.keyOf();
    if (key !== this.key) {
      this.key = key;
      this.data = undefined;
      void this.reload();
    }
  }

  async reload(): Promise<void> {
    const key = this.key;
    this.loading = true;
    this.error = undefined;
    try {
      const data = await this.load();
      if (key === this.key) this.data = data;
    } catch (e) {
      if (key === this.key) this.error = e;
    } finally {
      if (key === this.key) this.loading = false;
    }
  }

  override render() {
    if (this.error !== undefined && this.data === undefined) return errorView(this.error, () => void this.reload());
    if (this.data === undefined) return loadingView();
    return this.view(this.data);
  }
}

// The dashboard's shell: header, navigation and the page the hash names (router.ts).

import { html, LitElement } from 'lit';
import './styles.css';
import { gql, token, type Caller } from './api.js';
import { parseRoute, links, type Route } from './router.js';
import './pages/scenarios.js';
import './pages/new-scenario.js';
import './pages/scenario.js';
import './pages/revision.js';

class App extends LitElement {
  static override properties = { route: { state: true }, caller: { state: true }, tokenOpen: { state: true } };
  declare route: Route;
  declare caller: Caller | undefined;
  declare tokenOpen: boolean;

  constructor() {
    super();
    this.route = parseRoute(location.hash);
    this.tokenOpen = false;
    window.addEventListener('hashchange', () => {
      const before = this.route;
      this.route = parseRoute(location.hash);
      // A new page starts at the top; a tab or proxy change inside one keeps its place.
      if (before.page !== this.route.page) window.scrollTo(0, 0);
    });
    void this.whoAmI();
  }
  protected override createRenderRoot() {
    this.replaceChildren(); // the page's "Loading" placeholder
    return this;
  }

  async whoAmI(): Promise<void> {
    this.caller = await gql<{ me: Caller }>('{ me { name role via } }').then((d) => d.me, () => undefined);
  }

  private saveToken(e: Event): void {
    e.preventDefault();
    const input = (e.target as HTMLFormElement).elements.namedItem('token') as HTMLInputElement;
    token.set(input.value.trim());
    this.tokenOpen = false;
    void this.whoAmI();
    this.route = { ...this.route }; // the pages load again with the token
    location.reload();
  }

  private page() {
    const r = this.route;
    switch (r.page) {
      case 'scenarios':
        return html`<mp-scenarios .query=${r.query}></mp-scenarios>`;
      case 'new':
        return html`<mp-new-scenario></mp-new-scenario>`;
      case 'scenario':
        return html`<mp-scenario .name=${r.name} .caller=${this.caller}></mp-scenario>`;
      case 'revision':
        return html`<mp-revision .route=${r} .caller=${this.caller}></mp-revision>`;
      default:
        return html`<div class="error" role="alert"><p><strong>No page at ${r.path}</strong></p><p><a href=${links.scenarios()}>All scenarios</a></p></div>`;
    }
  }

  override render() {
    const c = this.caller;
    return html`
      <a class="skip" href="#main" @click=${(e: Event) => (e.preventDefault(), document.getElementById('main')?.focus())}>Skip to content</a>
      <header class="top">
        <a class="brand" href=${links.scenarios()}><span class="logo" aria-hidden="true">◈</span> meshplan</a>
        <nav aria-label="Main">
          <a href=${links.scenarios()}>Scenarios</a>
          <a href=${links.create()}>New scenario</a>
          <a href="/graphiql">GraphiQL</a>
          <a href="/docs">REST API</a>
        </nav>
        <div class="who">
          ${c ? html`<span title="via ${c.via}">${c.name} · ${c.role ?? 'no role'}</span>` : html`<span>not signed in</span>`}
          <button type="button" class="link" aria-expanded=${this.tokenOpen} @click=${() => (this.tokenOpen = !this.tokenOpen)}>Token</button>
        </div>
      </header>
      ${this.tokenOpen
        ? html`<form class="token-form" @submit=${this.saveToken}>
            <label for="token">Bearer token (kept in this browser; empty to forget it)</label>
            <input id="token" name="token" type="password" autocomplete="off" .value=${token.get()} />
            <button type="submit">Save</button>
          </form>`
        : ''}
      <main id="main" tabindex="-1">${this.page()}</main>
    `;
  }
}
customElements.define('mp-app', App);

// A new scenario: name, description, labels and its manifests (multi-document YAML).

import { html, LitElement, nothing } from 'lit';
import { gql } from '../api.js';
import { errorView } from '../parts.js';
import { links, navigate } from '../router.js';
import { parseLabels } from './scenarios.js';

class NewScenario extends LitElement {
  static override properties = { error: { state: true }, busy: { state: true } };
  declare error: unknown;
  declare busy: boolean;
  protected override createRenderRoot() {
    return this;
  }

  private async submit(e: Event) {
    e.preventDefault();
    const f = (e.target as HTMLFormElement).elements;
    const value = (n: string) => (f.namedItem(n) as HTMLInputElement).value;
    this.busy = true;
    this.error = undefined;
    try {
      const input = { name: value('name').trim(), description: value('description'), labels: parseLabels(value('labels')), resources: value('resources'), message: value('message') || 'first revision' };
      const r = await gql<{ createScenario: { scenario: { name: string } } }>(
        'mutation Create($input: CreateScenarioInput!) { createScenario(input: $input) { scenario { name } } }',
        { input },
      );
      navigate(links.scenario(r.createScenario.scenario.name));
    } catch (err) {
      this.error = err;
    } finally {
      this.busy = false;
    }
  }

  override render() {
    return html`
      <nav class="crumbs" aria-label="Breadcrumb"><a href=${links.scenarios()}>Scenarios</a> › New</nav>
      <h1>New scenario</h1>
      <form class="stack" @submit=${this.submit}>
        <div class="row">
          <div class="field"><label for="name">Name</label><input id="name" name="name" required pattern="[a-z0-9]([a-z0-9\\-]*[a-z0-9])?" title="lower-case letters, digits and dashes" /></div>
          <div class="field grow"><label for="description">Description</label><input id="description" name="description" /></div>
          <div class="field"><label for="labels">Labels</label><input id="labels" name="labels" placeholder="team=payments" /></div>
        </div>
        <div class="field"><label for="resources">Manifests (YAML, documents separated by ---)</label><textarea id="resources" name="resources" rows="18" required spellcheck="false"></textarea></div>
        <div class="field"><label for="message">Revision message</label><input id="message" name="message" placeholder="first revision" /></div>
        ${this.error ? errorView(this.error) : nothing}
        <p><button class="primary" type="submit" ?disabled=${this.busy}>${this.busy ? 'Creating…' : 'Create scenario'}</button></p>
      </form>
    `;
  }
}
customElements.define('mp-new-scenario', NewScenario);

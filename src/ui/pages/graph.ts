// The traffic graph of a revision (GraphQL Revision.graph), laid out by ELK (elkjs, layered, one
// box per namespace) and drawn as SVG: every node and edge is a focusable button, Enter or a click
// shows what it is, the manifests behind it, its proxy-config and a trace from it. Edges are marked
// by mTLS: solid green mutual TLS, dashed amber permissive, red dotted plaintext.

import type { ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk.bundled.js';
import { html, nothing, svg } from 'lit';
import { gql, type GraphEdge, type GraphNode, type TrafficGraph as Graph } from '../api.js';
import { loadingView, Page } from '../parts.js';
import { links, navigate } from '../router.js';

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}
interface Layout {
  key: string;
  width: number;
  height: number;
  groups: (Box & { namespace: string })[];
  nodes: Map<string, Box>;
  edges: Map<string, { points: { x: number; y: number }[]; label?: Box & { text: string } }>;
}

const QUERY = `query Graph($name: String!, $revision: Int!) { scenario(name: $name) { at(revision: $revision) { graph {
  nodes { id kind name namespace proxy ports mtls policies sources }
  edges { id kind from to weight match subset port route mtls mtlsFrom policies sources }
} } } }`;

const KIND_LABEL = { workload: 'workload', service: 'service', gateway: 'gateway', external: 'external host' };
const CHAR = 7.2;

const mtlsClass = (e: GraphEdge): string => {
  if (e.kind === 'passthrough') return 'passthrough';
  if (e.mtls === 'ISTIO_MUTUAL' || e.mtls === 'STRICT' || e.mtls === 'MUTUAL') return 'mtls';
  if (e.mtls === 'PERMISSIVE') return 'permissive';
  if (e.mtls === 'DISABLE' || e.mtls === 'SIMPLE') return 'plain';
  return 'unknown';
};
const edgeText = (e: GraphEdge): string => {
  if (e.kind === 'endpoint' || e.kind === 'passthrough') return '';
  const parts = [e.weight !== null && e.weight !== 100 ? `${e.weight}%` : '', e.subset ? `→${e.subset}` : '', e.match ? (e.match.length > 28 ? `${e.match.slice(0, 27)}…` : e.match) : ''];
  return parts.filter(Boolean).join(' ');
};
const nodeLabel = (n: GraphNode) => (n.kind === 'service' || n.kind === 'external' ? n.name.replace(/\.svc\.cluster\.local$/, '') : n.name);

/** A trace request that takes an edge: its host and port, and the path and headers its match names. */
function traceQuery(e: GraphEdge, from: GraphNode | undefined, to: GraphNode | undefined, fallbackProxy: string): Record<string, string> {
  const q: Record<string, string> = { proxy: from?.proxy ?? fallbackProxy, protocol: 'http', method: 'GET' };
  const host = from?.kind === 'service' || from?.kind === 'external' ? from.name : to?.kind === 'service' || to?.kind === 'external' ? to.name : '';
  const port = e.port ?? (from?.kind === 'service' ? from.ports[0] : to?.ports[0]);
  if (host) q.host = host;
  if (port) q.port = String(port);
  const first = (e.match ?? '').split(' or ')[0] ?? '';
  const path = /path = (\S+)/.exec(first)?.[1] ?? /path (\S+)\*/.exec(first)?.[1];
  if (path) q.path = path;
  const headers = [...first.matchAll(/header (\S+) = (\S+)/g)].map((m) => `${m[1]}: ${m[2]}`);
  if (headers.length) q.headers = headers.join('\n');
  return q;
}

async function layout(graph: Graph, key: string): Promise<Layout> {
  const namespaces = [...new Set(graph.nodes.map((n) => n.namespace || 'outside the mesh'))].sort();
  const root: ElkNode = {
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'RIGHT',
      'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
      'elk.layered.spacing.nodeNodeBetweenLayers': '56',
      'elk.spacing.nodeNode': '18',
      'elk.spacing.edgeLabel': '4',
      'elk.edgeLabels.inline': 'false',
      'elk.layered.nodePlacement.strategy': 'NETWORK_SIMPLEX',
      'elk.padding': '[top=12,left=12,bottom=12,right=12]',
    },
    children: namespaces.map((ns) => ({
      id: `ns:${ns}`,
      layoutOptions: { 'elk.padding': '[top=30,left=14,bottom=14,right=14]' },
      children: graph.nodes
        .filter((n) => (n.namespace || 'outside the mesh') === ns)
        .map((n) => ({ id: n.id, width: Math.max(120, Math.max(nodeLabel(n).length, 12) * CHAR + 34), height: 44 })),
    })),
    edges: graph.edges.map((e) => {
      const text = edgeText(e);
      return { id: e.id, sources: [e.from], targets: [e.to], labels: text ? [{ text, width: text.length * 6.2 + 8, height: 16 }] : [] } as ElkExtendedEdge;
    }),
  };
  // ELK is most of the dashboard's bytes: loaded with the first graph.
  const { default: ELK } = await import('elkjs/lib/elk.bundled.js');
  const out = await new ELK().layout(root);
  const nodes = new Map<string, Box>();
  const offsets = new Map<string, { x: number; y: number }>([['root', { x: 0, y: 0 }]]);
  const groups: Layout['groups'] = [];
  for (const g of out.children ?? []) {
    offsets.set(g.id, { x: g.x ?? 0, y: g.y ?? 0 });
    groups.push({ namespace: g.id.slice(3), x: g.x ?? 0, y: g.y ?? 0, width: g.width ?? 0, height: g.height ?? 0 });
    for (const n of g.children ?? []) nodes.set(n.id, { x: (g.x ?? 0) + (n.x ?? 0), y: (g.y ?? 0) + (n.y ?? 0), width: n.width ?? 0, height: n.height ?? 0 });
  }
  const edges: Layout['edges'] = new Map();
  for (const e of (out.edges ?? []) as (ElkExtendedEdge & { container?: string })[]) {
    // Coordinates are relative to the edge's container (the namespace box when both ends are in it).
    const o = offsets.get(e.container ?? 'root') ?? { x: 0, y: 0 };
    const points = (e.sections ?? []).flatMap((s) => [s.startPoint, ...(s.bendPoints ?? []), s.endPoint]).map((p) => ({ x: p.x + o.x, y: p.y + o.y }));
    const l = e.labels?.[0];
    edges.set(e.id, { points, label: l ? { text: l.text ?? '', x: (l.x ?? 0) + o.x, y: (l.y ?? 0) + o.y, width: l.width ?? 0, height: l.height ?? 0 } : undefined });
  }
  return { key, width: out.width ?? 0, height: out.height ?? 0, groups, nodes, edges };
}

class GraphPage extends Page<Graph> {
  static override properties = {
    ...Page.properties,
    name: { attribute: false },
    revision: { attribute: false },
    query: { attribute: false },
    laid: { state: true },
    layoutError: { state: true },
  };
  declare name: string;
  declare revision: number;
  declare query: URLSearchParams;
  declare laid: Layout | undefined;
  declare layoutError: unknown;
  /** The visible part of the drawing (SVG viewBox). */
  private box = { x: 0, y: 0, w: 1000, h: 600 };
  private drag?: { x: number; y: number; box: { x: number; y: number } };

  protected keyOf() {
    return `${this.name}/${this.revision}`;
  }
  protected async load() {
    this.laid = undefined;
    return (await gql<{ scenario: { at: { graph: Graph } } }>(QUERY, { name: this.name, revision: this.revision })).scenario.at.graph;
  }

  private option(key: string, fallback: boolean): boolean {
    const v = this.query.get(key);
    return v === null ? fallback : v === '1';
  }
  private shown(g: Graph): Graph {
    const endpoints = this.option('endpoints', true);
    const passthrough = this.option('passthrough', false);
    const ns = this.query.get('ns') ?? '';
    let nodes = g.nodes.filter((n) => passthrough || n.id !== 'external:PassthroughCluster');
    let edges = g.edges.filter((e) => (endpoints || e.kind !== 'endpoint') && (passthrough || e.kind !== 'passthrough'));
    if (ns) {
      const inNs = new Set(nodes.filter((n) => n.namespace === ns).map((n) => n.id));
      edges = edges.filter((e) => inNs.has(e.from) || inNs.has(e.to));
      const keep = new Set([...inNs, ...edges.flatMap((e) => [e.from, e.to])]);
      nodes = nodes.filter((n) => keep.has(n.id));
    }
    const ids = new Set(nodes.map((n) => n.id));
    return { nodes, edges: edges.filter((e) => ids.has(e.from) && ids.has(e.to)) };
  }
  private layoutKey() {
    return `${this.name}/${this.revision}/${this.query.get('endpoints')}/${this.query.get('passthrough')}/${this.query.get('ns')}`;
  }

  protected override updated(): void {
    const key = this.layoutKey();
    if (!this.data || this.laid?.key === key || this.pending === key) return;
    this.pending = key;
    layout(this.shown(this.data), key).then(
      (l) => {
        if (this.pending !== key) return;
        this.pending = undefined;
        this.fit(l);
        this.laid = l;
      },
      (e) => ((this.pending = undefined), (this.layoutError = e)),
    );
  }
  private pending?: string;

  /** The whole drawing when it stays readable, else its top left at a readable scale. */
  private fit(l: Layout) {
    const el = this.querySelector('.graph-canvas');
    const width = el?.clientWidth || 900;
    const height = el?.clientHeight || 560;
    const whole = Math.min(width / (l.width + 24), height / (l.height + 24));
    const scale = whole >= 0.6 ? Math.min(whole, 1.25) : 0.85;
    const w = width / scale;
    const h = height / scale;
    this.box = whole >= 0.6 ? { x: l.width / 2 - w / 2, y: l.height / 2 - h / 2, w, h } : { x: -10, y: -10, w, h };
  }

  private set(key: string, value: string | null) {
    const q = Object.fromEntries(this.query);
    if (value === null) delete q[key];
    else q[key] = value;
    navigate(links.revision(this.name, this.revision, 'graph', undefined, q));
  }
  private select(id: string | null) {
    this.set('select', id);
  }
  private zoom(factor: number) {
    const { x, y, w, h } = this.box;
    this.box = { x: x + (w - w * factor) / 2, y: y + (h - h * factor) / 2, w: w * factor, h: h * factor };
    this.requestUpdate();
  }
  private onWheel(e: WheelEvent) {
    e.preventDefault();
    this.zoom(e.deltaY > 0 ? 1.15 : 1 / 1.15);
  }
  private onDown(e: PointerEvent) {
    if ((e.target as Element).closest('[data-id]')) return;
    this.drag = { x: e.clientX, y: e.clientY, box: { x: this.box.x, y: this.box.y } };
    (e.currentTarget as Element).setPointerCapture(e.pointerId);
  }
  private onMove(e: PointerEvent) {
    if (!this.drag) return;
    const svgEl = e.currentTarget as SVGSVGElement;
    const k = this.box.w / svgEl.clientWidth;
    this.box = { ...this.box, x: this.drag.box.x - (e.clientX - this.drag.x) * k, y: this.drag.box.y - (e.clientY - this.drag.y) * k };
    this.requestUpdate();
  }
  private onKey(e: KeyboardEvent, id: string) {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      this.select(id);
    }
  }
  /** Brings a node into view (search). */
  private find(e: Event, g: Graph) {
    e.preventDefault();
    const text = ((e.target as HTMLFormElement).elements.namedItem('find') as HTMLInputElement).value.trim().toLowerCase();
    const n = g.nodes.find((x) => x.name.toLowerCase().includes(text) || x.id.toLowerCase().includes(text));
    const b = n && this.laid?.nodes.get(n.id);
    if (!n || !b) return;
    this.box = { ...this.box, x: b.x + b.width / 2 - this.box.w / 2, y: b.y + b.height / 2 - this.box.h / 2 };
    this.select(n.id);
    requestAnimationFrame(() => (this.querySelector(`[data-id="${CSS.escape(n.id)}"]`) as HTMLElement | null)?.focus());
  }

  private details(g: Graph) {
    const id = this.query.get('select');
    const node = g.nodes.find((n) => n.id === id);
    const edge = g.edges.find((e) => e.id === id);
    const fallbackProxy = g.nodes.find((n) => n.proxy && n.kind === 'workload')?.proxy ?? g.nodes.find((n) => n.proxy)?.proxy ?? '';
    const byId = (x: string) => g.nodes.find((n) => n.id === x);
    const sources = (list: string[]) => (list.length ? html`<ul class="sources">${list.map((s) => html`<li><code>${s}</code></li>`)}</ul>` : html`<p class="muted">mesh defaults</p>`);
    if (node)
      return html`<h2><span class="badge kind-${node.kind}">${KIND_LABEL[node.kind]}</span> ${nodeLabel(node)}</h2>
        <dl class="facts">
          ${node.namespace ? html`<dt>Namespace</dt><dd>${node.namespace}</dd>` : nothing}
          ${node.ports.length ? html`<dt>Ports</dt><dd>${node.ports.join(', ')}</dd>` : nothing}
          ${node.mtls ? html`<dt>Inbound mTLS</dt><dd>${node.mtls}</dd>` : nothing}
          ${node.policies.length ? html`<dt>Authorization</dt><dd>${node.policies.join(', ')}</dd>` : nothing}
          ${node.proxy ? html`<dt>Proxy</dt><dd><code>${node.proxy}</code></dd>` : nothing}
        </dl>
        <h3>From</h3>${sources(node.sources)}
        <p class="actions">
          ${node.proxy
            ? html`<a class="button" href=${links.revision(this.name, this.revision, 'proxies', node.proxy)}>Proxy config</a>
                <a class="button primary" href=${links.revision(this.name, this.revision, 'trace', undefined, { proxy: node.proxy })}>Trace from here</a>`
            : node.kind === 'service' || node.kind === 'external'
              ? html`<a class="button primary" href=${links.revision(this.name, this.revision, 'trace', undefined, { proxy: fallbackProxy, host: node.name, port: String(node.ports[0] ?? 80), protocol: 'http', method: 'GET', path: '/' })}>Trace a request to it</a>`
              : nothing}
        </p>`;
    if (edge) {
      const from = byId(edge.from);
      const to = byId(edge.to);
      return html`<h2><span class="badge edge-${edge.kind}">${edge.kind}</span> ${from ? nodeLabel(from) : edge.from} → ${to ? nodeLabel(to) : edge.to}</h2>
        <dl class="facts">
          ${edge.route ? html`<dt>Route</dt><dd><code>${edge.route}</code></dd>` : nothing}
          ${edge.match !== null ? html`<dt>Match</dt><dd>${edge.match || 'every request'}</dd>` : nothing}
          ${edge.weight !== null ? html`<dt>Weight</dt><dd>${edge.weight}%</dd>` : nothing}
          ${edge.subset ? html`<dt>Subset</dt><dd>${edge.subset}</dd>` : nothing}
          ${edge.port ? html`<dt>Port</dt><dd>${edge.port}</dd>` : nothing}
          ${edge.mtls ? html`<dt>TLS</dt><dd><span class="badge tls-${mtlsClass(edge)}">${edge.mtls}</span> <span class="muted">${edge.mtlsFrom}</span></dd>` : nothing}
          ${edge.policies.length ? html`<dt>Authorization</dt><dd>${edge.policies.join(', ')}</dd>` : nothing}
        </dl>
        <h3>From</h3>${sources(edge.sources)}
        ${edge.kind === 'route' || edge.kind === 'egress' || edge.kind === 'endpoint'
          ? html`<p class="actions"><a class="button primary" href=${links.revision(this.name, this.revision, 'trace', undefined, traceQuery(edge, from, to, fallbackProxy))}>Trace this route</a></p>`
          : nothing}`;
    }
    return html`<h2>Traffic graph</h2>
      <p>${g.nodes.length} nodes, ${g.edges.length} edges. Choose a node or an edge (click, or Tab then Enter) to see what it is and where it comes from.</p>
      <ul class="legend" aria-label="Legend">
        <li><span class="swatch kind-gateway"></span>gateway</li><li><span class="swatch kind-service"></span>service</li>
        <li><span class="swatch kind-workload"></span>workload</li><li><span class="swatch kind-external"></span>external host</li>
        <li><span class="line mtls"></span>mutual TLS</li><li><span class="line permissive"></span>permissive</li>
        <li><span class="line plain"></span>plaintext</li><li><span class="line passthrough"></span>passthrough</li>
      </ul>`;
  }

  private drawing(g: Graph, l: Layout) {
    const selected = this.query.get('select');
    const byId = new Map(g.nodes.map((n) => [n.id, n]));
    const near = new Set(selected ? g.edges.filter((e) => e.from === selected || e.to === selected).flatMap((e) => [e.id, e.from, e.to]) : []);
    return svg`
      <defs>
        ${['mtls', 'permissive', 'plain', 'passthrough', 'unknown'].map((c) => svg`<marker id="arrow-${c}" class="arrow-${c}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z"/></marker>`)}
      </defs>
      ${l.groups.map((b) => svg`<g class="ns"><rect x=${b.x} y=${b.y} width=${b.width} height=${b.height} rx="10"/><text x=${b.x + 12} y=${b.y + 19}>${b.namespace}</text></g>`)}
      ${g.edges.map((e) => {
        const p = l.edges.get(e.id);
        if (!p || p.points.length < 2) return nothing;
        const d = `M${p.points.map((pt) => `${pt.x},${pt.y}`).join(' L')}`;
        const c = mtlsClass(e);
        const from = byId.get(e.from);
        const to = byId.get(e.to);
        const label = `${e.kind} edge from ${from ? nodeLabel(from) : e.from} to ${to ? nodeLabel(to) : e.to}${e.weight !== null ? `, ${e.weight}%` : ''}${e.match ? `, when ${e.match}` : ''}${e.mtls ? `, ${e.mtls}` : ''}`;
        return svg`<g class="edge ${c} kind-${e.kind} ${selected === e.id ? 'selected' : ''} ${near.has(e.id) ? 'near' : ''} ${selected && !near.has(e.id) && selected !== e.id ? 'dim' : ''}" data-id=${e.id} tabindex="0" role="button" aria-label=${label}
            @click=${() => this.select(e.id)} @keydown=${(ev: KeyboardEvent) => this.onKey(ev, e.id)}>
          <path class="hit" d=${d}/><path class="stroke" d=${d} marker-end="url(#arrow-${c})"/>
          ${p.label ? svg`<rect class="label-bg" x=${p.label.x - 2} y=${p.label.y} width=${p.label.width} height=${p.label.height} rx="3"/><text class="edge-label" x=${p.label.x + 2} y=${p.label.y + 12}>${p.label.text}</text>` : nothing}
          <title>${label}</title>
        </g>`;
      })}
      ${g.nodes.map((n) => {
        const b = l.nodes.get(n.id);
        if (!b) return nothing;
        const label = `${KIND_LABEL[n.kind]} ${nodeLabel(n)}${n.namespace ? ` in ${n.namespace}` : ''}${n.mtls ? `, inbound ${n.mtls}` : ''}`;
        return svg`<g class="node kind-${n.kind} ${selected === n.id ? 'selected' : ''} ${selected && !near.has(n.id) && selected !== n.id ? 'dim' : ''}" data-id=${n.id} tabindex="0" role="button" aria-label=${label}
            transform="translate(${b.x},${b.y})" @click=${() => this.select(n.id)} @keydown=${(ev: KeyboardEvent) => this.onKey(ev, n.id)}>
          <rect width=${b.width} height=${b.height} rx="8"/><rect class="stripe" width="6" height=${b.height} rx="3"/>
          <text class="name" x="16" y="19">${nodeLabel(n)}</text>
          <text class="sub" x="16" y="34">${KIND_LABEL[n.kind]}${n.policies.length ? ' · authz' : ''}${n.mtls === 'STRICT' ? ' · STRICT' : ''}</text>
          <title>${label}</title>
        </g>`;
      })}
    `;
  }

  protected view(g: Graph) {
    const l = this.laid;
    const namespaces = [...new Set(g.nodes.map((n) => n.namespace).filter(Boolean))].sort();
    const check = (key: string, label: string, fallback: boolean) =>
      html`<label class="check"><input type="checkbox" .checked=${this.option(key, fallback)} @change=${(e: Event) => this.set(key, (e.target as HTMLInputElement).checked ? '1' : '0')} /> ${label}</label>`;
    return html`
      <div class="filters graph-tools">
        <form class="find" role="search" @submit=${(e: Event) => this.find(e, g)}>
          <div class="field"><label for="find">Find a node</label><input id="find" name="find" type="search" placeholder="reviews" /></div>
          <button type="submit">Find</button>
        </form>
        <div class="field"><label for="ns">Namespace</label>
          <select id="ns" @change=${(e: Event) => this.set('ns', (e.target as HTMLSelectElement).value || null)}>
            <option value="">all</option>${namespaces.map((n) => html`<option ?selected=${this.query.get('ns') === n}>${n}</option>`)}
          </select></div>
        ${check('endpoints', 'Endpoints', true)} ${check('passthrough', 'Passthrough', false)}
        <div class="segmented push" role="group" aria-label="Zoom">
          <button type="button" @click=${() => this.zoom(1 / 1.3)} aria-label="Zoom in">+</button>
          <button type="button" @click=${() => this.zoom(1.3)} aria-label="Zoom out">−</button>
          <button type="button" @click=${() => l && (this.fit(l), this.requestUpdate())}>Fit</button>
        </div>
      </div>
      <div class="graph-layout">
        <div class="graph-canvas" aria-busy=${!l}>
          ${l && l.key === this.layoutKey()
            ? html`<svg role="group" aria-label="Traffic graph of revision ${this.revision}" viewBox="${this.box.x} ${this.box.y} ${this.box.w} ${this.box.h}"
                @wheel=${this.onWheel} @pointerdown=${this.onDown} @pointermove=${this.onMove} @pointerup=${() => (this.drag = undefined)}>${this.drawing(this.shown(g), l)}</svg>`
            : this.layoutError
              ? html`<p class="bad-note">The layout failed: ${String((this.layoutError as Error).message ?? this.layoutError)}</p>`
              : loadingView('Laying out the graph')}
        </div>
        <aside class="graph-details card" aria-live="polite">${this.details(g)}</aside>
      </div>
      <details class="edge-table">
        <summary>All ${g.edges.length} edges as a table</summary>
        <table class="list">
          <thead><tr><th scope="col">Kind</th><th scope="col">From</th><th scope="col">To</th><th scope="col">Weight</th><th scope="col">Match</th><th scope="col">TLS</th><th scope="col">Route</th></tr></thead>
          <tbody>
            ${g.edges.map(
              (e) => html`<tr>
                <td><button type="button" class="link" @click=${() => this.select(e.id)}>${e.kind}</button></td>
                <td>${e.from}</td><td>${e.to}</td><td>${e.weight ?? ''}</td><td>${e.match ?? ''}</td><td>${e.mtls ?? ''}</td><td>${e.route ?? ''}</td>
              </tr>`,
            )}
          </tbody>
        </table>
      </details>
    `;
  }
}
customElements.define('mp-graph', GraphPage);

// Hash routes, one per thing a link can point at (the service serves only / and /ui/assets):
//   #/                                   scenarios
//   #/new                                a new scenario
//   #/s/NAME                             a scenario's revisions and reviews
//   #/s/NAME/r/N[/TAB[/PROXY]][?query]   a revision: overview, changes, proxies, trace, graph
// PROXY is "namespace/name" of a pod (encoded); the trace form keeps its fields in the query.

export type Tab = 'overview' | 'changes' | 'proxies' | 'trace' | 'graph';
export const TABS: { tab: Tab; label: string }[] = [
  { tab: 'overview', label: 'Overview' },
  { tab: 'changes', label: 'Changes' },
  { tab: 'proxies', label: 'Proxies' },
  { tab: 'trace', label: 'Trace' },
  { tab: 'graph', label: 'Graph' },
];

export type Route =
  | { page: 'scenarios'; query: URLSearchParams }
  | { page: 'new' }
  | { page: 'scenario'; name: string }
  | { page: 'revision'; name: string; revision: number; tab: Tab; proxy?: string; query: URLSearchParams }
  | { page: 'missing'; path: string };

export function parseRoute(hash: string): Route {
  const [path, search = ''] = hash.replace(/^#/, '').split('?', 2);
  const query = new URLSearchParams(search);
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0) return { page: 'scenarios', query };
  if (parts[0] === 'new' && parts.length === 1) return { page: 'new' };
  if (parts[0] === 's' && parts.length === 2) return { page: 'scenario', name: parts[1] };
  if (parts[0] === 's' && parts[2] === 'r' && /^\d+$/.test(parts[3] ?? '')) {
    const tab = (parts[4] ?? 'overview') as Tab;
    if (TABS.some((t) => t.tab === tab)) return { page: 'revision', name: parts[1], revision: Number(parts[3]), tab, proxy: parts[5], query };
  }
  return { page: 'missing', path };
}

const enc = encodeURIComponent;
export const links = {
  scenarios: (query?: URLSearchParams) => `#/${query && [...query].length ? `?${query}` : ''}`,
  create: () => '#/new',
  scenario: (name: string) => `#/s/${enc(name)}`,
  revision: (name: string, revision: number, tab: Tab = 'overview', proxy?: string, query?: Record<string, string>) => {
    const q = query ? new URLSearchParams(Object.entries(query).filter(([, v]) => v !== '')).toString() : '';
    return `#/s/${enc(name)}/r/${revision}/${tab}${proxy ? `/${enc(proxy)}` : ''}${q ? `?${q}` : ''}`;
  },
};

export const navigate = (hash: string): void => {
  if (location.hash !== hash) location.hash = hash;
};

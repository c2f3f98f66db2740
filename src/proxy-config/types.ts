// The request and answer shapes of proxy-config, shared by every kind's writer.

/** istioctl proxy-config's kinds, and authz: `istioctl x authz check`, the policies a proxy's RBAC filters enforce. */
export const PROXY_CONFIG_KINDS = ['clusters', 'listeners', 'routes', 'endpoints', 'secrets', 'bootstrap', 'ecds', 'all', 'authz'] as const;
export type ProxyConfigKind = (typeof PROXY_CONFIG_KINDS)[number];

export const OUTPUT_FORMATS = ['short', 'json', 'yaml'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** istioctl's flags of the same names; each kind reads those its command has. */
export interface ProxyConfigFilter {
  fqdn?: string;
  port?: number;
  subset?: string;
  direction?: string;
  address?: string;
  type?: string;
  name?: string;
  cluster?: string;
  status?: string;
  withHeaders?: boolean;
}

export interface Table {
  headers: string[];
  rows: string[][];
}

/** One kind's answer: its rows, and the text istioctl prints for it. */
export interface KindOutput extends Table {
  kind: ProxyConfigKind;
  text: string;
}

/** What the writers need besides the config: istioctl's --verbose, the `all` prefixes, and today's date for VALID CERT. */
export interface WriterOptions {
  filter: ProxyConfigFilter;
  verbose: boolean;
  /** `all` prints each NAME with its type (cluster/..., listener/...), as istioctl's includeConfigType. */
  includeConfigType: boolean;
  now: Date;
}

/** Lines written with tabs between cells, and the rows they stand for. */
export const tableLines = (headers: string[], rows: string[][]): string =>
  [headers, ...rows].map((cells) => `${cells.join('\t')}\n`).join('');

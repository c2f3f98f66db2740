// The dashboard's one way to the service: GraphQL POSTs to /graphql, with the token the user gave
// (access control on) kept in this browser. A GraphQL error becomes an ApiError carrying its code
// and the problem list the service sent (extensions.problems).

export interface Problem {
  document?: number | null;
  kind?: string | null;
  object?: string | null;
  path: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly problems: Problem[],
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

const TOKEN_KEY = 'meshplan.token';
export const token = {
  get: (): string => localStorage.getItem(TOKEN_KEY) ?? '',
  set: (value: string): void => (value ? localStorage.setItem(TOKEN_KEY, value) : localStorage.removeItem(TOKEN_KEY)),
};

export async function gql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (token.get()) headers.authorization = `Bearer ${token.get()}`;
  let response: Response;
  try {
    response = await fetch('/graphql', { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  } catch (e) {
    throw new ApiError(`the service cannot be reached: ${(e as Error).message}`, 'NETWORK', []);
  }
  const body = (await response.json().catch(() => null)) as { data?: T; errors?: { message: string; extensions?: Record<string, any> }[] } | null;
  if (!body) throw new ApiError(`the service answered ${response.status} without GraphQL`, `HTTP_${response.status}`, []);
  if (body.errors?.length) {
    const [first] = body.errors;
    const ext = first.extensions ?? {};
    const problems: Problem[] = body.errors.flatMap((e) => (e.extensions?.problems as Problem[]) ?? []);
    const message = body.errors.length > 1 ? body.errors.map((e) => e.message).join('; ') : first.message;
    throw new ApiError(message, String(ext.code ?? (response.ok ? 'ERROR' : `HTTP_${response.status}`)), problems, ext);
  }
  return body.data as T;
}

// The shapes the pages read (a subset of schema.graphql).
export type ReviewState = 'draft' | 'in_review' | 'approved' | 'rejected';
export interface Review {
  state: ReviewState;
  reviewer: string;
  comment: string;
  createdAt: string;
  forced?: boolean | null;
  next?: ReviewState[];
  verification?: { passed: number; failed: number } | null;
}
export interface AnalysisMessage {
  code: string;
  name: string;
  level: 'Error' | 'Warning' | 'Info';
  resource: { kind: string; namespace: string; name: string };
  path?: string | null;
  message: string;
}
export interface MeshProxy {
  id: string;
  type: 'sidecar' | 'router';
  namespace: string;
  name: string;
  pod: string | null;
  labels: Record<string, string>;
  ips: string[];
}
// The graph's shape is the engine's (src/graph/types.ts), as GraphQL's Revision.graph serves it.
export type { GraphEdge, GraphNode, TrafficGraph } from '../graph/types.js';
export interface Caller {
  name: string;
  role: 'reader' | 'editor' | 'reviewer' | 'admin' | null;
  via: string;
}

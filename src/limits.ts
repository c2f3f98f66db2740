// Bounds on the work one request may ask for, read from the environment once at start-up (the
// README lists each variable). Input past a bound is refused before the work runs, with a problem
// naming the object, the bound and its variable, so no request can freeze or exhaust the service.

export interface Limits {
  /** Pods one Deployment expands to (`spec.replicas`). */
  maxReplicas: number;
  /** Pods of a whole scenario, explicit and from Deployments. */
  maxPods: number;
  /** Ports of one Service, ServiceEntry, container or Sidecar listener. */
  maxPorts: number;
  /** Host names of one VirtualService, ServiceEntry, Gateway server or Sidecar listener. */
  maxHosts: number;
  /** Servers of one Gateway. */
  maxGatewayServers: number;
  /** Characters of one regular expression (a match's `regex`). */
  maxRegexLength: number;
  /** Routes a VirtualService's delegation expands to: rules × matches × delegate rules × delegate matches. */
  maxDelegationFanout: number;
  /** Routes of one proxy's route configurations (virtual hosts × routes). */
  maxRoutesPerProxy: number;
  /** Clusters of one proxy. */
  maxClustersPerProxy: number;
  /** Cost of one GraphQL operation: 1 a field, times the list sizes it is under; translate and trace weigh more. */
  graphqlMaxCost: number;
  /** Largest GraphQL response in bytes. */
  graphqlMaxResponseBytes: number;
}

export const DEFAULT_LIMITS: Limits = {
  maxReplicas: 100,
  maxPods: 20000,
  maxPorts: 256,
  maxHosts: 1000,
  maxGatewayServers: 1000,
  maxRegexLength: 1024,
  maxDelegationFanout: 10000,
  maxRoutesPerProxy: 200000,
  maxClustersPerProxy: 50000,
  graphqlMaxCost: 5000,
  graphqlMaxResponseBytes: 64 * 1024 * 1024,
};

/** Each limit's environment variable. */
export const LIMIT_VARIABLES: Record<keyof Limits, string> = {
  maxReplicas: 'MAX_REPLICAS',
  maxPods: 'MAX_PODS',
  maxPorts: 'MAX_PORTS',
  maxHosts: 'MAX_HOSTS',
  maxGatewayServers: 'MAX_GATEWAY_SERVERS',
  maxRegexLength: 'MAX_REGEX_LENGTH',
  maxDelegationFanout: 'MAX_DELEGATION_FANOUT',
  maxRoutesPerProxy: 'MAX_ROUTES_PER_PROXY',
  maxClustersPerProxy: 'MAX_CLUSTERS_PER_PROXY',
  graphqlMaxCost: 'GRAPHQL_MAX_COST',
  graphqlMaxResponseBytes: 'GRAPHQL_MAX_RESPONSE_BYTES',
};

export function readLimits(env: NodeJS.ProcessEnv): Limits {
  const out = { ...DEFAULT_LIMITS };
  for (const key of Object.keys(DEFAULT_LIMITS) as (keyof Limits)[]) {
    const raw = env[LIMIT_VARIABLES[key]];
    if (raw === undefined || raw === '') continue;
    const value = Number(raw);
    if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${LIMIT_VARIABLES[key]} must be a positive integer, got "${raw}"`);
    out[key] = value;
  }
  return out;
}

/** The limits of this process. */
export const LIMITS: Limits = readLimits(process.env);

/** "replicas is 1000000, more than the limit of 100 (MAX_REPLICAS)". */
export const overLimit = (what: string, count: number, key: keyof Limits, limits: Limits = LIMITS): string =>
  `${what} is ${count}, more than the limit of ${limits[key]} (${LIMIT_VARIABLES[key]})`;

/** Work past a limit that only shows while it runs (a proxy's routes or clusters): a 422 naming the limit. */
export class LimitError extends Error {
  override name = 'LimitError';
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(message);
  }
}

// JSON schemas of the REST routes: they validate requests and generate the OpenAPI document.

import { Type, type Static } from '@sinclair/typebox';
import { PROXY_CONFIG_KINDS } from '../../proxy-config/types.js';
import { PodDescription } from '../../describe/schema.js';

const Open = (description?: string) => Type.Object({}, { additionalProperties: true, ...(description ? { description } : {}) });

export const Resources = Type.Union([Type.String(), Type.Array(Open())], {
  description: 'Kubernetes manifests: one multi-document YAML string, or an array of objects',
});

export const Labels = Type.Record(Type.String(), Type.String(), { description: 'Kubernetes-style labels' });

export const EngineOptions = Type.Object(
  {
    configDomain: Type.Optional(Type.String()),
    features: Type.Optional(Type.Record(Type.String(), Type.Union([Type.Boolean(), Type.String(), Type.Number()]))),
  },
  { description: 'How istiod is set up' },
);

const RevisionFields = {
  resources: Resources,
  mesh: Type.Optional(Open('MeshConfig overrides (camelCase JSON)')),
  options: Type.Optional(EngineOptions),
  expectations: Type.Optional(Type.Union([Type.String(), Open()], { description: 'An expectations document (YAML / JSON text, or the object): see POST /api/v1/verify' })),
  message: Type.Optional(Type.String({ maxLength: 4096 })),
  author: Type.Optional(Type.String({ maxLength: 256 })),
};

export const CreateScenarioBody = Type.Object({
  name: Type.String({ description: 'DNS-1123 label, at most 63 characters' }),
  description: Type.Optional(Type.String({ maxLength: 4096 })),
  labels: Type.Optional(Labels),
  ...RevisionFields,
});
export type CreateScenarioBody = Static<typeof CreateScenarioBody>;

export const AddRevisionBody = Type.Object(RevisionFields);
export type AddRevisionBody = Static<typeof AddRevisionBody>;

export const ReviewBody = Type.Object({
  state: Type.Union([Type.Literal('draft'), Type.Literal('in_review'), Type.Literal('approved'), Type.Literal('rejected')]),
  reviewer: Type.Optional(Type.String({ maxLength: 256 })),
  comment: Type.Optional(Type.String({ maxLength: 16384 })),
  force: Type.Optional(Type.Boolean({ description: 'approve although verification fails, or (admin only) one\'s own revision past four eyes; needs a comment saying why (recorded)' })),
});
export type ReviewBody = Static<typeof ReviewBody>;

export const Review = Type.Object({
  state: Type.String(),
  reviewer: Type.String(),
  comment: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  verification: Type.Optional(Open('Approvals: the verification summary {passed, failed, failures}')),
  envoyDiff: Type.Optional(Type.Union([Open('Approvals: the Envoy diff against the last approved revision {from, to, summary, text}'), Type.Null()])),
  forced: Type.Optional(Type.Boolean()),
});

export const ScenarioSummary = Type.Object({
  name: Type.String(),
  description: Type.String(),
  labels: Labels,
  latestRevision: Type.Integer(),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});

export const RevisionSummary = Type.Object({
  revision: Type.Integer(),
  contentHash: Type.String(),
  etag: Type.String(),
  message: Type.String(),
  author: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  review: Review,
});

export const ScenarioRevision = Type.Object(
  {
    name: Type.String(),
    description: Type.String(),
    labels: Labels,
    latestRevision: Type.Integer(),
    ...RevisionSummary.properties,
    resources: Type.String({ description: 'The manifests as sent (YAML)' }),
    objects: Type.Array(Open(), { description: 'The manifests as parsed objects' }),
    mesh: Open(),
    options: Open(),
    expectations: Type.Union([Open('The expectations document'), Type.Null()]),
    warnings: Type.Optional(Type.Array(Open())),
    analysis: Type.Optional(Type.Array(Open('One istioctl analyze message'))),
  },
  { additionalProperties: true },
);

export const NameParams = Type.Object({ name: Type.String() });
/** A revision number: stored as a 32-bit integer. */
const RevisionNumber = (options: { description?: string } = {}) => Type.Integer({ minimum: 1, maximum: 2147483647, ...options });
export const RevisionParams = Type.Object({ name: Type.String(), revision: RevisionNumber() });
export const RevisionQuery = Type.Object({ revision: Type.Optional(RevisionNumber()) });

export const ListQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  cursor: Type.Optional(Type.String()),
  label: Type.Optional(
    Type.Union([Type.String(), Type.Array(Type.String())], { description: 'label selector, key=value[,key=value]; repeatable' }),
  ),
});

export const RevisionListQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  cursor: Type.Optional(Type.String({ description: 'nextCursor of the page before' })),
});

export const DiffQuery = Type.Object({
  from: RevisionNumber(),
  to: Type.Optional(RevisionNumber({ description: 'default: the latest revision' })),
});

export const ProxySelector = Type.Union(
  [
    Type.Object({ pod: Type.String({ description: 'namespace/name of a pod or a Deployment pod' }) }),
    Type.Object({
      type: Type.Union([Type.Literal('sidecar'), Type.Literal('router')]),
      namespace: Type.Optional(Type.String()),
      labels: Type.Optional(Labels),
      ips: Type.Optional(Type.Array(Type.String())),
      metadata: Type.Optional(Open()),
    }),
  ],
  { description: 'The Envoy to look from' },
);

export const TraceRequest = Type.Object({
  mode: Type.Optional(Type.Union([Type.Literal('outbound'), Type.Literal('inbound'), Type.Literal('gateway')])),
  address: Type.Optional(Type.String()),
  port: Type.Integer({ minimum: 1, maximum: 65535 }),
  protocol: Type.Optional(Type.Union([Type.Literal('http'), Type.Literal('http2'), Type.Literal('tcp')])),
  tls: Type.Optional(Type.Union([Type.Literal('plaintext'), Type.Literal('tls'), Type.Literal('mtls')])),
  alpn: Type.Optional(Type.String()),
  sni: Type.Optional(Type.String()),
  host: Type.Optional(Type.String()),
  path: Type.Optional(Type.String()),
  method: Type.Optional(Type.String()),
  headers: Type.Optional(Type.Record(Type.String(), Type.String())),
  source: Type.Optional(
    Type.Union(
      [
        Type.Object({ pod: Type.String({ description: 'namespace/name of a pod of the mesh' }) }, { additionalProperties: false }),
        Type.Object(
          {
            principal: Type.Optional(Type.String({ description: 'e.g. cluster.local/ns/foo/sa/sleep' })),
            namespace: Type.Optional(Type.String()),
            ip: Type.Optional(Type.String()),
          },
          { additionalProperties: false },
        ),
      ],
      { description: 'Who sends, for policy checks: a pod, or a principal / namespace / ip' },
    ),
  ),
  jwt: Type.Optional(
    Type.Object(
      {
        issuer: Type.Optional(Type.String()),
        subject: Type.Optional(Type.String()),
        audiences: Type.Optional(Type.Array(Type.String())),
        claims: Type.Optional(Open()),
        valid: Type.Optional(Type.Boolean({ description: 'false: a token that fails verification' })),
      },
      { additionalProperties: false, description: 'A bearer token the request carries, as RequestAuthentication reads it' },
    ),
  ),
  pick: Type.Optional(
    Type.Object({ randomValue: Type.Integer({ minimum: 0 }) }, { additionalProperties: false, description: 'Which weighted cluster to follow, as Envoy picks for this random value' }),
  ),
});

const MeshInput = {
  resources: Resources,
  mesh: Type.Optional(Open('MeshConfig overrides (camelCase JSON)')),
  options: Type.Optional(EngineOptions),
};

export const TranslateBody = Type.Object({ ...MeshInput, proxy: Type.Optional(ProxySelector) });

/** A live proxy's config, standing where resources + proxy name one (contract: "Live config dumps as input"). */
// `configs` is checked by the dump reader, whose problem says what a config dump looks like.
export const ConfigDump = Type.Object(
  { configs: Type.Optional(Type.Array(Type.Unknown(), { description: 'Required. The admin sections: {"@type": "type.googleapis.com/envoy.admin.v3.<Name>ConfigDump", ...}' })) },
  {
    additionalProperties: true,
    description: "What Envoy's admin /config_dump or `istioctl proxy-config all -o json` prints, as is; instead of resources and proxy",
  },
);
/** Either the mesh and a proxy of it, or a config dump: the handler checks which (schemas.ts liveOrGenerated). */
const LiveOrGenerated = {
  resources: Type.Optional(Resources),
  mesh: Type.Optional(Open('MeshConfig overrides (camelCase JSON)')),
  options: Type.Optional(EngineOptions),
  configDump: Type.Optional(ConfigDump),
};
export const TraceBody = Type.Object({ ...LiveOrGenerated, proxy: Type.Optional(ProxySelector), request: TraceRequest });
export const ScenarioTranslateBody = Type.Object({ proxy: Type.Optional(ProxySelector) });
export const ScenarioTraceBody = Type.Object({ proxy: ProxySelector, request: TraceRequest });

// istioctl analyze (contract "Analyze"): the messages with Istio's codes, names and levels.
export const AnalysisMessage = Type.Object(
  {
    code: Type.String({ description: "Istio's message code, e.g. IST0101; MPL0001… for meshplan's own (fields not honoured, endpoint sources)" }),
    name: Type.String(),
    level: Type.Union([Type.Literal('Error'), Type.Literal('Warning'), Type.Literal('Info')]),
    resource: Type.Object({ kind: Type.String(), namespace: Type.String(), name: Type.String() }),
    path: Type.Optional(Type.String()),
    document: Type.Optional(Type.Integer()),
    file: Type.Optional(Type.String()),
    message: Type.String(),
  },
  { description: 'One istioctl analyze message' },
);
const Analysis = Type.Array(AnalysisMessage, { description: "istioctl analyze's messages for the scenario" });

const SummaryKinds = Type.Array(
  Type.Union(
    PROXY_CONFIG_KINDS.map((k) => Type.Literal(k)),
  ),
  {
    description:
      'Which istioctl proxy-config tables (default: listeners, routes, clusters, endpoints). endpoints of a config dump is its EDS table; ' +
      'secrets, bootstrap and ecds need a config dump; authz: istioctl x authz check, the policies the RBAC filters enforce',
  },
);
/** istioctl proxy-config's flags of the same names (each kind reads those its command has). */
export const ProxyConfigFilter = Type.Object(
  {
    fqdn: Type.Optional(Type.String({ description: 'clusters: part of the name' })),
    port: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535, description: 'clusters, listeners, endpoints' })),
    subset: Type.Optional(Type.String({ description: 'clusters' })),
    direction: Type.Optional(Type.String({ description: 'clusters: inbound, outbound' })),
    address: Type.Optional(Type.String({ description: 'listeners; endpoints (ip:port for a dump)' })),
    type: Type.Optional(Type.String({ description: 'listeners: HTTP, TCP, HTTP+TCP, UNKNOWN' })),
    name: Type.Optional(Type.String({ description: 'routes: the route configuration name' })),
    cluster: Type.Optional(Type.String({ description: 'endpoints' })),
    status: Type.Optional(Type.String({ description: 'endpoints: HEALTHY, UNHEALTHY, ...' })),
    withHeaders: Type.Optional(Type.Boolean({ description: 'all: a heading before each section' })),
  },
  { additionalProperties: false },
);
const ProxyConfigFlags = {
  kinds: Type.Optional(SummaryKinds),
  filter: Type.Optional(ProxyConfigFilter),
  verbose: Type.Optional(Type.Boolean({ description: "istioctl's --verbose (default true)" })),
  output: Type.Optional(Type.Union([Type.Literal('short'), Type.Literal('json'), Type.Literal('yaml')], { description: "istioctl's -o (default short)" })),
};
export const ProxyConfigBody = Type.Object({ ...LiveOrGenerated, proxy: Type.Optional(ProxySelector), ...ProxyConfigFlags });
export const ScenarioProxyConfigBody = Type.Object({ proxy: ProxySelector, ...ProxyConfigFlags });
export const ProxyConfigResult = Type.Object({
  proxy: Open('The proxy the tables are for'),
  tables: Type.Array(
    Type.Object({ kind: Type.String(), headers: Type.Array(Type.String()), rows: Type.Array(Type.Array(Type.String())) }),
  ),
  text: Type.String({ description: 'The tables as `istioctl proxy-config` prints them' }),
  warnings: Type.Array(Type.String()),
  analysis: Type.Optional(Analysis),
});

export const TranslateResult = Type.Object(
  { proxies: Type.Array(Open('A proxy with its Envoy /config_dump')), warnings: Type.Array(Type.String()), analysis: Type.Optional(Analysis) },
  { additionalProperties: true },
);
export const TraceResult = Type.Object(
  {
    flow: Type.String(),
    hops: Type.Array(Open('One Envoy on the way: listener, filter chain, route, cluster, endpoint, steps')),
    error: Type.Union([Open(), Type.Null()]),
    warnings: Type.Optional(Type.Array(Type.String())),
    analysis: Type.Optional(Analysis),
  },
  { additionalProperties: true },
);

const InputProblem = Type.Object(
  {
    document: Type.Union([Type.Integer(), Type.Null()]),
    kind: Type.Union([Type.String(), Type.Null()]),
    object: Type.Union([Type.String(), Type.Null()]),
    path: Type.String(),
    message: Type.String(),
  },
  { description: 'Where in the input (document index, kind, namespace/name, field path) and why' },
);

export const Problem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    instance: Type.Optional(Type.String()),
    errors: Type.Optional(Type.Array(InputProblem)),
    warnings: Type.Optional(Type.Array(InputProblem)),
    verification: Type.Optional(Open('A refused approval: {passed, failed, failures: [{name, failures}]}')),
  },
  { description: 'RFC 9457 problem document' },
);

// istioctl x describe pod: the pod by "namespace/name" (or a Deployment's name: its first pod).
const DescribePod = Type.String({ minLength: 1, description: 'The pod, "namespace/name" (namespace default if left out), or a Deployment: its first pod' });
export const DescribeBody = Type.Object({ ...MeshInput, pod: DescribePod });
export const ScenarioDescribeBody = Type.Object({ pod: DescribePod });
export const DescribeResult = Type.Object({
  description: PodDescription,
  text: Type.String({ description: 'The description as `istioctl x describe pod` prints it' }),
  warnings: Type.Array(Type.String()),
  analysis: Analysis,
});

// POST /api/v1/analyze: the mesh inline, like translate's.
export const AnalyzeBody = Type.Object(MeshInput);
export const AnalyzeResult = Type.Object({ messages: Type.Array(AnalysisMessage) }, { additionalProperties: true });
// ---- route-check (Envoy's router_check_tool) and verify (v2) ----

const HeaderValue = Type.Object({ key: Type.String(), value: Type.Optional(Type.String()) }, { additionalProperties: false });
const HeaderMatchers = Type.Array(Open('envoy.config.route.v3.HeaderMatcher (checked against Envoy\'s protos)'));

/** One router_check_tool test, exactly as its test files hold it (validation.proto). */
export const RouteTest = Type.Object(
  {
    test_name: Type.String(),
    input: Type.Object(
      {
        authority: Type.String(),
        path: Type.String(),
        method: Type.Optional(Type.String()),
        ssl: Type.Optional(Type.Boolean()),
        internal: Type.Optional(Type.Boolean()),
        random_value: Type.Optional(Type.Integer({ minimum: 0 })),
        runtime: Type.Optional(Type.String()),
        additional_request_headers: Type.Optional(Type.Array(HeaderValue)),
        additional_response_headers: Type.Optional(Type.Array(HeaderValue)),
      },
      { additionalProperties: false },
    ),
    validate: Type.Object(
      {
        cluster_name: Type.Optional(Type.String()),
        virtual_cluster_name: Type.Optional(Type.String()),
        virtual_host_name: Type.Optional(Type.String()),
        host_rewrite: Type.Optional(Type.String()),
        path_rewrite: Type.Optional(Type.String()),
        path_redirect: Type.Optional(Type.String()),
        code_redirect: Type.Optional(Type.Integer()),
        request_header_matches: Type.Optional(HeaderMatchers),
        response_header_matches: Type.Optional(HeaderMatchers),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false, description: 'A router_check_tool test: test_name, input, validate' },
);
export const RouteTests = Type.Array(RouteTest);
const CoverageMode = Type.Union([Type.Literal('basic'), Type.Literal('detailed')], { description: 'basic (--details, -f) or detailed (--covall)' });

export const RouteCheckBody = Type.Object({
  routeConfig: Type.Union([
    Open('envoy.config.route.v3.RouteConfiguration, proto3 JSON'),
    Type.String({ description: 'the name of a generated route configuration (with resources and proxy), or of one in configDump' }),
  ]),
  configDump: Type.Optional(ConfigDump),
  resources: Type.Optional(Resources),
  mesh: Type.Optional(Open('MeshConfig overrides (camelCase JSON)')),
  options: Type.Optional(EngineOptions),
  proxy: Type.Optional(ProxySelector),
  tests: RouteTests,
  coverage: Type.Optional(CoverageMode),
});
export const ScenarioRouteCheckBody = Type.Object({ proxy: ProxySelector, routeConfig: Type.String(), tests: RouteTests, coverage: Type.Optional(CoverageMode) });

const Failure = Type.Object({ field: Type.String(), expected: Type.Unknown(), actual: Type.Unknown() });
export const RouteCheckResult = Type.Object({
  results: Type.Array(Type.Object({ test_name: Type.String(), passed: Type.Boolean(), failures: Type.Array(Failure) })),
  passed: Type.Integer(),
  failed: Type.Integer(),
  coverage: Type.Object({ percent: Type.Number(), uncovered: Type.Array(Type.Object({ virtual_host: Type.String(), route: Type.Union([Type.String(), Type.Integer()]) })) }),
});


/** The trace fields an expectation may assert: the result's, and hop 0's at the top level. */
const HOP_FIELDS = ['proxy', 'mode', 'listener', 'filterChain', 'routeConfig', 'virtualHost', 'route', 'cluster', 'endpoint', 'tls', 'error', 'outcome'] as const;
const Anything = Type.Unknown();
const ExpectedHop = Type.Object(Object.fromEntries(HOP_FIELDS.map((f) => [f, Type.Optional(Anything)])), { additionalProperties: false });
export const Expect = Type.Object(
  {
    ...Object.fromEntries(HOP_FIELDS.map((f) => [f, Type.Optional(Anything)])),
    flow: Type.Optional(Type.Union([Type.Literal('ingress'), Type.Literal('mesh'), Type.Literal('egress')])),
    hops: Type.Optional(Type.Array(ExpectedHop)),
  },
  { additionalProperties: false, description: 'Trace fields expected (absent: not checked; null: null or absent); hop fields at the top level are hop 0\'s' },
);

export const Expectation = Type.Object(
  { name: Type.String({ minLength: 1 }), proxy: ProxySelector, request: TraceRequest, expect: Expect },
  { additionalProperties: false },
);
export const ProxyRouteTests = Type.Object(
  { name: Type.Optional(Type.String()), proxy: ProxySelector, routeConfig: Type.String({ minLength: 1 }), tests: RouteTests },
  { additionalProperties: false },
);
export const ExpectationsDocument = Type.Object(
  { expectations: Type.Optional(Type.Array(Expectation)), routeTests: Type.Optional(Type.Array(ProxyRouteTests)) },
  { additionalProperties: false, description: 'Expected traces and router_check_tool tests of a mesh' },
);
/**
 * An expectations document as sent: YAML / JSON text, or the object. Its shape (ExpectationsDocument) is
 * checked by the engine's reader, so each problem is named by its own field path.
 */
export const ExpectationsInput = Type.Union([Type.String(), Open('An expectations document: {expectations: [{name, proxy, request, expect}], routeTests: [{proxy, routeConfig, tests}]}')]);

export const VerifyBody = Type.Object({ ...MeshInput, expectations: ExpectationsInput });
export const ScenarioVerifyBody = Type.Object({ expectations: Type.Optional(ExpectationsInput) });
export const VerifyResult = Type.Object(
  {
    passed: Type.Integer(),
    failed: Type.Integer(),
    results: Type.Array(Type.Object({ name: Type.String(), passed: Type.Boolean(), failures: Type.Array(Failure), trace: Type.Optional(Open()) }, { additionalProperties: true })),
    coverage: Open('Route coverage over every proxy an expectation looked from'),
  },
  { additionalProperties: true },
);
// --- Access (src/access): the caller, API tokens, the audit log ---

const RoleName = Type.Union([Type.Literal('reader'), Type.Literal('editor'), Type.Literal('reviewer'), Type.Literal('admin')]);
const When = Type.String({ format: 'date-time' });
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);

export const Caller = Type.Object({
  name: Type.String(),
  role: Type.Union([RoleName, Type.Null()]),
  via: Type.String({ description: 'token, oidc, or open (access control off: everyone is admin)' }),
});

export const TokenBody = Type.Object({
  name: Type.String({ maxLength: 128, description: 'who uses it: recorded as author, reviewer and in the audit log' }),
  role: RoleName,
  expires: Type.Optional(Type.String({ description: 'a lifetime (90m, 12h, 30d, 2w) or an ISO date; default: never' })),
});
export type TokenBody = Static<typeof TokenBody>;

export const Token = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  role: RoleName,
  prefix: Type.String({ description: "the token's first characters" }),
  createdBy: Type.String(),
  createdAt: When,
  expiresAt: Nullable(When),
  revokedAt: Nullable(When),
  lastUsedAt: Nullable(When),
});
export const CreatedToken = Type.Object({ ...Token.properties, token: Type.String({ description: 'the bearer token: shown this once' }) });
export const TokenParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });

export const AuditQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
  cursor: Type.Optional(Type.String()),
  actor: Type.Optional(Type.String()),
});
export const AuditEntry = Type.Object({
  id: Type.Integer(),
  at: When,
  actor: Type.String(),
  role: Type.String(),
  via: Type.String(),
  action: Type.String({ description: 'METHOD route, or "mutation <field>"' }),
  target: Type.String(),
  status: Type.Integer(),
  detail: Open('the parameters and fields that say what changed'),
  ip: Type.String(),
  requestId: Type.String(),
});
// Envoy config diff (contract "Envoy config diff").
const DiffDetail = Type.Union([Type.Literal('full'), Type.Literal('summary')], {
  description: 'summary leaves out each change\'s fields; default: full up to 100 proxies, summary above',
});
export const EnvoyDiffQuery = Type.Object({
  from: Type.Optional(Type.Integer({ minimum: 1, description: 'default: the last approved revision before `to`, else the one before it' })),
  to: Type.Optional(Type.Integer({ minimum: 1, description: 'default: the latest revision' })),
  proxy: Type.Optional(Type.String({ description: 'namespace/name of a pod or Deployment; default every proxy of either side' })),
  detail: Type.Optional(DiffDetail),
});
const EnvoyDiffSide = Type.Union([
  Type.Object(MeshInput),
  Type.Object({ configDump: Type.Object({ configs: Type.Array(Open()) }, { additionalProperties: true, description: "Envoy's admin /config_dump JSON" }) }),
]);
export const EnvoyDiffBody = Type.Object({
  before: EnvoyDiffSide,
  after: EnvoyDiffSide,
  proxy: Type.Optional(ProxySelector),
  detail: Type.Optional(DiffDetail),
});
/** Drift of a live proxy from a stored revision (contract: "Live config dumps as input"). */
export const DriftBody = Type.Object({ configDump: ConfigDump, proxy: Type.Optional(ProxySelector) });

export const EnvoyDiffResult = Type.Object(
  {
    proxies: Type.Array(Open('A proxy: {proxy, status, changes: [{kind, name, change, fields?, provenance}]}')),
    summary: Open('Proxies changed, unchanged, added, removed; resource changes per xDS kind'),
    text: Type.String({ description: 'One line per change, for people' }),
    detail: Type.String(),
    warnings: Type.Array(Type.String()),
  },
  { additionalProperties: true },
);
// ---- Jobs (Prefer: respond-async) ----

export const JobParams = Type.Object({
  id: Type.String({ pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$', description: 'the job id (a UUID)' }),
});

export const Job = Type.Object({
  id: Type.String(),
  operation: Type.String({ description: 'the engine operation: translate, trace, proxyConfig, ...' }),
  state: Type.Union([Type.Literal('queued'), Type.Literal('running'), Type.Literal('completed'), Type.Literal('failed'), Type.Literal('cancelled')]),
  progress: Type.Object({ done: Type.Integer(), total: Type.Integer() }, { description: 'units of work (proxies) done of total; 0 of 0 before it starts' }),
  createdAt: Type.String({ format: 'date-time' }),
  startedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  completedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  attempts: Type.Integer({ description: 'runs so far (a job whose instance died runs again)' }),
  error: Type.Union([Type.String(), Type.Null()]),
  result: Type.Union([Type.String({ description: 'URL of the answer' }), Type.Null()]),
});

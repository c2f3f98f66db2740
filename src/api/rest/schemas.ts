// JSON schemas of the REST routes: they validate requests and generate the OpenAPI document.

import { Type, type Static } from '@sinclair/typebox';

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
});
export type ReviewBody = Static<typeof ReviewBody>;

export const Review = Type.Object({
  state: Type.String(),
  reviewer: Type.String(),
  comment: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
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
    warnings: Type.Optional(Type.Array(Open())),
  },
  { additionalProperties: true },
);

export const NameParams = Type.Object({ name: Type.String() });
export const RevisionParams = Type.Object({ name: Type.String(), revision: Type.Integer({ minimum: 1 }) });
export const RevisionQuery = Type.Object({ revision: Type.Optional(Type.Integer({ minimum: 1 })) });

export const ListQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  cursor: Type.Optional(Type.String()),
  label: Type.Optional(
    Type.Union([Type.String(), Type.Array(Type.String())], { description: 'label selector, key=value[,key=value]; repeatable' }),
  ),
});

export const DiffQuery = Type.Object({
  from: Type.Integer({ minimum: 1 }),
  to: Type.Optional(Type.Integer({ minimum: 1, description: 'default: the latest revision' })),
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
});

const MeshInput = {
  resources: Resources,
  mesh: Type.Optional(Open('MeshConfig overrides (camelCase JSON)')),
  options: Type.Optional(EngineOptions),
};

export const TranslateBody = Type.Object({ ...MeshInput, proxy: Type.Optional(ProxySelector) });
export const TraceBody = Type.Object({ ...MeshInput, proxy: ProxySelector, request: TraceRequest });
export const ScenarioTranslateBody = Type.Object({ proxy: Type.Optional(ProxySelector) });
export const ScenarioTraceBody = Type.Object({ proxy: ProxySelector, request: TraceRequest });

const SummaryKinds = Type.Array(
  Type.Union([Type.Literal('listeners'), Type.Literal('routes'), Type.Literal('clusters'), Type.Literal('endpoints')]),
  { description: 'Which istioctl proxy-config tables (default: all four)' },
);
export const ProxyConfigBody = Type.Object({ ...MeshInput, proxy: ProxySelector, kinds: Type.Optional(SummaryKinds) });
export const ScenarioProxyConfigBody = Type.Object({ proxy: ProxySelector, kinds: Type.Optional(SummaryKinds) });
export const ProxyConfigResult = Type.Object({
  proxy: Open('The proxy the tables are for'),
  tables: Type.Array(
    Type.Object({ kind: Type.String(), headers: Type.Array(Type.String()), rows: Type.Array(Type.Array(Type.String())) }),
  ),
  text: Type.String({ description: 'The tables as `istioctl proxy-config` prints them' }),
  warnings: Type.Array(Type.String()),
});

export const TranslateResult = Type.Object(
  { proxies: Type.Array(Open('A proxy with its Envoy /config_dump')), warnings: Type.Array(Type.String()) },
  { additionalProperties: true },
);
export const TraceResult = Type.Object(
  {
    flow: Type.String(),
    hops: Type.Array(Open('One Envoy on the way: listener, filter chain, route, cluster, endpoint, steps')),
    error: Type.Union([Open(), Type.Null()]),
    warnings: Type.Optional(Type.Array(Type.String())),
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
  },
  { description: 'RFC 9457 problem document' },
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

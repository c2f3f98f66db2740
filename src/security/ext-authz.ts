// MeshConfig extensionProviders of kind envoyExtAuthzHttp / envoyExtAuthzGrpc as the ext_authz filters of a
// CUSTOM AuthorizationPolicy (pilot/pkg/security/authz/builder/extauthz.go processExtensionProvider,
// buildExtAuthzHTTP/GRPC, generateHTTPConfig/GRPCConfig; pkg/config/validation/agent/extensionprovider.go).

import type { MeshIndex } from '../mesh/types.js';
import { isPortNumber } from '../util/ports.js';
import { exactMatcher, prefixMatcher, suffixMatcher } from './matchers.js';

/** The prefix of CUSTOM policy names and of the metadata the shadow RBAC filter writes for ext_authz. */
export const EXT_AUTHZ_MATCH_PREFIX = 'istio-ext-authz';
export const EXT_AUTHZ_STAT_PREFIX = 'istio_ext_authz_';

export interface ExtAuthzProvider {
  /** envoy.filters.http.ext_authz typed_config, without filter_enabled_metadata. */
  http?: Record<string, unknown>;
  /** envoy.filters.network.ext_authz typed_config (gRPC providers only). */
  tcp?: Record<string, unknown>;
  /** Why the provider cannot be used: its CUSTOM policies then deny. */
  errors: string[];
}

/** Envoy's type.v3.StatusCode names: statusOnError must be one of them. */
const STATUS_NAMES: Record<number, string> = {
  100: 'Continue', 200: 'OK', 201: 'Created', 202: 'Accepted', 203: 'NonAuthoritativeInformation', 204: 'NoContent',
  205: 'ResetContent', 206: 'PartialContent', 207: 'MultiStatus', 208: 'AlreadyReported', 226: 'IMUsed',
  300: 'MultipleChoices', 301: 'MovedPermanently', 302: 'Found', 303: 'SeeOther', 304: 'NotModified', 305: 'UseProxy',
  307: 'TemporaryRedirect', 308: 'PermanentRedirect', 400: 'BadRequest', 401: 'Unauthorized', 402: 'PaymentRequired',
  403: 'Forbidden', 404: 'NotFound', 405: 'MethodNotAllowed', 406: 'NotAcceptable', 407: 'ProxyAuthenticationRequired',
  408: 'RequestTimeout', 409: 'Conflict', 410: 'Gone', 411: 'LengthRequired', 412: 'PreconditionFailed', 413: 'PayloadTooLarge',
  414: 'URITooLong', 415: 'UnsupportedMediaType', 416: 'RangeNotSatisfiable', 417: 'ExpectationFailed', 421: 'MisdirectedRequest',
  422: 'UnprocessableEntity', 423: 'Locked', 424: 'FailedDependency', 426: 'UpgradeRequired', 428: 'PreconditionRequired',
  429: 'TooManyRequests', 431: 'RequestHeaderFieldsTooLarge', 500: 'InternalServerError', 501: 'NotImplemented', 502: 'BadGateway',
  503: 'ServiceUnavailable', 504: 'GatewayTimeout', 505: 'HTTPVersionNotSupported', 506: 'VariantAlsoNegotiates',
  507: 'InsufficientStorage', 508: 'LoopDetected', 510: 'NotExtended', 511: 'NetworkAuthenticationRequired',
};

/** model.LookupCluster: "<namespace>/<host>", or a host defined in exactly one namespace. */
export function lookupCluster(index: MeshIndex, service: string, port: number): { hostname: string; cluster: string } | string {
  if (!service) return 'service must not be empty';
  const parts = service.split('/');
  const services = index.servicesByHost.get(parts.length === 2 ? parts[1] : service) ?? [];
  const found =
    parts.length === 2
      ? services.find((s) => s.namespace === parts[0])
      : new Set(services.map((s) => s.namespace)).size === 1
        ? services[0]
        : undefined;
  if (!found) {
    if (parts.length !== 2 && services.length > 1)
      return `found ${service} in multiple namespaces, specify the namespace explicitly in the format of <Namespace>/<Hostname>`;
    return `could not find service ${service} in Istio service registry`;
  }
  return { hostname: found.hostname, cluster: `outbound|${port}||${found.hostname}` };
}


function statusOnError(status: unknown, errors: string[]): Record<string, unknown> | undefined {
  if (status === undefined || status === '') return undefined;
  const code = Number(status);
  const name = Number.isInteger(code) ? STATUS_NAMES[code] : undefined;
  if (!name) {
    errors.push(`unsupported statusOnError ${String(status)}`);
    return undefined;
  }
  return { code: name };
}

/** generateHeaders: "*x" suffix, "x*" prefix, else exact, all ignoring case. */
function headerList(headers: unknown): Record<string, unknown> | undefined {
  if (!Array.isArray(headers) || headers.length === 0) return undefined;
  return {
    patterns: headers.map((h: string) =>
      h.startsWith('*') ? suffixMatcher(h.slice(1), true) : h.endsWith('*') ? prefixMatcher(h.slice(0, -1), true) : exactMatcher(h, true),
    ),
  };
}

function requestBody(body: any): Record<string, unknown> | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const out: Record<string, unknown> = {};
  if (body.maxRequestBytes) out.max_request_bytes = body.maxRequestBytes;
  if (body.allowPartialMessage) out.allow_partial_message = true;
  if (body.packAsBytes) out.pack_as_bytes = true;
  return out;
}

/** The metadata the CUSTOM shadow RBAC filter sets when one of the provider's policies matched. */
export const filterEnabledMetadata = (rbacFilter: string, provider: string): Record<string, unknown> => ({
  filter: rbacFilter,
  path: [{ key: `${EXT_AUTHZ_STAT_PREFIX}shadow_effective_policy_id` }],
  value: { string_match: { prefix: `${EXT_AUTHZ_MATCH_PREFIX}-${provider}` } },
});

/** validateProviderName: a DNS-1123 label, since it goes into metadata keys and policy names. */
function providerNameProblem(name: string): string | undefined {
  if (name.length > 63) return `provider name too long (max 63 characters): ${name.length}`;
  if (!/^[a-z0-9-]+$/.test(name)) return `invalid provider name ${JSON.stringify(name)}: only lowercase letters, digits, and hyphens allowed`;
  if (name.startsWith('-') || name.endsWith('-')) return `invalid provider name ${JSON.stringify(name)}: cannot start or end with hyphen`;
  return undefined;
}

function httpProvider(index: MeshIndex, c: any, errors: string[]): ExtAuthzProvider['http'] {
  if (!isPortNumber(c.port)) errors.push(`port must be in the range [1, 65535], found: ${c.port}`);
  const found = lookupCluster(index, String(c.service ?? ''), Number(c.port));
  if (typeof found === 'string') errors.push(found);
  const status = statusOnError(c.statusOnError, errors);
  if (c.pathPrefix && !String(c.pathPrefix).startsWith('/')) errors.push(`pathPrefix must begin with \`/\`, found: ${JSON.stringify(c.pathPrefix)}`);
  for (const field of ['includeRequestHeadersInCheck', 'includeHeadersInCheck', 'headersToDownstreamOnDeny', 'headersToDownstreamOnAllow', 'headersToUpstreamOnAllow']) {
    if (Array.isArray(c[field]) && c[field].includes('*')) errors.push(`a single wildcard ("*") is not supported, change it to either prefix or suffix match: ${field}`);
  }
  if (errors.length > 0 || typeof found === 'string') return undefined;
  const service: Record<string, unknown> = {
    server_uri: { uri: `http://${found.hostname}`, cluster: found.cluster, timeout: c.timeout ?? '600s' },
  };
  if (c.pathPrefix) service.path_prefix = c.pathPrefix;
  const additional = Object.keys(c.includeAdditionalHeadersInCheck ?? {}).sort();
  if (additional.length > 0) {
    service.authorization_request = { headers_to_add: additional.map((key) => ({ key, value: String(c.includeAdditionalHeadersInCheck[key]) })) };
  }
  if ([c.headersToUpstreamOnAllow, c.headersToDownstreamOnDeny, c.headersToDownstreamOnAllow].some((h) => Array.isArray(h) && h.length > 0)) {
    const response: Record<string, unknown> = {};
    const set = (k: string, v: unknown) => v !== undefined && (response[k] = v);
    set('allowed_upstream_headers', headerList(c.headersToUpstreamOnAllow));
    set('allowed_client_headers', headerList(c.headersToDownstreamOnDeny));
    set('allowed_client_headers_on_success', headerList(c.headersToDownstreamOnAllow));
    service.authorization_response = response;
  }
  const http: Record<string, unknown> = { '@type': 'type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthz' };
  if (status) http.status_on_error = status;
  if (c.failOpen) http.failure_mode_allow = true;
  http.transport_api_version = 'V3';
  http.http_service = service;
  const body = requestBody(c.includeRequestBodyInCheck);
  if (body) http.with_request_body = body;
  // includeHeadersInCheck is the deprecated name, read only when the new one is unset.
  const allowed = headerList(c.includeRequestHeadersInCheck) ?? headerList(c.includeHeadersInCheck);
  if (allowed) http.allowed_headers = allowed;
  return http;
}

function grpcProvider(index: MeshIndex, c: any, errors: string[]): Pick<ExtAuthzProvider, 'http' | 'tcp'> {
  if (!isPortNumber(c.port)) errors.push(`port must be in the range [1, 65535], found: ${c.port}`);
  const found = lookupCluster(index, String(c.service ?? ''), Number(c.port));
  if (typeof found === 'string') errors.push(found);
  const status = statusOnError(c.statusOnError, errors);
  if (errors.length > 0 || typeof found === 'string') return {};
  const grpc = { envoy_grpc: { cluster_name: found.cluster, authority: found.hostname }, timeout: c.timeout ?? '600s' };
  const http: Record<string, unknown> = { '@type': 'type.googleapis.com/envoy.extensions.filters.http.ext_authz.v3.ExtAuthz' };
  if (status) http.status_on_error = status;
  if (c.failOpen) http.failure_mode_allow = true;
  http.grpc_service = grpc;
  http.transport_api_version = 'V3';
  const body = requestBody(c.includeRequestBodyInCheck);
  if (body) http.with_request_body = body;
  const tcp: Record<string, unknown> = {
    '@type': 'type.googleapis.com/envoy.extensions.filters.network.ext_authz.v3.ExtAuthz',
    stat_prefix: 'tcp.',
    ...(c.failOpen ? { failure_mode_allow: true } : {}),
    transport_api_version: 'V3',
    grpc_service: grpc,
  };
  return { http, tcp };
}

/** processExtensionProvider: every ext_authz provider of the mesh by name, with the problems that make it unusable. */
export function extensionProviders(index: MeshIndex): Map<string, ExtAuthzProvider> {
  const resolved = new Map<string, ExtAuthzProvider>();
  const list = Array.isArray(index.mesh.extensionProviders) ? (index.mesh.extensionProviders as any[]) : [];
  list.forEach((config, i) => {
    const name = String(config?.name ?? '');
    const errors: string[] = [];
    if (name === '') errors.push(`extension provider name must not be empty, found empty at index: ${i}`);
    else if (resolved.has(name)) errors.push(`extension provider name must be unique, found duplicate: ${name}`);
    const nameProblem = name === '' ? undefined : providerNameProblem(name);
    if (nameProblem) errors.push(nameProblem);
    let built: Pick<ExtAuthzProvider, 'http' | 'tcp'>;
    if (config?.envoyExtAuthzHttp) built = { http: httpProvider(index, config.envoyExtAuthzHttp, errors) };
    else if (config?.envoyExtAuthzGrpc) built = grpcProvider(index, config.envoyExtAuthzGrpc, errors);
    else return;
    resolved.set(name, { ...(errors.length > 0 ? {} : built), errors });
  });
  return resolved;
}

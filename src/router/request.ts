// The request as Envoy's router sees it: pseudo-headers, the other headers (lower-case names, several
// values joined by ","), and the two inputs Envoy draws at random per request (route.h's
// RouteConfig::route(headers, stream_info, random_value)), which callers fix to make a choice repeatable.

export interface RouterRequest {
  /** :authority (Host). */
  host: string;
  /** :path, with its query string. */
  path: string;
  method: string;
  /** :scheme; x-forwarded-proto in `headers`, when set, is what require_tls and redirects read. */
  scheme: 'http' | 'https';
  headers: Map<string, string>;
  /** The random value Envoy draws for weighted clusters and runtime fractions; undefined: none drawn. */
  randomValue?: number;
  /** The downstream peer's address (for %DOWNSTREAM_REMOTE_ADDRESS% in header values). */
  remoteAddress?: string;
}

/** A header's value as Envoy's matchers read it, pseudo-headers included. */
export function headerValue(req: RouterRequest, name: string): string | undefined {
  switch (name) {
    case ':path':
      return req.path;
    case ':method':
      return req.method;
    case ':authority':
    case 'host':
      return req.host;
    case ':scheme':
      return req.scheme;
    default:
      return req.headers.get(name);
  }
}

/** x-forwarded-proto, else the scheme (Envoy's getForwardedProtoValue, which the HCM sets from the connection). */
export const forwardedProto = (req: RouterRequest): string => req.headers.get('x-forwarded-proto') ?? req.scheme;

/** x-envoy-internal: true (Envoy's isInternalRequest, for require_tls EXTERNAL_ONLY). */
export const isInternal = (req: RouterRequest): boolean => req.headers.get('x-envoy-internal') === 'true';

/** The path without its query string and fragment (Http::PathUtil::removeQueryAndFragment). */
export const pathOnly = (path: string): string => {
  const at = path.search(/[?#]/);
  return at < 0 ? path : path.slice(0, at);
};

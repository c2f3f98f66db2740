// Header mutations of a route, its virtual host and its route configuration
// (router/header_parser.cc HeaderParser::evaluateHeaders, RouteEntryImplBase::finalizeRequestHeaders /
// finalizeResponseHeaders): the most specific level first, so the route configuration's have the last word.

import type { HeaderValueOption, Route, RouteConfiguration, VirtualHost } from '../xds/envoy.js';

/** Header values by lower-case name; several values of one name are joined by "," as Envoy's header map reads them. */
export type HeaderMap = Map<string, string>;

interface Mutations {
  add?: HeaderValueOption[];
  remove?: string[];
}

/** %DOWNSTREAM_REMOTE_ADDRESS% and its _WITHOUT_PORT form; other command operators are left as written. */
const substitute = (value: string, remoteAddress: string): string =>
  value.replace(/%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%|%DOWNSTREAM_REMOTE_ADDRESS%/g, remoteAddress);

function apply(headers: HeaderMap, { add, remove }: Mutations, remoteAddress: string): void {
  for (const option of add ?? []) {
    const key = option.header.key.toLowerCase();
    const value = substitute(option.header.value ?? '', remoteAddress);
    // append (deprecated) defaults to true; append_action APPEND_IF_EXISTS_OR_ADD is its equivalent.
    const action = option.append_action ?? (option.append === false ? 'OVERWRITE_IF_EXISTS_OR_ADD' : 'APPEND_IF_EXISTS_OR_ADD');
    const existing = headers.get(key);
    if (action === 'APPEND_IF_EXISTS_OR_ADD') headers.set(key, existing === undefined ? value : `${existing},${value}`);
    else if (action === 'ADD_IF_ABSENT') {
      if (existing === undefined) headers.set(key, value);
    } else if (action === 'OVERWRITE_IF_EXISTS') {
      if (existing !== undefined) headers.set(key, value);
    } else headers.set(key, value);
  }
  for (const name of remove ?? []) headers.delete(name.toLowerCase());
}

/** Request header mutations of route, virtual host and route configuration, in that order. */
export function applyRequestHeaders(headers: HeaderMap, rc: RouteConfiguration, vh: VirtualHost, route: Route | undefined, remoteAddress: string): void {
  if (route) apply(headers, { add: route.request_headers_to_add, remove: route.request_headers_to_remove }, remoteAddress);
  apply(headers, { add: vh.request_headers_to_add, remove: vh.request_headers_to_remove }, remoteAddress);
  apply(headers, { add: rc.request_headers_to_add, remove: rc.request_headers_to_remove }, remoteAddress);
}

/** Response header mutations of route, virtual host and route configuration, in that order. */
export function applyResponseHeaders(headers: HeaderMap, rc: RouteConfiguration, vh: VirtualHost | undefined, route: Route | undefined, remoteAddress: string): void {
  if (route) apply(headers, { add: route.response_headers_to_add, remove: route.response_headers_to_remove }, remoteAddress);
  if (vh) apply(headers, { add: vh.response_headers_to_add, remove: vh.response_headers_to_remove }, remoteAddress);
  apply(headers, { add: rc.response_headers_to_add, remove: rc.response_headers_to_remove }, remoteAddress);
}

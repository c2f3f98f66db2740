// VirtualService `headers` → Envoy header operations
// (pilot/pkg/networking/core/route/route.go TranslateHeadersOperations, translateAppendHeaders).

import type { HeaderOperations, Headers } from '../../../mesh/istio-api.js';

export type { HeaderOperations, Headers };
export interface HeaderValueOption {
  header: { key: string; value?: string };
  append_action?: 'APPEND_IF_EXISTS_OR_ADD' | 'OVERWRITE_IF_EXISTS_OR_ADD';
}

export interface TranslatedHeaders {
  request_headers_to_add: HeaderValueOption[];
  response_headers_to_add: HeaderValueOption[];
  request_headers_to_remove: string[];
  response_headers_to_remove: string[];
  /** A :authority/host value to set, which Envoy does through host_rewrite_literal. */
  authority: string;
}

/** Pseudo-headers and host cannot be changed by header operations. */
const isInternalHeader = (key: string) => key.startsWith(':') || key.toLowerCase() === 'host';
const isAuthorityHeader = (key: string) => key.toLowerCase() === ':authority' || key.toLowerCase() === 'host';

function translateAppend(headers: Record<string, string> | undefined, append: boolean): { options: HeaderValueOption[]; authority: string } {
  let authority = '';
  const options: HeaderValueOption[] = [];
  for (const [key, value] of Object.entries(headers ?? {})) {
    if (isAuthorityHeader(key)) authority = value;
    if (isInternalHeader(key)) continue;
    const header = value === '' ? { key } : { key, value };
    // APPEND_IF_EXISTS_OR_ADD is the enum's zero value, so proto3 JSON omits it.
    options.push(append ? { header } : { header, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' });
  }
  options.sort((a, b) => (a.header.key < b.header.key ? -1 : a.header.key > b.header.key ? 1 : 0));
  return { options, authority };
}

export function translateHeaders(headers: Headers): TranslatedHeaders {
  const reqSet = translateAppend(headers.request?.set, false);
  const reqAdd = translateAppend(headers.request?.add, true);
  const respSet = translateAppend(headers.response?.set, false);
  const respAdd = translateAppend(headers.response?.add, true);
  return {
    request_headers_to_add: [...reqSet.options, ...reqAdd.options],
    response_headers_to_add: [...respSet.options, ...respAdd.options],
    request_headers_to_remove: (headers.request?.remove ?? []).filter((k) => !isInternalHeader(k)),
    response_headers_to_remove: (headers.response?.remove ?? []).filter((k) => !isInternalHeader(k)),
    authority: reqSet.authority || reqAdd.authority,
  };
}

/** Copy the non-empty header operations onto a route or weighted cluster entry. */
export function applyHeaderOperations(target: Record<string, unknown>, ops: TranslatedHeaders): void {
  const lists = ['request_headers_to_add', 'response_headers_to_add', 'request_headers_to_remove', 'response_headers_to_remove'] as const;
  for (const key of lists) {
    const incoming = ops[key] as unknown[];
    if (incoming.length === 0) continue;
    target[key] = [...((target[key] as unknown[] | undefined) ?? []), ...incoming];
  }
}

// Proto semantics over proto3 JSON, driven by Envoy's protos (src/envoy/protos.ts): reading an EnvoyFilter
// patch value into the message its applyTo names (istio pkg/config/xds BuildXDSObjectFromStruct, non-strict:
// camelCase or snake_case keys, unknown fields dropped), and istiod's proto merge (pkg/proto/merge/merge.go:
// lists append, map entries replace, Durations replace, scalars set only when populated) including
// MergeAnyWithAny (pilot/pkg/networking/util) for typed_config of filters and transport sockets.

import protobuf from 'protobufjs';
import { envoyMessageType, fieldsByJsonKey } from '../../envoy/protos.js';

type JsonObject = Record<string, unknown>;
const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
const fullName = (t: protobuf.ReflectionObject): string => t.fullName.replace(/^\./, '');
export const typeNameOf = (typeUrl: string): string => typeUrl.slice(typeUrl.lastIndexOf('/') + 1);

/** Types whose JSON is not an object of fields (so a merge replaces them whole, as the Duration exception and scalars do). */
const OPAQUE = new Set([
  'google.protobuf.Duration',
  'google.protobuf.Timestamp',
  'google.protobuf.FieldMask',
  'google.protobuf.Value',
  'google.protobuf.ListValue',
  'google.protobuf.Any',
]);
const WRAPPERS = new Set(['Double', 'Float', 'Int64', 'UInt64', 'Int32', 'UInt32', 'Bool', 'String', 'Bytes'].map((w) => `google.protobuf.${w}Value`));
/** Inside an Any, these carry their JSON under "value". */
const VALUE_IN_ANY = new Set([...OPAQUE, ...WRAPPERS, 'google.protobuf.Struct']);

/** A real oneof (not proto3 optional's synthetic one): setting one member clears the others. */
const realOneof = (f: protobuf.Field): protobuf.OneOf | undefined => (f.partOf && !f.partOf.name.startsWith('_') ? f.partOf : undefined);
/** Fields with presence are set even to their default value; the rest only when populated. */
const hasPresence = (f: protobuf.Field): boolean => f.partOf !== null && f.partOf !== undefined;

function isDefaultScalar(f: protobuf.Field, v: unknown): boolean {
  if (f.resolvedType instanceof protobuf.Enum) return v === 0 || (typeof v === 'string' && f.resolvedType.values[v] === 0);
  return v === '' || v === 0 || v === '0' || v === false || v === null;
}

// ---- reading a patch value ---------------------------------------------------------------------

/**
 * A patch value as the proto3 JSON of `typeName`, keys in proto (snake_case) spelling. Unknown keys are
 * dropped, as istiod's non-strict conversion drops them, and listed (by JSON path) for the report.
 */
export function readAs(typeName: string, value: unknown): { value: JsonObject; unknown: string[] } {
  const unknown: string[] = [];
  const type = envoyMessageType(typeName);
  const out = type ? normalizeMessage(type, value ?? {}, '$', unknown) : value;
  return { value: (isObject(out) ? out : {}) as JsonObject, unknown };
}

function normalizeMessage(type: protobuf.Type, json: unknown, at: string, unknown: string[]): unknown {
  const name = fullName(type);
  if (name === 'google.protobuf.Any') return normalizeAny(json, at, unknown);
  if (OPAQUE.has(name) || WRAPPERS.has(name) || name === 'google.protobuf.Struct' || !isObject(json)) return json;
  const index = fieldsByJsonKey(type);
  const out: JsonObject = {};
  for (const [key, v] of Object.entries(json)) {
    const field = index.get(key);
    if (!field) {
      unknown.push(`${at}.${key}`);
      continue;
    }
    out[field.name] = normalizeField(field, v, `${at}.${field.name}`, unknown);
  }
  // A TypedStruct's value is the JSON of the message it names.
  if ((name === 'udpa.type.v1.TypedStruct' || name === 'xds.type.v3.TypedStruct') && typeof out.type_url === 'string' && isObject(out.value)) {
    const inner = envoyMessageType(typeNameOf(out.type_url));
    if (inner) out.value = normalizeMessage(inner, out.value, `${at}.value`, unknown);
  }
  return out;
}

function normalizeField(field: protobuf.Field, v: unknown, at: string, unknown: string[]): unknown {
  const t = field.resolvedType;
  if (!(t instanceof protobuf.Type) || v === null) return v;
  if (field.map) return isObject(v) ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, normalizeMessage(t, x, `${at}[${JSON.stringify(k)}]`, unknown)])) : v;
  if (field.repeated) return Array.isArray(v) ? v.map((x, i) => normalizeMessage(t, x, `${at}[${i}]`, unknown)) : v;
  return normalizeMessage(t, v, at, unknown);
}

function normalizeAny(json: unknown, at: string, unknown: string[]): unknown {
  if (!isObject(json) || typeof json['@type'] !== 'string') return json;
  const typeName = typeNameOf(json['@type']);
  const type = envoyMessageType(typeName);
  if (!type || VALUE_IN_ANY.has(typeName)) return json;
  const { '@type': typeUrl, ...fields } = json;
  return { '@type': typeUrl, ...(normalizeMessage(type, fields, at, unknown) as JsonObject) };
}

// ---- merging ---------------------------------------------------------------------------------

export interface MergeOptions {
  /** MERGE_AND_REPLACE_LIST: a list in the patch replaces the list it meets. */
  replaceList?: boolean;
}

/**
 * merge.Merge(dst, src) for messages of `typeName` (both already read with readAs): dst's own fields are set,
 * nested messages are replaced by merged copies, so a shallow copy of a shared object can be merged into.
 */
export function mergeMessage(typeName: string, dst: JsonObject, src: JsonObject, options: MergeOptions = {}): void {
  const type = envoyMessageType(typeName);
  if (!type) {
    Object.assign(dst, src);
    return;
  }
  mergeInto(type, dst, src, options);
}

function mergeInto(type: protobuf.Type, dst: JsonObject, src: JsonObject, options: MergeOptions): void {
  const name = fullName(type);
  if (name === 'google.protobuf.Struct') {
    // Struct is map<string, Value>: entries replace.
    Object.assign(dst, structuredClone(src));
    return;
  }
  const index = fieldsByJsonKey(type);
  for (const [key, v] of Object.entries(src)) {
    const field = index.get(key);
    if (!field || v === null || v === undefined) continue;
    const set = (value: unknown) => {
      const oneof = realOneof(field);
      if (oneof) for (const other of oneof.fieldsArray) if (other !== field) delete dst[other.name];
      dst[field.name] = value;
    };
    const t = field.resolvedType;
    if (field.map) {
      if (isObject(v)) set({ ...(isObject(dst[field.name]) ? (dst[field.name] as JsonObject) : {}), ...structuredClone(v) });
    } else if (field.repeated) {
      if (!Array.isArray(v)) continue;
      const existing = !options.replaceList && Array.isArray(dst[field.name]) ? (dst[field.name] as unknown[]) : [];
      if (v.length > 0 || options.replaceList) set([...existing, ...structuredClone(v)]);
    } else if (t instanceof protobuf.Type) {
      const tn = fullName(t);
      if (WRAPPERS.has(tn)) {
        // A wrapper's value is a populated scalar only when not the default; the wrapper itself becomes present.
        if (!(field.name in dst) || !(v === 0 || v === false || v === '' || v === '0')) set(v);
      } else if (OPAQUE.has(tn) || !isObject(v)) {
        set(structuredClone(v));
      } else {
        // Copy on write: the message merged into is a new object, so dst's nested objects stay as they were.
        const into = isObject(dst[field.name]) ? { ...(dst[field.name] as JsonObject) } : {};
        mergeInto(t, into, v, options);
        set(into);
      }
    } else if (hasPresence(field) || !isDefaultScalar(field, v)) {
      set(v);
    }
  }
}

/**
 * MergeAnyWithAny: both Anys unpacked, merged as their message, packed again. The two must be of one type:
 * istiod's merge panics on a mismatch (and its recovery leaves the proxy's patches of that kind half done),
 * so a mismatch is returned as a problem instead.
 */
export function mergeAny(dst: JsonObject, src: JsonObject, options: MergeOptions = {}): { value?: JsonObject; problem?: string } {
  const dstType = typeof dst['@type'] === 'string' ? typeNameOf(dst['@type']) : '';
  const srcType = typeof src['@type'] === 'string' ? typeNameOf(src['@type']) : '';
  if (dstType !== srcType) {
    return { problem: `typed_config of type ${srcType || '(none)'} cannot be merged into one of type ${dstType || '(none)'}: istiod's merge panics on differing types` };
  }
  const out = { ...dst };
  if (VALUE_IN_ANY.has(dstType)) {
    if (dstType === 'google.protobuf.Struct' && isObject(out.value) && isObject(src.value)) out.value = { ...out.value, ...structuredClone(src.value) };
    else out.value = structuredClone(src.value);
    return { value: out };
  }
  const { '@type': _t, ...fields } = src;
  mergeMessage(dstType, out, fields as JsonObject, options);
  return { value: out };
}

// proto3 JSON allows a field as its proto name (filter_chains, what Envoy prints) or its lowerCamelCase
// JSON name (filterChains, what Go's jsonpb and istioctl's testdata use). Without the protos at hand we
// turn camelCase keys into proto names, except where the keys are data, not fields: google.protobuf.Struct
// values (node metadata, build metadata, filter_metadata's entries, a TypedStruct's value, a transport
// socket match's criteria, a JSON access log format, a runtime layer).

const CAMEL = /^[a-z][a-z0-9]*(?:[A-Z][a-z0-9]*)+$/;

const protoName = (key: string): string => (CAMEL.test(key) ? key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`) : key);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** core.v3.Metadata's two maps; any other "metadata" object is a Struct (Node.metadata, BuildVersion.metadata). */
const METADATA_MAPS = new Set(['filter_metadata', 'typed_filter_metadata']);

function metadata(value: Record<string, unknown>): Record<string, unknown> {
  const keys = Object.keys(value).map(protoName);
  if (keys.length === 0 || !keys.every((k) => METADATA_MAPS.has(k))) return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => {
      const name = protoName(k);
      // filter_metadata: namespace → Struct (kept); typed_filter_metadata: namespace → Any (a message).
      if (!isObject(v)) return [name, v];
      return [name, name === 'filter_metadata' ? v : Object.fromEntries(Object.entries(v).map(([ns, any]) => [ns, withProtoNames(any)]))];
    }),
  );
}

/** Struct-valued fields wherever they appear, by proto name. */
const STRUCT_FIELDS = new Set(['json_format', 'static_layer', 'struct_value']);

/** Whether any field (outside Struct values) has its JSON name: a walk that allocates nothing and stops at the first. */
function hasJsonNames(value: unknown, parent = ''): boolean {
  if (Array.isArray(value)) return value.some((v) => hasJsonNames(v, parent));
  if (!isObject(value)) return false;
  const typedStruct = typeof value['@type'] === 'string' && value['@type'].endsWith('.TypedStruct');
  for (const [k, v] of Object.entries(value)) {
    if (CAMEL.test(k)) return true;
    if (k === 'metadata' && isObject(v)) {
      const keys = Object.keys(v);
      // A core.v3.Metadata: its two map fields' names, then the Any messages of typed_filter_metadata.
      if (keys.length && keys.every((m) => METADATA_MAPS.has(protoName(m)))) {
        if (keys.some((m) => CAMEL.test(m))) return true;
        if (isObject(v.typed_filter_metadata) && Object.values(v.typed_filter_metadata).some((any) => hasJsonNames(any))) return true;
      }
      continue;
    }
    if (STRUCT_FIELDS.has(k) || (typedStruct && k === 'value') || (parent === 'transport_socket_matches' && k === 'match')) continue;
    if (hasJsonNames(v, k)) return true;
  }
  return false;
}

/** The value with every field under its proto name: itself when it has no JSON names (what Envoy prints), else a converted copy. */
export const inProtoNames = (value: unknown): unknown => (hasJsonNames(value) ? withProtoNames(value) : value);

/** A copy of a proto3 JSON value with every field under its proto name. Objects already in proto names come back equal. */
function withProtoNames(value: unknown, parent = ''): unknown {
  if (Array.isArray(value)) return value.map((v) => withProtoNames(v, parent));
  if (!isObject(value)) return value;
  const typedStruct = typeof value['@type'] === 'string' && value['@type'].endsWith('.TypedStruct');
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => {
      const name = protoName(k);
      if (name === 'metadata' && isObject(v)) return [name, metadata(v)];
      if (STRUCT_FIELDS.has(name) || (typedStruct && name === 'value') || (parent === 'transport_socket_matches' && name === 'match')) return [name, v];
      return [name, withProtoNames(v, name)];
    }),
  );
}

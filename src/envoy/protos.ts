// Strict check of generated Envoy resources against Envoy's published v3 protos (shipped by
// @grpc/grpc-js-xds). We walk protobufjs' reflection types over the proto3 JSON ourselves:
// protobufjs' fromObject ignores unknown fields, and its protojson parser stops at the first error,
// names no JSON path, and cannot leave Istio-only extension types aside while checking the rest.

import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import protobuf from 'protobufjs';
import { NEWER_THAN_SHIPPED_PROTOS, RELAXED_VALIDATE_RULES, uncheckableReason, type NewerField } from './proto-exceptions.js';

export interface EnvoyCheckResult {
  /** "<JSON path>: <what is wrong>", in document order. */
  errors: string[];
  /** Extension types (by proto name) that no shipped proto describes, sorted: their contents are not checked. */
  unchecked: string[];
  /** How many messages of each type were decoded from an Any or TypedStruct, by proto name. */
  checked: Record<string, number>;
}

// Found through Node's resolution, so the check works wherever the packages are installed.
const packageDir = (name: string): string => path.dirname(createRequire(import.meta.url).resolve(`${name}/package.json`));
const depsDir = path.join(packageDir('@grpc/grpc-js-xds'), 'deps');
const importRoots = [
  path.join(depsDir, 'envoy-api'),
  path.join(depsDir, 'xds'),
  path.join(depsDir, 'googleapis'),
  path.join(depsDir, 'protoc-gen-validate'),
  // google/protobuf/descriptor.proto (imported by the annotation protos) comes with protobufjs.
  packageDir('protobufjs'),
];
/** Well-known types protobufjs bundles itself. */
const bundledImport = /^google\/protobuf\/(any|duration|timestamp|empty|struct|wrappers|field_mask)\.proto$/;
/** Loaded besides the v3 protos: the older TypedStruct wrapper Istio uses for its own extensions. */
const extraProtos = ['udpa/type/v1/typed_struct.proto'];

const locate = (importPath: string): string | undefined =>
  importRoots.map((dir) => path.join(dir, importPath)).find((file) => fs.existsSync(file));

const importsOf = (file: string): string[] =>
  [...fs.readFileSync(file, 'utf8').matchAll(/^import\s+(?:public\s+|weak\s+)?"([^"]+)";/gm)].map((m) => m[1]);

/** The first import (transitively) that is not shipped, if any. */
function missingImport(importPath: string, seen: Set<string>): string | undefined {
  if (seen.has(importPath) || bundledImport.test(importPath)) return undefined;
  seen.add(importPath);
  const file = locate(importPath);
  if (!file) return importPath;
  for (const dep of importsOf(file)) {
    const missing = missingImport(dep, seen);
    if (missing) return missing;
  }
  return undefined;
}

/** Every v3 proto under envoy/ (Envoy's API) and xds/ (the xDS types it builds on, e.g. matchers). */
function listV3Protos(): string[] {
  const found: string[] = [];
  const walk = (base: string, dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(base, full);
      else if (entry.name.endsWith('.proto') && full.includes(`${path.sep}v3${path.sep}`)) found.push(path.relative(base, full));
    }
  };
  walk(path.join(depsDir, 'envoy-api'), path.join(depsDir, 'envoy-api/envoy'));
  walk(path.join(depsDir, 'xds'), path.join(depsDir, 'xds/xds'));
  return found.sort();
}

export interface LoadedProtos {
  root: protobuf.Root;
  /** v3 files left out because an import they need is not shipped, with that import. */
  skipped: { file: string; missingImport: string }[];
}

let loaded: LoadedProtos | undefined;

/** Every loadable v3 proto of Envoy and xDS, loaded once per process. */
export function envoyProtos(): LoadedProtos {
  if (loaded) return loaded;
  const files: string[] = [];
  const skipped: LoadedProtos['skipped'] = [];
  for (const file of [...listV3Protos(), ...extraProtos]) {
    const missing = missingImport(file, new Set());
    if (missing) skipped.push({ file, missingImport: missing });
    else files.push(file);
  }
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => locate(target) ?? target;
  root.loadSync(files, { keepCase: true });
  loaded = { root, skipped };
  return loaded;
}

// ---- the walk -------------------------------------------------------------------------------

interface Walk {
  errors: string[];
  unchecked: Set<string>;
  checked: Map<string, number>;
}

type Rules = Record<string, any>;
type Json = unknown;

/** A repeated option holding one value is parsed as that value. */
const asList = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const isObject = (v: Json): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);
const show = (v: Json): string => {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 57)}...` : s;
};
/** The proto name in a type URL (type.googleapis.com/envoy.x.v3.Y: envoy.x.v3.Y). */
const shortTypeName = (typeUrl: string): string => typeUrl.slice(typeUrl.lastIndexOf('/') + 1);
const jsonName = (protoName: string): string => protoName.replace(/_(.)/g, (_, c: string) => c.toUpperCase());
const fullName = (t: protobuf.ReflectionObject): string => t.fullName.replace(/^\./, '');
const memberPath = (at: string, key: string): string => (/^[A-Za-z_@][\w@]*$/.test(key) ? `${at}.${key}` : `${at}[${JSON.stringify(key)}]`);

const TYPED_STRUCTS = new Set(['udpa.type.v1.TypedStruct', 'xds.type.v3.TypedStruct']);
const WRAPPERS: Record<string, string> = {
  'google.protobuf.DoubleValue': 'double',
  'google.protobuf.FloatValue': 'float',
  'google.protobuf.Int64Value': 'int64',
  'google.protobuf.UInt64Value': 'uint64',
  'google.protobuf.Int32Value': 'int32',
  'google.protobuf.UInt32Value': 'uint32',
  'google.protobuf.BoolValue': 'bool',
  'google.protobuf.StringValue': 'string',
  'google.protobuf.BytesValue': 'bytes',
};
/** Types whose proto3 JSON is not an object of fields: inside an Any they sit under "value". */
const SPECIAL_JSON = new Set([
  ...Object.keys(WRAPPERS),
  'google.protobuf.Duration',
  'google.protobuf.Timestamp',
  'google.protobuf.FieldMask',
  'google.protobuf.Struct',
  'google.protobuf.Value',
  'google.protobuf.ListValue',
]);

const fieldIndex = new WeakMap<protobuf.Type, Map<string, protobuf.Field>>();
/** A message's fields by proto name and by JSON name (both spellings proto3 JSON accepts). */
export function fieldsByJsonKey(type: protobuf.Type): Map<string, protobuf.Field> {
  let index = fieldIndex.get(type);
  if (!index) {
    index = new Map();
    for (const field of type.fieldsArray) {
      index.set(field.name, field);
      index.set((field.options?.json_name as string | undefined) ?? jsonName(field.name), field);
    }
    fieldIndex.set(type, index);
  }
  return index;
}

const rulesCache = new WeakMap<protobuf.Field, Rules | undefined>();

/** protoc-gen-validate rules of a field, merged from every `(validate.rules)` option, less those Envoy dropped since. */
function validateRules(field: protobuf.Field): Rules | undefined {
  if (rulesCache.has(field)) return rulesCache.get(field);
  const parts = (field.parsedOptions as Rules[] | null | undefined)?.flatMap((o) => (o['(validate.rules)'] ? [o['(validate.rules)']] : []));
  const merge = (a: Rules, b: Rules): Rules => {
    const out: Rules = { ...a };
    for (const [k, v] of Object.entries(b)) out[k] = isObject(v) && isObject(out[k]) ? merge(out[k], v) : v;
    return out;
  };
  const rules = parts?.length ? structuredClone(parts).reduce(merge, {}) : undefined;
  const owner = fullName(field.parent!);
  for (const relaxed of RELAXED_VALIDATE_RULES.filter((r) => r.message === owner && r.field === field.name)) {
    const keys = relaxed.rule.split('.');
    const holder = keys.slice(0, -1).reduce<Rules | undefined>((r, k) => r?.[k], rules);
    if (holder) delete holder[keys[keys.length - 1]];
  }
  rulesCache.set(field, rules);
  return rules;
}

/** Duration JSON ("1.5s") in nanoseconds, or undefined if malformed. */
function durationNanos(value: string): bigint | undefined {
  const m = /^(-)?(\d+)(?:\.(\d{1,9}))?s$/.exec(value);
  if (!m) return undefined;
  const seconds = BigInt(m[2]);
  if (seconds > 315576000000n) return undefined;
  const nanos = seconds * 1_000_000_000n + BigInt((m[3] ?? '').padEnd(9, '0'));
  return m[1] ? -nanos : nanos;
}
const durationRuleNanos = (d: Rules): bigint => BigInt(d.seconds ?? 0) * 1_000_000_000n + BigInt(d.nanos ?? 0);

/** protoc-gen-validate's well-known header regexes; non-strict forbids only NUL, CR and LF. */
function wellKnownRegex(name: string, strict: boolean): RegExp | undefined {
  if (name !== 'HTTP_HEADER_NAME' && name !== 'HTTP_HEADER_VALUE') return undefined;
  if (!strict) return /^[^\u0000\u000A\u000D]*$/;
  return name === 'HTTP_HEADER_NAME' ? /^:?[0-9a-zA-Z!#$%&'*+-.^_|~`]+$/ : /^[^\u0000-\u0008\u000A-\u001F\u007F]*$/;
}

const INT_RANGE: Record<string, [bigint, bigint]> = {
  int32: [-(2n ** 31n), 2n ** 31n - 1n],
  sint32: [-(2n ** 31n), 2n ** 31n - 1n],
  sfixed32: [-(2n ** 31n), 2n ** 31n - 1n],
  uint32: [0n, 2n ** 32n - 1n],
  fixed32: [0n, 2n ** 32n - 1n],
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
  sint64: [-(2n ** 63n), 2n ** 63n - 1n],
  sfixed64: [-(2n ** 63n), 2n ** 63n - 1n],
  uint64: [0n, 2n ** 64n - 1n],
  fixed64: [0n, 2n ** 64n - 1n],
};

class Checker {
  constructor(
    private readonly root: protobuf.Root,
    private readonly walk: Walk,
  ) {}

  private error(at: string, message: string): void {
    this.walk.errors.push(`${at}: ${message}`);
  }

  private lookupType(name: string): protobuf.Type | undefined {
    try {
      const found = this.root.lookup(name);
      return found instanceof protobuf.Type ? found : undefined;
    } catch {
      return undefined;
    }
  }

  message(type: protobuf.Type, json: Json, at: string): void {
    const name = fullName(type);
    if (name === 'google.protobuf.Any') return this.any(json, at);
    if (name in WRAPPERS) return void this.scalar(WRAPPERS[name], json, at);
    switch (name) {
      case 'google.protobuf.Duration':
        if (typeof json !== 'string' || durationNanos(json) === undefined) this.error(at, `invalid Duration ${show(json)} (want e.g. "1.5s")`);
        return;
      case 'google.protobuf.Timestamp':
        if (typeof json !== 'string' || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d:\d\d)$/.test(json)) this.error(at, `invalid Timestamp ${show(json)}`);
        return;
      case 'google.protobuf.FieldMask':
        if (typeof json !== 'string') this.error(at, `invalid FieldMask ${show(json)}`);
        return;
      case 'google.protobuf.Struct':
        if (!isObject(json)) this.error(at, `expected an object (Struct), got ${show(json)}`);
        return;
      case 'google.protobuf.ListValue':
        if (!Array.isArray(json)) this.error(at, `expected an array (ListValue), got ${show(json)}`);
        return;
      case 'google.protobuf.Value':
        return;
    }
    if (!isObject(json)) return this.error(at, `expected an object (${name}), got ${show(json)}`);
    this.fields(type, json, at);
    if (TYPED_STRUCTS.has(name)) this.typedStructContents(json, at);
  }

  private fields(type: protobuf.Type, json: Record<string, Json>, at: string): void {
    const name = fullName(type);
    const index = fieldsByJsonKey(type);
    const present = new Map<protobuf.Field, string>();
    const oneofSet = new Map<string, string>();
    for (const [key, value] of Object.entries(json)) {
      const where = memberPath(at, key);
      const field = index.get(key);
      if (!field) {
        const newer = NEWER_THAN_SHIPPED_PROTOS.find((f) => f.message === name && (f.field === key || jsonName(f.field) === key));
        if (newer) this.newerField(newer, value, where);
        else this.error(where, `unknown field "${key}" in ${name}`);
        continue;
      }
      if (present.has(field)) {
        this.error(where, `field ${field.name} set twice (as "${present.get(field)}" and "${key}")`);
        continue;
      }
      // null is the default value in proto3 JSON, except for google.protobuf.Value (null_value).
      if (value === null && field.type !== 'google.protobuf.Value') continue;
      present.set(field, key);
      const oneof = field.partOf;
      if (oneof) {
        const other = oneofSet.get(oneof.name);
        if (other) this.error(where, `oneof ${oneof.name} of ${name} already set by "${other}"`);
        oneofSet.set(oneof.name, key);
      }
      if (field.options?.['(envoy.annotations.disallowed_by_default)'] === true) {
        this.error(where, `${name}.${field.name} is deprecated and disallowed by default in Envoy`);
      }
      this.field(field, value, where);
    }
    this.absentFields(type, present, at);
    for (const oneof of type.oneofsArray) {
      if (oneof.options?.['(validate.required)'] === true && !oneofSet.has(oneof.name)) {
        this.error(at, `one of ${oneof.fieldsArray.map((f) => f.name).join(', ')} is required in ${name} (oneof ${oneof.name})`);
      }
    }
  }

  /** protoc-gen-validate checks the default value of a field that is absent. */
  private absentFields(type: protobuf.Type, present: Map<protobuf.Field, string>, at: string): void {
    for (const field of type.fieldsArray) {
      // Rules on a member of a oneof (or a proto3 optional) apply only when it is set.
      if (present.has(field) || field.partOf) continue;
      const rules = validateRules(field);
      if (!rules) continue;
      const where = `${at}.${field.name}`;
      if (rules.message?.required) {
        this.error(where, `required field ${field.name} of ${fullName(type)} is missing`);
      } else if (field.repeated || field.map) {
        if (Number(rules.repeated?.min_items ?? 0) > 0 || Number(rules.map?.min_pairs ?? 0) > 0) {
          this.error(where, `required field ${field.name} of ${fullName(type)} is missing (needs at least one entry)`);
        }
      } else if (!(field.resolvedType instanceof protobuf.Type)) {
        const defaultValue = field.resolvedType instanceof protobuf.Enum ? 0 : field.type === 'bool' ? false : field.type === 'string' || field.type === 'bytes' ? '' : 0;
        const problem = this.ruleProblem(field.type, rules, defaultValue);
        if (problem) this.error(where, `${field.name} of ${fullName(type)} is missing: ${problem}`);
      }
    }
  }

  private field(field: protobuf.Field, value: Json, at: string): void {
    const rules = validateRules(field);
    if (field instanceof protobuf.MapField) {
      if (!isObject(value)) return this.error(at, `expected an object (map), got ${show(value)}`);
      for (const [key, item] of Object.entries(value)) {
        const where = memberPath(at, key);
        this.mapKey(field.keyType, key, where);
        this.single(field, item, where, undefined);
      }
      const pairs = Object.keys(value).length;
      if (rules?.map?.min_pairs !== undefined && pairs < Number(rules.map.min_pairs)) this.error(at, `needs at least ${rules.map.min_pairs} entries`);
      return;
    }
    if (field.repeated) {
      if (!Array.isArray(value)) return this.error(at, `expected an array, got ${show(value)}`);
      value.forEach((item, i) => {
        if (item === null) this.error(`${at}[${i}]`, 'null is not allowed in a repeated field');
        else this.single(field, item, `${at}[${i}]`, rules?.repeated?.items);
      });
      const repeatedRules = rules?.repeated;
      if (repeatedRules?.min_items !== undefined && value.length < Number(repeatedRules.min_items)) this.error(at, `needs at least ${repeatedRules.min_items} items, has ${value.length}`);
      if (repeatedRules?.max_items !== undefined && value.length > Number(repeatedRules.max_items)) this.error(at, `allows at most ${repeatedRules.max_items} items, has ${value.length}`);
      return;
    }
    this.single(field, value, at, rules);
  }

  private single(field: protobuf.Field, value: Json, at: string, rules: Rules | undefined): void {
    const resolved = field.resolvedType;
    if (resolved instanceof protobuf.Type) {
      this.message(resolved, value, at);
      this.messageRules(fullName(resolved), value, at, rules);
    } else if (resolved instanceof protobuf.Enum) {
      const number = this.enumValue(resolved, value, at);
      if (number !== undefined && rules?.enum) {
        const problem = this.ruleProblem('enum', rules, number, resolved);
        if (problem) this.error(at, problem);
      }
    } else {
      const parsed = this.scalar(field.type, value, at);
      if (parsed !== undefined && rules) {
        const problem = this.ruleProblem(field.type, rules, parsed);
        if (problem) this.error(at, problem);
      }
    }
  }

  /** Rules on a set message field: Duration bounds, rules on a wrapper's value. */
  private messageRules(typeName: string, value: Json, at: string, rules: Rules | undefined): void {
    if (!rules) return;
    if (typeName === 'google.protobuf.Duration' && rules.duration && typeof value === 'string') {
      const nanos = durationNanos(value);
      if (nanos === undefined) return;
      const d = rules.duration;
      const bound = (k: string): bigint | undefined => (d[k] ? durationRuleNanos(d[k]) : undefined);
      const [lt, lte, gt, gte] = [bound('lt'), bound('lte'), bound('gt'), bound('gte')];
      if ((lt !== undefined && !(nanos < lt)) || (lte !== undefined && !(nanos <= lte)) || (gt !== undefined && !(nanos > gt)) || (gte !== undefined && !(nanos >= gte))) {
        this.error(at, `Duration ${value} out of the allowed range ${JSON.stringify(d)}`);
      }
    } else if (typeName in WRAPPERS) {
      const parsed = this.parseScalar(WRAPPERS[typeName], value);
      const problem = parsed === undefined ? undefined : this.ruleProblem(WRAPPERS[typeName], rules, parsed);
      if (problem) this.error(at, problem);
    }
  }

  private any(json: Json, at: string): void {
    if (!isObject(json)) return this.error(at, `expected an object (Any), got ${show(json)}`);
    const typeUrl = json['@type'];
    if (typeUrl === undefined && Object.keys(json).length === 0) return;
    if (typeof typeUrl !== 'string') return this.error(at, `Any without a string "@type"`);
    const { '@type': _typeUrl, ...rest } = json;
    const typeName = shortTypeName(typeUrl);
    if (!this.resolve(typeName, `${at}["@type"]`)) return;
    const type = this.lookupType(typeName)!;
    if (SPECIAL_JSON.has(typeName)) {
      const extra = Object.keys(rest).filter((k) => k !== 'value');
      for (const key of extra) this.error(memberPath(at, key), `unknown field "${key}" in Any of ${typeName} (only "value")`);
      this.message(type, rest.value, memberPath(at, 'value'));
    } else {
      this.message(type, rest, at);
    }
  }

  /** A type named by an Any or a TypedStruct: true if it is an Envoy type to check now. */
  private resolve(typeName: string, at: string): boolean {
    if (this.lookupType(typeName)) {
      this.walk.checked.set(typeName, (this.walk.checked.get(typeName) ?? 0) + 1);
      return true;
    }
    if (uncheckableReason(typeName)) this.walk.unchecked.add(typeName);
    else this.error(at, `unresolvable type "${typeName}": in no shipped Envoy proto and not a known Istio-only type`);
    return false;
  }

  /** A TypedStruct carries its message as JSON in "value": check it as that message. */
  private typedStructContents(json: Record<string, Json>, at: string): void {
    const typeUrl = json.type_url ?? json.typeUrl;
    if (typeof typeUrl !== 'string' || typeUrl === '') return this.error(at, 'TypedStruct without type_url');
    const typeName = shortTypeName(typeUrl);
    if (!this.resolve(typeName, memberPath(at, 'type_url'))) return;
    this.message(this.lookupType(typeName)!, json.value ?? {}, memberPath(at, 'value'));
  }

  private newerField(newer: NewerField, value: Json, at: string): void {
    if (newer.valueType in INT_RANGE || ['bool', 'string', 'bytes', 'double', 'float'].includes(newer.valueType)) {
      this.scalar(newer.valueType, value, at);
      return;
    }
    const type = this.lookupType(newer.valueType);
    if (!type) return this.error(at, `allow-list names unknown type ${newer.valueType}`);
    this.message(type, value, at);
  }

  private enumValue(type: protobuf.Enum, value: Json, at: string): number | undefined {
    if (typeof value === 'string') {
      if (!(value in type.values)) {
        this.error(at, `unknown enum value "${value}" of ${fullName(type)}`);
        return undefined;
      }
      if (type.valuesOptions?.[value]?.['(envoy.annotations.disallowed_by_default_enum)'] === true) {
        this.error(at, `enum value ${value} of ${fullName(type)} is deprecated and disallowed by default in Envoy`);
      }
      return type.values[value];
    }
    if (typeof value === 'number' && Number.isInteger(value)) return value;
    this.error(at, `expected an enum name of ${fullName(type)}, got ${show(value)}`);
    return undefined;
  }

  private mapKey(keyType: string, key: string, at: string): void {
    if (keyType === 'string') return;
    if (keyType === 'bool' ? key !== 'true' && key !== 'false' : this.parseScalar(keyType, key) === undefined) {
      this.error(at, `invalid ${keyType} map key ${JSON.stringify(key)}`);
    }
  }

  /** Checks a scalar's proto3 JSON form; returns its value (bigint for integers) for rule checks. */
  private scalar(type: string, value: Json, at: string): bigint | number | string | boolean | undefined {
    const parsed = this.parseScalar(type, value);
    if (parsed === undefined) this.error(at, `expected ${type}, got ${show(value)}`);
    return parsed;
  }

  private parseScalar(type: string, value: Json): bigint | number | string | boolean | undefined {
    const range = INT_RANGE[type];
    if (range) {
      let n: bigint;
      if (typeof value === 'number' && Number.isInteger(value)) n = BigInt(value);
      else if (typeof value === 'string' && /^-?\d+$/.test(value)) n = BigInt(value);
      else return undefined;
      return n >= range[0] && n <= range[1] ? n : undefined;
    }
    switch (type) {
      case 'double':
      case 'float': {
        if (value === 'NaN' || value === 'Infinity' || value === '-Infinity') return Number(value);
        const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
        if (!Number.isFinite(n) || (type === 'float' && Math.abs(n) > 3.4028234663852886e38)) return undefined;
        return n;
      }
      case 'bool':
        return typeof value === 'boolean' ? value : undefined;
      case 'string':
        return typeof value === 'string' ? value : undefined;
      case 'bytes':
        return typeof value === 'string' && /^[A-Za-z0-9+/_-]*={0,2}$/.test(value) ? value : undefined;
    }
    return undefined;
  }

  /** The protoc-gen-validate rules that matter here (lengths, bounds, sets); undefined if they hold. */
  private ruleProblem(type: string, rules: Rules, value: bigint | number | string | boolean, enumType?: protobuf.Enum): string | undefined {
    if (type === 'enum') {
      const r = rules.enum;
      if (r.defined_only && !Object.values(enumType!.values).includes(Number(value))) return `${value} is not a defined value of ${fullName(enumType!)}`;
      if (r.in !== undefined && !asList(r.in).map(Number).includes(Number(value))) return `${value} is not one of ${JSON.stringify(r.in)}`;
      if (asList(r.not_in).map(Number).includes(Number(value))) return `${value} is one of the forbidden ${JSON.stringify(r.not_in)}`;
      return undefined;
    }
    if (typeof value === 'string' && (type === 'string' || type === 'bytes')) {
      const r = rules[type];
      if (!r || (r.ignore_empty && value === '')) return undefined;
      const chars = [...value].length;
      const bytes = type === 'bytes' ? Buffer.from(value, 'base64').length : Buffer.byteLength(value);
      if (r.min_len !== undefined && chars < Number(r.min_len)) return `must have at least ${r.min_len} characters, has ${chars}`;
      if (r.max_len !== undefined && chars > Number(r.max_len)) return `may have at most ${r.max_len} characters, has ${chars}`;
      if (r.min_bytes !== undefined && bytes < Number(r.min_bytes)) return `must have at least ${r.min_bytes} bytes, has ${bytes}`;
      if (r.max_bytes !== undefined && bytes > Number(r.max_bytes)) return `may have at most ${r.max_bytes} bytes, has ${bytes}`;
      const pattern = r.well_known_regex ? wellKnownRegex(String(r.well_known_regex), r.strict !== false) : undefined;
      if (pattern && !pattern.test(value)) return `${JSON.stringify(value)} is not a valid ${r.well_known_regex}${r.strict === false ? ' (non-strict)' : ''}`;
      if (r.const !== undefined && value !== r.const) return `must be ${JSON.stringify(r.const)}`;
      if (r.in !== undefined && !asList(r.in).includes(value)) return `${JSON.stringify(value)} is not one of ${JSON.stringify(r.in)}`;
      if (asList(r.not_in).includes(value)) return `${JSON.stringify(value)} is forbidden`;
      return undefined;
    }
    if (typeof value === 'bigint' || typeof value === 'number') {
      const r = rules[type];
      if (!r || (r.ignore_empty && Number(value) === 0)) return undefined;
      const v = Number(value);
      const failed =
        (r.lt !== undefined && !(v < Number(r.lt))) ||
        (r.lte !== undefined && !(v <= Number(r.lte))) ||
        (r.gt !== undefined && !(v > Number(r.gt))) ||
        (r.gte !== undefined && !(v >= Number(r.gte))) ||
        (r.const !== undefined && v !== Number(r.const)) ||
        (r.in !== undefined && !asList(r.in).map(Number).includes(v)) ||
        asList(r.not_in).map(Number).includes(v);
      return failed ? `${type} ${v} breaks the rule ${JSON.stringify(r)}` : undefined;
    }
    return undefined;
  }
}

/** A message type of the loaded protos by full name (e.g. envoy.config.listener.v3.Listener), if any. */
export function envoyMessageType(name: string): protobuf.Type | undefined {
  try {
    const found = envoyProtos().root.lookup(name);
    return found instanceof protobuf.Type ? found : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Strictly decodes one resource as proto3 JSON of the type its type URL names (e.g.
 * type.googleapis.com/envoy.config.listener.v3.Listener, or envoy.admin.v3.ListenersConfigDump
 * for a whole config dump section).
 */
export function checkEnvoyResource(typeUrl: string, json: unknown): EnvoyCheckResult {
  const { root } = envoyProtos();
  const walk: Walk = { errors: [], unchecked: new Set(), checked: new Map() };
  const checker = new Checker(root, walk);
  const typeName = shortTypeName(typeUrl);
  let type: protobuf.Type | undefined;
  try {
    type = root.lookupType(typeName);
  } catch {
    walk.errors.push(`$: no Envoy message type ${typeName}`);
  }
  if (type) {
    walk.checked.set(typeName, 1);
    checker.message(type, json, '$');
  }
  return {
    errors: walk.errors,
    unchecked: [...walk.unchecked].sort(),
    checked: Object.fromEntries([...walk.checked].sort(([a], [b]) => a.localeCompare(b))),
  };
}

/** A whole /config_dump (envoy.admin.v3.ConfigDump): every section, with the resources inside. */
export const checkConfigDump = (dump: unknown): EnvoyCheckResult =>
  checkEnvoyResource('type.googleapis.com/envoy.admin.v3.ConfigDump', dump);

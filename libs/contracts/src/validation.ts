// Validation of inbound JSON against the proto schema and the field rules of vle/validate/v1.
// protobuf-es' fromJson checks types but reports neither JSON paths nor required fields, so the
// message is walked here first; every violation names the field by its JSON path. Before any of
// that (and before anything recursive: the schema walk, fromJson, JSON.stringify, redaction), one
// iterative pass bounds the nesting and refuses strings that no store downstream can keep.

import { fromJson, getOption, hasOption, ScalarType, type DescField, type DescMessage, type JsonValue, type MessageShape } from '@bufbuild/protobuf';
import { ContractError, type Violation } from './errors.js';
import { field as fieldRules, type FieldRules } from './gen/vle/validate/v1/rules_pb.js';
import { MAX_JSON_DEPTH } from './limits.js';
import { MAX_MESSAGE_BYTES } from './topology.js';

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
const INT_RANGES: Partial<Record<ScalarType, [number, number]>> = {
  [ScalarType.UINT32]: [0, 2 ** 32 - 1],
  [ScalarType.FIXED32]: [0, 2 ** 32 - 1],
  [ScalarType.INT32]: [-(2 ** 31), 2 ** 31 - 1],
  [ScalarType.SINT32]: [-(2 ** 31), 2 ** 31 - 1],
  [ScalarType.SFIXED32]: [-(2 ** 31), 2 ** 31 - 1],
};
// proto3 JSON writes 64-bit integers as decimal strings and reads numbers too; we accept both, as
// long as the value stays exact in a JS number (byte counts and uptimes of Proxmox do).
const INT64_RANGES: Partial<Record<ScalarType, [number, number]>> = {
  [ScalarType.UINT64]: [0, Number.MAX_SAFE_INTEGER],
  [ScalarType.FIXED64]: [0, Number.MAX_SAFE_INTEGER],
  [ScalarType.INT64]: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  [ScalarType.SINT64]: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  [ScalarType.SFIXED64]: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};
const DECIMAL = /^-?\d{1,16}$/;

/**
 * Parses raw bytes (or an already parsed JSON value) into a message of `schema`, or throws a
 * ContractError naming what is wrong: MALFORMED_JSON, PAYLOAD_TOO_LARGE or VALIDATION_FAILED.
 */
export function parseMessage<Desc extends DescMessage>(schema: Desc, raw: Uint8Array | string | unknown): MessageShape<Desc> {
  const json = typeof raw === 'string' || raw instanceof Uint8Array ? decodeJson(raw) : raw;
  const violations = checkShape(json);
  if (violations.length === 0) checkMessage(schema, json, '', violations);
  if (violations.length > 0) {
    const first = violations[0]!;
    const summary = first.field ? `${first.field}: ${first.message}` : first.message;
    const more = violations.length > 1 ? ` (and ${violations.length - 1} more)` : '';
    throw new ContractError('VALIDATION_FAILED', `invalid ${schema.name}: ${summary}${more}`, violations);
  }
  try {
    return fromJson(schema, json as JsonValue);
  } catch (error) {
    throw new ContractError('VALIDATION_FAILED', `invalid ${schema.name}: ${(error as Error).message}`, [{ field: '', message: (error as Error).message }]);
  }
}

export function decodeJson(raw: Uint8Array | string): unknown {
  const size = typeof raw === 'string' ? Buffer.byteLength(raw) : raw.byteLength;
  if (size > MAX_MESSAGE_BYTES) {
    throw new ContractError('PAYLOAD_TOO_LARGE', `message of ${size} bytes is larger than the limit of ${MAX_MESSAGE_BYTES} bytes`);
  }
  const text = typeof raw === 'string' ? raw : decodeUtf8(raw);
  if (text.trim() === '') throw new ContractError('MALFORMED_JSON', 'the message is empty; expected a JSON object');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ContractError('MALFORMED_JSON', `malformed JSON: ${(error as Error).message}`);
  }
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * JSON is UTF-8 (RFC 8259): bytes that are not would silently become U+FFFD in a stored Task. The
 * refusal names the field holding the first replaced character, when the rest is JSON.
 */
function decodeUtf8(raw: Uint8Array): string {
  try {
    return strictUtf8.decode(raw);
  } catch {
    let field: string | undefined;
    try {
      field = firstPathWhere(JSON.parse(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8')), (text) => text.includes('\uFFFD'));
    } catch {
      field = undefined;
    }
    const where = field === undefined ? '' : ` (in ${field || 'a key of the message'})`;
    throw new ContractError('MALFORMED_JSON', `the message is not valid UTF-8${where}`, field === undefined ? [] : [{ field, message: 'is not valid UTF-8' }]);
  }
}

// PostgreSQL's text and jsonb refuse U+0000, and a lone surrogate cannot be encoded as UTF-8 (it
// would be stored as U+FFFD): a Task holding either would run but never show in the read model.
const NUL = '\u0000';
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** Enough to name what is wrong; the walk stops there. */
const MAX_SHAPE_VIOLATIONS = 20;

function stringProblem(text: string): string | undefined {
  if (text.includes(NUL)) return 'must not contain NUL (\\u0000): PostgreSQL cannot store it';
  if (LONE_SURROGATE.test(text)) return 'is not valid Unicode (a lone surrogate)';
  return undefined;
}

interface Visit {
  readonly value: unknown;
  readonly path: string;
  readonly depth: number;
}

/** Nesting, strings and keys of a parsed JSON value, walked with an explicit stack (no recursion). */
function checkShape(json: unknown): Violation[] {
  const out: Violation[] = [];
  const stack: Visit[] = [{ value: json, path: '', depth: 1 }];
  while (stack.length > 0 && out.length < MAX_SHAPE_VIOLATIONS) {
    const { value, path, depth } = stack.pop()!;
    if (typeof value === 'string') {
      const problem = stringProblem(value);
      if (problem) out.push({ field: path, message: problem });
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    if (depth > MAX_JSON_DEPTH) {
      out.push({ field: path, message: `nests deeper than ${MAX_JSON_DEPTH} levels` });
      continue;
    }
    const children: Visit[] = [];
    if (Array.isArray(value)) {
      value.forEach((item, i) => children.push({ value: item, path: `${path}[${i}]`, depth: depth + 1 }));
    } else {
      for (const [key, item] of Object.entries(value)) {
        if (key === '__proto__') {
          out.push({ field: join(path, key), message: 'is a reserved key' });
          continue;
        }
        const problem = stringProblem(key);
        if (problem) {
          out.push({ field: path, message: `has a key that ${problem}` });
          continue;
        }
        children.push({ value: item, path: join(path, key), depth: depth + 1 });
      }
    }
    // Reversed, so that the stack visits fields in document order and the first violation is the first one.
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
  }
  return out;
}

/** The JSON path of the first string value (or the object of the first key) that `matches`; iterative. */
function firstPathWhere(json: unknown, matches: (text: string) => boolean): string | undefined {
  const stack: { value: unknown; path: string }[] = [{ value: json, path: '' }];
  while (stack.length > 0) {
    const { value, path } = stack.pop()!;
    if (typeof value === 'string') {
      if (matches(value)) return path;
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    if (!Array.isArray(value) && Object.keys(value).some(matches)) return path;
    const children = Array.isArray(value) ? value.map((item, i) => ({ value: item as unknown, path: `${path}[${i}]` })) : Object.entries(value).map(([key, item]) => ({ value: item, path: join(path, key) }));
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
  }
  return undefined;
}

// Decoding a field's options costs microseconds: each field's rules and each message's known keys
// are read once per process, not once per message.
const rulesCache = new WeakMap<DescField, FieldRules | null>();
const knownKeysCache = new WeakMap<DescMessage, ReadonlySet<string>>();

function rulesOf(field: DescField): FieldRules | undefined {
  let rules = rulesCache.get(field);
  if (rules === undefined) {
    rules = hasOption(field, fieldRules) ? getOption(field, fieldRules) : null;
    rulesCache.set(field, rules);
  }
  return rules ?? undefined;
}

function knownKeysOf(schema: DescMessage): ReadonlySet<string> {
  let known = knownKeysCache.get(schema);
  if (!known) {
    known = new Set(schema.fields.flatMap((f) => [f.jsonName, f.name]));
    knownKeysCache.set(schema, known);
  }
  return known;
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkMessage(schema: DescMessage, value: unknown, path: string, out: Violation[]): void {
  if (schema.typeName === 'google.protobuf.Struct') {
    if (!isObject(value)) out.push({ field: path, message: 'must be a JSON object' });
    return;
  }
  if (schema.typeName === 'google.protobuf.Value') return;
  if (schema.typeName === 'google.protobuf.Timestamp') {
    if (typeof value !== 'string' || !RFC3339.test(value) || Number.isNaN(Date.parse(value))) {
      out.push({ field: path, message: 'must be an RFC 3339 timestamp such as 2026-11-22T10:00:00Z' });
    }
    return;
  }
  if (!isObject(value)) {
    out.push({ field: path, message: 'must be a JSON object' });
    return;
  }
  const known = knownKeysOf(schema);
  for (const key of Object.keys(value)) {
    if (!known.has(key)) out.push({ field: join(path, key), message: 'is not a known field' });
  }
  for (const field of schema.fields) {
    const present = field.jsonName in value ? value[field.jsonName] : value[field.name];
    checkField(field, present, join(path, field.jsonName), out);
  }
}

function checkField(field: DescField, value: unknown, path: string, out: Violation[]): void {
  const rules = rulesOf(field);
  if (value === undefined || value === null) {
    if (rules?.required) out.push({ field: path, message: 'is required' });
    return;
  }
  switch (field.fieldKind) {
    case 'list': {
      if (!Array.isArray(value)) return void out.push({ field: path, message: 'must be an array' });
      if (rules?.required && value.length === 0) out.push({ field: path, message: 'must not be empty' });
      if (rules?.minItems && value.length < rules.minItems) out.push({ field: path, message: `must have at least ${rules.minItems} items` });
      if (rules?.maxItems && value.length > rules.maxItems) return void out.push({ field: path, message: `must have at most ${rules.maxItems} items (has ${value.length})` });
      value.forEach((item, i) => {
        const itemPath = `${path}[${i}]`;
        if (field.listKind === 'message') checkMessage(field.message, item, itemPath, out);
        else if (field.listKind === 'scalar') checkScalar(field.scalar, item, itemPath, rules, out);
        else if (typeof item !== 'string') out.push({ field: itemPath, message: 'must be a string' });
      });
      return;
    }
    case 'map': {
      if (!isObject(value)) return void out.push({ field: path, message: 'must be a JSON object' });
      for (const [key, item] of Object.entries(value)) {
        const itemPath = `${path}.${key}`;
        if (field.mapKind === 'message') checkMessage(field.message, item, itemPath, out);
        else if (field.mapKind === 'scalar') checkScalar(field.scalar, item, itemPath, undefined, out);
      }
      return;
    }
    case 'message': {
      checkMessage(field.message, value, path, out);
      if (rules?.maxJsonBytes) {
        const size = Buffer.byteLength(JSON.stringify(value));
        if (size > rules.maxJsonBytes) out.push({ field: path, message: `must be at most ${rules.maxJsonBytes} bytes of JSON (is ${size})` });
      }
      return;
    }
    case 'enum':
      if (typeof value !== 'string' || !field.enum.values.some((v) => v.name === value)) {
        out.push({ field: path, message: `must be one of ${field.enum.values.map((v) => v.name).join(', ')}` });
      }
      return;
    case 'scalar':
      checkScalar(field.scalar, value, path, rules, out);
      return;
  }
}

function checkScalar(scalar: ScalarType, value: unknown, path: string, rules: FieldRules | undefined, out: Violation[]): void {
  if (scalar === ScalarType.STRING) {
    if (typeof value !== 'string') return void out.push({ field: path, message: 'must be a string' });
    const length = [...value].length;
    if (rules?.required && value.trim() === '') out.push({ field: path, message: 'is required and must not be blank' });
    if (rules?.minLen && length < rules.minLen) out.push({ field: path, message: `must be at least ${rules.minLen} characters` });
    if (rules?.maxLen && length > rules.maxLen) return void out.push({ field: path, message: `must be at most ${rules.maxLen} characters (is ${length})` });
    if (rules?.pattern && value !== '' && !new RegExp(rules.pattern, 'u').test(value)) out.push({ field: path, message: `must match ${rules.pattern}` });
    if (rules?.in.length && value !== '' && !rules.in.includes(value)) out.push({ field: path, message: `must be one of ${rules.in.join(', ')}` });
    return;
  }
  if (scalar === ScalarType.BOOL) {
    if (typeof value !== 'boolean') out.push({ field: path, message: 'must be true or false' });
    return;
  }
  if (scalar === ScalarType.BYTES) {
    if (typeof value !== 'string') out.push({ field: path, message: 'must be a base64 string' });
    return;
  }
  const int64 = INT64_RANGES[scalar];
  if (int64 && typeof value === 'string') {
    if (!DECIMAL.test(value)) return void out.push({ field: path, message: 'must be a whole number (a JSON number or a decimal string)' });
    value = Number(value);
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) return void out.push({ field: path, message: 'must be a number' });
  const range = INT_RANGES[scalar] ?? int64;
  if (range) {
    if (!Number.isInteger(value)) return void out.push({ field: path, message: 'must be a whole number' });
    if (value < range[0] || value > range[1]) return void out.push({ field: path, message: `must be between ${range[0]} and ${range[1]}` });
  }
  if (rules?.min && value < rules.min) out.push({ field: path, message: `must be at least ${rules.min}` });
  if (rules?.max && value > rules.max) out.push({ field: path, message: `must be at most ${rules.max}` });
}

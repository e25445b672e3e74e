// Readers of the JSON bodies the simulated REST API takes (Jackson's binding of APIUser,
// APIConnection, APISharingProfile, APIPatch): a body of the wrong shape is a 400.

import { badRequest } from './guac-error.js';

export type StringMap = Record<string, string>;
export type Attributes = Record<string, string | null>;

export function record(body: unknown, what: string): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest(`The ${what} must be a JSON object.`);
  return body as Record<string, unknown>;
}

export function optionalString(body: Record<string, unknown>, key: string): string | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw badRequest(`Field "${key}" must be a string.`);
  return value;
}

/** Parameters: string values; null and absent mean unset. */
export function stringMap(body: Record<string, unknown>, key: string): StringMap {
  const value = body[key];
  if (value === undefined || value === null) return {};
  const map = record(value, `field "${key}"`);
  const out: StringMap = {};
  for (const [name, item] of Object.entries(map)) {
    if (item === null || item === undefined) continue;
    if (typeof item !== 'string') throw badRequest(`Field "${key}.${name}" must be a string.`);
    out[name] = item;
  }
  return out;
}

export function attributes(body: Record<string, unknown>): Attributes {
  const value = body.attributes;
  if (value === undefined || value === null) return {};
  const map = record(value, 'field "attributes"');
  const out: Attributes = {};
  for (const [name, item] of Object.entries(map)) {
    if (item !== null && typeof item !== 'string') throw badRequest(`Field "attributes.${name}" must be a string.`);
    out[name] = item as string | null;
  }
  return out;
}

export interface Patch {
  readonly op: string;
  readonly path: string;
  readonly value?: string;
}

export function patches(body: unknown): Patch[] {
  if (!Array.isArray(body)) throw badRequest('The patch must be a JSON array.');
  return body.map((item, i) => {
    const patch = record(item, `patch ${i}`);
    const op = optionalString(patch, 'op');
    const path = optionalString(patch, 'path');
    if (!op || !path) throw badRequest(`Patch ${i} needs "op" and "path".`);
    return { op, path, value: optionalString(patch, 'value') };
  });
}

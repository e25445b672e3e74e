// The parameter check of the Proxmox VE API server (pve-common PVE::JSONSchema), over the endpoints
// vle-tasks uses, as the official schema pve-api-9.1.3.json (derived by scripts/pve-schema-subset.js)
// describes them. The sandbox answers with it exactly as pveproxy does (400 "Parameter verification
// failed." with one message per parameter), and the client's tests check every request they send.

import schema from './pve-api-9.1.3.json' with { type: 'json' };

export const PVE_SCHEMA_VERSION: string = schema.version;

export type PveMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

interface PropertySchema {
  readonly type?: string;
  readonly optional?: number;
  readonly format?: unknown;
  readonly enum?: readonly string[];
  readonly minimum?: number | string;
  readonly maximum?: number | string;
  readonly maxLength?: number | string;
  readonly pattern?: string;
}

export interface PveEndpointSchema {
  readonly name: string;
  readonly allowtoken?: number;
  readonly proxyto?: string;
  readonly parameters?: { readonly additionalProperties?: number; readonly properties?: Readonly<Record<string, PropertySchema>> };
  readonly returns?: unknown;
}

export interface PveEndpoint {
  /** `POST /nodes/{node}/qemu/{vmid}/clone` */
  readonly key: string;
  readonly method: PveMethod;
  /** The path template below /api2/json. */
  readonly path: string;
  readonly schema: PveEndpointSchema;
}

export interface MatchedEndpoint {
  readonly endpoint: PveEndpoint;
  /** Values of the path's `{placeholders}`, decoded. */
  readonly pathParams: Record<string, string>;
}

const endpoints: PveEndpoint[] = Object.entries(schema.endpoints as Record<string, PveEndpointSchema>).map(([key, endpointSchema]) => {
  const [method, path] = key.split(' ') as [PveMethod, string];
  return { key, method, path, schema: endpointSchema };
});

const matchers = endpoints.map((endpoint) => {
  const names: string[] = [];
  const source = endpoint.path.replace(/\{([^}]+)\}/g, (_all, name: string) => (names.push(name), '([^/]+)'));
  return { endpoint, names, regex: new RegExp(`^${source}$`) };
});

export function pveEndpoints(): readonly PveEndpoint[] {
  return endpoints;
}

/** The endpoint of a request path below /api2/json (`/nodes/pve1/qemu/100/clone`), if the schema subset has it. */
export function matchPveEndpoint(method: string, path: string): MatchedEndpoint | undefined {
  for (const { endpoint, names, regex } of matchers) {
    if (endpoint.method !== method.toUpperCase()) continue;
    const match = regex.exec(path);
    if (!match) continue;
    const pathParams: Record<string, string> = {};
    for (const [i, name] of names.entries()) {
      const decoded = decodeSegment(match[i + 1]!);
      // A segment that is not valid percent-encoding names no resource (pveproxy: 501).
      if (decoded === undefined) return undefined;
      pathParams[name] = decoded;
    }
    return { endpoint, pathParams };
  }
  return undefined;
}

function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** Whether some endpoint of the subset has this path with another method (405 rather than 501/404). */
export function pvePathExists(path: string): boolean {
  return matchers.some(({ regex }) => regex.test(path));
}

// Formats of PVE::JSONSchema that these endpoints use; the others (CIDR, storage-pair-list, machine
// specs) are accepted unchecked: vle-tasks never sends them.
const FORMATS: Record<string, { regex: RegExp; what: string }> = {
  'pve-node': { regex: /^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?$/, what: 'node name' },
  'pve-vmid': { regex: /^[1-9][0-9]{2,8}$/, what: 'VM ID' },
  'dns-name': { regex: /^(([a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)\.)*([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)$/, what: 'DNS name' },
  'pve-poolid': { regex: /^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+){0,2}$/, what: 'pool identifier' },
  'pve-storage-id': { regex: /^[a-z][a-z0-9\-_.]*[a-z0-9]$/i, what: 'storage ID' },
  'pve-configid': { regex: /^[a-z][a-z0-9_-]+$/i, what: 'configuration ID' },
};

const BOOLEAN = /^(1|true|yes|on|0|false|no|off)$/i;
const INTEGER = /^-?\d+$/;
const NUMBER = /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/**
 * The errors pveproxy would report for these parameters (path parameters included), by name, with
 * the server's wording; an empty object when they pass. Values arrive as strings (query or form).
 */
export function checkPveParameters(endpoint: PveEndpoint, params: Readonly<Record<string, string>>): Record<string, string> {
  const errors: Record<string, string> = {};
  const properties = endpoint.schema.parameters?.properties ?? {};
  for (const [name, property] of Object.entries(properties)) {
    const value = params[name];
    if (value === undefined) {
      if (!property.optional) errors[name] = 'property is missing and it is not optional';
      continue;
    }
    const problem = checkValue(property, value);
    if (problem) errors[name] = problem;
  }
  if (!endpoint.schema.parameters?.additionalProperties) {
    for (const name of Object.keys(params)) {
      if (!(name in properties)) errors[name] = 'property is not defined in schema and the schema does not allow additional properties';
    }
  }
  return errors;
}

function checkValue(property: PropertySchema, value: string): string | undefined {
  switch (property.type) {
    case 'boolean':
      return BOOLEAN.test(value) ? undefined : `type check ('boolean') failed - got '${value}'`;
    case 'integer':
    case 'number': {
      if (!(property.type === 'integer' ? INTEGER : NUMBER).test(value)) return `type check ('${property.type}') failed - got '${value}'`;
      const n = Number(value);
      if (property.minimum !== undefined && n < Number(property.minimum)) return `value must have a minimum value of ${property.minimum}`;
      if (property.maximum !== undefined && n > Number(property.maximum)) return `value must have a maximum value of ${property.maximum}`;
      return checkFormat(property, value);
    }
    case 'string':
    case undefined: {
      if (property.maxLength !== undefined && value.length > Number(property.maxLength)) return `value may only be ${property.maxLength} characters long`;
      if (property.enum && !property.enum.includes(value)) return `value '${value}' does not have a value in the enumeration '${property.enum.join(', ')}'`;
      if (property.pattern && !new RegExp(`^(?:${property.pattern})$`).test(value)) return 'value does not match the regex pattern';
      return checkFormat(property, value);
    }
    default:
      return undefined;
  }
}

function checkFormat(property: PropertySchema, value: string): string | undefined {
  const format = typeof property.format === 'string' ? FORMATS[property.format] : undefined;
  if (!format || format.regex.test(value)) return undefined;
  return `invalid format - value does not look like a valid ${format.what}`;
}

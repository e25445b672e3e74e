// external_api::validate_parameters, as far as the simulated functions need it: a missing key, a
// value of the wrong PARAM_ type or a structure where a value belongs is an invalid_parameter_exception
// whose debuginfo names the key (`users => Invalid parameter value detected (...)` in Moodle).

import { invalidParameter } from './moodle-exception.js';
import { listOf, type PhpArray, type PhpValue } from './php-params.js';

function wrongType(path: string, value: PhpValue, type: string) {
  const shown = typeof value === 'string' ? value : 'array';
  return invalidParameter(`${path} => Invalid external api parameter: the value is "${shown}", the server was expecting "${type}" type`);
}

function present(p: PhpArray, key: string, path: string): PhpValue {
  const value = p[key];
  if (value === undefined) throw invalidParameter(`${path}Missing required key in single structure: ${key}`);
  return value;
}

const prefix = (path: string) => (path ? `${path} => ` : '');

/** PARAM_TEXT / PARAM_RAW; `fallback` makes it optional (VALUE_DEFAULT). */
export function text(p: PhpArray, key: string, path = '', fallback?: string): string {
  if (p[key] === undefined && fallback !== undefined) return fallback;
  const value = present(p, key, prefix(path));
  if (typeof value !== 'string') throw wrongType(`${path}${key}`, value, 'raw');
  return value;
}

/** PARAM_INT. */
export function int(p: PhpArray, key: string, path = '', fallback?: number): number {
  if (p[key] === undefined && fallback !== undefined) return fallback;
  const value = present(p, key, prefix(path));
  if (typeof value !== 'string' || !/^-?\d+$/.test(value.trim())) throw wrongType(`${path}${key}`, value, 'int');
  return Number(value);
}

/** PARAM_USERNAME: lower case letters, digits and _ - . @ (clean_param would change anything else). */
export function username(p: PhpArray, key: string, path = ''): string {
  const value = text(p, key, path);
  if (!/^[a-z0-9_.@-]+$/.test(value)) throw wrongType(`${path}${key}`, value, 'username');
  return value;
}

/** external_multiple_structure of single structures. */
export function structures(p: PhpArray, key: string, required = true): Array<{ item: PhpArray; path: string }> {
  const value = p[key];
  if (value === undefined) {
    if (required) throw invalidParameter(`Missing required key in single structure: ${key}`);
    return [];
  }
  if (typeof value === 'string') throw invalidParameter(`${key} => Only arrays accepted. The bad value is: '${value}'`);
  return listOf(value).map((item, i) => {
    if (typeof item === 'string') throw invalidParameter(`${key} => Only arrays accepted. The bad value is: '${item}'`);
    return { item, path: `${key}[${i}]` };
  });
}

/** external_multiple_structure of values. */
export function values(p: PhpArray, key: string): string[] {
  const value = p[key];
  if (value === undefined) throw invalidParameter(`Missing required key in single structure: ${key}`);
  if (typeof value === 'string') throw invalidParameter(`${key} => Only arrays accepted. The bad value is: '${value}'`);
  return listOf(value).map((item) => {
    if (typeof item !== 'string') throw wrongType(key, item, 'raw');
    return item;
  });
}

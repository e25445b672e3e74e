// Parsers of option values. A bad value stops the command with commander's message, which names the
// option and the value: "option '--tasks <n>' argument 'abc' is invalid. must be an integer from 1 to 100000".

import { InvalidArgumentError } from 'commander';
import { resolve } from 'node:path';
import { missingBuild } from '../pipeline/checkout.js';

export function integer(min: number, max: number): (raw: string) => number {
  return (raw) => {
    const n = Number(raw);
    if (!/^\s*-?\d+\s*$/.test(raw) || !Number.isSafeInteger(n) || n < min || n > max) throw new InvalidArgumentError(`must be an integer from ${min} to ${max}`);
    return n;
  };
}

/** A number from 0 to 1. */
export function ratioOf(raw: string): number {
  const n = Number(raw);
  if (!/^\s*(0|1|0?\.\d+|1\.0*)\s*$/.test(raw) || !(n >= 0 && n <= 1)) throw new InvalidArgumentError('must be a number from 0 to 1');
  return n;
}

export function oneOf<T extends string>(values: readonly T[]): (raw: string) => T {
  return (raw) => {
    if (!(values as readonly string[]).includes(raw)) throw new InvalidArgumentError(`must be one of ${values.join(', ')}`);
    return raw as T;
  };
}

/** A comma-separated list of `values`; `all` stands for every one of them. */
export function listOf<T extends string>(values: readonly T[]): (raw: string) => T[] {
  return (raw) => {
    const items = raw.split(',').map((s) => s.trim()).filter(Boolean);
    if (items.includes('all')) return [...values];
    for (const item of items) if (!(values as readonly string[]).includes(item)) throw new InvalidArgumentError(`unknown "${item}" (${values.join(', ')}, all)`);
    return [...new Set(items)] as T[];
  };
}

/** A comma-separated list of integers from `min` to `max`. */
export function integers(min: number, max: number): (raw: string) => number[] {
  const one = integer(min, max);
  return (raw) => {
    const items = raw.split(',').map((s) => s.trim()).filter(Boolean);
    if (items.length === 0) throw new InvalidArgumentError('must list at least one integer');
    return items.map((item) => {
      try {
        return one(item);
      } catch {
        throw new InvalidArgumentError(`"${item}" must be an integer from ${min} to ${max}`);
      }
    });
  };
}

/** The absolute path of a built checkout of this repository (its services' dist and node_modules present). */
export function builtCheckout(raw: string): string {
  const root = resolve(raw);
  const missing = missingBuild(root);
  if (missing) throw new InvalidArgumentError(missing);
  return root;
}

// What every simulator's control API shares: bodies validated so that a bad one is a 400 naming the
// field, and the building blocks of fault settings.

import { BadRequestException } from '@nestjs/common';
import { z } from 'zod';

/** A share of requests, 0..1. */
export const faultRate = z.number().min(0).max(1);
/** A delay in milliseconds, up to 10 minutes. */
export const faultMs = z.number().int().min(0).max(600_000);

export class ControlBodyError extends Error {
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${field}: ${problem}`);
  }
}

/** The body as `schema` reads it, or a ControlBodyError naming the first offending field. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const result = schema.safeParse(body ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const keys = issue.code === 'unrecognized_keys' ? issue.keys : [];
  const field = [...issue.path.map(String), ...keys].join('.') || '(body)';
  throw new ControlBodyError(field, issue.message);
}

/** parseBody for a controller: a bad body answers 400 `{statusCode, field, message}`. */
export function validated<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  try {
    return parseBody(schema, body);
  } catch (error) {
    if (error instanceof ControlBodyError) throw new BadRequestException({ statusCode: 400, field: error.field, message: error.message });
    throw error;
  }
}

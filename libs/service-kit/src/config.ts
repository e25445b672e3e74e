// Configuration is read from the environment once, at boot, into a typed object (STYLE: "No
// process.env elsewhere"). A missing or bad variable stops the service with the variable's name.

import type { z } from 'zod';
import { refusedDevelopmentCredentials } from './development-credentials.js';

export type Environment = Readonly<Record<string, string | undefined>>;

export interface ConfigProblem {
  readonly variable: string;
  readonly message: string;
}

/** `Invalid configuration: NATS_URL: must be ...; PORT: ...`, the message of a ConfigError. */
export function describeConfigProblems(problems: readonly ConfigProblem[]): string {
  return `Invalid configuration: ${problems.map((p) => `${p.variable}: ${p.message}`).join('; ')}`;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'INVALID_CONFIGURATION';

  constructor(readonly problems: readonly ConfigProblem[]) {
    super(describeConfigProblems(problems));
  }
}

/**
 * Validates `env` against `schema` (a zod object keyed by variable name) and returns the typed,
 * defaulted result. Throws a ConfigError naming every bad variable, and under NODE_ENV=production
 * every development credential left at its published value (development-credentials.ts).
 */
export function loadConfig<S extends z.ZodType>(schema: S, env: Environment = process.env): z.output<S> {
  const result = schema.safeParse(env);
  const invalid = result.success ? [] : result.error.issues.map((issue): ConfigProblem => {
    const variable = issue.path.map(String).join('.') || '(environment)';
    const unset = issue.path.length > 0 && env[String(issue.path[0])] === undefined;
    return { variable, message: unset ? 'is required' : issue.message };
  });
  const problems = [...invalid, ...refusedDevelopmentCredentials(schema, env)];
  if (!result.success || problems.length > 0) throw new ConfigError(problems);
  return result.data;
}

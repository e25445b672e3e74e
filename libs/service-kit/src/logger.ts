// Structured logs: one JSON object per line (Nest's ConsoleLogger `json` mode) with the service name,
// and secrets masked (redact.ts). LOG_FORMAT=text keeps Nest's coloured lines for local reading.

import { ConsoleLogger, type LogLevel } from '@nestjs/common';
import { redactDeep, redactSecrets, SECRET_KEYS } from './redact.js';
import { LOG_LEVELS, type ServiceLogLevel } from './variables.js';

export interface ServiceLoggerOptions {
  readonly service: string;
  readonly level?: ServiceLogLevel;
  readonly format?: 'json' | 'text';
}

/** The levels printed at `threshold`: LOG_LEVEL=warn -> fatal, error, warn. */
export function levelsFrom(threshold: ServiceLogLevel): LogLevel[] {
  return LOG_LEVELS.slice(0, LOG_LEVELS.indexOf(threshold) + 1);
}

export class ServiceLogger extends ConsoleLogger {
  private readonly service: string;

  constructor(options: ServiceLoggerOptions) {
    const json = (options.format ?? 'json') === 'json';
    super({
      json,
      colors: !json && process.stdout.isTTY === true,
      prefix: options.service,
      logLevels: levelsFrom(options.level ?? 'log'),
      redact: [...SECRET_KEYS],
    });
    this.service = options.service;
  }

  protected override getJsonLogObject(message: unknown, options: Parameters<ConsoleLogger['getJsonLogObject']>[1]) {
    const record = super.getJsonLogObject(message, options);
    return { ...(redactDeep(record) as typeof record), service: this.service };
  }

  protected override printMessages(
    messages: unknown[],
    context?: string,
    logLevel?: LogLevel,
    writeStreamType?: 'stdout' | 'stderr',
    errorStack?: unknown,
    params?: Record<string, unknown>,
  ): void {
    if (this.options.json) {
      super.printMessages(messages, context, logLevel, writeStreamType, errorStack, params);
      return;
    }
    const scrub = (value: unknown) => (value instanceof Error ? value : redactDeep(value));
    const stack = typeof errorStack === 'string' ? redactSecrets(errorStack) : errorStack;
    super.printMessages(messages.map(scrub), context, logLevel, writeStreamType, stack, params && (redactDeep(params) as Record<string, unknown>));
  }
}

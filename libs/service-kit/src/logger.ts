// Structured logs: one JSON object per line (Nest's ConsoleLogger `json` mode) with the service name,
// and secrets masked (redact.ts). LOG_FORMAT=text keeps Nest's coloured lines for local reading.
// A line written while a span is active carries its ids (trace_id, span_id: JSON fields, or a
// ` trace_id=… span_id=…` suffix of a text line), so that a trace's log lines can be found.

import { ConsoleLogger, type LogLevel } from '@nestjs/common';
import { activeSpanIds } from '@vle/tracing';
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
    const span = activeSpanIds();
    return { ...(redactDeep(record) as typeof record), service: this.service, ...(span ? { trace_id: span.traceId, span_id: span.spanId } : {}) };
  }

  protected override formatMessage(...args: Parameters<ConsoleLogger['formatMessage']>): string {
    const line = super.formatMessage(...args);
    const span = activeSpanIds();
    return span ? `${line.replace(/\n$/, '')} trace_id=${span.traceId} span_id=${span.spanId}\n` : line;
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

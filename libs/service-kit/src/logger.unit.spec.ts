import { captureSpans, type SpanCapture } from '@vle/testing';
import { inSpan } from '@vle/tracing';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ServiceLogger } from './logger.js';

/** The lines `log` writes to stdout. */
async function linesOf(log: () => Promise<void> | void): Promise<string[]> {
  const written: string[] = [];
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    written.push(String(chunk));
    return true;
  });
  try {
    await log();
  } finally {
    write.mockRestore();
  }
  return written.join('').split('\n').filter(Boolean);
}

describe('ServiceLogger', () => {
  let capture: SpanCapture;
  beforeEach(() => {
    capture = captureSpans();
  });
  afterEach(async () => {
    await capture.stop();
  });

  it('adds trace_id and span_id to a JSON line written inside a span, and only there', async () => {
    const logger = new ServiceLogger({ service: 'integration-worker', format: 'json' });
    const lines = await linesOf(async () => {
      logger.log('outside', 'Worker');
      await inSpan({ name: 'job mails/send', entry: true }, () => logger.log('inside', 'Worker'));
    });
    const [outside, inside] = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const [span] = capture.spans();
    expect(outside).toMatchObject({ message: 'outside', service: 'integration-worker' });
    expect(outside).not.toHaveProperty('trace_id');
    expect(outside).not.toHaveProperty('span_id');
    expect(inside).toMatchObject({ message: 'inside', context: 'Worker', service: 'integration-worker', trace_id: span!.traceId, span_id: span!.spanId });
  });

  it('ends a text line written inside a span with its ids', async () => {
    const logger = new ServiceLogger({ service: 'task-api', format: 'text' });
    const lines = await linesOf(async () => {
      logger.warn('outside');
      await inSpan({ name: 'command create', entry: true }, () => logger.warn('inside'));
    });
    const [span] = capture.spans();
    expect(lines[0]).toContain('outside');
    expect(lines[0]).not.toContain('trace_id=');
    expect(lines[1]).toMatch(new RegExp(`inside.* trace_id=${span!.traceId} span_id=${span!.spanId}$`));
  });

  it('still masks secrets in a line that carries the ids', async () => {
    const logger = new ServiceLogger({ service: 'task-api', format: 'json' });
    const [line] = await linesOf(() => inSpan({ name: 'x', entry: true }, () => logger.log({ password: 'hunter2', user: 'u' })));
    expect(line).not.toContain('hunter2');
    expect(JSON.parse(line!)).toHaveProperty('trace_id');
  });
});

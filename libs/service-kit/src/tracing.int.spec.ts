// The SDK against an OTLP/HTTP receiver of the test's own: what it exports, in either protocol, and
// that stopping the last service flushes it and takes it off the API.

import { propagation } from '@opentelemetry/api';
import { startOtlpReceiver, type OtlpReceiver } from '@vle/testing';
import { inSpan, startSpan } from '@vle/tracing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireTracing, releaseTracing, shutdownTracing, TRACING_FLUSH_TIMEOUT_MS, tracingStarted, type TracingSetup } from './tracing.js';

let receiver: OtlpReceiver;
beforeEach(async () => {
  receiver = await startOtlpReceiver();
});
afterEach(async () => {
  await shutdownTracing();
  await receiver.close();
});

const setup = (overrides: Partial<TracingSetup> = {}): TracingSetup => ({ serviceName: 'tracing-int', url: `${receiver.endpoint}/v1/traces`, protocol: 'http/json', sampler: 'parentbased_always_on', samplerArg: 1, ...overrides });

describe('the SDK of a process with an endpoint', () => {
  it('exports its spans as OTLP/JSON with the service name, flushed when the last service stops', async () => {
    expect(acquireTracing(setup())).toBeDefined();
    // A second service of the process (SERVICE_ROLE=all) shares it; the first one's setup stays.
    expect(acquireTracing(setup({ serviceName: 'ignored' }))?.serviceName).toBe('tracing-int');
    expect(propagation.fields()).toEqual(['traceparent', 'tracestate']);
    await inSpan({ name: 'first service', entry: true }, async () => {
      startSpan({ name: 'its child' }).end();
    });
    await releaseTracing();
    expect(tracingStarted()).toBe(true);
    await inSpan({ name: 'second service', entry: true }, async () => undefined);
    await releaseTracing();
    expect(tracingStarted()).toBe(false);
    const spans = receiver.spans();
    expect(spans.map((s) => s.name).sort()).toEqual(['first service', 'its child', 'second service']);
    expect(new Set(spans.map((s) => s.service))).toEqual(new Set(['tracing-int']));
    expect(spans.find((s) => s.name === 'its child')?.parentSpanId).toBe(spans.find((s) => s.name === 'first service')?.spanId);
    expect(receiver.requests.every((r) => r.contentType.startsWith('application/json'))).toBe(true);
    // Stopped: off the API again, so nothing more is recorded (and another SDK could register).
    expect(startSpan({ name: 'after' }).isRecording()).toBe(false);
    expect(propagation.fields()).toEqual([]);
  });

  it('exports OTLP/protobuf by default', async () => {
    acquireTracing(setup({ protocol: 'http/protobuf' }));
    await inSpan({ name: 'a protobuf span', entry: true }, async () => undefined);
    await releaseTracing();
    expect(receiver.requests.length).toBeGreaterThan(0);
    expect(receiver.requests.every((r) => r.contentType === 'application/x-protobuf')).toBe(true);
    // Strings are plain UTF-8 in protobuf: the span's name and the service's are in the body.
    const body = Buffer.concat(receiver.requests.map((r) => r.body)).toString('latin1');
    expect(body).toContain('a protobuf span');
    expect(body).toContain('tracing-int');
  });

  it('samples as configured: a ratio of 0 records no root span', async () => {
    acquireTracing(setup({ sampler: 'parentbased_traceidratio', samplerArg: 0 }));
    const recording = await inSpan({ name: 'not sampled', entry: true }, async (span) => span.isRecording());
    await releaseTracing();
    expect(recording).toBe(false);
    expect(receiver.spans()).toEqual([]);
  });

  it('samples at most the rate of a ratelimiting sampler, every span of a sampled command with it', async () => {
    acquireTracing(setup({ sampler: 'parentbased_ratelimiting', samplerArg: 2 }));
    // A burst of 10 commands at once: the bucket holds 2, and refills at 2 a second.
    for (let i = 0; i < 10; i++) {
      await inSpan({ name: `command ${i}`, entry: true }, async () => {
        startSpan({ name: `child ${i}` }).end();
      });
    }
    await releaseTracing();
    const names = receiver.spans().map((s) => s.name);
    expect(names.filter((n) => n.startsWith('command ')).length).toBeGreaterThanOrEqual(2);
    // A third only if the burst took over half a second; never all ten.
    expect(names.filter((n) => n.startsWith('command ')).length).toBeLessThan(10);
    expect(names.filter((n) => n.startsWith('child ')).length).toBe(names.filter((n) => n.startsWith('command ')).length);
    expect(names.slice().sort().slice(0, 2)).toEqual(['child 0', 'child 1']);
  });

  it('neither fails nor holds up a service whose collector is gone', async () => {
    acquireTracing(setup({ url: 'http://127.0.0.1:9/v1/traces' }));
    await expect(inSpan({ name: 'lost', entry: true }, async () => 'done')).resolves.toBe('done');
    const stopping = Date.now();
    await expect(releaseTracing()).resolves.toBeUndefined();
    expect(Date.now() - stopping).toBeLessThan(TRACING_FLUSH_TIMEOUT_MS + 1_000);
    expect(tracingStarted()).toBe(false);
  });
});

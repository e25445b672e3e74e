import { propagation, trace } from '@opentelemetry/api';
import { startSpan } from '@vle/tracing';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, loadConfig } from './config.js';
import { acquireTracing, releaseTracing, samplerOf, tracingSetupOf, tracingStarted, tracingVariables } from './tracing.js';

const schema = z.object(tracingVariables);
const setupOf = (env: Record<string, string>, service = 'task-api') => tracingSetupOf(loadConfig(schema, env), service);

function problemOf(env: Record<string, string>): string {
  try {
    loadConfig(schema, env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  throw new Error('the config was accepted');
}

describe('the tracing setup of the OTEL_* variables', () => {
  it('is off without an endpoint, when disabled, and with the exporter none', () => {
    expect(setupOf({})).toBeUndefined();
    expect(setupOf({ OTEL_SERVICE_NAME: 'x', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' })).toBeUndefined();
    expect(setupOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'true' })).toBeUndefined();
    expect(setupOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_TRACES_EXPORTER: 'none' })).toBeUndefined();
  });

  it('posts to <endpoint>/v1/traces in http/protobuf as the service, by default', () => {
    expect(setupOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' })).toEqual({ serviceName: 'task-api', url: 'http://collector:4318/v1/traces', protocol: 'http/protobuf', sampler: 'parentbased_always_on', ratio: 1 });
    expect(setupOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'https://otlp.example/base' })?.url).toBe('https://otlp.example/base/v1/traces');
  });

  it('takes the traces endpoint as it is, and the traces protocol, over the general ones', () => {
    const setup = setupOf({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://tempo:4318/otlp/traces',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
      OTEL_SERVICE_NAME: 'vle-task-api',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.25',
    });
    expect(setup).toEqual({ serviceName: 'vle-task-api', url: 'http://tempo:4318/otlp/traces', protocol: 'http/json', sampler: 'parentbased_traceidratio', ratio: 0.25 });
  });

  it('names a bad variable and what it must be', () => {
    expect(problemOf({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toContain('OTEL_EXPORTER_OTLP_PROTOCOL: must be http/protobuf or http/json (gRPC is not supported');
    expect(problemOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })).toContain('OTEL_EXPORTER_OTLP_ENDPOINT: must be an http:// or https:// URL');
    expect(problemOf({ OTEL_TRACES_SAMPLER: 'sometimes' })).toContain('OTEL_TRACES_SAMPLER: must be one of always_on, always_off, traceidratio');
    expect(problemOf({ OTEL_TRACES_SAMPLER_ARG: '2' })).toContain('OTEL_TRACES_SAMPLER_ARG: must be a number from 0 to 1');
    expect(problemOf({ OTEL_SDK_DISABLED: 'yes' })).toContain('OTEL_SDK_DISABLED: must be true or false');
    expect(problemOf({ OTEL_TRACES_EXPORTER: 'zipkin' })).toContain('OTEL_TRACES_EXPORTER: must be otlp or none');
  });

  it('makes the sampler the variables name', () => {
    expect(samplerOf('parentbased_always_on', 1).toString()).toMatch(/^ParentBased\{root=AlwaysOnSampler/);
    expect(samplerOf('traceidratio', 0.1).toString()).toBe('TraceIdRatioBased{0.1}');
    expect(samplerOf('always_off', 1).toString()).toBe('AlwaysOffSampler');
  });
});

describe('a process without an endpoint', () => {
  it('starts no SDK: no tracer provider, no propagator, spans that record nothing', async () => {
    expect(acquireTracing(setupOf({}))).toBeUndefined();
    expect(tracingStarted()).toBe(false);
    const span = startSpan({ name: 'command create' });
    expect(span.isRecording()).toBe(false);
    expect(span.spanContext().traceId).toBe('00000000000000000000000000000000');
    expect(propagation.fields()).toEqual([]);
    // The API's proxy provider has no delegate registered: its tracers are the no-op ones.
    expect(trace.getTracerProvider().getTracer('x').constructor.name).toBe('ProxyTracer');
    expect(trace.getTracer('x').startSpan('y').constructor.name).toBe('NonRecordingSpan');
    await releaseTracing();
    expect(tracingStarted()).toBe(false);
  });
});

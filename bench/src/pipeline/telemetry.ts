// The pipeline with its telemetry on, as an operator runs it: every service serves GET /metrics
// (METRICS_PORT) and is scraped every --scrape-interval by the bench, as Prometheus would, and exports
// its traces over OTLP/HTTP to a receiver of the bench's (OTEL_EXPORTER_OTLP_ENDPOINT), which takes
// them and counts what arrived. What the scrapes and the exports cost shows in the phase's figures.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ServiceEnv } from '@vle/testing';

export interface TelemetryFigures {
  readonly scrapeIntervalMs: number;
  /** The share of the traces exported (0: none). */
  readonly traceSampling: number;
  /** Or: at most this many new traces a second in each process. */
  readonly tracesPerSecond?: number;
  readonly scrapes: number;
  readonly scrapeFailures: number;
  /** Mean bytes of one service's scrape. */
  readonly scrapeBytes: number;
  /** OTLP export requests the receiver took, and their bytes. */
  readonly otlpRequests: number;
  readonly otlpBytes: number;
}

/** The receiver of the services' OTLP exports: POST /v1/traces (and metrics, logs), answered 200. */
export class OtlpSink {
  requests = 0;
  bytes = 0;

  private constructor(private readonly server: Server) {}

  static async start(): Promise<OtlpSink> {
    const server = createServer();
    const sink = new OtlpSink(server);
    server.on('request', (request, response) => {
      request.on('data', (chunk: Buffer) => (sink.bytes += chunk.length));
      request.on('end', () => {
        sink.requests++;
        // An empty Export*ServiceResponse: an empty protobuf message, or {} in JSON.
        const json = String(request.headers['content-type']).includes('json');
        response.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' }).end(json ? '{}' : undefined);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return sink;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** What the services need to export to it: `traceSampling` of the commands' traces (1: all), or at most `tracesPerSecond` a second in each process. */
  env({ traceSampling, tracesPerSecond }: Pick<TelemetryFigures, 'traceSampling' | 'tracesPerSecond'>): ServiceEnv {
    const sampler =
      tracesPerSecond !== undefined
        ? { OTEL_TRACES_SAMPLER: 'parentbased_ratelimiting', OTEL_TRACES_SAMPLER_ARG: String(tracesPerSecond) }
        : traceSampling < 1
          ? { OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: String(traceSampling) }
          : {};
    return { OTEL_EXPORTER_OTLP_ENDPOINT: this.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf', ...sampler };
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** Scrapes every URL every `intervalMs`, each scrape of all of them at once, until stopped. */
export class Scraper {
  private scrapes = 0;
  private failures = 0;
  private bytes = 0;
  private timer?: NodeJS.Timeout;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly urls: readonly string[],
    private readonly intervalMs: number,
  ) {}

  /** The first scrape now, then one every intervalMs (a slow one delays the next, never overlaps it). */
  start(): void {
    const scrape = () => (this.running = this.running.then(() => this.scrapeAll()));
    scrape();
    this.timer = setInterval(scrape, this.intervalMs);
  }

  private async scrapeAll(): Promise<void> {
    await Promise.all(
      this.urls.map(async (url) => {
        try {
          const response = await fetch(url, { signal: AbortSignal.timeout(this.intervalMs) });
          const body = await response.text();
          if (response.status !== 200) throw new Error(`${response.status}`);
          this.scrapes++;
          this.bytes += body.length;
        } catch {
          this.failures++;
        }
      }),
    );
  }

  async stop(): Promise<Pick<TelemetryFigures, 'scrapes' | 'scrapeFailures' | 'scrapeBytes'>> {
    clearInterval(this.timer);
    await this.running;
    return { scrapes: this.scrapes, scrapeFailures: this.failures, scrapeBytes: this.scrapes === 0 ? 0 : Math.round(this.bytes / this.scrapes) };
  }
}

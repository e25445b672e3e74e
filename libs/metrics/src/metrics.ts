// Every Prometheus metric of vle-tasks, declared once (README, "Operating it"): the counters and
// histograms the code moves as it works, and the gauges read when scraped from probes the running
// parts register (a consumer's pending, the projection's lag). One registry per process: under
// SERVICE_ROLE=all the services of a process share it, as they share its /metrics endpoint.
//
// Labels hold bounded values only (a queue, an action, a command, a code of the contract), never a
// Task id or a message: each label value is a time series kept by Prometheus.

import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export const registry = new Registry();

const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]) => new Counter<L>({ name, help, labelNames, registers: [registry] });
const histogram = <L extends string>(name: string, help: string, labelNames: readonly L[], buckets: number[]) =>
  new Histogram<L>({ name, help, labelNames, buckets, registers: [registry] });

/** How the command arrived: HTTP, a NATS request, or the durable command stream. */
export type CommandTransport = 'http' | 'nats_request' | 'nats_stream';

export const commandsAccepted = counter('vle_commands_accepted_total', 'Commands task-api accepted, by command and transport', ['command', 'transport']);
export const commandsRefused = counter('vle_commands_refused_total', "Commands task-api refused, by command, transport and the contract's error code", ['command', 'transport', 'code']);

export const appends = counter('vle_event_appends_total', 'Commits appended to the event log (TASK_EVENTS)', []);
export const appendConflicts = counter('vle_event_append_conflicts_total', 'Appends refused for a wrong expected sequence (another writer was first); the command is decided again', []);

const JOB_LABELS = ['queue', 'action'] as const;
export const jobsStarted = counter('vle_jobs_started_total', 'Job attempts started (recorded in the log), by queue and action', JOB_LABELS);
export const jobsSucceeded = counter('vle_jobs_succeeded_total', 'Job attempts that succeeded, by queue and action', JOB_LABELS);
export const jobsRetried = counter('vle_jobs_retried_total', 'Job attempts that failed and will be attempted again, by queue and action', JOB_LABELS);
export const jobsFailed = counter('vle_jobs_failed_total', 'Job attempts that failed for good (permanent, the last attempt, or timed out), by queue and action', JOB_LABELS);
/** outcome: succeeded, failed, timed_out, interrupted (the worker stopping). */
export const jobAttemptDuration = histogram('vle_job_attempt_duration_seconds', "A job attempt's handler, from its start to its outcome", [...JOB_LABELS, 'outcome'], [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900]);

export const deadLetters = counter('vle_dead_letters_total', 'Messages this process dead-lettered, by source (commands, jobs.<queue>, ...) and code', ['source', 'code']);

/** system: proxmox, guacamole, moodle, openvle, smtp. outcome: ok, client_error (4xx), server_error (5xx), refused (an SMTP reply code), error (no answer). */
export const externalCalls = counter('vle_external_calls_total', 'Calls to external systems, by system and outcome', ['system', 'outcome']);
export const externalCallDuration = histogram('vle_external_call_duration_seconds', 'Calls to external systems, by system', ['system'], [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]);

/** The outcome label of an HTTP call's answer (undefined: no answer at all). */
export function outcomeOfStatus(status: number | undefined): 'ok' | 'client_error' | 'server_error' | 'error' {
  if (status === undefined) return 'error';
  if (status >= 500) return 'server_error';
  if (status >= 400) return 'client_error';
  return 'ok';
}

let defaultsCollected = false;

/** The Node.js process metrics (CPU, memory, event loop lag, GC, handles), once per process. */
export function collectProcessMetrics(): void {
  if (defaultsCollected) return;
  defaultsCollected = true;
  collectDefaultMetrics({ register: registry });
}

/** The registry's metrics in the Prometheus text format, and its content type. */
export async function scrape(): Promise<{ contentType: string; body: string }> {
  return { contentType: registry.contentType, body: await registry.metrics() };
}

// Gauges read when scraped. A part of the process registers a probe for the series it knows (the
// consumers it pulls from, the projection it runs) and unregisters it when it stops; a probe that
// fails or takes longer than PROBE_TIMEOUT_MS leaves its series out of that scrape rather than
// holding the scrape or reporting a stale value.

const PROBE_TIMEOUT_MS = 2_000;

type Labels<L extends string> = Partial<Record<L, string>>;
/** A probe gives the value of its series, or several series with their labels ([]: none this scrape). */
type Probe<L extends string> = () => Promise<number | ReadonlyArray<{ labels: Labels<L>; value: number }>> | number;

class ProbedGauges<L extends string> {
  private readonly probes = new Map<symbol, { labels: Labels<L>; probe: Probe<L> }>();
  readonly gauge: Gauge<L>;

  constructor(name: string, help: string, labelNames: readonly L[]) {
    const probes = this.probes;
    this.gauge = new Gauge<L>({
      name,
      help,
      labelNames,
      registers: [registry],
      async collect() {
        // reset() gives a gauge without labels the value 0; its series is set by a probe or left out.
        this.reset();
        if (labelNames.length === 0) this.remove({});
        await Promise.all(
          [...probes.values()].map(async ({ labels, probe }) => {
            const read = await withTimeout(Promise.resolve().then(probe)).catch(() => undefined);
            if (typeof read === 'number') this.set(labels, read);
            else for (const series of read ?? []) this.set({ ...labels, ...series.labels }, series.value);
          }),
        );
      },
    });
  }

  /** Registers a probe of the series with these labels (or of several, returned with theirs); call the result to unregister. */
  register(labels: Labels<L>, probe: Probe<L>): () => void {
    const key = Symbol();
    this.probes.set(key, { labels, probe });
    return () => this.probes.delete(key);
  }
}

/** One read shared by the gauges that ask for it within one scrape (their collect() calls run together). */
function sharedPerScrape<T>(read: () => Promise<T>): () => Promise<T> {
  let shared: Promise<T> | undefined;
  return () => {
    shared ??= read().finally(() => setTimeout(() => (shared = undefined), 100).unref());
    return shared;
  };
}

function withTimeout<T>(promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('probe timed out')), PROBE_TIMEOUT_MS)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export const consumerPending = new ProbedGauges('vle_consumer_pending', 'Messages of a JetStream consumer not delivered yet (num_pending)', ['stream', 'consumer']);
export const consumerAckPending = new ProbedGauges('vle_consumer_ack_pending', 'Messages of a JetStream consumer delivered and not acknowledged yet (num_ack_pending)', ['stream', 'consumer']);
export const consumerRedelivered = new ProbedGauges('vle_consumer_redelivered', 'Messages of a JetStream consumer delivered more than once and not acknowledged yet (num_redelivered)', ['stream', 'consumer']);

/** Registers the three gauges of one consumer from one read of its info; call the result to unregister. */
export function probeConsumer(stream: string, consumer: string, info: () => Promise<{ num_pending: number; num_ack_pending: number; num_redelivered: number }>): () => void {
  // One info request serves the three gauges of a scrape.
  const read = sharedPerScrape(info);
  const labels = { stream, consumer };
  const off = [
    consumerPending.register(labels, async () => (await read()).num_pending),
    consumerAckPending.register(labels, async () => (await read()).num_ack_pending),
    consumerRedelivered.register(labels, async () => (await read()).num_redelivered),
  ];
  return () => off.forEach((unregister) => unregister());
}

export const projectionLag = new ProbedGauges('vle_projection_lag_events', "Commits of TASK_EVENTS the read model has not applied yet (the stream's last sequence minus the stored checkpoint)", ['projection']);
export const projectionAppliedSeq = new ProbedGauges('vle_projection_applied_sequence', 'The TASK_EVENTS sequence the read model has applied up to', ['projection']);
export const liveStreamClients = new ProbedGauges('vle_live_stream_clients', 'Live-stream (server-sent events) clients this replica serves', []);
export const deadLettersStored = new ProbedGauges('vle_dead_letters_stored', 'Dead letters kept in the DEAD_LETTERS stream', []);
export const streamBytes = new ProbedGauges('vle_jetstream_stream_bytes', 'Bytes a JetStream stream of vle-tasks stores', ['stream']);
export const streamMessages = new ProbedGauges('vle_jetstream_stream_messages', 'Messages a JetStream stream of vle-tasks stores', ['stream']);
export const streamMaxBytes = new ProbedGauges('vle_jetstream_stream_max_bytes', "A JetStream stream's own limit in bytes (max_bytes; streams without one are left out)", ['stream']);
export const accountStorageBytes = new ProbedGauges('vle_jetstream_account_storage_bytes', 'File storage the JetStream account of vle-tasks uses, all its streams', []);
export const accountStorageLimitBytes = new ProbedGauges('vle_jetstream_account_storage_limit_bytes', "The JetStream account's file storage limit (left out when the account has none: then the server's, which the NATS exporter reports)", []);
export const subTasksOverdue = new ProbedGauges('vle_subtasks_overdue', 'SubTasks running for longer than their timeout, in the read model', []);

/** A limit of JetStream's as a series: none (-1 or 0) is no series. */
const limitSeries = (limit: number | undefined) => (limit !== undefined && limit > 0 ? limit : []);

/** Registers the bytes, messages and byte limit of each stream from one read of its info a scrape; call the result to unregister. */
export function probeStreams(streams: readonly string[], info: (stream: string) => Promise<{ state: { bytes: number; messages: number }; config: { max_bytes?: number } }>): () => void {
  const off = streams.flatMap((stream) => {
    const read = sharedPerScrape(() => info(stream));
    return [
      streamBytes.register({ stream }, async () => (await read()).state.bytes),
      streamMessages.register({ stream }, async () => (await read()).state.messages),
      streamMaxBytes.register({ stream }, async () => limitSeries((await read()).config.max_bytes)),
    ];
  });
  return () => off.forEach((unregister) => unregister());
}

/** Registers the account's storage and its limit from one read of the account info a scrape; call the result to unregister. */
export function probeAccount(info: () => Promise<{ storage: number; limits: { max_storage?: number } }>): () => void {
  const read = sharedPerScrape(info);
  const off = [accountStorageBytes.register({}, async () => (await read()).storage), accountStorageLimitBytes.register({}, async () => limitSeries((await read()).limits.max_storage))];
  return () => off.forEach((unregister) => unregister());
}

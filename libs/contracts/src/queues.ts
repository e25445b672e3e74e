// The queues of DESIGN §6 and their retry policies. Pure data: libs/domain imports this file.

export const QUEUE_NAMES = [
  'pve_vm_clone',
  'pve_vm_actions',
  'pve_periodic',
  'mails',
  'guacamole',
  'moodle',
  'core_periodic',
  // Exercises the pipeline itself (tests, bench/): a no-op handler, not a user-facing action.
  'bench',
] as const;

export type QueueName = (typeof QUEUE_NAMES)[number];

export function isQueueName(value: string): value is QueueName {
  return (QUEUE_NAMES as readonly string[]).includes(value);
}

/** The worker service that consumes each queue (DESIGN §2). */
export const QUEUE_OWNERS = {
  pve_vm_clone: 'vm-clone-worker',
  pve_vm_actions: 'vm-action-worker',
  pve_periodic: 'vm-action-worker',
  mails: 'integration-worker',
  guacamole: 'integration-worker',
  moodle: 'integration-worker',
  core_periodic: 'integration-worker',
  bench: 'integration-worker',
} as const satisfies Record<QueueName, string>;

export type WorkerService = (typeof QUEUE_OWNERS)[QueueName];

/** The queues a worker service consumes: the only ones whose jobs its NATS user may publish. */
export function queuesOf(service: WorkerService): QueueName[] {
  return QUEUE_NAMES.filter((queue) => QUEUE_OWNERS[queue] === service);
}

export interface QueuePolicy {
  readonly queue: QueueName;
  /** Retries after the first attempt; attempts = maxRetries + 1. */
  readonly maxRetries: number;
  /** Delay before retry n is retryIntervalsMs[n - 1]; the last one repeats. */
  readonly retryIntervalsMs: readonly number[];
  /** Upper bound of one attempt unless the SubTask sets its own. */
  readonly attemptTimeoutMs: number;
  /** Jobs of this queue one worker process runs at once. */
  readonly concurrency: number;
}

/** `WORKER_MAX_RETRY` of the original system. */
export const DEFAULT_WORKER_MAX_RETRY = 5;

const s = (...seconds: number[]) => seconds.map((n) => n * 1000);

/**
 * The policies of DESIGN §6. `workerMaxRetry` is WORKER_MAX_RETRY; the periodic queues keep 3.
 * `intervalScale` shortens every interval (tests run retries in milliseconds); 1 in production.
 */
export function queuePolicies(workerMaxRetry = DEFAULT_WORKER_MAX_RETRY, intervalScale = 1): Record<QueueName, QueuePolicy> {
  const policy = (queue: QueueName, maxRetries: number, intervals: number[], attemptTimeoutMs: number, concurrency: number): QueuePolicy => ({
    queue,
    maxRetries,
    retryIntervalsMs: intervals.map((ms) => Math.round(ms * intervalScale)),
    attemptTimeoutMs,
    concurrency,
  });
  const minutes = (n: number) => n * 60_000;
  return {
    pve_vm_clone: policy('pve_vm_clone', workerMaxRetry, s(10, 30, 60), minutes(30), 8),
    pve_vm_actions: policy('pve_vm_actions', workerMaxRetry, s(5, 10, 15), minutes(15), 16),
    pve_periodic: policy('pve_periodic', 3, s(5, 10, 15), minutes(5), 2),
    mails: policy('mails', workerMaxRetry, s(30, 60, 120), minutes(2), 16),
    guacamole: policy('guacamole', workerMaxRetry, s(10, 30, 60), minutes(2), 16),
    moodle: policy('moodle', workerMaxRetry, s(10, 30, 60), minutes(30), 8),
    core_periodic: policy('core_periodic', 3, s(5, 10, 15), minutes(30), 4),
    bench: policy('bench', workerMaxRetry, s(1, 2, 3), minutes(1), 256),
  };
}

/** The delay before the retry that follows failed attempt `attempt` (1-based). */
export function retryDelayMs(policy: QueuePolicy, attempt: number): number {
  const intervals = policy.retryIntervalsMs;
  return intervals[Math.min(Math.max(attempt, 1), intervals.length) - 1] ?? 0;
}

// The repair path of job publishing (README, "Queueing and dispatch"). The process that appends a
// commit holding SubTaskQueued publishes its jobs right after the append (InlineDispatch,
// libs/messaging); a process that dies between the two, or whose publish fails, leaves a SubTask queued
// with no job. The projection's leader reads every commit anyway and knows every SubTask's state, so it
// keeps the repair: a SubTask it has seen queued for `repairAfterMs` without its attempt starting has
// its job published once more, with the same Nats-Msg-Id `<subTaskId>:<generation>`. JOBS stores it only
// if it is missing (within its duplicate window; a later copy is refused by the attempt fence,
// DUPLICATE_JOB), and either way the SubTask is then known to have a job and is no longer watched.
//
// The handover: a worker's NATS user may publish jobs on its own queues only (README, "NATS users"), so
// the jobs its commit queues on another service's queue (a lab event's clone queueing the VM's start)
// are named in the commit (Headers.jobsLeft) and the leader publishes them as soon as it has applied
// the commit, if their SubTasks are still queued. A worker that names queues falsely gains nothing: it
// could append SubTaskQueued for them anyway, and only jobs of queued SubTasks in the log are published.
//
// Only queued SubTasks are watched: a running or retrying one has its job message in JOBS, unacked,
// which JetStream redelivers by itself. A new leader starts from the queued SubTasks of the read model
// (a standby that takes over repairs what the old leader had not checked yet), and a sweep only runs
// while the projection is caught up: a SubTask it saw queued but whose start is still unread in the log
// would be published again for nothing.
//
// A job published here carries the trace of the commit that queued its SubTask, as the inline one
// does (the batch's latest commit of the Task that names a trace; none for a SubTask a new leader
// found queued in the read model).

import type { QueuedJob } from '@vle/messaging';
import type { TraceCarrier } from '@vle/tracing';

/** A SubTask as one batch left it (a changed row of the read model). */
export interface SubTaskChange {
  readonly taskId: string;
  readonly subTaskId: string;
  readonly status: string;
  readonly generation: number;
  readonly queue: string;
  readonly action: string;
}

export interface JobRepairLogger {
  log(message: string): void;
  warn(message: string): void;
}

export interface JobRepairOptions {
  /** Publishes a job in the trace of `trace`; `duplicate` when JOBS already had it (the PubAck says so). */
  readonly publish: (job: QueuedJob, trace: TraceCarrier | undefined) => Promise<{ readonly duplicate: boolean }>;
  /** How long a SubTask stays queued, as this replica saw it, before its job is published again. */
  readonly repairAfterMs: number;
  readonly logger: JobRepairLogger;
  readonly now?: () => number;
  /** Publishes in flight during one sweep. */
  readonly concurrency?: number;
}

export interface JobRepairStats {
  /** Queued SubTasks watched now. */
  readonly watched: number;
  /** Jobs JOBS did not have: published by the repair (a process died between append and publish). */
  readonly repaired: number;
  /** Jobs published again that JOBS already had (a queue slower than repairAfterMs). */
  readonly confirmed: number;
  /** Jobs published at once because the appending process left them to others (Headers.jobsLeft). */
  readonly handedOver: number;
  readonly lastError?: string;
}

interface Watched {
  readonly job: QueuedJob;
  readonly since: number;
  readonly trace?: TraceCarrier;
}

const key = (taskId: string, subTaskId: string) => `${taskId}/${subTaskId}`;

export class JobRepair {
  private readonly watched = new Map<string, Watched>();
  private repaired = 0;
  private confirmed = 0;
  private handedOver = 0;
  private lastError: string | undefined;
  private readonly now: () => number;

  constructor(private readonly options: JobRepairOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Forgets what was watched and watches `queued` from now on (a new leader, a resubscription). */
  restart(queued: readonly SubTaskChange[]): void {
    this.watched.clear();
    this.observe(queued);
  }

  /**
   * Follows the SubTasks a batch changed: a queued one is watched (from the first time seen in that
   * generation), any other is not. `traceOf`: the trace of the batch's commits of a Task.
   */
  observe(changes: readonly SubTaskChange[], traceOf: (taskId: string) => TraceCarrier | undefined = () => undefined): void {
    const now = this.now();
    for (const change of changes) {
      const k = key(change.taskId, change.subTaskId);
      if (change.status !== 'queued') {
        this.watched.delete(k);
        continue;
      }
      if (this.watched.get(k)?.job.generation === change.generation) continue;
      const { taskId, subTaskId, generation, queue, action } = change;
      const trace = traceOf(taskId);
      this.watched.set(k, { job: { taskId, subTaskId, generation, queue, action }, since: now, ...(trace ? { trace } : {}) });
    }
  }

  /**
   * Publishes now the jobs that the commits of a batch left to others (`left`: their queues by Task),
   * of the SubTasks the batch left queued (`changes`, after observe). Never throws: a job whose publish
   * fails stays watched, and the sweep publishes it after repairAfterMs.
   */
  async handOver(left: ReadonlyMap<string, ReadonlySet<string>>, changes: readonly SubTaskChange[]): Promise<void> {
    const due = changes.filter((c) => c.status === 'queued' && left.get(c.taskId)?.has(c.queue));
    await Promise.all(
      due.map(async ({ taskId, subTaskId, generation, queue, action }) => {
        const k = key(taskId, subTaskId);
        try {
          const watched = this.watched.get(k);
          await this.options.publish({ taskId, subTaskId, generation, queue, action }, watched?.job.generation === generation ? watched.trace : undefined);
          this.handedOver += 1;
          if (this.watched.get(k)?.job.generation === generation) this.watched.delete(k);
        } catch (error) {
          this.lastError = `${queue}: ${error instanceof Error ? error.message : String(error)}`;
          this.options.logger.warn(`job repair: could not publish the job of SubTask ${subTaskId} of Task ${taskId} left by its appender (${this.lastError}); the sweep tries again`);
        }
      }),
    );
  }

  /** How often the leader sweeps: a quarter of repairAfterMs, between 50 ms and 5 s. */
  get sweepEveryMs(): number {
    return Math.min(5_000, Math.max(50, Math.round(this.options.repairAfterMs / 4)));
  }

  /**
   * Publishes the job of every SubTask watched since repairAfterMs before `asOf` (when the log the
   * projection has now applied ended; default now), and stops watching those JOBS took (stored now, or
   * already there); a failed publish is tried again at the next sweep.
   */
  async sweep(asOf = this.now()): Promise<void> {
    const due = asOf - this.options.repairAfterMs;
    const jobs = [...this.watched.entries()].filter(([, w]) => w.since <= due);
    const concurrency = this.options.concurrency ?? 64;
    let failed: string | undefined;
    for (let i = 0; i < jobs.length; i += concurrency) {
      await Promise.all(
        jobs.slice(i, i + concurrency).map(async ([k, { job, trace }]) => {
          try {
            const { duplicate } = await this.options.publish(job, trace);
            // Watched again meanwhile in a later generation: that one has its own wait.
            if (this.watched.get(k)?.job.generation === job.generation) this.watched.delete(k);
            if (duplicate) {
              this.confirmed += 1;
            } else {
              this.repaired += 1;
              this.options.logger.log(`job repair: published the job of SubTask ${job.subTaskId} of Task ${job.taskId} (generation ${job.generation}) on ${job.queue}: JOBS had no copy of it within its duplicate window`);
            }
          } catch (error) {
            failed = `${job.queue}: ${error instanceof Error ? error.message : String(error)}`;
          }
        }),
      );
    }
    if (failed) {
      this.lastError = failed;
      this.options.logger.warn(`job repair: could not publish some jobs (${failed}); trying again at the next sweep`);
    }
  }

  stats(): JobRepairStats {
    return { watched: this.watched.size, repaired: this.repaired, confirmed: this.confirmed, handedOver: this.handedOver, ...(this.lastError ? { lastError: this.lastError } : {}) };
  }
}

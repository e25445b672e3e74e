// The projector's loop: read the checkpoint, subscribe from the next sequence, apply batches until
// stopped. Every failure ends in the same repair: forget the subscription, read the checkpoint again,
// resubscribe from there. That one path covers another replica having moved the checkpoint (the
// compare-and-set failed), a rebuild swapped in, PostgreSQL or NATS being down for a while.
//
// The leader also keeps the job repair (job-repair.ts): it follows the SubTasks each batch changed,
// starts from the queued ones of the read model whenever it (re)subscribes, and sweeps while it leads.
//
// Each batch's apply is a `projection apply` span linked to the trace of each commit it applies
// (OpenTelemetry's way for a batch: one span per commit would double the spans of every command, and
// a batch is one transaction whatever it holds): a command's trace leads to the read model having it.

import { Attr, errorCodeOf, linkTo, markFailed, startSpan, type Span, type TraceCarrier } from '@vle/tracing';
import { batches, type BatchOptions } from './batches.js';
import type { IncomingCommit, RejectedCommit } from './commit.js';
import type { CommitFeed } from './commit-feed.js';
import { isCheckpointMoved } from './errors.js';
import type { JobRepair, JobRepairStats } from './job-repair.js';
import { EVERYONE_LEADS, type Leadership, type Lease } from './leadership.js';
import type { AppliedBatch, TaskProjector } from './task.projector.js';

export interface RunnerLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface ProjectionRunnerOptions extends BatchOptions {
  /** First delay after a failure; doubles up to maxRetryDelayMs. */
  readonly retryDelayMs?: number;
  readonly maxRetryDelayMs?: number;
  /** The job repair this replica keeps while it leads (none: the rebuild, tests of the projection alone). */
  readonly repair?: JobRepair;
  /** Told of every batch once it committed (`from`: the checkpoint before it): the live stream. Must not throw. */
  readonly onApplied?: (from: number, applied: AppliedBatch) => void;
}

/** exclusive() on a replica that does not lead (the work was not done). */
export class NotLeading extends Error {
  readonly code = 'NOT_LEADING';
}

export interface ProjectionStats {
  readonly name: string;
  readonly running: boolean;
  /** Whether this replica projects now; a standby waits to take over (Leadership). */
  readonly leading: boolean;
  /** The checkpoint as this replica last saw it: the last stream sequence applied. */
  readonly appliedSeq: number;
  readonly batches: number;
  readonly commits: number;
  readonly events: number;
  readonly skippedCommits: number;
  /** Resubscriptions after a failure or a checkpoint moved elsewhere. */
  readonly restarts: number;
  readonly lastBatchAt?: string;
  readonly lastError?: string;
  /** The job repair's counters, when this replica keeps one. */
  readonly jobRepair?: JobRepairStats;
}

/** Commits per `projection apply` span: each links to its commit's trace, and the SDK keeps 128 links a span. */
const LINKS_PER_SPAN = 128;

export const DEFAULT_RUNNER_OPTIONS: ProjectionRunnerOptions = { maxSize: 500, maxWaitMs: 20, retryDelayMs: 200, maxRetryDelayMs: 10_000 };

export class ProjectionRunner {
  private stopController: AbortController | undefined;
  private loop: Promise<void> | undefined;
  private stats: Omit<ProjectionStats, 'name' | 'running'> = { leading: false, appliedSeq: 0, batches: 0, commits: 0, events: 0, skippedCommits: 0, restarts: 0 };
  private waiters: Array<{ seq: number; resolve: () => void }> = [];
  /** The end of the last work holding the projector's turn: a batch, or exclusive() work. */
  private turn: Promise<unknown> = Promise.resolve();
  private readonly leaderWork: Array<(lead: AbortSignal) => Promise<void>> = [];

  constructor(
    private readonly projector: TaskProjector,
    private readonly feed: CommitFeed,
    private readonly logger: RunnerLogger,
    private readonly options: ProjectionRunnerOptions = DEFAULT_RUNNER_OPTIONS,
    /** Which replica projects (default: every one, the CAS deciding batch by batch). */
    private readonly leadership: Leadership = EVERYONE_LEADS,
  ) {}

  start(): void {
    if (this.loop) return;
    this.stopController = new AbortController();
    this.loop = this.run(this.stopController.signal);
  }

  /** Stops after the batch in flight (its transaction commits or rolls back, never half). */
  async stop(): Promise<void> {
    this.stopController?.abort();
    await this.loop;
    this.loop = undefined;
    this.stopController = undefined;
  }

  status(): ProjectionStats {
    const jobRepair = this.options.repair?.stats();
    return { name: this.projector.name, running: this.loop !== undefined, ...this.stats, ...(jobRepair ? { jobRepair } : {}) };
  }

  /**
   * The stored checkpoint (whichever replica moved it), the stream's last sequence, and their
   * difference: the lag a benchmark or an autoscaler reads.
   */
  async lag(): Promise<{ appliedSeq: number; streamSeq: number; lag: number }> {
    const [appliedSeq, streamSeq] = await Promise.all([this.projector.storedCheckpoint(), this.feed.lastSeq()]);
    return { appliedSeq, streamSeq, lag: Math.max(0, streamSeq - appliedSeq) };
  }

  /**
   * More work of the leader only (the retention's request responder), started whenever this replica
   * begins to lead and given a signal that aborts when it stops leading; it should return then.
   */
  whileLeading(work: (lead: AbortSignal) => Promise<void>): void {
    this.leaderWork.push(work);
  }

  /**
   * Runs `work` between two batches, never during one (the retention deletes rows the next batch may
   * read), and only while this replica leads; throws NotLeading otherwise. Work that waits for a
   * batch (applied()) must not run inside: the batch waits for it.
   */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    return this.takeTurn(async () => {
      if (!this.stats.leading) throw new NotLeading(`projection ${this.projector.name}: this replica does not lead`);
      return work();
    });
  }

  private takeTurn<T>(work: () => Promise<T>): Promise<T> {
    const result = this.turn.then(work);
    this.turn = result.catch(() => undefined);
    return result;
  }

  /** Resolves once this replica has applied stream sequence `seq`. */
  applied(seq: number): Promise<void> {
    if (this.stats.appliedSeq >= seq) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ seq, resolve }));
  }

  /**
   * Sweeps the job repair every sweepEveryMs until `stop` aborts, each time once this replica has
   * applied everything the log held when the sweep began: a start stored before then has been seen.
   */
  private async sweepJobs(repair: JobRepair, stop: AbortSignal): Promise<void> {
    while (!stop.aborted) {
      await sleep(repair.sweepEveryMs, stop);
      if (stop.aborted) break;
      try {
        const began = Date.now();
        const last = await this.feed.lastSeq();
        await untilAborted(this.applied(last), stop);
        if (!stop.aborted) await repair.sweep(began);
      } catch (error) {
        if (!stop.aborted) this.logger.warn(`projection ${this.projector.name}: job repair sweep failed (${error instanceof Error ? error.message : String(error)}); trying again`);
      }
    }
  }

  /** Leads whenever this replica may (its leadership), and waits as a standby otherwise. */
  private async run(stop: AbortSignal): Promise<void> {
    let delay = this.options.retryDelayMs ?? 200;
    while (!stop.aborted) {
      let lease: Lease;
      try {
        lease = await this.leadership.acquire(stop);
      } catch (error) {
        if (stop.aborted) break;
        delay = await this.backOff('cannot wait to lead', error, delay, stop);
        continue;
      }
      delay = this.options.retryDelayMs ?? 200;
      this.stats = { ...this.stats, leading: true };
      const lost = new AbortController();
      void lease.lost.then(() => lost.abort());
      try {
        await this.lead(AbortSignal.any([stop, lost.signal]));
        if (lost.signal.aborted && !stop.aborted) this.logger.warn(`projection ${this.projector.name}: lost the lead (its PostgreSQL session ended); waiting to lead again`);
      } finally {
        this.stats = { ...this.stats, leading: false };
        await lease.release();
      }
    }
  }

  /** Projects until `stop` aborts, resubscribing from the stored checkpoint after every failure. */
  private async lead(stop: AbortSignal): Promise<void> {
    const { repair } = this.options;
    const sweeping = repair ? this.sweepJobs(repair, stop) : undefined;
    const others = this.leaderWork.map((work) =>
      work(stop).catch((error: unknown) => this.logger.error(`projection ${this.projector.name}: leader work failed: ${error instanceof Error ? error.message : String(error)}`)),
    );
    try {
      await this.project(stop);
    } finally {
      await sweeping;
      await Promise.all(others);
    }
  }

  private async project(stop: AbortSignal): Promise<void> {
    let delay = this.options.retryDelayMs ?? 200;
    while (!stop.aborted) {
      const round = new AbortController();
      const end = () => round.abort();
      stop.addEventListener('abort', end, { once: true });
      try {
        let checkpoint = await this.projector.checkpoint();
        // As the leader it is alone to move the checkpoint: the queued SubTasks read now are those at it.
        this.options.repair?.restart(await this.projector.queuedSubTasks());
        this.advance(checkpoint);
        for await (const batch of batches(this.feed.commits(checkpoint + 1, round.signal), this.options)) {
          const from = checkpoint;
          const applied = await this.takeTurn(async () => {
            const endSpans = this.startApplySpans(batch);
            let done: AppliedBatch;
            try {
              done = await this.projector.applyIsolating(batch, from);
            } catch (error) {
              endSpans(error);
              throw error;
            }
            endSpans();
            this.record(done, batch);
            return done;
          });
          this.options.onApplied?.(from, applied);
          await this.handOver(batch, applied);
          checkpoint = applied.checkpoint;
          delay = this.options.retryDelayMs ?? 200;
        }
        if (!stop.aborted) throw new Error('the event subscription ended');
      } catch (error) {
        if (stop.aborted) break;
        this.stats = { ...this.stats, restarts: this.stats.restarts + 1 };
        if (isCheckpointMoved(error)) {
          this.logger.log(`${(error as Error).message}; resubscribing from the stored checkpoint`);
          continue;
        }
        delay = await this.backOff('failed', error, delay, stop);
      } finally {
        stop.removeEventListener('abort', end);
        round.abort();
      }
    }
  }

  /** Records and logs a failure, waits `delay` (or until stopped), and returns the next, doubled delay. */
  private async backOff(what: string, error: unknown, delay: number, stop: AbortSignal): Promise<number> {
    const message = error instanceof Error ? error.message : String(error);
    this.stats = { ...this.stats, lastError: message };
    this.logger.error(`projection ${this.projector.name} ${what}, retrying in ${delay} ms: ${message}`);
    await sleep(delay, stop);
    return Math.min(delay * 2, this.options.maxRetryDelayMs ?? 10_000);
  }

  /**
   * The batch's `projection apply` span, a trace of the projection's own linked to the trace of each
   * traced commit it applies (one span per LINKS_PER_SPAN commits: the SDK keeps at most 128 links a
   * span; none for commits of no sampled trace), sampled as they are; call the result when the batch
   * is applied, or failed.
   */
  private startApplySpans(batch: readonly IncomingCommit[]): (error?: unknown) => void {
    const spans: Span[] = [];
    for (let i = 0; i < batch.length; i += LINKS_PER_SPAN) {
      const part = batch.slice(i, i + LINKS_PER_SPAN);
      // Only commits of a sampled trace carry one (libs/service-kit tracing.ts): a part without any is not traced.
      const links = part.flatMap((commit) => linkTo(commit.trace, { [Attr.commitSeq]: commit.seq }) ?? []);
      if (links.length === 0) continue;
      spans.push(
        startSpan({
          name: 'projection apply',
          root: true,
          links,
          attributes: { [Attr.messagingBatchCount]: part.length, [Attr.firstSeq]: part[0]!.seq, [Attr.lastSeq]: part.at(-1)!.seq, [Attr.projection]: this.projector.name },
        }),
      );
    }
    return (error) => {
      for (const span of spans) {
        if (error !== undefined) markFailed(span, errorCodeOf(error));
        span.end();
      }
    };
  }

  private record(applied: AppliedBatch, batch: readonly IncomingCommit[]): void {
    for (const skipped of applied.skipped) warnSkipped(this.logger, skipped);
    this.stats = {
      ...this.stats,
      batches: this.stats.batches + 1,
      commits: this.stats.commits + applied.commits,
      events: this.stats.events + applied.events,
      skippedCommits: this.stats.skippedCommits + applied.skipped.length,
      lastBatchAt: new Date().toISOString(),
    };
    this.options.repair?.observe(applied.changedSubTasks, this.tracesOf(batch));
    this.advance(applied.checkpoint);
  }


  /**
   * The trace a job of a Task queued in this batch joins: that of the Task's latest commit that left
   * jobs to others (it queued them), else of its latest traced commit.
   */
  private tracesOf(batch: readonly IncomingCommit[]): (taskId: string) => TraceCarrier | undefined {
    const traces = new Map<string, { trace: TraceCarrier; leftJobs: boolean }>();
    for (const commit of batch) {
      if (!commit.trace) continue;
      const taskId = this.projector.options.taskIdOf(commit.subject);
      const leftJobs = commit.jobsLeft !== undefined;
      if (leftJobs || !traces.get(taskId)?.leftJobs) traces.set(taskId, { trace: commit.trace, leftJobs });
    }
    return (taskId) => traces.get(taskId)?.trace;
  }

  /** Publishes the jobs the batch's commits left to others (job-repair.ts, the handover). */
  private async handOver(batch: readonly IncomingCommit[], applied: AppliedBatch): Promise<void> {
    const { repair } = this.options;
    if (!repair) return;
    const left = new Map<string, Set<string>>();
    for (const commit of batch) {
      if (!commit.jobsLeft) continue;
      const taskId = this.projector.options.taskIdOf(commit.subject);
      const queues = left.get(taskId) ?? new Set<string>();
      for (const queue of commit.jobsLeft) queues.add(queue);
      left.set(taskId, queues);
    }
    if (left.size > 0) await repair.handOver(left, applied.changedSubTasks);
  }

  private advance(seq: number): void {
    this.stats = { ...this.stats, appliedSeq: seq };
    const ready = this.waiters.filter((w) => w.seq <= seq);
    this.waiters = this.waiters.filter((w) => w.seq > seq);
    for (const waiter of ready) waiter.resolve();
  }
}

/** One line per skipped commit, with its stream sequence (DESIGN §7: visible, never silent). */
export function warnSkipped(logger: RunnerLogger, skipped: RejectedCommit): void {
  logger.warn(`skipped malformed commit seq=${skipped.seq} subject=${skipped.subject}: ${skipped.reason}`);
}

/** Resolves with `promise`, or when `signal` aborts first. */
function untilAborted(promise: Promise<void>, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  let end: () => void = () => {};
  const aborted = new Promise<void>((resolve) => {
    end = resolve;
    signal.addEventListener('abort', end, { once: true });
  });
  return Promise.race([promise, aborted]).finally(() => signal.removeEventListener('abort', end));
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

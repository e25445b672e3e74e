// Sampled while the saturation phase runs: the projection's checkpoint (every ~20 ms) and the
// backlog of the job consumer (and of a baseline's dispatcher) every 200 ms. A sample that fails is skipped: the
// figures are a view of the run, not part of it.

import type { JetStreamManager } from '@nats-io/jetstream';
import { queuePolicies, type Topology } from '@vle/contracts';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { round, summarize, type Summary } from '../stats/summary.js';
import type { ProjectionClient } from './projection-client.js';

export interface CheckpointSample {
  readonly answeredAt: number;
  readonly appliedSeq: number;
  readonly streamSeq: number;
}

export interface CheckpointFigures {
  /** From a Task's success commit (server time) to the first sample whose checkpoint covers it. */
  readonly checkpointLagMs: Summary;
  /** streamSeq − appliedSeq over the samples. */
  readonly seqGap: Summary;
  readonly caughtUpAfterLastSuccessMs?: number;
  readonly samples: number;
}

/** Samples the checkpoint until it covers the sequence given to finish(). */
export class CheckpointSampler {
  readonly samples: CheckpointSample[] = [];
  private finalSeq = Number.POSITIVE_INFINITY;
  private stopped = false;
  /** performance.now() of the first sample covering the final sequence. */
  caughtUpAt?: number;
  private readonly loop: Promise<void>;

  constructor(private readonly projection: ProjectionClient) {
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        const s = await this.projection.status();
        this.samples.push({ answeredAt: Date.now(), appliedSeq: s.appliedSeq, streamSeq: s.streamSeq });
        if (s.appliedSeq >= this.finalSeq) {
          this.caughtUpAt = performance.now();
          return;
        }
      } catch {
        // a missed sample
      }
      await sleep(20);
    }
  }

  /** Waits until the checkpoint covers `seq` (the stream's last once every Task succeeded). */
  async finish(seq: number, timeoutMs = 60_000): Promise<void> {
    this.finalSeq = seq;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the projection did not reach seq ${seq} within ${timeoutMs / 1000} s`)), timeoutMs);
    });
    try {
      await Promise.race([this.loop, timeout]);
    } finally {
      clearTimeout(timer);
      this.stopped = true;
    }
  }

  stop(): Promise<void> {
    this.stopped = true;
    return this.loop;
  }

  figures(successes: readonly { seq: number; serverTime: number }[], lastSuccessAt: number): CheckpointFigures {
    const lags: number[] = [];
    for (const success of successes) {
      const sample = this.samples.find((s) => s.appliedSeq >= success.seq && s.answeredAt >= success.serverTime);
      if (sample) lags.push(sample.answeredAt - success.serverTime);
    }
    return {
      checkpointLagMs: summarize(lags),
      seqGap: summarize(this.samples.map((s) => Math.max(0, s.streamSeq - s.appliedSeq))),
      caughtUpAfterLastSuccessMs: this.caughtUpAt === undefined ? undefined : round(this.caughtUpAt - lastSuccessAt, 0),
      samples: this.samples.length,
    };
  }
}

export interface BacklogPeak {
  /** Only where a dispatcher runs (a baseline checkout from before the job repair replaced it). */
  readonly dispatcherPending?: number;
  readonly dispatcherAckPending?: number;
  readonly jobsPending: number;
  readonly jobsAckPending: number;
}

/** num_pending / num_ack_pending of the `bench` job consumer, and of the dispatcher where one runs. */
export class BacklogSampler {
  private peak: BacklogPeak = { jobsPending: 0, jobsAckPending: 0 };
  private answered = false;
  private stopped = false;
  private readonly loop: Promise<void>;

  constructor(
    private readonly jsm: JetStreamManager,
    private readonly topology: Topology,
  ) {
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    const t = this.topology;
    while (!this.stopped) {
      try {
        const [dispatcher, jobs] = await Promise.all([
          // The dispatcher, retired in this checkout: a baseline's services may still declare and run it.
          this.jsm.consumers.info(t.eventStream.name, t.retiredConsumers[0]!.durable).catch(() => undefined),
          this.jsm.consumers.info(t.jobStream.name, t.jobConsumer(queuePolicies().bench).durable_name!),
        ]);
        const p = this.peak;
        this.peak = {
          ...(dispatcher
            ? { dispatcherPending: Math.max(p.dispatcherPending ?? 0, dispatcher.num_pending), dispatcherAckPending: Math.max(p.dispatcherAckPending ?? 0, dispatcher.num_ack_pending) }
            : { dispatcherPending: p.dispatcherPending, dispatcherAckPending: p.dispatcherAckPending }),
          jobsPending: Math.max(p.jobsPending, jobs.num_pending),
          jobsAckPending: Math.max(p.jobsAckPending, jobs.num_ack_pending),
        };
        this.answered = true;
      } catch {
        // a missed sample
      }
      await sleep(200);
    }
  }

  /** The peaks, or undefined when no sample was answered: a peak of 0 would be a figure nobody measured. */
  async stop(): Promise<BacklogPeak | undefined> {
    this.stopped = true;
    await this.loop;
    return this.answered ? this.peak : undefined;
  }
}

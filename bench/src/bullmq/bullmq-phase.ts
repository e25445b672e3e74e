// One BullMQ phase of the comparison, the same phases as the pipeline's: warm-up, light load (one
// flow every --light-interval ms, open loop), saturation (--tasks flows, --concurrency adds in
// flight), with CPU from /proc of the bench (the FlowProducer), the worker process and redis-server.
// A queue name of its own; obliterated at the end, also on failure.

import { FlowProducer, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { lightFigures, saturationFigures, type LightFigures, type PeerResult } from '../load/figures.js';
import { closedLoop, openLoop } from '../load/loops.js';
import { WorkBook } from '../load/work-book.js';
import { cpuPer, cpuSnapshot, cpuUsage } from '../proc/cpu.js';
import { MemoryWatch } from '../proc/memory-watch.js';
import { fixedGroup, serverGroup } from '../proc/processes.js';
import type { Progress } from '../run/progress.js';
import type { RunGuard } from '../run/run-guard.js';
import { flowOf, JOBS_PER_FLOW, REDIS_URL } from './flow.js';
import { BullmqWorkerProcess } from './worker-process.js';

export interface BullmqPhaseOptions {
  readonly tasks: number;
  readonly concurrency: number;
  readonly lightTasks: number;
  readonly lightIntervalMs: number;
  readonly warmup: number;
  /** How long the booted worker stays idle first (its idle RSS: the lowest meanwhile); 0: none. */
  readonly idleSettleMs: number;
  /** Jobs the worker process runs at once. */
  readonly workerConcurrency: number;
  readonly deadline: number;
}

export interface BullmqResult extends PeerResult {
  readonly peer: 'bullmq';
  readonly queue: string;
  readonly workerConcurrency: number;
  readonly redisServer?: string;
  /** Jobs in the queue's completed set at the end (5 per flow of every phase). */
  readonly completedJobs: number;
}

const WARMUP_CONCURRENCY = 16;

export async function runBullmqPhase(guard: RunGuard, options: BullmqPhaseOptions, progress: Progress): Promise<BullmqResult> {
  const queueName = `vle-bench-${process.pid}-${randomBytes(4).toString('hex')}`;
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue(queueName, { connection });
  // Held first, released last: the keys of the queue go once the worker and the producer are done.
  const releaseQueue = guard.hold(`redis queue ${queueName}`, async () => {
    await queue.obliterate({ force: true });
    await queue.close();
    connection.disconnect();
  });
  const book = new WorkBook();
  const failures: string[] = [];
  let worker: BullmqWorkerProcess | undefined;
  let forget: () => void = () => undefined;
  const producer = new FlowProducer({ connection });
  const releaseProducer = guard.hold('bullmq flow producer', () => producer.close());
  try {
    worker = await BullmqWorkerProcess.start(guard, { queue: queueName, concurrency: options.workerConcurrency, redisUrl: REDIS_URL }, {
      completed: (ids, at) => {
        for (const id of ids) book.finish(id, at, true);
      },
      failed: (id, reason) => {
        failures.push(`${id}: ${reason}`);
        book.finish(id, performance.now(), false);
      },
    });
    const running = worker;
    forget = guard.explainWith(() => running.lastOutput());
    const redisPort = Number(new URL(REDIS_URL).port || 6379);
    const groups = [fixedGroup('bullmq-worker', worker.pid === undefined ? [] : [worker.pid]), serverGroup('redis-server', redisPort), fixedGroup('bench', [process.pid])];
    const memory = new MemoryWatch(new Map([['bullmq-worker', worker.pid]]));
    if (options.idleSettleMs > 0) {
      progress(`bullmq: idle for ${options.idleSettleMs / 1000} s (idle RSS)…`);
      await memory.settle(options.idleSettleMs);
    }
    memory.start();
    const remaining = () => Math.max(1_000, options.deadline - Date.now());
    const stopping = () => guard.stopping;
    const submit = (phase: string) => async (i: number) => {
      const id = `${phase}-${i}`;
      const item = book.add({ id, phase, submittedAt: performance.now(), submittedWall: Date.now(), units: JOBS_PER_FLOW });
      await producer.add(flowOf(queueName, id));
      item.repliedAt = performance.now();
    };

    if (options.warmup > 0) {
      progress(`bullmq: warm-up, ${options.warmup} flows…`);
      await closedLoop(options.warmup, WARMUP_CONCURRENCY, submit('warmup'), stopping);
      await book.untilFinished('warmup', options.warmup, remaining());
    }
    let light: LightFigures | undefined;
    if (options.lightTasks > 0) {
      progress(`bullmq: light load, ${options.lightTasks} flows, one every ${options.lightIntervalMs} ms…`);
      const before = cpuSnapshot(groups);
      await openLoop(options.lightTasks, options.lightIntervalMs, submit('light'), stopping);
      await book.untilFinished('light', options.lightTasks, remaining());
      light = lightFigures(book.of('light'), cpuUsage(before, cpuSnapshot(groups)));
    }
    progress(`bullmq: saturation, ${options.tasks} flows, ${options.concurrency} adds in flight…`);
    const before = cpuSnapshot(groups);
    const loop = await closedLoop(options.tasks, options.concurrency, submit('saturation'), stopping);
    await book.untilFinished('saturation', options.tasks, remaining());
    const cpu = cpuUsage(before, cpuSnapshot(groups));
    const saturation = saturationFigures(book.of('saturation'), loop, options.concurrency, cpu, cpuPer(cpu, options.tasks));

    const counts = await queue.getJobCounts('completed', 'failed');
    const expectedJobs = book.all().length * JOBS_PER_FLOW;
    const problems = failures.slice(0, 5).map((f) => `job failed: ${f}`);
    if ((counts.completed ?? 0) !== expectedJobs) problems.push(`the queue holds ${counts.completed} completed jobs, expected ${expectedJobs}`);
    if ((counts.failed ?? 0) > 0) problems.push(`${counts.failed} jobs failed`);
    const info = await connection.info('server');
    return {
      peer: 'bullmq',
      queue: queueName,
      workerConcurrency: options.workerConcurrency,
      redisServer: /redis_version:(\S+)/.exec(info)?.[1],
      light,
      saturation,
      memory: memory.figures(),
      completedJobs: counts.completed ?? 0,
      ok: problems.length === 0,
      problems,
    };
  } finally {
    forget();
    await worker?.release();
    await releaseProducer();
    await releaseQueue();
  }
}

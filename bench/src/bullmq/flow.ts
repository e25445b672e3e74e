// The BullMQ side of the comparison: the same shape as the pipeline's standard Task, a FlowProducer
// flow of a parent and 4 children in one queue (the parent runs once its 4 children completed), with
// no-op processors. Shared by the bench and its worker process.

import type { FlowJob } from 'bullmq';

export const PARENT_JOB = 'task';
export const CHILD_JOB = 'subtask';
export const CHILDREN = 4;
/** Jobs of one flow: what the pipeline calls SubTasks. */
export const JOBS_PER_FLOW = CHILDREN + 1;

/** The parent's id is the bench's own, so that the flow is in the book before it is added. */
export function flowOf(queueName: string, jobId: string): FlowJob {
  return {
    name: PARENT_JOB,
    queueName,
    data: {},
    opts: { jobId },
    children: Array.from({ length: CHILDREN }, () => ({ name: CHILD_JOB, queueName, data: {} })),
  };
}

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Messages of the worker process to the bench (its IPC channel). */
export type WorkerReport = { readonly type: 'ready' } | { readonly type: 'completed'; readonly ids: readonly string[] } | { readonly type: 'failed'; readonly id: string; readonly reason: string };

/** The worker process' configuration, passed in its environment. */
export const WORKER_ENV = { queue: 'BENCH_BULLMQ_QUEUE', concurrency: 'BENCH_BULLMQ_CONCURRENCY', redisUrl: 'BENCH_REDIS_URL' } as const;

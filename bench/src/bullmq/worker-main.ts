// The BullMQ worker as its own process, as the pipeline's integration-worker is: no-op processors
// for the parent and the children of every flow. It reports each completed parent to the bench over
// its IPC channel, batched per event-loop turn.
//
// Completion is reported by the worker rather than observed through QueueEvents: QueueEvents would
// make the bench XREAD every event of every job (added, waiting, active, completed... some 20 per
// flow) through Redis, which costs Redis, the measured side, CPU that BullMQ does not need; the
// worker already knows when the parent's completion is stored (its 'completed' event follows
// moveToCompleted), and one IPC message per turn costs it almost nothing.

import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { PARENT_JOB, WORKER_ENV, type WorkerReport } from './flow.js';

const queue = process.env[WORKER_ENV.queue];
const concurrency = Number(process.env[WORKER_ENV.concurrency] ?? 64);
const redisUrl = process.env[WORKER_ENV.redisUrl] ?? 'redis://127.0.0.1:6379';
if (!queue || !process.send) {
  console.error(`the BullMQ bench worker is started by the bench (${WORKER_ENV.queue} and an IPC channel are required)`);
  process.exit(64);
}
const send = (report: WorkerReport) => process.send!(report);

// BullMQ's workers need blocking commands without a retry limit (maxRetriesPerRequest: null).
const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
const worker = new Worker(queue, async () => undefined, { connection, concurrency });

let completed: string[] = [];
worker.on('completed', (job) => {
  if (job.name !== PARENT_JOB || job.id === undefined) return;
  if (completed.length === 0) {
    setImmediate(() => {
      send({ type: 'completed', ids: completed });
      completed = [];
    });
  }
  completed.push(job.id);
});
worker.on('failed', (job, error) => send({ type: 'failed', id: job?.id ?? '?', reason: error.message }));
worker.on('error', (error) => console.error(`bullmq worker: ${error.message}`));

async function stop(code: number): Promise<never> {
  await worker.close().catch(() => undefined);
  connection.disconnect();
  process.exit(code);
}
process.once('SIGTERM', () => void stop(0));
// The bench is gone (even by SIGKILL): do not outlive it.
process.once('disconnect', () => void stop(0));

await worker.waitUntilReady();
send({ type: 'ready' });

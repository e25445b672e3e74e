// The two load shapes of every phase. Closed loop: at most `concurrency` submits awaiting their
// answer (saturation: the peer is never idle for want of work, and the submitter cannot outrun it
// unboundedly). Open loop: one submit every `intervalMs` whatever the answers (light load: latency
// without queueing, and a slow answer does not thin out the load).

import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

export interface LoopTimes {
  /** performance.now() of the first submit. */
  readonly first: number;
  /** performance.now() once every submit was answered. */
  readonly lastAnswer: number;
}

export async function closedLoop(count: number, concurrency: number, submit: (i: number) => Promise<unknown>, stopping: () => boolean = () => false): Promise<LoopTimes> {
  let next = 0;
  const first = performance.now();
  const lanes = Array.from({ length: Math.min(concurrency, count) }, async () => {
    while (next < count && !stopping()) await submit(next++);
  });
  await Promise.all(lanes);
  return { first, lastAnswer: performance.now() };
}

export async function openLoop(count: number, intervalMs: number, submit: (i: number) => Promise<unknown>, stopping: () => boolean = () => false): Promise<LoopTimes> {
  const first = performance.now();
  const pending: Promise<unknown>[] = [];
  for (let i = 0; i < count && !stopping(); i++) {
    const wait = first + i * intervalMs - performance.now();
    if (wait > 0) await sleep(wait);
    pending.push(submit(i));
  }
  await Promise.all(pending);
  return { first, lastAnswer: performance.now() };
}

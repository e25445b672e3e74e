// The `bench` queue exercises the pipeline itself (tests, bench/): it is not a user-facing action.
//   noop                     succeeds at once
//   fail  { failAttempts, failGenerations, permanent }  fails attempts 1..failAttempts (all if absent)
//                            of the first failGenerations generations (all if absent), then succeeds
//   sleep { ms }             succeeds after ms, honouring the abort signal (timeouts, shutdown)

import { PermanentJobError, type QueueHandlers } from './job-handler.js';

export function createBenchHandlers(): QueueHandlers {
  return {
    noop: async () => ({ responseCode: 'OK', responseMessage: 'noop' }),
    fail: async (job, { attempt }) => {
      const failAttempts = typeof job.params.failAttempts === 'number' ? job.params.failAttempts : Number.POSITIVE_INFINITY;
      const failGenerations = typeof job.params.failGenerations === 'number' ? job.params.failGenerations : Number.POSITIVE_INFINITY;
      if (attempt > failAttempts || job.generation > failGenerations) return { responseCode: 'OK', responseMessage: `succeeded on attempt ${attempt}` };
      if (job.params.permanent === true) throw new PermanentJobError(`bench: permanent failure on attempt ${attempt}`, 'BENCH_PERMANENT');
      throw Object.assign(new Error(`bench: transient failure on attempt ${attempt}`), { responseCode: 'BENCH_TRANSIENT' });
    },
    sleep: (job, { signal, heartbeat }) =>
      new Promise((resolve, reject) => {
        const ms = typeof job.params.ms === 'number' ? job.params.ms : 1000;
        const beat = setInterval(heartbeat, 1000);
        const done = setTimeout(() => {
          clearInterval(beat);
          resolve({ responseCode: 'OK', responseMessage: `slept ${ms} ms` });
        }, ms);
        signal.addEventListener('abort', () => {
          clearInterval(beat);
          clearTimeout(done);
          reject(signal.reason);
        }, { once: true });
      }),
  };
}

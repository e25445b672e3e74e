// The `bench` queue exercises the pipeline itself (tests, bench/): it is not a user-facing action.
//   noop                     succeeds at once
//   fail  { failAttempts, failGenerations, permanent }  fails attempts 1..failAttempts (all if absent)
//                            of the first failGenerations generations (all if absent), then succeeds
//   sleep { ms }             succeeds after ms, honouring the abort signal (timeouts, shutdown)

import { JobFailureError } from '@vle/domain';
import { z } from 'zod';
import { defineHandler, PermanentJobError, type QueueHandlers } from './job-handler.js';

const count = z.number().int().min(0);
const FailParams = z.object({ failAttempts: count.optional(), failGenerations: count.optional(), permanent: z.boolean().default(false) });
const SleepParams = z.object({ ms: z.number().int().min(0).default(1000) });

export function createBenchHandlers(): QueueHandlers {
  return {
    noop: defineHandler(z.object({}), async () => ({ responseCode: 'OK', responseMessage: 'noop' })),
    fail: defineHandler(FailParams, async (params, job, { attempt }) => {
      const failAttempts = params.failAttempts ?? Number.POSITIVE_INFINITY;
      const failGenerations = params.failGenerations ?? Number.POSITIVE_INFINITY;
      if (attempt > failAttempts || job.generation > failGenerations) return { responseCode: 'OK', responseMessage: `succeeded on attempt ${attempt}` };
      if (params.permanent) throw new PermanentJobError(`bench: permanent failure on attempt ${attempt}`, 'BENCH_PERMANENT');
      throw new JobFailureError(`bench: transient failure on attempt ${attempt}`, 'BENCH_TRANSIENT', { permanent: false });
    }),
    sleep: defineHandler(SleepParams, ({ ms }, _job, { signal }) =>
      new Promise((resolve, reject) => {
        const done = setTimeout(() => resolve({ responseCode: 'OK', responseMessage: `slept ${ms} ms` }), ms);
        signal.addEventListener('abort', () => {
          clearTimeout(done);
          reject(signal.reason);
        }, { once: true });
      }),
    ),
  };
}

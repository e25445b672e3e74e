// `replicas`: N task-api, N integration-worker and N projection processes against 1 of each, in
// interleaved rounds (the order alternating), saturation only: does scaling out give at least the
// single-replica throughput on this machine?

import type { ReplicasOptions } from '../cli/command-line.js';
import { thisCheckout } from '../pipeline/checkout.js';
import type { PipelinePhaseOptions } from '../pipeline/pipeline-result.js';
import type { Output } from '../run/output.js';
import type { Progress } from '../run/progress.js';
import type { RunGuard } from '../run/run-guard.js';
import { pairedRounds } from './paired-rounds.js';

export async function replicas(guard: RunGuard, o: ReplicasOptions, out: Output, progress: Progress): Promise<number> {
  const deadline = Date.now() + o.timeout * 1000;
  const phase = (count: number): PipelinePhaseOptions => ({
    peer: 'pipeline', checkout: thisCheckout(),
    tasks: o.tasks, concurrency: o.concurrency, lightTasks: 0, lightIntervalMs: 20, warmup: o.warmup, idleSettleMs: 0, halfRateTasks: 0,
    transport: o.transport, replicas: count, light: false, census: o.census, cpuProf: [], deadline,
  });
  return pairedRounds(guard, {
    bench: 'replicas',
    rounds: o.rounds,
    reference: { key: 'single', label: '1 of each', phase: phase(1) },
    candidate: { key: 'scaled', label: `${o.replicas} of each`, phase: phase(o.replicas) },
    target: { text: `${o.replicas} replicas of each give at least the single-replica throughput`, minRatio: 1 },
    options: o,
  }, out, progress);
}

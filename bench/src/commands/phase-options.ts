// From the command line's options to the options of one phase of each peer.

import type { BullmqPhaseOptions } from '../bullmq/bullmq-phase.js';
import type { BullmqOptions, PipelineOptions } from '../cli/command-line.js';
import { thisCheckout } from '../pipeline/checkout.js';
import type { PipelinePhaseOptions } from '../pipeline/pipeline-result.js';

/** This checkout's pipeline unless `overrides` name another peer and checkout. */
export function pipelinePhase(o: PipelineOptions, deadline: number, overrides: Partial<PipelinePhaseOptions> = {}): PipelinePhaseOptions {
  return {
    peer: 'pipeline',
    tasks: o.tasks,
    concurrency: o.concurrency,
    lightTasks: o.lightTasks,
    lightIntervalMs: o.lightInterval,
    warmup: o.warmup,
    idleSettleMs: o.idleSettle * 1000,
    halfRateTasks: o.halfRateTasks,
    transport: o.transport,
    replicas: 1,
    light: true,
    census: o.census,
    cpuProf: o.cpuProf,
    deadline,
    ...overrides,
    checkout: overrides.checkout ?? thisCheckout(),
  };
}

export function bullmqPhase(o: BullmqOptions, deadline: number): BullmqPhaseOptions {
  return { tasks: o.tasks, concurrency: o.concurrency, lightTasks: o.lightTasks, lightIntervalMs: o.lightInterval, warmup: o.warmup, idleSettleMs: o.idleSettle * 1000, workerConcurrency: o.bullmqConcurrency, deadline };
}

// The bench task types: Tasks of any size (up to the limit of a Task) in one small request, for the
// benchmarks and tests of the pipeline (issue 9: a Task's cost per SubTask as it grows). Every
// SubTask runs one action of the `bench` queue, which only a deployment with the bench queue enabled
// runs (TASK_API_BENCH_QUEUE): where it is not, these types are unknown.

import type { Planner, PlanParams, PlannedDraft } from './task-plan.js';

export const BENCH_TASK_TYPES = ['bench.fan_out', 'bench.chain'] as const;

function benchPlan(shape: 'fan-out' | 'chain'): Planner<PlanParams> {
  return (params) => {
    const count = params.subtasks as number;
    const action = typeof params.action === 'string' && params.action !== '' ? params.action : 'noop';
    const subtasks = Array.from({ length: count }, (_, i): PlannedDraft => ({
      key: `step-${i + 1}`,
      name: `Step ${i + 1} (${action})`,
      action,
      queue: 'bench',
      dependsOn: shape === 'chain' && i > 0 ? [`step-${i}`] : [],
    }));
    return { name: `Bench ${shape} of ${count} ${action}`, subtasks };
  };
}

export const planBenchFanOut = benchPlan('fan-out');
export const planBenchChain = benchPlan('chain');

// The Tasks the bench creates, all on the `bench` queue with action `noop`
// (libs/messaging/src/bench-handlers.ts), so that the figures are the cost of the pipeline itself.

import type { CreateTaskJson, SubTaskSpecJson } from '@vle/contracts';

export type Shape = 'fan-out' | 'chain';
export const SHAPES: readonly Shape[] = ['fan-out', 'chain'];

const step = (key: string, dependsOn?: string[]): SubTaskSpecJson => ({ key, name: key.toUpperCase(), action: 'noop', queue: 'bench', ...(dependsOn ? { dependsOn } : {}) });

/** The standard Task of every phase: 4 independent SubTasks, then 1 that depends on all 4 (as the BullMQ flow). */
export const STANDARD_SUBTASKS = 5;

export function standardTask(name: string, createdBy: string): CreateTaskJson {
  return { name, createdBy, subtasks: [step('a'), step('b'), step('c'), step('d'), step('e', ['a', 'b', 'c', 'd'])] };
}

/**
 * `size` SubTasks, all independent (fan-out) or each depending on the previous one (chain): the typed
 * bench plans (libs/domain/src/plans/bench.plans.ts), so that a Task of 10,000 SubTasks is one small
 * request and is planned (in parts) by task-api, as big Tasks of the product are.
 */
export function sizedTask(name: string, createdBy: string, shape: Shape, size: number): CreateTaskJson {
  return { name, createdBy, type: shape === 'chain' ? 'bench.chain' : 'bench.fan_out', params: { subtasks: size, action: 'noop' } };
}

/** How many SubTasks a Task has: how many successes finish it. */
export function subtaskCount(task: CreateTaskJson): number {
  const planned = (task.params as { subtasks?: unknown } | undefined)?.subtasks;
  return typeof planned === 'number' ? planned : (task.subtasks?.length ?? 0);
}

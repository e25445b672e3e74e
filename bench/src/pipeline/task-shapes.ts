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

/** `size` SubTasks, all independent (fan-out) or each depending on the previous one (chain). */
export function sizedTask(name: string, createdBy: string, shape: Shape, size: number): CreateTaskJson {
  const subtasks = Array.from({ length: size }, (_, i) => step(`s${i}`, shape === 'chain' && i > 0 ? [`s${i - 1}`] : undefined));
  return { name, createdBy, subtasks };
}

/** How many SubTasks a Task has: how many successes finish it. */
export function subtaskCount(task: CreateTaskJson): number {
  return task.subtasks?.length ?? 0;
}

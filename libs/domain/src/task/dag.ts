// The SubTask graph of a Task: validated once at creation (it never changes afterwards) and asked
// which SubTasks may run.

import { isQueueName } from '@vle/contracts/queues';
import type { SubTaskDraft } from './commands.js';
import { RuleViolation } from './rule-violation.js';
import type { SubTask, Task } from './state.js';
import { indexOf } from './subtask-index.js';

/** Throws a RuleViolation naming the field for an empty graph, a duplicate key, an unknown queue or dependency, or a cycle. */
export function validateDag(drafts: readonly SubTaskDraft[]): void {
  if (drafts.length === 0) throw new RuleViolation('EMPTY_DAG', 'a Task needs at least one SubTask', 'subtasks');
  const indexByKey = new Map<string, number>();
  drafts.forEach((draft, i) => {
    if (indexByKey.has(draft.key)) {
      throw new RuleViolation('DUPLICATE_KEY', `SubTask key "${draft.key}" is used twice (subtasks[${indexByKey.get(draft.key)}] and subtasks[${i}])`, `subtasks[${i}].key`);
    }
    indexByKey.set(draft.key, i);
    if (!isQueueName(draft.queue)) throw new RuleViolation('UNKNOWN_QUEUE', `unknown queue "${draft.queue}"`, `subtasks[${i}].queue`);
  });
  drafts.forEach((draft, i) => {
    (draft.dependsOn ?? []).forEach((key, j) => {
      if (!indexByKey.has(key)) throw new RuleViolation('UNKNOWN_DEPENDENCY', `SubTask "${draft.key}" depends on unknown key "${key}"`, `subtasks[${i}].dependsOn[${j}]`);
    });
  });
  const cycle = findCycle(drafts);
  if (cycle) {
    const first = indexByKey.get(cycle[0]!)!;
    throw new RuleViolation('DAG_CYCLE', `the dependencies form a cycle: ${cycle.join(' -> ')}`, `subtasks[${first}].dependsOn`);
  }
}

/** A cycle as a list of keys (first = last), or undefined. Iterative DFS: graphs have up to 10,000 nodes. */
function findCycle(drafts: readonly SubTaskDraft[]): string[] | undefined {
  const edges = new Map(drafts.map((d) => [d.key, d.dependsOn ?? []]));
  const state = new Map<string, 'visiting' | 'done'>();
  for (const start of edges.keys()) {
    if (state.has(start)) continue;
    const path: string[] = [];
    const stack: Array<{ key: string; next: number }> = [{ key: start, next: 0 }];
    state.set(start, 'visiting');
    path.push(start);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const deps = edges.get(top.key)!;
      if (top.next < deps.length) {
        const dep = deps[top.next++]!;
        const seen = state.get(dep);
        if (seen === 'visiting') return [...path.slice(path.indexOf(dep)), dep];
        if (seen === undefined) {
          state.set(dep, 'visiting');
          path.push(dep);
          stack.push({ key: dep, next: 0 });
        }
      } else {
        state.set(top.key, 'done');
        path.pop();
        stack.pop();
      }
    }
  }
  return undefined;
}

export { isFinished, isInFlight, isRequiredFailure } from './subtask-status.js';

/**
 * Blocked SubTasks whose dependencies all let them run, in creation order; none while the Task
 * may not run (not started, cancelled, still being planned).
 */
export function readySubTasks(task: Task): SubTask[] {
  if (!task.started || task.cancelRequested || task.planning !== undefined) return [];
  return indexOf(task.subtasks).ready.map((position) => task.subtasks[position]!);
}

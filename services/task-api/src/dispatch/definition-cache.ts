import type { PlannedSubTask } from '@vle/domain';

/** SubTask definitions by Task, least recently used first out. */
export class DefinitionCache {
  private readonly tasks = new Map<string, Map<string, PlannedSubTask>>();

  constructor(private readonly maxTasks: number) {}

  remember(taskId: string, subtasks: readonly PlannedSubTask[]): void {
    this.tasks.delete(taskId);
    this.tasks.set(taskId, new Map(subtasks.map((s) => [s.id, s])));
    if (this.tasks.size > this.maxTasks) this.tasks.delete(this.tasks.keys().next().value!);
  }

  find(taskId: string, subTaskId: string): PlannedSubTask | undefined {
    const subtasks = this.tasks.get(taskId);
    if (!subtasks) return undefined;
    this.tasks.delete(taskId);
    this.tasks.set(taskId, subtasks);
    return subtasks.get(subTaskId);
  }
}

// task-api's create for unit tests: one Task per (creator, idempotency key), as the real one, the
// creator being the caller's token subject unless the command names one.

import type { CreateTaskJson, CreateTaskReplyJson } from '@vle/contracts';
import { TaskRefused, type TaskCreator } from '@vle/task-client';

export class FakeTaskApi implements TaskCreator {
  /** The Tasks created, by idempotency key. */
  readonly tasks = new Map<string, CreateTaskJson>();
  calls = 0;
  /** While set, every call fails as when task-api is unreachable. */
  down = false;
  /** Types refused as task-api refuses an unknown one. */
  refusedTypes = new Set<string>();

  async create(command: CreateTaskJson): Promise<CreateTaskReplyJson> {
    this.calls++;
    // Let concurrent callers interleave, as over the network.
    await new Promise((resolve) => setImmediate(resolve));
    if (this.down) throw Object.assign(new Error('503 No Responders Available For Request'), { code: '503' });
    if (this.refusedTypes.has(command.type ?? '')) throw new TaskRefused('UNKNOWN_TASK_TYPE', `type "${command.type}" has no plan`);
    const key = `${command.createdBy || 'service:scheduler'}\n${command.idempotencyKey}`;
    const existing = this.tasks.get(key);
    if (existing && JSON.stringify(existing) !== JSON.stringify(command)) throw new TaskRefused('IDEMPOTENCY_KEY_REUSED', 'the key names a Task created with another body');
    if (!existing) this.tasks.set(key, command);
    return { taskId: key, existing: existing !== undefined, status: 'queued' };
  }

  /** The slots created for one schedule, oldest first. */
  slotsOf(name: string): string[] {
    return [...this.tasks.values()]
      .map((c) => c.idempotencyKey!)
      .filter((key) => key.startsWith(`periodic:${name}:`))
      .map((key) => key.slice(`periodic:${name}:`.length))
      .sort();
  }
}

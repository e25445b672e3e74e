// The Tasks of a test namespace's event log, for the scheduler's int and e2e tests: each Task's
// creation and the number of commits on its subject.

import type { JetStreamManager } from '@nats-io/jetstream';
import type { Topology } from '@vle/contracts';
import type { TaskCreated, TaskEvent } from '@vle/domain';
import type { JetStreamEventStore } from '@vle/event-store';

export interface LoggedTask {
  readonly created: TaskCreated;
  readonly commits: number;
  /** Schedule name and slot of a periodic Task (from its idempotency key). */
  readonly schedule?: string;
  readonly slot?: string;
}

export async function tasksInLog(jsm: JetStreamManager, store: JetStreamEventStore<TaskEvent>, topology: Topology): Promise<LoggedTask[]> {
  const info = await jsm.streams.info(topology.eventStream.name, { subjects_filter: topology.allEventsSubject });
  return Promise.all(
    Object.entries(info.state.subjects ?? {}).map(async ([subject, commits]) => {
      const loaded = await store.load(topology.taskIdOf(subject));
      const created = loaded.commits[0]!.events.find((e): e is TaskCreated => e.type === 'TaskCreated')!;
      const [, schedule, slot] = /^periodic:([a-z-]+):(.+)$/.exec(created.data.idempotencyKey ?? '') ?? [];
      return { created, commits, schedule, slot };
    }),
  );
}

/** Slots by schedule name, each list sorted. */
export function slotsBySchedule(tasks: readonly LoggedTask[]): Record<string, string[]> {
  const found: Record<string, string[]> = {};
  for (const { schedule, slot } of tasks) {
    if (schedule && slot) (found[schedule] ??= []).push(slot);
  }
  for (const slots of Object.values(found)) slots.sort();
  return found;
}

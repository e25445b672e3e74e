// The event log as the history routes read it: one Task's commits, straight from TASK_EVENTS
// (DESIGN §8: the history is the log's, not a copy of it in PostgreSQL).

import type { LoadedStream } from '@vle/event-store';
import type { TaskEvent } from '@vle/domain';

/** Injection token and shape: JetStreamEventStore (query.module.ts), or a fake in a test. */
export abstract class TaskLog {
  /** Every commit of the Task in log order; a long history is read through an ordered consumer. */
  abstract load(taskId: string): Promise<LoadedStream<TaskEvent>>;
}

// What an event says beyond what it changed in the fold, for the history (task-history.ts).

import type { SubTask, TaskEvent } from '@vle/domain';

/**
 * The event's own facts worth reading beside what it changed: responses, reasons, the next
 * attempt's time, the reserved object. Lists of SubTask ids are counted, not copied: a cancel of a
 * Task of 10,000 SubTasks stays one line, and the ids stay with the SubTask events of a caller who
 * may read them.
 */
export function factsOf(event: TaskEvent, subTask: SubTask | undefined): Record<string, unknown> {
  switch (event.type) {
    case 'TaskCreated': {
      const { subtasks, subtaskCount, requestHash: _hash, idempotencyKey: _key, ...definition } = event.data;
      return { ...definition, subtasks: subtaskCount ?? subtasks.length };
    }
    case 'SubTasksPlanned':
      return { part: event.data.part, subtasks: event.data.subtasks.length };
    case 'SubTaskQueued':
      return compact({ queue: event.data.queue, action: event.data.action });
    case 'SubTaskAttemptStarted':
      return compact({ jobId: event.data.jobId, deliveryId: event.data.deliveryId });
    case 'SubTaskSucceeded':
      return compact({ responseCode: event.data.responseCode, responseMessage: event.data.responseMessage });
    case 'SubTaskAttemptFailed':
      return compact({ responseCode: event.data.responseCode, responseMessage: event.data.responseMessage, nextAttemptAt: event.data.nextAttemptAt });
    case 'SubTaskFailed':
      return compact({ responseCode: event.data.responseCode, responseMessage: event.data.responseMessage, permanent: event.data.permanent });
    case 'SubTaskTimedOut': {
      return compact({ timeoutSeconds: event.data.timeoutSeconds, responseCode: subTask?.responseCode, responseMessage: subTask?.responseMessage });
    }
    case 'SubTaskSkipped':
      return compact({ reason: event.data.reason });
    case 'SubTaskObjectReserved':
      return { reserved: { objectType: event.data.objectType, objectId: event.data.objectId } };
    case 'TaskCancelRequested':
      return compact({ reason: event.data.reason, cancelledSubTasks: event.data.cancelledSubTaskIds?.length });
    case 'TaskStartDeadlineMissed':
      return { reason: event.data.reason, startBefore: event.data.startBefore, cancelledSubTasks: event.data.cancelledSubTaskIds.length };
    case 'TaskTimedOut':
      return { reason: event.data.reason, timeoutSeconds: event.data.timeoutSeconds, timedOutSubTasks: event.data.timedOutSubTaskIds.length, cancelledSubTasks: event.data.cancelledSubTaskIds.length };
    case 'TaskPinned':
    case 'TaskUnpinned':
      return compact({ reason: event.data.reason });
    case 'TaskStarted':
    case 'SubTaskRetryRequested':
    case 'SubTaskCancelled':
      return {};
    default: {
      // An event type of a newer version: shown, with what the fold made of it (nothing).
      const unknown: never = event;
      void unknown;
      return {};
    }
  }
}

function compact(facts: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(facts).filter(([, value]) => value !== undefined));
}

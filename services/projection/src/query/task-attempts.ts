// The attempts of a Task's SubTasks over all their generations, from its events: each with the
// worker that ran it and its own outcome and message (a SubTask's row keeps only its last one).

import type { SubTask, SubTaskStatus, TaskEvent } from '@vle/domain';

export type AttemptOutcome = 'running' | 'succeeded' | 'retrying' | 'failed' | 'timed_out' | 'cancelled' | 'skipped';

export interface AttemptView {
  readonly subTaskId: string;
  readonly generation: number;
  readonly attempt: number;
  readonly startedAt: string;
  readonly finishedAt?: string;
  readonly durationMs?: number;
  /** The worker that ran it: the event's actor (`worker:<queue>`) and its delivery's id. */
  readonly worker: { readonly actor: string; readonly onBehalfOf?: string; readonly deliveryId?: string };
  readonly jobId?: string;
  /** `retrying`: it failed and another attempt was planned at `nextAttemptAt`. */
  readonly outcome: AttemptOutcome;
  readonly responseCode?: string;
  readonly responseMessage?: string;
  readonly nextAttemptAt?: string;
  /** The object the attempt reserved before creating it (a clone's VMID). */
  readonly reserved?: { readonly objectType: string; readonly objectId: string };
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type Attempt = Mutable<AttemptView> & { readonly seq: number };

const OUTCOME: Partial<Record<SubTaskStatus, AttemptOutcome>> = {
  success: 'succeeded',
  retrying: 'retrying',
  failed: 'failed',
  timed_out: 'timed_out',
  cancelled: 'cancelled',
  skipped: 'skipped',
};

export function attemptKey(subTaskId: string, generation: number, attempt: number): string {
  return `${generation}:${attempt}:${subTaskId}`;
}

/** SubTask `id` as folded just after the event being recorded. */
export type SubTaskAfter = (id: string) => SubTask | undefined;

/** Attempts as a Task's events are folded: `record` each event once it is folded in. */
export class Attempts {
  private readonly list: Attempt[] = [];
  private readonly byKey = new Map<string, Attempt>();

  /** Only the attempts of `onlySubTaskId`, when given. */
  constructor(private readonly onlySubTaskId?: string) {}

  record(seq: number, event: TaskEvent, after: SubTaskAfter): void {
    switch (event.type) {
      case 'SubTaskAttemptStarted': {
        const { subTaskId, generation, attempt, jobId, deliveryId } = event.data;
        const key = attemptKey(subTaskId, generation, attempt);
        const s = this.wanted(subTaskId) ? after(subTaskId) : undefined;
        // An attempt the fold did not take (a SubTask it does not know) is not one.
        if (s?.status !== 'running' || s.generation !== generation || s.attempt !== attempt || this.byKey.has(key)) return;
        const worker = { actor: event.actor, ...(event.onBehalfOf ? { onBehalfOf: event.onBehalfOf } : {}), ...(deliveryId ? { deliveryId } : {}) };
        const started: Attempt = { seq, subTaskId, generation, attempt, startedAt: event.at, worker, jobId, outcome: 'running' };
        this.list.push(started);
        this.byKey.set(key, started);
        return;
      }
      case 'SubTaskSucceeded':
      case 'SubTaskAttemptFailed':
      case 'SubTaskFailed':
        return this.settle(event.data.subTaskId, event.at, after, event.data);
      case 'SubTaskTimedOut':
        return this.settle(event.data.subTaskId, event.at, after, 'folded');
      case 'SubTaskObjectReserved': {
        const found = this.byKey.get(attemptKey(event.data.subTaskId, event.data.generation, event.data.attempt));
        if (found) found.reserved = { objectType: event.data.objectType, objectId: event.data.objectId };
        return;
      }
      case 'SubTaskSkipped':
      case 'SubTaskCancelled':
        return this.settle(event.data.subTaskId, event.at, after);
      case 'TaskCancelRequested':
        for (const id of event.data.cancelledSubTaskIds ?? []) this.settle(id, event.at, after);
        return;
      case 'TaskStartDeadlineMissed':
        for (const id of event.data.cancelledSubTaskIds ?? []) this.settle(id, event.at, after, 'folded');
        return;
      case 'TaskTimedOut':
        for (const id of [...(event.data.timedOutSubTaskIds ?? []), ...(event.data.cancelledSubTaskIds ?? [])]) this.settle(id, event.at, after, 'folded');
        return;
      default:
        return;
    }
  }

  /** The attempts, in the order they started, of those whose start's commit `seq` passes `started`. */
  views(started: (seq: number) => boolean): AttemptView[] {
    return this.list.filter((a) => started(a.seq)).map(({ seq: _seq, ...view }) => view);
  }

  private wanted(subTaskId: string): boolean {
    return this.onlySubTaskId === undefined || this.onlySubTaskId === subTaskId;
  }

  /**
   * The SubTask's current attempt after an event that may have ended it. Its response is the
   * event's own (`response`), what the fold made of the event ('folded': a time-out's message), or
   * none (a person's skip or cancel says nothing about the attempt's work).
   */
  private settle(subTaskId: string, at: string, after: SubTaskAfter, response?: { responseCode?: string; responseMessage?: string } | 'folded'): void {
    if (!this.wanted(subTaskId)) return;
    const s = after(subTaskId);
    const attempt = s && this.byKey.get(attemptKey(subTaskId, s.generation, s.attempt));
    const outcome = s && OUTCOME[s.status];
    if (!attempt || !outcome) return;
    if (attempt.outcome === 'retrying' && outcome !== 'retrying') {
      // It failed, and the SubTask ended before the planned next attempt: its own failure stands.
      attempt.outcome = 'failed';
      delete attempt.nextAttemptAt;
      return;
    }
    if (attempt.outcome !== 'running') return;
    const own = response === 'folded' ? { responseCode: s.responseCode, responseMessage: s.responseMessage } : response;
    attempt.outcome = outcome;
    attempt.finishedAt = at;
    attempt.durationMs = Date.parse(at) - Date.parse(attempt.startedAt);
    if (own?.responseCode !== undefined) attempt.responseCode = own.responseCode;
    if (own?.responseMessage !== undefined) attempt.responseMessage = own.responseMessage;
    if (outcome === 'retrying' && s.nextAttemptAt !== undefined) attempt.nextAttemptAt = s.nextAttemptAt;
  }
}

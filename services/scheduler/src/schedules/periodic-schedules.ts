// The periodic tasks of the original system, as data: one row per schedule. Each slot of a schedule
// becomes at most one Task, created by the scheduler's identity (its token's subject,
// service:scheduler) with the idempotency key `periodic:<name>:<slot>`: task-api derives the Task id
// from (createdBy, key) and appends its creation with expected sequence
// 0, so however many replicas (or catch-ups after a restart) send a slot, it makes one Task.

import type { CreateTaskJson } from '@vle/contracts';
import { describeWhen, type When } from './slots.js';

export type TaskParams = NonNullable<CreateTaskJson['params']>;

export interface PeriodicSchedule {
  /** Part of the slot's identity (and of the idempotency key): never rename a live schedule. */
  readonly name: ScheduleName;
  /** The typed command of CreateTask (TASK_TYPES of @vle/domain); for a request, what it asks. */
  readonly type: string;
  /**
   * Set: the slot is not a Task but this request, sent with the slot's time (the projection's
   * retention run, projection.req.retention; retention-requester.ts).
   */
  readonly request?: 'retention';
  readonly when: When;
  /**
   * Bounded catch-up: a replica that was down (or a slot that failed) runs the slots newer than
   * `now - lookBackMs` (and always the last slot); older ones are given up, with a warning.
   */
  readonly lookBackMs: number;
  /** The params of the slot's Task: a pure function of the slot, so every replica sends the same body. */
  readonly params: (slot: Date) => TaskParams;
}

export const SCHEDULE_NAMES = ['pve-node-sync', 'event-lifecycle', 'mail-cleanup', 'retention'] as const;
export type ScheduleName = (typeof SCHEDULE_NAMES)[number];

export interface PeriodicSettings {
  /** Seconds between two node syncs (WORKER_PVE_PERIODIC_INTERVAL). */
  readonly pveNodeSyncSeconds: number;
  readonly eventsStartPrepTimeDays: number;
  readonly eventsEndPrepTimeDays: number;
  /** Look-back of the daily schedules. */
  readonly dailyCatchUpHours: number;
}

const HOUR_MS = 3_600_000;

export function periodicSchedules(settings: PeriodicSettings): PeriodicSchedule[] {
  const dailyLookBackMs = settings.dailyCatchUpHours * HOUR_MS;
  return [
    {
      // A node sync is a snapshot of the cluster: an old one is worth nothing once a newer runs, so
      // only the last slot is caught up.
      name: 'pve-node-sync',
      type: 'pve.node_sync',
      when: { kind: 'interval', seconds: settings.pveNodeSyncSeconds },
      lookBackMs: settings.pveNodeSyncSeconds * 1000,
      params: () => ({}),
    },
    {
      // Deploys events starting within the start prep time and archives those ended for the end
      // prep time, as of the slot (not of the moment a late replica runs it).
      name: 'event-lifecycle',
      type: 'event.lifecycle',
      when: { kind: 'daily', hour: 1, minute: 0 },
      lookBackMs: dailyLookBackMs,
      // EventLifecycleParams of event_types.proto.
      params: (slot) => ({
        startPrepDays: settings.eventsStartPrepTimeDays,
        endPrepDays: settings.eventsEndPrepTimeDays,
        at: slot.toISOString(),
      }),
    },
    {
      // The mail age limit (MAIL_MAX_AGE_WEEKS) is the worker's setting.
      name: 'mail-cleanup',
      type: 'mail.cleanup',
      when: { kind: 'daily', hour: 2, minute: 0 },
      lookBackMs: dailyLookBackMs,
      params: () => ({}),
    },
    {
      // The projection's leader deletes the finished Tasks its policy says are old enough, as of the
      // slot (README, "Retention"). A request, not a Task: a Task per run would itself be retained,
      // and the run's answer (what it deleted) is logged here. A run covers every older slot, so
      // only the last is caught up.
      name: 'retention',
      type: 'retention',
      request: 'retention',
      when: { kind: 'daily', hour: 3, minute: 0 },
      lookBackMs: 24 * HOUR_MS,
      params: () => ({}),
    },
  ];
}

export function idempotencyKeyOf(schedule: Pick<PeriodicSchedule, 'name'>, slot: Date): string {
  return `periodic:${schedule.name}:${slot.toISOString()}`;
}

/** The CreateTask of one slot: the same bytes from every replica, hence one Task. */
export function slotCommand(schedule: PeriodicSchedule, slot: Date): CreateTaskJson {
  return {
    type: schedule.type,
    idempotencyKey: idempotencyKeyOf(schedule, slot),
    params: schedule.params(slot),
  };
}

export interface ScheduleFilter {
  /** Names switched off by configuration (SCHEDULER_DISABLED). */
  readonly disabled: readonly string[];
  /** Whether this build knows a task type (isTaskType of @vle/domain). */
  readonly knownType: (type: string) => boolean;
  readonly logger: { log(message: string): void; warn(message: string): void };
}

/**
 * The schedules to run. One whose task type this build does not know is skipped with a warning (it
 * switches itself on in the build that brings the type), as is one disabled by configuration.
 */
export function activeSchedules(schedules: readonly PeriodicSchedule[], filter: ScheduleFilter): PeriodicSchedule[] {
  return schedules.filter((schedule) => {
    if (filter.disabled.includes(schedule.name)) {
      filter.logger.log(`schedule ${schedule.name} (${schedule.type}) is disabled by SCHEDULER_DISABLED`);
      return false;
    }
    if (schedule.request === undefined && !filter.knownType(schedule.type)) {
      filter.logger.warn(`schedule ${schedule.name} skipped: task type ${schedule.type} is not known to this build`);
      return false;
    }
    filter.logger.log(`schedule ${schedule.name}: ${schedule.request ? `request ${schedule.request}` : schedule.type} ${describeWhen(schedule.when)}`);
    return true;
  });
}

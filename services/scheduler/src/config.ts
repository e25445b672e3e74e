import { z } from 'zod';
import { httpVariables, integerVariable, natsVariables, serviceIdentityVariables } from '@vle/service-kit';
import { SCHEDULE_NAMES, type ScheduleName } from './schedules/periodic-schedules.js';

/** A comma-separated list of schedule names (`mail-cleanup,event-lifecycle`); '' for none. */
const scheduleListVariable = z
  .string()
  .optional()
  .transform((raw, ctx): ScheduleName[] => {
    const names = (raw ?? '').split(',').map((name) => name.trim()).filter((name) => name !== '');
    const unknown = names.filter((name) => !(SCHEDULE_NAMES as readonly string[]).includes(name));
    if (unknown.length > 0) {
      ctx.addIssue({ code: 'custom', message: `unknown schedule ${unknown.join(', ')}; the schedules are ${SCHEDULE_NAMES.join(', ')}` });
      return z.NEVER;
    }
    return names as ScheduleName[];
  });

/** For tests only: an ISO 8601 UTC instant at which the scheduler's clock starts. */
const clockStartVariable = z
  .string()
  .optional()
  .transform((raw, ctx): Date | undefined => {
    if (raw === undefined || raw.trim() === '') return undefined;
    const date = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?Z$/.test(raw.trim()) ? new Date(raw.trim()) : new Date(Number.NaN);
    if (Number.isNaN(date.getTime())) {
      ctx.addIssue({ code: 'custom', message: 'must be an ISO 8601 UTC time such as 2026-03-02T00:30:00Z' });
      return z.NEVER;
    }
    return date;
  });

/** For tests only: how many times faster than real time the scheduler's clock runs. */
const clockSpeedVariable = z
  .string()
  .optional()
  .transform((raw, ctx): number => {
    if (raw === undefined || raw.trim() === '') return 1;
    const speed = Number(raw);
    if (!Number.isFinite(speed) || speed <= 0 || speed > 1_000_000) {
      ctx.addIssue({ code: 'custom', message: 'must be a number greater than 0 and at most 1000000' });
      return z.NEVER;
    }
    return speed;
  });

export const schedulerConfigSchema = z.object({
  ...httpVariables('scheduler'),
  ...natsVariables,
  ...serviceIdentityVariables,
  /** Seconds between two Proxmox node syncs (`pve.node_sync`), as in the original system. */
  WORKER_PVE_PERIODIC_INTERVAL: integerVariable(60, 1, 86_400),
  /** The event lifecycle deploys events starting within this many days (the seed's default: 7). */
  EVENTS_START_PREP_TIME_DAYS: integerVariable(7, 0, 365),
  /** The event lifecycle archives events ended for this many days (the seed's default: 7). */
  EVENTS_END_PREP_TIME_DAYS: integerVariable(7, 0, 365),
  /** Schedules switched off: pve-node-sync, event-lifecycle, mail-cleanup, retention (comma-separated). */
  SCHEDULER_DISABLED: scheduleListVariable,
  /** How far back a daily schedule's missed slots are caught up (a replica down, task-api down). */
  SCHEDULER_CATCH_UP_HOURS: integerVariable(48, 0, 24 * 30),
  /** Seconds before a slot that could not be sent (task-api or NATS unavailable) is sent again. */
  SCHEDULER_RETRY_SECONDS: integerVariable(30, 1, 3_600),
  /** Seconds before a due deadline task-api could not take (task-api or NATS unavailable) is sent again. */
  SCHEDULER_DEADLINE_RETRY_SECONDS: integerVariable(5, 1, 3_600),
  /** Tests only: start the clock at this instant instead of now. */
  SCHEDULER_CLOCK_START: clockStartVariable,
  /** Tests only: run the clock this many times faster than real time. */
  SCHEDULER_CLOCK_SPEED: clockSpeedVariable,
});

export type SchedulerConfig = z.output<typeof schedulerConfigSchema>;

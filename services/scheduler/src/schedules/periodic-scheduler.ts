// The loop of periodic tasks: at each wake-up, every slot due since the last one handled (within the
// schedule's look-back) is sent as a CreateTask, oldest first; then it sleeps until the next slot.
// Replicas do not coordinate: each sends every slot, and the slot's idempotency key lets exactly one
// of them create its Task (periodic-schedules.ts). Time comes from the injected Clock.

import type { Clock } from '../clock/clock.js';
import { slotCommand, type PeriodicSchedule } from './periodic-schedules.js';
import { countSlotsBetween, nextSlotAfter, periodMs, slotAtOrBefore, slotsBetween } from './slots.js';
import { TaskRefused, type TaskCreator } from '@vle/task-client';
import type { RetentionRequester } from './retention-requester.js';

export interface SchedulerLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  debug?(message: string): void;
}

export interface PeriodicSchedulerOptions {
  readonly clock: Clock;
  readonly schedules: readonly PeriodicSchedule[];
  readonly tasks: TaskCreator;
  /** Sends the retention schedule's slots (absent: they are refused, with an error). */
  readonly retention?: RetentionRequester;
  readonly logger: SchedulerLogger;
  /** How long to wait before sending a slot again after a failure that may pass (task-api down). */
  readonly retryDelayMs?: number;
}

type SlotResult = 'created' | 'existing' | 'refused' | 'failed';

export class PeriodicScheduler {
  /** The newest slot handled per schedule (ms); slots after it and within the look-back are due. */
  private readonly handled = new Map<string, number>();
  private abort?: AbortController;
  private loop?: Promise<void>;

  constructor(private readonly options: PeriodicSchedulerOptions) {}

  get running(): boolean {
    return this.loop !== undefined;
  }

  start(): void {
    if (this.loop || this.options.schedules.length === 0) return;
    const abort = new AbortController();
    this.abort = abort;
    this.loop = this.run(abort.signal);
  }

  /** Stops after the slot in flight (if any) has been answered. */
  async stop(): Promise<void> {
    this.abort?.abort();
    await this.loop;
    this.loop = undefined;
  }

  private async run(signal: AbortSignal): Promise<void> {
    const { clock, logger, retryDelayMs = 30_000 } = this.options;
    while (!signal.aborted) {
      let wake: Date;
      try {
        wake = await this.tick(signal);
      } catch (error) {
        logger.error(`periodic schedules failed: ${String(error)}; trying again in ${retryDelayMs} ms`);
        wake = new Date(clock.now().getTime() + retryDelayMs);
      }
      await clock.sleepUntil(wake, signal);
    }
  }

  /** Sends every slot due now; returns when to wake up next (the next slot, or a retry). */
  async tick(signal?: AbortSignal): Promise<Date> {
    const now = this.options.clock.now();
    let wake = Number.POSITIVE_INFINITY;
    for (const schedule of this.options.schedules) {
      if (signal?.aborted) break;
      wake = Math.min(wake, await this.catchUp(schedule, now, signal));
    }
    return new Date(wake);
  }

  private async catchUp(schedule: PeriodicSchedule, now: Date, signal: AbortSignal | undefined): Promise<number> {
    // The last slot is always due, however short the configured look-back.
    const period = periodMs(schedule.when);
    const horizon = new Date(now.getTime() - Math.max(schedule.lookBackMs, period));
    const last = this.handled.get(schedule.name);
    if (last !== undefined && last < horizon.getTime()) {
      const missed = countSlotsBetween(schedule.when, new Date(last), horizon);
      if (missed > 0) {
        const text = `${missed} slot(s) of ${schedule.name} after ${new Date(last).toISOString()}`;
        // A schedule that keeps only its last slot (node sync) loses nothing when a newer one replaces it.
        if (schedule.lookBackMs > period) this.options.logger.warn(`${text} are older than its look-back and were given up`);
        else this.options.logger.log(`${text} were superseded by a newer slot`);
        this.handled.set(schedule.name, slotAtOrBefore(schedule.when, horizon).getTime());
      }
    }
    const from = Math.max(this.handled.get(schedule.name) ?? Number.NEGATIVE_INFINITY, horizon.getTime());
    for (const slot of slotsBetween(schedule.when, new Date(from), now)) {
      if (signal?.aborted) return Number.POSITIVE_INFINITY;
      if ((await this.send(schedule, slot)) === 'failed') return now.getTime() + (this.options.retryDelayMs ?? 30_000);
      this.handled.set(schedule.name, slot.getTime());
    }
    return nextSlotAfter(schedule.when, now).getTime();
  }

  private async send(schedule: PeriodicSchedule, slot: Date): Promise<SlotResult> {
    const { logger, tasks } = this.options;
    const what = `${schedule.name} slot ${slot.toISOString()}`;
    if (schedule.request === 'retention') return this.sendRetention(what, slot);
    try {
      const reply = await tasks.create(slotCommand(schedule, slot));
      if (reply.existing) {
        logger.debug?.(`${what}: Task ${reply.taskId} was already created`);
        return 'existing';
      }
      logger.log(`${what}: created Task ${reply.taskId} (${schedule.type})`);
      return 'created';
    } catch (error) {
      if (error instanceof TaskRefused) {
        // Replicas whose settings differ send different params for one slot: the first one won.
        if (error.code === 'IDEMPOTENCY_KEY_REUSED') logger.warn(`${what}: another replica created it with other params (check that replicas share their settings)`);
        else logger.error(`${what}: task-api refused it (${error.message}); the slot is given up`);
        return 'refused';
      }
      logger.warn(`${what}: not sent (${error instanceof Error ? error.message : String(error)}); trying again later`);
      return 'failed';
    }
  }

  private async sendRetention(what: string, slot: Date): Promise<SlotResult> {
    const { logger, retention } = this.options;
    if (!retention) {
      logger.error(`${what}: no retention requester; the slot is given up`);
      return 'refused';
    }
    try {
      const result = await retention.run(slot);
      logger.log(`${what}: the projection deleted ${result.deleted} Tasks${result.enabled ? '' : ' (retention disabled there)'}`);
      return 'created';
    } catch (error) {
      if (error instanceof TaskRefused) {
        logger.error(`${what}: the projection refused it (${error.message}); the slot is given up`);
        return 'refused';
      }
      logger.warn(`${what}: not run (${error instanceof Error ? error.message : String(error)}); trying again later`);
      return 'failed';
    }
  }
}

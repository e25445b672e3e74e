import { afterEach, describe, expect, it } from 'vitest';
import { FakeTaskApi } from '../testing/fake-task-api.js';
import { VirtualClock } from '../testing/virtual-clock.js';
import { periodicSchedules, type PeriodicSchedule, type PeriodicSettings } from './periodic-schedules.js';
import { PeriodicScheduler } from './periodic-scheduler.js';
import type { RetentionRequester } from './retention-requester.js';
import { TaskRefused } from '@vle/task-client';
import { slotsBetween } from './slots.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = new Date('2026-03-02T00:30:00Z'); // a Monday, between the daily slots of the day before and today's

const settings: PeriodicSettings = { pveNodeSyncSeconds: 3600, eventsStartPrepTimeDays: 1, eventsEndPrepTimeDays: 2, dailyCatchUpHours: 48 };

class Logs {
  readonly lines: string[] = [];
  log = (m: string) => void this.lines.push(`log ${m}`);
  warn = (m: string) => void this.lines.push(`warn ${m}`);
  error = (m: string) => void this.lines.push(`error ${m}`);
  debug = (m: string) => void this.lines.push(`debug ${m}`);
  matching(re: RegExp): string[] {
    return this.lines.filter((l) => re.test(l));
  }
}

const started: PeriodicScheduler[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.stop()));
});

function scheduler(clock: VirtualClock, tasks: FakeTaskApi, options: { schedules?: PeriodicSchedule[]; logs?: Logs; retryDelayMs?: number } = {}): PeriodicScheduler {
  const s = new PeriodicScheduler({ clock, tasks, schedules: options.schedules ?? periodicSchedules(settings), logger: options.logs ?? new Logs(), retryDelayMs: options.retryDelayMs ?? 30_000 });
  s.start();
  started.push(s);
  return s;
}

const isoSlots = (when: PeriodicSchedule['when'], from: number, to: number) => slotsBetween(when, new Date(from), new Date(to)).map((d) => d.toISOString());
const [nodeSync, lifecycle, cleanup] = periodicSchedules(settings) as [PeriodicSchedule, PeriodicSchedule, PeriodicSchedule];

describe('PeriodicScheduler over a virtual clock', () => {
  it('runs a week: one Task per slot, plus the catch-up of the look-back at boot', async () => {
    const clock = new VirtualClock(T0);
    const api = new FakeTaskApi();
    scheduler(clock, api);
    await clock.run(new Date(T0.getTime() + 7 * DAY), 1);

    // At boot: the last node sync slot (00:00) and the daily slots of the last 48 h.
    expect(api.slotsOf('pve-node-sync')).toEqual(isoSlots(nodeSync.when, T0.getTime() - HOUR, T0.getTime() + 7 * DAY));
    expect(api.slotsOf('pve-node-sync')).toHaveLength(1 + 168);
    expect(api.slotsOf('event-lifecycle')).toEqual(isoSlots(lifecycle.when, T0.getTime() - 2 * DAY, T0.getTime() + 7 * DAY));
    expect(api.slotsOf('event-lifecycle')).toHaveLength(2 + 7);
    expect(api.slotsOf('mail-cleanup')).toHaveLength(2 + 7);
    expect(api.calls).toBe(api.tasks.size);
  });

  it('sends each slot as a typed command of the scheduler (no createdBy: its token acts), keyed by the slot', async () => {
    const clock = new VirtualClock(new Date('2026-03-02T01:00:00Z'));
    const api = new FakeTaskApi();
    scheduler(clock, api, { schedules: [lifecycle] });
    await clock.run(new Date('2026-03-02T01:00:00Z'), 1);
    expect(api.tasks.get('service:scheduler\nperiodic:event-lifecycle:2026-03-02T01:00:00.000Z')).toEqual({
      type: 'event.lifecycle',
      idempotencyKey: 'periodic:event-lifecycle:2026-03-02T01:00:00.000Z',
      params: { startPrepDays: 1, endPrepDays: 2, at: '2026-03-02T01:00:00.000Z' },
    });
  });

  it('with two replicas on one clock, each slot still makes exactly one Task (both send it)', async () => {
    const clock = new VirtualClock(T0);
    const api = new FakeTaskApi();
    scheduler(clock, api);
    scheduler(clock, api);
    await clock.run(new Date(T0.getTime() + 7 * DAY), 2);
    expect(api.tasks.size).toBe(169 + 9 + 9);
    expect(api.calls).toBe(2 * api.tasks.size);
  });

  it('a replica that comes back after 3 days catches up the look-back only, without a duplicate', async () => {
    const clock = new VirtualClock(T0);
    const api = new FakeTaskApi();
    const first = scheduler(clock, api);
    await clock.run(new Date(T0.getTime() + DAY), 1);
    await first.stop();
    const before = api.tasks.size;

    clock.advanceTo(new Date(T0.getTime() + 4 * DAY)); // nobody ran for 3 days
    scheduler(clock, api);
    await clock.run(new Date(T0.getTime() + 4 * DAY), 1);
    // The last node sync slot and the last 2 days of daily slots; the first day's are not sent again.
    expect(api.tasks.size - before).toBe(1 + 2 + 2);
    expect(api.slotsOf('mail-cleanup')).toEqual(['2026-02-28T02:00:00.000Z', '2026-03-01T02:00:00.000Z', '2026-03-02T02:00:00.000Z', '2026-03-04T02:00:00.000Z', '2026-03-05T02:00:00.000Z']);
  });

  it('retries while task-api is down and gives up, with a warning, the slots older than the look-back', async () => {
    const clock = new VirtualClock(T0);
    const api = new FakeTaskApi();
    const logs = new Logs();
    scheduler(clock, api, { logs, retryDelayMs: 60_000 });
    await clock.run(T0, 1);
    api.down = true;
    await clock.run(new Date(T0.getTime() + 3 * DAY), 1);
    expect(logs.matching(/not sent .*No Responders.*trying again later/).length).toBeGreaterThan(100);
    api.down = false;
    await clock.run(new Date(T0.getTime() + 3 * DAY + 60_000), 1);

    // Down from 00:30 on day 1 to 00:31 on day 4: node sync keeps its last slot; the daily ones the last 48 h.
    expect(api.slotsOf('pve-node-sync').at(-1)).toBe('2026-03-05T00:00:00.000Z');
    expect(api.slotsOf('pve-node-sync')).toHaveLength(2);
    expect(api.slotsOf('event-lifecycle')).toEqual(['2026-02-28T01:00:00.000Z', '2026-03-01T01:00:00.000Z', '2026-03-03T01:00:00.000Z', '2026-03-04T01:00:00.000Z']);
    expect(logs.matching(/warn 1 slot\(s\) of event-lifecycle after 2026-03-01T01:00:00.000Z are older than its look-back/)).toHaveLength(1);
    expect(logs.matching(/warn .* given up/)).toHaveLength(2); // one per daily schedule
    expect(logs.matching(/log 1 slot\(s\) of pve-node-sync after .* were superseded by a newer slot/)).toHaveLength(71);
  });

  it('gives up a slot task-api refuses, without retrying it', async () => {
    const clock = new VirtualClock(new Date('2026-03-02T02:00:00Z'));
    const api = new FakeTaskApi();
    api.refusedTypes.add('mail.cleanup');
    const logs = new Logs();
    scheduler(clock, api, { schedules: [cleanup], logs });
    await clock.run(new Date('2026-03-02T12:00:00Z'), 1);
    expect(api.calls).toBe(2); // yesterday's and today's slot, once each
    expect(logs.matching(/error mail-cleanup slot .* task-api refused it \(UNKNOWN_TASK_TYPE/)).toHaveLength(2);
  });

  it('warns when replicas disagree on a slot\'s params, and counts the slot as done', async () => {
    const clock = new VirtualClock(new Date('2026-03-02T01:00:00Z'));
    const api = new FakeTaskApi();
    const logs = new Logs();
    const other = periodicSchedules({ ...settings, eventsStartPrepTimeDays: 5 })[1]!;
    scheduler(clock, api, { schedules: [lifecycle] });
    await clock.run(clock.now(), 1);
    scheduler(clock, api, { schedules: [other], logs });
    await clock.run(clock.now(), 2);
    expect(api.slotsOf('event-lifecycle')).toHaveLength(2);
    expect(logs.matching(/warn event-lifecycle slot .* another replica created it with other params/)).toHaveLength(2);
  });

  it('stops promptly while asleep', async () => {
    const clock = new VirtualClock(T0);
    const s = scheduler(clock, new FakeTaskApi());
    await clock.whenSleeping(1);
    await s.stop();
    expect(s.running).toBe(false);
    expect(clock.sleeping).toBe(0);
  });
});

class FakeRetention implements RetentionRequester {
  readonly slots: string[] = [];
  down = false;
  refused = false;
  async run(slot: Date) {
    await new Promise((resolve) => setImmediate(resolve));
    if (this.down) throw new Error('503 No Responders Available For Request');
    if (this.refused) throw new TaskRefused('FORBIDDEN', 'the token lacks the permission tasks_retention');
    this.slots.push(slot.toISOString());
    return { deleted: 3, enabled: true };
  }
}

describe('the retention schedule', () => {
  const retentionSchedule = periodicSchedules(settings).find((s) => s.name === 'retention')!;

  it('asks the projection for a run daily at 03:00 UTC with the slot as its time, and catches up only the last slot', async () => {
    const clock = new VirtualClock(new Date('2026-03-05T00:30:00Z'));
    const retention = new FakeRetention();
    const logs = new Logs();
    const s = new PeriodicScheduler({ clock, tasks: new FakeTaskApi(), retention, schedules: [retentionSchedule], logger: logs, retryDelayMs: 30_000 });
    s.start();
    started.push(s);
    await clock.run(new Date('2026-03-07T04:00:00Z'), 1);
    expect(retention.slots).toEqual(['2026-03-04T03:00:00.000Z', '2026-03-05T03:00:00.000Z', '2026-03-06T03:00:00.000Z', '2026-03-07T03:00:00.000Z']);
    expect(logs.matching(/log retention slot 2026-03-07T03:00:00.000Z: the projection deleted 3 Tasks/)).toHaveLength(1);
  });

  it('sends a slot again while no projection leader answers, and gives up a refused one', async () => {
    const clock = new VirtualClock(new Date('2026-03-05T02:59:00Z'));
    const retention = new FakeRetention();
    retention.down = true;
    const logs = new Logs();
    const s = new PeriodicScheduler({ clock, tasks: new FakeTaskApi(), retention, schedules: [retentionSchedule], logger: logs, retryDelayMs: 60_000 });
    s.start();
    started.push(s);
    await clock.run(new Date('2026-03-05T03:05:00Z'), 1);
    expect(retention.slots).toEqual([]);
    retention.down = false;
    await clock.run(new Date('2026-03-05T03:10:00Z'), 1);
    // Today's slot, once: the one before it (04 03:00) is superseded by it, a run covering both.
    expect(retention.slots).toEqual(['2026-03-05T03:00:00.000Z']);
    retention.refused = true;
    await clock.run(new Date('2026-03-06T03:10:00Z'), 1);
    expect(logs.matching(/error retention slot 2026-03-06T03:00:00.000Z: the projection refused it \(FORBIDDEN/)).toHaveLength(1);
    expect(retention.slots).toHaveLength(1);
  });
});

import { describe, expect, it } from 'vitest';
import { activeSchedules, idempotencyKeyOf, periodicSchedules, slotCommand } from './periodic-schedules.js';

const settings = { pveNodeSyncSeconds: 60, eventsStartPrepTimeDays: 1, eventsEndPrepTimeDays: 1, dailyCatchUpHours: 48 };

function logs() {
  const lines: string[] = [];
  return { lines, log: (m: string) => void lines.push(`log ${m}`), warn: (m: string) => void lines.push(`warn ${m}`) };
}

describe('the periodic schedules of the original system', () => {
  it('are node sync every WORKER_PVE_PERIODIC_INTERVAL s, the event lifecycle at 01:00 UTC and the mail cleanup at 02:00 UTC', () => {
    expect(periodicSchedules(settings).map(({ name, type, when, lookBackMs }) => ({ name, type, when, lookBackMs }))).toEqual([
      { name: 'pve-node-sync', type: 'pve.node_sync', when: { kind: 'interval', seconds: 60 }, lookBackMs: 60_000 },
      { name: 'event-lifecycle', type: 'event.lifecycle', when: { kind: 'daily', hour: 1, minute: 0 }, lookBackMs: 48 * 3_600_000 },
      { name: 'mail-cleanup', type: 'mail.cleanup', when: { kind: 'daily', hour: 2, minute: 0 }, lookBackMs: 48 * 3_600_000 },
      { name: 'retention', type: 'retention', when: { kind: 'daily', hour: 3, minute: 0 }, lookBackMs: 24 * 3_600_000 },
    ]);
    expect(periodicSchedules(settings).map((s) => s.request)).toEqual([undefined, undefined, undefined, 'retention']);
  });

  it('make the same command for a slot every time: user system, key periodic:<name>:<slot>', () => {
    const [nodeSync, lifecycle] = periodicSchedules({ ...settings, eventsStartPrepTimeDays: 3, eventsEndPrepTimeDays: 7 });
    const slot = new Date('2026-03-02T01:00:00Z');
    expect(slotCommand(nodeSync!, slot)).toEqual({ type: 'pve.node_sync', idempotencyKey: 'periodic:pve-node-sync:2026-03-02T01:00:00.000Z', params: {} });
    expect(slotCommand(lifecycle!, slot).params).toEqual({ startPrepDays: 3, endPrepDays: 7, at: '2026-03-02T01:00:00.000Z' });
    expect(JSON.stringify(slotCommand(lifecycle!, new Date(slot)))).toBe(JSON.stringify(slotCommand(lifecycle!, slot)));
    expect(idempotencyKeyOf({ name: 'mail-cleanup' }, slot)).toMatch(/^[\x21-\x7e]{1,200}$/); // CreateTask's key pattern
  });
});

describe('activeSchedules', () => {
  it('skips, with a warning, a schedule whose task type this build does not know', () => {
    const logger = logs();
    const active = activeSchedules(periodicSchedules(settings), { disabled: [], knownType: (t) => t !== 'mail.cleanup', logger });
    expect(active.map((s) => s.name)).toEqual(['pve-node-sync', 'event-lifecycle', 'retention']);
    expect(logger.lines).toContain('warn schedule mail-cleanup skipped: task type mail.cleanup is not known to this build');
    expect(logger.lines).toContain('log schedule event-lifecycle: event.lifecycle daily at 01:00 UTC');
  });

  it('leaves out the schedules switched off by configuration', () => {
    const logger = logs();
    const active = activeSchedules(periodicSchedules(settings), { disabled: ['pve-node-sync'], knownType: () => true, logger });
    expect(active.map((s) => s.name)).toEqual(['event-lifecycle', 'mail-cleanup', 'retention']);
    expect(logger.lines).toContain('log schedule pve-node-sync (pve.node_sync) is disabled by SCHEDULER_DISABLED');
  });
});

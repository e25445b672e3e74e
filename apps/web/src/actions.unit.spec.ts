import { describe, expect, it } from 'vitest';
import type { SubTaskView, TaskView } from './api/types.js';
import { cancelEffect, canCancel, canRetry, canSkip } from './actions.js';

const NOW = Date.parse('2026-12-02T12:00:00.000Z');
const sub = (status: string, finishedAt: string | null = '2026-12-02T11:00:00.000Z', name = status) => ({ id: name, name, status, finishedAt, updatedAt: finishedAt ?? '2026-12-02T11:00:00.000Z' }) as SubTaskView;

describe('canRetry', () => {
  it('allows a failed or timed-out SubTask up to 24 hours after it failed', () => {
    expect(canRetry(sub('failed'), NOW)).toEqual({ allowed: true });
    expect(canRetry(sub('timed_out', '2026-12-01T12:00:00.000Z'), NOW)).toEqual({ allowed: true });
  });

  it('says why not when it failed longer ago or did not fail', () => {
    expect(canRetry(sub('failed', '2026-12-01T11:59:59.000Z'), NOW)).toEqual({ allowed: false, reason: expect.stringContaining('more than 24 hours ago') });
    expect(canRetry(sub('running', null), NOW)).toEqual({ allowed: false, reason: expect.stringContaining('running') });
  });
});

describe('canSkip and canCancel', () => {
  it('skips a failed or waiting SubTask only', () => {
    expect(['failed', 'timed_out', 'blocked', 'running', 'success'].map((s) => canSkip(sub(s)).allowed)).toEqual([true, true, true, false, false]);
  });

  it('cancels an unfinished Task only', () => {
    const task = (status: string, cancelRequested = false) => ({ status, cancelRequested }) as TaskView;
    expect(canCancel(task('running')).allowed).toBe(true);
    expect(canCancel(task('success'))).toEqual({ allowed: false, reason: 'the Task has finished (success)' });
    expect(canCancel(task('running', true)).allowed).toBe(false);
  });

  it('tells what a cancel stops and what it leaves running', () => {
    const effect = cancelEffect([sub('running', null, 'r'), sub('queued', null, 'q'), sub('blocked', null, 'b'), sub('success', null, 's'), sub('retrying', null, 't')]);
    expect({ stops: effect.stops.map((s) => s.name), running: effect.running.map((s) => s.name) }).toEqual({ stops: ['q', 'b', 't'], running: ['r'] });
  });
});

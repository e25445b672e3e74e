import { describe, expect, it } from 'vitest';
import type { TaskListItem, TaskView } from '../api/types.js';
import { applyChange } from './list-changes.js';

const task = (id: string, createdAt: string, extra: Partial<TaskListItem> = {}) => ({ id, createdAt, status: 'running', lastSeq: 1, children: { total: 0, statuses: {} }, ...extra }) as TaskListItem;
/** A Task as a live event carries it: no `children`. */
const event = (id: string, createdAt: string, extra: Partial<TaskView> = {}): TaskView => {
  const { children: _, ...view } = task(id, createdAt, extra);
  return view;
};
const ids = (rows: readonly TaskListItem[]) => rows.map((r) => r.id);
const first = { prependNew: true, limit: 3 };

describe('applyChange', () => {
  const rows = [task('c', '2026-12-02T10:03:00.000Z'), task('b', '2026-12-02T10:02:00.000Z'), task('a', '2026-12-02T10:01:00.000Z')];

  it('replaces a Task shown in place, keeping the row\'s summary of its children (a live event has none)', () => {
    const shown = [rows[0]!, { ...rows[1]!, children: { total: 2, statuses: { success: 2 } } }, rows[2]!];
    const next = applyChange(shown, { kind: 'task', task: event('b', '2026-12-02T10:02:00.000Z', { status: 'success', lastSeq: 2 }) }, first);
    expect(ids(next)).toEqual(['c', 'b', 'a']);
    expect(next[1]).toMatchObject({ status: 'success', children: { total: 2 } });
  });

  it('keeps a newer state when an older update comes late', () => {
    const newer = applyChange(rows, { kind: 'task', task: event('b', '2026-12-02T10:02:00.000Z', { status: 'success', lastSeq: 5 }) }, first);
    expect(applyChange(newer, { kind: 'task', task: event('b', '2026-12-02T10:02:00.000Z', { status: 'running', lastSeq: 4 }) }, first)[1]!.status).toBe('success');
  });

  it('puts a new Task at its place on the first page and drops what falls off the page', () => {
    const added = applyChange(rows, { kind: 'task', task: event('d', '2026-12-02T10:04:00.000Z') }, first);
    expect(ids(added)).toEqual(['d', 'c', 'b']);
    expect(added[0]!.children).toEqual({ total: 0, statuses: {} });
    expect(ids(applyChange(rows, { kind: 'task', task: event('bb', '2026-12-02T10:02:30.000Z') }, first))).toEqual(['c', 'bb', 'b']);
    expect(ids(applyChange(rows, { kind: 'task', task: event('old', '2026-12-01T00:00:00.000Z') }, first))).toEqual(['c', 'b', 'a']);
    expect(ids(applyChange(rows.slice(0, 2), { kind: 'task', task: event('old', '2026-12-01T00:00:00.000Z') }, first))).toEqual(['c', 'b', 'old']);
  });

  it('leaves a later page as it is when a new Task comes', () => {
    expect(ids(applyChange(rows, { kind: 'task', task: event('d', '2026-12-02T10:04:00.000Z') }, { prependNew: false, limit: 3 }))).toEqual(['c', 'b', 'a']);
  });

  it('removes a Task that left the filter, and ignores one it never showed', () => {
    expect(ids(applyChange(rows, { kind: 'leave', id: 'b' }, first))).toEqual(['c', 'a']);
    expect(ids(applyChange(rows, { kind: 'leave', id: 'zz' }, first))).toEqual(['c', 'b', 'a']);
  });
});

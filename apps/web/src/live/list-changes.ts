// How one live change moves the rows on screen: a Task shown is replaced in place, a new one joins the
// first page at its place (newest first), one that left the filter goes.

import type { TaskListItem, TaskView } from '../api/types.js';

/** A `task` event carries the Task without its children's summary: a row keeps the one it has. */
export type Change = { readonly kind: 'task'; readonly task: TaskView } | { readonly kind: 'leave'; readonly id: string };

export interface ApplyOptions {
  /** Put a Task not shown yet among the rows (the first page only: later pages keep their place). */
  readonly prependNew: boolean;
  /** The page's size: the rows beyond it after an insert go (they are on the next page now). */
  readonly limit: number;
}

/** The list's order: newest first, the id breaking ties (the API's keyset order). */
function before(a: TaskView, b: TaskView): boolean {
  return a.createdAt > b.createdAt || (a.createdAt === b.createdAt && a.id > b.id);
}

export function applyChange(rows: readonly TaskListItem[], change: Change, options: ApplyOptions): TaskListItem[] {
  if (change.kind === 'leave') return rows.filter((r) => r.id !== change.id);
  const task = change.task;
  const at = rows.findIndex((r) => r.id === task.id);
  if (at >= 0) {
    // An older update arriving late (a reconnect's catch-up) must not undo a newer one.
    if (rows[at]!.lastSeq > task.lastSeq) return [...rows];
    const next = [...rows];
    next[at] = { ...task, children: rows[at]!.children };
    return next;
  }
  if (!options.prependNew) return [...rows];
  const next = [...rows];
  const place = next.findIndex((r) => before(task, r));
  const item: TaskListItem = { ...task, children: { total: 0, statuses: {} } };
  // On a full page, a Task older than every row shown belongs to a later page.
  if (place < 0 && next.length >= options.limit) return next;
  next.splice(place < 0 ? next.length : place, 0, item);
  return next.slice(0, options.limit);
}

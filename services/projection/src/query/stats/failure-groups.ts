// Failed SubTasks grouped by what failed and how (queue, action, response code and message), so that
// a UI can say "6 clones failed: storage full on pve2" and retry the group with the ids it lists.

/** One failed SubTask as read (at most the first ids of each group), with its group's size. */
export interface FailureRow {
  readonly queue: string;
  readonly action: string;
  readonly responseCode: string | null;
  readonly responseMessage: string | null;
  readonly taskId: string;
  readonly subTaskId: string;
  /** Failed SubTasks in the row's group, all of them (not only the rows read). */
  readonly groupCount: number;
}

export interface FailureGroup {
  readonly queue: string;
  readonly action: string;
  readonly responseCode: string | null;
  readonly responseMessage: string | null;
  /** Failed SubTasks in the group. */
  readonly count: number;
  /** What a retry of the group takes (POST /api/v1/tasks/:taskId/subtasks/:subTaskId/retry each), the latest failures first, at most `maxIds`. */
  readonly retry: readonly { readonly taskId: string; readonly subTaskId: string }[];
  /** `retry` holds fewer than `count`. */
  readonly retryTruncated: boolean;
}

export interface FailureGroups {
  /** Failed SubTasks in all groups. */
  readonly total: number;
  /** Groups, the largest first, at most `maxGroups`. */
  readonly groups: readonly FailureGroup[];
  /** Groups in all, shown or not. */
  readonly groupsTotal: number;
}

const keyOf = (r: Pick<FailureRow, 'queue' | 'action' | 'responseCode' | 'responseMessage'>) => JSON.stringify([r.queue, r.action, r.responseCode, r.responseMessage]);

const text = (value: string | null) => value ?? '';

/** Groups in order of size (then queue, action, code, message), each with its first ids as read. */
export function groupFailures(rows: readonly FailureRow[], limits: { readonly maxGroups: number; readonly maxIds: number }): FailureGroups {
  const groups = new Map<string, { row: FailureRow; retry: { taskId: string; subTaskId: string }[] }>();
  for (const row of rows) {
    const key = keyOf(row);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { row, retry: [] }));
    if (group.retry.length < limits.maxIds) group.retry.push({ taskId: row.taskId, subTaskId: row.subTaskId });
  }
  const all = [...groups.values()].map(({ row, retry }): FailureGroup => ({
    queue: row.queue,
    action: row.action,
    responseCode: row.responseCode,
    responseMessage: row.responseMessage,
    count: row.groupCount,
    retry,
    retryTruncated: retry.length < row.groupCount,
  }));
  all.sort((a, b) => b.count - a.count || a.queue.localeCompare(b.queue) || a.action.localeCompare(b.action) || text(a.responseCode).localeCompare(text(b.responseCode)) || text(a.responseMessage).localeCompare(text(b.responseMessage)));
  return { total: all.reduce((n, g) => n + g.count, 0), groups: all.slice(0, limits.maxGroups), groupsTotal: all.length };
}

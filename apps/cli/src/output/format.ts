// Values as the tables and lines show them: local times, durations, SubTask counts, one-line texts.

/** A time as local `YYYY-MM-DD HH:MM:SS` (the machine's zone, TZ), or '' for none. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  const two = (n: number) => String(n).padStart(2, '0');
  return `${at.getFullYear()}-${two(at.getMonth() + 1)}-${two(at.getDate())} ${two(at.getHours())}:${two(at.getMinutes())}:${two(at.getSeconds())}`;
}

/** `850 ms`, `3.4 s`, `4 m 05 s`, `2 h 03 m`, `3 d 04 h`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(Math.floor(ms / 100) / 10).toFixed(1)} s`;
  const two = (n: number) => String(n).padStart(2, '0');
  const s = Math.floor(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)} m ${two(s % 60)} s`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ${two(Math.floor(s / 60) % 60)} m`;
  return `${Math.floor(s / 86_400)} d ${two(Math.floor(s / 3600) % 24)} h`;
}

export interface SubTaskCounts {
  readonly finished: number;
  readonly total: number;
  readonly failed: number;
}

/** `3/8`, `3/8 (1 failed)`: finished SubTasks of all. */
export function formatCounts(counts: SubTaskCounts): string {
  return `${counts.finished}/${counts.total}${counts.failed > 0 ? ` (${counts.failed} failed)` : ''}`;
}

/** A text on one line: whitespace runs (newlines of a response message) as one space. */
export function oneLine(text: string | null | undefined): string {
  return (text ?? '').replace(/\s+/g, ' ').trim();
}

/** How long a Task has run: from its start (or creation) to its end, or to now. */
export function elapsedMs(task: { readonly createdAt: string; readonly startedAt: string | null; readonly finishedAt: string | null }, now: number = Date.now()): number {
  const from = Date.parse(task.startedAt ?? task.createdAt);
  const to = task.finishedAt ? Date.parse(task.finishedAt) : now;
  return Math.max(0, to - from);
}

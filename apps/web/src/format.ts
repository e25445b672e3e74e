// How values read on screen: every status as a word and an icon (never colour alone), times in the
// user's time zone with a relative time beside them, durations, short ids.

import type { QueueName } from '@vle/contracts';
import type { SubTaskStatus, TaskStatus, TaskType } from '@vle/domain';

export type Status = TaskStatus | SubTaskStatus;
export type Tone = 'ok' | 'bad' | 'warn' | 'busy' | 'idle';

interface StatusLook {
  readonly label: string;
  /** A glyph that differs per meaning, so that the status reads without colour (all in DejaVu Sans, Debian's default). */
  readonly icon: string;
  readonly tone: Tone;
}

/** Every status of a Task or a SubTask: the type makes a new status fail the build until it has a look. */
export const STATUS: Readonly<Record<Status, StatusLook>> = {
  planning: { label: 'Planning', icon: '◌', tone: 'idle' },
  scheduled: { label: 'Scheduled', icon: '◴', tone: 'idle' },
  blocked: { label: 'Waiting', icon: '○', tone: 'idle' },
  queued: { label: 'Queued', icon: '⋯', tone: 'idle' },
  running: { label: 'Running', icon: '▶', tone: 'busy' },
  retrying: { label: 'Retrying', icon: '↻', tone: 'warn' },
  cancelling: { label: 'Cancelling', icon: '⊘', tone: 'warn' },
  success: { label: 'Success', icon: '✓', tone: 'ok' },
  warning: { label: 'Warning', icon: '⚠', tone: 'warn' },
  failed: { label: 'Failed', icon: '✕', tone: 'bad' },
  skipped: { label: 'Skipped', icon: '↷', tone: 'idle' },
  cancelled: { label: 'Cancelled', icon: '⊗', tone: 'idle' },
  timed_out: { label: 'Timed out', icon: '◷', tone: 'bad' },
};

export const statusLook = (status: string): StatusLook => STATUS[status as Status] ?? { label: status, icon: '?', tone: 'idle' };

const TASK_STATUS_SET: Readonly<Record<TaskStatus, true>> = { planning: true, scheduled: true, queued: true, running: true, success: true, warning: true, failed: true, cancelling: true, cancelled: true, timed_out: true };
export const TASK_STATUSES = Object.keys(TASK_STATUS_SET) as TaskStatus[];

/** A Task in one of these has stopped for good (a retry of a failed SubTask may start it again). */
export const FINISHED: ReadonlySet<string> = new Set(['success', 'warning', 'failed', 'cancelled', 'timed_out', 'skipped']);

const QUEUE_SET: Readonly<Record<QueueName, true>> = { pve_vm_clone: true, pve_vm_actions: true, pve_periodic: true, mails: true, guacamole: true, moodle: true, core_periodic: true, bench: true };
export const QUEUES = Object.keys(QUEUE_SET) as QueueName[];

const TYPE_SET: Readonly<Record<TaskType, true>> = {
  'vm.clone': true, 'vm.delete': true, 'vm.start': true, 'vm.stop': true, 'vm.reset': true, 'vm.migrate': true, 'pve.node_sync': true,
  'guacamole.provision': true, 'guacamole.cleanup': true, 'mail.send': true, 'mail.cleanup': true, 'moodle.deploy_course': true, 'moodle.enrol': true,
  'event.deploy': true, 'event.archive': true, 'event.lifecycle': true, 'bench.fan_out': true, 'bench.chain': true,
};
export const TASK_TYPES = Object.keys(TYPE_SET) as TaskType[];

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

/** A time in the user's zone, e.g. "2 Dec 2026, 21:04:05". */
export function localTime(iso: string | null | undefined): string {
  return iso ? dateTime.format(new Date(iso)) : '—';
}

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 86_400_000],
  ['month', 30 * 86_400_000],
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
  ['second', 1_000],
];

/** "3 minutes ago", "in 2 hours", "now". */
export function relativeTime(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '';
  const delta = Date.parse(iso) - now;
  for (const [unit, ms] of UNITS) {
    if (Math.abs(delta) >= ms || unit === 'second') return relative.format(Math.round(delta / ms), unit);
  }
  return '';
}

/** "850 ms", "12.3 s", "4 min 05 s", "2 h 03 min". */
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)} s`;
  const s = Math.round(ms / 1_000);
  if (s < 3_600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3_600)} h ${String(Math.floor((s % 3_600) / 60)).padStart(2, '0')} min`;
}

export const shortId = (id: string) => id.slice(0, 8);

export const percent = (fraction: number) => `${Math.round(fraction * 100)} %`;

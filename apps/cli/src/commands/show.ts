// `vle-tasks show <taskId>`: a Task's fields and its SubTasks as a table; `--history` adds what
// happened to it, read from the event log (every event, and every attempt of every SubTask).
// `--json`: the Task as the API answers it; with --history `{task, history: {events, attempts}}`.

import type { AttemptView, HistoryEvent, SubTaskView, TaskDetailView } from '@openvle/tasks-client';
import type { Command } from 'commander';
import type { Cli, CommandContext } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import { elapsedMs, formatCounts, formatDuration, formatTime, oneLine } from '../output/format.js';
import type { Output } from '../output/output.js';
import type { Column } from '../output/table.js';
import { childrenOf } from './list.js';

interface ShowOptions {
  readonly history?: boolean;
}

interface History {
  readonly events: HistoryEvent[];
  readonly attempts: AttemptView[];
}

export function registerShow(program: Command, cli: Cli): void {
  program
    .command('show')
    .description('a Task with its SubTasks, and with --history its events and attempts')
    .argument('<taskId>', 'the Task')
    .option('--history', 'also every event and attempt, from the event log')
    .action(
      cli.action(async (context, taskId: string, options: ShowOptions) => {
        const task = await context.client.getTask(taskId, context.call);
        const history = options.history ? await readHistory(context, taskId) : undefined;
        const { out } = context;
        if (out.json) {
          out.document(history ? { task, history } : task);
          return ExitCode.ok;
        }
        printTask(out, task);
        if (history) printHistory(out, history, task.subtasks ?? []);
        return ExitCode.ok;
      }),
    );
}

async function readHistory(context: CommandContext, taskId: string): Promise<History> {
  const history: History = { events: [], attempts: [] };
  for await (const page of context.client.taskHistoryPages(taskId, {}, context.call)) {
    history.events.push(...page.events);
    history.attempts.push(...(page.attempts ?? []));
  }
  return history;
}

function printTask(out: Output, task: TaskDetailView): void {
  const percent = `${Math.floor(task.progress * 100)}%`;
  out.fields([
    ['ID', task.id],
    ['Name', task.name],
    ['Type', task.type ?? ''],
    ['Status', `${out.status(task.status)}${task.statusReason ? ` (${task.statusReason})` : ''}${task.cancelRequested && task.status !== 'cancelled' ? ' (cancel requested)' : ''}`],
    ['SubTasks', `${formatCounts(task.subtaskCounts)} finished, ${percent}`],
    ['Created', `${formatTime(task.createdAt)} by ${task.createdBy}`],
    ['Scheduled for', formatTime(task.startAt)],
    ['Start before', formatTime(task.startBefore)],
    ['Started', formatTime(task.startedAt)],
    ['Finished', task.finishedAt ? `${formatTime(task.finishedAt)}, after ${formatDuration(elapsedMs(task))}` : ''],
    ['Timeout', task.timeoutSeconds === null ? '' : formatDuration(task.timeoutSeconds * 1000)],
    ['Event', task.eventId ?? ''],
    ['Object', task.objectId === null ? '' : `${task.objectType ?? ''}:${task.objectId}`],
    ['Started by', task.originTaskId ?? ''],
    ['Children', childrenOf(task.children)],
    ['Person stepped in', task.manualIntervention ? 'yes (a retry or a skip)' : ''],
    ['Pinned', task.pinned ? 'yes (kept by the retention)' : ''],
    ['Updated', formatTime(task.updatedAt)],
  ]);
  out.line();
  if (task.subtasks === undefined) {
    out.message('No SubTasks shown: the token lacks sub_tasks_read.');
    return;
  }
  out.heading(`SubTasks (${task.subtasks.length})`);
  out.table(subTaskColumns(out, task.subtasks), task.subtasks);
}

function subTaskColumns(out: Output, subtasks: readonly SubTaskView[]): Column<SubTaskView>[] {
  const keyOf = new Map(subtasks.map((s) => [s.id, s.key]));
  return [
    { header: 'ID', text: (s) => s.id },
    { header: 'KEY', text: (s) => s.key, shrink: true },
    { header: 'ACTION', text: (s) => `${s.queue}/${s.action}` },
    out.statusColumn('STATUS', (s) => s.status),
    { header: 'TRY', text: (s) => (s.generation > 1 ? `${s.attempt} (gen ${s.generation})` : String(s.attempt)), align: 'right', drop: 1 },
    { header: 'AFTER', text: (s) => s.dependsOn.map((id) => keyOf.get(id) ?? id).join(','), shrink: true, drop: 2 },
    { header: 'RESPONSE', text: (s) => oneLine([s.responseCode, s.responseMessage].filter(Boolean).join(' ')), shrink: true },
  ];
}

function printHistory(out: Output, history: History, subtasks: readonly SubTaskView[]): void {
  const keyOf = new Map(subtasks.map((s) => [s.id, s.key]));
  const subTaskOf = (id: string | undefined) => (id === undefined ? '' : (keyOf.get(id) ?? id));
  out.line();
  out.heading(`History (${history.events.length} events)`);
  out.table<HistoryEvent>(
    [
      { header: 'SEQ', text: (e) => String(e.seq), align: 'right', drop: 2 },
      { header: 'AT', text: (e) => formatTime(e.at) },
      { header: 'EVENT', text: (e) => e.type },
      { header: 'SUBTASK', text: (e) => subTaskOf(e.subTaskId), shrink: true },
      { header: 'BY', text: (e) => (e.onBehalfOf ? `${e.actor} for ${e.onBehalfOf}` : e.actor), shrink: true, drop: 1 },
      { header: 'CHANGES', text: (e) => describeChanges(e.changes), shrink: true },
    ],
    history.events,
  );
  if (history.attempts.length === 0) return;
  out.line();
  out.heading(`Attempts (${history.attempts.length})`);
  out.table<AttemptView>(
    [
      { header: 'SUBTASK', text: (a) => subTaskOf(a.subTaskId), shrink: true },
      { header: 'TRY', text: (a) => (a.generation > 1 ? `${a.attempt} (gen ${a.generation})` : String(a.attempt)), align: 'right' },
      { header: 'OUTCOME', text: (a) => a.outcome },
      { header: 'STARTED', text: (a) => formatTime(a.startedAt), drop: 1 },
      { header: 'TOOK', text: (a) => (a.durationMs === undefined ? '' : formatDuration(a.durationMs)), align: 'right' },
      { header: 'WORKER', text: (a) => a.worker.actor, shrink: true, drop: 2 },
      { header: 'RESPONSE', text: (a) => oneLine([a.responseCode, a.responseMessage].filter(Boolean).join(' ')), shrink: true },
    ],
    history.attempts,
  );
}

/**
 * What an event did, in short: `task running→failed; status running→failed; BENCH_PERMANENT
 * "bench: …"; reason "done by hand"`. The statuses it moved and the facts a person looks for; the
 * rest (progress, generation, job id, a creation's fields, ...) is in --json.
 */
const SHOWN_FACTS = ['reason', 'nextAttemptAt', 'permanent', 'reserved', 'cancelledSubTasks'] as const;

export function describeChanges(changes: HistoryEvent['changes']): string {
  const value = (v: unknown) => (v === null || v === undefined ? '–' : typeof v === 'string' ? v : JSON.stringify(v));
  const moved = (label: string, change: { from: unknown; to: unknown } | undefined) => (change ? [`${label}${value(change.from)}→${value(change.to)}`] : []);
  const { task, subTask, responseCode, responseMessage } = changes;
  const facts = SHOWN_FACTS.filter((field) => changes[field] !== undefined).map((field) => [field, changes[field]] as const);
  const response = [responseCode, responseMessage === undefined ? undefined : JSON.stringify(oneLine(String(responseMessage)))].filter((v) => v !== undefined && v !== null).join(' ');
  return [
    ...moved('task ', task?.status),
    ...moved('status ', subTask?.status),
    ...(response ? [response] : []),
    ...facts.map(([field, fact]) => `${field} ${typeof fact === 'string' ? JSON.stringify(oneLine(fact)) : value(fact)}`),
  ].join('; ');
}

// The HTML report of one Task (README, "Export and stats"): its fields, its SubTasks (with
// sub_tasks_read) and its history from the log, as one self-contained page (inline CSS, no script,
// no external resource) that an operator can save, print or attach to a ticket. Every value goes
// through `html`, so none can become markup.

import type { ChangeSet, EventChanges, HistoryEvent, TaskHistory } from '../task-history.js';
import type { SubTaskView, TaskDetailView } from '../task.views.js';
import { Html, html, type HtmlValue } from './html.js';

export interface TaskReport {
  readonly task: TaskDetailView;
  readonly history: TaskHistory;
  /** When the page was made (ISO). */
  readonly generatedAt: string;
}

const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}
h1{font-size:1.5em;margin:0 0 .2em}h2{font-size:1.15em;margin:1.6em 0 .5em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;width:100%;font-size:.92em}th,td{border:1px solid #ddd;padding:.25em .5em;text-align:left;vertical-align:top}
th{background:#f3f3f3}dl{display:grid;grid-template-columns:max-content 1fr;gap:.2em 1.2em}dt{font-weight:600}dd{margin:0}
.status{display:inline-block;padding:0 .5em;border-radius:.8em;background:#eee}.failed,.timed_out{background:#fbd5d5}.success{background:#d5f5dd}.warning,.retrying{background:#fdf0c8}
code,.mono{font-family:ui-monospace,monospace;font-size:.92em;word-break:break-all}ul.changes{margin:0;padding-left:1.1em}.note{color:#666}
@media print{body{margin:0}}`;

const status = (value: string): Html => html`<span class="status ${value}">${value}</span>`;
const mono = (value: HtmlValue): Html => html`<span class="mono">${value}</span>`;
const object = (type: string | null, id: string | null): HtmlValue => (id === null ? null : type === null ? id : `${type}:${id}`);

function field(name: string, value: HtmlValue): Html {
  return html`<dt>${name}</dt><dd>${value === null || value === undefined || value === '' ? html`<span class="note">–</span>` : value}</dd>`;
}

function taskFields(t: TaskDetailView): Html {
  return html`<dl>
${field('ID', mono(t.id))}${field('Type', t.type)}${field('Status', status(t.status))}${field('Status reason', t.statusReason)}
${field('Progress', `${Math.round(t.progress * 100)} % (${t.subtaskCounts.finished} of ${t.subtaskCounts.total} SubTasks finished, ${t.subtaskCounts.failed} failed)`)}
${field('Pinned', t.pinned ? 'yes: the retention keeps it' : null)}
${field('Children', t.children.total === 0 ? null : `${t.children.total} (${Object.entries(t.children.statuses).map(([status, n]) => `${n} ${status}`).join(', ')})`)}
${field('Created by', t.createdBy)}${field('Event', t.eventId)}${field('Object', object(t.objectType, t.objectId))}${field('Origin task', t.originTaskId === null ? null : mono(t.originTaskId))}
${field('Start at', t.startAt)}${field('Start before', t.startBefore)}${field('Timeout', t.timeoutSeconds === null ? null : `${t.timeoutSeconds} s`)}
${field('Created at', t.createdAt)}${field('Started at', t.startedAt)}${field('Finished at', t.finishedAt)}${field('Updated at', t.updatedAt)}
${field('Cancel requested', t.cancelRequested ? 'yes' : 'no')}${field('Manual intervention', t.manualIntervention ? 'yes' : 'no')}${field('Version', `${t.version} events, last commit ${t.lastSeq}`)}
</dl>`;
}

function subTaskRow(s: SubTaskView, index: number): Html {
  return html`<tr><td>${index + 1}</td><td>${s.name}<br>${mono(s.id)}</td><td>${s.action}</td><td>${s.queue}</td><td>${status(s.status)}</td><td>${s.generation}</td><td>${s.attempt}</td><td>${object(s.objectType, s.objectId)}</td><td>${s.responseCode}</td><td>${s.responseMessage}</td><td>${s.startedAt}</td><td>${s.finishedAt}</td></tr>`;
}

function subTasks(task: TaskDetailView): Html {
  if (task.subtasks === undefined) return html`<p class="note">SubTasks are not shown: the token lacks the permission sub_tasks_read.</p>`;
  if (task.subtasks.length === 0) return html`<p class="note">No SubTasks.</p>`;
  return html`<table><thead><tr><th>#</th><th>Name</th><th>Action</th><th>Queue</th><th>Status</th><th>Generation</th><th>Attempt</th><th>Object</th><th>Response code</th><th>Response message</th><th>Started</th><th>Finished</th></tr></thead>
<tbody>${task.subtasks.map(subTaskRow)}</tbody></table>`;
}

const text = (value: unknown): string => (value === null || value === undefined ? '–' : typeof value === 'string' ? value : JSON.stringify(value));

function changeItems(scope: string, set: ChangeSet | undefined): Html[] {
  return Object.entries(set ?? {}).map(([name, change]) => html`<li>${scope}.${name}: ${text(change.from)} → ${text(change.to)}</li>`);
}

function changes(c: EventChanges): Html {
  const { task, subTask, ...facts } = c;
  const items = [...changeItems('task', task), ...changeItems('subTask', subTask), ...Object.entries(facts).map(([name, value]) => html`<li>${name}: ${text(value)}</li>`)];
  return items.length === 0 ? html`` : html`<ul class="changes">${items}</ul>`;
}

function eventRow(e: HistoryEvent): Html {
  const who = e.onBehalfOf === undefined ? e.actor : `${e.actor} for ${e.onBehalfOf}`;
  const run = e.generation === undefined ? null : `${e.generation}${e.attempt === undefined ? '' : `.${e.attempt}`}`;
  return html`<tr><td>${e.seq}.${e.index}</td><td>${e.at}</td><td>${e.type}</td><td>${who}</td><td>${e.subTaskId === undefined ? null : mono(e.subTaskId)}</td><td>${run}</td><td>${changes(e.changes)}</td></tr>`;
}

function attempts(history: TaskHistory): Html {
  if (history.attempts === undefined) return html``;
  const rows = history.attempts.map(
    (a) =>
      html`<tr><td>${mono(a.subTaskId)}</td><td>${a.generation}.${a.attempt}</td><td>${a.startedAt}</td><td>${a.finishedAt}</td><td>${a.durationMs === undefined ? null : `${a.durationMs} ms`}</td><td>${a.worker.actor}</td><td>${status(a.outcome)}</td><td>${a.responseCode}</td><td>${a.responseMessage}</td></tr>`,
  );
  return html`<h2>Attempts (${history.attempts.length})</h2>
${rows.length === 0 ? html`<p class="note">No attempt started.</p>` : html`<table><thead><tr><th>SubTask</th><th>Run</th><th>Started</th><th>Finished</th><th>Duration</th><th>Worker</th><th>Outcome</th><th>Response code</th><th>Response message</th></tr></thead><tbody>${rows}</tbody></table>`}`;
}

export function renderTaskReport(report: TaskReport): string {
  const { task, history } = report;
  const cut = history.nextAfterSeq === null ? null : html`<p class="note">The history goes on after commit ${history.nextAfterSeq}: read GET /api/v1/tasks/${task.id}/history?afterSeq=${history.nextAfterSeq} for the rest.</p>`;
  const page = html`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Task ${task.name} (${task.status})</title><style>${new Html(STYLE)}</style></head>
<body>
<h1>${task.name}</h1>
<p>${status(task.status)} <span class="note">report of ${report.generatedAt}</span></p>
<h2>Task</h2>
${taskFields(task)}
<h2>SubTasks${task.subtasks === undefined ? '' : ` (${task.subtasks.length})`}</h2>
${subTasks(task)}
<h2>History (${history.events.length} events)</h2>
${history.events.length === 0 ? html`<p class="note">No event.</p>` : html`<table><thead><tr><th>Commit</th><th>At</th><th>Event</th><th>Actor</th><th>SubTask</th><th>Run</th><th>Changes</th></tr></thead><tbody>${history.events.map(eventRow)}</tbody></table>`}
${cut}
${attempts(history)}
</body></html>
`;
  return page.markup;
}


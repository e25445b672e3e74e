import { describe, expect, it } from 'vitest';
import type { TaskHistory } from '../task-history.js';
import type { SubTaskView, TaskDetailView } from '../task.views.js';
import { renderTaskReport } from './task-report.html.js';

const EVIL = '<script>alert(1)</script>';
const ATTR = '" onmouseover="alert(2)';

const subTask: SubTaskView = {
  id: 'st-<a>', key: 'a', name: EVIL, action: 'vm.clone', queue: 'pve_vm_clone', status: ATTR, generation: 1, attempt: 2, failedAttempts: 1, executions: 2,
  jobId: null, objectType: 'vm', objectId: '<b>101</b>', params: {}, dependsOn: [], bestEffort: false, timeoutSeconds: null,
  responseCode: 'PVE_500', responseMessage: '<img src=x onerror=alert(3)>', nextAttemptAt: null, queuedAt: null, startedAt: null, finishedAt: null,
  createdAt: '2026-11-22T10:00:00.000Z', updatedAt: '2026-11-22T10:00:00.000Z',
};

const task: TaskDetailView = {
  id: '0190a7e2-0000-7000-8000-00000000r001', name: EVIL, type: 'vm.clone', status: 'failed', statusReason: null, progress: 0.5, createdBy: '<i>alice</i>',
  eventId: '42', objectType: null, objectId: null, originTaskId: null, startAt: null, startBefore: null, timeoutSeconds: null, startedAt: null, finishedAt: null,
  cancelRequested: false, manualIntervention: false, pinned: false, subtaskCounts: { total: 1, finished: 1, failed: 1 }, createdAt: '2026-11-22T10:00:00.000Z',
  updatedAt: '2026-11-22T10:00:00.000Z', version: 3, lastSeq: 7, children: { total: 3, statuses: { success: 2, '<s>failed</s>': 1 } }, subtasks: [subTask],
};

const history: TaskHistory = {
  taskId: task.id,
  lastSeq: 7,
  nextAfterSeq: null,
  events: [
    { seq: 5, index: 0, at: '2026-11-22T10:00:00.000Z', type: 'TaskCreated', actor: '<u>alice</u>', changes: { task: { status: { from: null, to: 'queued' } } } },
    { seq: 7, index: 0, at: '2026-11-22T10:00:01.000Z', type: 'SubTaskFailed', actor: 'worker', subTaskId: 'st-<a>', generation: 1, attempt: 2, changes: { responseMessage: '</td><script>x</script>', subTask: { status: { from: 'running', to: 'failed' } } } },
  ],
  attempts: [{ subTaskId: 'st-<a>', generation: 1, attempt: 2, startedAt: '2026-11-22T10:00:00.500Z', worker: { actor: '<w>' }, outcome: 'failed', responseMessage: '<svg onload=alert(4)>' }],
};

describe('renderTaskReport', () => {
  const page = renderTaskReport({ task, history, generatedAt: '2026-11-22T11:00:00.000Z' });

  it('shows every value as text: no tag, attribute or entity of a value reaches the markup', () => {
    expect(page).not.toMatch(/<script|<img|<svg|<b>|<i>|<u>|<w>|<a>|onmouseover="/i);
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).toContain('&lt;img src=x onerror=alert(3)&gt;');
    expect(page).toContain('&lt;/td&gt;&lt;script&gt;x&lt;/script&gt;');
    expect(page).toContain('class="status &quot; onmouseover=&quot;alert(2)"');
    expect(page).toContain('<title>Task &lt;script&gt;alert(1)&lt;/script&gt; (failed)</title>');
  });

  it('is self-contained: inline style, no script, no external resource', () => {
    expect(page).toMatch(/^<!DOCTYPE html>/);
    expect(page).toContain('<style>');
    // Tags with their quoted attribute values emptied: what is left are the attributes' names.
    const tags = (page.match(/<[a-z][^>]*>/gi) ?? []).map((tag) => tag.replace(/"[^"]*"/g, '""'));
    expect(tags.length).toBeGreaterThan(20);
    expect(tags.filter((tag) => /\s(src|href|on\w+)=|^<(link|script|img|iframe|object)/i.test(tag))).toEqual([]);
    expect(page).not.toMatch(/url\(|@import/i);
  });

  it('holds the fields, the SubTasks, the events and the attempts', () => {
    expect(page).toContain('50 % (1 of 1 SubTasks finished, 1 failed)');
    expect(page).toContain('<dt>Children</dt><dd>3 (2 success, 1 &lt;s&gt;failed&lt;/s&gt;)</dd>');
    expect(page).toContain('<h2>SubTasks (1)</h2>');
    expect(page).toContain('<h2>History (2 events)</h2>');
    expect(page).toContain('subTask.status: running → failed');
    expect(page).toContain('<h2>Attempts (1)</h2>');
  });

  it('says when SubTasks are not shown, and shows no attempts then', () => {
    const { subtasks: _, ...withoutSubTasks } = task;
    const { attempts: __, ...taskEventsOnly } = history;
    const other = renderTaskReport({ task: withoutSubTasks, history: { ...taskEventsOnly, events: history.events.slice(0, 1) }, generatedAt: 'now' });
    expect(other).toContain('the token lacks the permission sub_tasks_read');
    expect(other).not.toContain('Attempts');
    expect(other).not.toContain('PVE_500');
  });

  it('points to the rest of a history longer than a page', () => {
    expect(renderTaskReport({ task, history: { ...history, nextAfterSeq: 6 }, generatedAt: 'now' })).toContain(`GET /api/v1/tasks/${task.id}/history?afterSeq=6`);
  });
});

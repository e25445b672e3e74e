// Answers of the API as unit tests need them, in the shapes of its description (the client's types).

import type { SubTaskView, TaskDetailView, TaskListItem } from '@openvle/tasks-client';

export function taskItem(overrides: Partial<TaskListItem> = {}): TaskListItem {
  return {
    id: '01a23d72-63db-76bf-ae13-c740b92f40fe',
    name: 'Clone 30 VMs for event 42',
    type: 'vm.clone',
    status: 'running',
    statusReason: null,
    progress: 0.25,
    subtaskCounts: { finished: 2, total: 8, failed: 0 },
    children: { total: 0, statuses: {} },
    createdAt: '2026-11-22T10:00:00.000Z',
    createdBy: 'alice',
    eventId: '42',
    objectType: null,
    objectId: null,
    originTaskId: null,
    startAt: null,
    startBefore: null,
    startedAt: '2026-11-22T10:00:01.000Z',
    finishedAt: null,
    timeoutSeconds: null,
    cancelRequested: false,
    manualIntervention: false,
    pinned: false,
    updatedAt: '2026-11-22T10:00:05.000Z',
    version: 7,
    lastSeq: 70,
    ...overrides,
  };
}

export function subTask(overrides: Partial<SubTaskView> = {}): SubTaskView {
  return {
    id: 'cf8de01b-9a19-5cce-91bf-01f6f8e46a7f',
    key: 'clone-1',
    name: 'Clone lab-ev42-s01',
    action: 'clone',
    queue: 'pve_vm_clone',
    status: 'failed',
    generation: 1,
    attempt: 3,
    executions: 3,
    failedAttempts: 3,
    jobId: null,
    objectType: 'vm',
    objectId: '101',
    params: {},
    dependsOn: [],
    bestEffort: false,
    timeoutSeconds: null,
    responseCode: 'PVE_500',
    responseMessage: 'storage full',
    nextAttemptAt: null,
    queuedAt: null,
    startedAt: null,
    finishedAt: '2026-11-22T10:00:04.000Z',
    createdAt: '2026-11-22T10:00:00.000Z',
    updatedAt: '2026-11-22T10:00:04.000Z',
    ...overrides,
  };
}

export function taskDetail(overrides: Partial<TaskDetailView> = {}): TaskDetailView {
  return { ...taskItem(), subtasks: [subTask()], ...overrides };
}

// Test data: the commits of many Tasks living realistic lives (retries, permanent failures, time-outs,
// a person's retry, cancellation), produced by the real decide so that every commit is one the
// task-api could have appended. Deterministic for a seed.

import { decide, evolve, exists, initialState, type SubTaskDraft, type TaskCommand, type TaskEvent, type TaskState } from '@vle/domain';
import type { Topology } from '@vle/contracts';
import { random } from '@vle/testing';
import type { IncomingCommit } from '../projector/commit.js';

export interface ScenarioCommit {
  readonly taskId: string;
  readonly events: TaskEvent[];
}

export { random };

export function uuidFrom(rand: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(rand() * 16).toString(16)).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const T0 = Date.parse('2026-11-22T10:00:00.000Z');
const USERS = ['alice', 'bob', 'carol'];
const OBJECTS = ['vm', 'template', 'event', 'mail'] as const;

function drafts(rand: () => number, taskId: string): SubTaskDraft[] {
  const count = 1 + Math.floor(rand() * 5);
  const chain = rand() < 0.5;
  return Array.from({ length: count }, (_, i) => ({
    id: `${taskId.slice(0, 8)}-st${i}`,
    key: `step${i}`,
    name: `Step ${i}`,
    action: i % 2 === 0 ? 'vm.clone' : 'mail.send',
    queue: i % 2 === 0 ? 'pve_vm_clone' : 'mails',
    objectType: 'vm' as const,
    objectId: String(100 + i),
    params: { vmid: 100 + i, password: 'hunter2' },
    dependsOn: chain && i > 0 ? [`step${i - 1}`] : [],
    bestEffort: i === count - 1 && rand() < 0.3,
    timeoutSeconds: 60,
  }));
}

/** The next command a system would send to this Task, or undefined when its life is over. */
function nextCommand(state: TaskState, rand: () => number, at: string): TaskCommand | undefined {
  if (!exists(state)) return undefined;
  const base = { taskId: state.id, at, actor: 'worker:test' };
  if (!state.cancelRequested && rand() < 0.02 && state.subtasks.some((s) => s.status === 'queued' || s.status === 'blocked')) {
    return { ...base, type: 'CancelTask', actor: 'admin', reason: 'not needed' };
  }
  for (const s of state.subtasks) {
    const ref = { subTaskId: s.id, generation: s.generation };
    if (s.status === 'queued' || s.status === 'retrying') {
      return { ...base, type: 'RecordAttemptStarted', ...ref, attempt: s.attempt + 1, jobId: `${s.id}:${s.generation}`, queue: s.queue, jobSeq: s.generation, deliveryId: `${s.id}:${s.generation}:${s.attempt + 1}` };
    }
    if (s.status === 'running' && s.action === 'vm.clone' && s.reservedBy !== `${s.generation}:${s.attempt}`) {
      // A clone reserves the VMID it makes before it ends (reservedBy, an object other than the planned one).
      return { ...base, type: 'RecordObjectReserved', ...ref, attempt: s.attempt, deliveryId: `${s.id}:${s.generation}:${s.attempt}`, objectType: 'vm', objectId: String(200 + s.attempt) };
    }
    if (s.status === 'running') {
      const roll = rand();
      const attempt = { ...ref, attempt: s.attempt };
      if (roll < 0.7) return { ...base, type: 'RecordSubTaskSucceeded', ...attempt, responseCode: '200', responseMessage: 'OK' };
      if (roll < 0.85) return { ...base, type: 'RecordAttemptFailed', ...attempt, responseCode: '500', responseMessage: 'lock timeout', retryInMs: s.attempt < 3 ? 10_000 : null, permanent: false };
      if (roll < 0.93) return { ...base, type: 'RecordAttemptFailed', ...attempt, responseCode: '550', responseMessage: 'mailbox unavailable', retryInMs: null, permanent: true };
      return { ...base, type: 'RecordSubTaskTimedOut', ...attempt, timeoutSeconds: 60 };
    }
    if ((s.status === 'failed' || s.status === 'timed_out') && !state.cancelRequested && s.generation < 2 && rand() < 0.5) {
      return { ...base, type: 'RetrySubTask', actor: 'admin', subTaskId: s.id, retryWindowMs: 24 * 3600_000 };
    }
  }
  return undefined;
}

/** The commits of one Task, in order. */
export function taskLife(rand: () => number, index: number): ScenarioCommit[] {
  const taskId = uuidFrom(rand);
  const createdAt = T0 + index * 1000;
  const create: TaskCommand = {
    type: 'CreateTask',
    taskId,
    at: new Date(createdAt).toISOString(),
    actor: USERS[index % USERS.length]!,
    name: `${index % 3 === 0 ? 'Clone' : 'Deploy'} task ${index}`,
    taskType: index % 3 === 0 ? 'vm.clone' : 'event.deploy',
    createdBy: USERS[index % USERS.length]!,
    eventId: index % 4 === 0 ? String(40 + (index % 5)) : undefined,
    objectType: OBJECTS[index % OBJECTS.length],
    objectId: String(1000 + index),
    subtasks: drafts(rand, taskId),
  };
  const commits: ScenarioCommit[] = [];
  let state: TaskState = initialState;
  let command: TaskCommand | undefined = create;
  for (let step = 1; command && step < 60; step += 1) {
    const events = decide(command, state);
    if (events.length > 0) {
      commits.push({ taskId, events });
      state = events.reduce(evolve, state);
    }
    command = nextCommand(state, rand, new Date(createdAt + step * 250).toISOString());
  }
  return commits;
}

/** The commits of `tasks` Tasks, interleaved as concurrent Tasks would be in the log. */
export function scenario(tasks: number, seed = 1): ScenarioCommit[] {
  const rand = random(seed);
  const lives = Array.from({ length: tasks }, (_, i) => taskLife(rand, i));
  const out: ScenarioCommit[] = [];
  while (lives.some((l) => l.length > 0)) {
    const open = lives.filter((l) => l.length > 0);
    out.push(open[Math.floor(rand() * open.length)]!.shift()!);
  }
  return out;
}

/** The scenario as stream messages from `firstSeq` on (for tests without NATS). */
export function asIncoming(commits: readonly ScenarioCommit[], topology: Topology, firstSeq = 1): IncomingCommit[] {
  return commits.map((c, i) => ({ seq: firstSeq + i, subject: topology.eventSubject(c.taskId), events: c.events }));
}

// Read-model rows generated from a seed, written straight into the tables (not through the log):
// for tests and benches of the query API, whose subject is the reads, not the projection. The values
// come from small pools, so that filters on them select some Tasks and leave others; names hold
// LIKE's wildcards, a backslash and letters whose case PostgreSQL and JavaScript fold alike.

import type { DataSource, ObjectLiteral } from 'typeorm';
import { QUEUE_NAMES } from '@vle/contracts';
import { OBJECT_TYPES, SUB_TASK_STATUSES, TASK_STATUSES } from '@vle/domain';
import { SubTaskEntity, TaskEntity } from '../db/entities/index.js';
import { random } from './task-scenarios.js';

export const POOLS = {
  nameWords: ['Clone', 'clone', 'CLONE', 'VM', 'lab', 'Lab 7', 'Mail', 'mails_now', 'Deploy', 'École', 'über', '100%', 'a_b', 'back\\slash', 'sync'],
  types: ['vm.clone', 'vm.start', 'lab_event.deploy', 'mail.send', 'pve.node_sync'],
  users: ['alice', 'bob', 'carol', 'system', 'service:scheduler'],
  events: ['42', '7', '1001'],
  objectIds: ['101', '102', '7', 'a@b.c', '42'],
  actions: ['vm.clone', 'vm.start', 'mail.send', 'noop', 'connection.create'],
  codes: ['OK', 'STORAGE_FULL', 'TIMEOUT', 'NOT_FOUND', 'PVE_500'],
  messages: ['storage full on pve2', 'Storage Full', 'timed out after 60 s', 'VM 101 not found', 'done'],
} as const;

export interface GeneratedRows {
  readonly tasks: TaskEntity[];
  readonly subtasks: SubTaskEntity[];
}

const uuidOf = (n: number, salt: number) => `0190a7e2-${(salt & 0xffff).toString(16).padStart(4, '0')}-7000-8000-${n.toString(16).padStart(12, '0')}`;

/**
 * `count` Tasks with 0–4 SubTasks each, created within `spanMs` before `now` (whole milliseconds,
 * as events carry them).
 */
export function generateRows(options: { count: number; seed: number; now: number; spanMs: number; firstIndex?: number }): GeneratedRows {
  const rnd = random(options.seed);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(rnd() * values.length)]!;
  const maybe = <T>(p: number, value: () => T): T | null => (rnd() < p ? value() : null);
  const tasks: TaskEntity[] = [];
  const subtasks: SubTaskEntity[] = [];
  const first = options.firstIndex ?? 0;
  for (let i = first; i < first + options.count; i++) {
    const id = uuidOf(i + 1, options.seed);
    const createdAt = new Date(Math.floor(options.now - rnd() * options.spanMs));
    const updatedAt = new Date(createdAt.getTime() + Math.floor(rnd() * 3_600_000));
    const startedAt = maybe(0.7, () => new Date(createdAt.getTime() + Math.floor(rnd() * 60_000)));
    const finishedAt = startedAt && maybe(0.6, () => new Date(startedAt.getTime() + Math.floor(rnd() * 600_000)));
    const objectType = maybe(0.6, () => pick(OBJECT_TYPES));
    const n = Math.floor(rnd() * 5);
    const task = Object.assign(new TaskEntity(), {
      id,
      name: `${pick(POOLS.nameWords)} ${pick(POOLS.nameWords)}`,
      type: maybe(0.7, () => pick(POOLS.types)),
      status: pick(TASK_STATUSES),
      statusReason: null,
      progress: 0,
      createdBy: pick(POOLS.users),
      eventId: maybe(0.5, () => pick(POOLS.events)),
      objectType,
      objectId: objectType === null ? null : pick(POOLS.objectIds),
      originTaskId: i > first && rnd() < 0.3 ? uuidOf(first + 1 + Math.floor(rnd() * (i - first)), options.seed) : null,
      startAt: null,
      startBefore: null,
      timeoutSeconds: null,
      startedAt,
      finishedAt,
      cancelRequested: false,
      manualIntervention: false,
      subtasksTotal: n,
      subtasksFinished: 0,
      subtasksFailed: 0,
      createdAt,
      updatedAt,
      version: 1 + n,
      lastSeq: i + 1,
    });
    tasks.push(task);
    for (let p = 0; p < n; p++) {
      const subObjectType = maybe(0.7, () => pick(OBJECT_TYPES));
      const code = maybe(0.5, () => pick(POOLS.codes));
      subtasks.push(
        Object.assign(new SubTaskEntity(), {
          taskId: id,
          id: `${id}-${p}`,
          position: p,
          key: `k${p}`,
          name: `Step ${p}`,
          action: pick(POOLS.actions),
          queue: pick(QUEUE_NAMES),
          status: pick(SUB_TASK_STATUSES),
          generation: 1,
          attempt: 1,
          failedAttempts: 0,
          executions: 1,
          jobId: null,
          objectType: subObjectType,
          objectId: subObjectType === null ? null : pick(POOLS.objectIds),
          params: {},
          dependsOn: [],
          bestEffort: false,
          timeoutSeconds: null,
          responseCode: code,
          responseMessage: code === null ? null : maybe(0.8, () => pick(POOLS.messages)),
          nextAttemptAt: null,
          queuedAt: createdAt,
          startedAt,
          finishedAt,
          createdAt,
          updatedAt,
          jobSeq: null,
          deliveryId: null,
          reservedBy: null,
        }),
      );
    }
  }
  return { tasks, subtasks };
}

/** Writes the rows in chunks (a statement holds at most 65,535 parameters). */
export async function insertRows(db: DataSource, rows: GeneratedRows, chunk = 1000): Promise<void> {
  // As plain objects: the entities' JSON column types are too deep for insert()'s partial type.
  const into = (entity: typeof TaskEntity | typeof SubTaskEntity) => db.getRepository<ObjectLiteral>(entity);
  for (let i = 0; i < rows.tasks.length; i += chunk) await into(TaskEntity).insert(rows.tasks.slice(i, i + chunk));
  for (let i = 0; i < rows.subtasks.length; i += chunk) await into(SubTaskEntity).insert(rows.subtasks.slice(i, i + chunk));
}

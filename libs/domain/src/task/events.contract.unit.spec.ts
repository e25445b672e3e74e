// The events of libs/domain are the wire contract of proto/vle/tasks/v1/events.proto: every event a
// scenario produces must parse strictly (no unknown field, right types) as TaskEvent + its payload.

import { createRegistry } from '@bufbuild/protobuf';
import { file_vle_tasks_v1_events, parseMessage, TaskEventCommitSchema } from '@vle/contracts';
import { describe, expect, it } from 'vitest';
import { TASK_EVENT_TYPES, type TaskEvent } from './events.js';
import { at, cmd, createTask, draft, given, run } from './testing.js';

const registry = createRegistry(file_vle_tasks_v1_events);

function everyKindOfEvent(): TaskEvent[] {
  const created = given([]).when(
    createTask([draft('a', [], { params: { node: 'pve1', password: 'x' }, objectType: 'vm', objectId: '101', timeoutSeconds: 60 }), draft('b', ['a'], { bestEffort: true }), draft('c')], {
      idempotencyKey: 'k',
      requestHash: 'h',
      eventId: '42',
      objectType: 'event',
      objectId: '42',
      originTaskId: 'parent',
      startBefore: at(3600),
      timeoutSeconds: 600,
      taskType: 'vm.clone',
    }),
  ).history;
  const events = run(
    [
      cmd.start({ subTaskId: 'st-a' }),
      cmd.fail({ subTaskId: 'st-a' }, 1000),
      cmd.start({ subTaskId: 'st-a', attempt: 2 }),
      cmd.fail({ subTaskId: 'st-a', attempt: 2 }, null, true),
      cmd.retry('st-a'),
      cmd.start({ subTaskId: 'st-a', generation: 2 }),
      cmd.timeOut({ subTaskId: 'st-a', generation: 2 }),
      cmd.retry('st-a'),
      cmd.start({ subTaskId: 'st-a', generation: 3 }),
      cmd.reserve({ subTaskId: 'st-a', generation: 3 }, '4101'),
      cmd.succeed({ subTaskId: 'st-a', generation: 3 }),
      cmd.start({ subTaskId: 'st-c' }),
      cmd.fail({ subTaskId: 'st-c' }, null, true),
      cmd.skip('st-c'),
      cmd.cancel(),
      cmd.pin(),
      cmd.unpin(),
    ],
    created,
  );
  const scheduled = given([]).when(createTask([draft('a')], { startAt: at(60) })).history;
  const missed = given([]).when(createTask([draft('a')], { startBefore: at(60) })).history;
  const timed = run([cmd.start({ subTaskId: 'st-a' })], given([]).when(createTask([draft('a'), draft('b', ['a'])], { timeoutSeconds: 60 })).history);
  // Created in parts: a commit this small takes one SubTask a part.
  const parted = given([]).when(createTask([draft('a'), draft('b', ['a']), draft('c')], { maxCommitBytes: 1 }));
  const planned = run([createTask([draft('a'), draft('b', ['a']), draft('c')], { maxCommitBytes: 1 })], parted.history);
  return [...events, ...run([cmd.startTask(at(60))], scheduled), ...run([cmd.expireStart(at(60))], missed), ...run([cmd.timeOutTask(at(60))], timed), ...planned, LEGACY_CANCELLED];
}

/** Logs written before TaskCancelRequested listed its SubTasks hold one of these per SubTask. */
const LEGACY_CANCELLED: TaskEvent = { type: 'SubTaskCancelled', version: 1, taskId: 'legacy', at: at(0), actor: 'admin', data: { subTaskId: 'st-a' } };

describe('the event contract', () => {
  const events = everyKindOfEvent();

  it('covers every event type', () => {
    expect(new Set(events.map((e) => e.type))).toEqual(new Set(TASK_EVENT_TYPES));
  });

  it.each(TASK_EVENT_TYPES)('%s matches its proto message', (type) => {
    for (const event of events.filter((e) => e.type === type)) {
      const json = JSON.parse(JSON.stringify({ events: [event] }));
      expect(() => parseMessage(TaskEventCommitSchema, json)).not.toThrow();
      const schema = registry.getMessage(`vle.tasks.v1.${type}`);
      expect(schema, `proto message for ${type}`).toBeDefined();
      expect(() => parseMessage(schema!, json.events[0].data)).not.toThrow();
    }
  });
});

import { describe, expect, it } from 'vitest';
import type { JetStreamClient } from '@nats-io/jetstream';
import { Topology, type QueueName } from '@vle/contracts';
import type { SubTaskQueued, TaskEvent } from '@vle/domain';
import { InlineDispatch } from './job-publisher.js';

const topology = new Topology();
const queued = (subTaskId: string, queue: QueueName): SubTaskQueued => ({ type: 'SubTaskQueued', version: 1, taskId: 't1', at: '2026-12-02T00:00:00Z', actor: 'worker:pve_vm_clone', data: { subTaskId, generation: 1, queue, action: 'x' } });
const succeeded = { type: 'SubTaskSucceeded', version: 1, taskId: 't1', at: '2026-12-02T00:00:00Z', actor: 'worker:pve_vm_clone', data: { subTaskId: 'c', generation: 1, attempt: 1 } } as unknown as TaskEvent;

function dispatch(queues?: readonly QueueName[]) {
  const subjects: string[] = [];
  const js = { publish: async (subject: string) => void subjects.push(subject) } as unknown as JetStreamClient;
  const lines: string[] = [];
  return { inline: new InlineDispatch(js, topology, { log: (m: string) => lines.push(m), warn: (m: string) => lines.push(m), error: (m: string) => lines.push(m) }, queues), subjects, lines };
}

describe('InlineDispatch', () => {
  const commit: TaskEvent[] = [succeeded, queued('a', 'pve_vm_actions'), queued('b', 'pve_vm_clone'), queued('c', 'mails'), queued('d', 'pve_vm_actions')];

  it("publishes a worker's own queues only, and names the others once each for the commit", async () => {
    const { inline, subjects } = dispatch(['pve_vm_clone']);
    expect(inline.leftToOthers(commit)).toEqual(['pve_vm_actions', 'mails']);
    await inline.committed(7, commit);
    expect(subjects).toEqual(['jobs.pve_vm_clone']);
  });

  it('without a list publishes every queue and leaves nothing (task-api)', async () => {
    const { inline, subjects } = dispatch();
    expect(inline.leftToOthers(commit)).toEqual([]);
    await inline.committed(7, commit);
    expect(subjects.sort()).toEqual(['jobs.mails', 'jobs.pve_vm_actions', 'jobs.pve_vm_actions', 'jobs.pve_vm_clone']);
  });

  it('leaves nothing for a commit that queues nothing', () => {
    expect(dispatch(['pve_vm_clone']).inline.leftToOthers([succeeded])).toEqual([]);
  });
});

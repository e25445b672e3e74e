import { describe, expect, it } from 'vitest';
import { validateDag } from '../task/dag.js';
import { violation } from '../task/testing.js';
import { isBenchTaskType, planTask, TASK_TYPES } from './task-types.js';

describe('vm.clone', () => {
  it('plans one SubTask per VM on pve_vm_clone, each about the template until it reserves its VM', () => {
    const plan = planTask('vm.clone', { templateVmid: 9000, count: 30, namePattern: 'lab-ev{event}-s{index:2}', pool: 'ev42', targetNode: 'pve2' }, { eventId: '42' });
    expect(plan).toMatchObject({ name: 'Clone 30 VMs from template 9000', objectType: 'template', objectId: '9000' });
    expect(plan.subtasks).toHaveLength(30);
    expect(plan.subtasks[6]).toEqual({
      key: 'clone-7',
      name: 'Clone VM lab-ev42-s07',
      action: 'clone',
      queue: 'pve_vm_clone',
      objectType: 'template',
      objectId: '9000',
      params: { templateVmid: 9000, name: 'lab-ev42-s07', targetNode: 'pve2', pool: 'ev42', full: false },
    });
    expect(new Set(plan.subtasks.map((s) => s.params!.name)).size).toBe(30);
    expect(() => validateDag(plan.subtasks.map((s) => ({ ...s, id: s.key })))).not.toThrow();
  });

  it('numbers from firstIndex and keeps a full clone\'s storage', () => {
    const plan = planTask('vm.clone', { templateVmid: 9000, count: 2, namePattern: 'vm-{index}', firstIndex: 10, full: true, storage: 'local-lvm' });
    expect(plan.subtasks.map((s) => [s.key, s.params!.name, s.params!.full, s.params!.storage])).toEqual([
      ['clone-10', 'vm-10', true, 'local-lvm'],
      ['clone-11', 'vm-11', true, 'local-lvm'],
    ]);
  });

  it.each([
    ['a name Proxmox refuses', { namePattern: 'lab_{index}' }, {}, 'params.namePattern', 'not a DNS name'],
    ['the same name for every VM', { namePattern: 'lab' }, {}, 'params.namePattern', 'same name'],
    ['{event} without an event', { namePattern: 'ev{event}-{index}' }, undefined, 'params.namePattern', 'no eventId'],
    ['storage on a linked clone', { namePattern: 'vm-{index}', storage: 'local-lvm' }, {}, 'params.storage', 'linked clones'],
  ])('refuses %s', (_what, params, context, field, message) => {
    const error = violation(() => planTask('vm.clone', { templateVmid: 9000, count: 3, ...params }, context));
    expect(error).toMatchObject({ code: 'INVALID_PARAMS', field });
    expect(error.message).toContain(message);
  });
});

describe('the per-VM types', () => {
  it.each([
    ['vm.delete', 'delete', 'pve_vm_clone'],
    ['vm.start', 'start', 'pve_vm_actions'],
    ['vm.stop', 'stop', 'pve_vm_actions'],
    ['vm.reset', 'reset', 'pve_vm_actions'],
  ])('%s plans one %s SubTask per VM on %s', (type, action, queue) => {
    const plan = planTask(type, { vmids: [101, 102] });
    expect(plan.objectType).toBeUndefined();
    expect(plan.subtasks).toEqual([
      expect.objectContaining({ key: `${action}-101`, action, queue, objectType: 'vm', objectId: '101', params: { vmid: 101 } }),
      expect.objectContaining({ key: `${action}-102`, action, queue, objectType: 'vm', objectId: '102', params: { vmid: 102 } }),
    ]);
    expect(planTask(type, { vmids: [101] })).toMatchObject({ objectType: 'vm', objectId: '101' });
  });

  it('vm.migrate carries the target node', () => {
    const plan = planTask('vm.migrate', { vmids: [101], targetNode: 'pve3', online: true });
    expect(plan.name).toBe('Migrate VM 101 to pve3');
    expect(plan.subtasks[0]).toMatchObject({ action: 'migrate', queue: 'pve_vm_actions', params: { vmid: 101, targetNode: 'pve3', online: true } });
  });

  it.each([
    [[101, 101], 'params.vmids[1]', 'twice'],
    [[99], 'params.vmids[0]', 'not a VMID'],
  ])('refuses vmids %j', (vmids, field, message) => {
    const error = violation(() => planTask('vm.stop', { vmids }));
    expect(error).toMatchObject({ code: 'INVALID_PARAMS', field });
    expect(error.message).toContain(message);
  });
});

it('pve.node_sync is one SubTask on pve_periodic', () => {
  expect(planTask('pve.node_sync', {}).subtasks).toEqual([expect.objectContaining({ action: 'node_sync', queue: 'pve_periodic' })]);
});

it('refuses an unknown type, naming the known ones', () => {
  const error = violation(() => planTask('vm.explode', {}));
  expect(error).toMatchObject({ code: 'UNKNOWN_TASK_TYPE', field: 'type' });
  for (const type of TASK_TYPES) expect(error.message).toContain(type);
});

describe('the lab-event types', () => {
  it.each([
    ['event.deploy', 'deploy_event', 'Deploy event 42'],
    ['event.archive', 'archive_event', 'Archive event 42'],
  ])('%s is one %s SubTask on core_periodic about the event', (type, action, name) => {
    expect(planTask(type, { eventId: 42 })).toEqual({
      name,
      objectType: 'event',
      objectId: '42',
      eventId: '42',
      subtasks: [{ key: action, name, action, queue: 'core_periodic', objectType: 'event', objectId: '42', params: { eventId: 42 } }],
    });
  });

  it('event.lifecycle carries the preparation days and the slot time', () => {
    expect(planTask('event.lifecycle', { startPrepDays: 3, endPrepDays: 1, at: '2026-12-01T01:00:00Z' }).subtasks).toEqual([
      expect.objectContaining({ action: 'event_lifecycle', queue: 'core_periodic', params: { startPrepDays: 3, endPrepDays: 1, at: '2026-12-01T01:00:00Z' } }),
    ]);
  });
});

describe('the bench types', () => {
  it('bench.fan_out plans independent SubTasks of one bench action', () => {
    const plan = planTask('bench.fan_out', { subtasks: 3, action: 'sleep' });
    expect(plan.name).toBe('Bench fan-out of 3 sleep');
    expect(plan.subtasks).toEqual([1, 2, 3].map((i) => ({ key: `step-${i}`, name: `Step ${i} (sleep)`, action: 'sleep', queue: 'bench', dependsOn: [] })));
  });

  it('bench.chain plans each SubTask after the previous, noop by default', () => {
    const plan = planTask('bench.chain', { subtasks: 10_000 });
    expect(plan.subtasks).toHaveLength(10_000);
    expect(plan.subtasks[0]).toMatchObject({ key: 'step-1', action: 'noop', dependsOn: [] });
    expect(plan.subtasks[9_999]).toMatchObject({ key: 'step-10000', dependsOn: ['step-9999'] });
    expect(() => validateDag(plan.subtasks.map((s) => ({ ...s, id: s.key })))).not.toThrow();
  });

  it('are the types that need the bench queue', () => {
    expect(TASK_TYPES.filter(isBenchTaskType)).toEqual(['bench.fan_out', 'bench.chain']);
  });
});

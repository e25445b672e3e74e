import { describe, expect, it } from 'vitest';
import { validateDag } from '../task/dag.js';
import { labVmName, planAdvanceNotice, planCourseDeploy, planParticipantArchive, planParticipantDeploy, type LabEvent } from './event-children.js';

const event: LabEvent = {
  id: 42,
  name: 'Network Lab',
  startsAt: '2026-12-02T08:00:00.000Z',
  endsAt: '2026-12-03T17:00:00.000Z',
  templateVmid: 9000,
  protocol: 'rdp',
  moodleTemplateCourseId: 7,
  participants: [
    { id: 1, username: 'alice', firstName: 'Alice', lastName: 'A', email: 'alice@example.org' },
    { id: 2, username: 'bob.b_2', firstName: 'Bob', lastName: 'B', email: 'bob@example.org' },
  ],
};

const withIds = (subtasks: readonly { key: string }[]) => subtasks.map((s) => ({ ...s, id: s.key })) as never;

describe('an event\'s child Tasks', () => {
  it('name each participant\'s VM after the event as a DNS name', () => {
    expect(labVmName(event, event.participants[0]!)).toBe('ev42-alice');
    expect(labVmName(event, event.participants[1]!)).toBe('ev42-bob-b-2');
    expect(labVmName({ id: 1 }, { username: 'x'.repeat(80) })).toHaveLength(63);
  });

  it('deploy a participant as clone -> start -> Guacamole connection -> access mail', () => {
    const plan = planParticipantDeploy(event, event.participants[0]!, { vmDomain: 'lab.example.org' });
    expect(plan.key).toBe('vm:alice');
    expect(plan.subtasks.map((s) => [s.key, s.queue, s.action, s.dependsOn ?? []])).toEqual([
      ['clone', 'pve_vm_clone', 'clone', []],
      ['start', 'pve_vm_actions', 'start', ['clone']],
      ['connection', 'guacamole', 'provision', ['start']],
      ['mail', 'mails', 'lab_access', ['connection']],
    ]);
    expect(plan.subtasks[0]!.params).toEqual({ templateVmid: 9000, name: 'ev42-alice', full: false });
    expect(plan.subtasks[2]!.params).toMatchObject({ username: 'alice', connectionName: 'ev42-alice', protocol: 'rdp', hostname: 'ev42-alice.lab.example.org', port: 3389 });
    expect(plan.subtasks[3]!.params).toMatchObject({ to: ['alice@example.org'], username: 'alice', connectionName: 'ev42-alice' });
    expect(JSON.stringify(plan)).not.toMatch(/password/i);
    expect(() => validateDag(withIds(plan.subtasks))).not.toThrow();
  });

  it('deploy the course with every participant enrolled behind it, or nothing without a template course', () => {
    const plan = planCourseDeploy(event)!;
    expect(plan.subtasks.map((s) => s.action)).toEqual(['deploy_course', 'enrol_user', 'enrol_user']);
    expect(plan.subtasks[0]!.params).toMatchObject({ shortname: 'EV42', fullname: 'Network Lab', templateCourseId: 7 });
    expect(planCourseDeploy({ ...event, moodleTemplateCourseId: undefined })).toBeUndefined();
  });

  it('archive a participant as delete connection -> stop VM -> delete VM, the VM found by its name', () => {
    const plan = planParticipantArchive(event, event.participants[1]!);
    expect(plan.subtasks.map((s) => [s.key, s.queue, s.action, s.dependsOn ?? []])).toEqual([
      ['connection', 'guacamole', 'cleanup', []],
      ['stop', 'pve_vm_actions', 'stop', ['connection']],
      ['delete', 'pve_vm_clone', 'delete', ['stop']],
    ]);
    expect(plan.subtasks[2]!.params).toEqual({ vmName: 'ev42-bob-b-2' });
    expect(() => validateDag(withIds(plan.subtasks))).not.toThrow();
  });

  it('notice every participant in advance, one mail each', () => {
    const plan = planAdvanceNotice(event)!;
    expect(plan.subtasks.map((s) => s.params!.to)).toEqual([['alice@example.org'], ['bob@example.org']]);
    expect(planAdvanceNotice({ ...event, participants: [] })).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { validateDag } from '../task/dag.js';
import { violation } from '../task/testing.js';
import { planMoodleDeployCourse, planMoodleEnrol } from './moodle.plans.js';

const user = (n: number) => ({ username: `ev42-s${n}`, firstname: 'Stu', lastname: `Dent ${n}`, email: `ev42-s${n}@example.org` });

describe('moodle.deploy_course', () => {
  it('plans one deploy_course SubTask on moodle about the course, the shortname from the event by default', () => {
    const plan = planMoodleDeployCourse({ fullname: 'Linux lab, event 42', categoryId: 7 }, { eventId: '42' });
    expect(plan).toEqual({
      name: 'Deploy Moodle course EV42',
      objectType: 'course',
      objectId: 'EV42',
      subtasks: [
        { key: 'deploy-course', name: 'Deploy Moodle course EV42', action: 'deploy_course', queue: 'moodle', objectType: 'course', objectId: 'EV42', params: { shortname: 'EV42', fullname: 'Linux lab, event 42', categoryId: 7 } },
      ],
    });
  });

  it('keeps a given shortname and template', () => {
    const plan = planMoodleDeployCourse({ shortname: 'LAB-A', fullname: 'Lab A', templateCourseId: 12 }, {});
    expect(plan.subtasks[0]!.params).toEqual({ shortname: 'LAB-A', fullname: 'Lab A', templateCourseId: 12 });
  });

  it('enrols the users behind the deploy, one SubTask each', () => {
    const plan = planMoodleDeployCourse({ fullname: 'Lab', users: [user(1), user(2)] }, { eventId: '42' });
    expect(plan.name).toBe('Deploy Moodle course EV42 and enrol 2 users');
    expect(plan.subtasks.slice(1)).toEqual([
      { key: 'enrol-1', name: 'Enrol ev42-s1 in Moodle course EV42', action: 'enrol_user', queue: 'moodle', objectType: 'course', objectId: 'EV42', params: { courseShortname: 'EV42', ...user(1) }, dependsOn: ['deploy-course'] },
      expect.objectContaining({ key: 'enrol-2', dependsOn: ['deploy-course'], params: expect.objectContaining({ username: 'ev42-s2' }) }),
    ]);
    expect(() => validateDag(plan.subtasks.map((s) => ({ ...s, id: s.key })))).not.toThrow();
  });

  it('refuses a deploy without shortname or event, and a user listed twice', () => {
    expect(violation(() => planMoodleDeployCourse({ fullname: 'Lab' }, {}))).toMatchObject({ code: 'INVALID_PARAMS', field: 'params.shortname' });
    const twice = violation(() => planMoodleDeployCourse({ fullname: 'Lab', users: [user(1), { ...user(1), email: 'other@example.org' }] }, { eventId: '1' }));
    expect(twice).toMatchObject({ code: 'INVALID_PARAMS', field: 'params.users[1].username' });
    const sameEmail = violation(() => planMoodleEnrol({ courseShortname: 'EV1', users: [user(1), { ...user(2), email: 'EV42-S1@example.org' }] }, {}));
    expect(sameEmail).toMatchObject({ field: 'params.users[1].email' });
  });
});

describe('moodle.enrol', () => {
  it('plans one enrol_user SubTask per user, independent of each other', () => {
    const plan = planMoodleEnrol({ courseShortname: 'EV42', users: [user(1), user(2), user(3)] }, {});
    expect(plan).toMatchObject({ name: 'Enrol 3 users in Moodle course EV42', objectType: 'course', objectId: 'EV42' });
    expect(plan.subtasks.map((s) => [s.key, s.action, s.queue, s.dependsOn])).toEqual([
      ['enrol-1', 'enrol_user', 'moodle', undefined],
      ['enrol-2', 'enrol_user', 'moodle', undefined],
      ['enrol-3', 'enrol_user', 'moodle', undefined],
    ]);
    expect(planMoodleEnrol({ courseShortname: 'EV42', users: [user(1)] }, {}).name).toBe('Enrol ev42-s1 in Moodle course EV42');
  });
});

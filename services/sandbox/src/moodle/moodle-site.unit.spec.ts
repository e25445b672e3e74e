import { describe, expect, it } from 'vitest';
import { MoodleException } from './moodle-exception.js';
import { MoodleFaults } from './moodle-faults.js';
import { LAB_CATEGORY_ID, MoodleSite, TEMPLATE_COURSE } from './moodle-site.js';
import { flattenNested, keyPath, parsePhpForm } from './php-params.js';

const thrown = (work: () => unknown): MoodleException => {
  try {
    work();
  } catch (error) {
    return error as MoodleException;
  }
  throw new Error('expected an exception');
};

const newUser = (username: string, email = `${username}@example.org`) => ({ username, firstname: 'A', lastname: 'B', email, auth: 'manual', idnumber: '', createpassword: true });

describe('PHP array notation', () => {
  it('nests keys as PHP does, appends with [] and keeps a malformed key whole', () => {
    expect(keyPath('users[0][username]')).toEqual(['users', '0', 'username']);
    expect(keyPath('a[b')).toEqual(['a[b']);
    expect(parsePhpForm([['users[0][username]', 'x'], ['users[0][email]', 'x@y'], ['values[]', 'a'], ['values[]', 'b'], ['field', 'id']])).toEqual({
      users: { 0: { username: 'x', email: 'x@y' } },
      values: { 0: 'a', 1: 'b' },
      field: 'id',
    });
  });

  it('turns a body parser\'s nested object back into the same flat keys', () => {
    expect(flattenNested({ users: [{ username: 'x' }], field: 'id' })).toEqual([['users[0][username]', 'x'], ['field', 'id']]);
  });
});

describe('the site', () => {
  it('duplicate_course: the new course is hidden and takes its shortname at once, visible once restored', () => {
    const site = new MoodleSite(() => 0);
    const course = site.beginDuplicate({ courseid: TEMPLATE_COURSE.id, fullname: 'Lab', shortname: 'EV42', categoryid: LAB_CATEGORY_ID });
    expect(course).toMatchObject({ visible: 0, restoring: true, manualEnrol: false });
    expect(thrown(() => site.beginDuplicate({ courseid: 2, fullname: 'Lab', shortname: 'EV42', categoryid: 2 })).errorcode).toBe('shortnametaken');
    expect(site.completeDuplicate(course.id, 1)).toMatchObject({ visible: 1, restoring: false, manualEnrol: true });
    expect(thrown(() => site.beginDuplicate({ courseid: 99, fullname: 'x', shortname: 'X', categoryid: 2 })).errorcode).toBe('invalidrecord');
    expect(thrown(() => site.beginDuplicate({ courseid: 2, fullname: 'x', shortname: 'X', categoryid: 99 })).errorcode).toBe('unknowncategory');
    expect(site.ledger().counts.coursesCreated).toBe(1);
  });

  it('create_users is one transaction and refuses taken usernames and emails', () => {
    const site = new MoodleSite(() => 0);
    expect(thrown(() => site.createUsers([newUser('a'), newUser('a', 'other@example.org')])).debuginfo).toBe('Username already exists: a');
    expect(site.findUsers('username', ['a'])).toEqual([]);
    site.createUsers([newUser('a')]);
    expect(thrown(() => site.createUsers([newUser('b', 'A@example.org')])).debuginfo).toBe('Email address already exists: A@example.org');
    expect(thrown(() => site.createUsers([{ ...newUser('c'), createpassword: false }])).debuginfo).toContain('Invalid password');
  });

  it('enrols once; a second enrolment of the same user changes nothing in the ledger', () => {
    const site = new MoodleSite(() => 0);
    const [user] = site.createUsers([newUser('a')]);
    const enrolment = { roleid: 5, userid: user!.id, courseid: 2, timestart: 0, timeend: 0, suspend: 0 as const };
    site.enrol([enrolment]);
    site.enrol([enrolment]);
    expect(site.enrolledUsers(2)).toHaveLength(1);
    expect(site.ledger().counts.enrolments).toBe(1);
    expect(thrown(() => site.enrol([{ ...enrolment, courseid: 99 }])).errorcode).toBe('invalidparameter');
  });
});

describe('faults', () => {
  it('draws the same faults for the same seed, and none for a rate of 0', () => {
    const draws = (seed: number) => {
      const faults = new MoodleFaults();
      faults.set({ seed, functions: { '*': { errorRate: 0.5 }, core_user_create_users: { errorRate: 0 } } });
      return [faults.forRequest('core_user_create_users').kind, ...Array.from({ length: 8 }, () => faults.forRequest('core_course_duplicate_course').kind)];
    };
    expect(draws(7)).toEqual(draws(7));
    expect(draws(7)[0]).toBe('none');
    expect(new Set(draws(7).slice(1))).toEqual(new Set(['none', 'error']));
  });
});

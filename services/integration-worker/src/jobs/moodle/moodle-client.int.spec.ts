// libs/integrations' Moodle client against the sandbox's simulator over HTTP (the client library
// cannot depend on the sandbox, which depends on it; the worker that uses both tests them together).

import { MoodleClient, MoodleError } from '@vle/integrations';
import { startInProcessSandbox, type InProcessSandbox } from '@vle/sandbox/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

let sandbox: InProcessSandbox;

beforeAll(async () => {
  sandbox = await startInProcessSandbox();
});

afterAll(async () => {
  await sandbox?.close();
});

beforeEach(async () => {
  await sandbox.moodle('POST', 'reset', { timings: { duplicateCourseMs: 20 } });
});

describe('MoodleClient against the simulator', () => {
  it('reads a wrong token\'s HTTP 200 as a permanent invalidtoken', async () => {
    const wrong = new MoodleClient({ baseUrl: `${sandbox.url}/moodle`, token: 'wrongtoken0000000000000000000000' });
    const error = await wrong.getCourseByShortname('TPL-LAB').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MoodleError);
    expect(error).toMatchObject({ status: 200, errorcode: 'invalidtoken', permanent: true, responseCode: 'MOODLE_invalidtoken' });
    wrong.close();
  });

  it('runs every function of the deploy and enrol flow', async () => {
    const moodle = sandbox.moodleClient();
    expect(await moodle.getCourseByShortname('TPL-LAB')).toMatchObject({ id: 2, visible: 1 });
    const course = await moodle.duplicateCourse({ courseId: 2, fullname: 'Lab EV7', shortname: 'EV7', categoryId: 2, options: { users: false } });
    expect(course).toEqual({ id: 3, shortname: 'EV7' });
    expect(await failure(moodle.duplicateCourse({ courseId: 2, fullname: 'Lab EV7', shortname: 'EV7', categoryId: 2 }))).toMatchObject({ errorcode: 'shortnametaken', permanent: true });
    const [user] = await moodle.createUsers([{ username: 'ev7-s01', firstname: 'S', lastname: 'One', email: 'ev7-s01@example.org' }]);
    expect(await moodle.getUsersByField('username', ['ev7-s01'])).toEqual([expect.objectContaining({ id: user!.id, email: 'ev7-s01@example.org' })]);
    await moodle.enrolUsers([{ roleId: 5, userId: user!.id, courseId: course.id }]);
    await moodle.enrolUsers([{ roleId: 5, userId: user!.id, courseId: course.id }]);
    expect((await moodle.getEnrolledUsers(course.id)).map((u) => u.username)).toEqual(['ev7-s01']);
    expect(await moodle.deleteCourses([course.id, 999])).toEqual([expect.objectContaining({ itemid: 999, warningcode: 'unknowncourseidnumber' })]);
    expect(await moodle.getCourseByShortname('EV7')).toBeUndefined();
  });

  it('an invalidparameter carries its reason only when the site debugs', async () => {
    const moodle = sandbox.moodleClient();
    await moodle.createUsers([{ username: 'dup', firstname: 'D', lastname: 'U', email: 'dup@example.org' }]);
    const quiet = await failure(moodle.createUsers([{ username: 'dup', firstname: 'D', lastname: 'U', email: 'dup2@example.org' }]));
    expect([quiet.message, quiet.debuginfo]).toEqual(['Invalid parameter value detected', undefined]);
    await sandbox.moodle('PUT', 'debug', { debug: true });
    const loud = await failure(moodle.createUsers([{ username: 'dup', firstname: 'D', lastname: 'U', email: 'dup2@example.org' }]));
    expect(loud.message).toBe('Invalid parameter value detected (Username already exists: dup)');
  });
});

async function failure(work: Promise<unknown>): Promise<MoodleError> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof MoodleError)) throw new Error(`expected a MoodleError, got ${String(error)}`);
  return error;
}

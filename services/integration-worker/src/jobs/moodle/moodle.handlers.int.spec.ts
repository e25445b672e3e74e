// The deploy_course and enrol_user handlers against the sandbox's Moodle simulator over HTTP, each
// delivered more than once the way the job runtime would: after a crash, after a lost answer, after
// a timeout of the slow duplicate_course.

import { isMoodleError, type MoodleClient } from '@vle/integrations';
import type { JobContext, JobHandler, JobInput } from '@vle/messaging';
import { jobContext, jobInput } from '@vle/messaging/testing';
import { startInProcessSandbox, type InProcessSandbox } from '@vle/sandbox/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDeployCourseHandler } from './deploy-course.handler.js';
import { createEnrolUserHandler } from './enrol-user.handler.js';
import type { MoodleJobDeps } from './moodle-jobs.js';

let sandbox: InProcessSandbox;
let moodle: MoodleClient;
let deploy: JobHandler;
let enrol: JobHandler;

beforeAll(async () => {
  sandbox = await startInProcessSandbox();
  // The duplicate (400 ms in the simulator) outlasts the client's 250 ms for it.
  moodle = sandbox.moodleClient({ timeoutMs: 1_000, duplicateTimeoutMs: 250 });
  const deps: MoodleJobDeps = { moodle, template: { id: 2 }, categoryId: 2, studentRoleId: 5, restoreWaitMs: 3_000, pollMs: 20 };
  deploy = createDeployCourseHandler(deps);
  enrol = createEnrolUserHandler(deps);
});

afterAll(async () => {
  await sandbox?.close();
});

beforeEach(async () => {
  await sandbox.moodle('POST', 'reset', { timings: { duplicateCourseMs: 100 } });
});

function job(action: string, params: Record<string, unknown>): JobInput {
  return jobInput('moodle', action, params, { objectType: 'course' });
}

function delivery(attempt: number, signal = new AbortController().signal): JobContext {
  return jobContext({ attempt, signal, object: { type: 'course' } });
}

const deployJob = (shortname = 'EV42') => job('deploy_course', { shortname, fullname: `Lab course ${shortname}` });
const enrolJob = (username: string, courseShortname = 'EV42') => job('enrol_user', { courseShortname, username, firstname: 'Stu', lastname: username, email: `${username}@example.org` });

async function ledger(): Promise<{ entries: Array<{ event: string; shortname?: string; username?: string }>; counts: Record<string, number> }> {
  return sandbox.moodle('GET', 'ledger');
}

async function failure(work: Promise<unknown>): Promise<any> {
  return work.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: unknown) => error,
  );
}

describe('deploy_course', () => {
  it('duplicates the template once; a second delivery finds the course instead of making another', async () => {
    const first = await deploy(deployJob(), delivery(1));
    expect(first).toEqual({ responseCode: 'OK', responseMessage: 'course EV42 (id 3) duplicated from course 2' });
    const again = await deploy(deployJob(), delivery(2));
    expect(again.responseMessage).toBe('course EV42 (id 3) already exists (made by an earlier attempt)');
    expect((await ledger()).counts.coursesCreated).toBe(1);
    expect((await moodle.getCourseByShortname('EV42'))).toMatchObject({ fullname: 'Lab course EV42', categoryid: 2, visible: 1 });
  });

  it('a duplicate that outlasts its timeout is found (restored) instead of made twice', async () => {
    await sandbox.moodle('PUT', 'timings', { duplicateCourseMs: 400 });
    const result = await deploy(deployJob(), delivery(1));
    expect(result.responseMessage).toBe('course EV42 (id 3) duplicated from course 2 (found after timeout)');
    expect((await moodle.getCourseByShortname('EV42'))?.visible).toBe(1);
    expect((await ledger()).counts.coursesCreated).toBe(1);
  });

  it('an attempt that died during the duplicate (crash) leaves a course the next attempt finds and waits for', async () => {
    await sandbox.moodle('PUT', 'timings', { duplicateCourseMs: 300 });
    const crash = new AbortController();
    const first = deploy(deployJob(), delivery(1, crash.signal));
    setTimeout(() => crash.abort(new Error('worker crashed')), 50);
    expect((await failure(first)).message).toBe('worker crashed');
    const second = await deploy(deployJob(), delivery(2));
    expect(second.responseMessage).toBe('course EV42 (id 3) already exists (made by an earlier attempt)');
    expect((await moodle.getCourseByShortname('EV42'))?.visible).toBe(1);
    expect((await ledger()).counts.coursesCreated).toBe(1);
  });

  it('a lost answer (work done, connection dropped) is found by the lookup', async () => {
    await sandbox.moodle('PUT', 'faults', { functions: { core_course_duplicate_course: { timeoutRate: 1, hangMs: 5_000, timeoutMode: 'reset' } } });
    const result = await deploy(deployJob(), delivery(1));
    expect(result.responseMessage).toContain('(found after timeout)');
    expect((await ledger()).counts.coursesCreated).toBe(1);
  });

  it('a 503 is transient and makes nothing; the retry duplicates', async () => {
    await sandbox.moodle('PUT', 'faults', { functions: { core_course_duplicate_course: { errorRate: 1 } } });
    const error = await failure(deploy(deployJob(), delivery(1)));
    expect(error).toMatchObject({ responseCode: 'MOODLE_http_503', permanent: false });
    await sandbox.moodle('DELETE', 'faults');
    expect((await deploy(deployJob(), delivery(2))).responseMessage).toBe('course EV42 (id 3) duplicated from course 2');
  });

  it('a shortname another course uses is a permanent refusal', async () => {
    await sandbox.moodle('POST', 'courses', { shortname: 'EV42', fullname: 'Somebody else\'s course', categoryId: 1 });
    const error = await failure(deploy(deployJob(), delivery(1)));
    expect(error).toMatchObject({ responseCode: 'MOODLE_shortnametaken', permanent: true });
    expect(error.message).toContain('is used by another course');
  });

  it('refuses bad job params at once, asking Moodle nothing', async () => {
    const error = await failure(deploy(job('deploy_course', { shortname: 'EV42', fullname: 'Lab', templateCourseId: 'seven' }), delivery(1)));
    expect(error).toMatchObject({ permanent: true, responseCode: 'INVALID_PARAMS', message: 'invalid job params: params.templateCourseId: Invalid input: expected number, received string' });
    const enrolError = await failure(enrol(job('enrol_user', { courseShortname: 'EV42', username: 'stu' }), delivery(1)));
    expect(enrolError).toMatchObject({ permanent: true, responseCode: 'INVALID_PARAMS' });
    expect(enrolError.message).toBe('invalid job params: params.firstname: Invalid input: expected string, received undefined; params.lastname: Invalid input: expected string, received undefined; params.email: Invalid input: expected string, received undefined');
    expect((await ledger()).entries).toEqual([]);
  });

  it('a template that does not exist fails at once with Moodle\'s invalidrecord', async () => {
    const error = await failure(deploy(job('deploy_course', { shortname: 'EV9', fullname: 'x', templateCourseId: 99 }), delivery(1)));
    expect(isMoodleError(error, 'invalidrecord')).toBe(true);
    expect(error).toMatchObject({ permanent: true, responseCode: 'MOODLE_invalidrecord' });
  });
});

describe('enrol_user', () => {
  beforeEach(async () => {
    await deploy(deployJob(), delivery(1));
  });

  it('creates the user (Moodle makes and mails the password) and enrols as student; twice is harmless', async () => {
    const first = await enrol(enrolJob('ev42-s01'), delivery(1));
    expect(first.responseMessage).toBe('created and enrolled user ev42-s01 (id 3) in course EV42 (id 3) with role 5');
    const again = await enrol(enrolJob('ev42-s01'), delivery(2));
    expect(again.responseMessage).toBe('enrolled user ev42-s01 (id 3) in course EV42 (id 3) with role 5');
    expect((await ledger()).counts).toMatchObject({ usersCreated: 1, enrolments: 1 });
    expect((await moodle.getEnrolledUsers(3)).map((u) => [u.username, u.roles?.map((r) => r.shortname)])).toEqual([['ev42-s01', ['student']]]);
    expect((await sandbox.moodle('GET', 'state')).users.find((u: { username: string }) => u.username === 'ev42-s01').passwordMailed).toBe(true);
  });

  it('finds a user an earlier attempt created whose answer was lost', async () => {
    await sandbox.moodle('PUT', 'faults', { functions: { core_user_create_users: { timeoutRate: 1, hangMs: 5_000, timeoutMode: 'reset' } } });
    const result = await enrol(enrolJob('ev42-s02'), delivery(1));
    expect(result.responseMessage).toBe('enrolled user ev42-s02 (id 3) in course EV42 (id 3) with role 5');
    expect((await ledger()).counts).toMatchObject({ usersCreated: 1, enrolments: 1 });
  });

  it('names the user whose email a new user would share (Moodle says only "Invalid parameter value detected")', async () => {
    await enrol(enrolJob('ev42-s03'), delivery(1));
    const clash = job('enrol_user', { courseShortname: 'EV42', username: 'other', firstname: 'O', lastname: 'T', email: 'ev42-s03@example.org' });
    const error = await failure(enrol(clash, delivery(1)));
    expect(error).toMatchObject({ permanent: true, responseCode: 'MOODLE_invalidparameter' });
    expect(error.message).toContain('belongs to user ev42-s03');
  });

  it('fails at once for a course that does not exist, creating no user', async () => {
    const error = await failure(enrol(enrolJob('ev42-s04', 'NOPE'), delivery(1)));
    expect(error).toMatchObject({ permanent: true, responseCode: 'MOODLE_COURSE_NOT_FOUND' });
    expect((await ledger()).counts.usersCreated).toBe(0);
  });

  it('a course without manual enrolment is Moodle\'s permanent wsnoinstance', async () => {
    await sandbox.moodle('POST', 'courses', { shortname: 'BARE', fullname: 'No manual enrolment', manualEnrol: false });
    const error = await failure(enrol(enrolJob('ev42-s05', 'BARE'), delivery(1)));
    expect(error).toMatchObject({ permanent: true, responseCode: 'MOODLE_wsnoinstance' });
  });
});

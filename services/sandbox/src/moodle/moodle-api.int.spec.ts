// The Moodle simulator over real HTTP: the sandbox in this process on a free port, driven with fetch
// exactly as a Moodle web service client would drive server.php.

import { startInProcessSandbox, type InProcessSandbox } from '../testing/in-process-sandbox.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEV_MOODLE_TOKEN } from '@vle/service-kit';

let sandbox: InProcessSandbox;

beforeAll(async () => {
  sandbox = await startInProcessSandbox();
});

afterAll(async () => {
  await sandbox?.close();
});

beforeEach(async () => {
  await sandbox.moodle('POST', 'reset', { timings: { duplicateCourseMs: 50 } });
});

async function ws(form: Record<string, string>, json = true): Promise<{ status: number; type: string; text: string; body: any }> {
  const response = await fetch(`${sandbox.url}/moodle/webservice/rest/server.php`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ wstoken: DEV_MOODLE_TOKEN, ...(json ? { moodlewsrestformat: 'json' } : {}), ...form }),
  });
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, type: response.headers.get('content-type') ?? '', text, body };
}

const student = (i: number, name = `ev42-s${i}`) => ({ [`users[${i}][username]`]: name, [`users[${i}][firstname]`]: 'Stu', [`users[${i}][lastname]`]: `Dent ${i}`, [`users[${i}][email]`]: `${name}@example.org`, [`users[${i}][createpassword]`]: '1' });

describe('the Moodle simulator over HTTP', () => {
  it('answers a bad token with invalidtoken, HTTP 200, and an unknown function with accessexception', async () => {
    const bad = await ws({ wstoken: 'nope', wsfunction: 'core_course_get_courses_by_field' });
    expect([bad.status, bad.body]).toEqual([200, { exception: 'moodle_exception', errorcode: 'invalidtoken', message: 'Invalid token - token not found' }]);
    const unknown = await ws({ wsfunction: 'core_nope' });
    expect(unknown.body).toMatchObject({ exception: 'webservice_access_exception', errorcode: 'accessexception' });
  });

  it('answers XML unless moodlewsrestformat=json', async () => {
    const ok = await ws({ wsfunction: 'core_course_get_courses_by_field', field: 'shortname', value: 'TPL-LAB' }, false);
    expect(ok.type).toContain('application/xml');
    expect(ok.text).toContain('<RESPONSE>');
    expect(ok.text).toContain('<KEY name="shortname"><VALUE>TPL-LAB</VALUE>');
    const error = await ws({ wstoken: 'nope', wsfunction: 'core_course_get_courses_by_field' }, false);
    expect(error.text).toContain('<EXCEPTION class="moodle_exception">\n<ERRORCODE>invalidtoken</ERRORCODE>');
  });

  it('duplicates the template inside the request; a used shortname is shortnametaken', async () => {
    const form = { wsfunction: 'core_course_duplicate_course', courseid: '2', fullname: 'Lab EV42', shortname: 'EV42', categoryid: '2', 'options[0][name]': 'users', 'options[0][value]': '0' };
    const started = Date.now();
    const made = await ws(form);
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    expect(made.body).toEqual({ id: 3, shortname: 'EV42' });
    const again = await ws(form);
    expect(again.body).toEqual({ exception: 'moodle_exception', errorcode: 'shortnametaken', message: 'Short name is already used for another course (EV42)' });
    const found = await ws({ wsfunction: 'core_course_get_courses_by_field', field: 'shortname', value: 'EV42' });
    expect(found.body.courses).toEqual([expect.objectContaining({ id: 3, shortname: 'EV42', fullname: 'Lab EV42', categoryid: 2, visible: 1 })]);
    const badOption = await ws({ ...form, shortname: 'EV43', 'options[0][name]': 'colour' });
    expect(badOption.body).toMatchObject({ errorcode: 'invalidextparam' });
    expect((await sandbox.moodle('GET', 'ledger')).counts).toEqual({ coursesCreated: 1, coursesDeleted: 0, usersCreated: 0, enrolments: 0 });
  });

  it('creates users in one transaction; a taken username is invalidparameter with the reason only in debug mode', async () => {
    expect((await ws({ wsfunction: 'core_user_create_users', ...student(0) })).body).toEqual([{ id: 3, username: 'ev42-s0' }]);
    const twice = await ws({ wsfunction: 'core_user_create_users', ...student(0, 'ev42-new'), ...student(1, 'ev42-s0') });
    expect(twice.body).toEqual({ exception: 'invalid_parameter_exception', errorcode: 'invalidparameter', message: 'Invalid parameter value detected' });
    await sandbox.moodle('PUT', 'debug', { debug: true });
    const debug = await ws({ wsfunction: 'core_user_create_users', ...student(1, 'ev42-s0') });
    expect(debug.body.debuginfo).toBe('Username already exists: ev42-s0');
    const users = await ws({ wsfunction: 'core_user_get_users_by_field', field: 'username', 'values[0]': 'ev42-s0', 'values[1]': 'ev42-new' });
    expect(users.body.map((u: { username: string }) => u.username)).toEqual(['ev42-s0']); // the transaction left no ev42-new
    expect((await ws({ wsfunction: 'core_user_create_users', 'users[0][username]': 'x' })).body.debuginfo).toContain('Missing required key in single structure: firstname');
  });

  it('enrols with a manual instance (null, twice harmless), refuses without one and with a role it cannot assign', async () => {
    await ws({ wsfunction: 'core_user_create_users', ...student(0) });
    const enrol = { wsfunction: 'enrol_manual_enrol_users', 'enrolments[0][roleid]': '5', 'enrolments[0][userid]': '3', 'enrolments[0][courseid]': '2' };
    expect((await ws(enrol)).text).toBe('null');
    expect((await ws(enrol)).text).toBe('null');
    const enrolled = await ws({ wsfunction: 'core_enrol_get_enrolled_users', courseid: '2' });
    expect(enrolled.body).toEqual([expect.objectContaining({ id: 3, username: 'ev42-s0', roles: [expect.objectContaining({ roleid: 5, shortname: 'student' })] })]);
    expect((await sandbox.moodle('GET', 'ledger')).counts.enrolments).toBe(1);

    const bare = await sandbox.moodle('POST', 'courses', { shortname: 'BARE', fullname: 'No manual enrolment', manualEnrol: false });
    expect((await ws({ ...enrol, 'enrolments[0][courseid]': String(bare.id) })).body).toMatchObject({ errorcode: 'wsnoinstance' });
    expect((await ws({ ...enrol, 'enrolments[0][roleid]': '7' })).body).toMatchObject({ errorcode: 'wsusercannotassign' });
  });

  it('deletes courses; unknown ids are warnings', async () => {
    const made = await ws({ wsfunction: 'core_course_duplicate_course', courseid: '2', fullname: 'Lab', shortname: 'EV1', categoryid: '2' });
    const deleted = await ws({ wsfunction: 'core_course_delete_courses', 'courseids[0]': String(made.body.id), 'courseids[1]': '999' });
    expect(deleted.body).toEqual({ warnings: [{ item: 'course', itemid: 999, warningcode: 'unknowncourseidnumber', message: 'Unknown course ID 999' }] });
    expect((await sandbox.moodle('GET', 'ledger')).counts).toMatchObject({ coursesCreated: 1, coursesDeleted: 1 });
  });

  it('injects a 503 or a transient exception without the work, and a lost answer with the work done', async () => {
    await sandbox.moodle('PUT', 'faults', { functions: { core_course_duplicate_course: { errorRate: 1 } } });
    const form = { wsfunction: 'core_course_duplicate_course', courseid: '2', fullname: 'Lab', shortname: 'EV7', categoryid: '2' };
    expect((await ws(form)).status).toBe(503);
    await sandbox.moodle('PUT', 'faults', { functions: { '*': { errorRate: 1, errorMode: 'exception' } } });
    expect((await ws(form)).body).toMatchObject({ exception: 'dml_write_exception', errorcode: 'dmlwriteexception' });
    expect((await sandbox.moodle('GET', 'ledger')).counts.coursesCreated).toBe(0);

    await sandbox.moodle('PUT', 'faults', { functions: { core_course_duplicate_course: { timeoutRate: 1, hangMs: 100, timeoutMode: 'reset' } } });
    expect(await ws(form).catch((error: unknown) => error)).toBeInstanceOf(Error);
    expect((await sandbox.moodle('GET', 'ledger')).counts.coursesCreated).toBe(1);
  });

  it('validates control bodies and names the field', async () => {
    const bad = await fetch(`${sandbox.url}/_sandbox/moodle/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ functions: { '*': { errorRate: 2 } } }) });
    expect([bad.status, await bad.json()]).toEqual([400, expect.objectContaining({ field: 'functions.*.errorRate' })]);
    expect(await sandbox.moodle('PUT', 'timings', { duplicateCourseMs: 10 })).toEqual({ timings: { duplicateCourseMs: 10 } });
    const info = (await (await fetch(`${sandbox.url}/_sandbox/info`)).json()) as { simulators: unknown[] };
    expect(info.simulators).toContainEqual({ name: 'moodle', baseUrl: `${sandbox.url}/moodle` });
  });
});

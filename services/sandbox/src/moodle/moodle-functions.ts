// The web service functions the simulator answers, by wsfunction: each validates its parameters as
// Moodle's external_function_parameters would, calls the site and shapes the result as the
// function's external_description returns it.

import { invalidParameter, MoodleException } from './moodle-exception.js';
import type { Course, User } from './moodle-model.js';
import { int, structures, text, username, values } from './moodle-params.js';
import type { MoodleSite } from './moodle-site.js';
import type { PhpArray } from './php-params.js';

export interface FunctionContext {
  readonly site: MoodleSite;
  /** How long duplicate_course's backup and restore take, inside the request. */
  readonly duplicateMs: number;
  readonly sleep: (ms: number) => Promise<void>;
}

export type MoodleFunction = (params: PhpArray, context: FunctionContext) => unknown;

const DUPLICATE_OPTIONS = new Set(['activities', 'blocks', 'filters', 'users', 'enrolments', 'role_assignments', 'comments', 'userscompletion', 'logs', 'grade_histories']);

function courseView(site: MoodleSite, c: Course) {
  return {
    id: c.id,
    fullname: c.fullname,
    displayname: c.fullname,
    shortname: c.shortname,
    categoryid: c.categoryid,
    categoryname: site.category(c.categoryid)?.name ?? '',
    format: c.format,
    visible: c.visible,
    idnumber: '',
    timecreated: c.timecreated,
  };
}

function userView(u: User) {
  return { id: u.id, username: u.username, firstname: u.firstname, lastname: u.lastname, fullname: `${u.firstname} ${u.lastname}`, email: u.email, auth: u.auth, suspended: false, confirmed: true, idnumber: u.idnumber };
}

async function duplicateCourse(p: PhpArray, { site, duplicateMs, sleep }: FunctionContext) {
  const courseid = int(p, 'courseid');
  const fullname = text(p, 'fullname');
  const shortname = text(p, 'shortname');
  const categoryid = int(p, 'categoryid');
  const visible = int(p, 'visible', '', 1) === 0 ? 0 : 1;
  for (const { item, path } of structures(p, 'options', false)) {
    const name = text(item, 'name', path);
    const value = text(item, 'value', path);
    if (!DUPLICATE_OPTIONS.has(name) || (value !== '0' && value !== '1')) {
      throw new MoodleException('moodle_exception', 'invalidextparam', `Invalid external api parameter: ${name}`);
    }
  }
  if (fullname.trim() === '' || shortname.trim() === '') throw invalidParameter('fullname and shortname must not be empty');
  const course = site.beginDuplicate({ courseid, fullname, shortname, categoryid });
  // Backup and restore run synchronously inside this request (course/externallib.php).
  await sleep(duplicateMs);
  site.completeDuplicate(course.id, visible);
  return { id: course.id, shortname: course.shortname };
}

function getCoursesByField(p: PhpArray, { site }: FunctionContext) {
  const field = text(p, 'field', '', '');
  const value = text(p, 'value', '', '');
  const courses = site.listCourses();
  const match: Record<string, (c: Course) => boolean> = {
    '': () => true,
    id: (c) => String(c.id) === value,
    ids: (c) => value.split(',').map((v) => v.trim()).includes(String(c.id)),
    shortname: (c) => c.shortname === value,
    idnumber: () => false,
    category: (c) => String(c.categoryid) === value,
  };
  const test = match[field];
  if (!test) throw invalidParameter('Invalid field name');
  if (field !== '' && value === '') throw invalidParameter('When using a field, a value is required');
  return { courses: courses.filter(test).map((c) => courseView(site, c)), warnings: [] };
}

function deleteCourses(p: PhpArray, { site }: FunctionContext) {
  const ids = values(p, 'courseids').map((v, i) => int({ v }, 'v', `courseids[${i}]`));
  return { warnings: site.deleteCourses(ids) };
}

function createUsers(p: PhpArray, { site }: FunctionContext) {
  const users = structures(p, 'users').map(({ item, path }) => ({
    username: username(item, 'username', path),
    password: item.password === undefined ? undefined : text(item, 'password', path),
    createpassword: int(item, 'createpassword', path, 0) === 1,
    firstname: text(item, 'firstname', path),
    lastname: text(item, 'lastname', path),
    email: text(item, 'email', path),
    auth: text(item, 'auth', path, 'manual'),
    idnumber: text(item, 'idnumber', path, ''),
  }));
  return site.createUsers(users).map((u) => ({ id: u.id, username: u.username }));
}

function getUsersByField(p: PhpArray, { site }: FunctionContext) {
  const field = text(p, 'field');
  if (field !== 'id' && field !== 'idnumber' && field !== 'username' && field !== 'email') throw invalidParameter('invalid field parameter');
  // PARAM_USERNAME lower-cases what it is given.
  const wanted = values(p, 'values').map((v) => (field === 'username' ? v.toLowerCase().trim() : v));
  return site.findUsers(field, wanted).map(userView);
}

function enrolUsers(p: PhpArray, { site }: FunctionContext) {
  const enrolments = structures(p, 'enrolments').map(({ item, path }) => ({
    roleid: int(item, 'roleid', path),
    userid: int(item, 'userid', path),
    courseid: int(item, 'courseid', path),
    timestart: int(item, 'timestart', path, 0),
    timeend: int(item, 'timeend', path, 0),
    suspend: int(item, 'suspend', path, 0) === 1 ? (1 as const) : (0 as const),
  }));
  site.enrol(enrolments);
  return null;
}

function getEnrolledUsers(p: PhpArray, { site }: FunctionContext) {
  const courseid = int(p, 'courseid');
  if (!site.course(courseid)) {
    throw new MoodleException('moodle_exception', 'errorcoursecontextnotvalid', `You cannot execute functions in the course context (course id:${courseid}). The error message was: Context does not exist`);
  }
  return site.enrolledUsers(courseid).map(({ user, enrolment }) => {
    const role = site.role(enrolment.roleid);
    return { ...userView(user), roles: role ? [{ roleid: role.id, name: role.name, shortname: role.shortname, sortorder: 0 }] : [] };
  });
}

export const MOODLE_FUNCTIONS: Readonly<Record<string, MoodleFunction>> = {
  core_course_duplicate_course: duplicateCourse,
  core_course_get_courses_by_field: getCoursesByField,
  core_course_delete_courses: deleteCourses,
  core_user_create_users: createUsers,
  core_user_get_users_by_field: getUsersByField,
  enrol_manual_enrol_users: enrolUsers,
  core_enrol_get_enrolled_users: getEnrolledUsers,
};

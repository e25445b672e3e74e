// The simulated Moodle site as plain state: categories, courses, users, roles and manual
// enrolments, with the rules of the web service functions vle-tasks calls (course/externallib.php,
// user/externallib.php, enrol/manual/externallib.php) and a ledger of every side effect, so that
// tests can assert "created exactly once" after retries and lost answers. No HTTP here.

import { invalidParameter, missingRecord, MoodleException } from './moodle-exception.js';
import type { Category, Course, Enrolment, LedgerEntry, Role, User } from './moodle-model.js';

export const SITE_COURSE_ID = 1;
export const TEMPLATE_COURSE = { id: 2, shortname: 'TPL-LAB', fullname: 'Lab course template' } as const;
export const LAB_CATEGORY_ID = 2;
export const STUDENT_ROLE_ID = 5;

const ROLES: readonly Role[] = [
  { id: 1, shortname: 'manager', name: 'Manager', assignable: true },
  { id: 2, shortname: 'coursecreator', name: 'Course creator', assignable: false },
  { id: 3, shortname: 'editingteacher', name: 'Teacher', assignable: true },
  { id: 4, shortname: 'teacher', name: 'Non-editing teacher', assignable: true },
  { id: 5, shortname: 'student', name: 'Student', assignable: true },
  { id: 6, shortname: 'guest', name: 'Guest', assignable: false },
  { id: 7, shortname: 'user', name: 'Authenticated user', assignable: false },
];

const AUTH_PLUGINS = new Set(['manual', 'nologin', 'email']);

export interface NewUser {
  readonly username: string;
  readonly firstname: string;
  readonly lastname: string;
  readonly email: string;
  readonly auth: string;
  readonly idnumber: string;
  readonly password?: string;
  readonly createpassword: boolean;
}

export interface NewEnrolment {
  readonly roleid: number;
  readonly userid: number;
  readonly courseid: number;
  readonly timestart: number;
  readonly timeend: number;
  readonly suspend: 0 | 1;
}

export class MoodleSite {
  private categories = new Map<number, Category>();
  private courses = new Map<number, Course>();
  private users = new Map<number, User>();
  private enrolments: Enrolment[] = [];
  private ledgerEntries: LedgerEntry[] = [];
  private nextCourseId = 0;
  private nextUserId = 0;

  constructor(private readonly now: () => number = Date.now) {
    this.restoreSeed();
  }

  /** The seed: site course 1, template course 2 `TPL-LAB` (manual enrolment), categories 1 and 2, guest and admin. */
  restoreSeed(): void {
    const t = Math.floor(this.now() / 1000);
    this.categories = new Map([
      [1, { id: 1, name: 'Miscellaneous', parent: 0 }],
      [LAB_CATEGORY_ID, { id: LAB_CATEGORY_ID, name: 'Lab events', parent: 0 }],
    ]);
    this.courses = new Map([
      [SITE_COURSE_ID, { id: SITE_COURSE_ID, shortname: 'vle', fullname: 'OpenVLE', categoryid: 0, visible: 1, format: 'site', timecreated: t, manualEnrol: false, restoring: false }],
      [TEMPLATE_COURSE.id, { ...TEMPLATE_COURSE, categoryid: 1, visible: 1, format: 'topics', timecreated: t, manualEnrol: true, restoring: false }],
    ]);
    this.users = new Map([
      [1, { id: 1, username: 'guest', firstname: 'Guest user', lastname: ' ', email: 'root@localhost', auth: 'manual', idnumber: '', passwordMailed: false, timecreated: t }],
      [2, { id: 2, username: 'admin', firstname: 'Admin', lastname: 'User', email: 'admin@example.org', auth: 'manual', idnumber: '', passwordMailed: false, timecreated: t }],
    ]);
    this.enrolments = [];
    this.ledgerEntries = [];
    this.nextCourseId = 3;
    this.nextUserId = 3;
  }

  // ---- courses ----

  course(id: number): Course | undefined {
    return this.courses.get(id);
  }

  category(id: number): Category | undefined {
    return this.categories.get(id);
  }

  /** Every course but the site course (get_courses_by_field leaves it out). */
  listCourses(): Course[] {
    return [...this.courses.values()].filter((c) => c.id !== SITE_COURSE_ID);
  }

  /**
   * The first half of core_course_duplicate_course: the checks, then the new course's record, hidden,
   * as restore_dbops::create_new_course makes it before the restore runs (so its shortname is taken
   * from here on). `completeDuplicate` is the end of the restore.
   */
  beginDuplicate(p: { courseid: number; fullname: string; shortname: string; categoryid: number }): Course {
    const source = this.courses.get(p.courseid);
    if (!source || p.courseid === SITE_COURSE_ID) throw missingRecord('course');
    if (!this.categories.has(p.categoryid)) throw new MoodleException('moodle_exception', 'unknowncategory', 'Course category ID does not exist', `Category id ${p.categoryid}`);
    this.requireFreeShortname(p.shortname);
    return this.insertCourse({ shortname: p.shortname, fullname: p.fullname, categoryid: p.categoryid, visible: 0, manualEnrol: false, restoring: true, sourceCourseId: source.id });
  }

  /** The restore is done: the template's manual enrolment instance comes with it; then `visible` applies. */
  completeDuplicate(courseId: number, visible: 0 | 1): Course | undefined {
    const course = this.courses.get(courseId);
    if (!course) return undefined; // deleted while it was restored
    const source = course.sourceCourseId === undefined ? undefined : this.courses.get(course.sourceCourseId);
    course.manualEnrol = source?.manualEnrol ?? true;
    course.visible = visible;
    course.restoring = false;
    return course;
  }

  /** A course made by hand (control API), e.g. one without a manual enrolment instance. */
  addCourse(p: { shortname: string; fullname: string; categoryid: number; manualEnrol: boolean; visible: 0 | 1 }): Course {
    if (!this.categories.has(p.categoryid)) throw new Error(`no category ${p.categoryid}`);
    this.requireFreeShortname(p.shortname);
    return this.insertCourse({ ...p, restoring: false }, false);
  }

  /** core_course_delete_courses: unknown ids come back as warnings, not exceptions. */
  deleteCourses(ids: readonly number[]): Array<{ item: string; itemid: number; warningcode: string; message: string }> {
    const warnings = [];
    for (const id of ids) {
      const course = this.courses.get(id);
      if (!course || id === SITE_COURSE_ID) {
        warnings.push({ item: 'course', itemid: id, warningcode: 'unknowncourseidnumber', message: `Unknown course ID ${id}` });
        continue;
      }
      this.courses.delete(id);
      this.enrolments = this.enrolments.filter((e) => e.courseid !== id);
      this.record({ event: 'course_deleted', courseId: id, shortname: course.shortname, fullname: course.fullname });
    }
    return warnings;
  }

  private requireFreeShortname(shortname: string): void {
    if ([...this.courses.values()].some((c) => c.shortname === shortname)) {
      throw new MoodleException('moodle_exception', 'shortnametaken', `Short name is already used for another course (${shortname})`);
    }
  }

  private insertCourse(p: Omit<Course, 'id' | 'format' | 'timecreated'>, ledger = true): Course {
    const course: Course = { ...p, id: this.nextCourseId++, format: 'topics', timecreated: Math.floor(this.now() / 1000) };
    this.courses.set(course.id, course);
    if (ledger) this.record({ event: 'course_created', courseId: course.id, shortname: course.shortname, fullname: course.fullname, sourceCourseId: course.sourceCourseId });
    return course;
  }

  // ---- users ----

  findUsers(field: 'id' | 'idnumber' | 'username' | 'email', values: readonly string[]): User[] {
    const wanted = new Set(values.map((v) => (field === 'email' ? v.toLowerCase() : v)));
    return [...this.users.values()].filter((u) => {
      const value = field === 'id' ? String(u.id) : field === 'email' ? u.email.toLowerCase() : u[field];
      return value !== '' && wanted.has(value);
    });
  }

  /** core_user_create_users: one transaction; the reasons are invalid_parameter_exception debuginfo. */
  createUsers(users: readonly NewUser[]): User[] {
    const created: User[] = [];
    const taken = (check: (u: User) => boolean) => [...this.users.values(), ...created].some(check);
    for (const u of users) {
      if (!AUTH_PLUGINS.has(u.auth)) throw invalidParameter(`Invalid authentication type: ${u.auth}`);
      if (taken((x) => x.username === u.username)) throw invalidParameter(`Username already exists: ${u.username}`);
      if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(u.email)) throw invalidParameter(`Email address is invalid: ${u.email}`);
      if (taken((x) => x.email.toLowerCase() === u.email.toLowerCase())) throw invalidParameter(`Email address already exists: ${u.email}`);
      if (!u.createpassword && !u.password) throw invalidParameter('Invalid password: you must provide a password, or set createpassword.');
      const { password: _password, createpassword, ...fields } = u;
      created.push({ ...fields, id: this.nextUserId + created.length, passwordMailed: createpassword, timecreated: Math.floor(this.now() / 1000) });
    }
    for (const user of created) {
      this.users.set(user.id, user);
      this.record({ event: 'user_created', userId: user.id, username: user.username });
    }
    this.nextUserId += created.length;
    return created;
  }

  // ---- enrolments ----

  role(id: number): Role | undefined {
    return ROLES.find((r) => r.id === id);
  }

  /** enrol_manual_enrol_users: one transaction; re-enrolling updates the enrolment, harmlessly. */
  enrol(enrolments: readonly NewEnrolment[]): void {
    for (const e of enrolments) {
      const course = this.courses.get(e.courseid);
      if (!course) throw invalidParameter('Context does not exist');
      const params = `(${e.roleid}) to this user (${e.userid}) in this course(${e.courseid})`;
      if (!this.role(e.roleid)?.assignable) throw new MoodleException('moodle_exception', 'wsusercannotassign', `You don't have the permission to assign this role ${params}.`);
      if (!course.manualEnrol) {
        throw new MoodleException('moodle_exception', 'wsnoinstance', `Manual enrolment plugin instance doesn't exist or is disabled for the course (id = ${e.courseid})`);
      }
      if (!this.users.has(e.userid)) throw missingRecord('user');
    }
    for (const e of enrolments) {
      const existing = this.enrolments.find((x) => x.courseid === e.courseid && x.userid === e.userid);
      if (existing) {
        Object.assign(existing, { roleid: e.roleid, timestart: e.timestart, timeend: e.timeend, suspend: e.suspend });
        continue;
      }
      this.enrolments.push({ ...e });
      this.record({ event: 'user_enrolled', courseId: e.courseid, shortname: this.courses.get(e.courseid)!.shortname, userId: e.userid, username: this.users.get(e.userid)!.username, roleId: e.roleid });
    }
  }

  enrolledUsers(courseId: number): Array<{ user: User; enrolment: Enrolment }> {
    return this.enrolments.filter((e) => e.courseid === courseId).map((enrolment) => ({ user: this.users.get(enrolment.userid)!, enrolment }));
  }

  // ---- inspection ----

  state() {
    return {
      categories: [...this.categories.values()],
      courses: [...this.courses.values()].map((c) => ({ ...c })),
      users: [...this.users.values()].map(({ id, username, firstname, lastname, email, auth, passwordMailed }) => ({ id, username, firstname, lastname, email, auth, passwordMailed })),
      enrolments: this.enrolments.map((e) => ({ ...e })),
      roles: ROLES,
    };
  }

  ledger() {
    const count = (event: LedgerEntry['event']) => this.ledgerEntries.filter((e) => e.event === event).length;
    return {
      entries: [...this.ledgerEntries],
      counts: { coursesCreated: count('course_created'), coursesDeleted: count('course_deleted'), usersCreated: count('user_created'), enrolments: count('user_enrolled') },
    };
  }

  private record(entry: Omit<LedgerEntry, 'at'>): void {
    this.ledgerEntries.push({ ...entry, at: new Date(this.now()).toISOString() });
  }
}

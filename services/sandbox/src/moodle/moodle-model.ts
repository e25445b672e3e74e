// The records the simulated Moodle site keeps: the tables its web service functions read and write.

export interface Category {
  readonly id: number;
  readonly name: string;
  readonly parent: number;
}

export interface Course {
  readonly id: number;
  shortname: string;
  fullname: string;
  categoryid: number;
  /** 0 while duplicate_course restores into it (restore_dbops::create_new_course makes it hidden). */
  visible: 0 | 1;
  readonly format: string;
  readonly timecreated: number;
  /** Whether a manual enrolment instance exists (enrol_manual_enrol_users needs one: `wsnoinstance`). */
  manualEnrol: boolean;
  /** A duplicate_course is still restoring into it. */
  restoring: boolean;
  readonly sourceCourseId?: number;
}

export interface User {
  readonly id: number;
  readonly username: string;
  readonly firstname: string;
  readonly lastname: string;
  readonly email: string;
  readonly auth: string;
  readonly idnumber: string;
  /** createpassword=1: Moodle generates a password and mails it; the simulator only notes it. */
  readonly passwordMailed: boolean;
  readonly timecreated: number;
}

export interface Enrolment {
  readonly courseid: number;
  readonly userid: number;
  roleid: number;
  timestart: number;
  timeend: number;
  suspend: 0 | 1;
}

export interface Role {
  readonly id: number;
  readonly shortname: string;
  readonly name: string;
  /** Assignable in a course by the web service user (get_assignable_roles). */
  readonly assignable: boolean;
}

export type LedgerEvent = 'course_created' | 'course_deleted' | 'user_created' | 'user_enrolled';

export interface LedgerEntry {
  readonly event: LedgerEvent;
  readonly courseId?: number;
  readonly shortname?: string;
  readonly fullname?: string;
  readonly sourceCourseId?: number;
  readonly userId?: number;
  readonly username?: string;
  readonly roleId?: number;
  /** ISO 8601. */
  readonly at: string;
}

// What the Moodle functions vle-tasks calls take and return (their external_description in
// course/externallib.php, user/externallib.php, enrol/externallib.php), as far as we read them.

export interface MoodleCourse {
  readonly id: number;
  readonly shortname: string;
  readonly fullname: string;
  readonly displayname?: string;
  readonly categoryid: number;
  readonly categoryname?: string;
  /** 0 while duplicate_course still restores into it, or when hidden. */
  readonly visible: number;
  readonly idnumber?: string;
  readonly format?: string;
}

export interface MoodleUser {
  readonly id: number;
  readonly username: string;
  readonly firstname?: string;
  readonly lastname?: string;
  readonly fullname?: string;
  readonly email?: string;
  readonly auth?: string;
  readonly suspended?: boolean;
  readonly idnumber?: string;
}

export interface MoodleEnrolledUser extends MoodleUser {
  readonly roles?: ReadonlyArray<{ readonly roleid: number; readonly name?: string; readonly shortname: string }>;
}

export interface MoodleWarning {
  readonly item?: string;
  readonly itemid?: number;
  readonly warningcode: string;
  readonly message: string;
}

/** The options of core_course_duplicate_course (each 0/1 in Moodle). */
export type DuplicateOption = 'activities' | 'blocks' | 'filters' | 'users' | 'enrolments' | 'role_assignments' | 'comments' | 'userscompletion' | 'logs' | 'grade_histories';

export interface DuplicateCourseRequest {
  readonly courseId: number;
  readonly fullname: string;
  readonly shortname: string;
  readonly categoryId: number;
  /** Default true. */
  readonly visible?: boolean;
  readonly options?: Partial<Record<DuplicateOption, boolean>>;
}

export interface NewMoodleUser {
  readonly username: string;
  readonly firstname: string;
  readonly lastname: string;
  readonly email: string;
  /** Default `manual`. */
  readonly auth?: string;
  readonly idnumber?: string;
  /** A known password, derived at run time; never from a job's params. */
  readonly password?: string;
  /** Moodle generates the password and mails it to the user (the default when no password is given). */
  readonly createpassword?: boolean;
}

export interface MoodleEnrolment {
  readonly roleId: number;
  readonly userId: number;
  readonly courseId: number;
  /** Unix seconds. */
  readonly timestart?: number;
  readonly timeend?: number;
  readonly suspend?: boolean;
}

export type UserField = 'id' | 'idnumber' | 'username' | 'email';

export interface MoodleCallOptions {
  readonly signal?: AbortSignal;
  /** Overrides the client's timeout for this call. */
  readonly timeoutMs?: number;
}

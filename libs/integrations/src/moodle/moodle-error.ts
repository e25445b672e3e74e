// Errors of the Moodle web service client. Moodle answers its own errors with HTTP 200 and
// `{exception, errorcode, message[, debuginfo]}` (reference §3), so the errorcode, not the status,
// decides whether asking again can help. The job runtime reads `permanent` and `responseCode` by
// shape, without importing this library.

import type { JobFailure } from '@vle/domain';

export type MoodleErrorKind =
  /** Moodle answered with an exception (HTTP 200). */
  | 'exception'
  /** The web server answered a status other than 200 (a 503 of a proxy, a 404 of a wrong URL). */
  | 'http'
  /** HTTP 200 with something that is not Moodle's JSON (a maintenance page). */
  | 'malformed'
  /** No answer in time. Ambiguous for a write: Moodle may have done (or still be doing) the work. */
  | 'timeout'
  /** No HTTP answer: connection refused or reset, DNS. */
  | 'network';

/**
 * Errorcodes that come back the same however often we ask (reference §3, plus the codes the same
 * functions throw for a missing record, category or enrolment instance, and a bad option).
 * Anything else Moodle throws (dmlwriteexception, a deadlock, ...) is retried within the queue's bound.
 */
export const PERMANENT_MOODLE_ERRORCODES: ReadonlySet<string> = new Set([
  'invalidtoken',
  'accessexception',
  'invalidparameter',
  'shortnametaken',
  'invalidcourseid',
  'wsusercannotassign',
  'invalidrecord',
  'unknowncategory',
  'wsnoinstance',
  'invalidextparam',
  'nopermissions',
  'errorcoursecontextnotvalid',
  'servicerequireslogin',
  'usernotfullysetup',
]);

/** Whether an HTTP status other than 200 is worth another try: 5xx, 408, 429; not a 404 of a wrong URL. */
export function isTransientStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}

export interface MoodleErrorInit {
  readonly kind: MoodleErrorKind;
  readonly wsfunction: string;
  readonly message: string;
  /** HTTP status; 0 when no HTTP answer arrived. */
  readonly status: number;
  readonly errorcode?: string;
  readonly exception?: string;
  readonly debuginfo?: string;
}

/** Anything Moodle refused or could not be asked. Carries no token. */
export class MoodleError extends Error implements JobFailure {
  declare readonly name: string;
  readonly kind: MoodleErrorKind;
  readonly wsfunction: string;
  readonly status: number;
  /** Moodle's errorcode (`shortnametaken`), or for the other kinds: `http_<status>`, `timeout`, `network`, `malformed`. */
  readonly errorcode: string;
  readonly exception?: string;
  /** Only when the site runs with debugging on; the one place that says why an invalidparameter was refused. */
  readonly debuginfo?: string;
  readonly transient: boolean;
  /** `!transient`, read by the job runtime's `isPermanent`. */
  readonly permanent: boolean;
  /** `MOODLE_<errorcode>`, read by `responseCodeOf`. */
  readonly responseCode: string;

  constructor(init: MoodleErrorInit) {
    // invalid_parameter_exception's message never says why: the reason becomes part of the message,
    // which is what a SubTask records as Moodle's answer.
    super(init.debuginfo ? `${init.message} (${init.debuginfo})` : init.message);
    this.kind = init.kind;
    this.wsfunction = init.wsfunction;
    this.status = init.status;
    this.errorcode = init.errorcode ?? codeOf(init);
    if (init.exception !== undefined) this.exception = init.exception;
    if (init.debuginfo !== undefined) this.debuginfo = init.debuginfo;
    this.transient = isTransient(init.kind, this.errorcode, init.status);
    this.permanent = !this.transient;
    this.responseCode = `MOODLE_${this.errorcode}`;
  }

  toJSON(): Record<string, unknown> {
    const { name, message, kind, wsfunction, status, errorcode, exception, debuginfo, transient, permanent, responseCode } = this;
    return { name, message, kind, wsfunction, status, errorcode, exception, debuginfo, transient, permanent, responseCode };
  }
}

// On the prototype, so that the stack captured in the constructor already starts with the name.
Object.defineProperty(MoodleError.prototype, 'name', { value: 'MoodleError', writable: true, configurable: true });

function codeOf(init: MoodleErrorInit): string {
  if (init.kind === 'http') return `http_${init.status}`;
  return init.kind;
}

function isTransient(kind: MoodleErrorKind, errorcode: string, status: number): boolean {
  switch (kind) {
    case 'exception':
      return !PERMANENT_MOODLE_ERRORCODES.has(errorcode);
    case 'http':
      return isTransientStatus(status);
    case 'malformed':
    case 'timeout':
    case 'network':
      return true;
  }
}

export function isMoodleError(error: unknown, errorcode?: string): error is MoodleError {
  return error instanceof MoodleError && (errorcode === undefined || error.errorcode === errorcode);
}

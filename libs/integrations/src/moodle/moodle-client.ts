// A thin, typed client of Moodle's REST web services (webservice/rest/server.php). Each method is
// one request. Every answer is checked for `exception`, since Moodle reports errors with HTTP 200.
// Nothing is retried here: a duplicate_course that timed out may have finished (or still be running),
// so whether and how to ask again is the handler's decision.

import http from 'node:http';
import https from 'node:https';
import axios, { type AxiosInstance } from 'axios';
import { MoodleError } from './moodle-error.js';
import { encodeMoodleParams, type MoodleParams } from './moodle-params.js';
import type { DuplicateCourseRequest, MoodleCallOptions, MoodleCourse, MoodleEnrolledUser, MoodleEnrolment, MoodleUser, MoodleWarning, NewMoodleUser, UserField } from './moodle-types.js';
import { instrumentCalls } from '../external-calls.js';

export interface MoodleClientOptions {
  /** The site's URL, e.g. https://moodle.example.org or the sandbox's http://127.0.0.1:3009/moodle. */
  readonly baseUrl: string;
  /** A web service token (Site administration > Server > Web services > Manage tokens). Never logged. */
  readonly token: string;
  /** Per request; default 30 000. */
  readonly timeoutMs?: number;
  /** For core_course_duplicate_course, which backs up and restores inside the request; default 600 000. */
  readonly duplicateTimeoutMs?: number;
  readonly userAgent?: string;
}

export class MoodleClient {
  readonly baseUrl: string;
  readonly #token: string;
  readonly #http: AxiosInstance;
  readonly #httpAgent = new http.Agent({ keepAlive: true });
  readonly #httpsAgent = new https.Agent({ keepAlive: true });
  readonly #timeoutMs: number;
  readonly #duplicateTimeoutMs: number;

  constructor(options: MoodleClientOptions) {
    // The value is not echoed: a token pasted into the wrong variable would end up in a log.
    if (!/^[A-Za-z0-9]+$/.test(options.token)) throw new TypeError('token is empty or not letters and digits');
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#token = options.token;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#duplicateTimeoutMs = options.duplicateTimeoutMs ?? 600_000;
    this.#http = axios.create({
      baseURL: `${this.baseUrl}/webservice/rest/server.php`,
      allowAbsoluteUrls: false,
      headers: { 'User-Agent': options.userAgent ?? 'vle-tasks-moodle-client', Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' },
      httpAgent: this.#httpAgent,
      httpsAgent: this.#httpsAgent,
      // The environment's HTTP(S)_PROXY is not configuration this library may read.
      proxy: false,
      maxRedirects: 0,
      // Every status is read here: Moodle's own errors are 200s, anything else is classified below.
      validateStatus: () => true,
      responseType: 'text',
      transitional: { clarifyTimeoutError: true },
    });
    instrumentCalls(this.#http, 'moodle');
  }

  /** One web service function; resolves to its decoded result or rejects with a MoodleError. */
  async call<T>(wsfunction: string, params: MoodleParams = {}, options: MoodleCallOptions = {}): Promise<T> {
    const body = encodeMoodleParams(params, new URLSearchParams({ wstoken: this.#token, wsfunction, moodlewsrestformat: 'json' }));
    const timeoutMs = options.timeoutMs ?? this.#timeoutMs;
    // One controller per request bounds the whole exchange (axios' timeout is an idle timeout).
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => ((timedOut = true), controller.abort()), timeoutMs);
    const { signal } = options;
    const onAbort = () => controller.abort(signal?.reason);
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const response = await this.#http.request<string>({ method: 'POST', url: '', data: body.toString(), signal: controller.signal });
      return decode<T>(wsfunction, response.status, response.data);
    } catch (error) {
      if (error instanceof MoodleError) throw error;
      if (signal?.aborted) throw signal.reason;
      if (timedOut) throw new MoodleError({ kind: 'timeout', wsfunction, status: 0, message: `${wsfunction}: no answer within ${timeoutMs} ms` });
      // Never keeps the axios error (nor as `cause`): its config holds the body with the token.
      const code = axios.isAxiosError(error) ? (error.code ?? '') : '';
      if (code === 'ETIMEDOUT' || code === 'ECONNABORTED') throw new MoodleError({ kind: 'timeout', wsfunction, status: 0, message: `${wsfunction}: ${code}` });
      throw new MoodleError({ kind: 'network', wsfunction, status: 0, message: `${wsfunction}: ${code || (error instanceof Error ? error.message : 'request failed')}` });
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Backup and restore inside one request (up to `duplicateTimeoutMs`). Throws `shortnametaken` for a used shortname. */
  duplicateCourse(request: DuplicateCourseRequest, options: MoodleCallOptions = {}): Promise<{ id: number; shortname: string }> {
    const { courseId, fullname, shortname, categoryId, visible = true, options: backup = {} } = request;
    return this.call(
      'core_course_duplicate_course',
      { courseid: courseId, fullname, shortname, categoryid: categoryId, visible, options: Object.entries(backup).map(([name, value]) => ({ name, value })) },
      { timeoutMs: this.#duplicateTimeoutMs, ...options },
    );
  }

  async getCoursesByField(field: 'id' | 'ids' | 'shortname' | 'idnumber' | 'category', value: string | number, options?: MoodleCallOptions): Promise<MoodleCourse[]> {
    const result = await this.call<{ courses: MoodleCourse[] }>('core_course_get_courses_by_field', { field, value }, options);
    return result.courses;
  }

  /** The course with this shortname (unique in Moodle), or undefined. */
  async getCourseByShortname(shortname: string, options?: MoodleCallOptions): Promise<MoodleCourse | undefined> {
    return (await this.getCoursesByField('shortname', shortname, options)).find((course) => course.shortname === shortname);
  }

  /** Unknown ids come back as warnings (`unknowncourseidnumber`), not as an error. */
  async deleteCourses(courseIds: readonly number[], options?: MoodleCallOptions): Promise<MoodleWarning[]> {
    const result = await this.call<{ warnings?: MoodleWarning[] }>('core_course_delete_courses', { courseids: courseIds }, options);
    return result.warnings ?? [];
  }

  /** One transaction. An existing username is `invalidparameter`, its reason only in debuginfo: look users up first. */
  createUsers(users: readonly NewMoodleUser[], options?: MoodleCallOptions): Promise<Array<{ id: number; username: string }>> {
    const encoded = users.map((u) => ({
      username: u.username,
      firstname: u.firstname,
      lastname: u.lastname,
      email: u.email,
      auth: u.auth ?? 'manual',
      idnumber: u.idnumber,
      password: u.password,
      createpassword: u.password === undefined ? (u.createpassword ?? true) : u.createpassword,
    }));
    return this.call('core_user_create_users', { users: encoded }, options);
  }

  getUsersByField(field: UserField, values: readonly (string | number)[], options?: MoodleCallOptions): Promise<MoodleUser[]> {
    return this.call('core_user_get_users_by_field', { field, values }, options);
  }

  /** One transaction; enrolling an enrolled user again is harmless. Needs a manual enrolment instance (`wsnoinstance`). */
  async enrolUsers(enrolments: readonly MoodleEnrolment[], options?: MoodleCallOptions): Promise<void> {
    const encoded = enrolments.map((e) => ({ roleid: e.roleId, userid: e.userId, courseid: e.courseId, timestart: e.timestart, timeend: e.timeend, suspend: e.suspend }));
    await this.call<null>('enrol_manual_enrol_users', { enrolments: encoded }, options);
  }

  getEnrolledUsers(courseId: number, options?: MoodleCallOptions): Promise<MoodleEnrolledUser[]> {
    return this.call('core_enrol_get_enrolled_users', { courseid: courseId }, options);
  }

  /** Closes idle keep-alive sockets. */
  close(): void {
    this.#httpAgent.destroy();
    this.#httpsAgent.destroy();
  }

  toJSON(): Record<string, unknown> {
    return { baseUrl: this.baseUrl };
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `MoodleClient { baseUrl: '${this.baseUrl}' }`;
  }
}

/** The result of an answer, or the MoodleError it holds: an `exception` in a 200, a status, or no JSON. */
function decode<T>(wsfunction: string, status: number, text: string): T {
  let body: unknown;
  try {
    body = text.trim() === '' ? undefined : JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (isRecord(body) && typeof body.exception === 'string') {
    return raise({
      kind: 'exception',
      wsfunction,
      status,
      errorcode: typeof body.errorcode === 'string' && body.errorcode !== '' ? body.errorcode : body.exception,
      exception: body.exception,
      message: typeof body.message === 'string' ? body.message : body.exception,
      debuginfo: typeof body.debuginfo === 'string' ? body.debuginfo : undefined,
    });
  }
  if (status !== 200) return raise({ kind: 'http', wsfunction, status, message: `${wsfunction}: HTTP ${status}` });
  // A function returning nothing answers "null"; an empty or non-JSON 200 is not Moodle's JSON.
  if (body === undefined) {
    return raise({ kind: 'malformed', wsfunction, status, message: `${wsfunction}: the answer is not JSON (${text.trim().slice(0, 60) || 'empty'})` });
  }
  return body as T;
}

function raise(init: ConstructorParameters<typeof MoodleError>[0]): never {
  throw new MoodleError(init);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// The request path of Moodle's REST server (webservice/rest/server.php, webservice/rest/locallib.php):
// read the parameters (GET and POST, PHP array notation), the format (XML unless
// moodlewsrestformat=json), authenticate the token, find the function, run it. Every Moodle error is
// an HTTP 200 with `{exception, errorcode, message[, debuginfo]}`. Then the faults configured for the
// function. No HTTP here: moodle.http.ts writes the outcome.

import { MoodleException } from './moodle-exception.js';
import type { MoodleFaults } from './moodle-faults.js';
import { MOODLE_FUNCTIONS } from './moodle-functions.js';
import type { MoodleSite } from './moodle-site.js';
import { xmlException, xmlResponse } from './moodle-xml.js';
import { parsePhpForm, type PhpArray } from './php-params.js';

export interface MoodleReply {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

export interface MoodleOutcome {
  /** Undefined: drop the connection instead of answering. */
  readonly reply?: MoodleReply;
  /** Wait this long before answering (or dropping). */
  readonly delayMs: number;
}

export interface MoodleSettings {
  /** How long core_course_duplicate_course takes (backup and restore, inside the request). */
  duplicateCourseMs: number;
  /** Moodle's debugging: error answers carry `debuginfo` (the reason of an invalidparameter). */
  debug: boolean;
}

const READ_BY_SERVER = new Set(['wstoken', 'wsfunction', 'moodlewsrestformat']);

export class MoodleApi {
  constructor(
    private readonly site: MoodleSite,
    private readonly faults: MoodleFaults,
    private readonly tokens: readonly string[],
    readonly settings: MoodleSettings,
  ) {}

  async handle(form: Iterable<readonly [string, string]>): Promise<MoodleOutcome> {
    const params = parsePhpForm(form);
    const json = params.moodlewsrestformat === 'json';
    const answer = (error: MoodleException): MoodleOutcome => ({ reply: this.error(error, json), delayMs: 0 });

    const token = typeof params.wstoken === 'string' ? params.wstoken : '';
    if (!this.tokens.includes(token)) return answer(new MoodleException('moodle_exception', 'invalidtoken', 'Invalid token - token not found'));
    const name = typeof params.wsfunction === 'string' ? params.wsfunction : '';
    const run = Object.hasOwn(MOODLE_FUNCTIONS, name) ? MOODLE_FUNCTIONS[name] : undefined;
    if (!run) {
      return answer(new MoodleException('webservice_access_exception', 'accessexception', 'Access control exception', `Access to the function ${name}() is not allowed. The service linked to the user token does not contain the function.`));
    }

    const fault = this.faults.forRequest(name);
    if (fault.kind === 'error') {
      const reply = fault.mode === 'http'
        ? { status: 503, contentType: 'text/html; charset=iso-8859-1', body: '<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<html><head><title>503 Service Unavailable</title></head><body><h1>Service Unavailable</h1></body></html>\n' }
        : this.error(new MoodleException('dml_write_exception', 'dmlwriteexception', 'Error writing to database', 'Deadlock found when trying to get lock; try restarting transaction'), json);
      return { reply, delayMs: fault.delayMs };
    }

    const args: PhpArray = Object.fromEntries(Object.entries(params).filter(([key]) => !READ_BY_SERVER.has(key)));
    let reply: MoodleReply;
    try {
      const result = await run(args, { site: this.site, duplicateMs: this.settings.duplicateCourseMs, sleep });
      reply = json ? { status: 200, contentType: 'application/json', body: JSON.stringify(result ?? null) } : { status: 200, contentType: 'application/xml; charset=utf-8', body: xmlResponse(result ?? null) };
    } catch (error) {
      const moodle = error instanceof MoodleException ? error : new MoodleException('coding_exception', 'codingerror', 'Coding error detected, it must be fixed by a programmer', String(error));
      reply = this.error(moodle, json);
    }
    if (fault.kind === 'timeout') return { reply: fault.mode === 'hang' ? reply : undefined, delayMs: fault.delayMs + fault.hangMs };
    return { reply, delayMs: fault.delayMs };
  }

  private error(error: MoodleException, json: boolean): MoodleReply {
    return json
      ? { status: 200, contentType: 'application/json', body: JSON.stringify(error.toJSON(this.settings.debug)) }
      : { status: 200, contentType: 'application/xml; charset=utf-8', body: xmlException(error, this.settings.debug) };
  }
}

function sleep(ms: number): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  // A duplicate in progress must not keep the sandbox process alive on shutdown.
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

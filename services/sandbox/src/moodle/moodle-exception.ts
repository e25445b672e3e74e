// A Moodle exception as the REST server reports it (moodle/moodle webservice/rest/locallib.php
// generate_error): always HTTP 200, `{exception, errorcode, message}`, plus `debuginfo` only when the
// site runs with debugging on. The simulator keeps debuginfo and the API drops it unless debug is on.

export class MoodleException extends Error {
  constructor(
    /** The PHP class: moodle_exception, invalid_parameter_exception, webservice_access_exception, ... */
    readonly exception: string,
    readonly errorcode: string,
    message: string,
    readonly debuginfo?: string,
  ) {
    super(message);
  }

  toJSON(debug: boolean): Record<string, string> {
    const body: Record<string, string> = { exception: this.exception, errorcode: this.errorcode, message: this.message };
    if (debug && this.debuginfo !== undefined) body.debuginfo = this.debuginfo;
    return body;
  }
}

/** invalid_parameter_exception: the message never says why; the reason is debuginfo. */
export function invalidParameter(debuginfo: string): MoodleException {
  return new MoodleException('invalid_parameter_exception', 'invalidparameter', 'Invalid parameter value detected', debuginfo);
}

/** dml_missing_record_exception of a MUST_EXIST read. */
export function missingRecord(table: string): MoodleException {
  return new MoodleException('dml_missing_record_exception', 'invalidrecord', `Can't find data record in database table ${table}.`);
}

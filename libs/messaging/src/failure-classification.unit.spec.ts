// How the runtime classifies what a handler throws: by the one failure shape (JobFailure), whoever
// built the error.

import { JobFailureError } from '@vle/domain';
import { describe, expect, it } from 'vitest';
import { isPermanent, PermanentJobError, responseCodeOf } from './job-handler.js';

describe('failure classification', () => {
  it('reads a JobFailure: permanent or not, and its responseCode', () => {
    const permanent = new JobFailureError('shortname EV42 is used by another course', 'MOODLE_shortnametaken', { permanent: true });
    const transient = new JobFailureError('course EV42 is still hidden', 'MOODLE_RESTORING', { permanent: false });
    expect([isPermanent(permanent), responseCodeOf(permanent)]).toEqual([true, 'MOODLE_shortnametaken']);
    expect([isPermanent(transient), responseCodeOf(transient)]).toEqual([false, 'MOODLE_RESTORING']);
    expect(permanent).toBeInstanceOf(Error);
  });

  it('counts PermanentJobError as a permanent JobFailure', () => {
    const error = new PermanentJobError('invalid job params: params.to: Required', 'INVALID_PARAMS');
    expect(error).toBeInstanceOf(JobFailureError);
    expect([isPermanent(error), responseCodeOf(error)]).toEqual([true, 'INVALID_PARAMS']);
  });

  it('retries what is not a JobFailure, under its code when it has one', () => {
    expect([isPermanent(new Error('socket hang up')), responseCodeOf(new Error('socket hang up'))]).toEqual([false, 'ERROR']);
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    expect([isPermanent(refused), responseCodeOf(refused)]).toEqual([false, 'ECONNREFUSED']);
    expect(isPermanent({ permanent: 'yes', responseCode: 'X' })).toBe(false);
  });
});

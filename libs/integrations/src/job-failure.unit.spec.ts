// Every client's error is a JobFailure (the one shape the job runtime classifies): declared, so a
// client that drops `permanent` or `responseCode` no longer compiles instead of being retried forever.

import { isJobFailure, type JobFailure } from '@vle/domain';
import { describe, expect, it } from 'vitest';
import { GuacamoleError } from './guacamole/guacamole-error.js';
import { SmtpError } from './mail/smtp-error.js';
import { MoodleError } from './moodle/moodle-error.js';
import { OpenVleError } from './openvle/openvle-client.js';
import { PveError, PveTaskFailed } from './proxmox/pve-error.js';

describe('client errors', () => {
  it('are JobFailures, permanent exactly when not transient', () => {
    const errors: Array<JobFailure & { transient: boolean }> = [
      new PveError({ status: 400, reason: 'Parameter verification failed.', message: 'name: invalid format', method: 'POST', path: '/nodes/pve1/qemu/9000/clone', kind: 'bad_request', transient: false, responseCode: 'PVE_400' }),
      new PveTaskFailed('UPID:pve1:1:2:3:qmclone:9000:vle@pve!tasks:', 'clone failed', 'GET', '/nodes/pve1/tasks/x/status'),
      new GuacamoleError({ status: 503, message: 'HTTP 503', method: 'GET', path: '/api/session/data/postgresql/users/u', kind: 'unavailable', transient: true, responseCode: 'GUAC_503' }),
      new MoodleError({ kind: 'exception', wsfunction: 'core_course_duplicate_course', status: 200, message: 'Short name is already in use', errorcode: 'shortnametaken' }),
      new SmtpError({ message: 'Mailbox unavailable', code: 'EENVELOPE', replyCode: 550 }),
      new OpenVleError('event 404 not found', 404, '/api/v1/events/404/'),
    ];
    expect(errors.map((e) => [e.constructor.name, isJobFailure(e), e.permanent === !e.transient])).toEqual(errors.map((e) => [e.constructor.name, true, true]));
    expect(errors.map((e) => e.permanent)).toEqual([true, false, false, true, true, true]);
    expect(errors.map((e) => e.responseCode)).toEqual(['PVE_400', 'PVE_TASK', 'GUAC_503', 'MOODLE_shortnametaken', 'SMTP_550', 'OPENVLE_404']);
  });
});

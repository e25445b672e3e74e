import { describe, expect, it } from 'vitest';
import { classifyGuacamoleError, GuacamoleError } from './guacamole-error.js';

describe('classifyGuacamoleError', () => {
  it.each([
    [400, 'BAD_REQUEST', 'User "ev42-s07" already exists.', 'exists', false],
    [400, 'BAD_REQUEST', 'The connection "ev42-s07-rdp" already exists.', 'exists', false],
    [400, 'BAD_REQUEST', 'Connection names must not be blank.', 'bad_request', false],
    [404, 'NOT_FOUND', 'Not found: "57"', 'not_found', false],
    [409, 'BAD_REQUEST', 'conflict', 'conflict', false],
    [403, 'INVALID_CREDENTIALS', 'Invalid login.', 'auth', false],
    [403, 'PERMISSION_DENIED', 'Permission Denied.', 'permission', false],
    [500, 'INTERNAL_ERROR', 'Unexpected internal error.', 'unavailable', true],
    [503, undefined, 'HTTP 503 Service Unavailable', 'unavailable', true],
    [429, undefined, 'HTTP 429', 'unavailable', true],
    [418, undefined, 'HTTP 418', 'unknown', false],
  ])('%i %s "%s" is %s (transient: %s)', (status, type, message, kind, transient) => {
    expect(classifyGuacamoleError(status, type, message)).toEqual({ kind, transient });
  });
});

describe('GuacamoleError.fromResponse', () => {
  it('takes the APIError message and type, and answers GUAC_<status>', () => {
    const error = GuacamoleError.fromResponse('POST', '/api/session/data/postgresql/users', 400, 'Bad Request', { message: 'User "x" already exists.', type: 'BAD_REQUEST' });
    expect(error).toMatchObject({ name: 'GuacamoleError', status: 400, type: 'BAD_REQUEST', message: 'User "x" already exists.', kind: 'exists', permanent: true, transient: false, responseCode: 'GUAC_400' });
    expect(JSON.parse(JSON.stringify(error))).toMatchObject({ responseCode: 'GUAC_400', path: '/api/session/data/postgresql/users' });
  });

  it('names the status of a proxy\'s HTML page', () => {
    const error = GuacamoleError.fromResponse('GET', '/api/session/data/postgresql/users', 503, 'Service Unavailable', '<html>down</html>');
    expect(error).toMatchObject({ message: 'HTTP 503 Service Unavailable', kind: 'unavailable', transient: true, permanent: false, responseCode: 'GUAC_503' });
  });
});

import { ConnectionError, PermissionError, SearchQueryError, AuthenticationError, ValidationError } from '@openvle/tasks-client';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../usage-error.js';
import { describeError, markPosition } from './error-report.js';
import { colorsOf } from './style.js';

const plain = colorsOf(false);

describe('describeError', () => {
  it("gives the API's message, code and status, and each field it named", () => {
    const error = new ValidationError('DAG_CYCLE', 'the dependencies form a cycle: a -> b -> a', { status: 400, violations: [{ field: 'subtasks[0].dependsOn', message: 'the dependencies form a cycle: a -> b -> a' }] });
    expect(describeError(error, plain)).toBe('error: the dependencies form a cycle: a -> b -> a [DAG_CYCLE, HTTP 400]\n  subtasks[0].dependsOn: the dependencies form a cycle: a -> b -> a');
  });

  it('marks the position of a search error under the query', () => {
    const message = 'column 10: "done" is not a status (one of planning, scheduled, …)';
    const error = new SearchQueryError('VALIDATION_FAILED', message, { status: 400, violations: [{ field: 'q', message, position: 9 }] });
    expect(describeError(error, plain, { query: 'status = done' }).split('\n')).toEqual([`error: ${message} [VALIDATION_FAILED, HTTP 400]`, `  q: ${message}`, '  status = done', '           ^']);
  });

  it('says what to check when vle-tasks cannot be reached or the token is refused', () => {
    expect(describeError(new ConnectionError('CONNECTION_FAILED', 'GET /api/v1/tasks failed: ECONNREFUSED'), plain, { baseUrl: 'http://127.0.0.1:3002' })).toBe(
      'error: GET /api/v1/tasks failed: ECONNREFUSED [CONNECTION_FAILED]\nis vle-tasks running at http://127.0.0.1:3002? (--url or VLE_TASKS_URL)',
    );
    expect(describeError(new AuthenticationError('UNAUTHENTICATED', 'the token has expired', { status: 401 }), plain)).toContain('the token was refused: check --token-file, VLE_TASKS_TOKEN or --token');
    expect(describeError(new PermissionError('FORBIDDEN', 'the token lacks the permission tasks_cancel', { status: 403 }), plain)).toBe('error: the token lacks the permission tasks_cancel [FORBIDDEN, HTTP 403]');
  });

  it('gives a usage error as it is, and a fault of the CLI with its stack', () => {
    expect(describeError(new UsageError('no token: …'), plain)).toBe('error: no token: …');
    const fault = describeError(new TypeError('x is undefined'), plain);
    expect(fault).toMatch(/^error: TypeError: x is undefined\n\s+at /);
    expect(fault).toContain('please report it');
  });
});

describe('markPosition', () => {
  it('marks the line of a many-line query that holds the position, counting wide characters', () => {
    expect(markPosition('name ~ x\nand statu = 1', 13, plain)).toEqual(['  and statu = 1', '      ^']);
    expect(markPosition('name ~ "日本" and x', 14, plain)).toEqual(['  name ~ "日本" and x', `  ${' '.repeat(16)}^`]);
    expect(markPosition('status', 99, plain)).toEqual(['  status', '        ^']);
  });
});

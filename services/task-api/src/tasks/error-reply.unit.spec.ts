import { CommitTooLarge } from '@vle/event-store';
import { describe, expect, it } from 'vitest';
import { internalError, refusalOf } from './error-reply.js';

describe('refusalOf', () => {
  it('answers a creation too large for one commit with 413 naming the limit, not 503 "retry"', () => {
    const refusal = refusalOf(new CommitTooLarge('0193c0de-0000-7000-8000-000000000000', 2_400_000, 1_048_576));
    expect(refusal?.status).toBe(413);
    expect(refusal?.body.code).toBe('COMMIT_TOO_LARGE');
    expect(refusal?.body.message).toContain('1048576 bytes');
    expect(refusal?.body.violations).toEqual([{ field: 'subtasks', message: expect.stringContaining('fewer SubTasks, dependencies or params') }]);
  });

  it('keeps 503 for what is worth retrying', () => {
    expect(refusalOf(Object.assign(new Error('timeout'), { code: 'TIMEOUT' }))).toBeUndefined();
    expect(internalError(new Error('x')).status).toBe(503);
  });
});

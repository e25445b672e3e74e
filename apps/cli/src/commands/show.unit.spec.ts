import { describe, expect, it } from 'vitest';
import { describeChanges } from './show.js';

describe("an event's changes in the history table", () => {
  it('say which statuses it moved and its own facts, and leave the other fields to --json', () => {
    expect(
      describeChanges({
        task: { status: { from: 'running', to: 'failed' }, progress: { from: 0.5, to: 0.75 } },
        subTask: { status: { from: 'running', to: 'failed' }, attempt: { from: 0, to: 1 } },
        responseCode: 'PVE_500',
        responseMessage: 'storage\nfull',
        permanent: true,
        jobId: 'j-1',
      }),
    ).toBe('task running→failed; status running→failed; PVE_500 "storage full"; permanent true');
    expect(describeChanges({ subTask: { status: { from: 'failed', to: 'skipped' } }, reason: 'done by hand' })).toBe('status failed→skipped; reason "done by hand"');
    expect(describeChanges({ task: { status: { from: null, to: 'queued' } }, name: 'Clone', subtasks: 3 })).toBe('task –→queued');
    expect(describeChanges({})).toBe('');
  });
});

// Following and waiting over a scripted source (the stream's events and the Task's reads), so that
// each order the stream and the reads can come in is pinned down.

import { describe, expect, it } from 'vitest';
import { AuthenticationError, ConnectionError, isTaskWaitTimeoutError, NotFoundError } from './errors.js';
import type { LiveEvent } from './live-stream.js';
import { followTask, waitForTask, type TaskSource } from './task-watch.js';
import type { TaskView } from './types.js';

const view = (version: number, status = 'running'): TaskView => ({ id: 't1', version, status, progress: version / 10 }) as unknown as TaskView;

/** A source whose reads answer `reads` in turn (an Error is thrown) and whose stream yields `events`, then waits for the signal. */
function source(reads: (TaskView | Error)[], events: LiveEvent[]): TaskSource & { readonly readCount: () => number } {
  let n = 0;
  return {
    readCount: () => n,
    async readTask() {
      const answer = reads[Math.min(n++, reads.length - 1)]!;
      if (answer instanceof Error) throw answer;
      return answer;
    },
    async *streamTask(_, options) {
      yield* events;
      await new Promise((_, reject) => options.signal?.addEventListener('abort', () => reject(options.signal?.reason), { once: true }));
    },
  };
}

const ready: LiveEvent = { type: 'ready', id: '1', seq: 1 };
const change = (task: TaskView): LiveEvent => ({ type: 'task', id: String(task.version), task });

async function all(iterable: AsyncIterable<TaskView>): Promise<number[]> {
  const versions: number[] = [];
  for await (const task of iterable) versions.push(task.version);
  return versions;
}

describe('followTask', () => {
  it('reads the Task once the stream is ready, then follows its changes to the end, never going back', async () => {
    const s = source([view(3)], [ready, change(view(2)), change(view(3)), change(view(4)), change(view(5, 'success')), change(view(6, 'warning'))]);
    expect(await all(followTask(s, 't1'))).toEqual([3, 4, 5]);
    expect(s.readCount()).toBe(1);
  });

  it('waits for a Task not projected yet (404) to appear on the stream', async () => {
    const s = source([new NotFoundError('TASK_NOT_FOUND', 'no such Task', { status: 404 })], [ready, change(view(1)), change(view(2, 'failed'))]);
    expect(await all(followTask(s, 't1'))).toEqual([1, 2]);
  });

  it('reads the Task again after a reset and while the stream reconnects (the fallback), and ends when it finished meanwhile', async () => {
    const down = new ConnectionError('CONNECTION_FAILED', 'refused');
    const s = source([view(1), view(2), down, view(7, 'success')], [ready, { type: 'reset', id: '2', seq: 2, reason: 'too many' }, { type: 'reconnecting', id: '2', attempt: 1, delayMs: 10, error: down }, { type: 'reconnecting', id: '2', attempt: 2, delayMs: 20 }]);
    expect(await all(followTask(s, 't1'))).toEqual([1, 2, 7]);
    expect(s.readCount()).toBe(4);
  });

  it('skips the states up to newerThan: the outcome before a command is not taken for its outcome', async () => {
    const s = source([view(5, 'failed')], [ready, change(view(6)), change(view(7)), change(view(9, 'warning'))]);
    expect(await all(followTask(s, 't1', { newerThan: 5 }))).toEqual([6, 7, 9]);
  });

  it('ends with the error of a read that asking again cannot change', async () => {
    const s = source([new AuthenticationError('UNAUTHENTICATED', 'expired', { status: 401 })], [ready]);
    await expect(all(followTask(s, 't1'))).rejects.toBeInstanceOf(AuthenticationError);
  });
});

describe('waitForTask', () => {
  it('answers the finished Task and tells each state on the way', async () => {
    const seen: number[] = [];
    const s = source([view(1)], [ready, change(view(2)), change(view(3, 'success'))]);
    expect(await waitForTask(s, 't1', { onUpdate: (t) => seen.push(t.version) })).toMatchObject({ version: 3, status: 'success' });
    expect(seen).toEqual([1, 2, 3]);
  });

  it('rejects with a TaskWaitTimeoutError holding the Task as last seen', async () => {
    const started = Date.now();
    const error = await waitForTask(source([view(4)], [ready]), 't1', { timeoutMs: 100 }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeGreaterThanOrEqual(95);
    expect(isTaskWaitTimeoutError(error) && error).toMatchObject({ code: 'WAIT_TIMEOUT', taskId: 't1', timeoutMs: 100, lastSeen: { version: 4, status: 'running' } });
    const never = await waitForTask(source([new NotFoundError('TASK_NOT_FOUND', 'no', { status: 404 })], [ready]), 't1', { timeoutMs: 50 }).catch((e: unknown) => e);
    expect(isTaskWaitTimeoutError(never) && never.lastSeen).toBeUndefined();
  });

  it("rejects with the caller's reason on abort, not with a timeout", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('cancelled by the user')), 30);
    await expect(waitForTask(source([view(1)], [ready]), 't1', { signal: controller.signal, timeoutMs: 10_000 })).rejects.toThrow('cancelled by the user');
  });
});

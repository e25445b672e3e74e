import { describe, expect, it } from 'vitest';
import { PveError, PveTaskFailed } from './pve-error.js';
import type { PveTaskStatus } from './pve-types.js';
import { waitForTask, type TaskStatusReader } from './wait-for-task.js';

const UPID = 'UPID:pve1:0003A1F2:01B2C3D4:6650F00D:qmclone:9000:vle@pve!tasks:';
const PATH = '/nodes/pve1/tasks/x/status';
const base = { upid: UPID, node: 'pve1', pid: 1, pstart: 2, starttime: 3, type: 'qmclone', id: '9000', user: 'vle@pve!tasks' };
const running: PveTaskStatus = { ...base, status: 'running' };
const stopped = (exitstatus: string): PveTaskStatus => ({ ...base, status: 'stopped', exitstatus });

/** Answers the given statuses (or throws the given errors) in order, repeating the last. */
function reader(...answers: (PveTaskStatus | Error)[]): TaskStatusReader & { calls: number } {
  const read = Object.assign(
    async () => {
      const answer = answers[Math.min(read.calls++, answers.length - 1)]!;
      if (answer instanceof Error) throw answer;
      return answer;
    },
    { calls: 0 },
  );
  return read;
}

const network = () => new PveError({ status: 0, reason: 'ECONNRESET', message: 'socket hang up', method: 'GET', path: PATH, kind: 'network', transient: true, responseCode: 'PVE_NETWORK' });

describe('waitForTask', () => {
  it('polls until stopped with OK', async () => {
    const read = reader(running, running, stopped('OK'));
    await expect(waitForTask(UPID, read, PATH, { pollMs: 1 })).resolves.toMatchObject({ status: 'stopped', exitstatus: 'OK' });
    expect(read.calls).toBe(3);
  });

  it('treats WARNINGS: N as success', async () => {
    await expect(waitForTask(UPID, reader(stopped('WARNINGS: 2')), PATH, { pollMs: 1 })).resolves.toMatchObject({ exitstatus: 'WARNINGS: 2' });
  });

  it('rejects with PveTaskFailed carrying the exitstatus and the upid', async () => {
    const error = await waitForTask(UPID, reader(running, stopped('VM 4101 already running')), PATH, { pollMs: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PveTaskFailed);
    expect(error).toMatchObject({ message: 'VM 4101 already running', exitstatus: 'VM 4101 already running', upid: UPID, kind: 'already_running', permanent: true, responseCode: 'PVE_TASK' });
  });

  it('rejects with the abort reason, during a poll or between polls', async () => {
    const between = new AbortController();
    const answered: TaskStatusReader = async () => (between.abort(new Error('shutting down')), running);
    const pending = waitForTask(UPID, answered, PATH, { pollMs: 60_000, signal: between.signal });
    await expect(pending).rejects.toThrow('shutting down');

    const during = new AbortController();
    const hanging: TaskStatusReader = (signal) => new Promise((_resolve, reject) => signal!.addEventListener('abort', () => reject(new Error('cancelled by axios'))));
    const waiting = waitForTask(UPID, hanging, PATH, { signal: during.signal });
    during.abort(new Error('job cancelled'));
    await expect(waiting).rejects.toThrow('job cancelled');

    await expect(waitForTask(UPID, reader(running), PATH, { signal: AbortSignal.abort(new Error('already')) })).rejects.toThrow('already');
  });

  it('tolerates a few transient poll failures, then gives up', async () => {
    const flaky = reader(network(), network(), stopped('OK'));
    await expect(waitForTask(UPID, flaky, PATH, { pollMs: 1 })).resolves.toMatchObject({ exitstatus: 'OK' });
    expect(flaky.calls).toBe(3);

    const failing = reader(network());
    await expect(waitForTask(UPID, failing, PATH, { pollMs: 1, maxPollFailures: 3 })).rejects.toMatchObject({ kind: 'network' });
    expect(failing.calls).toBe(4);
  });

  it('does not retry a permanent failure', async () => {
    const denied = PveError.fromResponse('GET', PATH, 403, 'Permission check failed', 'Permission check failed (/nodes/pve1, Sys.Audit)');
    const read = reader(denied, stopped('OK'));
    await expect(waitForTask(UPID, read, PATH, { pollMs: 1 })).rejects.toBe(denied);
    expect(read.calls).toBe(1);
  });

  it('gives up after timeoutMs with a transient timeout', async () => {
    await expect(waitForTask(UPID, reader(running), PATH, { pollMs: 5, timeoutMs: 30 })).rejects.toMatchObject({ kind: 'timeout', transient: true, responseCode: 'PVE_TIMEOUT' });
  });
});

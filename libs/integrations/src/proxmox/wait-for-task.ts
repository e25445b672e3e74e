// Polling a Proxmox task until it stops. Polling is an idempotent GET, so unlike the calls that start
// tasks, a transient failure of one poll is tolerated a few times before it is reported.

import { abortableSleep } from '../abortable-sleep.js';
import { PveError, PveTaskFailed } from './pve-error.js';
import type { PveTaskStatus } from './pve-types.js';
import { isTaskSuccess } from './upid.js';

export interface WaitForTaskOptions {
  /** Aborting rejects with the signal's reason; the task goes on on the server. */
  readonly signal?: AbortSignal;
  /** Default 1000. */
  readonly pollMs?: number;
  /** Give up (kind 'timeout', transient) when the task has not stopped by then; unbounded by default. */
  readonly timeoutMs?: number;
  /** Consecutive transient poll failures tolerated; default 5. */
  readonly maxPollFailures?: number;
}

export type TaskStatusReader = (signal?: AbortSignal) => Promise<PveTaskStatus>;

/** Resolves with the final status when it is OK or WARNINGS: N; rejects with PveTaskFailed otherwise. */
export async function waitForTask(upid: string, readStatus: TaskStatusReader, path: string, options: WaitForTaskOptions = {}): Promise<PveTaskStatus> {
  const { signal, pollMs = 1000, timeoutMs, maxPollFailures = 5 } = options;
  const giveUpAt = timeoutMs === undefined ? Infinity : Date.now() + timeoutMs;
  let failures = 0;
  for (;;) {
    signal?.throwIfAborted();
    let status: PveTaskStatus | undefined;
    try {
      status = await readStatus(signal);
      failures = 0;
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (!(error instanceof PveError && error.transient) || ++failures > maxPollFailures) throw error;
    }
    if (status?.status === 'stopped') {
      if (isTaskSuccess(status.exitstatus)) return status;
      throw new PveTaskFailed(upid, status.exitstatus ?? 'unexpected status', 'GET', path);
    }
    if (Date.now() >= giveUpAt) {
      throw new PveError({ status: 0, reason: 'ETIMEDOUT', message: `task ${upid} still running after ${timeoutMs} ms`, method: 'GET', path, kind: 'timeout', transient: true, responseCode: 'PVE_TIMEOUT' });
    }
    await abortableSleep(pollMs, signal);
  }
}


// Following one Task until it finishes: the live stream narrowed to it (`q=id = "<id>"`) gives each
// change as it is projected; the Task is read once the stream is ready (and again after a `reset`,
// and each time the stream has to reconnect), so a change made before the stream opened, or while it
// was down, is not missed. A Task not found yet (just created, not projected yet) is waited for.

import { ConnectionError, isTasksError, TaskWaitTimeoutError } from './errors.js';
import type { CallOptions } from './http.js';
import type { LiveEvent, LiveStreamOptions } from './live-stream.js';
import { isFinished, type TaskView } from './types.js';

/** What following needs of the client. */
export interface TaskSource {
  readTask(taskId: string, options: CallOptions): Promise<TaskView>;
  streamTask(taskId: string, options: LiveStreamOptions): AsyncIterable<LiveEvent>;
}

/** How to follow: the live stream's options; `timeoutMs` bounds each request (the stream's connection, a read). */
export interface FollowOptions extends LiveStreamOptions {
  /**
   * Only states later than this `version` count: give the version the Task had before a command of
   * yours (a retry of a failed Task), so that its state from before the command, which the read
   * model may still show for a moment, is not taken for the outcome.
   */
  readonly newerThan?: number;
}

export interface WaitOptions extends Omit<FollowOptions, 'timeoutMs'> {
  /** How long to wait for the Task to finish; default 5 minutes, `Infinity` for no limit. */
  readonly timeoutMs?: number;
  /** The bound of each request on the way (the client's timeout by default). */
  readonly requestTimeoutMs?: number;
  /** Each state of the Task as it is seen (a progress bar). */
  readonly onUpdate?: (task: TaskView) => void;
}

export const DEFAULT_WAIT_MS = 5 * 60_000;

/**
 * The Task each time it changes, first as it is now, until it is finished (the last one yielded);
 * never older than the one before (`version`, the events folded into it, only grows) nor than
 * `newerThan`.
 */
export async function* followTask(source: TaskSource, taskId: string, options: FollowOptions = {}): AsyncGenerator<TaskView, void, undefined> {
  let last: TaskView | undefined;
  const floor = options.newerThan ?? -1;
  const newer = (task: TaskView | undefined): task is TaskView => task !== undefined && task.id === taskId && task.version > (last?.version ?? floor);
  const read = async (): Promise<TaskView | undefined> => {
    try {
      return await source.readTask(taskId, { ...(options.signal ? { signal: options.signal } : {}), ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }) });
    } catch (error) {
      // Not projected yet, or the projection is away for a moment: the stream will tell.
      if (isTasksError(error) && (error.kind === 'not_found' || error.kind === 'unavailable' || error.kind === 'connection' || error.kind === 'timeout')) return undefined;
      throw error;
    }
  };
  for await (const event of source.streamTask(taskId, options)) {
    const task = event.type === 'task' ? event.task : event.type === 'ready' || event.type === 'reset' || event.type === 'reconnecting' ? await read() : undefined;
    if (!newer(task)) continue;
    last = task;
    yield task;
    if (isFinished(task)) return;
  }
}

/** The Task once it is finished, or a TaskWaitTimeoutError (with the Task as last seen) when it takes longer than `timeoutMs`. */
export async function waitForTask(source: TaskSource, taskId: string, options: WaitOptions = {}): Promise<TaskView> {
  const { timeoutMs = DEFAULT_WAIT_MS, requestTimeoutMs, onUpdate, signal, ...follow } = options;
  signal?.throwIfAborted();
  const controller = new AbortController();
  const onAbort = () => controller.abort(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  let timedOut = false;
  const timer = Number.isFinite(timeoutMs)
    ? setTimeout(() => {
        timedOut = true;
        controller.abort();
      }, timeoutMs)
    : undefined;
  let last: TaskView | undefined;
  try {
    for await (const task of followTask(source, taskId, { ...follow, ...(requestTimeoutMs === undefined ? {} : { timeoutMs: requestTimeoutMs }), signal: controller.signal })) {
      last = task;
      onUpdate?.(task);
      if (isFinished(task)) return task;
    }
    throw new ConnectionError('STREAM_ENDED', `the live stream of Task ${taskId} ended before the Task finished (reconnect: false)`);
  } catch (error) {
    if (timedOut) throw new TaskWaitTimeoutError(taskId, timeoutMs, last);
    throw error;
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}

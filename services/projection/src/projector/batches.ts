// Groups a stream of items into batches: up to `maxSize` items, or whatever arrived within `maxWaitMs`
// of the first one. The projector's throughput comes from here (one transaction per batch), its
// latency bound too (a lone commit waits at most maxWaitMs).

export interface BatchOptions {
  readonly maxSize: number;
  readonly maxWaitMs: number;
}

const TIMEOUT = Symbol('timeout');

export async function* batches<T>(source: AsyncIterable<T>, options: BatchOptions): AsyncGenerator<T[]> {
  const iterator = source[Symbol.asyncIterator]();
  // A next() that lost the race against the timer is kept for the following batch, never dropped.
  let pending: Promise<IteratorResult<T>> | undefined;
  try {
    for (;;) {
      const first = await (pending ?? iterator.next());
      pending = undefined;
      if (first.done) return;
      const batch = [first.value];
      const deadline = Date.now() + options.maxWaitMs;
      let done = false;
      while (batch.length < options.maxSize) {
        pending ??= iterator.next();
        const next = await raceTimer(pending, deadline - Date.now());
        if (next === TIMEOUT) break;
        pending = undefined;
        if (next.done) {
          done = true;
          break;
        }
        batch.push(next.value);
      }
      yield batch;
      if (done) return;
    }
  } finally {
    // With a next() in flight, an async generator queues return() behind it: don't wait for that (the
    // caller ends the source through its abort signal).
    const closing = Promise.resolve(iterator.return?.()).catch(() => undefined);
    if (!pending) await closing;
  }
}

async function raceTimer<R>(promise: Promise<R>, ms: number): Promise<R | typeof TIMEOUT> {
  if (ms <= 0) {
    // Take what is already resolved without yielding to the timer queue.
    return Promise.race([promise, new Promise<typeof TIMEOUT>((resolve) => setImmediate(() => resolve(TIMEOUT)))]);
  }
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<typeof TIMEOUT>((resolve) => (timer = setTimeout(() => resolve(TIMEOUT), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

export interface WaitForOptions {
  /** What we wait for, for the timeout message: "task t1 to be success". */
  readonly description: string;
  readonly timeoutMs?: number;
  readonly intervalMs?: number;
}

export class WaitForTimeout extends Error {
  override readonly name = 'WaitForTimeout';
  readonly code = 'WAIT_FOR_TIMEOUT';
}

/**
 * Polls `predicate` until it returns a truthy value, and returns it. A predicate that throws counts
 * as "not yet"; its last error is in the timeout message. Wait for a point, never sleep for a guess.
 */
export async function waitFor<T>(predicate: () => T | Promise<T>, options: WaitForOptions): Promise<NonNullable<T>> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const intervalMs = options.intervalMs ?? 50;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await predicate();
      if (value) return value as NonNullable<T>;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const reason = lastError === undefined ? '' : ` (last error: ${lastError instanceof Error ? lastError.message : String(lastError)})`;
      throw new WaitForTimeout(`timed out after ${timeoutMs} ms waiting for ${options.description}${reason}`, { cause: lastError });
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

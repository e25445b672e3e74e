import { describe, expect, it } from 'vitest';
import { testNamespace } from './namespace.js';
import { waitFor, WaitForTimeout } from './wait-for.js';

describe('waitFor', () => {
  it('returns the first truthy value of the predicate', async () => {
    let calls = 0;
    await expect(waitFor(() => (++calls === 3 ? { seq: 3 } : undefined), { description: 'seq 3', intervalMs: 1 })).resolves.toEqual({ seq: 3 });
  });

  it('names what it waited for and the last error on timeout', async () => {
    const failing = waitFor(
      () => {
        throw new Error('404 task not found');
      },
      { description: 'task t1 to exist', timeoutMs: 30, intervalMs: 5 },
    );
    await expect(failing).rejects.toThrow(WaitForTimeout);
    await expect(failing).rejects.toThrow('timed out after 30 ms waiting for task t1 to exist (last error: 404 task not found)');
  });
});

describe('testNamespace', () => {
  it('is unique and a valid Topology namespace', () => {
    const a = testNamespace('e2e');
    expect(a).toMatch(/^e2e_\d+_[0-9a-f]{8}$/);
    expect(testNamespace('e2e')).not.toBe(a);
  });
});

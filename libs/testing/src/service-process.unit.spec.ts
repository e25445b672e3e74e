import { describe, expect, it } from 'vitest';
import { distinctPorts } from './service-process.js';

describe('freePort', () => {
  it('skips a port the OS offers again', async () => {
    const offers = [41_000, 41_000, 41_000, 41_001];
    const next = distinctPorts(async () => offers.shift()!);
    expect([await next(), await next()]).toEqual([41_000, 41_001]);
  });
});

import { describe, expect, it } from 'vitest';
import { distinctPorts, freePort } from './service-process.js';

describe('freePort', () => {
  it('skips a port the OS offers again', async () => {
    const offers = [41_000, 41_000, 41_000, 41_001];
    const next = distinctPorts(async () => offers.shift()!);
    expect([await next(), await next()]).toEqual([41_000, 41_001]);
  });

  it('never gives one process the same port twice, even when asked many times at once', async () => {
    const ports = (await Promise.all(Array.from({ length: 20 }, () => Promise.all(Array.from({ length: 25 }, freePort))))).flat();
    expect(new Set(ports).size).toBe(ports.length);
  });
});

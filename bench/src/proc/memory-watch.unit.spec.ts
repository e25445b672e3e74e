import { describe, expect, it } from 'vitest';
import { memoryOf } from './memory.js';
import { MemoryWatch } from './memory-watch.js';

describe('MemoryWatch', () => {
  it('takes the lowest RSS seen while settling as the idle RSS, not what the process holds when the phase starts', async () => {
    const watch = new MemoryWatch(new Map([['self', process.pid]]));
    await watch.settle(600);
    const settled = memoryOf(process.pid)!.rssMiB;
    // 128 MiB touched after the settling: resident now, not idle.
    const held = Buffer.alloc(128 * 1024 * 1024, 1);
    watch.start();
    const now = memoryOf(process.pid)!.rssMiB;
    expect(now - settled).toBeGreaterThan(100);
    expect(watch.figures().self!.idleMiB).toBeLessThanOrEqual(settled + 1);
    expect(held.length).toBe(128 * 1024 * 1024);
  });

  it('takes the RSS when the phase starts without settling', () => {
    const watch = new MemoryWatch(new Map([['self', process.pid]]));
    watch.start();
    expect(watch.figures().self!.idleMiB).toBeGreaterThan(0);
  });
});

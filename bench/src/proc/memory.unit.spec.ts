import { describe, expect, it } from 'vitest';
import { memoryOfStatus } from './memory.js';

describe('/proc/<pid>/status', () => {
  it('gives VmRSS and VmHWM in MiB', () => {
    expect(memoryOfStatus('Name:\tnode\nVmHWM:\t  265160 kB\nVmRSS:\t  131072 kB\n')).toEqual({ rssMiB: 128, peakMiB: 258.9 });
    expect(memoryOfStatus('Name:\tkthreadd\n')).toBeUndefined();
  });
});

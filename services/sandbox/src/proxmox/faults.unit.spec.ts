import { describe, expect, it } from 'vitest';
import { Faults } from './faults.js';

const CLONE = 'POST /nodes/{node}/qemu/{vmid}/clone';

function draws(faults: Faults, n: number): string[] {
  return Array.from({ length: n }, () => faults.forRequest(CLONE, { vmid: '9000' }).kind);
}

describe('faults', () => {
  it('draws the same faults for the same seed and different ones for another', () => {
    const a = new Faults();
    const b = new Faults();
    const c = new Faults();
    a.set({ seed: 7, endpoints: { [CLONE]: { errorRate: 0.5 } } });
    b.set({ seed: 7, endpoints: { [CLONE]: { errorRate: 0.5 } } });
    c.set({ seed: 8, endpoints: { [CLONE]: { errorRate: 0.5 } } });
    const first = draws(a, 32);
    expect(draws(b, 32)).toEqual(first);
    expect(draws(c, 32)).not.toEqual(first);
    expect(first).toContain('error');
    expect(first).toContain('none');
  });

  it('answers a transient lock error for a VM endpoint and 595 elsewhere, unless told otherwise', () => {
    const faults = new Faults();
    faults.set({ endpoints: { '*': { errorRate: 1 }, 'GET /cluster/resources': { errorStatus: 503, errorMessage: 'Service Unavailable' } } });
    expect(faults.forRequest(CLONE, { vmid: '9000' })).toEqual({ kind: 'error', delayMs: 0, status: 500, text: "can't lock file '/var/lock/qemu-server/lock-9000.conf' - got timeout" });
    expect(faults.forRequest('GET /nodes', {})).toMatchObject({ status: 595, text: 'Connection refused' });
    expect(faults.forRequest('GET /cluster/resources', {})).toMatchObject({ status: 503, text: 'Service Unavailable' });
  });

  it('fails tasks with the default exit status of their type', () => {
    const faults = new Faults();
    faults.set({ endpoints: { [CLONE]: { taskFailureRate: 1 } } });
    expect(faults.taskFailure(CLONE, 'qmclone', { vmid: '9000' })).toBe("clone failed: can't lock file '/var/lock/pve-manager/pve-storage-local-lvm' - got timeout");
    expect(faults.taskFailure('GET /nodes', 'qmstart', {})).toBeUndefined();
  });

  it('holds a timed-out answer for hangMs', () => {
    const faults = new Faults();
    faults.set({ endpoints: { [CLONE]: { timeoutRate: 1, hangMs: 250, delayMs: 10 } } });
    expect(faults.forRequest(CLONE, { vmid: '9000' })).toEqual({ kind: 'timeout', delayMs: 10, hangMs: 250, mode: 'hang' });
  });
});

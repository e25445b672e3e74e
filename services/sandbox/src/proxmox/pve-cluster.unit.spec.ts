import { beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from './clock.js';
import { PveCluster } from './pve-cluster.js';
import { PveError } from './pve-error.js';
import { parseUpid } from '@vle/integrations';

const meta = { user: 'vle@pve!tasks' };
let clock: ManualClock;
let cluster: PveCluster;

beforeEach(() => {
  clock = new ManualClock();
  cluster = new PveCluster(clock);
});

const task = (node: string, upid: string) => cluster.taskStatus(node, upid) as { status: string; exitstatus?: string };
const vm = (vmid: number) => cluster.state().vms.find((v) => v.vmid === vmid);

function failure(run: () => unknown): PveError {
  try {
    run();
  } catch (error) {
    if (error instanceof PveError) return error;
    throw error;
  }
  throw new Error('expected a PveError');
}

function cloneRunning(newid = 4101): string {
  return cluster.clone({ node: 'pve1', vmid: 9000, newid, name: 'lab-ev42-s07', pool: 'ev42' }, meta);
}

describe('clone', () => {
  it('returns a qmclone UPID at once, locks the new VM until the task ends, then records it', () => {
    const upid = cloneRunning();
    expect(parseUpid(upid)).toMatchObject({ node: 'pve1', type: 'qmclone', id: '9000', user: 'vle@pve!tasks' });
    expect(task('pve1', upid).status).toBe('running');
    expect(vm(4101)).toMatchObject({ node: 'pve1', lock: 'clone', status: 'stopped', pool: null });
    expect(vm(9000)?.lock).toBeNull(); // a linked clone takes only a shared lock file on the template

    clock.advance(299);
    expect(task('pve1', upid).status).toBe('running');
    clock.advance(1);
    expect(task('pve1', upid)).toMatchObject({ status: 'stopped', exitstatus: 'OK' });
    expect(vm(4101)).toMatchObject({ lock: null, pool: 'ev42', sourceVmid: 9000 });
    expect(cluster.ledger().counts).toEqual({ created: 1, deleted: 0, live: 1 });
    expect(cluster.ledger().entries[0]).toMatchObject({ event: 'created', vmid: 4101, name: 'lab-ev42-s07', sourceVmid: 9000, upid });
  });

  it('shows the placeholder config of qemu-server while the clone copies, the name and description only at its end', () => {
    const upid = cluster.clone({ node: 'pve1', vmid: 9000, newid: 4101, name: 'lab-ev42-s07', description: 'made by vle-tasks', pool: 'ev42' }, meta);
    // clone_vm: file_set_contents($conffile, "# qmclone temporary file\nlock: clone\n"); parse_vm_config turns the comment into the description.
    expect(cluster.vmConfig({ node: 'pve1', vmid: 4101 })).toEqual({ description: ' qmclone temporary file\n', lock: 'clone', digest: expect.stringMatching(/^[0-9a-f]{40}$/) });
    const row = cluster.resources('vm').find((r) => r.vmid === 4101)!;
    expect(row).toMatchObject({ id: 'qemu/4101', type: 'qemu', node: 'pve1', lock: 'clone' });
    expect(row).not.toHaveProperty('name');
    // vmstatus: $d->{name} = $conf->{name} || "VM $vmid".
    expect(cluster.vmList('pve1').find((r) => r.vmid === 4101)).toMatchObject({ name: 'VM 4101', lock: 'clone' });

    clock.advance(300);
    expect(task('pve1', upid).exitstatus).toBe('OK');
    expect(cluster.vmConfig({ node: 'pve1', vmid: 4101 })).toMatchObject({ name: 'lab-ev42-s07', description: 'made by vle-tasks' });
    expect(cluster.vmConfig({ node: 'pve1', vmid: 4101 })).not.toHaveProperty('lock');
    expect(cluster.resources('vm').find((r) => r.vmid === 4101)).toMatchObject({ name: 'lab-ev42-s07' });
  });

  it('removes the placeholder when the clone task fails, so the VMID is free again', () => {
    const upid = cluster.clone({ node: 'pve1', vmid: 9000, newid: 4101, name: 'doomed' }, { ...meta, injectedFailure: 'clone failed: injected' });
    expect(cluster.vmConfig({ node: 'pve1', vmid: 4101 })).toMatchObject({ lock: 'clone', description: ' qmclone temporary file\n' });
    clock.advance(300);
    expect(task('pve1', upid).exitstatus).toBe('clone failed: injected');
    expect(vm(4101)).toBeUndefined();
    expect(cluster.nextId(4101)).toBe('4101');
  });

  it('refuses a newid that is in use, even by a VM still being created', () => {
    cloneRunning();
    expect(failure(() => cloneRunning()).text).toBe('unable to create VM 4101: config file already exists\n');
    clock.advance(1_000);
    expect(failure(() => cloneRunning()).status).toBe(500);
    expect(cluster.ledger().counts.created).toBe(1);
  });

  it('answers a source on another node as check_running does', () => {
    const error = failure(() => cluster.clone({ node: 'pve2', vmid: 9000, newid: 4101 }, meta));
    expect(error.text).toBe("unable to find configuration file for VM 9000 on node 'pve2'\n");
  });

  it('refuses storage for a linked clone and a target node for a VM on local storage', () => {
    expect(failure(() => cluster.clone({ node: 'pve1', vmid: 9000, newid: 4101, storage: 'local-lvm' }, meta)).text).toBe("parameter 'storage' not allowed for linked clones\n");
    expect(failure(() => cluster.clone({ node: 'pve2', vmid: 9001, newid: 4101, target: 'pve3' }, meta)).text).toBe("can't clone VM to node 'pve3' (VM uses local storage)\n");
    expect(failure(() => cluster.clone({ node: 'pve1', vmid: 9000, newid: 4101, pool: 'nope' }, meta))).toMatchObject({ status: 403, text: "Permission check failed (pool 'nope' does not exist)\n" });
  });

  it('moves a clone of a template on shared storage to the target node when the task ends', () => {
    const upid = cluster.clone({ node: 'pve1', vmid: 9000, newid: 4101, target: 'pve3' }, meta);
    expect(vm(4101)?.node).toBe('pve1');
    clock.advance(300);
    expect(task('pve1', upid).exitstatus).toBe('OK');
    expect(vm(4101)?.node).toBe('pve3');
  });

  it('fails the task and removes the half-made VM when the storage is full', () => {
    cluster.setStorageCapacity('local-lvm', 150 * 1024 ** 3); // the template's 64 GiB and one clone's
    const first = cluster.clone({ node: 'pve2', vmid: 9001, newid: 4101 }, meta);
    const second = cluster.clone({ node: 'pve2', vmid: 9001, newid: 4102 }, meta);
    clock.advance(300);
    expect(task('pve2', first).exitstatus).toBe('OK');
    expect(task('pve2', second).exitstatus).toBe(
      "clone failed: lvcreate 'pve/vm-4102-disk-0' error:   Cannot create new thin volume, free space in thin pool pve/data reached threshold.",
    );
    expect(vm(4102)).toBeUndefined();
    expect(cluster.ledger().counts.created).toBe(1);
  });

  it('removes the VM when an injected task failure ends the clone', () => {
    const upid = cluster.clone({ node: 'pve1', vmid: 9000, newid: 4101 }, { ...meta, injectedFailure: 'clone failed: boom' });
    expect(vm(4101)?.lock).toBe('clone');
    clock.advance(300);
    expect(task('pve1', upid)).toMatchObject({ status: 'stopped', exitstatus: 'clone failed: boom' });
    expect(vm(4101)).toBeUndefined();
  });
});

describe('start, stop and reset', () => {
  beforeEach(() => {
    cloneRunning();
    clock.advance(300);
  });

  it('starts and stops at the end of each task', () => {
    const start = cluster.start({ node: 'pve1', vmid: 4101 }, meta);
    expect(vm(4101)?.status).toBe('stopped');
    clock.advance(100);
    expect(task('pve1', start).exitstatus).toBe('OK');
    expect(vm(4101)?.status).toBe('running');
    const again = cluster.start({ node: 'pve1', vmid: 4101 }, meta);
    expect(task('pve1', again)).toMatchObject({ status: 'stopped', exitstatus: 'VM 4101 already running' });
    const stop = cluster.stop({ node: 'pve1', vmid: 4101 }, meta);
    clock.advance(100);
    expect(task('pve1', stop).exitstatus).toBe('OK');
    expect(vm(4101)?.status).toBe('stopped');
  });

  it('refuses to reset a stopped VM before forking', () => {
    expect(failure(() => cluster.resetVm({ node: 'pve1', vmid: 4101 }, meta)).text).toBe('VM 4101 not running\n');
  });

  it('fails a start that cannot get the lock file of a VM being cloned', () => {
    cluster.setTimings({ lockWaitMs: 50 });
    cloneRunning(4102);
    const start = cluster.start({ node: 'pve1', vmid: 4102 }, meta);
    clock.advance(50);
    expect(task('pve1', start).exitstatus).toBe("can't lock file '/var/lock/qemu-server/lock-4102.conf' - got timeout");
  });

  it('starts a VM once its clone finished within the lock wait', () => {
    cloneRunning(4102);
    const start = cluster.start({ node: 'pve1', vmid: 4102 }, meta);
    clock.advance(300);
    expect(task('pve1', start).status).toBe('running');
    clock.advance(100);
    expect(task('pve1', start).exitstatus).toBe('OK');
  });

  it('reports a config lock without a lock file holder as "VM is locked"', () => {
    cluster.addVm({ vmid: 500, name: 'backup', node: 'pve1', status: 'stopped', template: false, lock: 'backup', cores: 1, memory: 512, disk: { storage: 'local-lvm', volume: 'vm-500-disk-0', size: 1024 }, mac: 'BC:24:11:00:01:F4' });
    const start = cluster.start({ node: 'pve1', vmid: 500 }, meta);
    expect(task('pve1', start).exitstatus).toBe('VM is locked (backup)');
  });

  it('fails a start beyond the node memory as QEMU does', () => {
    cluster.setNode('pve1', { maxmem: 6 * 1024 ** 3 });
    const start = cluster.start({ node: 'pve1', vmid: 4101 }, meta);
    expect(task('pve1', start).exitstatus).toBe('start failed: QEMU exited with code 1');
    expect(vm(4101)?.status).toBe('stopped');
  });
});

describe('destroy', () => {
  beforeEach(() => {
    cloneRunning();
    clock.advance(300);
  });

  it('refuses a running VM and a VM on another node before forking', () => {
    cluster.start({ node: 'pve1', vmid: 4101 }, meta);
    clock.advance(100);
    expect(failure(() => cluster.destroy({ node: 'pve1', vmid: 4101 }, meta)).text).toBe('VM 4101 is running - destroy failed\n');
    expect(failure(() => cluster.destroy({ node: 'pve2', vmid: 4101 }, meta)).text).toBe("Configuration file 'nodes/pve2/qemu-server/4101.conf' does not exist\n");
  });

  it('removes the VM at the end of the task and records it', () => {
    const upid = cluster.destroy({ node: 'pve1', vmid: 4101 }, meta);
    expect(vm(4101)?.lock).toBe('destroyed');
    clock.advance(100);
    expect(task('pve1', upid).exitstatus).toBe('OK');
    expect(vm(4101)).toBeUndefined();
    expect(cluster.ledger().counts).toEqual({ created: 1, deleted: 1, live: 0 });
  });
});

describe('migrate', () => {
  beforeEach(() => {
    cloneRunning();
    clock.advance(300);
  });

  it('moves a stopped VM under lock: migrate, so a start meanwhile fails', () => {
    const upid = cluster.migrate({ node: 'pve1', vmid: 4101, target: 'pve2' }, meta);
    expect(vm(4101)?.lock).toBe('migrate');
    const start = cluster.start({ node: 'pve1', vmid: 4101 }, meta);
    expect(task('pve1', start).exitstatus).toBe('VM is locked (migrate)');
    clock.advance(100);
    expect(task('pve1', upid).exitstatus).toBe('OK');
    expect(vm(4101)).toMatchObject({ node: 'pve2', lock: null });
  });

  it('needs online=1 for a running VM and refuses the local node', () => {
    cluster.start({ node: 'pve1', vmid: 4101 }, meta);
    clock.advance(100);
    expect(failure(() => cluster.migrate({ node: 'pve1', vmid: 4101, target: 'pve2' }, meta)).text).toBe("can't migrate running VM without --online\n");
    expect(failure(() => cluster.migrate({ node: 'pve1', vmid: 4101, target: 'pve1', online: true }, meta)).errors).toEqual({ target: 'target is local node.' });
  });
});

describe('reads', () => {
  it('reports node memory from running VMs and the next free VMID', () => {
    const idle = cluster.nodes().find((n) => n.node === 'pve1')!;
    expect(idle).toMatchObject({ status: 'online', maxcpu: 32, mem: 4 * 1024 ** 3 });
    expect(cluster.nextId()).toBe('100');
    expect(failure(() => cluster.nextId(9000)).errors).toEqual({ vmid: 'VM 9000 already exists' });
    expect(failure(() => cluster.taskStatus('pve1', 'UPID:pve1:00000001:00000001:00000001:qmstart:1:x@pve:'))).toMatchObject({ status: 400, errors: { upid: 'no such task' } });
  });
});

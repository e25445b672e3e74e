import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { classifyPveMessage, PveError, PveTaskFailed, type PveErrorKind } from './pve-error.js';

// The messages of reference §1.5, with the status pveproxy answers them with.
const TABLE: readonly [status: number, message: string, kind: PveErrorKind, transient: boolean][] = [
  [500, 'VM is locked (clone)\n', 'locked', true],
  [500, 'VM is locked (migrate)', 'locked', true],
  [500, 'VM is locked (backup)', 'locked', true],
  [500, "can't lock file '/var/lock/qemu-server/lock-4101.conf' - got timeout", 'lock_timeout', true],
  [500, "clone failed: can't lock file '/var/lock/pve-manager/pve-storage-local-lvm' - got timeout", 'storage_lock', true],
  [500, 'unable to create VM 4101: config file already exists', 'config_exists', true],
  [500, "Configuration file 'nodes/pve1/qemu-server/4101.conf' does not exist", 'not_found', false],
  [500, "unable to find configuration file for VM 9000 on node 'pve2'", 'not_found', false],
  [500, 'VM 4101 is running - destroy failed', 'running', false],
  [500, 'unable to remove VM 4101 - used in HA resources and purge parameter not set.', 'precondition', false],
  [500, "can't remove VM 4101 - protection mode enabled", 'precondition', false],
  [500, 'VM 4101 already running', 'already_running', false],
  [500, 'VM 4101 not running', 'not_running', false],
  [500, "can't clone VM to node 'pve2' (VM uses local storage)", 'bad_request', false],
  [500, "parameter 'storage' not allowed for linked clones", 'bad_request', false],
  [500, 'Linked clone feature is not supported for drive \'scsi0\'', 'bad_request', false],
  [400, 'Parameter verification failed.', 'bad_request', false],
  [501, "Method 'POST /nodes/pve1/qemu/100/nothing' not implemented", 'bad_request', false],
  [401, 'No ticket', 'auth', false],
  [401, 'Authentication failed!', 'auth', false],
  [403, 'Permission check failed (/vms/4101, VM.Allocate)', 'permission', false],
  [595, 'Connection refused', 'node_unreachable', true],
  [596, 'Connection timed out', 'node_unreachable', true],
  [597, 'Broken pipe', 'node_unreachable', true],
  [599, 'Too many redirections', 'node_unreachable', true],
  [500, 'something nobody has seen before', 'unknown', true],
  [502, 'Bad Gateway', 'unknown', true],
  [404, 'Not Found', 'unknown', false],
];

describe('classifyPveMessage', () => {
  it.each(TABLE)('%i %j -> %s (transient %s)', (status, message, kind, transient) => {
    expect(classifyPveMessage(status, message)).toEqual({ kind, transient });
  });

  it('reads the per-parameter errors of a 400: nextid?vmid=N on a taken ID', () => {
    expect(classifyPveMessage(400, 'Parameter verification failed.', { vmid: 'VM 4101 already exists' })).toEqual({ kind: 'vmid_taken', transient: true });
    expect(classifyPveMessage(400, 'Parameter verification failed.', { newid: 'value must have a minimum value of 100' })).toEqual({ kind: 'bad_request', transient: false });
  });

  it('classifies by status before message for credentials and proxy failures', () => {
    expect(classifyPveMessage(403, 'VM is locked (clone)').kind).toBe('permission');
    expect(classifyPveMessage(595, 'VM 100 not running').kind).toBe('node_unreachable');
  });
});

describe('PveError', () => {
  it('carries the fields the job runtime reads by shape', () => {
    const error = PveError.fromResponse('POST', '/nodes/pve1/qemu/9000/clone', 500, 'VM is locked (clone)', 'VM is locked (clone)\n');
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ name: 'PveError', message: 'VM is locked (clone)', status: 500, reason: 'VM is locked (clone)', method: 'POST', path: '/nodes/pve1/qemu/9000/clone' });
    expect(error).toMatchObject({ kind: 'locked', transient: true, permanent: false, responseCode: 'PVE_500' });
    expect(JSON.parse(JSON.stringify(error))).toMatchObject({ message: 'VM is locked (clone)', kind: 'locked', permanent: false, responseCode: 'PVE_500' });
  });

  it('falls back to the reason phrase when the body has no message (401 answers)', () => {
    const error = PveError.fromResponse('GET', '/version', 401, 'No ticket', '');
    expect(error).toMatchObject({ message: 'No ticket', kind: 'auth', permanent: true, responseCode: 'PVE_401' });
  });

  it('a failed task is a PveError with its exitstatus, classified like a die', () => {
    const upid = 'UPID:pve1:0003A1F2:01B2C3D4:6650F00D:qmclone:9000:vle@pve!tasks:';
    const failed = new PveTaskFailed(upid, "clone failed: can't lock file '/var/lock/pve-manager/pve-storage-local-lvm' - got timeout", 'GET', '/nodes/pve1/tasks/x/status');
    expect(failed).toBeInstanceOf(PveError);
    expect(failed).toMatchObject({ name: 'PveTaskFailed', upid, kind: 'storage_lock', transient: true, responseCode: 'PVE_TASK', status: 200 });
    expect(JSON.parse(JSON.stringify(failed))).toMatchObject({ upid, exitstatus: failed.message });
    expect(inspect(failed)).toContain('storage_lock');
  });
});

describe('PveError stack', () => {
  it('names the class in the first line', () => {
    expect(PveError.fromResponse('GET', '/version', 500, 'boom', 'boom').stack).toMatch(/^PveError: boom/);
    expect(new PveTaskFailed('UPID:x', 'VM 1 not running', 'GET', '/x').stack).toMatch(/^PveTaskFailed: VM 1 not running/);
  });
});

import { describe, expect, it } from 'vitest';
import { isTaskSuccess, parseUpid } from './upid.js';

describe('parseUpid', () => {
  it('reads the fields of PVE::UPID::encode', () => {
    expect(parseUpid('UPID:pve1:0003A1F2:01B2C3D4:6650F00D:qmclone:9000:orch@pve!worker:')).toEqual({
      node: 'pve1',
      pid: 0x3a1f2,
      pstart: 0x1b2c3d4,
      starttime: 0x6650f00d,
      type: 'qmclone',
      id: '9000',
      user: 'orch@pve!worker',
    });
  });

  it('accepts a 9-digit pstart and an empty id', () => {
    expect(parseUpid('UPID:pve-node-2:000000FF:1FFFFFFFF:6650F00D:vzdump::root@pam:')).toMatchObject({ node: 'pve-node-2', pstart: 0x1ffffffff, id: '', user: 'root@pam' });
  });

  it.each([
    '',
    'UPID:pve1:0003A1F2:01B2C3D4:6650F00D:qmclone:9000:orch@pve!worker', // no trailing colon
    'UPID:pve_1:0003A1F2:01B2C3D4:6650F00D:qmclone:9000:root@pam:', // bad node name
    'UPID:pve1:3A1F2:01B2C3D4:6650F00D:qmclone:9000:root@pam:', // short pid
    'UPID:pve1:0003A1F2:01B2C3D4:6650F00D::9000:root@pam:', // no type
    'UPID:pve1:0003A1F2:01B2C3D4:6650F00D:qmclone:90/00:root@pam:',
  ])('throws on %j', (upid) => {
    expect(() => parseUpid(upid)).toThrow(/unable to parse worker upid/);
  });
});

describe('isTaskSuccess (PVE::UPID::status_is_error)', () => {
  it.each([
    ['OK', true],
    ['WARNINGS: 3', true],
    ['WARNINGS: ', false],
    ['unexpected status', false],
    ['VM 100 already running', false],
    [undefined, false],
  ])('%j -> %s', (exitstatus, ok) => {
    expect(isTaskSuccess(exitstatus)).toBe(ok);
  });
});

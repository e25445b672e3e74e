import { parseUpid } from '@vle/integrations';
import { describe, expect, it } from 'vitest';
import { encodeUpid } from './upid.js';

describe('UPID', () => {
  it('encodes pid, pstart and starttime as upper-case hex, the user with its token id, as a client parses it back', () => {
    const info = { node: 'pve1', pid: 0x3a1f2, pstart: 0x1b2c3d4, starttime: 0x6650f00d, type: 'qmclone', id: '9000', user: 'orch@pve!worker' };
    const upid = encodeUpid(info);
    expect(upid).toBe('UPID:pve1:0003A1F2:01B2C3D4:6650F00D:qmclone:9000:orch@pve!worker:');
    expect(parseUpid(upid)).toEqual(info);
  });
});

import { describe, expect, it } from 'vitest';
import { checkPveParameters, matchPveEndpoint, PVE_SCHEMA_VERSION, pvePathExists } from './pve-schema.js';

const clone = matchPveEndpoint('POST', '/nodes/pve1/qemu/9000/clone')!;

describe('the Proxmox schema subset', () => {
  it('is the pinned PVE version', () => {
    expect(PVE_SCHEMA_VERSION).toBe('9.1.3');
  });

  it('matches request paths to endpoints and decodes their parameters', () => {
    expect(clone.endpoint.key).toBe('POST /nodes/{node}/qemu/{vmid}/clone');
    expect(clone.pathParams).toEqual({ node: 'pve1', vmid: '9000' });
    const upid = 'UPID:pve1:0003A1F2:01B2C3D4:6650F00D:qmclone:9000:orch@pve!worker:';
    expect(matchPveEndpoint('GET', `/nodes/pve1/tasks/${encodeURIComponent(upid)}/status`)?.pathParams.upid).toBe(upid);
    expect(matchPveEndpoint('GET', '/nodes/pve1/qemu/9000/clone')).toBeUndefined();
    expect(pvePathExists('/nodes/pve1/qemu/9000/clone')).toBe(true);
    expect(pvePathExists('/nodes/pve1/lxc')).toBe(false);
  });

  it('accepts a valid clone', () => {
    expect(checkPveParameters(clone.endpoint, { node: 'pve1', vmid: '9000', newid: '4101', name: 'lab-ev42-s07', full: '0', pool: 'ev42' })).toEqual({});
  });

  it('reports each bad parameter with the server wording', () => {
    const errors = checkPveParameters(clone.endpoint, { node: 'pve_1', vmid: '9000', newid: '42', full: 'maybe', name: 'bad name', format: 'iso', colour: 'red' });
    expect(errors).toEqual({
      node: 'invalid format - value does not look like a valid node name',
      newid: 'value must have a minimum value of 100',
      full: "type check ('boolean') failed - got 'maybe'",
      name: 'invalid format - value does not look like a valid DNS name',
      format: "value 'iso' does not have a value in the enumeration 'raw, qcow2, vmdk'",
      colour: 'property is not defined in schema and the schema does not allow additional properties',
    });
  });

  it('reports a missing required parameter', () => {
    expect(checkPveParameters(clone.endpoint, { node: 'pve1', vmid: '9000' })).toEqual({ newid: 'property is missing and it is not optional' });
    expect(checkPveParameters(clone.endpoint, { node: 'pve1', vmid: 'abc', newid: '101' })).toEqual({ vmid: "type check ('integer') failed - got 'abc'" });
  });
});

it('matches no endpoint for a path segment that is not valid percent-encoding', () => {
  expect(matchPveEndpoint('GET', '/nodes/pve1/tasks/%E0%A4%A/status')).toBeUndefined();
});

import { fileURLToPath } from 'node:url';
import { killAllServices, ServiceExitedError, spawnService, startService, type ServiceProcess } from '@vle/testing';
import { afterAll, describe, expect, it } from 'vitest';

const entry = fileURLToPath(new URL('../dist/main.js', import.meta.url));

describe('sandbox process', () => {
  afterAll(() => killAllServices());

  it('boots, answers readiness and lists its simulators', async () => {
    const sandbox: ServiceProcess = await startService(entry, {});
    try {
      const ready = await fetch(`${sandbox.url}/health/ready`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({ status: 'ok', checks: {} });
      const info = await fetch(`${sandbox.url}/_sandbox/info`);
      expect(await info.json()).toEqual({ service: 'sandbox', simulators: [{ name: 'proxmox', baseUrl: `${sandbox.url}/pve` }] });
      expect(sandbox.output('stdout')).toContain(`sandbox listening on ${sandbox.url}`);
    } finally {
      expect(await sandbox.stop()).toEqual({ code: 0, signal: null });
    }
  });

  it('stops at boot with the name of a bad variable', async () => {
    const sandbox = await spawnService(entry, { LOG_LEVEL: 'loud' });
    const failure = await sandbox.ready().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ServiceExitedError);
    expect(sandbox.exitResult).toEqual({ code: 1, signal: null });
    expect(sandbox.output('stderr')).toContain('Invalid configuration: LOG_LEVEL: must be one of');
  });
});

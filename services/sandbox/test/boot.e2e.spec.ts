import { fileURLToPath } from 'node:url';
import { freePort, killAllServices, ServiceExitedError, spawnService, startService, type ServiceProcess } from '@vle/testing';
import { afterAll, describe, expect, it } from 'vitest';

const entry = fileURLToPath(new URL('../dist/main.js', import.meta.url));

describe('sandbox process', () => {
  afterAll(() => killAllServices());

  it('boots, answers readiness and lists its simulators', async () => {
    const smtpPort = await freePort();
    const sandbox: ServiceProcess = await startService(entry, { SANDBOX_SMTP_PORT: String(smtpPort) });
    try {
      const ready = await fetch(`${sandbox.url}/health/ready`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({ status: 'ok', checks: {} });
      const info = await fetch(`${sandbox.url}/_sandbox/info`);
      expect(await info.json()).toEqual({
        service: 'sandbox',
        simulators: expect.arrayContaining([
          { name: 'proxmox', baseUrl: `${sandbox.url}/pve` },
          { name: 'smtp', baseUrl: `smtp://127.0.0.1:${smtpPort}` },
        ]),
      });
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

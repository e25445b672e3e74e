import { fileURLToPath } from 'node:url';
import { DEV_GUACAMOLE_PASSWORD, DEV_MOODLE_TOKEN, DEV_OPENVLE_TOKEN, DEV_PVE_TOKEN_SECRET } from '@vle/service-kit';
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

  it('under NODE_ENV=production, stops at boot without credentials of its own, naming them', async () => {
    const sandbox = await spawnService(entry, { NODE_ENV: 'production', SANDBOX_PVE_TOKEN: undefined, SANDBOX_MOODLE_TOKEN: undefined, SANDBOX_OPENVLE_TOKEN: DEV_OPENVLE_TOKEN, SANDBOX_GUACAMOLE_PASSWORD: undefined });
    expect(await sandbox.exited()).toEqual({ code: 1, signal: null });
    const stderr = sandbox.output('stderr');
    expect(stderr).toContain('Invalid configuration: SANDBOX_PVE_TOKEN: is required when NODE_ENV=production');
    expect(stderr).toContain('SANDBOX_MOODLE_TOKEN: is required when NODE_ENV=production');
    expect(stderr).toContain('SANDBOX_OPENVLE_TOKEN: is the published development OpenVLE API key, refused when NODE_ENV=production');
    expect(stderr).toContain('SANDBOX_GUACAMOLE_PASSWORD: is required when NODE_ENV=production');
    expect(sandbox.output()).not.toContain(DEV_OPENVLE_TOKEN);
  });

  it('under NODE_ENV=production, runs with the credentials it is given and warns that it is the sandbox', async () => {
    const sandbox = await startService(entry, {
      NODE_ENV: 'production',
      SANDBOX_SMTP_PORT: String(await freePort()),
      SANDBOX_PVE_TOKEN: 'vle@pve!tasks=0d9c3a52-1f7e-4b8a-9c6d-2e4f6a8b0c1d',
      SANDBOX_MOODLE_TOKEN: 'a1b2c3d4e5f60718293a4b5c6d7e8f90',
      SANDBOX_OPENVLE_TOKEN: 'f0e1d2c3b4a5968778695a4b3c2d1e0f12345678',
      SANDBOX_GUACAMOLE_PASSWORD: 'a compose password',
    });
    try {
      await sandbox.waitForOutput('NODE_ENV=production: this is the sandbox');
      const published = await fetch(`${sandbox.url}/pve/api2/json/version`, { headers: { Authorization: `PVEAPIToken=vle@pve!tasks=${DEV_PVE_TOKEN_SECRET}` } });
      expect(published.status).toBe(401);
      const given = await fetch(`${sandbox.url}/pve/api2/json/version`, { headers: { Authorization: 'PVEAPIToken=vle@pve!tasks=0d9c3a52-1f7e-4b8a-9c6d-2e4f6a8b0c1d' } });
      expect(given.status).toBe(200);
      expect(sandbox.output()).not.toMatch(new RegExp(['0d9c3a52', 'a compose password', DEV_MOODLE_TOKEN, DEV_GUACAMOLE_PASSWORD].join('|')));
    } finally {
      expect(await sandbox.stop()).toEqual({ code: 0, signal: null });
    }
  });
});

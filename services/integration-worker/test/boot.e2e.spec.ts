// integration-worker as a process under NODE_ENV=production (what deploy/Dockerfile sets): a published
// development credential stops it at boot, naming the variables and never printing their values.

import { fileURLToPath } from 'node:url';
import { DEV_GUACAMOLE_PASSWORD, DEV_LAB_CREDENTIALS_KEY, DEV_MOODLE_TOKEN, DEV_OPENVLE_TOKEN } from '@vle/service-kit';
import { killAllServices, spawnService } from '@vle/testing';
import { afterAll, describe, expect, it } from 'vitest';

const entry = fileURLToPath(new URL('../dist/main.js', import.meta.url));

describe('integration-worker process', () => {
  afterAll(() => killAllServices());

  it('stops at boot under NODE_ENV=production with the development credentials, naming each', async () => {
    const worker = await spawnService(entry, { NODE_ENV: 'production', MOODLE_TOKEN: DEV_MOODLE_TOKEN, GUACAMOLE_PASSWORD: undefined, OPENVLE_TOKEN: undefined, LAB_CREDENTIALS_KEY: undefined });
    expect(await worker.exited()).toEqual({ code: 1, signal: null });
    const stderr = worker.output('stderr');
    expect(stderr).toContain('Invalid configuration: MOODLE_TOKEN: is the published development Moodle web service token, refused when NODE_ENV=production');
    expect(stderr).toContain('GUACAMOLE_PASSWORD: is required when NODE_ENV=production');
    expect(stderr).toContain('LAB_CREDENTIALS_KEY: is required when NODE_ENV=production');
    expect(stderr).toContain('OPENVLE_TOKEN: is required when NODE_ENV=production');
    for (const value of [DEV_MOODLE_TOKEN, DEV_GUACAMOLE_PASSWORD, DEV_LAB_CREDENTIALS_KEY, DEV_OPENVLE_TOKEN]) expect(worker.output()).not.toContain(value);
  });
});

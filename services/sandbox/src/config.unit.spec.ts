// The credentials the sandbox's simulators accept: the services' published development credentials
// outside production, refused under NODE_ENV=production (docker-compose.yml gives it real ones).

import { ConfigError, DEV_GUACAMOLE_PASSWORD, DEV_MOODLE_TOKEN, DEV_OPENVLE_TOKEN, DEV_PVE_TOKEN_ID, DEV_PVE_TOKEN_SECRET, loadConfig, type Environment } from '@vle/service-kit';
import { describe, expect, it } from 'vitest';
import { sandboxConfigSchema } from './config.js';

const REAL: Environment = {
  SANDBOX_PVE_TOKEN: 'vle@pve!tasks=0d9c3a52-1f7e-4b8a-9c6d-2e4f6a8b0c1d',
  SANDBOX_MOODLE_TOKEN: 'a1b2c3d4e5f60718293a4b5c6d7e8f90',
  SANDBOX_OPENVLE_TOKEN: 'f0e1d2c3b4a5968778695a4b3c2d1e0f12345678',
  SANDBOX_GUACAMOLE_PASSWORD: 'a real guacamole password',
};

const PUBLISHED = [
  ['SANDBOX_PVE_TOKEN', `${DEV_PVE_TOKEN_ID}=${DEV_PVE_TOKEN_SECRET}`, 'secret of the Proxmox API token'],
  ['SANDBOX_PVE_TOKEN', `other@pve!ci=0d9c3a52-1f7e-4b8a-9c6d-2e4f6a8b0c1d,ci@pve!runner=${DEV_PVE_TOKEN_SECRET}`, 'secret of the Proxmox API token'],
  ['SANDBOX_MOODLE_TOKEN', `a1b2c3d4e5f60718293a4b5c6d7e8f90,${DEV_MOODLE_TOKEN}`, 'Moodle web service token'],
  ['SANDBOX_OPENVLE_TOKEN', DEV_OPENVLE_TOKEN, 'OpenVLE API key'],
  ['SANDBOX_GUACAMOLE_PASSWORD', DEV_GUACAMOLE_PASSWORD, 'Guacamole password'],
] as const;

function problemsOf(env: Environment): ConfigError['problems'] {
  try {
    loadConfig(sandboxConfigSchema, env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).not.toMatch(new RegExp([DEV_PVE_TOKEN_SECRET, DEV_MOODLE_TOKEN, DEV_OPENVLE_TOKEN, DEV_GUACAMOLE_PASSWORD].join('|')));
    return (error as ConfigError).problems;
  }
  return [];
}

describe('sandbox credentials', () => {
  it('are the services\' published defaults outside production', () => {
    for (const NODE_ENV of [undefined, 'test']) {
      expect(loadConfig(sandboxConfigSchema, { NODE_ENV })).toMatchObject({
        SANDBOX_PVE_TOKEN: [{ tokenId: DEV_PVE_TOKEN_ID, secret: DEV_PVE_TOKEN_SECRET }],
        SANDBOX_MOODLE_TOKEN: [DEV_MOODLE_TOKEN],
        SANDBOX_OPENVLE_TOKEN: DEV_OPENVLE_TOKEN,
        SANDBOX_GUACAMOLE_PASSWORD: DEV_GUACAMOLE_PASSWORD,
      });
    }
  });

  it('are all refused unset under NODE_ENV=production, each named', () => {
    expect(problemsOf({ NODE_ENV: 'production' }).map((p) => [p.variable, p.message])).toEqual([
      ['SANDBOX_PVE_TOKEN', 'is required when NODE_ENV=production (its default is the published development secret of the Proxmox API token)'],
      ['SANDBOX_MOODLE_TOKEN', 'is required when NODE_ENV=production (its default is the published development Moodle web service token)'],
      ['SANDBOX_OPENVLE_TOKEN', 'is required when NODE_ENV=production (its default is the published development OpenVLE API key)'],
      ['SANDBOX_GUACAMOLE_PASSWORD', 'is required when NODE_ENV=production (its default is the published development Guacamole password)'],
    ]);
  });

  it.each(PUBLISHED)('%s: refused under NODE_ENV=production when it holds the published value (%s)', (variable, value, what) => {
    expect(problemsOf({ ...REAL, NODE_ENV: 'production', [variable]: value })).toEqual([
      { variable, message: `is the published development ${what}, refused when NODE_ENV=production` },
    ]);
  });

  it('accepts real ones under NODE_ENV=production', () => {
    expect(loadConfig(sandboxConfigSchema, { ...REAL, NODE_ENV: 'production' })).toMatchObject({
      SANDBOX_PVE_TOKEN: [{ tokenId: 'vle@pve!tasks', secret: '0d9c3a52-1f7e-4b8a-9c6d-2e4f6a8b0c1d' }],
      SANDBOX_MOODLE_TOKEN: ['a1b2c3d4e5f60718293a4b5c6d7e8f90'],
      SANDBOX_GUACAMOLE_PASSWORD: 'a real guacamole password',
    });
  });
});

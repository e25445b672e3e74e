// The published development credentials of integration-worker (@vle/service-kit
// development-credentials.ts): the defaults outside production, refused under NODE_ENV=production.

import { ConfigError, DEV_GUACAMOLE_PASSWORD, DEV_LAB_CREDENTIALS_KEY, DEV_MOODLE_TOKEN, DEV_OPENVLE_TOKEN, loadConfig, type Environment } from '@vle/service-kit';
import { describe, expect, it } from 'vitest';
import { integrationWorkerConfigSchema } from './config.js';

/** Real values of every credential, as a production deployment sets them. */
const REAL: Environment = {
  MOODLE_TOKEN: 'a1b2c3d4e5f60718293a4b5c6d7e8f90',
  GUACAMOLE_PASSWORD: 'a real guacamole password',
  OPENVLE_TOKEN: 'f0e1d2c3b4a5968778695a4b3c2d1e0f12345678',
  LAB_CREDENTIALS_KEY: 'k'.repeat(48),
};

/** In the order of the schema, the order of the refusals. */
const CREDENTIALS = [
  ['MOODLE_TOKEN', DEV_MOODLE_TOKEN, 'Moodle web service token'],
  ['GUACAMOLE_PASSWORD', DEV_GUACAMOLE_PASSWORD, 'Guacamole password'],
  ['LAB_CREDENTIALS_KEY', DEV_LAB_CREDENTIALS_KEY, 'lab credentials key'],
  ['OPENVLE_TOKEN', DEV_OPENVLE_TOKEN, 'OpenVLE API key'],
] as const;

function problemsOf(env: Environment): ConfigError['problems'] {
  try {
    loadConfig(integrationWorkerConfigSchema, env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).not.toMatch(new RegExp(CREDENTIALS.map(([, value]) => value).join('|')));
    return (error as ConfigError).problems;
  }
  return [];
}

describe('integration-worker development credentials', () => {
  it('are the defaults outside production (npm start, the tests)', () => {
    for (const NODE_ENV of [undefined, 'test', 'development']) {
      expect(loadConfig(integrationWorkerConfigSchema, { NODE_ENV })).toMatchObject({
        MOODLE_TOKEN: DEV_MOODLE_TOKEN,
        GUACAMOLE_PASSWORD: DEV_GUACAMOLE_PASSWORD,
        OPENVLE_TOKEN: DEV_OPENVLE_TOKEN,
        LAB_CREDENTIALS_KEY: DEV_LAB_CREDENTIALS_KEY,
      });
    }
  });

  it('are all refused unset under NODE_ENV=production, each named', () => {
    expect(problemsOf({ NODE_ENV: 'production' })).toEqual(
      CREDENTIALS.map(([variable, , what]) => ({ variable, message: `is required when NODE_ENV=production (its default is the published development ${what})` })),
    );
  });

  it.each(CREDENTIALS)('%s: refused under NODE_ENV=production set to the published value', (variable, published, what) => {
    expect(problemsOf({ ...REAL, NODE_ENV: 'production', [variable]: published })).toEqual([
      { variable, message: `is the published development ${what}, refused when NODE_ENV=production` },
    ]);
  });

  it('accepts real values under NODE_ENV=production', () => {
    expect(loadConfig(integrationWorkerConfigSchema, { ...REAL, NODE_ENV: 'production' })).toMatchObject(REAL);
  });
});

import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, loadConfig, type Environment } from './config.js';
import { DEV_PVE_TOKEN_SECRET, developmentCredential } from './development-credentials.js';
import { integerVariable, proxmoxVariables } from './variables.js';

const PUBLISHED = 'published-development-secret';

const schema = z.object({
  SECRET: developmentCredential(z.string().default(PUBLISHED), 'secret of a test', PUBLISHED),
  TOKENS: developmentCredential(z.string().default(PUBLISHED), 'token list of a test', (raw) => raw.split(',').includes(PUBLISHED)),
  RETRIES: integerVariable(1, 0, 9),
});

function refusal(env: Environment): ConfigError {
  try {
    loadConfig(schema, env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('developmentCredential', () => {
  it('keeps the published default outside production', () => {
    for (const NODE_ENV of [undefined, 'test', 'development']) {
      expect(loadConfig(schema, { NODE_ENV })).toEqual({ SECRET: PUBLISHED, TOKENS: PUBLISHED, RETRIES: 1 });
      expect(loadConfig(schema, { NODE_ENV, SECRET: PUBLISHED }).SECRET).toBe(PUBLISHED);
    }
  });

  it('refuses it unset under NODE_ENV=production, naming the variable and why', () => {
    expect(refusal({ NODE_ENV: 'production', TOKENS: 'real' }).message).toBe(
      'Invalid configuration: SECRET: is required when NODE_ENV=production (its default is the published development secret of a test)',
    );
  });

  it('refuses it set to the published value (or a list holding it), never printing the value', () => {
    const error = refusal({ NODE_ENV: 'production', SECRET: ` ${PUBLISHED} `, TOKENS: `real,${PUBLISHED}` });
    expect(error.problems).toEqual([
      { variable: 'SECRET', message: 'is the published development secret of a test, refused when NODE_ENV=production' },
      { variable: 'TOKENS', message: 'is the published development token list of a test, refused when NODE_ENV=production' },
    ]);
    expect(error.message).not.toContain(PUBLISHED);
  });

  it('accepts a real value under NODE_ENV=production', () => {
    expect(loadConfig(schema, { NODE_ENV: 'production', SECRET: 'a-real-one', TOKENS: 'real,other' })).toEqual({ SECRET: 'a-real-one', TOKENS: 'real,other', RETRIES: 1 });
  });

  it('refuses it in a schema transformed as a whole too', () => {
    expect(() => loadConfig(schema.transform((config) => ({ ...config })), { NODE_ENV: 'production', TOKENS: 'real' })).toThrow('SECRET: is required when NODE_ENV=production');
  });

  it('reports the refusals with the invalid variables, at once', () => {
    expect(refusal({ NODE_ENV: 'production', RETRIES: '10' }).problems.map((p) => p.variable)).toEqual(['RETRIES', 'SECRET', 'TOKENS']);
  });
});

describe('PVE_TOKEN_SECRET', () => {
  const proxmox = z.object(proxmoxVariables);
  const real = '0d9c3a52-1f7e-4b8a-9c6d-2e4f6a8b0c1d';

  it('is the sandbox token secret outside production', () => {
    expect(loadConfig(proxmox, { NODE_ENV: 'test' }).PVE_TOKEN_SECRET).toBe(DEV_PVE_TOKEN_SECRET);
  });

  it('is required and never the published one under NODE_ENV=production', () => {
    expect(() => loadConfig(proxmox, { NODE_ENV: 'production' })).toThrow(
      'Invalid configuration: PVE_TOKEN_SECRET: is required when NODE_ENV=production (its default is the published development secret of the Proxmox API token)',
    );
    expect(() => loadConfig(proxmox, { NODE_ENV: 'production', PVE_TOKEN_SECRET: DEV_PVE_TOKEN_SECRET })).toThrow(
      'Invalid configuration: PVE_TOKEN_SECRET: is the published development secret of the Proxmox API token, refused when NODE_ENV=production',
    );
    expect(loadConfig(proxmox, { NODE_ENV: 'production', PVE_TOKEN_SECRET: real }).PVE_TOKEN_SECRET).toBe(real);
  });
});

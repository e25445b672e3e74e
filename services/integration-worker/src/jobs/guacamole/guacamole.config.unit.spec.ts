import { DEV_LAB_CREDENTIALS_KEY, loadConfig } from '@vle/service-kit';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { labCredentialsVariables } from '../../lab-credentials.config.js';
import { createGuacamoleJobDeps, guacamoleVariables } from './guacamole.config.js';

const schema = z.object({ ...guacamoleVariables, ...labCredentialsVariables });

describe('Guacamole variables', () => {
  it('default to the sandbox\'s simulator and the development key', async () => {
    const config = loadConfig(schema, {});
    expect(config).toMatchObject({ GUACAMOLE_URL: 'http://127.0.0.1:3009/guacamole', GUACAMOLE_USERNAME: 'guacadmin', GUACAMOLE_DATA_SOURCE: 'postgresql', GUACAMOLE_TIMEOUT_MS: 30_000 });
    const deps = createGuacamoleJobDeps(config);
    expect(deps.labCredentialsKey).toBe(DEV_LAB_CREDENTIALS_KEY);
    expect(JSON.stringify(deps.guacamole)).toBe('{"baseUrl":"http://127.0.0.1:3009/guacamole","username":"guacadmin","dataSource":"postgresql"}');
    await deps.guacamole.close();
  });

  it('refuse a bad URL and a short key, naming the variable', () => {
    expect(() => loadConfig(schema, { GUACAMOLE_URL: 'ftp://x' })).toThrow('GUACAMOLE_URL: must be an http:// or https:// URL');
    expect(() => loadConfig(schema, { LAB_CREDENTIALS_KEY: 'short' })).toThrow('LAB_CREDENTIALS_KEY: must be at least 32 characters');
  });
});

import { afterEach, describe, expect, it, vi } from 'vitest';
import { printFatal } from './bootstrap.js';
import { ConfigError } from './config.js';

function printed(error: unknown): Record<string, unknown> {
  const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  printFatal('a-service', error);
  return JSON.parse(String(write.mock.calls[0]![0]));
}

describe('printFatal', () => {
  afterEach(() => vi.restoreAllMocks());

  it('prints a ConfigError of secret variables as it reads: the names and why, each message scrubbed', () => {
    const error = new ConfigError([
      { variable: 'LAB_CREDENTIALS_KEY', message: 'is required when NODE_ENV=production' },
      { variable: 'MOODLE_TOKEN', message: 'is the published development Moodle web service token, refused when NODE_ENV=production' },
      { variable: 'SMTP_PASSWORD', message: 'password=hunter2 leaked into a message' },
    ]);
    expect(printed(error)).toMatchObject({
      level: 'fatal',
      service: 'a-service',
      code: 'INVALID_CONFIGURATION',
      message:
        'Invalid configuration: LAB_CREDENTIALS_KEY: is required when NODE_ENV=production; MOODLE_TOKEN: is the published development Moodle web service token, refused when NODE_ENV=production; SMTP_PASSWORD: password=[REDACTED] leaked into a message',
    });
  });

  it('scrubs any other error whole', () => {
    expect(printed(new Error('cannot reach postgres://vle:hunter2@db/vle_tasks')).message).toBe('cannot reach postgres://vle:[REDACTED]@db/vle_tasks');
  });
});

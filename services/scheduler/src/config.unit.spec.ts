import { ConfigError, loadConfig } from '@vle/service-kit';
import { describe, expect, it } from 'vitest';
import { schedulerConfigSchema } from './config.js';

const load = (env: Record<string, string>) => loadConfig(schedulerConfigSchema, env);

describe('scheduler config', () => {
  it('has the defaults of the original system', () => {
    const config = load({});
    expect(config.SCHEDULER_CLOCK_START).toBeUndefined();
    expect(config).toMatchObject({
      PORT: 3003,
      WORKER_PVE_PERIODIC_INTERVAL: 60,
      // The seed's defaults: a week of preparation before an event and after it.
      EVENTS_START_PREP_TIME_DAYS: 7,
      EVENTS_END_PREP_TIME_DAYS: 7,
      SCHEDULER_DISABLED: [],
      SCHEDULER_CATCH_UP_HOURS: 48,
      SCHEDULER_RETRY_SECONDS: 30,
      SCHEDULER_CLOCK_SPEED: 1,
    });
  });

  it('reads the schedules switched off and the test clock', () => {
    const config = load({ SCHEDULER_DISABLED: 'mail-cleanup, event-lifecycle', SCHEDULER_CLOCK_START: '2026-03-02T00:30:00Z', SCHEDULER_CLOCK_SPEED: '3600' });
    expect(config.SCHEDULER_DISABLED).toEqual(['mail-cleanup', 'event-lifecycle']);
    expect(config.SCHEDULER_CLOCK_START).toEqual(new Date('2026-03-02T00:30:00Z'));
    expect(config.SCHEDULER_CLOCK_SPEED).toBe(3600);
  });

  it.each([
    ['WORKER_PVE_PERIODIC_INTERVAL', '0', 'must be an integer from 1 to 86400'],
    ['WORKER_PVE_PERIODIC_INTERVAL', '1m', 'must be an integer from 1 to 86400'],
    ['EVENTS_START_PREP_TIME_DAYS', '-1', 'must be an integer from 0 to 365'],
    ['EVENTS_END_PREP_TIME_DAYS', 'two', 'must be an integer from 0 to 365'],
    ['SCHEDULER_DISABLED', 'mail-cleanup,nightly-backup', 'unknown schedule nightly-backup'],
    ['SCHEDULER_CLOCK_START', '2026-03-02 00:30', 'must be an ISO 8601 UTC time'],
    ['SCHEDULER_CLOCK_SPEED', '0', 'must be a number greater than 0'],
  ])('stops on a bad %s (%s), naming it', (variable, value, message) => {
    let error: unknown;
    try {
      load({ [variable]: value });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(`Invalid configuration: ${variable}: ${message}`);
  });
});

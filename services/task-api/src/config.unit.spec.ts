import { describe, expect, it } from 'vitest';
import { loadTaskApiConfig } from './config.js';

describe('TASK_API_FAULT', () => {
  it('is off by default', () => {
    expect(loadTaskApiConfig({}).TASK_API_FAULT).toBe('none');
  });

  it('is a test-only fault point: refused unless NODE_ENV=test, naming the variable', () => {
    expect(loadTaskApiConfig({ NODE_ENV: 'test', TASK_API_FAULT: 'crash-after-append' }).TASK_API_FAULT).toBe('crash-after-append');
    expect(() => loadTaskApiConfig({ NODE_ENV: 'production', TASK_API_FAULT: 'crash-after-append' })).toThrow(/TASK_API_FAULT: is a fault point for tests only/);
    expect(() => loadTaskApiConfig({ TASK_API_FAULT: 'crash-after-append' })).toThrow(/TASK_API_FAULT/);
    expect(() => loadTaskApiConfig({ NODE_ENV: 'test', TASK_API_FAULT: 'explode' })).toThrow(/TASK_API_FAULT/);
  });
});

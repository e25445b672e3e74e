import { describe, expect, it } from 'vitest';
import { environmentFor } from './index.js';

describe('environmentFor under SERVICE_ROLE=all', () => {
  it("points the projection's command forwarding at this process's task-api, unless TASK_API_URL is given", () => {
    expect(environmentFor('projection', { PROJECTION_PORT: '4002', TASK_API_PORT: '4001', PORT: '9' })).toMatchObject({ PORT: '4002', TASK_API_URL: 'http://127.0.0.1:4001' });
    expect(environmentFor('projection', {}).TASK_API_URL).toBe('http://127.0.0.1:3001');
    expect(environmentFor('projection', { HOST: '0.0.0.0', TASK_API_PORT: '4001' }).TASK_API_URL).toBe('http://127.0.0.1:4001');
    expect(environmentFor('projection', { HOST: '10.0.0.5' }).TASK_API_URL).toBe('http://10.0.0.5:3001');
    expect(environmentFor('projection', { HOST: '::' }).TASK_API_URL).toBe('http://[::1]:3001');
    expect(environmentFor('projection', { TASK_API_URL: 'http://api.internal:80' }).TASK_API_URL).toBe('http://api.internal:80');
    expect(environmentFor('scheduler', { TASK_API_PORT: '4001' }).TASK_API_URL).toBeUndefined();
  });

  it("names the process's one tracing SDK `all`, unless OTEL_SERVICE_NAME says otherwise", () => {
    expect(environmentFor('sandbox', {}).OTEL_SERVICE_NAME).toBe('all');
    expect(environmentFor('task-api', { OTEL_SERVICE_NAME: 'vle-tasks' }).OTEL_SERVICE_NAME).toBe('vle-tasks');
  });
});

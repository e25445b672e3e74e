import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HealthRegistry } from './health.js';
import { ServiceKitModule } from './service-kit.module.js';

describe('health endpoints', () => {
  let app: INestApplication;
  let url: string;
  let postgresUp = true;

  beforeAll(async () => {
    const module = await Test.createTestingModule({ imports: [ServiceKitModule.forRoot({ service: 'test', config: {} })] }).compile();
    app = module.createNestApplication({ logger: false });
    app.get(HealthRegistry).register('postgres', () => {
      if (!postgresUp) throw new Error('connect ECONNREFUSED postgres://app:hunter2@127.0.0.1:5432');
    });
    await app.listen(0, '127.0.0.1');
    url = await app.getUrl();
  });

  afterAll(() => app.close());

  it('live answers 200 whatever the dependencies', async () => {
    postgresUp = false;
    const response = await fetch(`${url}/health/live`);
    expect(response.status).toBe(200);
  });

  it('ready answers 200 when every check passes', async () => {
    postgresUp = true;
    const response = await fetch(`${url}/health/ready`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok', checks: { postgres: { status: 'up' } } });
  });

  it('ready answers 503 naming the failed check, with secrets masked', async () => {
    postgresUp = false;
    const response = await fetch(`${url}/health/ready`);
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({
      status: 'error',
      checks: { postgres: { status: 'down', error: 'connect ECONNREFUSED postgres://app:[REDACTED]@127.0.0.1:5432' } },
    });
  });
});

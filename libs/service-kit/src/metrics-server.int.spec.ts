import { jobsSucceeded } from '@vle/metrics';
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadConfig } from './config.js';
import { acquireMetricsServer, releaseMetricsServer } from './metrics-server.js';
import { httpVariables } from './variables.js';

const HOST = '127.0.0.1';
const opened: number[] = [];

async function open(port = 0): Promise<number> {
  const bound = await acquireMetricsServer(HOST, port);
  opened.push(port);
  return bound;
}

describe('the metrics endpoint (METRICS_PORT)', () => {
  afterEach(async () => {
    for (const port of opened.splice(0)) await releaseMetricsServer(HOST, port);
  });

  it('serves the registry as Prometheus text on GET /metrics, the process metrics included', async () => {
    const port = await open();
    jobsSucceeded.inc({ queue: 'mails', action: 'mail.send' });
    const response = await fetch(`http://${HOST}:${port}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const body = await response.text();
    expect(body).toMatch(/^vle_jobs_succeeded_total\{queue="mails",action="mail.send"\} [1-9]\d*$/m);
    expect(body).toMatch(/^process_cpu_user_seconds_total \d/m);
    expect(body).toMatch(/^nodejs_eventloop_lag_seconds \d/m);
  });

  it('answers HEAD without a body, 405 to another method and 404 to another path', async () => {
    const port = await open();
    const head = await fetch(`http://${HOST}:${port}/metrics`, { method: 'HEAD' });
    expect([head.status, await head.text()]).toEqual([200, '']);
    const post = await fetch(`http://${HOST}:${port}/metrics`, { method: 'POST', body: 'x' });
    expect([post.status, await post.text()]).toEqual([405, 'GET /metrics only\n']);
    const other = await fetch(`http://${HOST}:${port}/api/v1/tasks`);
    expect(other.status).toBe(404);
  });

  it('is shared by the services of one process and closed by the last of them', async () => {
    const port = await acquireMetricsServer(HOST, 0).then(async (first) => {
      await releaseMetricsServer(HOST, 0);
      return first;
    });
    // A fixed port, as METRICS_PORT gives: two services acquire it, the first release keeps it open.
    await acquireMetricsServer(HOST, port);
    await acquireMetricsServer(HOST, port);
    await releaseMetricsServer(HOST, port);
    expect((await fetch(`http://${HOST}:${port}/metrics`)).status).toBe(200);
    await releaseMetricsServer(HOST, port);
    await expect(fetch(`http://${HOST}:${port}/metrics`)).rejects.toThrow("fetch failed");
  });

  it('refuses a port another process holds, naming it, and can be opened again once it is free', async () => {
    const holder = createServer();
    const port = await new Promise<number>((resolve) => holder.listen(0, HOST, () => resolve((holder.address() as { port: number }).port)));
    await expect(acquireMetricsServer(HOST, port)).rejects.toMatchObject({ code: 'METRICS_PORT_UNAVAILABLE', message: expect.stringContaining(`METRICS_PORT ${port}`) });
    await new Promise<void>((resolve) => holder.close(() => resolve()));
    expect(await open(port)).toBe(port);
  });

  it('is a variable of every service: unset means no endpoint, a bad value names the variable', () => {
    const schema = z.object(httpVariables('scheduler'));
    expect(loadConfig(schema, {}).METRICS_PORT).toBeUndefined();
    expect(loadConfig(schema, { METRICS_PORT: '9464' }).METRICS_PORT).toBe(9464);
    expect(() => loadConfig(schema, { METRICS_PORT: 'http' })).toThrow(/METRICS_PORT: must be an integer from 1 to 65535/);
  });
});

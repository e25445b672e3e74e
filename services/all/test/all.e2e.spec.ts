import { fileURLToPath } from 'node:url';
import { portVariableOf, SERVICE_NAMES } from '@vle/service-kit';
import { createTestDatabase, deleteNamespaceStreams, freePort, killAllServices, spawnService, testNamespace, waitFor, type TestDatabase } from '@vle/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const entry = fileURLToPath(new URL('../dist/main.js', import.meta.url));

describe('SERVICE_ROLE=all', () => {
  let database: TestDatabase;
  const namespace = testNamespace('all');

  beforeAll(async () => {
    database = await createTestDatabase('vle_all');
  });

  afterAll(async () => {
    await killAllServices();
    await database?.drop();
    await deleteNamespaceStreams(namespace);
  });

  it('runs every service in one process, each on its <NAME>_PORT, and stops them all on SIGTERM', async () => {
    const ports = Object.fromEntries(await Promise.all(SERVICE_NAMES.map(async (name) => [name, await freePort()] as const)));
    const env = {
      NATS_NAMESPACE: namespace,
      DATABASE_URL: database.url,
      // The sandbox's SMTP sink on a free port too (2525 may be a developer's running sandbox).
      SANDBOX_SMTP_PORT: String(await freePort()),
      ...Object.fromEntries(SERVICE_NAMES.map((name) => [portVariableOf(name), String(ports[name])])),
    };
    const all = await spawnService(entry, env, { port: ports['task-api'] });
    await all.ready(60_000);
    for (const name of SERVICE_NAMES) {
      const url = `http://127.0.0.1:${ports[name]}/health/ready`;
      await waitFor(async () => (await fetch(url)).ok, { description: `${name} ready at ${url}`, timeoutMs: 30_000 });
      expect(all.output()).toContain(`${name} listening on http://127.0.0.1:${ports[name]}`);
    }
    // The projection forwards the command routes to this process's task-api (one origin): its refusal.
    const forwarded = await fetch(`http://127.0.0.1:${ports.projection}/api/v1/tasks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect({ status: forwarded.status, body: await forwarded.json() }).toMatchObject({ status: 401, body: { code: 'UNAUTHENTICATED' } });
    expect(await all.stop()).toEqual({ code: 0, signal: null });
  });

  it('stops at boot with the name of a bad SERVICE_ROLE', async () => {
    const all = await spawnService(entry, { SERVICE_ROLE: 'mailer' });
    expect(await all.exited()).toEqual({ code: 1, signal: null });
    expect(all.output('stderr')).toContain('Invalid configuration: SERVICE_ROLE: must be one of all, task-api');
  });
});

// `npm start`'s preflight as a person meets it on a stock Debian or Ubuntu machine: scripts/start.js
// run against a nats-server that answers on its port but has no JetStream (what Debian's nats-server
// package runs), and against a PostgreSQL that asks user postgres for a password over TCP. Then npm
// start on this machine's servers, and the tokens of the README ("Identity and permissions").

import { execFile, spawn } from 'node:child_process';
import { portVariableOf, SERVICE_NAMES } from '@vle/service-kit';
import { createTestDatabase, deleteNamespaceStreams, freePort, NATS_SERVER_BIN, startNatsServer, testNamespace, waitFor, type OwnNatsServer, type TestDatabase } from '@vle/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StockPostgres, startStockPostgres } from './stock-postgres.js';

const root = new URL('..', import.meta.url).pathname;

function runStart(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['scripts/start.js'], { cwd: root, env: { ...process.env, ...env } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', (code) => resolve({ code, output }));
  });
}

describe(`npm start against ${NATS_SERVER_BIN} without -js`, () => {
  let server: OwnNatsServer;
  let port: number;

  beforeAll(async () => {
    server = await startNatsServer({ jetstream: false });
    port = server.port;
  });

  afterAll(async () => {
    await server?.dispose();
  });

  it('stops before PostgreSQL with "has no JetStream" and the command that enables it', async () => {
    const closedPort = await freePort();
    const { code, output } = await runStart({
      NATS_URL: `nats://127.0.0.1:${port}`,
      DATABASE_URL: `postgres://postgres@127.0.0.1:${closedPort}/vle_tasks`,
    });

    expect(output).toContain(`NATS at 127.0.0.1:${port} has no JetStream`);
    expect(output).toMatch(/ -js |jetstream: \{store_dir/);
    expect(output).not.toContain('PostgreSQL');
    expect(code).toBe(1);
  });
});

describe('npm start against a stock Debian PostgreSQL (scram-sha-256 over TCP)', () => {
  let stock: StockPostgres;

  beforeAll(async () => {
    stock = await startStockPostgres();
  });

  afterAll(() => {
    stock?.stop();
  });

  it('stops with "asks for a password" and the one command that gives user postgres one', async () => {
    const { code, output } = await runStart({
      NATS_URL: process.env.NATS_URL ?? 'nats://127.0.0.1:4222',
      DATABASE_URL: `postgres://postgres@127.0.0.1:${stock.port}/vle_tasks`,
    });

    expect(output).toContain(`PostgreSQL at 127.0.0.1:${stock.port} asks for a password and DATABASE_URL has none`);
    expect(output).toContain(`sudo -u postgres psql -c "ALTER USER postgres PASSWORD 'postgres'"`);
    expect(output).toContain(`DATABASE_URL=postgres://postgres:postgres@127.0.0.1:${stock.port}/vle_tasks npm start`);
    expect(code).toBe(1);
  });
});

describe('npm start on this machine, then a token as the README says', () => {
  let database: TestDatabase;
  const namespace = testNamespace('start');

  beforeAll(async () => {
    database = await createTestDatabase('vle_start');
  });

  afterAll(async () => {
    await database?.drop();
    await deleteNamespaceStreams(namespace);
  });

  it('prints a ready admin token the services take; npm run token mints a narrower one they hold to its permissions', async () => {
    const ports = Object.fromEntries(await Promise.all(SERVICE_NAMES.map(async (name) => [name, await freePort()] as const)));
    const env = {
      ...process.env,
      NATS_NAMESPACE: namespace,
      DATABASE_URL: database.url,
      SANDBOX_SMTP_PORT: String(await freePort()),
      ...Object.fromEntries(SERVICE_NAMES.map((name) => [portVariableOf(name), String(ports[name])])),
    };
    const child = spawn(process.execPath, ['scripts/start.js'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const admin = await waitFor(() => /Admin token[^\n]*\n\s+(\S+)\n/.exec(output)?.[1], { description: 'npm start to print the admin token', timeoutMs: 90_000 });
      const taskApi = `http://127.0.0.1:${ports['task-api']}`;
      const projection = `http://127.0.0.1:${ports.projection}`;
      expect(output).toContain(`curl -H "Authorization: Bearer $TOKEN" ${projection}/api/v1/tasks`);
      expect(output).toContain(`Clients and the admin UI use one base URL, for reads, commands and the live stream: ${projection}`);
      // The admin UI signed in with that token (through the URL fragment).
      expect(output).toContain(`The admin UI, signed in with it:\n  ${projection}/#token=${admin}\n`);
      // Through the one origin (the projection forwards the command to task-api), as a client does.
      const created = await fetch(`${projection}/api/v1/tasks`, {
        method: 'POST',
        headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'mail.cleanup', params: {} }),
      });
      expect({ status: created.status, body: await created.json() }).toMatchObject({ status: 201, body: { status: expect.any(String) } });
      expect((await fetch(`${projection}/api/v1/tasks`)).status).toBe(401);

      const minted = await new Promise<string>((resolve, reject) =>
        execFile(process.execPath, ['libs/auth/dist/cli/token.js', '--sub', 'alice', '--perms', 'tasks_read,sub_tasks_read'], { cwd: root }, (error, stdout) => (error ? reject(error) : resolve(stdout.trim()))),
      );
      const list = await fetch(`${projection}/api/v1/tasks`, { headers: { authorization: `Bearer ${minted}` } });
      expect(list.status).toBe(200);
      const refused = await fetch(`${taskApi}/api/v1/tasks`, { method: 'POST', headers: { authorization: `Bearer ${minted}`, 'content-type': 'application/json' }, body: '{}' });
      expect(refused.status).toBe(403);
      expect(await refused.json()).toMatchObject({ code: 'FORBIDDEN', message: 'the token lacks the permission tasks_create' });

      // A service's identity, for its AUTH_SERVICE_TOKEN_FILE: it creates, and sees nothing.
      const service = await new Promise<string>((resolve, reject) =>
        execFile(process.execPath, ['libs/auth/dist/cli/token.js', '--service', 'integration-worker'], { cwd: root }, (error, stdout) => (error ? reject(error) : resolve(stdout.trim()))),
      );
      const byService = await fetch(`${taskApi}/api/v1/tasks`, { method: 'POST', headers: { authorization: `Bearer ${service}`, 'content-type': 'application/json' }, body: JSON.stringify({ type: 'mail.cleanup', params: {} }) });
      expect(byService.status).toBe(201);
      expect((await fetch(`${projection}/api/v1/tasks`, { headers: { authorization: `Bearer ${service}` } })).status).toBe(403);
    } finally {
      child.kill('SIGINT');
      await exited;
    }
  }, 120_000);
});

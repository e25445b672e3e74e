// `npm start`'s preflight as a person meets it on a stock Debian or Ubuntu machine: scripts/start.js
// run against a nats-server that answers on its port but has no JetStream (what Debian's nats-server
// package runs), and against a PostgreSQL that asks user postgres for a password over TCP.

import { spawn } from 'node:child_process';
import { freePort, NATS_SERVER_BIN, startNatsServer, type OwnNatsServer } from '@vle/testing';
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

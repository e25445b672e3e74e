// The preflight's checks against real servers: a nats-server without JetStream and a PostgreSQL set up
// as Debian sets it up. Each printed fix is then applied, and the check must pass afterwards.

import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { accepts, freePort, NATS_SERVER_BIN, waitFor } from '@vle/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkDatabase, checkNats, type Machine } from './preflight.js';
import { type StockPostgres, startStockPostgres } from './stock-postgres.js';

const NATS_SERVER = NATS_SERVER_BIN;
const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const debian: Machine = { natsDebianService: true, natsDebianConfHasJetStream: false, natsServer: NATS_SERVER, postgresVersions: ['15'] };
const noService: Machine = { natsDebianService: false, natsDebianConfHasJetStream: false, natsServer: NATS_SERVER, postgresVersions: [] };

async function startNats(args: string[], port: number): Promise<ChildProcess> {
  const server = spawn(NATS_SERVER, args, { stdio: 'ignore' });
  await waitFor(() => accepts(port), { description: `nats-server on port ${port}` });
  return server;
}

describe('checkNats', () => {
  it('passes the NATS of the tests, which has JetStream', async () => {
    expect(await checkNats(NATS_URL)).toBeUndefined();
  });

  it('says a closed port is not reachable, and for the Debian service how to start it with JetStream', async () => {
    const port = await freePort();
    expect(await checkNats(`nats://127.0.0.1:${port}`, noService)).toBe(
      `NATS is not reachable at 127.0.0.1:${port} (ECONNREFUSED); start it: start-stop-daemon --start --oknodo --background --exec ${NATS_SERVER} -- -a 127.0.0.1 -p ${port} -js -sd /var/lib/nats-server`,
    );
    expect(await checkNats(`nats://127.0.0.1:${port}`, debian)).toContain(
      `; start it with JetStream: sudo install -d -o nats -g nats /var/lib/nats-server && echo 'jetstream: {store_dir: "/var/lib/nats-server"}' | sudo tee -a /etc/nats-server.conf && sudo systemctl restart nats-server`,
    );
    expect(await checkNats(`nats://127.0.0.1:${port}`, { ...debian, natsDebianConfHasJetStream: true })).toContain('; start it: sudo systemctl start nats-server');
  });

  describe('a nats-server without -js', () => {
    let dir: string;
    let port: number;
    const servers: ChildProcess[] = [];

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'vle-preflight-nats-'));
      port = await freePort();
      // What Debian's package runs: /usr/sbin/nats-server -c /etc/nats-server.conf, that file as shipped.
      writeFileSync(join(dir, 'nats-server.conf'), `host: 127.0.0.1\nport: ${port}\n`);
      servers.push(await startNats(['-c', join(dir, 'nats-server.conf')], port));
    });

    afterAll(() => {
      for (const server of servers) server.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    });

    it('names the Debian service fix, and the config line it appends gives that server JetStream', async () => {
      const problem = await checkNats(`nats://127.0.0.1:${port}`, debian);

      expect(problem).toContain(`NATS at 127.0.0.1:${port} has no JetStream (jetstream is not enabled)`);
      expect(problem).toContain(
        `sudo install -d -o nats -g nats /var/lib/nats-server && echo 'jetstream: {store_dir: "/var/lib/nats-server"}' | sudo tee -a /etc/nats-server.conf && sudo systemctl restart nats-server`,
      );
      expect(await checkNats(`nats://127.0.0.1:${port}`, noService)).toContain(
        `stop the nats-server on 127.0.0.1:${port} and start it with JetStream: ${NATS_SERVER} -a 127.0.0.1 -p ${port} -js -sd /var/lib/nats-server`,
      );

      // Apply the fix to the copy of the config (its store under the test's directory) and restart.
      const line = /echo '([^']+)'/.exec(problem!)![1]!.replace('/var/lib/nats-server', join(dir, 'store'));
      appendFileSync(join(dir, 'nats-server.conf'), `${line}\n`);
      const old = servers.pop()!;
      const exited = new Promise((resolve) => old.once('exit', resolve));
      old.kill('SIGTERM');
      await exited;
      servers.push(await startNats(['-c', join(dir, 'nats-server.conf')], port));

      expect(await checkNats(`nats://127.0.0.1:${port}`, debian)).toBeUndefined();
    });
  });
});

describe('checkDatabase against a stock Debian PostgreSQL', () => {
  let stock: StockPostgres;

  beforeAll(async () => {
    stock = await startStockPostgres();
  });

  afterAll(() => {
    stock?.stop();
  });

  it('passes the PostgreSQL of the tests', async () => {
    expect(await checkDatabase(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres')).toBeUndefined();
  });

  it('names the fix for user postgres without a password, and with that fix applied it passes', async () => {
    const problem = await checkDatabase(`postgres://postgres@127.0.0.1:${stock.port}/vle_tasks`, debian);

    expect(problem).toBe(
      `PostgreSQL at 127.0.0.1:${stock.port} asks for a password and DATABASE_URL has none (a stock Debian/Ubuntu PostgreSQL does so over TCP) ` +
        `for user "postgres" (SASL: SCRAM-SERVER-FIRST-MESSAGE: client password must be a string); give the user a password: ` +
        `sudo -u postgres psql -c "ALTER USER postgres PASSWORD 'postgres'" and start with that password: ` +
        `DATABASE_URL=postgres://postgres:postgres@127.0.0.1:${stock.port}/vle_tasks npm start`,
    );

    stock.psql(/psql -c "([^"]+)"/.exec(problem!)![1]!);
    const fixedUrl = /DATABASE_URL=(\S+) npm start/.exec(problem!)![1]!;
    expect(await checkDatabase(fixedUrl, debian)).toBeUndefined();
  });

  it('says the password was refused without printing it, for a role that has another one', async () => {
    const role = `vle_preflight_${process.pid}`;
    stock.psql(`CREATE ROLE ${role} LOGIN PASSWORD 'right-one'`);
    try {
      const problem = await checkDatabase(`postgres://${role}:wrong-one@127.0.0.1:${stock.port}/vle_tasks`, debian);

      expect(problem).toContain(`refused the password in DATABASE_URL for user "${role}" (password authentication failed for user "${role}")`);
      expect(problem).toContain(`sudo -u postgres psql -c "ALTER USER ${role} PASSWORD 'postgres'"`);
      expect(problem).not.toContain('wrong-one');
    } finally {
      stock.psql(`DROP ROLE ${role}`);
    }
  });

  it('names the pg_hba.conf line for an address it has none for, and with that line it passes', async () => {
    const url = `postgres://postgres:postgres@127.0.0.1:${stock.port}/vle_tasks`;
    stock.psql(`ALTER USER postgres PASSWORD 'postgres'`);
    // A server that takes only socket connections (an admin removed the host lines).
    const hbaFile = stock.psql('SHOW hba_file').trim();
    writeFileSync(hbaFile, 'local all all trust\n');
    stock.psql('SELECT pg_reload_conf()');
    const problem = await waitFor(() => checkDatabase(url, debian), { description: 'pg_hba.conf without host lines in force' });

    expect(problem).toMatch(/^PostgreSQL at 127\.0\.0\.1:\d+ has no pg_hba\.conf entry for 127\.0\.0\.1 \(no pg_hba\.conf entry for host "127\.0\.0\.1"/);
    expect(problem).toContain(`allow it: echo 'host all all 127.0.0.1/32 scram-sha-256' | sudo tee -a /etc/postgresql/15/main/pg_hba.conf && sudo pg_ctlcluster 15 main reload`);

    appendFileSync(hbaFile, `${/echo '([^']+)'/.exec(problem)![1]}\n`);
    stock.psql('SELECT pg_reload_conf()');
    await waitFor(async () => (await checkDatabase(url, debian)) === undefined, { description: 'pg_hba.conf with the printed line in force' });
  });
});

// The projection service as a process (dist/main.js): it creates its database, migrates, projects the
// log, is killed with SIGKILL mid-way, restarts and converges; `projection:rebuild` (dist/rebuild.js)
// rebuilds next to it and swaps under it while it runs; a second replica stands by and takes over
// when the leader is killed. Needs a build: npx tsc -b services/projection.

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, startService, testToken, waitFor, type ServiceProcess } from '@vle/testing';
import { snapshot } from '../src/testing/read-model-snapshot.js';
import { scenario } from '../src/testing/task-scenarios.js';
import { openTestLog, type TestLog } from '../src/testing/test-log.js';
import { createReadModelDataSource } from '../src/db/data-source.js';

const admin = testToken();

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const REBUILD = fileURLToPath(new URL('../dist/rebuild.js', import.meta.url));
const run = promisify(execFile);

// Not created by the test: the service must create it (DESIGN §12).
const DATABASE = `vle_projection_e2e_${process.pid}`;
const DATABASE_URL = `postgres://postgres@127.0.0.1:5432/${DATABASE}`;

let log: TestLog;
let service: ServiceProcess;
let env: Record<string, string>;

async function status(of: ServiceProcess = service): Promise<{ appliedSeq: number; lag: number; streamSeq: number; leading: boolean; commits: number }> {
  return (await fetch(`${of.url}/api/v1/projection/status`, { headers: bearer(await admin) })).json() as never;
}

async function dropDatabase(): Promise<void> {
  const client = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
  await client.connect();
  await client.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
  await client.end();
}

async function rowsOf(schema: string) {
  const db = createReadModelDataSource({ databaseUrl: DATABASE_URL, schema });
  await db.initialize();
  try {
    return await snapshot(db, schema);
  } finally {
    await db.destroy();
  }
}

beforeAll(async () => {
  if (!existsSync(MAIN) || !existsSync(REBUILD)) throw new Error(`build first: npx tsc -b services/projection (missing ${MAIN})`);
  await dropDatabase();
  log = await openTestLog('proje2e');
  env = { DATABASE_URL, NATS_NAMESPACE: log.topology.namespace, PROJECTION_BATCH_SIZE: '25', LOG_LEVEL: 'warn' };
  service = await startService(MAIN, env);
});

afterAll(async () => {
  await service?.stop();
  await log?.close();
  await dropDatabase();
});

describe('projection service', () => {
  it('refuses a bad variable at boot, naming it', async () => {
    const failed = await run(process.execPath, [MAIN], { env: { ...process.env, ...env, PORT: 'abc' } }).catch((error: { code: number; stderr: string }) => error);
    expect(failed).toMatchObject({ code: 1, stderr: expect.stringContaining('PORT') });
  });

  it('converges after a SIGKILL mid-way, to exactly what a replay of the log gives', async () => {
    const appending = log.append(scenario(300, 51));
    await waitFor(async () => (await status()).appliedSeq > 300, { description: 'the service to apply 300 commits', timeoutMs: 60_000 });
    const killed = await service.kill('SIGKILL');
    expect(killed.signal).toBe('SIGKILL');
    const last = await appending;
    await service.restart();
    await waitFor(async () => (await status()).appliedSeq >= last, { description: `the restarted service to reach seq ${last}`, timeoutMs: 60_000 });
    expect(await status()).toMatchObject({ lag: 0, streamSeq: last });

    const { stdout } = await run(process.execPath, [REBUILD, '--no-swap'], { env: { ...process.env, ...env } });
    expect(JSON.parse(stdout)).toMatchObject({ schema: 'projection_rebuild', checkpoint: last, skippedCommits: 0 });
    expect(await rowsOf('projection')).toEqual(await rowsOf('projection_rebuild'));
  });

  it('keeps serving and projecting while projection:rebuild swaps a fresh replay in', async () => {
    const appending = log.append(scenario(100, 52));
    const { stdout } = await run(process.execPath, [REBUILD], { env: { ...process.env, ...env } });
    expect(JSON.parse(stdout)).toMatchObject({ schema: 'projection' });
    const last = await appending;
    await waitFor(async () => (await status()).appliedSeq >= last, { description: `the service to reach seq ${last} after the swap`, timeoutMs: 60_000 });
    const page = (await (await fetch(`${service.url}/api/v1/tasks?limit=500`, { headers: bearer(await admin) })).json()) as { items: unknown[] };
    expect(page.items).toHaveLength(400);
    await run(process.execPath, [REBUILD, '--no-swap'], { env: { ...process.env, ...env } });
    expect(await rowsOf('projection')).toEqual(await rowsOf('projection_rebuild'));
  });

  it('runs a second replica as a standby that takes over the moment the leader is SIGKILLed', async () => {
    const second = await startService(MAIN, env);
    try {
      await waitFor(async () => (await status()).leading, { description: 'the first replica leading' });
      expect(await status(second)).toMatchObject({ leading: false, commits: 0 });
      const first = await log.append(scenario(50, 53));
      await waitFor(async () => (await status(second)).appliedSeq >= first, { description: 'the leader to apply them (seen from the standby)', timeoutMs: 60_000 });
      expect(await status(second)).toMatchObject({ leading: false, commits: 0 });

      await service.kill('SIGKILL');
      await waitFor(async () => (await status(second)).leading, { description: 'the standby leading', timeoutMs: 30_000 });
      const last = await log.append(scenario(50, 54));
      await waitFor(async () => (await status(second)).appliedSeq >= last, { description: `the new leader to reach seq ${last}`, timeoutMs: 60_000 });
      expect((await status(second)).commits).toBeGreaterThan(0);
      await run(process.execPath, [REBUILD, '--no-swap'], { env: { ...process.env, ...env } });
      expect(await rowsOf('projection')).toEqual(await rowsOf('projection_rebuild'));
      // The old leader comes back as the standby.
      await service.restart();
      await waitFor(async () => (await status()).appliedSeq >= last, { description: 'the restarted replica up' });
      expect(await status()).toMatchObject({ leading: false });
    } finally {
      await second.stop();
    }
  });
});

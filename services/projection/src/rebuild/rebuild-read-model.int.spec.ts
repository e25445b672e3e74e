import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '@vle/testing';
import { openReadModelSchema } from '../db/data-source.js';
import { TASKS_PROJECTION } from '../projector/projection-name.js';
import { ProjectionRunner } from '../projector/projection.runner.js';
import { TaskProjector } from '../projector/task.projector.js';
import { snapshot } from '../testing/read-model-snapshot.js';
import { scenario } from '../testing/task-scenarios.js';
import { openTestLog, recordingLogger, type TestLog } from '../testing/test-log.js';
import { rebuildReadModel, type RebuildOptions } from './rebuild-read-model.js';

let database: TestDatabase;
let log: TestLog;
let live: DataSource;

const rebuild = (options: Partial<RebuildOptions> = {}) =>
  rebuildReadModel({ databaseUrl: database.url, schema: 'projection', projection: TASKS_PROJECTION, feed: log.feed, taskIdOf: log.taskIdOf, logger: recordingLogger(), ...options });

beforeAll(async () => {
  database = await createTestDatabase('vle_projection_rebuild');
  log = await openTestLog('projreb');
});

afterAll(async () => {
  if (live?.isInitialized) await live.destroy();
  await log?.close();
  await database?.drop();
});

describe('rebuildReadModel', () => {
  it('builds the live schema when there is none yet', async () => {
    const last = await log.append(scenario(50, 41));
    const result = await rebuild();
    expect(result).toMatchObject({ schema: 'projection', checkpoint: last, skippedCommits: 0 });
    console.info(`rebuild: ${result.commits} commits / ${result.events} events in ${result.durationMs} ms = ${result.eventsPerSecond} events/s`);
    live = await openReadModelSchema({ databaseUrl: database.url, schema: 'projection' });
    const [{ count }] = await live.query(`SELECT count(*)::int AS count FROM tasks`);
    expect(count).toBe(50);
  });

  it('swaps a fresh replay in under a running projector, which carries on from the rebuilt checkpoint', async () => {
    const runner = new ProjectionRunner(new TaskProjector(live, { name: TASKS_PROJECTION, taskIdOf: log.taskIdOf }), log.feed, recordingLogger(), {
      maxSize: 20,
      maxWaitMs: 5,
      retryDelayMs: 50,
    });
    runner.start();
    try {
      await runner.applied(await log.append(scenario(100, 42)));
      // Damage the live read model: the swap must replace it with what the log says.
      await live.query(`UPDATE tasks SET status = 'bogus', name = 'damaged'`);
      await live.query(`DELETE FROM sub_tasks WHERE position = 0`);
      const appending = log.append(scenario(150, 43));
      const result = await rebuild({ keepOld: true });
      const last = await appending;
      expect(result.oldSchema).toMatch(/^projection_old_/);
      await runner.applied(last);
      const [{ damaged }] = await live.query(`SELECT count(*)::int AS damaged FROM tasks WHERE status = 'bogus'`);
      expect(damaged).toBe(0);
      // The live tables (rebuilt, then projected on) equal another fresh replay, row for row.
      const again = await rebuild({ swap: false });
      expect(again.checkpoint).toBe(last);
      expect(await snapshot(live)).toEqual(await snapshot(live, again.schema));
      const [{ kept }] = await live.query(`SELECT count(*)::int AS kept FROM ${result.oldSchema}.tasks WHERE status = 'bogus'`);
      expect(kept).toBeGreaterThan(0);
    } finally {
      await runner.stop();
    }
  });
});

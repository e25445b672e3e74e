// projection:rebuild: replays the whole log into a fresh schema next to the live one, then swaps the
// two by renaming them in one transaction (DESIGN §7: the read model converges to what a fresh replay
// produces).
//
// Why the swap is safe while the service runs: every statement of the projector and the query API
// names tables without a schema (search_path), so after the rename they resolve to the rebuilt
// tables. The swap first locks the live checkpoint table, so it waits for a batch in flight, and a
// batch that starts later finds the rebuilt checkpoint: if it differs from what that replica expected,
// its compare-and-set fails and it resubscribes from the rebuilt checkpoint. Either way nothing is
// applied twice or skipped, so the rebuild need not stop exactly at the stream's end.
//
// The Proxmox inventory (pve_* tables) is not in the log: the swap copies the live one into the
// rebuilt schema under the same transaction (inventory/carry-inventory.ts).

import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { assertSchemaName, openReadModelSchema } from '../db/data-source.js';
import { carryInventory } from '../inventory/carry-inventory.js';
import { batches } from '../projector/batches.js';
import type { CommitFeed } from '../projector/commit-feed.js';
import { warnSkipped, type RunnerLogger } from '../projector/projection.runner.js';
import { TaskProjector } from '../projector/task.projector.js';

export interface RebuildOptions {
  readonly databaseUrl: string;
  /** The live read-model schema (DATABASE_SCHEMA). */
  readonly schema: string;
  /** The checkpoint name (TASKS_PROJECTION). */
  readonly projection: string;
  readonly feed: CommitFeed;
  readonly taskIdOf: (subject: string) => string;
  readonly logger: RunnerLogger;
  readonly batchSize?: number;
  /** Stop once nothing arrived for this long, even below the stream's last sequence (purged tail). */
  readonly idleMs?: number;
  /** false: build `<schema>_rebuild` and leave it there (to compare or inspect), no swap. */
  readonly swap?: boolean;
  /** Keep the replaced schema as `<schema>_old_<suffix>` instead of dropping it. */
  readonly keepOld?: boolean;
}

export interface RebuildResult {
  /** Where the rebuilt tables are now: the live schema when swapped. */
  readonly schema: string;
  /** The replaced schema when kept. */
  readonly oldSchema?: string;
  readonly checkpoint: number;
  readonly commits: number;
  readonly events: number;
  readonly skippedCommits: number;
  readonly durationMs: number;
  readonly eventsPerSecond: number;
}

export async function rebuildReadModel(options: RebuildOptions): Promise<RebuildResult> {
  assertSchemaName(options.schema);
  const started = Date.now();
  const buildSchema = `${options.schema}_rebuild`;
  // fresh: a leftover of an interrupted rebuild is garbage by definition.
  const build = await openReadModelSchema({ databaseUrl: options.databaseUrl, schema: buildSchema, poolSize: 2, applicationName: 'vle-projection-rebuild', fresh: true });
  try {
    const projector = new TaskProjector(build, { name: options.projection, taskIdOf: options.taskIdOf });
    const replay = await replayAll(projector, options);
    options.logger.log(`replayed ${replay.commits} commits (${replay.events} events) up to seq ${replay.checkpoint} into ${buildSchema}`);
    let schema = buildSchema;
    let oldSchema: string | undefined;
    if (options.swap ?? true) {
      oldSchema = await swapSchemas(build, options.schema, buildSchema, options.keepOld ?? false);
      schema = options.schema;
      options.logger.log(`swapped ${buildSchema} in as ${options.schema}${oldSchema ? `; the old one is kept as ${oldSchema}` : ''}`);
    }
    const durationMs = Date.now() - started;
    return { schema, oldSchema, ...replay, durationMs, eventsPerSecond: Math.round((replay.events * 1000) / Math.max(1, durationMs)) };
  } finally {
    await build.destroy();
  }
}

async function replayAll(projector: TaskProjector, options: RebuildOptions) {
  const target = await options.feed.lastSeq();
  let checkpoint = await projector.checkpoint();
  let commits = 0;
  let events = 0;
  let skippedCommits = 0;
  if (target === 0) return { checkpoint, commits, events, skippedCommits };
  const stop = new AbortController();
  const source = batches(options.feed.commits(1, stop.signal), { maxSize: options.batchSize ?? 1000, maxWaitMs: 20 })[Symbol.asyncIterator]();
  try {
    while (checkpoint < target) {
      const next = await nextWithin(source, options.idleMs ?? 2_000);
      if (next === 'idle') {
        options.logger.warn(`nothing arrived for ${options.idleMs ?? 2_000} ms at seq ${checkpoint} (stream last seq was ${target}): stopping here`);
        break;
      }
      if (next.done) break;
      const applied = await projector.applyIsolating(next.value, checkpoint);
      for (const skipped of applied.skipped) warnSkipped(options.logger, skipped);
      checkpoint = applied.checkpoint;
      commits += applied.commits;
      events += applied.events;
      skippedCommits += applied.skipped.length;
    }
  } finally {
    stop.abort();
    void source.return?.(undefined);
  }
  return { checkpoint, commits, events, skippedCommits };
}

async function nextWithin<T>(iterator: AsyncIterator<T>, ms: number): Promise<IteratorResult<T> | 'idle'> {
  let timer: NodeJS.Timeout | undefined;
  const idle = new Promise<'idle'>((resolve) => (timer = setTimeout(() => resolve('idle'), ms)));
  try {
    return await Promise.race([iterator.next(), idle]);
  } finally {
    clearTimeout(timer);
  }
}

/** Renames live -> old and build -> live in one transaction; returns the old schema's name if kept. */
async function swapSchemas(db: DataSource, live: string, build: string, keepOld: boolean): Promise<string | undefined> {
  const old = `${live}_old_${randomBytes(3).toString('hex')}`;
  const runner = db.createQueryRunner();
  await runner.connect();
  let replaced = false;
  try {
    await runner.startTransaction();
    const [{ exists }] = await runner.query(`SELECT to_regnamespace($1) IS NOT NULL AS exists`, [live]);
    if (exists) {
      const [{ table }] = await runner.query(`SELECT to_regclass($1) IS NOT NULL AS table`, [`${live}.projection_checkpoints`]);
      // Waits for the live projector's batch in flight; later batches wait for the swap.
      if (table) await runner.query(`LOCK TABLE ${live}.projection_checkpoints IN ACCESS EXCLUSIVE MODE`);
      await carryInventory(runner, live, build);
      await runner.query(`ALTER SCHEMA ${live} RENAME TO ${old}`);
      replaced = true;
    }
    await runner.query(`ALTER SCHEMA ${build} RENAME TO ${live}`);
    await runner.commitTransaction();
  } catch (error) {
    await runner.rollbackTransaction().catch(() => undefined);
    throw error;
  } finally {
    await runner.release();
  }
  if (!replaced) return undefined;
  if (keepOld) return old;
  await db.query(`DROP SCHEMA ${old} CASCADE`);
  return undefined;
}

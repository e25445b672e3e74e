import { z } from 'zod';
import { authVariables, booleanVariable, databaseVariables, httpVariables, integerVariable, natsVariables } from '@vle/service-kit';
import { DEFAULT_READ_MODEL_SCHEMA } from './db/data-source.js';
import { uiDirOf } from './ui/ui-dir.js';
import { DEFAULT_RETENTION_POLICY, parseRetentionPolicy, RetentionPolicyError, type RetentionPolicy } from './retention/retention-policy.js';

/** RETENTION_POLICY (retention-policy.ts): parsed once at boot, a bad rule named in the ConfigError. */
const retentionPolicyVariable = z
  .string()
  .optional()
  .transform((raw, ctx): RetentionPolicy => {
    try {
      return parseRetentionPolicy(raw ?? DEFAULT_RETENTION_POLICY);
    } catch (error) {
      if (!(error instanceof RetentionPolicyError)) throw error;
      ctx.addIssue({ code: 'custom', message: error.message });
      return z.NEVER;
    }
  });

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export const projectionConfigSchema = z.object({
  ...httpVariables('projection'),
  ...natsVariables,
  ...databaseVariables,
  ...authVariables,
  /** PostgreSQL schema of the live read model; `projection:rebuild` builds a second one and swaps. */
  DATABASE_SCHEMA: z
    .string()
    .optional()
    .transform((raw) => raw ?? DEFAULT_READ_MODEL_SCHEMA)
    .refine((schema) => SCHEMA_NAME.test(schema) && schema !== 'public' && !schema.startsWith('pg_'), {
      message: "must be a lower-case identifier (letters, digits, '_'), not public or pg_*",
    }),
  /** Largest batch of commits applied in one transaction. */
  PROJECTION_BATCH_SIZE: integerVariable(500, 1, 10_000),
  /** How long a batch waits for more commits after its first one. */
  PROJECTION_BATCH_WAIT_MS: integerVariable(5, 0, 10_000),
  /** Folded Task states kept in memory between batches, in SubTasks (about 1 kB each); 0 disables. */
  PROJECTION_STATE_CACHE_WEIGHT: integerVariable(50_000, 0, 10_000_000),
  /**
   * How long the leader lets a SubTask stay queued without starting before it publishes its job again
   * (the repair of a publish lost between an append and its publish; JOBS keeps a job once).
   */
  PROJECTION_JOB_REPAIR_AFTER_MS: integerVariable(10_000, 100, 3_600_000),
  /**
   * The longest one statement of the query API may run (PostgreSQL `statement_timeout` on the
   * connections of the reads, not of the projector): a query that needs longer is answered 503
   * QUERY_TIMEOUT instead of holding a connection.
   */
  PROJECTION_QUERY_TIMEOUT_MS: integerVariable(2000, 100, 600_000),
  /**
   * PostgreSQL parallel workers one read of the query API may use (`max_parallel_workers_per_gather`).
   * 0: a page of 50 rows under a LIMIT costs less than starting the workers (over 1,000,000 Tasks a
   * `responseCode` page took 65 ms with 2 workers and 10 ms with none), and concurrent readers
   * would take each other's cores.
   */
  PROJECTION_QUERY_PARALLEL_WORKERS: integerVariable(0, 0, 64),
  /** A live stream's heartbeat (a comment line), and how often a replica with clients looks for a change it missed. */
  PROJECTION_LIVE_HEARTBEAT_MS: integerVariable(15_000, 100, 600_000),
  /** Live streams one replica serves at once; one more is answered 503. */
  PROJECTION_LIVE_MAX_CLIENTS: integerVariable(1000, 1, 100_000),
  /** The most changed Tasks a reconnecting client is sent; beyond it, a `reset` event (load the list again). */
  PROJECTION_LIVE_CATCH_UP_MAX: integerVariable(1000, 1, 100_000),
  /**
   * The most data rows of one CSV export (GET /api/v1/tasks/export.csv); an export that would hold
   * more ends with a record saying it was cut. A client may ask for fewer with `limit`.
   */
  PROJECTION_EXPORT_MAX_ROWS: integerVariable(100_000, 1, 10_000_000),
  /** How long finished Tasks stay, by status and type (README, "Retention"). */
  RETENTION_POLICY: retentionPolicyVariable,
  /** true: the retention deletes nothing (its runs answer `enabled: false`); the dry run still shows the policy. */
  RETENTION_DISABLED: booleanVariable(false),
  /** Tasks deleted per batch of a retention run (each batch one transaction, between two projector batches). */
  RETENTION_BATCH_SIZE: integerVariable(500, 1, 10_000),
  /**
   * task-api's base URL: the projection is the one origin of clients and forwards the command routes
   * there (README, "One origin").
   */
  TASK_API_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).default('http://127.0.0.1:3001'),
  /** The longest task-api may take to answer a forwarded command (or stay silent): then 504 UPSTREAM_TIMEOUT. */
  TASK_API_TIMEOUT_MS: integerVariable(30_000, 100, 600_000),
  /** Commands forwarded to task-api at once; one more is answered 503 UPSTREAM_BUSY (Retry-After: 1). */
  TASK_API_MAX_IN_FLIGHT: integerVariable(256, 1, 100_000),
  /**
   * The built admin UI (index.html and assets/) the projection serves on its origin (README, "The
   * admin UI"); relative to the working directory. Default: apps/web/dist of the checkout (or of the
   * image), found from this module's own file. Without an index.html there, GET / answers 503.
   */
  PROJECTION_UI_DIR: z.string().optional().transform(uiDirOf),
});

export type ProjectionConfig = z.output<typeof projectionConfigSchema>;

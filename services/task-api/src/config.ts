import { z } from 'zod';
import { authVariables, benchQueueVariables, httpVariables, integerVariable, loadConfig, natsVariables, type Environment } from '@vle/service-kit';

const schema = z
  .object({
    ...httpVariables('task-api'),
    ...natsVariables,
    ...authVariables,
    /** WORKER_MAX_RETRY of the original system: retries of the job queues (declared on their consumers). */
    WORKER_MAX_RETRY: integerVariable(5, 0, 100),
    /** How long a failed SubTask may be retried by a person (DESIGN §4). */
    RETRY_WINDOW_HOURS: integerVariable(24, 1, 24 * 365),
    /** Commands (HTTP and NATS request/reply) handled at once; more are refused 503 BUSY (command-budget.ts). */
    TASK_API_MAX_COMMANDS_IN_FLIGHT: integerVariable(256, 1, 100_000),
    /** The summed body bytes of the commands in flight (default 32 MiB); a body of unknown length counts 512 KiB. */
    TASK_API_MAX_BYTES_IN_FLIGHT: integerVariable(32 * 1024 * 1024, 1024 * 1024, 4 * 1024 * 1024 * 1024),
    ...benchQueueVariables,
    NODE_ENV: z.string().optional(),
    /**
     * Tests only (refused unless NODE_ENV=test): `crash-after-append` makes the process SIGKILL itself
     * right after a durable command (tasks.cmd.*) was appended and before it is acked, the crash
     * window of a redelivery (test/reliability/durable-create-crash.e2e.spec.ts); `no-inline-dispatch`
     * appends commits without publishing their jobs, what a crash right after an append leaves
     * behind, for the projection's job repair to find (test/reliability/crash.e2e.spec.ts).
     */
    TASK_API_FAULT: z.enum(['none', 'crash-after-append', 'no-inline-dispatch']).default('none'),
  })
  .superRefine((config, ctx) => {
    if (config.TASK_API_FAULT !== 'none' && config.NODE_ENV !== 'test') {
      ctx.addIssue({ code: 'custom', path: ['TASK_API_FAULT'], message: 'is a fault point for tests only: it is refused unless NODE_ENV=test' });
    }
  });

export type TaskApiConfig = z.output<typeof schema>;

export function loadTaskApiConfig(env?: Environment): TaskApiConfig {
  return loadConfig(schema, env);
}

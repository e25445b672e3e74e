import { z } from 'zod';
import { benchQueueVariables, httpVariables, integerVariable, loadConfig, natsVariables, type Environment } from '@vle/service-kit';

const schema = z.object({
  ...httpVariables('task-api'),
  ...natsVariables,
  /** WORKER_MAX_RETRY of the original system: retries of the job queues (declared on their consumers). */
  WORKER_MAX_RETRY: integerVariable(5, 0, 100),
  /** How long a failed SubTask may be retried by a person (DESIGN §4). */
  RETRY_WINDOW_HOURS: integerVariable(24, 1, 24 * 365),
  /** Run the dispatcher in this process (off: an API-only replica; another replica dispatches). */
  TASK_API_DISPATCHER: z.enum(['on', 'off']).default('on'),
  ...benchQueueVariables,
});

export type TaskApiConfig = z.output<typeof schema>;

export function loadTaskApiConfig(env?: Environment): TaskApiConfig {
  return loadConfig(schema, env);
}

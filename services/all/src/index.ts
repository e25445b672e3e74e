// SERVICE_ROLE=all (default) runs every service in this process, each on its own port: PORT is
// ignored and <NAME>_PORT (TASK_API_PORT, ...) overrides a default port. SERVICE_ROLE=<name> runs
// that one service as its own package's main.js would (PORT applies). One image, any role (deploy/).

import { DEFAULT_PORTS, loadConfig, portVariableOf, ServiceLogger, type Environment, type RunningService } from '@vle/service-kit';
import { allConfigSchema } from './config.js';
import { BOOTSTRAPS } from './roles.js';

export { allConfigSchema, SERVICE_ROLES, type AllConfig, type ServiceRole } from './config.js';
export { BOOTSTRAPS } from './roles.js';

/**
 * The environment one service sees under SERVICE_ROLE=all. The projection forwards commands to the
 * task-api of this process (README, "One origin"), on TASK_API_PORT, unless TASK_API_URL says otherwise.
 */
export function environmentFor(service: (typeof BOOTSTRAPS)[number][0], env: Environment): Environment {
  const { PORT: _ignored, ...rest } = env;
  // One process, one tracing SDK: its spans are the process's, as its log lines are (service "all").
  const own = { ...rest, PORT: env[portVariableOf(service)], OTEL_SERVICE_NAME: env.OTEL_SERVICE_NAME || 'all' };
  if (service !== 'projection' || env.TASK_API_URL) return own;
  return { ...own, TASK_API_URL: `http://${reachableHostOf(env.HOST)}:${env[portVariableOf('task-api')] ?? DEFAULT_PORTS['task-api']}` };
}

/** Where this process's own listener is reached: a wildcard address is reached on loopback. */
function reachableHostOf(host: string | undefined): string {
  const chosen = host?.trim() || '127.0.0.1';
  if (chosen === '0.0.0.0') return '127.0.0.1';
  if (chosen === '::') return '[::1]';
  return chosen.includes(':') ? `[${chosen}]` : chosen;
}

export async function bootstrapRole(env: Environment = process.env): Promise<RunningService[]> {
  const config = loadConfig(allConfigSchema, env);
  if (config.SERVICE_ROLE !== 'all') {
    const [, bootstrap] = BOOTSTRAPS.find(([name]) => name === config.SERVICE_ROLE)!;
    return [await bootstrap({ env })];
  }
  // Nest's logger is process-wide: one logger for every app, its records marked service "all".
  const logger = new ServiceLogger({ service: 'all', level: config.LOG_LEVEL, format: config.LOG_FORMAT });
  const running: RunningService[] = [];
  // One after the other: task-api has provisioned the streams before a worker binds its consumer.
  for (const [name, bootstrap] of BOOTSTRAPS) {
    running.push(await bootstrap({ env: environmentFor(name, env), logger }));
  }
  return running;
}

// Every route of the API the client calls, by the operationId of the API description, and the ones
// it leaves out with the reason. routes.unit.spec.ts compares both with the description's operations:
// a route added there that is in neither, or one here that is gone or moved, fails the test.

import type { operations } from './generated/openapi.js';

export type OperationId = keyof operations;

/** Which base URL serves a route: task-api's commands, or the projection's queries (one origin: the same). */
export type Origin = 'commands' | 'queries';

export interface Route {
  readonly method: 'GET' | 'POST';
  /** As the API declares it: `/api/v1/tasks/:id`. */
  readonly path: string;
  readonly origin: Origin;
}

const get = (path: string): Route => ({ method: 'GET', path, origin: 'queries' });
const command = (path: string): Route => ({ method: 'POST', path, origin: 'commands' });

/** Operations of the description the client does not offer, and why. */
export const OMITTED_OPERATIONS = {
  live: "each service's own liveness probe, for the orchestrator (Kubernetes, compose), not for clients",
  ready: "each service's own readiness probe, for the orchestrator; a client learns the same from any call's 503",
} as const satisfies Partial<Record<OperationId, string>>;

// Every operation of the description that is not omitted, no more and no less: the typecheck names
// the operation `npm run generate` brought (or took away).
export const ROUTES = {
  listTasks: get('/api/v1/tasks'),
  streamTasks: get('/api/v1/tasks/stream'),
  exportTasks: get('/api/v1/tasks/export.csv'),
  getTask: get('/api/v1/tasks/:id'),
  getTaskHistory: get('/api/v1/tasks/:id/history'),
  getSubTask: get('/api/v1/tasks/:id/subtasks/:subTaskId'),
  getTaskReport: get('/api/v1/tasks/:id/report.html'),
  getStats: get('/api/v1/stats'),
  previewRetention: get('/api/v1/retention/preview'),
  runRetention: { method: 'POST', path: '/api/v1/retention/run', origin: 'queries' },
  listDeadLetters: get('/api/v1/dead-letters'),
  summarizeDeadLetters: get('/api/v1/dead-letters/summary'),
  getDeadLetter: get('/api/v1/dead-letters/:seq'),
  getProjectionStatus: get('/api/v1/projection/status'),
  listProxmoxNodes: get('/api/v1/proxmox/nodes'),
  listProxmoxVms: get('/api/v1/proxmox/vms'),
  getProxmoxVm: get('/api/v1/proxmox/vms/:vmid'),
  getMe: get('/api/v1/me'),
  getApiDescription: get('/api/v1/openapi.json'),
  createTask: command('/api/v1/tasks'),
  retrySubTask: command('/api/v1/tasks/:taskId/subtasks/:subTaskId/retry'),
  skipSubTask: command('/api/v1/tasks/:taskId/subtasks/:subTaskId/skip'),
  cancelTask: command('/api/v1/tasks/:taskId/cancel'),
  pinTask: command('/api/v1/tasks/:taskId/pin'),
  unpinTask: command('/api/v1/tasks/:taskId/unpin'),
} as const satisfies Record<Exclude<OperationId, keyof typeof OMITTED_OPERATIONS>, Route>;

export type ImplementedOperation = keyof typeof ROUTES;

/** `/api/v1/tasks/:id` with `{id}` filled in, each value escaped as a path segment. */
export function pathOf(route: Route, params: Readonly<Record<string, string | number>> = {}): string {
  return route.path.replace(/:([A-Za-z]+)/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined || value === '') throw new TypeError(`${route.path}: the path parameter ${name} is missing`);
    return encodeURIComponent(String(value));
  });
}

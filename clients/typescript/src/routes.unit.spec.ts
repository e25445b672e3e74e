// The client follows the API description: every operation of OPERATIONS (what the services serve,
// services/projection/src/openapi/openapi-document.ts) is implemented here with its method, path and
// origin, or omitted with a reason; and nothing is implemented that the API does not have.

import { describe, expect, it } from 'vitest';
import { OPERATIONS, type Operation } from '../../../services/projection/src/openapi/openapi-document.js';
import { OMITTED_OPERATIONS, pathOf, ROUTES, type Route } from './routes.js';

/** What is wrong between the API's operations and the client's routes, one line per operation. */
function routeProblems(operations: readonly Operation[], routes: Readonly<Record<string, Route>>, omitted: Readonly<Record<string, string>>): string[] {
  const problems: string[] = [];
  const byId = new Map(operations.map((o) => [o.operationId, o]));
  for (const o of operations) {
    const route = routes[o.operationId];
    if (route === undefined) {
      if (!(o.operationId in omitted)) problems.push(`${o.operationId} (${o.method.toUpperCase()} ${o.path}) is neither implemented nor omitted by the client`);
      continue;
    }
    if (o.operationId in omitted) problems.push(`${o.operationId} is both implemented and omitted`);
    if (route.method !== o.method.toUpperCase() || route.path !== o.path) problems.push(`${o.operationId}: the client calls ${route.method} ${route.path}, the API serves ${o.method.toUpperCase()} ${o.path}`);
    const origin = o.services.includes('task-api') ? 'commands' : 'queries';
    if (route.origin !== origin) problems.push(`${o.operationId}: the client sends it to the ${route.origin} origin, the API serves it on the ${origin} origin`);
  }
  for (const id of Object.keys(routes)) if (!byId.has(id)) problems.push(`${id}: the client implements an operation the API no longer has`);
  for (const id of Object.keys(omitted)) if (!byId.has(id)) problems.push(`${id}: the client omits an operation the API no longer has`);
  return problems;
}

describe('the routes of the client', () => {
  it('are exactly the operations of the API description, each implemented or omitted with a reason', () => {
    expect(routeProblems(OPERATIONS, ROUTES, OMITTED_OPERATIONS)).toEqual([]);
    for (const reason of Object.values(OMITTED_OPERATIONS)) expect(reason.length).toBeGreaterThan(20);
  });

  it('name the operation that the API added, moved or dropped', () => {
    const added: Operation = { services: ['projection'], method: 'get', path: '/api/v1/queues', operationId: 'listQueues', summary: 'the queues', permission: 'tasks_read', ok: { status: 200, description: 'the queues' } };
    const moved = OPERATIONS.map((o) => (o.operationId === 'getTask' ? { ...o, path: '/api/v2/tasks/:id' } : o));
    const dropped = OPERATIONS.filter((o) => o.operationId !== 'cancelTask' && o.operationId !== 'live');
    expect(routeProblems([...OPERATIONS, added], ROUTES, OMITTED_OPERATIONS)).toEqual(['listQueues (GET /api/v1/queues) is neither implemented nor omitted by the client']);
    expect(routeProblems(moved, ROUTES, OMITTED_OPERATIONS)).toEqual(['getTask: the client calls GET /api/v1/tasks/:id, the API serves GET /api/v2/tasks/:id']);
    expect(routeProblems(dropped, ROUTES, OMITTED_OPERATIONS)).toEqual(['cancelTask: the client implements an operation the API no longer has', 'live: the client omits an operation the API no longer has']);
  });

  it('fill in path parameters as escaped segments and refuse a missing one', () => {
    expect(pathOf(ROUTES.getSubTask, { id: 't 1', subTaskId: 'a/b' })).toBe('/api/v1/tasks/t%201/subtasks/a%2Fb');
    expect(() => pathOf(ROUTES.getTask, {})).toThrow('the path parameter id is missing');
    expect(() => pathOf(ROUTES.getTask, { id: '' })).toThrow('the path parameter id is missing');
  });
});

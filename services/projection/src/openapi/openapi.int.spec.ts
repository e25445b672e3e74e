// The API description against the services: its schemas are the committed ones of the answer types
// (scripts/openapi.js --check), its routes are exactly those the projection and task-api serve, it is
// valid OpenAPI 3.1, and the answers of a running projection and task-api match their schemas (the
// generated schemas allow no field the types do not have).

import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningService } from '@vle/service-kit';
import { bearer, createTestDatabase, freePort, testToken, waitFor, type TestDatabase } from '@vle/testing';
import { bootstrap as taskApiBootstrap } from '../../../task-api/src/index.js';
import { bootstrap } from '../index.js';
import { scenario } from '../testing/task-scenarios.js';
import { openTestLog, type TestLog } from '../testing/test-log.js';
import { OPERATIONS } from './openapi-document.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));

let database: TestDatabase;
let log: TestLog;
let projection: RunningService;
let taskApi: RunningService;
let admin: string;
let document: any;

beforeAll(async () => {
  database = await createTestDatabase('vle_openapi');
  log = await openTestLog('openapi');
  const env = { DATABASE_URL: database.url, NATS_NAMESPACE: log.topology.namespace, HOST: '127.0.0.1', LOG_LEVEL: 'warn', TASK_API_BENCH_QUEUE: 'true' };
  const taskApiPort = await freePort();
  taskApi = await taskApiBootstrap({ env: { ...env, PORT: String(taskApiPort) } });
  projection = await bootstrap({ env: { ...env, PORT: String(await freePort()), TASK_API_URL: `http://127.0.0.1:${taskApiPort}` } });
  admin = await testToken();
  document = await (await fetch(`${projection.url}/api/v1/openapi.json`)).json();
});

afterAll(async () => {
  await taskApi?.close();
  await projection?.close();
  await log?.close();
  await database?.drop();
});

/** `get /api/v1/tasks/:id` for every route an app serves. */
function routesOf(service: RunningService): string[] {
  const express = service.app.getHttpAdapter().getInstance() as { router: { stack: Array<{ route?: { path: string; methods: Record<string, boolean> } }> } };
  return express.router.stack.flatMap((layer) => (layer.route ? Object.keys(layer.route.methods).map((method) => `${method} ${layer.route!.path}`) : [])).sort();
}

describe('the API description', () => {
  it('holds the schemas the answer types give (npm run openapi:schemas)', async () => {
    await expect(promisify(execFile)(process.execPath, [`${root}scripts/openapi.js`, '--check'], { cwd: root })).resolves.toBeDefined();
  }, 60_000);

  it('describes exactly the routes each service serves', () => {
    for (const [service, app] of [['projection', projection], ['task-api', taskApi]] as const) {
      const described = OPERATIONS.filter((o) => o.services.includes(service)).map((o) => `${o.method} ${o.path}`).sort();
      expect({ service, routes: routesOf(app) }).toEqual({ service, routes: described });
    }
  });

  it('is valid OpenAPI 3.1, served without a token', async () => {
    const result = await new Validator().validate(document);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(document.openapi).toBe('3.1.0');
  });

  it('matches the answers of the running services', async () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    ajv.addSchema({ $id: 'api', components: document.components }, 'api');
    const check = async (name: string, response: Response, status: number): Promise<any> => {
      const body: unknown = await response.json();
      expect({ name, status: response.status }).toEqual({ name, status });
      const validate = ajv.getSchema(`api#/components/schemas/${name}`)!;
      expect({ name, valid: validate(body), errors: validate.errors ?? null }).toEqual({ name, valid: true, errors: null });
      return body;
    };
    const get = (path: string) => fetch(`${projection.url}${path}`, { headers: bearer(admin) });
    const last = await log.append(scenario(12, 3));
    await waitFor(async () => ((await (await get('/api/v1/projection/status')).json()) as { appliedSeq: number }).appliedSeq >= last, { description: 'the projection', timeoutMs: 30_000 });
    const page = await check('TaskPage', await get('/api/v1/tasks?limit=5'), 200);
    const task = page.items.find((t: { subtaskCounts: { failed: number } }) => t.subtaskCounts.failed > 0) ?? page.items[0];
    await check('TaskDetailView', await get(`/api/v1/tasks/${task.id}`), 200);
    const history = await check('TaskHistory', await get(`/api/v1/tasks/${task.id}/history`), 200);
    const subTaskId = history.attempts?.[0]?.subTaskId ?? history.events.find((e: { subTaskId?: string }) => e.subTaskId).subTaskId;
    await check('SubTaskDetailView', await get(`/api/v1/tasks/${task.id}/subtasks/${encodeURIComponent(subTaskId)}`), 200);
    await check('StatsView', await get('/api/v1/stats?from=2026-11-01&to=2026-12-01&interval=day'), 200);
    await check('ProjectionStatus', await get('/api/v1/projection/status'), 200);
    await check('RetentionPreview', await get('/api/v1/retention/preview'), 200);
    await check('DeadLetterPage', await get('/api/v1/dead-letters'), 200);
    await check('DeadLetterSummary', await get('/api/v1/dead-letters/summary'), 200);
    await check('PveNodesResponse', await get('/api/v1/proxmox/nodes'), 200);
    await check('PveVmsResponse', await get('/api/v1/proxmox/vms'), 200);
    await check('MeView', await get('/api/v1/me'), 200);
    await check('ReadinessReport', await get('/health/ready'), 200);
    await check('ErrorReplyBody', await get('/api/v1/tasks?q=status%20%3D%20done'), 400);
    await check('ErrorReplyBody', await get('/api/v1/tasks/0190a7e2-0000-7000-8000-00000000ffff'), 404);
    // Through the one origin: the projection forwards the commands to task-api.
    const post = (path: string, body: unknown) => fetch(`${projection.url}${path}`, { method: 'POST', headers: { ...bearer(admin), 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const created = await check('CreateTaskResult', await post('/api/v1/tasks', { name: 'described', subtasks: [{ key: 'a', name: 'A', action: 'noop', queue: 'bench' }] }), 201);
    await check('TaskCommandResult', await post(`/api/v1/tasks/${created.taskId}/pin`, { reason: 'described' }), 202);
    await check('ErrorReplyBody', await post('/api/v1/tasks', { name: '' }), 400);
  });
});

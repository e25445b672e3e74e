// Issue 13 §3, the Python client: its route table follows the API description (OPERATIONS), and its
// unittest suite passes with the machine's python3 against one whole running system (task-api,
// integration-worker with the sandbox's simulators, projection as processes).

import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DEV_AUTH_JWT_SECRET } from '@vle/auth';
import { testToken, waitFor } from '@vle/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApiPath, OPERATIONS } from '../../../services/projection/src/openapi/openapi-document.js';
import { System } from '../../../services/task-api/test/system.js';

const clientDir = fileURLToPath(new URL('..', import.meta.url));
const PYTHON = process.env.PYTHON ?? 'python3';
const SUITE_TIMEOUT_MS = 300_000;

interface PythonRun {
  readonly code: number | null;
  readonly output: string;
}

/** python3 in clients/python, its stdout and stderr together; killed past the suite's timeout. */
function python(args: readonly string[], env: Record<string, string> = {}): Promise<PythonRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, args, { cwd: clientDir, env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1', PYTHONUNBUFFERED: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const timer = setTimeout(() => {
      output += `\n[killed after ${SUITE_TIMEOUT_MS} ms]\n`;
      child.kill('SIGKILL');
    }, SUITE_TIMEOUT_MS);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ${PYTHON} (the client's tests need the machine's python3): ${error.message}`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

interface PythonRoute {
  readonly operation_id: string;
  readonly method: string;
  readonly path: string;
  readonly query: readonly string[];
  readonly headers: readonly string[];
  readonly command: boolean;
}

interface RouteTable {
  readonly routes: readonly PythonRoute[];
  readonly omitted: Readonly<Record<string, string>>;
}

const sorted = (names: readonly string[]) => [...names].sort().join(', ');

/** What differs between the API description and the client's table, one line per operation. */
function routeProblems(table: RouteTable): string[] {
  const problems: string[] = [];
  const implemented = new Map(table.routes.map((r) => [r.operation_id, r]));
  const described = new Set(OPERATIONS.map((o) => o.operationId));
  for (const o of OPERATIONS) {
    const route = implemented.get(o.operationId);
    const reason = table.omitted[o.operationId];
    const name = `${o.operationId} (${o.method.toUpperCase()} ${openApiPath(o.path)})`;
    if (!route) {
      if (!reason?.trim()) problems.push(`${name}: the Python client neither implements it nor lists it in OMITTED with a reason`);
      continue;
    }
    if (reason !== undefined) problems.push(`${name}: both implemented and omitted`);
    const parameters = (where: 'query' | 'header') => (o.parameters ?? []).filter((p) => p.in === where).map((p) => p.name);
    const wanted = { method: o.method.toUpperCase(), path: openApiPath(o.path), query: sorted(parameters('query')), headers: sorted(parameters('header')), command: o.services.includes('task-api') };
    const has = { method: route.method, path: route.path, query: sorted(route.query), headers: sorted(route.headers), command: route.command };
    for (const key of Object.keys(wanted) as (keyof typeof wanted)[]) {
      if (wanted[key] !== has[key]) problems.push(`${name}: the Python client has ${key} ${JSON.stringify(has[key])}, the API ${JSON.stringify(wanted[key])}`);
    }
  }
  for (const route of table.routes) {
    if (!described.has(route.operation_id)) problems.push(`${route.operation_id} (${route.method} ${route.path}): the Python client implements it, but the API has no such operation`);
  }
  for (const id of Object.keys(table.omitted)) {
    if (!described.has(id)) problems.push(`${id}: OMITTED by the Python client, but the API has no such operation`);
  }
  return problems;
}

describe('the route table of the Python client', () => {
  it('implements every operation of the API description, or omits it with a reason, with its method, path and parameters', async () => {
    const run = await python(['-c', 'from vle_tasks_client.routes import print_table; print_table()'], { PYTHONPATH: `${clientDir}src` });
    expect(run).toMatchObject({ code: 0 });
    expect(routeProblems(JSON.parse(run.output) as RouteTable)).toEqual([]);
  });

  it('fails for a changed route, naming the operation', () => {
    const table: RouteTable = {
      routes: [
        { operation_id: 'getTask', method: 'GET', path: '/api/v1/task/{id}', query: [], headers: [], command: false },
        { operation_id: 'listTaskz', method: 'GET', path: '/api/v1/tasks', query: [], headers: [], command: false },
      ],
      omitted: { live: 'a probe', ready: '' },
    };
    const problems = routeProblems(table);
    expect(problems).toContain('getTask (GET /api/v1/tasks/{id}): the Python client has path "/api/v1/task/{id}", the API "/api/v1/tasks/{id}"');
    expect(problems).toContain('listTaskz (GET /api/v1/tasks): the Python client implements it, but the API has no such operation');
    expect(problems).toContain('listTasks (GET /api/v1/tasks): the Python client neither implements it nor lists it in OMITTED with a reason');
    expect(problems).toContain('ready (GET /health/ready): the Python client neither implements it nor lists it in OMITTED with a reason');
    expect(problems.some((p) => p.startsWith('live '))).toBe(false);
  });
});

describe('the Python client against the running system', () => {
  const system = new System();
  const env: Record<string, string> = {};

  beforeAll(async () => {
    await system.start({ integrations: {} });
    // A dead letter for the suite to find: a durable create that is no JSON.
    await system.js.publish(system.topology.commandSubject('create'), 'not json', { headers: system.natsAuth() });
    await waitFor(async () => (await system.query('/api/v1/dead-letters?source=commands&code=MALFORMED_JSON')).body.items?.length > 0, { description: 'the dead letter of the malformed command', timeoutMs: 20_000 });
    Object.assign(env, {
      VLE_TASKS_URL: system.projection.url,
      VLE_TASKS_COMMANDS_URL: system.taskApi.url,
      VLE_TASKS_TOKEN: system.token,
      VLE_TASKS_READER_TOKEN: await testToken({ subject: 'py-reader', permissions: ['tasks_read'], expiresInSeconds: 3600 }),
      VLE_TASKS_TEST_SANDBOX_URL: system.sandbox!.url,
      VLE_TASKS_TEST_JWT_SECRET: DEV_AUTH_JWT_SECRET,
      VLE_TASKS_TEST_DEAD_LETTER: 'MALFORMED_JSON',
    });
  });

  afterAll(async () => {
    await system.stop();
  });

  it('passes its unittest suite, none skipped', async () => {
    const run = await python(['-m', 'unittest', 'discover', '-v'], env);
    // The whole output is in the failure's diff. "OK" alone: "OK (skipped=N)" would mean some test
    // did not run against the system.
    expect(run).toMatchObject({ code: 0, output: expect.stringMatching(/^OK$/m) });
    const ran = Number(/^Ran (\d+) tests? in/m.exec(run.output)?.[1]);
    expect(ran).toBeGreaterThanOrEqual(70);
  }, SUITE_TIMEOUT_MS + 10_000);
});

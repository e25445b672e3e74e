// The package as a consumer gets it from a registry: `npm pack` of the build (run `npm run build`
// first), installed offline into a project of its own outside the workspace. It must install alone
// (no @vle/* package, no dependency at all), run, and typecheck a consumer's code with the
// TypeScript of consumers (5.x) from its declarations only.

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const packageDir = fileURLToPath(new URL('..', import.meta.url));
let dir: string;
let consumer: string;

const run = (command: string, args: string[], cwd: string) => execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tasks-client-package-'));
  const tarball = run('npm', ['pack', '--silent', '--pack-destination', dir], packageDir).trim().split('\n').at(-1)!;
  consumer = join(dir, 'consumer');
  mkdirSync(consumer);
  writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies: { '@openvle/tasks-client': `file:../${tarball}` } }));
  run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], consumer);
}, 60_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the packed package', () => {
  it('installs alone: no dependency, only its build, its package.json and its README', () => {
    expect(readdirSync(join(consumer, 'node_modules')).filter((name) => !name.startsWith('.'))).toEqual(['@openvle']);
    const installed = join(consumer, 'node_modules/@openvle/tasks-client');
    expect(readdirSync(installed).sort()).toEqual(['README.md', 'dist', 'package.json']);
    expect(readdirSync(join(installed, 'dist')).filter((f) => !f.endsWith('.js') && !f.endsWith('.d.ts') && f !== 'generated')).toEqual([]);
  });

  it('runs from its build, and its NATS entry asks for the optional peer only when imported', () => {
    const script = [
      "import { createTasksClient, isConnectionError, ROUTES } from '@openvle/tasks-client';",
      "const error = await createTasksClient({ baseUrl: 'http://127.0.0.1:9' }).getMe().catch((e) => e);",
      "console.log(JSON.stringify({ connection: isConnectionError(error), code: error.code, routes: Object.keys(ROUTES).length }));",
      "const nats = await import('@openvle/tasks-client/nats').then(() => 'loaded', (e) => e.code);",
      'console.log(JSON.stringify({ nats }));',
    ].join('\n');
    const lines = run('node', ['--input-type=module', '-e', script], consumer).trim().split('\n').map((line) => JSON.parse(line));
    expect(lines).toEqual([{ connection: true, code: 'CONNECTION_FAILED', routes: 25 }, { nats: 'ERR_MODULE_NOT_FOUND' }]);
  });

  it("typechecks a consumer's code with TypeScript 5 from the declarations, typed commands refusing wrong params", () => {
    // What a consumer has: Node's types and, to use the NATS entry, nats.js.
    mkdirSync(join(consumer, 'node_modules/@types'), { recursive: true });
    symlinkSync(join(root, 'node_modules/@types/node'), join(consumer, 'node_modules/@types/node'));
    mkdirSync(join(consumer, 'node_modules/@nats-io'));
    for (const name of ['transport-node', 'nats-core', 'nkeys', 'nuid']) symlinkSync(join(root, 'node_modules/@nats-io', name), join(consumer, 'node_modules/@nats-io', name));
    writeFileSync(
      join(consumer, 'use.ts'),
      [
        "import type { NatsConnection } from '@nats-io/transport-node';",
        "import { createTasksClient, isSearchQueryError, isTaskWaitTimeoutError, type CreateTaskCommand, type TaskView } from '@openvle/tasks-client';",
        "import { natsCommands } from '@openvle/tasks-client/nats';",
        'declare const nc: NatsConnection;',
        "const client = createTasksClient({ baseUrl: 'https://tasks.example.org', token: async () => 'jwt', commands: natsCommands({ connection: nc }) });",
        "const clone: CreateTaskCommand = { type: 'vm.clone', eventId: '42', params: { templateVmid: 9000, count: 30, namePattern: 'lab-ev{event}-s{index:2}' } };",
        "const mail: CreateTaskCommand = { name: 'mail', subtasks: [{ key: 'send', name: 'Send', action: 'send', queue: 'mails', params: { to: ['a@example.org'] } }] };",
        '// @ts-expect-error vm.clone needs templateVmid and namePattern',
        "const wrong: CreateTaskCommand = { type: 'vm.clone', params: { count: 30 } };",
        '// @ts-expect-error an explicit DAG needs a name',
        'const nameless: CreateTaskCommand = { subtasks: [] };',
        'export async function main(): Promise<TaskView | undefined> {',
        '  const { taskId } = await client.createTask(clone);',
        '  await client.createTask(mail);',
        "  for await (const task of client.tasks({ q: 'status = failed', status: ['failed'] })) console.log(task.children.total);",
        "  for await (const event of client.streamTasks({ eventId: '42' })) if (event.type === 'task') console.log(event.task.progress);",
        '  try {',
        '    return await client.waitForTask(taskId, { timeoutMs: 60_000 });',
        '  } catch (error) {',
        '    if (isTaskWaitTimeoutError(error)) return error.lastSeen as TaskView | undefined;',
        '    if (isSearchQueryError(error)) console.log(error.position);',
        '    throw error;',
        '  }',
        '}',
        'void [wrong, nameless];',
      ].join('\n'),
    );
    const tsc = join(packageDir, 'node_modules/typescript/bin/tsc');
    const version = run('node', [tsc, '--version'], consumer);
    expect(version).toMatch(/^Version 5\./);
    run('node', [tsc, '--noEmit', '--strict', '--target', 'es2022', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--types', 'node', 'use.ts'], consumer);
  });
});

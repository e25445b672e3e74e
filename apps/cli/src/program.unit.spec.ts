// run() with the streams, environment and fetch of a test (testing/fake-io.ts): what each kind of
// invocation prints where, and its exit status, without a server or a process.

import { stripVTControlCharacters } from 'node:util';
import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import { NO_TOKEN_MESSAGE } from './config.js';
import { run } from './program.js';
import { fakeIo, type FakeIo, type Route } from './testing/fake-io.js';
import { subTask, taskDetail, taskItem } from './testing/views.js';

const TASK = taskItem();
const ESC = '\u001b[';
const page = (items = [TASK, taskItem({ id: '01a23d72-0000-7000-8000-000000000002', status: 'failed', name: 'Send the lab access mails', subtaskCounts: { finished: 3, total: 3, failed: 1 }, eventId: null })]) => ({ status: 200, body: { items, nextCursor: 'c2' } });
const ok = (body: unknown): Route => () => ({ status: 200, body });

async function until(io: FakeIo, text: string): Promise<void> {
  for (let i = 0; i < 200 && !io.err.text.includes(text); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(io.err.text).toContain(text);
}

describe('run', () => {
  it('prints the help (with the exit statuses) and the version, with status 0', async () => {
    const help = fakeIo();
    expect(await run(['--help'], help)).toBe(0);
    expect(help.out.text).toContain('Usage: vle-tasks [options] [command]');
    expect(help.out.text).toContain('Exit status:');
    const version = fakeIo();
    expect(await run(['--version'], version)).toBe(0);
    expect(version.out.text.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('answers 2 for an unknown command, no command, a bad option, and no token, before any request', async () => {
    for (const argv of [['lsit'], [], ['list', '--limit', 'x'], ['show']]) {
      const io = fakeIo();
      expect({ argv, code: await run(argv, io) }).toEqual({ argv, code: 2 });
      expect(io.err.text).not.toBe('');
    }
    const io = fakeIo({ env: { VLE_TASKS_TOKEN: '' } });
    expect(await run(['list'], io)).toBe(2);
    expect(io.err.text.trim()).toBe(`error: ${NO_TOKEN_MESSAGE}`);
    expect(io.requests).toEqual([]);
  });
});

describe('list', () => {
  it('asks the API with the token and the filters, and prints a table that fits the terminal, in colour', async () => {
    const io = fakeIo({ tty: true, columns: 100, routes: { 'GET /api/v1/tasks': () => page() } });
    expect(await run(['list', '--status', 'failed,running', '--event', '42'], io)).toBe(0);
    const [request] = io.requests;
    expect(request!.headers.get('authorization')).toBe('Bearer test-token');
    expect(request!.url.search).toBe('?status=failed&status=running&eventId=42&limit=50');
    expect(io.out.text).toContain(ESC);
    const lines = stripVTControlCharacters(io.out.text).trimEnd().split('\n');
    // 100 columns: the event and the creator are left out, the name cut.
    expect(lines[0]!.split(/\s{2,}/)).toEqual(['ID', 'STATUS', 'SUBTASKS', 'CREATED', 'NAME']);
    expect(lines[1]).toContain('● running');
    expect(lines[2]).toContain('✖ failed');
    expect(lines[2]).toContain('3/3 (1 failed)');
    expect(lines.filter((line) => stringWidth(line) > 100)).toEqual([]);
    expect(lines[1]).toMatch(/Clone 30 VMs ?…$/);
    expect(io.err.text.trim()).toBe('More Tasks: the next page with --cursor c2 (or every page with --all)');
  });

  it('shows no colour with NO_COLOR (the glyphs stay), and only JSON with --json', async () => {
    const plain = fakeIo({ tty: true, env: { NO_COLOR: '1' }, routes: { 'GET /api/v1/tasks': () => page() } });
    expect(await run(['list'], plain)).toBe(0);
    expect(plain.out.text).not.toContain(ESC);
    expect(plain.out.text).toContain('✖ failed');
    const json = fakeIo({ tty: true, routes: { 'GET /api/v1/tasks': () => page() } });
    expect(await run(['list', '--json'], json)).toBe(0);
    expect(JSON.parse(json.out.text)).toEqual(page().body);
    expect(json.out.text).not.toContain(ESC);
  });

  it('marks a bad query under it (3), and says so when vle-tasks cannot be reached (4)', async () => {
    const message = 'column 10: "done" is not a status (one of planning, …)';
    const bad = fakeIo({ routes: { 'GET /api/v1/tasks': () => ({ status: 400, body: { code: 'VALIDATION_FAILED', message, violations: [{ field: 'q', message, position: 9 }] } }) } });
    expect(await run(['list', '-q', 'status = done'], bad)).toBe(3);
    expect(bad.out.text).toBe('');
    expect(bad.err.text).toContain('  status = done\n           ^\n');
    const down = fakeIo({ routes: { 'GET /api/v1/tasks': () => new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } }) } });
    expect(await run(['list'], down)).toBe(4);
    expect(down.err.text).toContain('GET /api/v1/tasks failed: ECONNREFUSED [CONNECTION_FAILED]');
    expect(down.err.text).toContain('is vle-tasks running at http://tasks.test?');
  });
});

describe('show', () => {
  it('prints the fields and the SubTasks, and notes the SubTasks a token may not see', async () => {
    const io = fakeIo({ routes: { [`GET /api/v1/tasks/${TASK.id}`]: ok(taskDetail()) } });
    expect(await run(['show', TASK.id], io)).toBe(0);
    expect(io.out.text).toMatch(/^Status +running$/m);
    expect(io.out.text).toMatch(/^SubTasks +2\/8 finished, 25%$/m);
    expect(io.out.text).toMatch(/^cf8de01b-9a19-5cce-91bf-01f6f8e46a7f +clone-1 +pve_vm_clone\/clone +failed +3 +PVE_500 storage full$/m);
    const { subtasks: _, ...withoutSubTasks } = taskDetail();
    const reader = fakeIo({ routes: { [`GET /api/v1/tasks/${TASK.id}`]: ok(withoutSubTasks) } });
    expect(await run(['show', TASK.id], reader)).toBe(0);
    expect(reader.err.text).toContain('the token lacks sub_tasks_read');
  });
});

describe('confirmations', () => {
  const cancelled = { taskId: TASK.id, status: 'cancelling', events: ['TaskCancelRequested'] };
  const routes = { [`GET /api/v1/tasks/${TASK.id}`]: ok(taskDetail({ subtasks: [subTask({ status: 'running' }), subTask({ id: 'b', status: 'blocked' }), subTask({ id: 'c', status: 'queued' })] })), [`POST /api/v1/tasks/${TASK.id}/cancel`]: ok(cancelled) };

  it('refuses without a terminal and without --yes, before any request (2)', async () => {
    const io = fakeIo({ routes });
    expect(await run(['cancel', TASK.id], io)).toBe(2);
    expect(io.err.text).toContain('not confirmed: there is no terminal to ask on (stdin is not a TTY); pass --yes to cancel without asking');
    expect(io.requests).toEqual([]);
  });

  it('asks on a terminal what the command would do: y sends it, anything else does not (2)', async () => {
    const yes = fakeIo({ tty: true, env: { NO_COLOR: '1' }, routes });
    const answered = run(['cancel', TASK.id, '--reason', 'not needed'], yes);
    await until(yes, '[y/N]');
    expect(yes.err.text).toContain(`Cancel Task "Clone 30 VMs for event 42" (${TASK.id}, running, 2/8 SubTasks)? 2 SubTasks not started stop; 1 running finish first. [y/N]`);
    yes.input.write('y\n');
    expect(await answered).toBe(0);
    expect(yes.requests.map((r) => `${r.method} ${r.url.pathname}`)).toEqual([`GET /api/v1/tasks/${TASK.id}`, `POST /api/v1/tasks/${TASK.id}/cancel`]);
    expect(yes.requests[1]!.body).toEqual({ reason: 'not needed' });
    expect(yes.out.text.trim()).toBe(`Cancelled: Task ${TASK.id} is now ⊘ cancelling (TaskCancelRequested).`);

    const no = fakeIo({ tty: true, routes });
    const declined = run(['cancel', TASK.id], no);
    await until(no, '[y/N]');
    no.input.write('\n');
    expect(await declined).toBe(2);
    expect(no.err.text).toContain('not confirmed: nothing was done');
    expect(no.requests.map((r) => r.method)).toEqual(['GET']);
  });

  it('does not ask with --yes; --json prints the result', async () => {
    const io = fakeIo({ tty: true, routes });
    expect(await run(['cancel', TASK.id, '--yes', '--json'], io)).toBe(0);
    expect(JSON.parse(io.out.text)).toEqual(cancelled);
    expect(io.err.text).toBe('');
  });
});

describe('create and retention', () => {
  it('refuses a command on stdin that is not JSON (2), and retention without --dry-run or --run (2)', async () => {
    const io = fakeIo();
    const created = run(['create', '--file', '-'], io);
    io.input.end('{"name": "x",');
    expect(await created).toBe(2);
    expect(io.err.text).toMatch(/^error: stdin is not JSON: /);
    const retention = fakeIo();
    expect(await run(['retention'], retention)).toBe(2);
    expect(retention.err.text).toContain('give --dry-run');
    expect(retention.requests).toEqual([]);
  });
});

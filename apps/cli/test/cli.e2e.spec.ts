// vle-tasks, the built CLI, as a child process against the whole system (task-api, integration-worker
// with the bench queue, projection: System of services/task-api/test/system.ts), booted once for the
// file: every command in a table and with --json, the exit statuses by outcome, the failure paths (a
// refused or missing token, an unreachable URL, a bad query marked under it, a confirmation that
// cannot be asked), and a real terminal (tmux): the progress bar moving, the y/N prompt answered.

import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, testToken, waitFor } from '@vle/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { System } from '../../../services/task-api/test/system.js';
import { CLI_ENTRY, CliProcess, runCli, type CliResult, type CliRunOptions } from './cli-process.js';
import { Tmux } from './tmux.js';

const system = new System();
const dir = mkdtempSync(join(tmpdir(), 'vle-cli-e2e-'));
let env: Record<string, string>;

beforeAll(async () => {
  await system.start();
  env = { VLE_TASKS_URL: system.projection.url, VLE_TASKS_TOKEN: system.token };
});

afterAll(async () => {
  await system.stop();
  rmSync(dir, { recursive: true, force: true });
});

type Step = { key: string; name: string; action: string; queue: string; params: Record<string, unknown>; dependsOn: string[] };
const step = (key: string, action: string, params: Record<string, unknown> = {}, dependsOn: string[] = []): Step => ({ key, name: key.toUpperCase(), action, queue: 'bench', params, dependsOn });
const dag = (name: string, ...subtasks: Step[]) => ({ name, subtasks });
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
let files = 0;

/** `vle-tasks <args>` with the system's URL and token (unless `options.env` says otherwise). */
function cli(args: readonly string[], options: CliRunOptions = {}): Promise<CliResult> {
  return runCli(args, { ...options, env: { ...env, ...options.env } });
}

function file(value: unknown): string {
  const path = join(dir, `command-${++files}.json`);
  writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value));
  return path;
}

/** Creates the Task with `create --file` and answers its id and SubTask ids. */
async function create(command: unknown): Promise<{ taskId: string; subTaskIds: Record<string, string> }> {
  const result = await cli(['create', '--file', file(command), '--json']);
  expectExit(result, 0);
  return JSON.parse(result.stdout);
}

/** The Task as the read model shows it (for assertions: not through the CLI under test). */
async function projected(taskId: string): Promise<any> {
  return (await system.query(`/api/v1/tasks/${taskId}`)).body;
}

async function finished(taskId: string, version = -1): Promise<any> {
  return waitFor(async () => {
    const task = await projected(taskId);
    return ['success', 'warning', 'failed', 'cancelled', 'timed_out'].includes(task.status) && task.version > version ? task : undefined;
  }, { description: `Task ${taskId} to finish`, timeoutMs: 20_000 });
}

const jsonLines = (text: string) => text.trim().split('\n').map((line) => JSON.parse(line));
/** No escape sequence (colour, cursor) in what a pipe got. */
const noAnsi = (text: string) => expect(text.includes('\u001b[')).toBe(false);
/** The exit status, with stderr in the failure's diff. */
const expectExit = (result: CliResult, code: number) => expect({ code: result.code, stderr: result.stderr }).toEqual({ code, stderr: expect.any(String) });

describe('create', () => {
  it('creates a Task from a file and prints its id; --json answers the API; from stdin; --wait watches it to success', async () => {
    const plain = await cli(['create', '--file', file(dag(`create ${system.namespace}`, step('a', 'noop')))]);
    expectExit(plain, 0);
    expect(plain.stdout.trim()).toMatch(UUID);
    expect((await finished(plain.stdout.trim())).status).toBe('success');

    const fromStdin = await cli(['create', '--file', '-', '--json'], { input: JSON.stringify(dag(`stdin ${system.namespace}`, step('a', 'noop'), step('b', 'noop', {}, ['a']))) });
    expectExit(fromStdin, 0);
    const created = JSON.parse(fromStdin.stdout);
    expect(created).toMatchObject({ existing: false, status: 'queued' });
    expect(Object.keys(created.subTaskIds)).toEqual(['a', 'b']);

    const waited = await cli(['create', '--file', file(dag(`wait ${system.namespace}`, step('a', 'sleep', { ms: 300 }), step('b', 'noop', {}, ['a']))), '--wait']);
    expectExit(waited, 0);
    const lines = waited.stdout.trim().split('\n');
    expect(lines[0]).toMatch(UUID);
    expect(lines.at(-1)).toMatch(/^success: 2 of 2 SubTasks finished, in /);
    noAnsi(waited.stdout);
  });

  it('names an existing Task for a repeated idempotency key, and --wait --json gives the result then the states as JSON lines', async () => {
    const command = { ...dag(`idempotent ${system.namespace}`, step('a', 'noop')), idempotencyKey: `cli-${system.namespace}` };
    const first = await cli(['create', '--file', file(command), '--wait', '--json']);
    expectExit(first, 0);
    const [result, ...states] = jsonLines(first.stdout);
    expect(result).toMatchObject({ existing: false });
    expect(states.at(-1)).toMatchObject({ id: result.taskId, status: 'success' });
    const again = await cli(['create', '--file', file(command)]);
    expect(again.code).toBe(0);
    expect(again.stdout.trim()).toBe(result.taskId);
    expect(again.stderr).toContain('existing Task');
  });

  it('refuses a file that is missing or not JSON (2), and shows the code and field of a command the API refuses (3)', async () => {
    const missing = await cli(['create', '--file', join(dir, 'nothing.json')]);
    expect([missing.code, missing.stderr]).toEqual([2, expect.stringContaining('cannot read')]);
    const broken = await cli(['create', '--file', file('{"name": ')]);
    expect([broken.code, broken.stderr]).toEqual([2, expect.stringContaining('is not JSON')]);
    const array = await cli(['create', '--file', file([])]);
    expect([array.code, array.stderr]).toEqual([2, expect.stringContaining('one JSON object')]);
    const cycle = await cli(['create', '--file', file(dag('cyclic', step('a', 'noop', {}, ['b']), step('b', 'noop', {}, ['a'])))]);
    expect(cycle.code).toBe(3);
    expect(cycle.stderr).toContain('DAG_CYCLE');
    expect(cycle.stderr).toContain('HTTP 400');
    expect(cycle.stderr).toContain('subtasks[0].dependsOn');
    expect(cycle.stdout).toBe('');
    const noFile = await cli(['create']);
    expect([noFile.code, noFile.stderr]).toEqual([2, expect.stringContaining("required option '-f, --file <path>'")]);
  });
});

describe('list', () => {
  const name = () => `list ${system.namespace}`;
  const ids: string[] = [];

  beforeAll(async () => {
    for (const i of [1, 2, 3]) ids.push((await create(dag(`${name()} ${i}`, step('a', 'noop')))).taskId);
    for (const id of ids) await finished(id);
  });

  it('lists with the search language as a table, newest first, and as the JSON page', async () => {
    const table = await cli(['list', '-q', `name ~ "${name()}"`]);
    expectExit(table, 0);
    const [header, ...rows] = table.stdout.trim().split('\n');
    expect(header!.split(/\s{2,}/)).toEqual(['ID', 'STATUS', 'SUBTASKS', 'CREATED', 'BY', 'NAME']);
    expect(rows.map((row) => row.split(/\s+/)[0])).toEqual([...ids].reverse());
    expect(rows.every((row) => /\ssuccess\s+1\/1\s.*\se2e-admin\s+list /.test(row))).toBe(true);
    noAnsi(table.stdout);

    const json = await cli(['list', '-q', `name ~ "${name()}"`, '--json']);
    const page = JSON.parse(json.stdout);
    expect(page.items.map((t: { id: string }) => t.id)).toEqual([...ids].reverse());
    expect(page.nextCursor).toBeNull();
  });

  it('pages with --limit and --cursor or --all, and filters by status, name and period', async () => {
    const first = await cli(['ls', '--name', name(), '--limit', '2', '--json']);
    const page = JSON.parse(first.stdout);
    expect(page.items).toHaveLength(2);
    const tablePage = await cli(['list', '--name', name(), '--limit', '2']);
    expect(tablePage.stderr).toContain(`--cursor ${page.nextCursor}`);
    const second = JSON.parse((await cli(['list', '--name', name(), '--limit', '2', '--cursor', page.nextCursor, '--json'])).stdout);
    expect(second.items.map((t: { id: string }) => t.id)).toEqual([ids[0]]);
    const all = JSON.parse((await cli(['list', '--name', name(), '--limit', '1', '--all', '--json'])).stdout);
    expect(all).toEqual({ items: expect.any(Array), nextCursor: null });
    expect(all.items.map((t: { id: string }) => t.id)).toEqual([...ids].reverse());

    const recent = JSON.parse((await cli(['list', '--name', name(), '--status', 'success,failed', '--period', '1h', '--json'])).stdout);
    expect(recent.items).toHaveLength(3);
    const none = await cli(['list', '--name', name(), '--status', 'failed']);
    expect([none.code, none.stdout, none.stderr.trim()]).toEqual([0, '', 'No Tasks match.']);
    const future = JSON.parse((await cli(['list', '--name', name(), '--since', '+1h', '--json'])).stdout);
    expect(future.items).toEqual([]);
  });

  it('refuses a bad query with its position marked under it (3), and bad options as usage errors (2)', async () => {
    const bad = await cli(['list', '-q', 'status = done']);
    expect(bad.code).toBe(3);
    expect(bad.stdout).toBe('');
    const lines = bad.stderr.split('\n');
    expect(lines[0]).toMatch(/^error: .*"done" is not a status.*\[VALIDATION_FAILED, HTTP 400\]$/);
    const query = lines.findIndex((line) => line === '  status = done');
    expect(query).toBeGreaterThan(0);
    expect(lines[query + 1]).toBe(`  ${' '.repeat(9)}^`);

    const limit = await cli(['list', '--limit', '501']);
    expect([limit.code, limit.stderr]).toEqual([2, expect.stringContaining("option '--limit <n>' argument '501' is invalid")]);
    const both = await cli(['list', '--period', '1h', '--since', '2h']);
    expect([both.code, both.stderr]).toEqual([2, expect.stringContaining('cannot be used with')]);
    const status = await cli(['list', '--status', 'done']);
    expect([status.code, status.stderr]).toEqual([3, expect.stringContaining('VALIDATION_FAILED')]);
  });
});

describe('show', () => {
  it('shows a Task with its SubTasks as a table, its history and attempts, and both as JSON', async () => {
    const { taskId, subTaskIds } = await create(dag(`show ${system.namespace}`, step('a', 'noop'), step('b', 'fail', { failAttempts: 1 }, ['a'])));
    await finished(taskId);
    const table = await cli(['show', taskId]);
    expectExit(table, 0);
    expect(table.stdout).toMatch(new RegExp(`^ID +${taskId}$`, 'm'));
    expect(table.stdout).toMatch(/^Status +success$/m);
    expect(table.stdout).toMatch(/^SubTasks +2\/2 finished, 100%$/m);
    expect(table.stdout).toContain('SubTasks (2)');
    expect(table.stdout).toMatch(new RegExp(`^${subTaskIds.a} +a +bench/noop +success +1 +OK noop$`, 'm'));
    expect(table.stdout).toMatch(new RegExp(`^${subTaskIds.b} +b +bench/fail +success +2 +a +OK succeeded on attempt 2$`, 'm'));
    expect(table.stdout).not.toContain('History');

    const history = await cli(['show', taskId, '--history']);
    expectExit(history, 0);
    expect(history.stdout).toMatch(/History \(\d+ events\)/);
    expect(history.stdout).toMatch(/ TaskCreated +e2e-admin/);
    expect(history.stdout).toMatch(/ SubTaskAttemptFailed +b +worker:bench .*status running→retrying/);
    expect(history.stdout).toContain('Attempts (3)');
    expect(history.stdout).toMatch(/^b +1 +retrying .* BENCH_TRANSIENT bench: transient failure on attempt 1$/m);

    const json = JSON.parse((await cli(['show', taskId, '--json'])).stdout);
    expect(json).toMatchObject({ id: taskId, status: 'success', subtasks: [{ key: 'a' }, { key: 'b' }] });
    const both = JSON.parse((await cli(['show', taskId, '--history', '--json'])).stdout);
    expect(both.task.id).toBe(taskId);
    expect(both.history.events[0].type).toBe('TaskCreated');
    expect(both.history.attempts.map((a: { outcome: string }) => a.outcome)).toEqual(['succeeded', 'retrying', 'succeeded']);
  });

  it('answers 3 for an unknown Task and for an id that is no uuid', async () => {
    const unknown = await cli(['show', '00000000-0000-4000-8000-000000000000']);
    expect([unknown.code, unknown.stderr]).toEqual([3, expect.stringContaining('[TASK_NOT_FOUND, HTTP 404]')]);
    const malformed = await cli(['show', 'nope']);
    expect([malformed.code, malformed.stderr]).toEqual([3, expect.stringContaining('VALIDATION_FAILED')]);
  });
});

describe('watch', () => {
  it('follows a Task that fails to its end: exit status 1, one line per change, or JSON lines', async () => {
    const { taskId } = await create(dag(`watch fail ${system.namespace}`, step('a', 'sleep', { ms: 300 }), step('b', 'fail', { permanent: true }, ['a'])));
    const watched = await cli(['watch', taskId]);
    expectExit(watched, 1);
    const lines = watched.stdout.trim().split('\n');
    expect(lines.at(-1)).toMatch(/^failed: 2 of 2 SubTasks finished, 1 failed, in /);
    expect(lines.slice(0, -1).every((line) => /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} {2}\w+ \d\/2/.test(line))).toBe(true);
    noAnsi(watched.stdout);

    const json = await cli(['watch', taskId, '--json']);
    expect(json.code).toBe(1);
    const states = jsonLines(json.stdout);
    expect(states).toHaveLength(1);
    expect(states[0]).toMatchObject({ id: taskId, status: 'failed', subtaskCounts: { total: 2, finished: 2, failed: 1 } });
  });

  it('gives up after --timeout with exit status 6 while the Task runs, stops on Ctrl-C with 130, and answers 3 for an unknown Task', async () => {
    const { taskId } = await create(dag(`watch slow ${system.namespace}`, step('slow', 'sleep', { ms: 15_000 })));
    const started = Date.now();
    const watched = await cli(['watch', taskId, '--timeout', '1s']);
    expect(watched.code).toBe(6);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(watched.stderr).toMatch(new RegExp(`Task ${taskId} is still (queued|running) after 1.0 s`));
    const interrupted = new CliProcess(['watch', taskId], { env });
    await waitFor(() => /(queued|running) \d\/1 SubTasks/.test(interrupted.stdout) || undefined, { description: 'watch to show the Task', timeoutMs: 10_000 });
    interrupted.signal('SIGINT');
    expect((await interrupted.exited).code).toBe(130);
    expect((await cli(['cancel', taskId, '--yes'])).code).toBe(0);
    const unknown = await cli(['watch', '00000000-0000-4000-8000-000000000000']);
    expect([unknown.code, unknown.stderr]).toEqual([3, expect.stringContaining('TASK_NOT_FOUND')]);
  });
});

describe('retry, skip, cancel', () => {
  it('retries a failed SubTask only when confirmed: refused without a terminal (2), then --yes --wait to warning (5); again is a conflict (3)', async () => {
    const { taskId, subTaskIds } = await create(dag(`retry ${system.namespace}`, step('a', 'fail', { permanent: true, failGenerations: 1 }), step('b', 'noop', {}, ['a'])));
    const failed = await finished(taskId);
    expect(failed.status).toBe('failed');

    const unconfirmed = await cli(['retry', taskId, subTaskIds.a!]);
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toContain('no terminal to ask on');
    expect(unconfirmed.stderr).toContain('--yes');
    expect((await system.events(taskId)).some((e) => e.type === 'SubTaskRetryRequested')).toBe(false);

    const retried = await cli(['retry', taskId, subTaskIds.a!, '--yes', '--wait']);
    expectExit(retried, 5);
    const lines = retried.stdout.trim().split('\n');
    expect(lines[0]).toBe(`Retried SubTask ${subTaskIds.a}: Task ${taskId} is now queued (SubTaskRetryRequested, SubTaskQueued).`);
    expect(lines.at(-1)).toMatch(/^warning: 2 of 2 SubTasks finished, in /);

    const again = await cli(['retry', taskId, subTaskIds.a!, '--yes']);
    expect([again.code, again.stderr]).toEqual([3, expect.stringContaining('NOT_RETRYABLE')]);
  });

  it('skips a failed SubTask with a reason (--json), and the Task goes on to warning', async () => {
    const { taskId, subTaskIds } = await create(dag(`skip ${system.namespace}`, step('a', 'fail', { permanent: true }), step('b', 'noop', {}, ['a'])));
    const failed = await finished(taskId);
    const skipped = await cli(['skip', taskId, subTaskIds.a!, '--yes', '--reason', 'done by hand', '--json']);
    expectExit(skipped, 0);
    expect(JSON.parse(skipped.stdout)).toEqual({ taskId, status: expect.any(String), events: ['SubTaskSkipped', 'SubTaskQueued'] });
    expect((await finished(taskId, failed.version)).status).toBe('warning');
    const watched = await cli(['watch', taskId]);
    expect(watched.code).toBe(5);
    const history = await cli(['show', taskId, '--history']);
    expect(history.stdout).toMatch(/SubTaskSkipped +a +e2e-admin .*reason "done by hand"/);
  });

  it('cancels a Task only when confirmed: refused without a terminal (2), cancelled with --yes; watching it then exits 1', async () => {
    const startAt = new Date(Date.now() + 3600_000).toISOString();
    const { taskId } = await create({ ...dag(`cancel ${system.namespace}`, step('a', 'noop')), startAt });
    const unconfirmed = await cli(['cancel', taskId]);
    expect([unconfirmed.code, unconfirmed.stderr]).toEqual([2, expect.stringContaining('pass --yes to cancel without asking')]);
    expect((await projected(taskId)).status).toBe('scheduled');
    const cancelled = await cli(['cancel', taskId, '--yes', '--reason', 'not needed']);
    expectExit(cancelled, 0);
    expect(cancelled.stdout.trim()).toMatch(new RegExp(`^Cancelled: Task ${taskId} is now cancelled \\(TaskCancelRequested.*\\)\\.$`));
    expect((await system.events(taskId)).find((e) => e.type === 'TaskCancelRequested')).toMatchObject({ data: { reason: 'not needed' } });
    const watched = await cli(['watch', taskId]);
    expect([watched.code, watched.stdout.trim()]).toEqual([1, expect.stringMatching(/^cancelled: 1 of 1 SubTasks finished, in [^\n]+$/)]);
    const unknown = await cli(['cancel', '00000000-0000-4000-8000-000000000000', '--yes']);
    expect([unknown.code, unknown.stderr]).toEqual([3, expect.stringContaining('TASK_NOT_FOUND')]);
  });
});

describe('tail', () => {
  it('prints each change of the Tasks matching the filter as a JSON line until Ctrl-C, which ends it with 0', async () => {
    const name = `tail json ${system.namespace}`;
    const tail = new CliProcess(['tail', '-q', `name ~ "${name}"`, '--json'], { env });
    await waitFor(() => tail.stderr.includes('Following the changes live'), { description: 'tail to be live', timeoutMs: 10_000 });
    const { taskId } = await create(dag(name, step('a', 'sleep', { ms: 300 }), step('b', 'noop', {}, ['a'])));
    await waitFor(() => tail.stdout.includes('"status":"success"'), { description: 'the success line', timeoutMs: 20_000 });
    tail.signal('SIGINT');
    const result = await tail.exited;
    expectExit(result, 0);
    const events = jsonLines(result.stdout);
    expect(events.every((e) => e.type === 'task' && e.task.id === taskId)).toBe(true);
    const statuses = events.map((e) => e.task.status);
    expect(statuses).toContain('running');
    expect(statuses.at(-1)).toBe('success');
  });

  it('prints one line per change and stops after --count; the filters are the list\'s', async () => {
    const name = `tail lines ${system.namespace}`;
    const tail = new CliProcess(['tail', '--name', name, '--count', '1'], { env });
    await waitFor(() => tail.stderr.includes('Following the changes live'), { description: 'tail to be live', timeoutMs: 10_000 });
    const { taskId } = await create(dag(name, step('a', 'noop')));
    const result = await tail.exited;
    expectExit(result, 0);
    expect(result.stdout.trim()).toMatch(new RegExp(`^\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}  ${taskId}  \\w+ +\\d/1 +${name}$`));
  });

  it('ends at once when the stream cannot be opened (4) or the query is bad (3, marked)', async () => {
    const unreachable = await cli(['tail'], { env: { VLE_TASKS_URL: `http://127.0.0.1:${await freePort()}` }, timeoutMs: 15_000 });
    expect([unreachable.code, unreachable.stderr]).toEqual([4, expect.stringContaining('CONNECTION_FAILED')]);
    const bad = await cli(['tail', '-q', 'name ~ "open']);
    expect(bad.code).toBe(3);
    expect(bad.stderr).toContain(`  name ~ "open\n  ${' '.repeat(7)}^`);
  });
});

describe('retention', () => {
  it('shows what a run would delete as of a later time, as a table and as JSON', async () => {
    const table = await cli(['retention', '--dry-run', '--at', '+400d']);
    expectExit(table, 0);
    expect(table.stdout).toMatch(/^As of .*, a retention run would delete \d+ finished Tasks, finished from /);
    expect(table.stdout).toMatch(/^STATUS +TYPE +TASKS +OLDEST +NEWEST$/m);
    expect(table.stdout).toMatch(/^success +\(a DAG\) +\d+ /m);
    expect(table.stdout).toMatch(/^\* +30 days$/m);
    const json = JSON.parse((await cli(['retention', '--dry-run', '--at', '+400d', '--json'])).stdout);
    expect(json.total).toBeGreaterThanOrEqual(10);
    expect(json.policy).toContainEqual({ match: '*', days: 30 });
    const now = JSON.parse((await cli(['retention', '--dry-run', '--json'])).stdout);
    expect(now.total).toBe(0);
  });

  it('runs one only when confirmed: refused without a terminal (2); with --yes today it deletes nothing; neither flag is a usage error', async () => {
    const unconfirmed = await cli(['retention', '--run']);
    expect([unconfirmed.code, unconfirmed.stderr]).toEqual([2, expect.stringContaining('pass --yes to run the retention')]);
    const ran = await cli(['retention', '--run', '--yes']);
    expectExit(ran, 0);
    expect(ran.stdout).toMatch(/^Deleted 0 Tasks \(0 SubTasks\)/);
    const neither = await cli(['retention']);
    expect([neither.code, neither.stderr]).toEqual([2, expect.stringContaining('give --dry-run')]);
  });
});

describe('dead letters', () => {
  it('lists a refused durable command, shows it with its payload, counts it in the summary; an unknown one is 3', async () => {
    await system.js.publish(system.topology.commandSubject('create'), 'not json', { headers: system.natsAuth() });
    const seq = await waitFor(async () => {
      const result = await cli(['dead-letters', '--code', 'MALFORMED_JSON', '--json']);
      return JSON.parse(result.stdout).items[0]?.seq as number | undefined;
    }, { description: 'the dead letter', timeoutMs: 10_000 });

    const table = await cli(['dead-letters']);
    expectExit(table, 0);
    expect(table.stdout).toMatch(/^ *SEQ +AT +SOURCE +CODE +REASON$/m);
    expect(table.stdout).toMatch(new RegExp(`^ *${seq} +\\S+ \\S+ +commands +MALFORMED_JSON +`, 'm'));
    const listed = await cli(['dead-letters', 'list', '--source', 'commands', '--limit', '1', '--json']);
    expect(JSON.parse(listed.stdout).items).toEqual([expect.objectContaining({ seq, source: 'commands', code: 'MALFORMED_JSON' })]);

    const shown = await cli(['dead-letters', 'show', String(seq)]);
    expectExit(shown, 0);
    expect(shown.stdout).toMatch(/^Code +MALFORMED_JSON$/m);
    expect(shown.stdout).toMatch(/^Payload +8 bytes, text$/m);
    expect(shown.stdout.trim().split('\n').at(-1)).toBe('not json');
    expect(JSON.parse((await cli(['dead-letters', 'show', String(seq), '--json'])).stdout)).toMatchObject({ seq, payload: { format: 'text', preview: 'not json' } });

    const summary = await cli(['dead-letters', 'summary']);
    expect(summary.stdout).toMatch(/^commands +MALFORMED_JSON +1$/m);
    expect(JSON.parse((await cli(['dead-letters', 'summary', '--json'])).stdout).counts).toContainEqual({ source: 'commands', code: 'MALFORMED_JSON', count: 1 });

    const unknown = await cli(['dead-letters', 'show', '999999999']);
    expect([unknown.code, unknown.stderr]).toEqual([3, expect.stringContaining('DEAD_LETTER_NOT_FOUND')]);
  });
});

describe('the token and the URL', () => {
  it('asks for a token when none is given (2), and shows a refused one with the API\'s code, never the token (3)', async () => {
    const none = await runCli(['list']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no token: give --token-file <path>, set VLE_TASKS_TOKEN');
    const garbage = 'not-a-jwt-4b1d';
    const bad = await cli(['list', '--token', garbage]);
    expect([bad.code, bad.stderr]).toEqual([3, expect.stringContaining('[UNAUTHENTICATED, HTTP 401]')]);
    expect(bad.stderr).toContain('the token was refused');
    expect(bad.stderr).not.toContain(garbage);
    const expired = await testToken({ subject: 'alice', permissions: ['tasks_read'], expiresInSeconds: -120 });
    const tokenFile = file(`${expired}\n`);
    const late = await cli(['list', '--token-file', tokenFile], { env: { VLE_TASKS_TOKEN: '' } });
    expect([late.code, late.stderr]).toEqual([3, expect.stringMatching(/expired.*UNAUTHENTICATED/)]);
    expect(late.stderr).not.toContain(expired);
    const emptyFile = await cli(['list', '--token-file', file('  \n')]);
    expect([emptyFile.code, emptyFile.stderr]).toEqual([2, expect.stringContaining('is empty')]);
  });

  it('names the permission a token lacks (3), for a command and for the admin reads', async () => {
    const reader = await testToken({ subject: 'alice', permissions: ['tasks_read'] });
    const { taskId } = await create({ ...dag(`forbidden ${system.namespace}`, step('a', 'noop')), startAt: new Date(Date.now() + 3600_000).toISOString() });
    const cancel = await cli(['cancel', taskId, '--yes'], { env: { VLE_TASKS_TOKEN: reader } });
    expect([cancel.code, cancel.stderr]).toEqual([3, expect.stringMatching(/tasks_cancel.*\[FORBIDDEN, HTTP 403\]/)]);
    const letters = await cli(['dead-letters'], { env: { VLE_TASKS_TOKEN: reader } });
    expect([letters.code, letters.stderr]).toEqual([3, expect.stringMatching(/tasks_admin.*FORBIDDEN/)]);
    const show = await cli(['show', taskId], { env: { VLE_TASKS_TOKEN: reader } });
    expect(show.code).toBe(0);
    expect(show.stderr).toContain('the token lacks sub_tasks_read');
    expect((await cli(['cancel', taskId, '--yes'])).code).toBe(0);
  });

  it('answers 4 when vle-tasks cannot be reached, naming the URL; 2 for a URL that is none', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    for (const args of [['list'], ['show', '00000000-0000-4000-8000-000000000000'], ['watch', '00000000-0000-4000-8000-000000000000'], ['create', '--file', file(dag('x', step('a', 'noop')))], ['dead-letters']]) {
      const result = await cli(args, { env: { VLE_TASKS_URL: url }, timeoutMs: 15_000 });
      expect({ command: args[0], code: result.code, stderr: result.stderr }).toMatchObject({ command: args[0], code: 4 });
      expect(result.stderr).toContain('[CONNECTION_FAILED]');
      expect(result.stderr).toContain(`is vle-tasks running at ${url}?`);
    }
    const notUrl = await cli(['list', '--url', 'localhost:3002']);
    expect([notUrl.code, notUrl.stderr]).toEqual([2, expect.stringContaining('--url must be an http or https URL')]);
  });
});

describe('in a real terminal (tmux)', () => {
  const tmux = new Tmux(`vle-cli-${process.pid}`);
  afterAll(() => tmux.kill());

  const quote = (word: string) => `'${word.replace(/'/g, `'\\''`)}'`;

  /** Runs `vle-tasks <args>` in a new session; the exit status lands in a file once it ends. */
  function inTerminal(session: string, args: string): string {
    const status = join(dir, `${session}.status`);
    tmux.start(session, `${quote(process.execPath)} ${quote(CLI_ENTRY)} ${args}; echo $? > ${quote(status)}`, env);
    return status;
  }

  const exitStatus = (path: string) => waitFor(() => (existsSync(path) && readFileSync(path, 'utf8').trim()) || undefined, { description: `${path} to be written`, timeoutMs: 30_000 });

  it('watch draws a progress bar that moves with the SubTasks, then the outcome; exit status 0', async () => {
    const { taskId } = await create(dag(`terminal ${system.namespace}`, ...Array.from({ length: 8 }, (_, i) => step(`s${i}`, 'sleep', { ms: 400 }, i === 0 ? [] : [`s${i - 1}`]))));
    const status = inTerminal('watch', `watch ${taskId}`);
    const screens: string[] = [];
    while (!existsSync(status)) {
      screens.push(tmux.capture('watch'));
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(await exitStatus(status)).toBe('0');
    const final = tmux.capture('watch', true);
    // The bars seen while it ran: the count of finished SubTasks, each state once, in order.
    const counts = [...new Set(screens.flatMap((screen) => [...screen.matchAll(/[█░]{10,} +(\d)\/8 SubTasks/g)].map((m) => Number(m[1]))))];
    expect({ between: counts.filter((n) => n > 0 && n < 8).length, screens }).toMatchObject({ between: expect.toSatisfy((n: number) => n >= 2) });
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    expect(screens.some((screen) => /● running +█+░+ +\d\/8 SubTasks/.test(screen))).toBe(true);
    expect(final).toContain(`Task ${taskId}`);
    expect(final).toMatch(/✔ success +█{10,} +8\/8 SubTasks/);
    expect(final).toMatch(/✔ success: 8 of 8 SubTasks finished, in \d\.\d s/);
  });

  it('cancel asks first: "y" cancels the Task, "n" (or Enter) leaves it as it was with exit status 2', async () => {
    const startAt = new Date(Date.now() + 3600_000).toISOString();
    const kept = await create({ ...dag(`prompt kept ${system.namespace}`, step('a', 'noop')), startAt });
    const declined = inTerminal('decline', `cancel ${kept.taskId}`);
    await waitFor(() => tmux.capture('decline').includes('[y/N]') || undefined, { description: 'the prompt', timeoutMs: 10_000 });
    // The question is longer than the terminal's 120 columns: the capture joins what the terminal wrapped.
    expect(tmux.capture('decline')).toMatch(new RegExp(`Cancel Task "prompt kept [^"]+" \\(${kept.taskId}, scheduled, 0/1 SubTasks\\)\\? 1 SubTask not started stop\\. \\[y/N\\]`));
    tmux.sendKeys('decline', 'n', 'Enter');
    expect(await exitStatus(declined)).toBe('2');
    expect(tmux.capture('decline', true)).toContain('not confirmed: nothing was done');
    expect((await projected(kept.taskId)).status).toBe('scheduled');

    const gone = await create({ ...dag(`prompt cancelled ${system.namespace}`, step('a', 'noop')), startAt });
    const confirmed = inTerminal('confirm', `cancel ${gone.taskId}`);
    await waitFor(() => tmux.capture('confirm').includes('[y/N]') || undefined, { description: 'the prompt', timeoutMs: 10_000 });
    tmux.sendKeys('confirm', 'y', 'Enter');
    expect(await exitStatus(confirmed)).toBe('0');
    expect(tmux.capture('confirm', true)).toContain(`Cancelled: Task ${gone.taskId} is now ⊘ cancelled`);
    expect((await finished(gone.taskId)).status).toBe('cancelled');
    expect((await cli(['cancel', kept.taskId, '--yes'])).code).toBe(0);
  });
});

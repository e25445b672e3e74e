// Every service's GET /metrics during a run of the whole system (README, "Operating it"): the
// counters move exactly as the run did, and the gauges read what the system holds.

import { bearer, waitFor, type Scrape } from '@vle/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { System, WORKER_MAX_RETRY, type ServiceUser } from './system.js';

const system = new System();
const SERVICES: ServiceUser[] = ['task-api', 'projection', 'scheduler', 'integration-worker', 'vm-clone-worker', 'vm-action-worker'];

beforeAll(async () => {
  await system.start({ proxmox: {}, scheduler: {}, metrics: true });
}, 120_000);

afterAll(async () => {
  await system.stop();
});

/** A scrape of every service. */
async function scrapeAll(): Promise<Record<ServiceUser, Scrape>> {
  return Object.fromEntries(await Promise.all(SERVICES.map(async (s) => [s, await system.metrics(s)] as const))) as Record<ServiceUser, Scrape>;
}

/** Waits until `read` gives `expected`, then checks it is exactly that (not more). */
async function until(description: string, read: () => Promise<number>, expected: number): Promise<void> {
  await waitFor(async () => (await read()) >= expected, { description: `${description} to reach ${expected}`, timeoutMs: 30_000 }).catch(async (error: unknown) => {
    throw new Error(`${(error as Error).message}; it is ${await read()}`);
  });
  expect({ [description]: await read() }).toEqual({ [description]: expected });
}

async function create(body: Record<string, unknown>): Promise<string> {
  const response = await system.post('/api/v1/tasks', { createdBy: 'e2e', ...body });
  if (response.status !== 201) throw new Error(`POST /api/v1/tasks answered ${response.status}: ${JSON.stringify(response.body)}`);
  return response.body.taskId;
}

const bench = (key: string, action: string, params: Record<string, unknown> = {}) => ({ key, name: key, action, queue: 'bench', params });

describe('the metrics of a running system', () => {
  it('every service serves its metrics, the Node.js process metrics included', async () => {
    const scrapes = await scrapeAll();
    const without = (name: string) => SERVICES.filter((s) => !scrapes[s].has(name));
    expect(without('process_cpu_user_seconds_total')).toEqual([]);
    expect(without('nodejs_eventloop_lag_seconds')).toEqual([]);
  });

  it('count the commands, appends, jobs, external calls and dead letters of a run exactly', async () => {
    const storedNow = async () => (await system.jsm.streams.info(system.topology.eventStream.name)).state.messages;
    const countedIn = (scrapes: Awaited<ReturnType<typeof scrapeAll>>) => SERVICES.reduce((sum, s) => sum + scrapes[s].value('vle_event_appends_total'), 0);
    // The baseline at a quiet moment: a commit stored between the scrape and the stream's count
    // (a background append of the scheduler or the projection) would be counted and not stored.
    const { before, eventsBefore } = await waitFor(async () => {
      const [stored, first] = [await storedNow(), await scrapeAll()];
      const [again, second] = [await storedNow(), await scrapeAll()];
      return stored === again && countedIn(first) === countedIn(second) ? { before: second, eventsBefore: again } : undefined;
    }, { description: 'no commit stored or counted while the baseline is read' });
    const delta = (service: ServiceUser, name: string, labels: Record<string, string> = {}) => async () => (await system.metrics(service)).value(name, labels) - before[service].value(name, labels);

    // Six jobs that succeed at once, over HTTP.
    const noops = await create({ name: 'six noops', subtasks: ['a', 'b', 'c', 'd', 'e', 'f'].map((key) => bench(key, 'noop')) });
    // One that fails twice and succeeds on its third attempt, over a NATS request.
    const reply = await system.nc.request(system.topology.requestSubject('create'), JSON.stringify({ name: 'flaky', createdBy: 'e2e', subtasks: [bench('flaky', 'fail', { failAttempts: 2 })] }), { timeout: 10_000, headers: system.natsAuth() });
    const flaky = reply.json<{ taskId: string }>().taskId;
    // One that fails for good at its first attempt.
    const broken = await create({ name: 'broken', subtasks: [bench('broken', 'fail', { permanent: true })] });
    // A mail through the sandbox's SMTP sink, and two VMs cloned on its Proxmox.
    const mail = await create({ type: 'mail.send', params: { to: ['ada@example.test'], subject: 'metrics', text: 'counted' } });
    const clone = await create({ type: 'vm.clone', params: { templateVmid: 9000, count: 2, namePattern: 'metrics-{index:2}', pool: 'ev42' } });
    const tasks = await Promise.all([noops, flaky, broken, mail, clone].map((id) => system.finished(id, 60_000)));
    const outcomes = tasks.map((t) => [t.status, t.subtasks.filter((s) => s.status !== 'success').map((s) => `${s.responseCode} ${s.responseMessage}`)]);
    expect(outcomes).toEqual([['success', []], ['success', []], ['failed', ['BENCH_PERMANENT bench: permanent failure on attempt 1']], ['success', []], ['success', []]]);

    // Refused: a body the contract refuses, and a caller without a token.
    const invalid = await system.post('/api/v1/tasks', { name: 'no subtasks', createdBy: 'e2e', subtasks: [] });
    expect(invalid.status).toBe(400);
    const anonymous = await fetch(`${system.taskApi.url}/api/v1/tasks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(anonymous.status).toBe(401);
    // A command on the durable stream that is not JSON: refused and dead-lettered.
    await system.js.publish(system.topology.commandSubject('create'), 'not json', { headers: system.natsAuth() });

    await until('commands accepted over HTTP', delta('task-api', 'vle_commands_accepted_total', { command: 'create', transport: 'http' }), 4);
    await until('commands accepted over a NATS request', delta('task-api', 'vle_commands_accepted_total', { command: 'create', transport: 'nats_request' }), 1);
    await until('commands refused as invalid', delta('task-api', 'vle_commands_refused_total', { command: 'create', transport: 'http', code: invalid.body.code }), 1);
    await until('commands refused unauthenticated', delta('task-api', 'vle_commands_refused_total', { command: 'create', transport: 'http', code: 'UNAUTHENTICATED' }), 1);
    await until('commands refused on the stream', delta('task-api', 'vle_commands_refused_total', { transport: 'nats_stream' }), 1);
    await until('dead letters of the command stream', delta('task-api', 'vle_dead_letters_total', { source: 'commands' }), 1);

    const worker = (name: string, labels: Record<string, string>) => delta('integration-worker', name, { queue: 'bench', ...labels });
    await until('noop jobs succeeded', worker('vle_jobs_succeeded_total', { action: 'noop' }), 6);
    await until('noop attempts started', worker('vle_jobs_started_total', { action: 'noop' }), 6);
    await until('noop attempts timed', worker('vle_job_attempt_duration_seconds_count', { action: 'noop', outcome: 'succeeded' }), 6);
    await until('attempts of fail started', worker('vle_jobs_started_total', { action: 'fail' }), 4);
    await until('attempts of fail retried', worker('vle_jobs_retried_total', { action: 'fail' }), 2);
    await until('jobs of fail succeeded', worker('vle_jobs_succeeded_total', { action: 'fail' }), 1);
    await until('jobs of fail failed for good', worker('vle_jobs_failed_total', { action: 'fail' }), 1);
    expect(WORKER_MAX_RETRY).toBeGreaterThanOrEqual(2);

    await until('mails sent', delta('integration-worker', 'vle_jobs_succeeded_total', { queue: 'mails' }), 1);
    await until('SMTP exchanges that succeeded', delta('integration-worker', 'vle_external_calls_total', { system: 'smtp', outcome: 'ok' }), 1);
    await until('SMTP exchanges timed', delta('integration-worker', 'vle_external_call_duration_seconds_count', { system: 'smtp' }), 1);
    await until('VMs cloned', delta('vm-clone-worker', 'vle_jobs_succeeded_total', { queue: 'pve_vm_clone' }), 2);
    expect(await delta('vm-clone-worker', 'vle_external_calls_total', { system: 'proxmox', outcome: 'ok' })()).toBeGreaterThanOrEqual(2);
    expect(await delta('vm-clone-worker', 'vle_external_calls_total', { system: 'proxmox', outcome: 'server_error' })()).toBe(0);

    // Every commit appended by a service of the system is one message of TASK_EVENTS. An append whose
    // acknowledgement was lost (a slow server) is stored but not counted; its writer, trying again,
    // meets a wrong expected sequence and counts a conflict instead.
    const summed = async (name: string) => {
      const scrapes = await scrapeAll();
      return SERVICES.reduce((sum, s) => sum + scrapes[s].value(name) - before[s].value(name), 0);
    };
    const appended = () => summed('vle_event_appends_total');
    const eventsNow = async () => (await storedNow()) - eventsBefore;
    let last = '';
    await waitFor(async () => {
      const [counted, conflicts, stored] = [await appended(), await summed('vle_event_append_conflicts_total'), await eventsNow()];
      last = `counted ${counted}, conflicts ${conflicts}, stored ${stored}`;
      return counted <= stored && counted + conflicts >= stored;
    }, { description: 'the appends counted to account for the commits stored', timeoutMs: 30_000 }).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}: ${last}`);
    });
    expect(await appended()).toBeGreaterThanOrEqual(tasks.flatMap((t) => t.subtasks).length);
  }, 180_000);

  it('read the projection lag, the streams, the dead letters kept and the consumers when scraped', async () => {
    const stream = () => system.jsm.streams.info(system.topology.eventStream.name);
    await waitFor(async () => (await system.metrics('projection')).value('vle_projection_lag_events') === 0, { description: 'the projection lag to be 0', timeoutMs: 30_000 });
    const [scrape, events] = await Promise.all([system.metrics('projection'), stream()]);
    // The scheduler may append between the two reads: the applied sequence is at most the stream's.
    expect(scrape.value('vle_projection_applied_sequence')).toBeGreaterThan(0);
    expect(scrape.value('vle_projection_applied_sequence')).toBeLessThanOrEqual(events.state.last_seq);
    expect(scrape.value('vle_jetstream_stream_bytes', { stream: system.topology.eventStream.name })).toBeGreaterThan(0);
    expect(scrape.value('vle_jetstream_stream_max_bytes', { stream: system.topology.deadLetterStream.name })).toBeGreaterThan(0);
    expect(scrape.value('vle_dead_letters_stored')).toBe((await system.jsm.streams.info(system.topology.deadLetterStream.name)).state.messages);
    expect(scrape.value('vle_dead_letters_stored')).toBeGreaterThanOrEqual(1);
    expect(scrape.value('vle_subtasks_overdue')).toBe(0);
    expect(scrape.has('vle_jetstream_account_storage_bytes')).toBe(true);

    const benchConsumer = { stream: system.topology.jobStream.name, consumer: system.topology.jobConsumerName('bench') };
    const worker = await system.metrics('integration-worker');
    expect(worker.select('vle_consumer_pending', benchConsumer)).toEqual([expect.objectContaining({ value: 0 })]);
    expect(worker.select('vle_consumer_ack_pending', benchConsumer)).toEqual([expect.objectContaining({ value: 0 })]);
    expect((await system.metrics('task-api')).select('vle_consumer_pending', { consumer: system.topology.commandConsumer.durable_name! })).toHaveLength(1);
  });

  it('count the live-stream clients while they are connected', async () => {
    const clients = async () => (await system.metrics('projection')).value('vle_live_stream_clients');
    expect(await clients()).toBe(0);
    const abort = new AbortController();
    const response = await fetch(`${system.projection.url}/api/v1/tasks/stream`, { headers: bearer(system.token), signal: abort.signal });
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    let text = '';
    while (!text.includes('event: ready')) text += new TextDecoder().decode((await reader.read()).value);
    await waitFor(async () => (await clients()) === 1, { description: 'one live client counted' });
    abort.abort();
    await waitFor(async () => (await clients()) === 0, { description: 'the client gone from the count' });
  });
});

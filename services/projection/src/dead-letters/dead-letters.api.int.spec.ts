// The dead letters for admins over HTTP on a booted projection (README, "Dead letters"): dead letters
// written by the project's own writer (a refused command with a password and the caller's token in
// its headers, jobs past their deliveries, bytes that are not JSON) and one written by hand with a
// credential header, read back listed, paged, filtered, one by one and counted, with no secret in any
// answer; the admin routes refused to a reader and to a scoped admin.

import { jetstream, jetstreamManager, type JetStreamClient } from '@nats-io/jetstream';
import { headers as natsHeaders } from '@nats-io/transport-node';
import { Headers } from '@vle/contracts';
import { ensureStream } from '@vle/event-store';
import { publishDeadLetter } from '@vle/messaging';
import type { RunningService } from '@vle/service-kit';
import { bearer, createTestDatabase, freePort, testToken, waitFor, type TestDatabase } from '@vle/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootstrap } from '../index.js';
import { openTestLog, type TestLog } from '../testing/test-log.js';
import { DeadLetterReader } from './dead-letter-reader.js';

const SECRET = 'c4n4ry';
let database: TestDatabase;
let log: TestLog;
let js: JetStreamClient;
let service: RunningService;
let admin: string;
/** Every answer's body as text, searched for secrets at the end. */
const answers: string[] = [];

async function get(path: string, token: string | null = admin): Promise<{ status: number; body: any }> {
  const response = await fetch(`${service.url}${path}`, { headers: token ? bearer(token) : {} });
  const text = await response.text();
  answers.push(text);
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

const job = (n: number) => ({ taskId: `task-${n}`, subTaskId: `sub-${n}`, generation: 1, queue: 'pve_vm_clone', action: 'vm.clone', params: { vmid: 100 + n, pveToken: `${SECRET}-job-${n}` } });
const bytes = (text: string | Buffer) => new Uint8Array(typeof text === 'string' ? Buffer.from(text, 'utf8') : text);

async function writeAll(): Promise<void> {
  const t = log.topology;
  // A refused command with its caller's token in a header: the writer keeps no header of the message.
  const commandHeaders = natsHeaders();
  commandHeaders.set(Headers.authorization, `Bearer ${SECRET}-jwt.eyJhbGciOi.sig`);
  const command = { name: 'Mail', createdBy: 'ada', subtasks: [{ key: 'm', name: 'M', action: 'mail.send', queue: 'mails', params: { to: [], password: `${SECRET}-pw`, link: `https://x.example/?token=${SECRET}-link` } }] };
  await publishDeadLetter(js, { source: 'commands', deadLetterSubject: t.deadLetterSubject('commands'), code: 'VALIDATION_FAILED', reason: 'subtasks[0].params.to: is required', message: Object.assign({ subject: t.commandSubject('create'), data: bytes(JSON.stringify(command)), seq: 1 }, { headers: commandHeaders }) });
  for (const n of [1, 2, 3]) {
    const reason = `consumer ${t.jobConsumerName('pve_vm_clone')} gave up after 5 deliveries without an ack (max_deliver; told by the MAX_DELIVERIES advisory)`;
    await publishDeadLetter(js, { source: 'jobs.pve_vm_clone', deadLetterSubject: t.deadLetterSubject('jobs.pve_vm_clone'), code: 'MAX_DELIVERIES', reason, message: { subject: t.jobSubject('pve_vm_clone'), data: bytes(JSON.stringify(job(n))), seq: 10 + n } });
  }
  await publishDeadLetter(js, { source: 'jobs.mails', deadLetterSubject: t.deadLetterSubject('jobs.mails'), code: 'TERMINATED', reason: 'terminated by consumer mails after 1 deliveries', message: { subject: t.jobSubject('mails'), data: bytes('{"taskId":"task-9","action":"mail.send"}'), seq: 20 } });
  // Not JSON: a long text with a secret in it and a control character, then bytes that are not UTF-8.
  await publishDeadLetter(js, { source: 'inventory.pve', deadLetterSubject: t.deadLetterSubject('inventory.pve'), code: 'MALFORMED_SNAPSHOT', reason: 'not JSON', message: { subject: t.pveInventorySubject, data: bytes(`nodes\u0007 password=${SECRET}-raw ${'x'.repeat(5000)}`), seq: 30 } });
  await publishDeadLetter(js, { source: 'deadlines', deadLetterSubject: t.deadLetterSubject('deadlines'), code: 'MALFORMED_DEADLINE', reason: 'not a deadline', message: { subject: 'x.tasks.due.1', data: bytes(Buffer.from([0xff, 0x00, 0x41])), seq: 40 } });
  // By hand (an older writer, a bug): unmasked, with credential headers on the dead letter itself.
  const h = natsHeaders();
  h.set(Headers.deadLetterCode, 'HAND_WRITTEN');
  h.set(Headers.authorization, `Bearer ${SECRET}-hdr`);
  h.set('Cookie', `session=${SECRET}-cookie`);
  const body = { source: 'commands', subject: t.commandSubject('cancel'), code: 'HAND_WRITTEN', reason: `Authorization: Bearer ${SECRET}-reason`, payload: Buffer.from(JSON.stringify({ taskId: 'task-h', apiKey: `${SECRET}-key`, note: `postgres://u:${SECRET}-url@db/x` })).toString('base64') };
  await js.publish(t.deadLetterSubject('commands'), JSON.stringify(body), { headers: h });
}

const WRITTEN = 8;

beforeAll(async () => {
  database = await createTestDatabase('vle_projection_dlq');
  log = await openTestLog('dlqapi');
  js = jetstream(log.nc);
  await ensureStream(log.jsm, log.topology.deadLetterStream);
  admin = await testToken({ subject: 'dlq-admin', permissions: ['tasks_admin'] });
  await writeAll();
  service = await bootstrap({ env: { DATABASE_URL: database.url, NATS_NAMESPACE: log.topology.namespace, HOST: '127.0.0.1', PORT: String(await freePort()), LOG_LEVEL: 'warn' } });
  await waitFor(async () => ((await fetch(`${service.url}/health/ready`)).status === 200 ? true : undefined), { description: 'the projection to be ready', timeoutMs: 30_000 });
}, 60_000);

afterAll(async () => {
  await service?.close();
  await log?.close();
  await database?.drop();
});

async function listAll(query: string): Promise<{ items: any[]; pages: number }> {
  const items: any[] = [];
  let before: number | null = null;
  let pages = 0;
  do {
    const page: { status: number; body: any } = await get(`/api/v1/dead-letters?${query}${before ? `&before=${before}` : ''}`);
    expect(page.status).toBe(200);
    items.push(...page.body.items);
    before = page.body.nextBefore;
    pages += 1;
  } while (before !== null && pages < 50);
  return { items, pages };
}

describe('GET /api/v1/dead-letters', () => {
  it('lists every dead letter newest first, with its source, code, reason and masked payload', async () => {
    const { status, body } = await get('/api/v1/dead-letters');
    expect(status).toBe(200);
    expect(body.nextBefore).toBeNull();
    const seqs = body.items.map((i: any) => i.seq);
    expect(seqs).toHaveLength(WRITTEN);
    expect(seqs).toEqual([...seqs].sort((a: number, b: number) => b - a));
    expect(body.items.map((i: any) => `${i.source} ${i.code}`)).toEqual([
      'commands HAND_WRITTEN',
      'deadlines MALFORMED_DEADLINE',
      'inventory.pve MALFORMED_SNAPSHOT',
      'jobs.mails TERMINATED',
      'jobs.pve_vm_clone MAX_DELIVERIES',
      'jobs.pve_vm_clone MAX_DELIVERIES',
      'jobs.pve_vm_clone MAX_DELIVERIES',
      'commands VALIDATION_FAILED',
    ]);
    const [hand, deadline, inventory, mail, clone3] = body.items;
    expect(clone3).toMatchObject({ subject: log.topology.jobSubject('pve_vm_clone'), deliveries: 5, taskId: 'task-3', subTaskId: 'sub-3', queue: 'pve_vm_clone', action: 'vm.clone', payload: { format: 'json', value: { ...job(3), params: { vmid: 103, pveToken: '[REDACTED]' } } } });
    expect(Date.parse(clone3.at)).toBeGreaterThan(Date.now() - 120_000);
    expect(mail).toMatchObject({ deliveries: 1, taskId: 'task-9', queue: 'mails', action: 'mail.send' });
    expect(inventory.payload).toMatchObject({ format: 'text', truncated: true, size: Buffer.byteLength(`nodes\u0007 password=${SECRET}-raw ${'x'.repeat(5000)}`) });
    expect(inventory.payload.preview).toMatch(/^nodes\\u0007 password=\[REDACTED\] x+$/);
    expect(inventory.payload.preview.length).toBeLessThanOrEqual(2048 + 10);
    expect(deadline.payload).toEqual({ format: 'text', preview: '\ufffd\\u0000A', size: 3, truncated: false });
    expect(hand).toMatchObject({ subject: log.topology.commandSubject('cancel'), taskId: 'task-h', reason: 'Authorization: [REDACTED]', payload: { format: 'json', value: { apiKey: '[REDACTED]', note: 'postgres://u:[REDACTED]@db/x' } } });
    // No header of a stored dead letter is shown (their values may be credentials).
    expect(JSON.stringify(body).toLowerCase()).not.toMatch(/authorization"|cookie|bearer/);
  });

  it('pages by stream sequence: nextBefore walks the whole stream once', async () => {
    const whole = (await get('/api/v1/dead-letters?limit=200')).body.items.map((i: any) => i.seq);
    const paged = await listAll('limit=3');
    expect(paged.items.map((i) => i.seq)).toEqual(whole);
    expect(paged.pages).toBe(3);
    const below = (await get(`/api/v1/dead-letters?before=${whole[2]}&limit=2`)).body;
    expect(below.items.map((i: any) => i.seq)).toEqual(whole.slice(3, 5));
    expect(below.nextBefore).toBe(whole[4]);
  });

  it('filters by source, code and time', async () => {
    const clones = (await get('/api/v1/dead-letters?source=jobs.pve_vm_clone&code=MAX_DELIVERIES')).body.items;
    expect(clones.map((i: any) => i.taskId)).toEqual(['task-3', 'task-2', 'task-1']);
    expect((await listAll('source=jobs')).items.map((i) => i.source)).toEqual(['jobs.mails', ...Array(3).fill('jobs.pve_vm_clone')]);
    expect((await listAll('source=commands,deadlines')).items.map((i) => i.code)).toEqual(['HAND_WRITTEN', 'MALFORMED_DEADLINE', 'VALIDATION_FAILED']);
    expect((await listAll('code=TERMINATED&code=HAND_WRITTEN')).items.map((i) => i.code)).toEqual(['HAND_WRITTEN', 'TERMINATED']);
    expect((await listAll('code=NOT_THERE')).items).toEqual([]);
    const all = (await get('/api/v1/dead-letters')).body.items;
    const future = new Date(Date.now() + 3600_000).toISOString();
    expect((await listAll(`since=${future}`)).items).toEqual([]);
    expect((await listAll('until=2020-01-01')).items).toEqual([]);
    expect((await listAll(`until=${all[0].at}&since=2020-01-01`)).items.map((i) => i.seq)).toEqual(all.filter((i: any) => i.at <= all[0].at).map((i: any) => i.seq));
    // until: the newest at or before the time, found by bisection (the oldest's own time keeps it).
    const oldest = all.at(-1);
    expect((await listAll(`until=${oldest.at}`)).items.map((i) => i.seq)).toEqual(all.filter((i: any) => i.at <= oldest.at).map((i: any) => i.seq));
  });

  it('bounds the sequences one page looks at, and goes on from where it stopped', async () => {
    const { state } = await log.jsm.streams.info(log.topology.deadLetterStream.name);
    const reader = new DeadLetterReader({ js, jsm: await jetstreamManager(log.nc), stream: log.topology.deadLetterStream.name, subjectPrefix: log.topology.deadLetterSubject('' as never), scanLimit: 3 });
    const first = await reader.list({ limit: 50, codes: ['VALIDATION_FAILED'] });
    expect(first).toEqual({ items: [], nextBefore: state.last_seq - 2, scanned: 3 });
    const pages = [first];
    while (pages.at(-1)!.nextBefore !== null) pages.push(await reader.list({ limit: 50, codes: ['VALIDATION_FAILED'], before: pages.at(-1)!.nextBefore! }));
    expect(pages.flatMap((p) => p.items.map((i) => i.code))).toEqual(['VALIDATION_FAILED']);
    expect(pages.every((p) => p.scanned <= 3)).toBe(true);
  });

  it('refuses bad input naming the field', async () => {
    for (const [query, field] of [['limit=500', 'limit'], ['before=abc', 'before'], ['source=jobs.nope', 'source'], ['code=%20x%20y', 'code'], ['since=yesterday', 'since'], ['until=2026-02-30', 'until'], ['cursor=x', 'cursor']] as const) {
      const { status, body } = await get(`/api/v1/dead-letters?${query}`);
      expect({ query, status, code: body.code, fields: body.violations.map((v: any) => v.field) }).toEqual({ query, status: 400, code: 'VALIDATION_FAILED', fields: [field] });
    }
  });
});

describe('GET /api/v1/dead-letters/:seq', () => {
  it('answers one dead letter, its JSON payload whole; 404 when there is none; 400 for what is not a sequence', async () => {
    const [newest] = (await get('/api/v1/dead-letters?limit=1')).body.items;
    const one = await get(`/api/v1/dead-letters/${newest.seq}`);
    expect(one).toEqual({ status: 200, body: newest });
    const { state } = await log.jsm.streams.info(log.topology.deadLetterStream.name);
    expect(await get(`/api/v1/dead-letters/${state.last_seq + 1000}`)).toMatchObject({ status: 404, body: { code: 'DEAD_LETTER_NOT_FOUND' } });
    expect(await get('/api/v1/dead-letters/abc')).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED', violations: [{ field: 'seq' }] } });
  });
});

describe('GET /api/v1/dead-letters/summary', () => {
  it('counts the dead letters by source and code', async () => {
    const { status, body } = await get('/api/v1/dead-letters/summary');
    expect(status).toBe(200);
    expect(body).toMatchObject({ total: WRITTEN, counted: WRITTEN, complete: true });
    expect(body.counts[0]).toEqual({ source: 'jobs.pve_vm_clone', code: 'MAX_DELIVERIES', count: 3 });
    expect(body.counts).toHaveLength(6);
    expect(body.counts).toContainEqual({ source: 'commands', code: 'VALIDATION_FAILED', count: 1 });
    expect(body.bySource).toEqual([
      { source: 'jobs.pve_vm_clone', count: 3 },
      { source: 'commands', count: 2 },
      { source: 'deadlines', count: 1 },
      { source: 'inventory.pve', count: 1 },
      { source: 'jobs.mails', count: 1 },
    ]);
    // The summary's ordered consumer is deleted when done.
    await waitFor(async () => ((await log.jsm.consumers.list(log.topology.deadLetterStream.name).next()).length === 0 ? true : undefined), { description: 'no consumer left on DEAD_LETTERS', timeoutMs: 5000 });
  });
});

describe('who may read dead letters', () => {
  it('an admin only, and not with an object scope; 401 without a token', async () => {
    const reader = await testToken({ subject: 'reader', permissions: ['tasks_read', 'sub_tasks_read', 'inventory_read'] });
    const scoped = await testToken({ subject: 'scoped-admin', permissions: ['tasks_admin', 'tasks_read'], scope: { events: ['42'] } });
    const own = await testToken({ subject: 'own-admin', permissions: ['tasks_admin'], scope: { own: true } });
    for (const path of ['/api/v1/dead-letters', '/api/v1/dead-letters/summary', '/api/v1/dead-letters/1']) {
      expect((await get(path, reader)).body).toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('tasks_admin') });
      for (const token of [reader, scoped, own]) expect({ path, status: (await get(path, token)).status }).toEqual({ path, status: 403 });
      expect((await get(path, scoped)).body.message).toContain('scope');
      expect((await get(path, null)).status).toBe(401);
    }
  });
});

describe('no secret in any answer', () => {
  it('holds for every answer above', () => {
    expect(answers.length).toBeGreaterThan(20);
    expect(answers.filter((a) => a.includes(SECRET))).toEqual([]);
    expect(answers.filter((a) => /eyJhbGciOi|sig"|session=/.test(a))).toEqual([]);
  });
});

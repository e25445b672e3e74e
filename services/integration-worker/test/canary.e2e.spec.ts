// Secrets never leak (DESIGN §7), end to end: 200 Tasks whose params carry unique canary secrets,
// external errors that echo canaries back (the SMTP sink refusing with an unblock URL that holds a
// token), and refused commands carrying canaries (dead letters). Afterwards every message of every
// stream of the namespace (headers and bytes, a dead letter's payload decoded), a pg_dump of the
// database and every log line of every vle-tasks process are searched: no canary may be in them.

import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import type { Task } from '@vle/domain';
import { waitFor } from '@vle/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { System } from '../../task-api/test/system.js';

const system = new System();
const canaries: string[] = [];

/** A unique secret that no encoding we use would change (letters and digits only). */
function canary(): string {
  const value = `cnry${randomBytes(8).toString('hex')}`;
  canaries.push(value);
  return value;
}

beforeAll(async () => {
  await system.start({ integrations: { LOG_LEVEL: 'debug' }, taskApi: { LOG_LEVEL: 'debug' } });
}, 60_000);

afterAll(async () => {
  await system.stop();
});

async function create(body: unknown): Promise<string> {
  const response = await system.post('/api/v1/tasks', body);
  if (response.status !== 201) throw new Error(`POST /api/v1/tasks answered ${response.status}: ${JSON.stringify(response.body)}`);
  return response.body.taskId;
}

// An explicit DAG whose params hold the secrets a caller might put there, by every name and shape.
function secretDag(n: number): unknown {
  const params = {
    password: canary(),
    token: canary(),
    key: canary(),
    pin: canary(),
    otp: canary(),
    pw: canary(),
    api_key: canary(),
    nested: { client_secret: canary(), Authorization: `Bearer ${canary()}`, list: [{ passphrase: canary() }] },
    callback: `https://ops:${canary()}@hooks.example/done?id=${n}&token=${canary()}`,
    header: `Authorization: PVEAPIToken=root@pam!ci=${canary()}`,
  };
  return { name: `canary ${n}`, createdBy: 'e2e', subtasks: [{ key: 'a', name: 'A', action: 'noop', queue: 'bench', params }] };
}

async function dumpStreams(): Promise<string> {
  const parts: string[] = [];
  for (const stream of system.topology.streams) {
    const { state } = await system.jsm.streams.info(stream.name);
    for (let seq = state.first_seq; state.messages > 0 && seq <= state.last_seq; seq++) {
      const message = await system.jsm.streams.getMessage(stream.name, { seq }).catch(() => null);
      if (!message) continue;
      const data = Buffer.from(message.data).toString('utf8');
      parts.push(`${stream.name} ${seq} ${message.subject}`, message.header ? [...message.header].map(([k, v]) => `${k}: ${v.join(',')}`).join('\n') : '', data);
      // A dead letter carries the refused bytes in base64: searched decoded as well.
      if (stream.name === system.topology.deadLetterStream.name) parts.push(Buffer.from(JSON.parse(data).payload ?? '', 'base64').toString('utf8'));
    }
  }
  return parts.join('\n');
}

async function pgDump(): Promise<string> {
  const { stdout } = await promisify(execFile)('pg_dump', ['-h', '127.0.0.1', '-U', 'postgres', system.db.name], { maxBuffer: 256 * 1024 * 1024 });
  return stdout;
}

const leaked = (text: string) => canaries.filter((c) => text.includes(c));

describe('canaries', () => {
  it('200 Tasks, echoing external errors and refused commands leave no canary in any stream, the database or any log line', async () => {
    // 50 mails: 25 refused outright, 25 partly; the sink's refusal line echoes a token in a URL.
    const rules = Array.from({ length: 50 }, (_, n) => ({ recipient: `r${n}@canary.test`, code: 550, message: `5.7.1 blocked; unblock at https://relay.example/unblock?id=${n}&token=${canary()}` }));
    await system.sandboxCall('PUT', '/_sandbox/smtp/rules', { rules });
    const mails = Array.from({ length: 50 }, (_, n) => ({ type: 'mail.send', createdBy: 'e2e', params: { to: n < 25 ? [`r${n}@canary.test`] : [`ok${n}@example.test`, `r${n}@canary.test`], subject: `Lab ${n}`, text: 'Hello' } }));
    const bodies = [...Array.from({ length: 150 }, (_, n) => secretDag(n)), ...mails];
    const taskIds: string[] = [];
    for (let i = 0; i < bodies.length; i += 20) taskIds.push(...(await Promise.all(bodies.slice(i, i + 20).map(create))));
    // 30 refused fire-and-forget commands: bad fields beside secrets, and malformed JSON.
    for (let n = 0; n < 30; n++) {
      const body = n % 2 === 0 ? JSON.stringify({ type: 'mail.send', createdBy: 'e2e', params: { to: 'not-a-list', password: canary(), smtp: { token: canary() } } }) : `{"name":"x","createdBy":"e2e","password":"${canary()}","callback":"https://x.example/?key=${canary()}", broken`;
      await system.js.publish(system.topology.commandSubject('create'), body, { headers: system.natsAuth() });
    }

    const tasks: Task[] = [];
    for (const taskId of taskIds) tasks.push(await system.finished(taskId, 45_000));
    expect(tasks.filter((t) => t.status === 'success')).toHaveLength(175);
    expect(tasks.filter((t) => t.status === 'failed').map((t) => t.subtasks[0]!.responseCode)).toEqual(Array(25).fill('SMTP_550'));
    // The echo did come back: the partly refused mails quote the refusal, token masked.
    expect(tasks[175]!.subtasks[0]!.responseMessage).toMatch(/rejected: r25@canary\.test 550 5\.7\.1 blocked; unblock at https:\/\/relay\.example\/unblock\?id=25&token=\[REDACTED\]/);
    await waitFor(async () => (await system.jsm.streams.info(system.topology.deadLetterStream.name)).state.messages >= 30 || undefined, { description: '30 dead letters', timeoutMs: 20_000 });
    const last = taskIds[taskIds.length - 1]!;
    await waitFor(async () => (await system.query(`/api/v1/tasks/${last}`)).body?.status === tasks[tasks.length - 1]!.status || undefined, { description: 'the projection to catch up', timeoutMs: 20_000 });
    for (const taskId of taskIds) await waitFor(async () => (['success', 'failed'].includes((await system.query(`/api/v1/tasks/${taskId}`)).body?.status) ? true : undefined), { description: `Task ${taskId} in the read model`, timeoutMs: 20_000 });

    const streams = await dumpStreams();
    const database = await pgDump();
    const logs = [system.taskApi, system.worker, system.projection].map((p) => p.output()).join('\n');
    // The dumps are of the real thing: the Tasks, their masked params and the dead letters are in them.
    expect(streams).toContain('canary 149');
    expect(database).toContain('canary 149');
    expect(database).toContain('[REDACTED]');
    expect(streams.match(/VALIDATION_FAILED|MALFORMED_JSON/g)?.length).toBeGreaterThanOrEqual(30);
    expect(canaries.length).toBeGreaterThan(150 * 13);
    expect({ streams: leaked(streams), database: leaked(database), logs: leaked(logs) }).toEqual({ streams: [], database: [], logs: [] });
  }, 120_000);
});

// task-api under bodies that arrive slowly: the commands in flight are bounded (here 2), a command
// beyond is refused at once with 503 BUSY naming the limit instead of being held in memory, and room
// comes back as soon as a command is answered.

import { bearer, deleteNamespaceStreams, startService, testNamespace, testToken, waitFor, type ServiceProcess } from '@vle/testing';
import { request, type ClientRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entries } from './system.js';

const namespace = testNamespace('budget');
let taskApi: ServiceProcess;
let token: string;

beforeAll(async () => {
  token = await testToken();
  taskApi = await startService(entries.taskApi, { NATS_NAMESPACE: namespace, TASK_API_BENCH_QUEUE: 'true', TASK_API_MAX_COMMANDS_IN_FLIGHT: '2', LOG_FORMAT: 'text', LOG_LEVEL: 'warn' });
});

afterAll(async () => {
  await taskApi?.stop();
  await deleteNamespaceStreams(namespace);
});

const body = (name: string) => JSON.stringify({ name, createdBy: 'budget', subtasks: [{ key: 'a', name: 'a', action: 'noop', queue: 'bench' }] });

interface SlowUpload {
  finish(): void;
  readonly answer: Promise<{ status: number; body: string }>;
  /** Answered before its body was finished: refused (BUSY) when it arrived. */
  readonly answered: boolean;
}

/** A POST whose body is sent in two parts: the first now, the rest when `finish` is called. */
function slowUpload(name: string): SlowUpload {
  const whole = body(name);
  let req!: ClientRequest;
  const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req = request(`${taskApi.url}/api/v1/tasks`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(whole)), ...bearer(token) } }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
  });
  // A failed test leaves it unanswered until task-api stops: not an unhandled rejection then.
  let answered = false;
  answer.then(
    () => (answered = true),
    () => (answered = true),
  );
  req.write(whole.slice(0, 10));
  return {
    finish: () => req.end(whole.slice(10)),
    answer,
    get answered() {
      return answered;
    },
  };
}

async function post(name: string): Promise<{ status: number; body: { code?: string; message?: string } }> {
  const response = await fetch(`${taskApi.url}/api/v1/tasks`, { method: 'POST', headers: { 'content-type': 'application/json', ...bearer(token) }, body: body(name) });
  return { status: response.status, body: (await response.json()) as { code?: string; message?: string } };
}

describe('task-api with 2 commands in flight at most', () => {
  it('refuses a third command with 503 BUSY while two bodies are still arriving, and takes it once one is answered', async () => {
    const uploads = [slowUpload('slow-1'), slowUpload('slow-2')];
    // Both are admitted once their headers arrived and their tokens are verified: until then a third
    // command still finds room (and is created), so ask until the budget is full. A slow upload that
    // arrives while a probe holds room is itself refused; it is replaced, so that two slow uploads
    // hold the budget in the end. When a probe is refused, the only other commands in flight are
    // the two slow uploads (probes are sent one after another).
    let attempt = 0;
    let uploaded = uploads.length;
    const refused = await waitFor(async () => {
      uploads.forEach((upload, i) => {
        if (upload.answered) uploads[i] = slowUpload(`slow-${++uploaded}`);
      });
      const answer = await post(`third-${attempt++}`);
      return answer.status === 503 ? answer : undefined;
    }, { description: 'a third command refused while two bodies are arriving', timeoutMs: 15_000, intervalMs: 5 });
    const [first, second] = uploads as [SlowUpload, SlowUpload];
    expect(refused.status).toBe(503);
    expect(refused.body.code).toBe('BUSY');
    expect(refused.body.message).toContain('limit (2 commands');
    first.finish();
    expect((await first.answer).status).toBe(201);
    expect((await post('after')).status).toBe(201);
    second.finish();
    expect((await second.answer).status).toBe(201);
  });
});

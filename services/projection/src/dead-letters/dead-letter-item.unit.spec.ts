import { describe, expect, it } from 'vitest';
import { deadLetterItem, payloadOf, PREVIEW_CHARS, previewOf, type StoredDeadLetter } from './dead-letter-item.js';

const PREFIX = 'ns1.dlq.';
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

function stored(body: unknown, options: { subject?: string; code?: string; raw?: string } = {}): StoredDeadLetter {
  const data = Buffer.from(options.raw ?? JSON.stringify(body), 'utf8');
  return { seq: 7, time: new Date('2026-11-22T10:00:00.000Z'), subject: options.subject ?? `${PREFIX}jobs.pve_vm_clone`, data, header: (name) => (name === 'Vle-Dead-Letter-Code' ? options.code : undefined) };
}

const item = (s: StoredDeadLetter, maxJsonBytes = Number.POSITIVE_INFINITY) => deadLetterItem(s, { subjectPrefix: PREFIX, maxJsonBytes });

describe('a stored dead letter as an item', () => {
  it('maps a job past its deliveries: source, queue, task, SubTask, action and deliveries from the reason', () => {
    const job = { taskId: 't-1', subTaskId: 's-1', generation: 1, queue: 'pve_vm_clone', action: 'vm.clone', params: { vmid: 101 } };
    const out = item(stored({ source: 'jobs.pve_vm_clone', subject: 'ns1.jobs.pve_vm_clone', code: 'MAX_DELIVERIES', reason: 'consumer c gave up after 5 deliveries without an ack', payload: b64(JSON.stringify(job)), streamSequence: '12' }, { code: 'MAX_DELIVERIES' }));
    expect(out).toEqual({
      seq: 7,
      at: '2026-11-22T10:00:00.000Z',
      source: 'jobs.pve_vm_clone',
      subject: 'ns1.jobs.pve_vm_clone',
      code: 'MAX_DELIVERIES',
      reason: 'consumer c gave up after 5 deliveries without an ack',
      deliveries: 5,
      taskId: 't-1',
      subTaskId: 's-1',
      queue: 'pve_vm_clone',
      action: 'vm.clone',
      payload: { format: 'json', value: job, size: JSON.stringify(job).length },
    });
  });

  it('masks again what the writer left: secret keys, secrets in strings and in the reason', () => {
    const command = { name: 'x', params: { password: 'c4n4ry-1', note: 'Authorization: Bearer c4n4ry-2.x.y', url: 'https://u:c4n4ry-3@h.example/' }, authorization: 'Bearer c4n4ry-4' };
    const out = item(stored({ source: 'commands', subject: 'ns1.tasks.cmd.create', code: 'VALIDATION_FAILED', reason: 'bad value token=c4n4ry-5', payload: b64(JSON.stringify(command)) }, { subject: `${PREFIX}commands` }));
    expect(JSON.stringify(out)).not.toContain('c4n4ry');
    expect(out.payload).toMatchObject({ format: 'json', value: { params: { password: '[REDACTED]' }, authorization: '[REDACTED]' } });
    expect(out).toMatchObject({ source: 'commands', code: 'VALIDATION_FAILED', reason: 'bad value token=[REDACTED]' });
    expect(out.queue).toBeUndefined();
  });

  it('keeps the code of the header over the body, and a DAG step keys as they are', () => {
    const dag = { subtasks: [{ key: 'a', params: { key: 'c4n4ry-6' } }] };
    const out = item(stored({ code: 'BODY', reason: '', payload: b64(JSON.stringify(dag)) }, { code: 'DAG_CYCLE', subject: `${PREFIX}commands` }));
    expect(out.code).toBe('DAG_CYCLE');
    expect(out.payload).toEqual({ format: 'json', value: { subtasks: [{ key: 'a', params: { key: '[REDACTED]' } }] }, size: JSON.stringify(dag).length });
  });

  it('shows a body that is not the writer\'s JSON whole, masked, as a preview', () => {
    const out = item(stored(undefined, { raw: 'garbage password=c4n4ry-7', subject: `${PREFIX}deadlines` }));
    expect(out).toMatchObject({ source: 'deadlines', code: 'UNKNOWN', payload: { format: 'text', preview: 'garbage password=[REDACTED]', size: 25, truncated: false } });
  });

  it('leaves out facts that are not short plain strings', () => {
    const out = item(stored({ code: 'X', reason: 'r', payload: b64(JSON.stringify({ taskId: 42, subTaskId: 'x'.repeat(500), action: ['a'] })) }, { subject: `${PREFIX}commands` }));
    expect(out).not.toHaveProperty('taskId');
    expect(out).not.toHaveProperty('subTaskId');
    expect(out).not.toHaveProperty('action');
    expect(out).not.toHaveProperty('deliveries');
  });
});

describe('the payload', () => {
  const bytes = (text: string) => new Uint8Array(Buffer.from(text, 'utf8'));

  it('is JSON when it parses and is within the bound, else a preview of the masked text with its size', () => {
    expect(payloadOf(bytes('{"a":1}'), 100)).toEqual({ format: 'json', value: { a: 1 }, size: 7 });
    expect(payloadOf(bytes('{"a":1, "secret":"c4n4ry"}'), 10)).toEqual({ format: 'text', preview: '{"a":1,"secret":"[REDACTED]"}', size: 26, truncated: false });
    expect(payloadOf(bytes('{"type":"x","password":"c4n4ry-8", broken'), 1000)).toEqual({ format: 'text', preview: '{"type":"x","password":"[REDACTED]", broken', size: 41, truncated: false });
    expect(payloadOf(new Uint8Array(), 1000)).toEqual({ format: 'text', preview: '', size: 0, truncated: false });
  });

  it('caps a long text and escapes control characters, keeping what is printable', () => {
    const long = payloadOf(bytes('x'.repeat(PREVIEW_CHARS * 3)), 0);
    expect(long).toMatchObject({ format: 'text', size: PREVIEW_CHARS * 3, truncated: true });
    expect((long as { preview: string }).preview).toHaveLength(PREVIEW_CHARS);
    expect(previewOf('a\u0000b\u001b[31mc\u2028\td\né')).toEqual({ preview: 'a\\u0000b\\u001b[31mc\\u2028\td\né', truncated: false });
  });

  it('shows bytes that are not UTF-8 as replacement characters, never raw', () => {
    const out = payloadOf(new Uint8Array([0xff, 0xfe, 0x41, 0x00]), 1000);
    expect(out).toEqual({ format: 'text', preview: '\ufffd\ufffdA\\u0000', size: 4, truncated: false });
  });
});

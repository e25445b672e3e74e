// The simulated OpenVLE core API over HTTP, read with the client the workers use.

import { OpenVleClient, OpenVleError } from '@vle/integrations';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEV_OPENVLE_TOKEN } from '@vle/service-kit';
import { startInProcessSandbox, type InProcessSandbox } from '../testing/in-process-sandbox.js';

let sandbox: InProcessSandbox;
let client: OpenVleClient;

const participant = (id: number) => ({ id, username: `s${id}`, firstName: 'Stu', lastName: `Dent ${id}`, email: `s${id}@example.org` });
const event = (id: number, startsAt: string, endsAt: string) => ({ id, name: `Lab ${id}`, startsAt, endsAt, templateVmid: 9000, participants: [participant(1), participant(2)] });

async function control(method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${sandbox.url}/_sandbox/openvle/${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
}

beforeAll(async () => {
  sandbox = await startInProcessSandbox();
  client = new OpenVleClient({ baseUrl: `${sandbox.url}/openvle`, token: DEV_OPENVLE_TOKEN, timeoutMs: 2_000 });
});

afterAll(async () => {
  await sandbox.close();
});

beforeEach(async () => {
  await control('POST', 'reset');
});

describe('OpenVLE core API', () => {
  it('serves an event with its participants, and lists events by their dates', async () => {
    for (const e of [event(41, '2026-12-01T08:00:00Z', '2026-12-03T17:00:00Z'), event(42, '2026-12-02T08:00:00Z', '2026-12-02T17:00:00Z')]) {
      expect((await control('POST', 'events', e)).status).toBe(201);
    }
    expect(await client.getEvent(42)).toMatchObject({ id: 42, templateVmid: 9000, protocol: 'rdp', participants: [{ username: 's1' }, { username: 's2' }] });
    expect((await client.listEvents({ startsFrom: new Date('2026-12-02T00:00:00Z') })).map((e) => e.id)).toEqual([42]);
    expect((await client.listEvents({ endsTo: new Date('2026-12-02T23:00:00Z') })).map((e) => e.id)).toEqual([42]);
    expect((await client.listEvents()).map((e) => e.id)).toEqual([41, 42]);
  });

  it('answers as Django REST Framework does: 404 detail, 401 for a wrong token, 400 for a bad filter', async () => {
    await expect(client.getEvent(7)).rejects.toMatchObject({ status: 404, permanent: true, responseCode: 'OPENVLE_404', message: 'OpenVLE core API GET /events/7 answered 404: Not found.' });
    const stranger = new OpenVleClient({ baseUrl: `${sandbox.url}/openvle`, token: 'wrong' });
    const refused = await stranger.getEvent(7).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(OpenVleError);
    expect(refused).toMatchObject({ status: 401, permanent: true });
    expect(String((refused as Error).message)).not.toContain(DEV_OPENVLE_TOKEN);
    const bad = await fetch(`${sandbox.url}/openvle/api/v1/events?startsFrom=yesterday`, { headers: { authorization: `Token ${DEV_OPENVLE_TOKEN}` } });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ startsFrom: ['Enter a valid date/time.'] });
  });

  it('is down during an outage (transient) and back after it', async () => {
    await control('POST', 'events', event(43, '2026-12-01T08:00:00Z', '2026-12-01T17:00:00Z'));
    await control('PUT', 'outage', { down: true });
    await expect(client.getEvent(43)).rejects.toMatchObject({ status: 503, transient: true });
    await control('PUT', 'outage', { down: false });
    expect((await client.getEvent(43)).id).toBe(43);
  });

  it('reports no answer at all as transient', async () => {
    const nowhere = new OpenVleClient({ baseUrl: 'http://127.0.0.1:1', token: DEV_OPENVLE_TOKEN, timeoutMs: 500 });
    await expect(nowhere.getEvent(1)).rejects.toMatchObject({ status: 0, transient: true, responseCode: 'OPENVLE_NETWORK' });
  });

  it('refuses a bad event in the control API, naming the field', async () => {
    const response = await control('POST', 'events', { ...event(44, '2026-12-02T08:00:00Z', '2026-12-01T08:00:00Z') });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ field: 'endsAt' });
    const noEmail = await control('POST', 'events', { ...event(45, '2026-12-01T08:00:00Z', '2026-12-02T08:00:00Z'), participants: [{ ...participant(1), email: 'nope' }] });
    expect(await noEmail.json()).toMatchObject({ field: 'participants.0.email' });
  });
});

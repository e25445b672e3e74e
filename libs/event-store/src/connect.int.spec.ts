import { describe, expect, it } from 'vitest';
import { connectNats } from './connect.js';
import { NATS_URL } from './testing/nats.js';

describe('connectNats', () => {
  it('connects and names the connection', async () => {
    const nc = await connectNats(NATS_URL, 'connect-test');
    expect(nc.info?.jetstream).toBe(true);
    await nc.close();
  });

  it('names the URL when NATS is not reachable', async () => {
    const url = 'nats://127.0.0.1:1';
    await expect(connectNats(url, 'connect-test', { timeout: 2000 })).rejects.toMatchObject({
      code: 'NATS_UNREACHABLE',
      url,
      message: expect.stringMatching(/^NATS is not reachable at nats:\/\/127\.0\.0\.1:1: .+/),
    });
  });
});

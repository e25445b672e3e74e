import { afterEach, describe, expect, it, vi } from 'vitest';
import { jobsSucceeded, liveStreamClients, outcomeOfStatus, probeConsumer, registry, scrape, subTasksOverdue } from './metrics.js';

const valueOf = async (name: string, labels: Record<string, string> = {}) => {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  return metric?.values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))?.value;
};

describe('the metrics of vle-tasks', () => {
  afterEach(() => vi.useRealTimers());

  it('scrape as Prometheus text with the counters moved', async () => {
    jobsSucceeded.inc({ queue: 'mail', action: 'mail.send' }, 3);
    const { contentType, body } = await scrape();
    expect(contentType).toMatch(/^text\/plain/);
    expect(body).toMatch(/^vle_jobs_succeeded_total\{queue="mail",action="mail.send"\} \d+$/m);
  });

  it('read a probed gauge when scraped, and leave its series out once unregistered', async () => {
    let clients = 2;
    const unregister = liveStreamClients.register({}, () => clients);
    expect(await valueOf('vle_live_stream_clients')).toBe(2);
    clients = 5;
    expect(await valueOf('vle_live_stream_clients')).toBe(5);
    unregister();
    expect(await valueOf('vle_live_stream_clients')).toBeUndefined();
  });

  it('leave out the series of a probe that fails, and keep the others', async () => {
    const off = [
      probeConsumer('JOBS', 'ok', async () => ({ num_pending: 7, num_ack_pending: 1, num_redelivered: 0 })),
      probeConsumer('JOBS', 'down', async () => {
        throw new Error('no responders');
      }),
    ];
    expect(await valueOf('vle_consumer_pending', { consumer: 'ok' })).toBe(7);
    expect(await valueOf('vle_consumer_ack_pending', { consumer: 'ok' })).toBe(1);
    expect(await valueOf('vle_consumer_pending', { consumer: 'down' })).toBeUndefined();
    off.forEach((unregister) => unregister());
  });

  it('read one consumer info for the three gauges of a scrape', async () => {
    const info = vi.fn<() => Promise<{ num_pending: number; num_ack_pending: number; num_redelivered: number }>>(async () => ({ num_pending: 1, num_ack_pending: 2, num_redelivered: 3 }));
    const unregister = probeConsumer('JOBS', 'once', info);
    await scrape();
    expect(info).toHaveBeenCalledTimes(1);
    unregister();
  });

  it('do not let a probe that hangs hold the scrape past its timeout', async () => {
    vi.useFakeTimers();
    const unregister = subTasksOverdue.register({}, () => new Promise<number>(() => {}));
    const scraped = scrape();
    await vi.advanceTimersByTimeAsync(2_000);
    expect((await scraped).body).not.toMatch(/^vle_subtasks_overdue \d/m);
    unregister();
  });

  it('name the outcome of an HTTP answer by its status class', () => {
    expect([200, 302, 404, 500, undefined].map(outcomeOfStatus)).toEqual(['ok', 'ok', 'client_error', 'server_error', 'error']);
  });
});

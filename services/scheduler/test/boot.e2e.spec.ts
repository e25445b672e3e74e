import { fileURLToPath } from 'node:url';
import { jetstreamManager } from '@nats-io/jetstream';
import { Topology } from '@vle/contracts';
import { connectNats, deleteTopology } from '@vle/event-store';
import { killAllServices, spawnService, startService, testNamespace } from '@vle/testing';
import { afterAll, describe, expect, it } from 'vitest';

const entry = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const namespace = testNamespace('sched');

describe('scheduler process', () => {
  // The scheduler creates the streams its deadlines need at boot: remove them with the run.
  afterAll(async () => {
    await killAllServices();
    const nc = await connectNats(process.env.NATS_URL ?? 'nats://127.0.0.1:4222', 'scheduler-boot-e2e');
    await deleteTopology(await jetstreamManager(nc), new Topology({ namespace }));
    await nc.close();
  });

  it('is ready once connected to NATS, survives SIGKILL by restarting, stops on SIGTERM', async () => {
    const scheduler = await startService(entry, { NATS_NAMESPACE: namespace });
    const ready = await fetch(`${scheduler.url}/health/ready`);
    expect(await ready.json()).toEqual({ status: 'ok', checks: { nats: { status: 'up' }, 'topology:deadlines': { status: 'up' } } });

    expect(await scheduler.kill('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });
    await scheduler.restart();
    expect((await fetch(`${scheduler.url}/health/live`)).status).toBe(200);

    expect(await scheduler.stop()).toEqual({ code: 0, signal: null });
    expect(scheduler.output()).toContain('received SIGTERM: stopping scheduler');
  });

  it('stops at boot with the name of a bad variable', async () => {
    const scheduler = await spawnService(entry, { NATS_URL: 'http://127.0.0.1:4222' });
    expect(await scheduler.exited()).toEqual({ code: 1, signal: null });
    expect(scheduler.output('stderr')).toContain('Invalid configuration: NATS_URL: must be a nats:// URL');
  });

  it('stops at boot with the name of a bad schedule variable', async () => {
    const scheduler = await spawnService(entry, { WORKER_PVE_PERIODIC_INTERVAL: '0', SCHEDULER_DISABLED: 'nightly' });
    expect(await scheduler.exited()).toEqual({ code: 1, signal: null });
    expect(scheduler.output('stderr')).toContain('Invalid configuration: WORKER_PVE_PERIODIC_INTERVAL: must be an integer from 1 to 86400; SCHEDULER_DISABLED: unknown schedule nightly');
  });

  it('stops at boot, saying so, when NATS is unreachable', async () => {
    const scheduler = await spawnService(entry, { NATS_URL: 'nats://127.0.0.1:1' });
    expect(await scheduler.exited()).toEqual({ code: 1, signal: null });
    expect(scheduler.output('stderr')).toContain('NATS is not reachable at nats://127.0.0.1:1');
  });
});

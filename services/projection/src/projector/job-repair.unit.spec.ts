import { describe, expect, it } from 'vitest';
import type { QueuedJob } from '@vle/messaging';
import type { TraceCarrier } from '@vle/tracing';
import { JobRepair, type SubTaskChange } from './job-repair.js';

const change = (subTaskId: string, status: string, generation = 1, taskId = 't1'): SubTaskChange => ({ taskId, subTaskId, status, generation, queue: 'bench', action: 'noop' });

function repairWith(answer: (job: QueuedJob) => Promise<{ duplicate: boolean }> = async () => ({ duplicate: false }), repairAfterMs = 1_000) {
  let clock = 0;
  const published: QueuedJob[] = [];
  const traces: Array<TraceCarrier | undefined> = [];
  const lines: string[] = [];
  const repair = new JobRepair({
    publish: (job, trace) => {
      published.push(job);
      traces.push(trace);
      return answer(job);
    },
    repairAfterMs,
    now: () => clock,
    logger: { log: (m) => void lines.push(`log ${m}`), warn: (m) => void lines.push(`warn ${m}`) },
  });
  return { repair, published, traces, lines, advance: (ms: number) => (clock += ms) };
}

describe('JobRepair', () => {
  it('publishes the job of a SubTask queued for repairAfterMs without starting, once, and counts it repaired', async () => {
    const { repair, published, lines, advance } = repairWith();
    repair.observe([change('a', 'queued'), change('b', 'blocked')]);
    advance(999);
    await repair.sweep();
    expect(published).toEqual([]);
    advance(1);
    await repair.sweep();
    expect(published).toEqual([{ taskId: 't1', subTaskId: 'a', generation: 1, queue: 'bench', action: 'noop' }]);
    expect(lines).toEqual([expect.stringContaining('log job repair: published the job of SubTask a of Task t1 (generation 1) on bench: JOBS had no copy of it')]);
    advance(10_000);
    await repair.sweep();
    expect(published).toHaveLength(1);
    expect(repair.stats()).toEqual({ watched: 0, repaired: 1, confirmed: 0, handedOver: 0 });
  });

  it('stops watching a SubTask once it is no longer queued: started, skipped, cancelled', async () => {
    const { repair, published, advance } = repairWith();
    repair.observe([change('a', 'queued'), change('b', 'queued'), change('c', 'queued')]);
    advance(500);
    repair.observe([change('a', 'running'), change('b', 'skipped'), change('c', 'cancelled')]);
    advance(5_000);
    await repair.sweep();
    expect(published).toEqual([]);
    expect(repair.stats().watched).toBe(0);
  });

  it('counts a job JOBS already had as confirmed, and logs nothing for it', async () => {
    const { repair, lines, advance } = repairWith(async () => ({ duplicate: true }));
    repair.observe([change('a', 'queued')]);
    advance(1_000);
    await repair.sweep();
    expect(repair.stats()).toEqual({ watched: 0, repaired: 0, confirmed: 1, handedOver: 0 });
    expect(lines).toEqual([]);
  });

  it('keeps a job whose publish failed, tells why, and publishes it at the next sweep', async () => {
    let fail = true;
    const { repair, published, lines, advance } = repairWith(async () => {
      if (fail) throw new Error('no stream');
      return { duplicate: false };
    });
    repair.observe([change('a', 'queued')]);
    advance(1_000);
    await repair.sweep();
    expect(repair.stats()).toMatchObject({ watched: 1, repaired: 0, lastError: 'bench: no stream' });
    expect(lines).toEqual([expect.stringMatching(/^warn job repair: could not publish some jobs \(bench: no stream\)/)]);
    fail = false;
    await repair.sweep();
    expect(published).toHaveLength(2);
    expect(repair.stats()).toMatchObject({ watched: 0, repaired: 1 });
  });

  it("waits from when it first saw a generation queued, and again from a person's retry (a later generation)", async () => {
    const { repair, published, advance } = repairWith();
    repair.observe([change('a', 'queued', 1)]);
    advance(600);
    // The same generation seen again (another field of the row changed): the wait goes on.
    repair.observe([change('a', 'queued', 1)]);
    advance(400);
    await repair.sweep();
    expect(published.map((j) => j.generation)).toEqual([1]);
    repair.observe([change('a', 'failed', 1)]);
    repair.observe([change('a', 'queued', 2)]);
    advance(999);
    await repair.sweep();
    expect(published.map((j) => j.generation)).toEqual([1]);
    advance(1);
    await repair.sweep();
    expect(published.map((j) => j.generation)).toEqual([1, 2]);
  });

  it('keeps watching a later generation queued while the earlier one was being published', async () => {
    let release: () => void = () => {};
    const { repair, published, advance } = repairWith(() => new Promise((resolve) => (release = () => resolve({ duplicate: false }))));
    repair.observe([change('a', 'queued', 1)]);
    advance(1_000);
    const sweeping = repair.sweep();
    repair.observe([change('a', 'queued', 2)]);
    release();
    await sweeping;
    expect(repair.stats().watched).toBe(1);
    advance(1_000);
    const again = repair.sweep();
    release();
    await again;
    expect(published.map((j) => j.generation)).toEqual([1, 2]);
  });

  it('sweeps as of a time: only SubTasks seen repairAfterMs before the log the projection has applied ended', async () => {
    const { repair, published, advance } = repairWith();
    repair.observe([change('a', 'queued')]);
    advance(1_500);
    repair.observe([change('b', 'queued')]);
    advance(600);
    // The log read up to 2000 ms ago... 100 ms later than `a` became due: `b` was seen after that.
    await repair.sweep(1_100);
    expect(published.map((j) => j.subTaskId)).toEqual(['a']);
  });

  it('starts afresh from the read model when it (re)starts to lead', async () => {
    const { repair, published, advance } = repairWith();
    repair.observe([change('old', 'queued')]);
    repair.restart([change('x', 'queued', 3, 't2')]);
    expect(repair.stats().watched).toBe(1);
    advance(1_000);
    await repair.sweep();
    expect(published).toEqual([{ taskId: 't2', subTaskId: 'x', generation: 3, queue: 'bench', action: 'noop' }]);
  });

  it('sweeps a quarter of repairAfterMs apart, between 50 ms and 5 s', () => {
    expect(repairWith(undefined, 10_000).repair.sweepEveryMs).toBe(2_500);
    expect(repairWith(undefined, 100).repair.sweepEveryMs).toBe(50);
    expect(repairWith(undefined, 3_600_000).repair.sweepEveryMs).toBe(5_000);
  });

  describe('the handover (jobs a commit left to others, Headers.jobsLeft)', () => {
    const left = (taskId: string, ...queues: string[]) => new Map([[taskId, new Set(queues)]]);

    it('publishes at once the jobs of the left queues whose SubTasks the batch left queued, and stops watching them', async () => {
      const { repair, published, advance } = repairWith();
      const changes = [change('a', 'queued'), { ...change('b', 'queued'), queue: 'mails' }, change('c', 'running'), change('d', 'queued', 1, 't2')];
      repair.observe(changes);
      await repair.handOver(left('t1', 'bench'), changes);
      expect(published.map((j) => j.subTaskId)).toEqual(['a']);
      expect(repair.stats()).toMatchObject({ handedOver: 1, watched: 2 });
      advance(1_000);
      await repair.sweep();
      // The others are the repair's, after repairAfterMs, as before.
      expect(published.map((j) => j.subTaskId).sort()).toEqual(['a', 'b', 'd']);
    });

    it('publishes a job in the trace of the commit that queued it, handed over or repaired; one found in the read model in none', async () => {
      const { repair, published, traces, advance } = repairWith();
      const commitOf = (taskId: string): TraceCarrier | undefined => ({ t1: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' }, t2: { traceparent: '00-1af7651916cd43dd8448eb211c80319c-c7ad6b7169203331-01' } })[taskId];
      const changes = [change('a', 'queued'), change('b', 'queued', 1, 't2')];
      repair.observe(changes, commitOf);
      await repair.handOver(left('t1', 'bench'), changes);
      advance(1_000);
      await repair.sweep();
      expect(published.map((j, i) => [j.subTaskId, traces[i]])).toEqual([
        ['a', commitOf('t1')],
        ['b', commitOf('t2')],
      ]);
      repair.restart([change('c', 'queued', 1, 't3')]);
      advance(1_000);
      await repair.sweep();
      expect(traces.at(-1)).toBeUndefined();
    });

    it('keeps watching a job whose publish failed, so that the sweep publishes it', async () => {
      let fail = true;
      const { repair, published, lines, advance } = repairWith(async () => {
        if (fail) throw new Error('no stream');
        return { duplicate: false };
      });
      const changes = [change('a', 'queued')];
      repair.observe(changes);
      await repair.handOver(left('t1', 'bench'), changes);
      expect(lines).toEqual([expect.stringContaining('warn job repair: could not publish the job of SubTask a of Task t1 left by its appender')]);
      fail = false;
      advance(1_000);
      await repair.sweep();
      expect(published).toHaveLength(2);
      expect(repair.stats()).toMatchObject({ watched: 0, repaired: 1, handedOver: 0 });
    });
  });
});

// The live-stream clients of bench `live`: `clients` SSE connections to one projection replica, held
// by a few worker threads (live-clients-worker.ts) so that reading hundreds of streams does not
// delay the bench's own timing of the commits, each thread with its event-loop delay reported.

import { Worker } from 'node:worker_threads';
import type { Release, RunGuard } from '../run/run-guard.js';
import type { Receipts } from './live-figures.js';
import type { LoopDelay } from './loop-delay.js';

export interface ClientGroup {
  readonly name: string;
  /** The query string of GET /api/v1/tasks/stream. */
  readonly query: string;
  /** Shows every Task the run creates (all by `bench`, named `live-…`): must see every change. */
  readonly complete: boolean;
}

// What an admin screen keeps open: mostly the whole list, some a status tab, a user's Tasks or a search.
const ALL: ClientGroup = { name: 'all', query: '', complete: true };
const RUNNING: ClientGroup = { name: 'status=running', query: 'status=running', complete: false };
const MINE: ClientGroup = { name: 'createdBy=bench', query: 'createdBy=bench', complete: true };
const NAMED: ClientGroup = { name: 'q=name ~ live', query: `q=${encodeURIComponent('name ~ live')}`, complete: true };
const BUSY: ClientGroup = { name: 'q=status ^ (queued, running) and queue = bench', query: `q=${encodeURIComponent('status ^ (queued, running) and queue = bench')}`, complete: false };

/** Of every 20 clients: 14 unfiltered, 2 on status=running, 2 on createdBy=bench, 1 on each search. */
const CYCLE: readonly ClientGroup[] = [...Array<ClientGroup>(14).fill(ALL), RUNNING, RUNNING, MINE, MINE, NAMED, BUSY];

export const groupOfClient = (index: number): ClientGroup => CYCLE[index % CYCLE.length]!;

export interface ThreadData {
  readonly url: string;
  readonly token: string;
  readonly clients: ReadonlyArray<{ readonly index: number; readonly path: string }>;
}

export type ThreadCommand = { readonly type: 'measure' } | { readonly type: 'stop' };

export type ThreadReport =
  | { readonly type: 'ready'; readonly client: number }
  | { readonly type: 'refused'; readonly client: number; readonly status: number; readonly body: string }
  /** An event other than task, leave and ready (reset, closed, expired), or the connection's end. */
  | { readonly type: 'incident'; readonly client: number; readonly what: string }
  | { readonly type: 'result'; readonly receipts: Receipts; readonly loopDelay: LoopDelay };

const ENTRY = new URL('./live-clients-worker.js', import.meta.url);

interface ThreadResult {
  readonly receipts: Receipts;
  readonly loopDelay: LoopDelay;
}

interface Thread {
  readonly worker: Worker;
  readonly release: Release;
  handOver?: (result: ThreadResult) => void;
}

export interface PoolResult {
  readonly receipts: readonly Receipts[];
  /** Per thread. */
  readonly loopDelay: readonly LoopDelay[];
}

export class LiveClientPool {
  /** What went wrong after a client was ready, by kind: the number of times. */
  readonly incidents = new Map<string, number>();
  private readyCount = 0;
  private readonly waiters = new Set<{ resolve: () => void; reject: (error: Error) => void }>();
  private failure: Error | undefined;
  private readonly threads: Thread[] = [];

  private constructor(readonly clients: number) {}

  /** Opens `clients` streams from `threads` threads, client i on thread i mod threads. */
  static open(guard: RunGuard, options: { url: string; token: string; clients: number; threads: number }): LiveClientPool {
    const pool = new LiveClientPool(options.clients);
    const count = Math.min(options.threads, options.clients);
    for (let t = 0; t < count; t++) {
      const clients = [];
      for (let index = t; index < options.clients; index += count) {
        const { query } = groupOfClient(index);
        clients.push({ index, path: `/api/v1/tasks/stream${query ? `?${query}` : ''}` });
      }
      const data: ThreadData = { url: options.url, token: options.token, clients };
      const worker = new Worker(ENTRY, { workerData: data });
      const thread: Thread = { worker, release: guard.hold(`live clients thread ${t + 1}`, async () => void (await worker.terminate())) };
      worker.on('message', (report: ThreadReport) => pool.received(thread, report));
      worker.on('error', (error) => pool.fail(new Error(`live clients thread ${t + 1}: ${error.message}`)));
      pool.threads.push(thread);
    }
    return pool;
  }

  /** Resolves once every client got `ready`; rejects at the first refusal, or after `timeoutMs`. */
  ready(timeoutMs: number): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.readyCount === this.clients) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.readyCount} of ${this.clients} live streams ready after ${timeoutMs / 1000} s`)), timeoutMs);
      const waiter = {
        resolve: () => (clearTimeout(timer), resolve()),
        reject: (error: Error) => (clearTimeout(timer), reject(error)),
      };
      this.waiters.add(waiter);
    });
  }

  /** The measurement starts: the threads' event-loop delay from now on. */
  measure(): void {
    for (const { worker } of this.threads) worker.postMessage({ type: 'measure' } satisfies ThreadCommand);
  }

  /** Closes every stream and gathers what each thread received. */
  async stop(timeoutMs = 30_000): Promise<PoolResult> {
    const results = this.threads.map(
      (thread) =>
        new Promise<ThreadResult>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error('a live clients thread did not hand over its receipts')), timeoutMs);
          thread.handOver = (result) => {
            clearTimeout(timer);
            resolve(result);
          };
          thread.worker.postMessage({ type: 'stop' } satisfies ThreadCommand);
        }),
    );
    try {
      const all = await Promise.all(results);
      return { receipts: all.map((r) => r.receipts), loopDelay: all.map((r) => r.loopDelay) };
    } finally {
      await Promise.all(this.threads.map((t) => t.release()));
    }
  }

  private received(thread: Thread, report: ThreadReport): void {
    switch (report.type) {
      case 'ready':
        if (++this.readyCount === this.clients) for (const waiter of this.waiters) waiter.resolve();
        return;
      case 'refused':
        return this.fail(new Error(`live stream of client ${report.client} (${groupOfClient(report.client).name}) answered ${report.status}: ${report.body.slice(0, 300)}`));
      case 'incident':
        this.incidents.set(report.what, (this.incidents.get(report.what) ?? 0) + 1);
        if (this.readyCount < this.clients) this.fail(new Error(`live stream of client ${report.client} before every client was ready: ${report.what}`));
        return;
      case 'result':
        return thread.handOver?.({ receipts: report.receipts, loopDelay: report.loopDelay });
      default: {
        const unknown: never = report;
        throw new Error(`unknown report ${JSON.stringify(unknown)}`);
      }
    }
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const waiter of this.waiters) waiter.reject(error);
    this.waiters.clear();
  }
}

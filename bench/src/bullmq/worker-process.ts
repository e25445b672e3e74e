// Spawns the BullMQ worker process (bench/dist/bullmq/worker-main.js) and turns its reports into
// callbacks. It is held by the run guard from the spawn on, and stops by itself if the bench dies.

import { spawn, type ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { Release, RunGuard } from '../run/run-guard.js';
import { WORKER_ENV, type WorkerReport } from './flow.js';

const ENTRY = fileURLToPath(new URL('./worker-main.js', import.meta.url));

export interface WorkerCallbacks {
  readonly completed: (ids: readonly string[], at: number) => void;
  readonly failed: (id: string, reason: string) => void;
}

export class BullmqWorkerProcess {
  private output = '';

  private constructor(
    private readonly child: ChildProcess,
    readonly release: Release,
  ) {}

  get pid(): number | undefined {
    return this.child.pid;
  }

  lastOutput(): string {
    return this.output.trim() ? `--- bullmq worker (last output) ---\n${this.output.trimEnd().split('\n').slice(-15).join('\n')}` : '';
  }

  static async start(guard: RunGuard, options: { queue: string; concurrency: number; redisUrl: string }, callbacks: WorkerCallbacks): Promise<BullmqWorkerProcess> {
    const child = spawn(process.execPath, [ENTRY], {
      env: { ...process.env, [WORKER_ENV.queue]: options.queue, [WORKER_ENV.concurrency]: String(options.concurrency), [WORKER_ENV.redisUrl]: options.redisUrl },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);
    const exit = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const release = guard.hold('bullmq worker process', async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exit;
        clearTimeout(timer);
      }
      process.off('exit', killOnExit);
    });
    const worker = new BullmqWorkerProcess(child, release);
    const keep = (text: string) => (worker.output = (worker.output + text).slice(-20_000));
    child.stdout?.setEncoding('utf8').on('data', keep);
    child.stderr?.setEncoding('utf8').on('data', keep);
    const ready = new Promise<void>((resolve, reject) => {
      child.on('message', (report: WorkerReport) => {
        if (report.type === 'ready') resolve();
        else if (report.type === 'completed') callbacks.completed(report.ids, performance.now());
        else callbacks.failed(report.id, report.reason);
      });
      void exit.then(() => reject(new Error(`the bullmq worker exited before it was ready:\n${worker.output}`)));
      setTimeout(() => reject(new Error(`the bullmq worker was not ready within 30 s:\n${worker.output}`)), 30_000).unref();
    });
    try {
      await ready;
    } catch (error) {
      await release();
      throw error;
    }
    return worker;
  }
}

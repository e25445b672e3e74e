// Whole services as child processes for *.e2e.spec.ts: spawn `node <entry>`, wait for its readiness,
// keep its output for the failure message, signal it (SIGKILL included), restart it on its port.
// A child never outlives the test run: it is killed when this process exits, and it stops itself
// when the IPC channel to this process closes (service-kit), even if we die by SIGKILL.

import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

export type ServiceEnv = Readonly<Record<string, string | undefined>>;

export interface ExitResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface StartServiceOptions {
  /** Default: env.PORT if given, else a free port. */
  readonly port?: number;
  /** Default '/health/ready'. */
  readonly readyPath?: string;
  /** Default 30 s. */
  readonly readyTimeoutMs?: number;
  /** Node flags before the entry, after `--enable-source-maps` (e.g. `--cpu-prof` and its directory). */
  readonly nodeArgs?: readonly string[];
}

export class ServiceExitedError extends Error {
  override readonly name = 'ServiceExitedError';
  readonly code = 'SERVICE_EXITED';

  constructor(
    readonly entry: string,
    readonly result: ExitResult,
    readonly output: string,
  ) {
    super(`${entry} exited (code ${result.code}, signal ${result.signal}) before it was ready. Output:\n${output}`);
  }
}

const OUTPUT_LIMIT = 2_000_000;
const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
}

/**
 * The ports `pick` gives, never one of them twice: two services booted at once each ask for a port
 * before either listens, and the OS may give the second the port it just gave the first (a service
 * then dies with EADDRINUSE).
 */
export function distinctPorts(pick: () => Promise<number>): () => Promise<number> {
  const handedOut = new Set<number>();
  return async () => {
    for (;;) {
      const port = await pick();
      if (handedOut.has(port)) continue;
      handedOut.add(port);
      return port;
    }
  };
}

/** A TCP port that was free a moment ago (the OS picks it), and never one this process was given before. */
export const freePort: () => Promise<number> = distinctPorts(osFreePort);

function osFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export class ServiceProcess {
  readonly url: string;
  private child!: ChildProcess;
  private exit!: Promise<ExitResult>;
  private result: ExitResult | undefined;
  private chunks: { stream: 'stdout' | 'stderr'; text: string }[] = [];
  private size = 0;

  constructor(
    readonly entry: string,
    private env: ServiceEnv,
    readonly port: number,
    private readonly options: StartServiceOptions = {},
  ) {
    this.url = `http://127.0.0.1:${port}`;
    this.spawn();
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** The exit of the current child, once it has exited. */
  get exitResult(): ExitResult | undefined {
    return this.result;
  }

  /** stdout and stderr, interleaved as received (every run of this service, restarts included). */
  output(stream?: 'stdout' | 'stderr'): string {
    return this.chunks
      .filter((c) => !stream || c.stream === stream)
      .map((c) => c.text)
      .join('');
  }

  exited(): Promise<ExitResult> {
    return this.exit;
  }

  /** Resolves when GET readyPath answers 200; rejects with the output if the process exits first. */
  async ready(timeoutMs = this.options.readyTimeoutMs ?? 30_000): Promise<void> {
    const url = `${this.url}${this.options.readyPath ?? '/health/ready'}`;
    const deadline = Date.now() + timeoutMs;
    let last = 'no answer yet';
    while (Date.now() < deadline) {
      if (this.result) throw new ServiceExitedError(this.entry, this.result, this.output());
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
        if (response.ok) return;
        last = `${response.status} ${await response.text()}`;
      } catch (error) {
        last = (error as Error).message;
      }
      await Promise.race([new Promise((resolve) => setTimeout(resolve, 100)), this.exit]);
    }
    throw new Error(`${this.entry} was not ready at ${url} within ${timeoutMs} ms (${last}). Output:\n${this.output()}`);
  }

  /** Waits until the output contains `pattern`. */
  async waitForOutput(pattern: string | RegExp, timeoutMs = 10_000): Promise<void> {
    const matches = () => (typeof pattern === 'string' ? this.output().includes(pattern) : pattern.test(this.output()));
    const deadline = Date.now() + timeoutMs;
    while (!matches()) {
      if (Date.now() >= deadline) throw new Error(`${this.entry} did not print ${String(pattern)} within ${timeoutMs} ms. Output:\n${this.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Sends `signal` (SIGKILL: a crash) and waits for the exit. */
  async kill(signal: NodeJS.Signals = 'SIGTERM'): Promise<ExitResult> {
    if (!this.result) this.child.kill(signal);
    return this.exit;
  }

  /** SIGTERM, then SIGKILL if it has not exited after `graceMs`. */
  async stop(graceMs = 10_000): Promise<ExitResult> {
    if (this.result) return this.result;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    try {
      return await this.exit;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Stops the process if it runs, starts it again on the same port (with `env` changes), waits until ready. */
  async restart(envChanges: ServiceEnv = {}): Promise<void> {
    await this.stop();
    this.env = { ...this.env, ...envChanges };
    this.spawn();
    await this.ready();
  }

  private spawn(): void {
    installExitHook();
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries({ ...process.env, HOST: '127.0.0.1', ...this.env, PORT: String(this.port) })) {
      if (value !== undefined) env[key] = value;
    }
    this.result = undefined;
    const child = spawn(process.execPath, ['--enable-source-maps', ...(this.options.nodeArgs ?? []), this.entry], { env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    this.child = child;
    live.add(child);
    child.stdout?.setEncoding('utf8').on('data', (text: string) => this.capture('stdout', text));
    child.stderr?.setEncoding('utf8').on('data', (text: string) => this.capture('stderr', text));
    this.exit = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        live.delete(child);
        this.result = { code, signal };
        resolve(this.result);
      });
    });
  }

  private capture(stream: 'stdout' | 'stderr', text: string): void {
    this.chunks.push({ stream, text });
    this.size += text.length;
    while (this.size > OUTPUT_LIMIT && this.chunks.length > 1) this.size -= this.chunks.shift()!.text.length;
  }
}

/** Spawns `node <entry>` with `env` (over this process's environment) without waiting for it. */
export async function spawnService(entry: string, env: ServiceEnv = {}, options: StartServiceOptions = {}): Promise<ServiceProcess> {
  const port = options.port ?? (env.PORT ? Number(env.PORT) : await freePort());
  return new ServiceProcess(entry, env, port, options);
}

/** Spawns the service and waits for its readiness; on failure it is killed and the error holds its output. */
export async function startService(entry: string, env: ServiceEnv = {}, options: StartServiceOptions = {}): Promise<ServiceProcess> {
  const service = await spawnService(entry, env, options);
  try {
    await service.ready();
  } catch (error) {
    await service.kill('SIGKILL');
    throw error;
  }
  return service;
}

/** SIGKILLs every child still running (afterAll of a suite that may have left some behind). */
export async function killAllServices(): Promise<void> {
  await Promise.all(
    [...live].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        }),
    ),
  );
}

// A nats-server of a test's own (nats.js style): a free port and a temporary store, so that the test
// can kill, restart or reconfigure it without touching the machine's server. Uses the machine's
// nats-server binary (Debian's 2.9 here; NATS_SERVER_BIN overrides).

import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { freePort } from './service-process.js';
import { waitFor } from './wait-for.js';

export interface OwnNatsServer {
  readonly url: string;
  readonly port: number;
  readonly storeDir: string;
  /** Kills the server (SIGKILL by default: a crash) and waits for it to exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port with the same store. */
  start(): Promise<void>;
  /** Stops it and removes its store. */
  dispose(): Promise<void>;
  /** What the server printed so far (its log: permission violations, ...). */
  output(): string;
}

/** The machine's nats-server binary (Debian's path unless NATS_SERVER_BIN says otherwise). */
export const NATS_SERVER_BIN = process.env.NATS_SERVER_BIN ?? '/usr/sbin/nats-server';

export interface NatsServerOptions {
  readonly jetstream?: boolean;
  /**
   * Config files (e.g. the committed deploy/nats/users.conf) copied beside the server's own config and
   * included by it (nats-server 2.9 includes only relative paths).
   */
  readonly include?: readonly string[];
  /** The server's environment on top of this process's: what `$VAR` in a config file reads. */
  readonly env?: Readonly<Record<string, string>>;
  /** More command-line options (`--tls --tlscert ...`). */
  readonly args?: readonly string[];
}

export async function startNatsServer(options: NatsServerOptions = {}): Promise<OwnNatsServer> {
  const bin = NATS_SERVER_BIN;
  const port = await freePort();
  const storeDir = mkdtempSync(join(tmpdir(), 'vle-nats-'));
  const configDir = mkdtempSync(join(tmpdir(), 'vle-nats-conf-'));
  let child: ChildProcess | undefined;
  let output = '';
  const args = ['-a', '127.0.0.1', '-p', String(port), ...(options.jetstream === false ? [] : ['-js', '-sd', storeDir])];
  if (options.include?.length) {
    const included = options.include.map((file) => {
      copyFileSync(file, join(configDir, basename(file)));
      return `include "${basename(file)}"`;
    });
    const config = join(configDir, 'nats.conf');
    writeFileSync(config, `${included.join('\n')}\n`);
    args.push('-c', config);
  }
  args.push(...(options.args ?? []));

  async function start(): Promise<void> {
    const started = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...options.env } });
    child = started;
    started.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    started.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    process.once('exit', () => started.kill('SIGKILL'));
    await waitFor(async () => {
      if (started.exitCode !== null) throw new Error(`nats-server exited (${started.exitCode}):\n${output}`);
      return (await accepts(port)) ? true : undefined;
    }, { description: `nats-server on port ${port}`, timeoutMs: 10_000 });
  }

  async function stop(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    running.kill(signal);
    await exited;
  }

  await start();
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    storeDir,
    stop,
    start,
    output: () => output,
    async dispose() {
      await stop();
      rmSync(storeDir, { recursive: true, force: true });
      rmSync(configDir, { recursive: true, force: true });
    },
  };
}

/** Whether something accepts TCP connections on 127.0.0.1:`port`. */
export function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

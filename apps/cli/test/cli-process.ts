// The built CLI as a child process of a test, started as `vle-tasks` is (bin/vle-tasks.js, which runs
// dist/main.js: `npm run build` first): run to its end with an input, or started and read while it
// runs (tail), signalled, waited for.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const CLI_ENTRY = fileURLToPath(new URL('../bin/vle-tasks.js', import.meta.url));
const BUILT = fileURLToPath(new URL('../dist/main.js', import.meta.url));

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliRunOptions {
  /** Over the test's environment without the CLI's own variables (nothing leaks in from the shell). */
  readonly env?: Readonly<Record<string, string>>;
  /** Written to stdin, then closed; without it stdin is closed at once (no terminal, no input). */
  readonly input?: string;
  readonly timeoutMs?: number;
}

const OWN_VARIABLES = ['VLE_TASKS_URL', 'VLE_TASKS_TOKEN', 'VLE_TASKS_TOKEN_FILE', 'NO_COLOR', 'FORCE_COLOR'];

export function cliEnv(env: Readonly<Record<string, string>> = {}): Record<string, string> {
  const base: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined && !OWN_VARIABLES.includes(key)) base[key] = value;
  return { ...base, ...env };
}

export class CliProcess {
  readonly child: ChildProcess;
  private out = '';
  private err = '';
  readonly exited: Promise<CliResult>;

  constructor(args: readonly string[], options: CliRunOptions = {}) {
    if (!existsSync(BUILT)) throw new Error(`${BUILT} is missing: run npm run build first`);
    this.child = spawn(process.execPath, [CLI_ENTRY, ...args], { env: cliEnv(options.env), stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout!.setEncoding('utf8').on('data', (text: string) => (this.out += text));
    this.child.stderr!.setEncoding('utf8').on('data', (text: string) => (this.err += text));
    if (options.input !== undefined) this.child.stdin!.write(options.input);
    this.child.stdin!.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    this.exited = new Promise((resolve) => {
      this.child.on('close', (code, signal) => {
        clearTimeout(timer);
        resolve({ code, signal, stdout: this.out, stderr: this.err });
      });
    });
  }

  get stdout(): string {
    return this.out;
  }

  get stderr(): string {
    return this.err;
  }

  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }
}

/** Runs `vle-tasks <args>` to its end. */
export function runCli(args: readonly string[], options: CliRunOptions = {}): Promise<CliResult> {
  return new CliProcess(args, options).exited;
}

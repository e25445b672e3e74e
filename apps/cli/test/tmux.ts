// A real terminal for a test: a tmux server on a socket of the test's own (`-L`), with no user
// configuration, whose panes stay after their command ends (so the final screen can be read), and
// capture-pane to read what a person would see. tmux must be installed (Debian: apt-get install tmux).

import { execFileSync } from 'node:child_process';

export class Tmux {
  constructor(
    /** The socket's name (`tmux -L <name>`): a server of this test only. */
    readonly socket: string,
  ) {}

  private tmux(...args: string[]): string {
    try {
      return execFileSync('tmux', ['-L', this.socket, '-f', '/dev/null', ...args], { encoding: 'utf8' });
    } catch (error) {
      // The terminal test needs the real thing: it fails, never skips, without it.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error('tmux is not installed (the terminal test needs it): apt-get install -y tmux');
      throw error;
    }
  }

  /** A detached session of `width` x `height` running `command` (by sh) with `env` added. */
  start(session: string, command: string, env: Readonly<Record<string, string>>, size = { width: 120, height: 30 }): void {
    const vars = Object.entries(env).flatMap(([key, value]) => ['-e', `${key}=${value}`]);
    // remain-on-exit is set with the session, before its command can end.
    this.tmux('new-session', '-d', '-s', session, '-x', String(size.width), '-y', String(size.height), ...vars, command, ';', 'set-option', '-t', session, 'remain-on-exit', 'on');
  }

  /**
   * The pane's screen as text (no colours), a line longer than the pane as one (`-J`); with
   * `history`, the lines scrolled off it too (tmux writes "Pane is dead" below a command that
   * ended, which may scroll the screen by a line).
   */
  capture(session: string, history = false): string {
    return this.tmux('capture-pane', '-p', '-J', ...(history ? ['-S', '-'] : []), '-t', session);
  }

  /** Keys typed into the pane (`y`, `Enter`). */
  sendKeys(session: string, ...keys: string[]): void {
    this.tmux('send-keys', '-t', session, ...keys);
  }

  /** Ends the server and every session of it. */
  kill(): void {
    try {
      this.tmux('kill-server');
    } catch {
      // No server left: nothing to end.
    }
  }
}

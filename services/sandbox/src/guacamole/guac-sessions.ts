// Auth tokens (auth/TokenRESTService.java, GuacamoleSession): a login makes a session named by a
// random token; a token stops working when it is logged out, when the session times out after
// `api-session-timeout` minutes of inactivity (60 by default), or when the control API invalidates
// every session (`POST /_sandbox/guacamole/expire-tokens`).

import { randomBytes } from 'node:crypto';

export interface GuacSession {
  readonly token: string;
  readonly username: string;
  lastActive: number;
}

export const SESSION_TIMEOUT_MS = 60 * 60_000;

export class GuacSessions {
  private readonly sessions = new Map<string, GuacSession>();

  constructor(private readonly now: () => number = Date.now) {}

  open(username: string): GuacSession {
    // 64 hex digits, as Guacamole's SecureRandom-based token generator.
    const session = { token: randomBytes(32).toString('hex').toUpperCase(), username, lastActive: this.now() };
    this.sessions.set(session.token, session);
    return session;
  }

  /** The live session of `token`, touched; undefined for an unknown, logged-out or timed-out token. */
  find(token: string | undefined): GuacSession | undefined {
    if (!token) return undefined;
    const session = this.sessions.get(token);
    if (!session) return undefined;
    if (this.now() - session.lastActive > SESSION_TIMEOUT_MS) {
      this.sessions.delete(token);
      return undefined;
    }
    session.lastActive = this.now();
    return session;
  }

  close(token: string): boolean {
    return this.sessions.delete(token);
  }

  /** Ends every session of `username` (the user was deleted). */
  closeAllOf(username: string): void {
    for (const [token, session] of this.sessions) if (session.username === username) this.sessions.delete(token);
  }

  expireAll(): number {
    const count = this.sessions.size;
    this.sessions.clear();
    return count;
  }

  count(): number {
    return this.sessions.size;
  }
}

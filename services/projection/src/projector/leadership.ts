// Which replica projects. Every replica could (the checkpoint's compare-and-set lets one batch win and
// sends the others back to the stored checkpoint), but then each does the whole work and throws most
// of it away: measured with 2 replicas, the projection's CPU per Task doubled. So one replica leads,
// holding a PostgreSQL session-level advisory lock on a connection of its own; the others wait on that
// lock, and the first in line takes over the moment the leader's session ends (a crash, a stop, a
// network cut: PostgreSQL releases the lock with the session). The CAS stays the fence: a leader that
// lost its session without noticing yet cannot move the checkpoint past its successor's.

import pg from 'pg';

export interface Lease {
  /** Resolves when this replica no longer leads (the lock's session ended). */
  readonly lost: Promise<void>;
  release(): Promise<void>;
}

export interface Leadership {
  /** Resolves once this replica leads; rejects when `signal` aborts first, or the connection fails. */
  acquire(signal: AbortSignal): Promise<Lease>;
}

/** Every replica leads at once: what the runner does without a leadership (tests, the rebuild). */
export const EVERYONE_LEADS: Leadership = {
  acquire: async () => ({ lost: new Promise<void>(() => {}), release: async () => {} }),
};

/** pg_advisory_lock(int4, int4): this class id, and the hash of the schema and the projection. */
const LOCK_CLASS = 720_311;

export interface AdvisoryLockOptions {
  readonly databaseUrl: string;
  /** The read-model schema: each schema has its own leader. */
  readonly schema: string;
  /** The projection's name (its checkpoint). */
  readonly name: string;
  readonly applicationName?: string;
}

export class AdvisoryLockLeadership implements Leadership {
  constructor(private readonly options: AdvisoryLockOptions) {}

  async acquire(signal: AbortSignal): Promise<Lease> {
    const client = new pg.Client({ connectionString: this.options.databaseUrl, application_name: this.options.applicationName ?? 'vle-projection-leader' });
    let ended = false;
    let onEnd: () => void = () => {};
    const lost = new Promise<void>((resolve) => (onEnd = resolve));
    const end = () => {
      ended = true;
      onEnd();
    };
    client.on('error', end);
    client.on('end', end);
    // Aborting while waiting ends the session, which ends the wait.
    const abort = () => void client.end().catch(() => undefined);
    signal.addEventListener('abort', abort, { once: true });
    try {
      await client.connect();
      await client.query('SELECT pg_advisory_lock($1, hashtext($2))', [LOCK_CLASS, `${this.options.schema}.${this.options.name}`]);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw signal.aborted ? new Error('stopped while waiting to lead') : error;
    } finally {
      signal.removeEventListener('abort', abort);
    }
    if (ended) throw new Error('the leader connection ended');
    return {
      lost,
      release: async () => {
        await client.end().catch(() => undefined);
      },
    };
  }
}

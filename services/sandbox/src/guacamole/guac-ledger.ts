// The side-effect ledger: every user, connection, sharing profile and permission a client made or
// removed through the simulated API, so that tests can assert "created exactly once" after retries,
// lost answers and outages. Never holds a password.

export type GuacObjectKind = 'user' | 'connection' | 'sharingProfile' | 'permission';

export interface GuacLedgerEntry {
  readonly event: 'created' | 'deleted' | 'granted' | 'revoked';
  readonly kind: GuacObjectKind;
  /** Username, connection or sharing profile identifier; for a permission, the object it is on. */
  readonly identifier: string;
  /** The object's name (a user's username); for a permission, `<username> <path> <value>`. */
  readonly name: string;
  /** Removed with its connection (sharing profiles) or its user (permissions). */
  readonly cascade?: boolean;
  /** ISO 8601. */
  readonly at: string;
}

interface Count {
  created: number;
  deleted: number;
  live: number;
}

export interface GuacLedgerView {
  readonly entries: readonly GuacLedgerEntry[];
  readonly counts: {
    readonly users: Count;
    readonly connections: Count;
    readonly sharingProfiles: Count;
    readonly permissions: { readonly granted: number; readonly revoked: number };
  };
}

export class GuacLedger {
  private entries: GuacLedgerEntry[] = [];

  record(entry: GuacLedgerEntry): void {
    this.entries.push(entry);
  }

  view(): GuacLedgerView {
    const count = (kind: GuacObjectKind): Count => {
      const created = this.entries.filter((e) => e.kind === kind && e.event === 'created').length;
      const deleted = this.entries.filter((e) => e.kind === kind && e.event === 'deleted').length;
      return { created, deleted, live: created - deleted };
    };
    const permissions = this.entries.filter((e) => e.kind === 'permission');
    return {
      entries: [...this.entries],
      counts: {
        users: count('user'),
        connections: count('connection'),
        sharingProfiles: count('sharingProfile'),
        permissions: { granted: permissions.filter((e) => e.event === 'granted').length, revoked: permissions.filter((e) => e.event === 'revoked').length },
      },
    };
  }

  clear(): void {
    this.entries = [];
  }
}

// The side-effect ledger: every VM a client made or destroyed through the simulated API, so tests can
// assert "created exactly once" after retries, crashes and injected faults.

export interface LedgerEntry {
  readonly event: 'created' | 'deleted';
  readonly vmid: number;
  readonly node: string;
  readonly name: string;
  readonly sourceVmid?: number;
  readonly upid: string;
  /** ISO 8601. */
  readonly at: string;
}

export interface LedgerView {
  readonly entries: readonly LedgerEntry[];
  readonly counts: { readonly created: number; readonly deleted: number; readonly live: number };
}

export class Ledger {
  private entries: LedgerEntry[] = [];

  record(entry: LedgerEntry): void {
    this.entries.push(entry);
  }

  view(): LedgerView {
    const created = this.entries.filter((e) => e.event === 'created').length;
    const deleted = this.entries.filter((e) => e.event === 'deleted').length;
    return { entries: [...this.entries], counts: { created, deleted, live: created - deleted } };
  }

  clear(): void {
    this.entries = [];
  }
}

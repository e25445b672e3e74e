// What the bench asks the projection's query API: its checkpoint against the stream, and which
// Tasks of a phase it lists as success.

import { setTimeout as sleep } from 'node:timers/promises';

export interface ProjectionStatus {
  /** The stored checkpoint (whichever replica moved it): the last stream sequence applied. */
  readonly appliedSeq: number;
  readonly streamSeq: number;
  /** This replica's job repair (absent in a checkout from before it). */
  readonly jobRepair?: { readonly repaired: number; readonly confirmed: number };
}

export class ProjectionClient {
  constructor(
    private readonly url: string,
    /** A bearer token with tasks_read and tasks_admin (a baseline from before tokens ignores it). */
    private readonly token: string,
  ) {}

  private get headers(): Record<string, string> {
    return { authorization: `Bearer ${this.token}` };
  }

  async status(): Promise<ProjectionStatus> {
    const response = await fetch(`${this.url}/api/v1/projection/status`, { headers: this.headers, signal: AbortSignal.timeout(5_000) });
    if (!response.ok) throw new Error(`projection status: ${response.status} ${await response.text()}`);
    return response.json() as Promise<ProjectionStatus>;
  }

  /** Resolves once the checkpoint covers `seq`; rejects after `timeoutMs`. */
  async caughtUp(seq: number, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if ((await this.status()).appliedSeq >= seq) return;
      await sleep(5);
    }
    throw new Error(`the projection did not reach seq ${seq} within ${timeoutMs} ms`);
  }

  /** One page of the Tasks listed as success for `createdBy`. */
  async successPage(createdBy: string, limit: number, cursor?: string): Promise<{ ids: string[]; nextCursor?: string }> {
    const query = new URLSearchParams({ status: 'success', createdBy, limit: String(limit), ...(cursor ? { cursor } : {}) });
    const response = await fetch(`${this.url}/api/v1/tasks?${query}`, { headers: this.headers, signal: AbortSignal.timeout(10_000) });
    if (!response.ok) throw new Error(`task list: ${response.status} ${await response.text()}`);
    const page = (await response.json()) as { items: { id: string }[]; nextCursor: string | null };
    return { ids: page.items.map((item) => item.id), nextCursor: page.nextCursor ?? undefined };
  }

  /** How many Tasks of `createdBy` the read model lists as success. */
  async successCount(createdBy: string): Promise<number> {
    let count = 0;
    let cursor: string | undefined;
    do {
      const page = await this.successPage(createdBy, 500, cursor);
      count += page.ids.length;
      cursor = page.nextCursor;
    } while (cursor);
    return count;
  }
}

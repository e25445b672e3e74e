// Dead letters read straight from DEAD_LETTERS (README, "Dead letters"); nothing of them is kept in
// PostgreSQL. nats-server 2.9 has no batched or backward direct get, so a page walks back from its
// start one direct get per sequence, a few dozen at a time, and stops after SCAN_LIMIT sequences
// whatever the filters found (the answer's nextBefore goes on from there): a request costs at most
// that many gets. The summary reads the stream forward through an ordered consumer of headers only
// (the code is a header, the source the subject), the newest SUMMARY_LIMIT at most.

import { DeliverPolicy, type JetStreamClient, type JetStreamManager, type StoredMsg } from '@nats-io/jetstream';
import { Headers } from '@vle/contracts';
import { deadLetterItem, type DeadLetterItem, type StoredDeadLetter } from './dead-letter-item.js';
import { sourceMatches, type DeadLetterQuery } from './dead-letter-query.js';

/** Sequences a page may look at, and how many direct gets are in flight at once. */
export const SCAN_LIMIT = 2048;
const GETS_IN_FLIGHT = 64;
/** Dead letters counted by one summary (the newest); each costs its headers only. */
export const SUMMARY_LIMIT = 100_000;
const SUMMARY_TIMEOUT_MS = 15_000;
/** A JSON payload larger than this is a text preview in a list; GET /:seq gives it whole. */
export const LIST_JSON_BYTES = 16 * 1024;

export interface DeadLetterPage {
  readonly items: DeadLetterItem[];
  /** `before` of the next page; null when the stream (or `since`) was reached. */
  readonly nextBefore: number | null;
  /** Sequences looked at for this page. */
  readonly scanned: number;
}

export interface DeadLetterSummary {
  /** Dead letters in the stream now, and the sequences the counts cover. */
  readonly total: number;
  readonly firstSeq: number;
  readonly lastSeq: number;
  readonly counted: number;
  /** false when the stream held more than SUMMARY_LIMIT: the counts are of the newest. */
  readonly complete: boolean;
  readonly bySource: Array<{ source: string; count: number }>;
  readonly counts: Array<{ source: string; code: string; count: number }>;
}

export interface DeadLetterReaderOptions {
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly stream: string;
  /** `<prefix>dlq.` */
  readonly subjectPrefix: string;
  readonly scanLimit?: number;
  readonly summaryLimit?: number;
}

export class DeadLetterReader {
  private readonly scanLimit: number;
  private readonly summaryLimit: number;

  constructor(private readonly options: DeadLetterReaderOptions) {
    this.scanLimit = options.scanLimit ?? SCAN_LIMIT;
    this.summaryLimit = options.summaryLimit ?? SUMMARY_LIMIT;
  }

  async get(seq: number): Promise<DeadLetterItem | undefined> {
    const found = await this.options.jsm.direct.getMessage(this.options.stream, { seq });
    return found ? this.itemOf(found, Number.POSITIVE_INFINITY) : undefined;
  }

  async list(query: DeadLetterQuery): Promise<DeadLetterPage> {
    const { state } = await this.options.jsm.streams.info(this.options.stream);
    if (state.messages === 0) return { items: [], nextBefore: null, scanned: 0 };
    const first = state.first_seq;
    let top = Math.min(state.last_seq, (query.before ?? Number.POSITIVE_INFINITY) - 1);
    if (query.until && top >= first) top = await this.lastAtOrBefore(query.until, first, top);
    const items: DeadLetterItem[] = [];
    let seq = top;
    let scanned = 0;
    while (seq >= first && scanned < this.scanLimit) {
      const count = Math.min(GETS_IN_FLIGHT, seq - first + 1, this.scanLimit - scanned);
      const batch = await Promise.all(Array.from({ length: count }, (_, i) => this.options.jsm.direct.getMessage(this.options.stream, { seq: seq - i })));
      for (const found of batch) {
        if (!found) continue;
        if (query.since && found.time.getTime() < query.since.getTime()) return { items, nextBefore: null, scanned: scanned + count };
        if (!this.wanted(found, query)) continue;
        const item = this.itemOf(found, LIST_JSON_BYTES);
        if (query.codes && !query.codes.includes(item.code)) continue;
        items.push(item);
        if (items.length === query.limit) return { items, nextBefore: item.seq > first ? item.seq : null, scanned: scanned + count };
      }
      seq -= count;
      scanned += count;
    }
    return { items, nextBefore: seq >= first ? seq + 1 : null, scanned };
  }

  async summary(): Promise<DeadLetterSummary> {
    const { js, jsm, stream } = this.options;
    const { state } = await jsm.streams.info(stream);
    const start = Math.max(state.first_seq, state.last_seq - this.summaryLimit + 1);
    const counts = new Map<string, { source: string; code: string; count: number }>();
    let counted = 0;
    if (state.messages > 0) {
      // A string filter, none here: filter_subjects as an array needs nats-server 2.10.
      const consumer = await js.consumers.get(stream, { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: start, headers_only: true, inactive_threshold: 30_000 });
      try {
        const messages = await consumer.consume({ max_messages: 1024 });
        const timer = setTimeout(() => void messages.stop(), SUMMARY_TIMEOUT_MS);
        try {
          for await (const m of messages) {
            const source = this.sourceOf(m.subject);
            const code = m.headers?.get(Headers.deadLetterCode) || 'UNKNOWN';
            const key = `${source}\u0000${code}`;
            const entry = counts.get(key) ?? { source, code, count: 0 };
            entry.count += 1;
            counts.set(key, entry);
            counted += 1;
            if (m.seq >= state.last_seq || m.info.pending === 0) break;
          }
        } finally {
          clearTimeout(timer);
          await messages.close();
        }
      } finally {
        await consumer.delete().catch(() => undefined);
      }
    }
    const bySource = new Map<string, number>();
    for (const c of counts.values()) bySource.set(c.source, (bySource.get(c.source) ?? 0) + c.count);
    const byCount = <T extends { count: number }>(a: T, b: T, tie: (x: T) => string) => b.count - a.count || (tie(a) < tie(b) ? -1 : 1);
    return {
      total: state.messages,
      firstSeq: state.messages > 0 ? start : 0,
      lastSeq: state.messages > 0 ? state.last_seq : 0,
      counted,
      complete: start === state.first_seq && counted === state.messages,
      bySource: [...bySource].map(([source, count]) => ({ source, count })).sort((a, b) => byCount(a, b, (x) => x.source)),
      counts: [...counts.values()].sort((a, b) => byCount(a, b, (x) => `${x.source}\u0000${x.code}`)),
    };
  }

  /** The largest sequence in [first, top] stored at or before `until` (first - 1: none), by bisection. */
  private async lastAtOrBefore(until: Date, first: number, top: number): Promise<number> {
    let [lo, hi, found] = [first, top, first - 1];
    while (lo <= hi) {
      const mid = Math.floor((lo + hi) / 2);
      // The first message at or after `mid`: a deleted sequence does not end the search.
      const m = await this.options.jsm.direct.getMessage(this.options.stream, { seq: mid, next_by_subj: `${this.options.subjectPrefix}>` });
      if (!m || m.seq > hi) hi = mid - 1;
      else if (m.time.getTime() <= until.getTime()) [found, lo] = [m.seq, m.seq + 1];
      else hi = mid - 1;
    }
    return found;
  }

  private wanted(found: StoredMsg, query: DeadLetterQuery): boolean {
    if (!sourceMatches(this.sourceOf(found.subject), query.sources)) return false;
    // The code header, when there, spares the mapping of a dead letter that is not asked for.
    const code = found.header?.get(Headers.deadLetterCode);
    return !query.codes || !code || query.codes.includes(code);
  }

  private sourceOf(subject: string): string {
    return subject.startsWith(this.options.subjectPrefix) ? subject.slice(this.options.subjectPrefix.length) : subject;
  }

  private itemOf(found: StoredMsg, maxJsonBytes: number): DeadLetterItem {
    const stored: StoredDeadLetter = { seq: found.seq, time: found.time, subject: found.subject, data: found.data, header: (name) => found.header?.get(name) || undefined };
    return deadLetterItem(stored, { subjectPrefix: this.options.subjectPrefix, maxJsonBytes });
  }
}

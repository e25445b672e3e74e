// The replicas' half of the live stream (README, "Live updates"): the clients of this replica, each
// with its filter and its token's scope, fed from the leader's changes (live-publisher.ts) while any
// client is connected. Core NATS may drop a message and the leader publishes only once it has heard
// that someone listens, so every client keeps a cursor (the last stream sequence it has seen all
// changes up to) and fills any gap from the read model: after a lost message, on a reconnect with
// Last-Event-ID, and when a heartbeat finds the checkpoint ahead of what came live.

import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { inScope } from '@vle/auth';
import type { Topology } from '@vle/contracts';
import { In, type DataSource } from 'typeorm';
import { SubTaskEntity, TaskEntity } from '../db/entities/index.js';
import { TASKS_PROJECTION } from '../projector/projection-name.js';
import { READ_CHECKPOINT } from '../projector/sql.js';
import type { FilterNode } from '../query/filter/filter.js';
import { filterTaskOf, type FilterTask } from '../query/filter/fields.js';
import { matches } from '../query/filter/filter-match.js';
import { visibleTasks, type Visibility } from '../query/task.queries.js';
import { toTaskView, type TaskView } from '../query/task.views.js';
import type { LiveChanges } from './live-change.js';
import { LISTEN_EVERY_MS } from './live-publisher.js';

/** What a client is sent; `id` is the stream sequence it has seen every change up to. */
export type LiveEvent =
  | { readonly kind: 'task'; readonly id: number; readonly task: TaskView }
  | { readonly kind: 'leave'; readonly id: number; readonly taskId: string }
  | { readonly kind: 'ready'; readonly id: number }
  | { readonly kind: 'reset'; readonly id: number; readonly reason: string };

export interface LiveClientOptions {
  readonly filter?: FilterNode;
  readonly visibility: Visibility;
  /** The client's Last-Event-ID: what it has seen; absent for a new client (it starts at the checkpoint). */
  readonly after?: number;
  /** Writes an event; false when the client cannot take more (it is then dropped). */
  readonly send: (event: LiveEvent) => boolean;
  /** Called once when the hub drops the client (too slow, or the hub stopped). */
  readonly dropped: (reason: string) => void;
}

export interface LiveHubOptions {
  /** How often a replica with clients looks for a gap (it tells the leader it listens every LISTEN_EVERY_MS). */
  readonly heartbeatMs: number;
  /** The most changes a reconnecting client is sent; beyond it, `reset` (reload the list). */
  readonly catchUpMax: number;
  readonly maxClients: number;
  readonly onError?: (message: string) => void;
}

interface Rows {
  readonly tasks: ReadonlyMap<string, { view: TaskView; filterTask: FilterTask }>;
}

interface ChangedSince {
  readonly seq: number;
  readonly rows: ReadonlyArray<{ view: TaskView; filterTask: FilterTask }>;
  readonly more: boolean;
}

export class LiveHubFull extends Error {
  override readonly name = 'LiveHubFull';
}

export class LiveHub {
  private readonly clients = new Set<LiveClient>();
  private subscription?: Subscription;
  private timer?: ReturnType<typeof setInterval>;
  private listenTimer?: ReturnType<typeof setInterval>;
  private readonly decoder = new TextDecoder();
  private readonly encoder = new TextEncoder();
  /** Whether a message came since the last heartbeat. */
  private heard = false;
  /** The catch-up reads in flight, by cursor and scope (changedSince). */
  private readonly catchUps = new Map<string, Promise<ChangedSince>>();

  constructor(
    private readonly nc: NatsConnection,
    private readonly topology: Topology,
    private readonly db: DataSource,
    readonly options: LiveHubOptions,
  ) {}

  get size(): number {
    return this.clients.size;
  }

  /** Registers a client; it gets `ready` (or its catch-up first) and then the changes. */
  add(options: LiveClientOptions): LiveClient {
    if (this.clients.size >= this.options.maxClients) throw new LiveHubFull(`this replica serves ${this.options.maxClients} live streams, its most`);
    const client = new LiveClient(this, options);
    this.clients.add(client);
    if (this.clients.size === 1) this.open();
    client.run(() => client.start());
    return client;
  }

  remove(client: LiveClient): void {
    if (!this.clients.delete(client)) return;
    if (this.clients.size === 0) this.close();
  }

  /** Drops every client (the service stops). */
  stop(): void {
    // Deleting the element being visited is safe while iterating a Set.
    for (const client of this.clients) client.drop('the service is stopping');
    this.close();
  }

  private open(): void {
    this.subscription = this.nc.subscribe(this.topology.liveChangesSubject, {
      callback: (error, message) => {
        if (error) return this.options.onError?.(`live changes: ${error.message}`);
        this.heard = true;
        let changes: LiveChanges;
        try {
          changes = JSON.parse(this.decoder.decode(message.data)) as LiveChanges;
        } catch {
          return this.options.onError?.('live changes: a message that is not JSON');
        }
        this.deliver(changes);
      },
    });
    this.listen();
    this.timer = setInterval(() => this.tick(), this.options.heartbeatMs);
    this.timer.unref();
    // On a clock of its own: the leader's LISTENER_TTL_MS does not know this replica's heartbeat, and a
    // renewal a little late must not stop the publishing (every client would then catch up at once).
    this.listenTimer = setInterval(() => this.listen(), LISTEN_EVERY_MS);
    this.listenTimer.unref();
  }

  private close(): void {
    this.subscription?.unsubscribe();
    this.subscription = undefined;
    if (this.timer) clearInterval(this.timer);
    if (this.listenTimer) clearInterval(this.listenTimer);
    this.timer = undefined;
    this.listenTimer = undefined;
  }

  private listen(): void {
    try {
      this.nc.publish(this.topology.liveListenersSubject, this.encoder.encode('1'));
    } catch {
      // The connection is closing; the next heartbeat tries again.
    }
  }

  /** A heartbeat: with no message since the last one, look for a gap in the read model. */
  private tick(): void {
    if (this.heard) {
      this.heard = false;
      return;
    }
    void this.checkpoint()
      .then((seq) => {
        for (const client of this.clients) client.run(() => client.catchUpTo(seq));
      })
      .catch((error: unknown) => this.options.onError?.(`live heartbeat: ${(error as Error).message}`));
  }

  private deliver(changes: LiveChanges): void {
    let rows: Promise<Rows> | undefined;
    const rowsOnce = () => (rows ??= this.rowsOf(changes.changes.map((c) => c.taskId)));
    for (const client of this.clients) client.run(() => client.apply(changes, rowsOnce));
  }

  /** The rows of changed Tasks as they are now (a Task retention deleted is absent). */
  private async rowsOf(ids: readonly string[]): Promise<Rows> {
    if (ids.length === 0) return { tasks: new Map() };
    const tasks = await this.db.getRepository(TaskEntity).findBy({ id: In([...ids]) });
    return { tasks: await this.withSubTasks(tasks) };
  }

  private async withSubTasks(tasks: readonly TaskEntity[]): Promise<Map<string, { view: TaskView; filterTask: FilterTask }>> {
    const subtasks = tasks.length === 0 ? [] : await this.db.getRepository(SubTaskEntity).find({
      select: { taskId: true, queue: true, action: true, status: true, responseCode: true, responseMessage: true, objectType: true, objectId: true },
      where: { taskId: In(tasks.map((t) => t.id)) },
    });
    const byTask = new Map<string, SubTaskEntity[]>();
    for (const s of subtasks) {
      // Appended in place: a copy per row would be quadratic in a Task's SubTasks (10,000 of them).
      const own = byTask.get(s.taskId);
      if (own) own.push(s);
      else byTask.set(s.taskId, [s]);
    }
    return new Map(tasks.map((t) => [t.id, { view: toTaskView(t), filterTask: filterTaskOf(t, byTask.get(t.id) ?? []) }]));
  }

  async checkpoint(): Promise<number> {
    const rows: Array<{ seq: string }> = await this.db.query(READ_CHECKPOINT, [TASKS_PROJECTION]);
    return rows.length === 0 ? 0 : Number(rows[0]!.seq);
  }

  /**
   * The Tasks in a client's scope changed after `after`, as they are now, in sequence order, and the
   * checkpoint read before them (the rows are at least that new: it commits with them); `more` when
   * there are over `max` of them.
   */
  changedSince(after: number, visibility: Visibility, max: number): Promise<ChangedSince> {
    // The clients of a replica catch up together (a heartbeat found a gap): those at the same cursor
    // in the same scope share one read, rather than a read each at once.
    const key = JSON.stringify([after, visibility.scope.own ? visibility.subject : null, visibility.scope.events ?? null, max]);
    const pending = this.catchUps.get(key);
    if (pending) return pending;
    const read = this.readChangedSince(after, visibility, max).finally(() => this.catchUps.delete(key));
    this.catchUps.set(key, read);
    return read;
  }

  private async readChangedSince(after: number, visibility: Visibility, max: number): Promise<ChangedSince> {
    const seq = await this.checkpoint();
    const tasks = await visibleTasks(this.db, undefined, visibility).andWhere('t.last_seq > :after', { after }).orderBy('t.last_seq', 'ASC').limit(max + 1).getMany();
    if (tasks.length > max) return { seq, rows: [], more: true };
    const rows = await this.withSubTasks(tasks);
    return { seq, rows: tasks.map((t) => rows.get(t.id)!), more: false };
  }
}

/** One connected client: its cursor, and its work done in order (a catch-up, then the changes). */
export class LiveClient {
  private cursor = 0;
  private chain: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly hub: LiveHub,
    private readonly options: LiveClientOptions,
  ) {}

  /** Runs `work` after the client's earlier work; a failure drops the client (it reconnects). */
  run(work: () => Promise<void>): void {
    this.chain = this.chain.then(async () => {
      if (this.closed) return;
      try {
        await work();
      } catch (error) {
        this.hub.options.onError?.(`live client: ${(error as Error).message}`);
        this.drop('the live stream failed; reconnect with Last-Event-ID');
      }
    });
  }

  /** Done with this client (it disconnected): nothing more is sent. */
  close(): void {
    this.closed = true;
    this.hub.remove(this);
  }

  drop(reason: string): void {
    if (this.closed) return;
    this.close();
    this.options.dropped(reason);
  }

  async start(): Promise<void> {
    if (this.options.after === undefined) {
      this.cursor = await this.hub.checkpoint();
      this.send({ kind: 'ready', id: this.cursor });
      return;
    }
    this.cursor = this.options.after;
    await this.catchUp();
    this.send({ kind: 'ready', id: this.cursor });
  }

  /** A heartbeat found the checkpoint at `seq`: what this client has not seen comes from the read model. */
  async catchUpTo(seq: number): Promise<void> {
    if (seq > this.cursor) await this.catchUp();
  }

  async apply(changes: LiveChanges, rows: () => Promise<Rows>): Promise<void> {
    if (changes.seq <= this.cursor) return;
    // A message lost, or sent before the leader heard us: read what is missing first.
    if (changes.from > this.cursor) await this.catchUp();
    if (changes.seq <= this.cursor) return;
    const now = await rows();
    for (const change of changes.changes) {
      if (change.lastSeq <= this.cursor) continue;
      const after = now.tasks.get(change.taskId);
      if (after && this.shows(after.filterTask)) {
        if (!this.send({ kind: 'task', id: change.lastSeq, task: after.view })) return;
      } else if (change.before ? this.shows(change.before) : change.beforeUnknown === true && after !== undefined && inScope(this.options.visibility, after.filterTask)) {
        // A Task whose state before was too big to send: a leave to whoever may see it (a client
        // that did not show it ignores it); its scope (creator, event) is the same before and after.
        if (!this.send({ kind: 'leave', id: change.lastSeq, taskId: change.taskId })) return;
      }
    }
    this.cursor = changes.seq;
  }

  /** Every Task in scope changed since the cursor: `task` when it matches, `leave` when it does not. */
  private async catchUp(): Promise<void> {
    const { seq, rows, more } = await this.hub.changedSince(this.cursor, this.options.visibility, this.hub.options.catchUpMax);
    if (more) {
      this.send({ kind: 'reset', id: seq, reason: `more than ${this.hub.options.catchUpMax} Tasks changed since ${this.cursor}: load the list again` });
    } else {
      for (const row of rows) {
        const shown = this.matches(row.filterTask);
        if (!this.send(shown ? { kind: 'task', id: row.view.lastSeq, task: row.view } : { kind: 'leave', id: row.view.lastSeq, taskId: row.view.id })) return;
      }
    }
    this.cursor = Math.max(this.cursor, seq);
  }

  private shows(task: FilterTask): boolean {
    return inScope(this.options.visibility, task) && this.matches(task);
  }

  private matches(task: FilterTask): boolean {
    return this.options.filter === undefined || matches(task, this.options.filter);
  }

  private send(event: LiveEvent): boolean {
    if (this.closed) return false;
    if (this.options.send(event)) return true;
    this.drop('the client reads too slowly');
    return false;
  }
}

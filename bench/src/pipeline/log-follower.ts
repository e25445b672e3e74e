// Success is seen on the event log itself: one ordered consumer over every Task subject of the run's
// namespace (no acks, no per-Task polling), each commit's event types taken from its Vle-Event-Type
// header, else from the `{"events":[...]}` body.

import { DeliverPolicy, type ConsumerMessages, type JetStreamClient } from '@nats-io/jetstream';
import { Headers, type Topology } from '@vle/contracts';
import { performance } from 'node:perf_hooks';
import type { ObservedCommit } from './commit-fold.js';

export class LogFollower {
  private constructor(private readonly messages: ConsumerMessages) {}

  /** Starts at the next commit (DeliverPolicy.New): start it before the first Task is created. */
  static async start(js: JetStreamClient, topology: Topology, onCommit: (commit: ObservedCommit) => void, onError: (error: unknown) => void): Promise<LogFollower> {
    const consumer = await js.consumers.get(topology.eventStream.name, { filter_subjects: topology.allEventsSubject, deliver_policy: DeliverPolicy.New });
    const messages = await consumer.consume({ max_messages: 10_000 });
    void (async () => {
      for await (const m of messages) {
        const header = m.headers?.get(Headers.eventType);
        const types = header ? header.split(',') : (m.json<{ events: { type: string }[] }>().events ?? []).map((e) => e.type);
        onCommit({ taskId: topology.taskIdOf(m.subject), seq: m.seq, serverTime: m.info.timestampNanos / 1e6, at: performance.now(), wallAt: Date.now(), types });
      }
    })().catch(onError);
    return new LogFollower(messages);
  }

  async close(): Promise<void> {
    await this.messages.close();
  }
}

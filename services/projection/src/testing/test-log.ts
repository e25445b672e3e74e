// A TASK_EVENTS stream of its own for one test file (fresh namespace), with helpers to append the
// commits of a scenario the way task-api does (per Task, with the expected last subject sequence).

import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { Topology } from '@vle/contracts';
import type { TaskEvent } from '@vle/domain';
import { connectNats, deleteTopology, ensureStream, JetStreamEventStore } from '@vle/event-store';
import { testNamespace } from '@vle/testing';
import { createJetStreamFeed, type CommitFeed } from '../projector/commit-feed.js';
import type { ScenarioCommit } from './task-scenarios.js';

export interface TestLog {
  readonly nc: NatsConnection;
  readonly jsm: JetStreamManager;
  readonly topology: Topology;
  readonly feed: CommitFeed;
  readonly taskIdOf: (subject: string) => string;
  /** Appends the commits, Tasks in parallel, each Task in order; returns the stream's last seq. */
  append(commits: readonly ScenarioCommit[]): Promise<number>;
  /** Publishes raw bytes on a Task's subject: what a bug or a hand-written message would store. */
  publishRaw(taskId: string, data: string): Promise<number>;
  close(): Promise<void>;
}

export async function openTestLog(prefix = 'proj'): Promise<TestLog> {
  const nc = await connectNats(process.env.NATS_URL ?? 'nats://127.0.0.1:4222', `test-${prefix}`);
  const jsm = await jetstreamManager(nc);
  const topology = new Topology({ namespace: testNamespace(prefix) });
  await ensureStream(jsm, topology.eventStream);
  const store = await JetStreamEventStore.connect<TaskEvent>(nc, topology);
  const js = jetstream(nc);
  const lastSeqOf = new Map<string, number>();
  return {
    nc,
    jsm,
    topology,
    feed: await createJetStreamFeed(nc, topology),
    taskIdOf: (subject) => topology.taskIdOf(subject),
    async append(commits) {
      const byTask = new Map<string, ScenarioCommit[]>();
      for (const c of commits) byTask.set(c.taskId, [...(byTask.get(c.taskId) ?? []), c]);
      const queues = [...byTask.values()];
      const worker = async () => {
        for (let q = queues.shift(); q; q = queues.shift()) {
          for (const c of q) lastSeqOf.set(c.taskId, (await store.append(c.taskId, c.events, lastSeqOf.get(c.taskId) ?? 0)).seq);
        }
      };
      await Promise.all(Array.from({ length: 32 }, worker));
      return (await jsm.streams.info(topology.eventStream.name)).state.last_seq;
    },
    async publishRaw(taskId, data) {
      const ack = await js.publish(topology.eventSubject(taskId), data);
      lastSeqOf.set(taskId, ack.seq);
      return ack.seq;
    },
    async close() {
      await deleteTopology(jsm, topology).catch(() => undefined);
      await nc.close();
    },
  };
}

/** A RunnerLogger that keeps what it was told. */
export function recordingLogger() {
  const lines: string[] = [];
  return {
    lines,
    log: (m: string) => void lines.push(`log ${m}`),
    warn: (m: string) => void lines.push(`warn ${m}`),
    error: (m: string) => void lines.push(`error ${m}`),
  };
}

// What a Task costs in NATS messages: listens (core NATS) on the subjects the pipeline's messages
// travel on, the JetStream API and ack subjects included, and counts them by kind. Pull requests
// carry their batch size, which is summed too. Costs a little; off unless --census.

import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import type { Topology } from '@vle/contracts';
import { round } from '../stats/summary.js';

export interface Census {
  readonly counts: Readonly<Record<string, number>>;
  readonly perTask: Readonly<Record<string, number>>;
  readonly meanPullBatch: { readonly events: number; readonly jobs: number };
  readonly eventAcksByConsumer: Readonly<Record<string, number>>;
}

const EVENT_PULLS = 'pull requests on the event stream';
const JOB_PULLS = 'pull requests on jobs';
const EVENT_ACKS = 'event acks by durable consumers';

function subjectsOf(t: Topology): Record<string, string> {
  const events = t.eventStream.name;
  const jobs = t.jobStream.name;
  return {
    'commands (requests)': t.allRequestsSubject,
    'commits appended': t.allEventsSubject,
    'jobs published': t.jobSubject('bench'),
    [EVENT_ACKS]: `$JS.ACK.${events}.>`,
    'job acks/naks/working': `$JS.ACK.${jobs}.>`,
    [EVENT_PULLS]: `$JS.API.CONSUMER.MSG.NEXT.${events}.>`,
    [JOB_PULLS]: `$JS.API.CONSUMER.MSG.NEXT.${jobs}.>`,
    'consumer creates on the event stream': `$JS.API.CONSUMER.CREATE.${events}.>`,
    'consumer creates (short form)': `$JS.API.CONSUMER.CREATE.${events}`,
    'consumer infos on the event stream': `$JS.API.CONSUMER.INFO.${events}.>`,
    'consumer deletes on the event stream': `$JS.API.CONSUMER.DELETE.${events}.>`,
    'direct gets on the event stream': `$JS.API.DIRECT.GET.${events}.>`,
    'direct gets (short form)': `$JS.API.DIRECT.GET.${events}`,
    'stream msg gets on the event stream': `$JS.API.STREAM.MSG.GET.${events}`,
    'stream infos on the event stream': `$JS.API.STREAM.INFO.${events}`,
  };
}

/** Starts counting; the returned function stops and reduces the counts to `tasks` Tasks. */
export function startCensus(nc: NatsConnection, topology: Topology): (tasks: number) => Census {
  const counts: Record<string, number> = {};
  const pulled = { events: 0, jobs: 0 };
  const byConsumer: Record<string, number> = {};
  const subscriptions: Subscription[] = Object.entries(subjectsOf(topology)).map(([kind, subject]) => {
    counts[kind] = 0;
    return nc.subscribe(subject, {
      callback: (_error, msg) => {
        if (!msg) return;
        counts[kind]!++;
        if (kind === EVENT_ACKS) {
          // $JS.ACK.<stream>.<consumer>.…
          const consumer = msg.subject.split('.')[3]!;
          byConsumer[consumer] = (byConsumer[consumer] ?? 0) + 1;
        } else if (kind === EVENT_PULLS || kind === JOB_PULLS) {
          try {
            pulled[kind === JOB_PULLS ? 'jobs' : 'events'] += (msg.json<{ batch?: number }>().batch ?? 0);
          } catch {
            // not JSON
          }
        }
      },
    });
  });
  return (tasks) => {
    for (const sub of subscriptions) sub.unsubscribe();
    return {
      counts,
      perTask: Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0).map(([k, n]) => [k, round(n / Math.max(1, tasks), 2)])),
      meanPullBatch: {
        events: round(pulled.events / Math.max(1, counts[EVENT_PULLS]!)),
        jobs: round(pulled.jobs / Math.max(1, counts[JOB_PULLS]!)),
      },
      eventAcksByConsumer: byConsumer,
    };
  };
}

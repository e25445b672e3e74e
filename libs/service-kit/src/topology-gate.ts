// When a service may start its consumers (README, "NATS users"). With NATS_PROVISION=true (the
// default) it creates or updates the streams and consumers itself, at boot, and a failure stops the
// boot. With false (a NATS user that may not manage streams: every service but task-api) it never
// creates or changes them: an update by a worker could shrink the event log's retention. It starts at
// once if they exist; otherwise it listens (liveness up), reports not ready naming what is missing, and
// starts when task-api has created them.

import { setTimeout as sleep } from 'node:timers/promises';
import { Logger } from '@nestjs/common';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { missingTopology, type TopologyNeeds } from '@vle/event-store';
import { shutdownAll } from './bootstrap.js';
import { ConfigError } from './config.js';
import type { HealthRegistry } from './health.js';

export interface TopologyGateEntry {
  /** The part of the service this gates, for logs and readiness (`topology:<name>`). */
  readonly name: string;
  /** What the part needs to exist before it starts. */
  readonly needs: TopologyNeeds;
  /** Creates or updates what the part needs (run only with NATS_PROVISION=true). */
  readonly provision: () => Promise<void>;
  /** Starts the part. */
  readonly start: () => Promise<void>;
}

export interface TopologyWait {
  /** Stops waiting; resolves once a start that already began has ended. */
  close(): Promise<void>;
}

const FIRST_POLL_MS = 250;
const MAX_POLL_MS = 5_000;

export class TopologyGate {
  private readonly logger = new Logger('Topology');

  constructor(
    private readonly nc: NatsConnection,
    private readonly registry: HealthRegistry,
    /** NATS_PROVISION. */
    readonly provision: boolean,
  ) {}

  async open(entry: TopologyGateEntry): Promise<TopologyWait> {
    let state: { ready: boolean; missing: readonly string[] } = { ready: false, missing: [] };
    this.registry.register(`topology:${entry.name}`, () => {
      if (!state.ready) throw new Error(state.missing.length > 0 ? `waiting for ${state.missing.join(', ')} (NATS_PROVISION=false: task-api creates them)` : 'starting');
    });
    if (this.provision) {
      await entry.provision().catch((error: unknown) => {
        // The first thing a restricted user meets when NATS_PROVISION was left at its default.
        if (error instanceof Error && error.message.includes('Permissions Violation')) {
          throw new ConfigError([{ variable: 'NATS_PROVISION', message: `this service's NATS user may not create streams (${error.message}); set NATS_PROVISION=false, only task-api provisions` }]);
        }
        throw error;
      });
      await entry.start();
      state = { ready: true, missing: [] };
      return { close: async () => {} };
    }
    const jsm = await jetstreamManager(this.nc);
    const missing = await missingTopology(jsm, entry.needs);
    if (missing.length === 0) {
      await entry.start();
      state = { ready: true, missing: [] };
      return { close: async () => {} };
    }
    state = { ready: false, missing };
    this.logger.warn(`${entry.name}: waiting for ${missing.join(', ')}; NATS_PROVISION=false, so a service with NATS_PROVISION=true (task-api) must create them`);
    const stop = new AbortController();
    const waiting = (async () => {
      for (let delay = FIRST_POLL_MS; !stop.signal.aborted; delay = Math.min(delay * 2, MAX_POLL_MS)) {
        await sleep(delay, undefined, { signal: stop.signal }).catch(() => undefined);
        if (stop.signal.aborted) return;
        try {
          const left = await missingTopology(jsm, entry.needs);
          state = { ready: false, missing: left };
          if (left.length > 0) continue;
        } catch (error) {
          this.logger.warn(`${entry.name}: cannot look the topology up (${error instanceof Error ? error.message : String(error)}); trying again`);
          continue;
        }
        this.logger.log(`${entry.name}: the streams and consumers exist; starting`);
        try {
          await entry.start();
          state = { ready: true, missing: [] };
        } catch (error) {
          this.logger.error(`${entry.name} failed to start: ${error instanceof Error ? error.message : String(error)}`);
          void shutdownAll(`${entry.name} failed to start`, 1);
        }
        return;
      }
    })();
    return {
      close: async () => {
        stop.abort();
        await waiting;
      },
    };
  }
}

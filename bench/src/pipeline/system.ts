// The system under test, booted as production runs it: task-api (command intake),
// integration-worker (consumes the `bench` queue) and projection (the read model, the job repair) as processes from
// the built dist of a checkout (this one, or a baseline's), each N times, on a NATS namespace and a
// database of this run only. Everything it creates is held by the run guard from the moment it
// exists, so a boot that fails half-way, Ctrl-C or the hard timeout still leave nothing behind.

import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { Topology } from '@vle/contracts';
import { connectNats } from '@vle/event-store';
import { createTestDatabase, deleteNamespaceStreams, freePort, startService, testNamespace, testToken, type ServiceEnv, type ServiceProcess } from '@vle/testing';
import { mkdirSync } from 'node:fs';
import type { ProcessGroup } from '../proc/cpu.js';
import { fixedGroup, postgresGroup, serverGroup } from '../proc/processes.js';
import type { Release, RunGuard } from '../run/run-guard.js';
import { missingBuild, PIPELINE_SERVICES, serviceEntry, THIS_ROOT, type PipelineService } from './checkout.js';

export const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const DATABASE_SERVER_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface SystemOptions {
  /** The root of the checkout whose services are booted (default: this one). */
  readonly root?: string;
  /** Default: all three. */
  readonly services?: readonly PipelineService[];
  /** Processes of each service (default 1). */
  readonly replicas?: number;
  /** Services to run with --cpu-prof into `profileDir`. */
  readonly cpuProf?: readonly PipelineService[];
  readonly profileDir?: string;
  /** Extra variables of every service. */
  readonly env?: ServiceEnv;
  /** Every service process with its Prometheus endpoint (METRICS_PORT) on a free port. */
  readonly metrics?: boolean;
}

export interface RunningService {
  readonly service: PipelineService;
  /** `task-api`, or `task-api-2` for the second replica. */
  readonly label: string;
  readonly process: ServiceProcess;
  /** Its GET /metrics, with SystemOptions.metrics. */
  readonly metricsUrl?: string;
}

function portOf(url: string, fallback: number): number {
  const port = Number(new URL(url.split(',')[0]!).port);
  return port > 0 ? port : fallback;
}

export class PipelineSystem {
  readonly namespace = testNamespace('bench');
  readonly topology = new Topology({ namespace: this.namespace });
  readonly services: RunningService[] = [];
  nc!: NatsConnection;
  /** A token with every permission, signed with the development secret the services verify with. */
  token!: string;
  js!: JetStreamClient;
  jsm!: JetStreamManager;
  database!: string;
  /** The run's database, as the services reach it. */
  databaseUrl!: string;
  private readonly releases: Release[] = [];
  private readonly serviceReleases: Release[] = [];

  private constructor(private readonly guard: RunGuard) {}

  static async start(guard: RunGuard, options: SystemOptions = {}): Promise<PipelineSystem> {
    const system = new PipelineSystem(guard);
    try {
      await system.boot(options);
    } catch (error) {
      await system.stop().catch(() => undefined);
      throw error;
    }
    return system;
  }

  private async boot(options: SystemOptions): Promise<void> {
    const wanted = options.services ?? PIPELINE_SERVICES;
    const root = options.root ?? THIS_ROOT;
    const missing = missingBuild(root, wanted);
    if (missing) throw new Error(missing);
    this.token = await testToken({ subject: 'bench', expiresInSeconds: 24 * 3600 });
    const db = await createTestDatabase('vle_bench', DATABASE_SERVER_URL);
    this.database = db.name;
    this.databaseUrl = db.url;
    this.releases.push(this.guard.hold(`database ${db.name}`, () => db.drop()));
    // Held before any service starts: each one provisions the namespace's streams.
    this.releases.push(this.guard.hold(`streams of ${this.namespace}`, async () => void (await deleteNamespaceStreams(this.namespace, NATS_URL))));
    const nc = await connectNats(NATS_URL, 'bench');
    this.nc = nc;
    this.releases.push(this.guard.hold('bench NATS connection', () => nc.close()));
    this.js = jetstream(nc);
    this.jsm = await jetstreamManager(nc);
    const env: ServiceEnv = {
      NATS_URL,
      NATS_NAMESPACE: this.namespace,
      DATABASE_URL: db.url,
      // A baseline checkout's services get the same variables: both peers run alike.
      // The bench queue is off unless asked for: task-api accepts it and integration-worker runs it.
      TASK_API_BENCH_QUEUE: 'true',
      LOG_LEVEL: 'warn',
      LOG_FORMAT: 'text',
      ...options.env,
    };
    if (options.profileDir && (options.cpuProf?.length ?? 0) > 0) mkdirSync(options.profileDir, { recursive: true });
    const replicas = options.replicas ?? 1;
    const plan = wanted.flatMap((service) => Array.from({ length: replicas }, (_, i) => ({ service, label: i === 0 ? service : `${service}-${i + 1}` })));
    const boot = async ({ service, label }: { service: PipelineService; label: string }) => {
      const profiled = options.profileDir && options.cpuProf?.includes(service);
      const nodeArgs = profiled ? ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`, `--cpu-prof-name=${label}.cpuprofile`] : [];
      const metricsPort = options.metrics ? await freePort() : undefined;
      const child = await startService(serviceEntry(root, service), metricsPort === undefined ? env : { ...env, METRICS_PORT: String(metricsPort) }, { nodeArgs });
      this.services.push({ service, label, process: child, ...(metricsPort === undefined ? {} : { metricsUrl: `http://127.0.0.1:${metricsPort}/metrics` }) });
      // SIGTERM first: a profiled service writes its profile when it exits.
      this.serviceReleases.push(this.guard.hold(label, async () => void (await child.stop(15_000))));
    };
    // The first task-api alone: it provisions the streams and consumers the others then find.
    const [first, ...rest] = plan;
    if (first) await boot(first);
    await Promise.all(rest.map(boot));
    // In the plan's order, not the order they became ready: the reports of two checkouts line up.
    const rank = (label: string) => plan.findIndex((p) => p.label === label);
    this.services.sort((a, b) => rank(a.label) - rank(b.label));
  }

  of(service: PipelineService): RunningService[] {
    return this.services.filter((s) => s.service === service);
  }

  /** The URL of the first replica of a service. */
  url(service: PipelineService): string {
    const running = this.of(service)[0];
    if (!running) throw new Error(`${service} is not part of this system`);
    return running.process.url;
  }

  /** The processes whose CPU a Task costs: each service (its replicas summed), the servers, the bench. */
  cpuGroups(): ProcessGroup[] {
    const services = [...new Set(this.services.map((s) => s.service))].map((service) =>
      fixedGroup(service, this.of(service).flatMap((s) => (s.process.pid === undefined ? [] : [s.process.pid]))),
    );
    return [...services, serverGroup('nats-server', portOf(NATS_URL, 4222)), postgresGroup(portOf(DATABASE_SERVER_URL, 5432), this.database), fixedGroup('bench', [process.pid])];
  }

  /** The last lines of every service's output, for the message of a failed run. */
  lastOutput(lines = 15): string {
    return this.services
      .filter((s) => s.process.output().trim())
      .map((s) => `--- ${s.label} (last output) ---\n${s.process.output().trimEnd().split('\n').slice(-lines).join('\n')}`)
      .join('\n');
  }

  /** Stops the services (all at once: each takes a graceful second or two), then the rest newest first. */
  async stop(): Promise<void> {
    const problems: string[] = [];
    const stopped = await Promise.allSettled(this.serviceReleases.splice(0).map((release) => release()));
    for (const result of stopped) if (result.status === 'rejected') problems.push(String(result.reason));
    while (this.releases.length > 0) {
      try {
        await this.releases.pop()!();
      } catch (error) {
        problems.push(error instanceof Error ? error.message : String(error));
      }
    }
    if (problems.length > 0) throw new Error(`cleanup of ${this.namespace}: ${problems.join('; ')}`);
  }
}

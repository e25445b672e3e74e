// A whole vle-tasks system for end-to-end tests: task-api, integration-worker (the bench queue) and
// projection as real processes, on a NATS namespace and a database of their own; with `proxmox`,
// also the sandbox (its Proxmox simulator) and both vm workers pointed at it.

import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type MsgHdrs, type NatsConnection } from '@nats-io/transport-node';
import { Topology } from '@vle/contracts';
import { exists, taskDecider, type Task, type TaskEvent } from '@vle/domain';
import { deleteTopology, JetStreamEventStore } from '@vle/event-store';
import { bearer, createTestDatabase, freePort, natsBearer, scrapeMetrics, startService, testNamespace, testToken, waitFor, type Scrape, type ServiceProcess, type TestDatabase } from '@vle/testing';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../..', import.meta.url));
export const entries = {
  taskApi: `${root}services/task-api/dist/main.js`,
  worker: `${root}services/integration-worker/dist/main.js`,
  projection: `${root}services/projection/dist/main.js`,
  vmCloneWorker: `${root}services/vm-clone-worker/dist/main.js`,
  vmActionWorker: `${root}services/vm-action-worker/dist/main.js`,
  sandbox: `${root}services/sandbox/dist/main.js`,
  scheduler: `${root}services/scheduler/dist/main.js`,
};

/** A service that connects to NATS with a user of its own (deploy/nats/users.conf). */
export type ServiceUser = 'task-api' | 'scheduler' | 'projection' | 'vm-clone-worker' | 'vm-action-worker' | 'integration-worker';

/**
 * A nats-server with the users of deploy/nats/users.conf: every service connects with its own user
 * (only task-api provisions), and the System itself as `admin`.
 */
export interface SystemNatsUsers {
  readonly url: string;
  readonly passwords: Readonly<Record<ServiceUser | 'admin', string>>;
}

export interface SystemParts {
  readonly taskApi?: Record<string, string>;
  /** Start the sandbox and the vm workers; extra variables for the workers. */
  readonly proxmox?: Record<string, string>;
  /**
   * Start the sandbox first and point integration-worker at its simulators (SMTP sink, Guacamole,
   * Moodle, OpenVLE core API); extra variables for integration-worker. Implied by `proxmox`.
   */
  readonly integrations?: Record<string, string>;
  /** WORKER_MAX_RETRY of every service (they must agree); default WORKER_MAX_RETRY. */
  readonly workerMaxRetry?: number;
  /** Start the scheduler too; extra variables for it. */
  readonly scheduler?: Record<string, string>;
  /** Every service with its own NATS user (and the System as admin) on this server. */
  readonly natsUsers?: SystemNatsUsers;
  /** Every service with its Prometheus endpoint (METRICS_PORT) on a free port; read it with `metrics(service)`. */
  readonly metrics?: boolean;
  /** Extra variables of every service, the sandbox's too (OTEL_* of a test's OTLP receiver). */
  readonly env?: Record<string, string>;
}

export const WORKER_MAX_RETRY = 3;

/** The projection's job repair: a SubTask queued this long without starting gets its job again. */
export const JOB_REPAIR_AFTER_MS = 1_000;

export class System {
  taskApi!: ServiceProcess;
  worker!: ServiceProcess;
  projection!: ServiceProcess;
  sandbox?: ServiceProcess;
  vmCloneWorker?: ServiceProcess;
  vmActionWorker?: ServiceProcess;
  scheduler?: ServiceProcess;
  /** Environment of the vm workers (PVE_URL of the sandbox, fast polling). */
  proxmoxEnv: Record<string, string> = {};
  /** Environment of integration-worker: the sandbox's simulators when the system has a sandbox. */
  integrationEnv: Record<string, string> = {};
  /** The port of the sandbox's SMTP sink (a free one per run). */
  smtpPort?: number;
  nc!: NatsConnection;
  js!: JetStreamClient;
  jsm!: JetStreamManager;
  store!: JetStreamEventStore<TaskEvent>;
  readonly namespace: string;
  readonly topology: Topology;
  db!: TestDatabase;
  /** Every permission, acting for users too: the bodies of the tests name their users. */
  token!: string;
  private workerMaxRetry = WORKER_MAX_RETRY;
  private natsUsers?: SystemNatsUsers;
  private metricsPorts: Partial<Record<ServiceUser, number>> = {};
  private extraEnv: Record<string, string> = {};

  /** `namespace`: '' only on a nats-server of the test's own (the users' subjects have none). */
  constructor(options: { readonly namespace?: string } = {}) {
    this.namespace = options.namespace ?? testNamespace('e2e');
    this.topology = new Topology({ namespace: this.namespace });
  }

  /** The environment of one service: `env`, with natsUsers its own user (only task-api provisions), with metrics its METRICS_PORT. */
  envOf(service: ServiceUser): Record<string, string> {
    const metrics: Record<string, string> = this.metricsPorts[service] === undefined ? {} : { METRICS_PORT: String(this.metricsPorts[service]) };
    if (!this.natsUsers) return { ...this.env, ...metrics };
    return { ...this.env, ...metrics, NATS_USER: service, NATS_PASSWORD: this.natsUsers.passwords[service], NATS_PROVISION: String(service === 'task-api') };
  }

  /** A scrape of one service's GET /metrics (the system started with `metrics`). */
  metrics(service: ServiceUser): Promise<Scrape> {
    const port = this.metricsPorts[service];
    if (port === undefined) throw new Error(`${service} has no metrics endpoint: start the system with metrics`);
    return scrapeMetrics(`http://127.0.0.1:${port}/metrics`);
  }

  get env(): Record<string, string> {
    return {
      NATS_URL: this.natsUsers?.url ?? process.env.NATS_URL ?? 'nats://127.0.0.1:4222',
      NATS_NAMESPACE: this.namespace,
      NATS_JOB_ACK_WAIT_MS: '3000',
      DATABASE_URL: this.db.url,
      WORKER_MAX_RETRY: String(this.workerMaxRetry),
      WORKER_RETRY_INTERVAL_SCALE: '0.01',
      // The tests run their Tasks on the bench queue, off by default.
      TASK_API_BENCH_QUEUE: 'true',
      LOG_FORMAT: 'text',
      LOG_LEVEL: 'warn',
      ...this.extraEnv,
    };
  }

  async start(parts: SystemParts = {}): Promise<this> {
    this.workerMaxRetry = parts.workerMaxRetry ?? WORKER_MAX_RETRY;
    this.natsUsers = parts.natsUsers;
    if (parts.metrics) {
      const services: ServiceUser[] = ['task-api', 'scheduler', 'projection', 'vm-clone-worker', 'vm-action-worker', 'integration-worker'];
      this.metricsPorts = Object.fromEntries(await Promise.all(services.map(async (service) => [service, await freePort()] as const)));
    }
    this.extraEnv = parts.env ?? {};
    this.db = await createTestDatabase('vle_e2e');
    this.token = await testToken({ subject: 'e2e-admin', expiresInSeconds: 6 * 3600 });
    const admin = parts.natsUsers ? { user: 'admin', pass: parts.natsUsers.passwords.admin } : {};
    this.nc = await connect({ servers: this.env.NATS_URL, noAsyncTraces: true, ...admin });
    this.js = jetstream(this.nc);
    this.jsm = await jetstreamManager(this.nc);
    this.store = new JetStreamEventStore<TaskEvent>(this.js, this.jsm, this.topology);
    if (parts.proxmox || parts.integrations) {
      this.smtpPort = await freePort();
      this.sandbox = await startService(entries.sandbox, { LOG_FORMAT: 'text', LOG_LEVEL: 'warn', ...this.extraEnv, SANDBOX_SMTP_PORT: String(this.smtpPort) });
      this.integrationEnv = { ...this.sandboxEnv(), ...parts.integrations };
    }
    this.taskApi = await startService(entries.taskApi, { ...this.envOf('task-api'), ...parts.taskApi });
    [this.worker, this.projection] = await Promise.all([
      startService(entries.worker, { ...this.envOf('integration-worker'), ...this.integrationEnv }),
      // The one origin of clients: it forwards the command routes to this task-api.
      startService(entries.projection, { ...this.envOf('projection'), PROJECTION_JOB_REPAIR_AFTER_MS: String(JOB_REPAIR_AFTER_MS), TASK_API_URL: this.taskApi.url }),
    ]);
    if (parts.proxmox) {
      const pve = { PVE_URL: `${this.sandbox!.url}/pve`, PVE_TASK_POLL_MS: '50', PVE_TIMEOUT_MS: '2000', ...parts.proxmox };
      this.proxmoxEnv = { ...this.env, ...pve };
      [this.vmCloneWorker, this.vmActionWorker] = await Promise.all([startService(entries.vmCloneWorker, { ...this.envOf('vm-clone-worker'), ...pve }), startService(entries.vmActionWorker, { ...this.envOf('vm-action-worker'), ...pve })]);
    }
    if (parts.scheduler) this.scheduler = await startService(entries.scheduler, { ...this.envOf('scheduler'), ...parts.scheduler });
    return this;
  }

  /** Where integration-worker finds the sandbox's simulators (the variables of its config). */
  private sandboxEnv(): Record<string, string> {
    const url = this.sandbox!.url;
    return {
      PVE_URL: `${url}/pve`,
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(this.smtpPort),
      GUACAMOLE_URL: `${url}/guacamole`,
      MOODLE_URL: `${url}/moodle`,
      OPENVLE_URL: `${url}/openvle`,
    };
  }

  async stop(): Promise<void> {
    await Promise.allSettled([this.taskApi?.stop(), this.worker?.stop(), this.projection?.stop(), this.vmCloneWorker?.stop(), this.vmActionWorker?.stop(), this.scheduler?.stop(), this.sandbox?.stop()]);
    if (this.jsm) await deleteTopology(this.jsm, this.topology);
    await this.nc?.close();
    await this.db?.drop();
  }

  /** The headers of a NATS command sent with the system's token. */
  natsAuth(): MsgHdrs {
    return natsBearer(this.token);
  }

  async post(path: string, body: unknown, raw = false): Promise<{ status: number; body: any }> {
    const response = await fetch(`${this.taskApi.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...bearer(this.token) }, body: raw ? (body as string) : JSON.stringify(body) });
    return { status: response.status, body: await response.json() };
  }

  /** A call of the sandbox's control API (`/_sandbox/pve/ledger`, ...). */
  async sandboxCall(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
    if (!this.sandbox) throw new Error('the system was started without proxmox');
    const response = await fetch(`${this.sandbox.url}${path}`, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  }

  async query(path: string): Promise<{ status: number; body: any }> {
    const response = await fetch(`${this.projection.url}${path}`, { headers: bearer(this.token) });
    return { status: response.status, body: await response.json() };
  }

  async events(taskId: string): Promise<TaskEvent[]> {
    return (await this.store.load(taskId)).commits.flatMap((c) => c.events);
  }

  async task(taskId: string): Promise<Task> {
    const state = (await this.events(taskId)).reduce(taskDecider.evolve, taskDecider.initialState);
    if (!exists(state)) throw new Error(`Task ${taskId} is not in the log`);
    return state;
  }

  async finished(taskId: string, timeoutMs = 20_000): Promise<Task> {
    return waitFor(async () => {
      const task = await this.task(taskId);
      return ['success', 'warning', 'failed', 'cancelled', 'timed_out'].includes(task.status) ? task : undefined;
    }, { description: `Task ${taskId} to finish`, timeoutMs });
  }

  async eventCount(): Promise<number> {
    return (await this.jsm.streams.info(this.topology.eventStream.name)).state.messages;
  }
}

export const diamond = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  createdBy: 'e2e',
  ...extra,
  subtasks: [
    { key: 'a', name: 'A', action: 'noop', queue: 'bench' },
    { key: 'b', name: 'B', action: 'noop', queue: 'bench', dependsOn: ['a'] },
    { key: 'c', name: 'C', action: 'noop', queue: 'bench', dependsOn: ['a'] },
    { key: 'd', name: 'D', action: 'noop', queue: 'bench', dependsOn: ['b', 'c'] },
  ],
});

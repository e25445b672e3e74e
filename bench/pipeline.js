#!/usr/bin/env node
// The pipeline benchmark (see bench/README.md): N Tasks of 4 independent SubTasks + 1 that depends on
// all 4, every SubTask on the `bench` queue with action `noop`, through the whole system booted as
// processes from the built dist: task-api (command intake + dispatcher), integration-worker (consumes
// `bench`), projection (PostgreSQL read model). A fresh NATS namespace and a fresh database per run;
// streams, database and processes are removed at the end, also on failure, Ctrl-C and the hard timeout.
//
// Success is detected on the event log itself: one ordered consumer over `<ns>.tasks.evt.>` folds the
// commits (`{"events":[...]}`, typed by their Vle-Event-Type header); a Task is done when the commit
// holding its 5th SubTaskSucceeded arrives. No per-Task polling of the log.
//
// Plain Node ESM, no build step: `npm run build && node bench/pipeline.js [--tasks 2000] ...`.

import { jetstreamManager, jetstream, DeliverPolicy } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { queuePolicies, Topology } from '@vle/contracts';
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const ENTRIES = {
  'task-api': join(root, 'services/task-api/dist/main.js'),
  'integration-worker': join(root, 'services/integration-worker/dist/main.js'),
  projection: join(root, 'services/projection/dist/main.js'),
};
const SUBTASKS_PER_TASK = 5;

// ---- options ---------------------------------------------------------------------------------------

const HELP = `usage: node bench/pipeline.js [options]   (after npm run build)
  --tasks N            Tasks at saturation (env BENCH_TASKS, default 2000)
  --concurrency N      commands in flight at saturation (env BENCH_CONCURRENCY, default 64)
  --light-tasks N      Tasks at light load (env BENCH_LIGHT_TASKS, default 100)
  --light-interval MS  one Task every MS at light load (env BENCH_LIGHT_INTERVAL_MS, default 20)
  --warmup N           Tasks run first and not reported (env BENCH_WARMUP, default 100)
  --transport T        nats (request/reply on <ns>.tasks.req.create) | http (POST /api/v1/tasks)
                       (env BENCH_TRANSPORT, default nats)
  --timeout S          hard limit of the whole run, in seconds (env BENCH_TIMEOUT_S, default 300)
  --cpu-prof LIST      write .cpuprofile files of these services (comma-separated, or "all")
                       to bench/profiles/ (env BENCH_CPU_PROF)
  --census             count the NATS messages of the saturation phase by kind (per Task), by
                       listening on the JetStream API and ack subjects (costs a little; off by default)
  --json-only          print only the JSON line`;

function options() {
  const { values } = parseArgs({
    options: {
      tasks: { type: 'string' },
      concurrency: { type: 'string' },
      'light-tasks': { type: 'string' },
      'light-interval': { type: 'string' },
      warmup: { type: 'string' },
      transport: { type: 'string' },
      timeout: { type: 'string' },
      'cpu-prof': { type: 'string' },
      'json-only': { type: 'boolean' },
      census: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(HELP);
    process.exit(0);
  }
  const env = process.env;
  const int = (name, raw, fallback, min, max) => {
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isSafeInteger(n) || n < min || n > max) throw new Error(`--${name} must be an integer from ${min} to ${max}, got "${raw}"`);
    return n;
  };
  const transport = values.transport ?? env.BENCH_TRANSPORT ?? 'nats';
  if (!['nats', 'http'].includes(transport)) throw new Error(`--transport must be nats or http, got "${transport}"`);
  const profiled = (values['cpu-prof'] ?? env.BENCH_CPU_PROF ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  for (const name of profiled) if (name !== 'all' && !(name in ENTRIES)) throw new Error(`--cpu-prof: unknown service "${name}" (${Object.keys(ENTRIES).join(', ')}, all)`);
  return {
    tasks: int('tasks', values.tasks ?? env.BENCH_TASKS, 2000, 1, 100_000),
    concurrency: int('concurrency', values.concurrency ?? env.BENCH_CONCURRENCY, 64, 1, 4096),
    lightTasks: int('light-tasks', values['light-tasks'] ?? env.BENCH_LIGHT_TASKS, 100, 0, 10_000),
    lightIntervalMs: int('light-interval', values['light-interval'] ?? env.BENCH_LIGHT_INTERVAL_MS, 20, 1, 10_000),
    warmup: int('warmup', values.warmup ?? env.BENCH_WARMUP, 100, 0, 10_000),
    transport,
    timeoutS: int('timeout', values.timeout ?? env.BENCH_TIMEOUT_S, 300, 10, 3600),
    cpuProf: profiled.includes('all') ? Object.keys(ENTRIES) : profiled,
    jsonOnly: values['json-only'] === true,
    census: values.census === true,
  };
}

// ---- small helpers ---------------------------------------------------------------------------------

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Nearest-rank percentile of an unsorted list (undefined when empty). */
function percentile(values, p) {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

function summary(values) {
  if (values.length === 0) return { n: 0 };
  const round = (v) => Math.round(v * 10) / 10;
  return { n: values.length, p50: round(percentile(values, 50)), p99: round(percentile(values, 99)), max: round(Math.max(...values)), mean: round(values.reduce((a, b) => a + b, 0) / values.length) };
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

// ---- CPU accounting from /proc (Linux): where the two cores go -------------------------------------

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** utime + stime of a process in seconds, or undefined once it is gone. */
function cpuSecondsOf(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

function pidsNamed(comm) {
  if (!existsSync('/proc')) return [];
  const pids = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === comm) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** Busy and total jiffies of the whole machine (/proc/stat). */
function machineTicks() {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
    const [, ...ticks] = line.trim().split(/\s+/).map(Number);
    const idle = ticks[3] + (ticks[4] ?? 0);
    const total = ticks.slice(0, 8).reduce((a, b) => a + b, 0);
    return { busy: total - idle, total };
  } catch {
    return undefined;
  }
}

function cpuSnapshot(services) {
  const groups = {};
  for (const service of services) groups[service.name] = cpuSecondsOf(service.pid) ?? 0;
  const sum = (pids) => pids.map((pid) => ({ pid, s: cpuSecondsOf(pid) ?? 0 }));
  return { groups, nats: sum(pidsNamed('nats-server')), postgres: sum(pidsNamed('postgres')), bench: process.cpuUsage(), machine: machineTicks(), at: performance.now() };
}

function cpuDelta(before, after) {
  const perPid = (a, b) => {
    const start = new Map(a.map((x) => [x.pid, x.s]));
    return b.reduce((total, x) => total + (x.s - (start.get(x.pid) ?? 0)), 0);
  };
  const seconds = {};
  for (const [name, s] of Object.entries(after.groups)) seconds[name] = s - (before.groups[name] ?? 0);
  seconds['nats-server'] = perPid(before.nats, after.nats);
  seconds.postgres = perPid(before.postgres, after.postgres);
  seconds.bench = (after.bench.user + after.bench.system - before.bench.user - before.bench.system) / 1e6;
  const wallS = (after.at - before.at) / 1000;
  const round = (v) => Math.round(v * 100) / 100;
  const busy = before.machine && after.machine ? (after.machine.busy - before.machine.busy) / (after.machine.total - before.machine.total) : undefined;
  // CPU the machine spent on anything else (other jobs on the host make the figures unreliable).
  const ours = Object.values(seconds).reduce((a, b) => a + b, 0);
  const others = busy === undefined ? undefined : Math.max(0, busy * cpus().length * wallS - ours);
  return {
    wallS: round(wallS),
    cpuSeconds: Object.fromEntries(Object.entries(seconds).map(([k, v]) => [k, round(v)])),
    machineBusy: busy === undefined ? undefined : round(busy),
    otherProcessesCpuS: others === undefined ? undefined : round(others),
  };
}

// ---- the services as processes ---------------------------------------------------------------------

const children = new Set();

class Service {
  constructor(name, child, url) {
    this.name = name;
    this.child = child;
    this.url = url;
    this.pid = child.pid;
    this.output = '';
    this.lines = 0;
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    this.result = undefined;
    this.exited.then((r) => {
      this.result = r;
      children.delete(child);
    });
    const keep = (text) => {
      this.lines += text.split('\n').filter(Boolean).length;
      this.output = (this.output + text).slice(-20_000);
    };
    child.stdout.setEncoding('utf8').on('data', keep);
    child.stderr.setEncoding('utf8').on('data', keep);
  }

  async ready(timeoutMs = 30_000) {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.result) throw new Error(`${this.name} exited (${JSON.stringify(this.result)}) before it was ready:\n${this.output}`);
      try {
        const response = await fetch(`${this.url}/health/ready`, { signal: AbortSignal.timeout(2000) });
        if (response.ok) return;
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
    throw new Error(`${this.name} was not ready within ${timeoutMs} ms:\n${this.output}`);
  }

  async stop(graceMs = 15_000) {
    if (this.result) return this.result;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}

async function startService(name, env, profileDir) {
  const port = await freePort();
  const args = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${name}.cpuprofile`] : [];
  // The 'ipc' channel: a service stops itself when this process dies, even by SIGKILL (service-kit).
  const child = spawn(process.execPath, [...args, ENTRIES[name]], {
    env: { ...process.env, ...env, HOST: '127.0.0.1', PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  children.add(child);
  const service = new Service(name, child, `http://127.0.0.1:${port}`);
  await service.ready();
  return service;
}

process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

// ---- the benchmark ---------------------------------------------------------------------------------

function createTaskBody(createdBy, i) {
  const leaf = (key) => ({ key, name: key.toUpperCase(), action: 'noop', queue: 'bench' });
  return {
    name: `bench ${i}`,
    createdBy,
    subtasks: [leaf('a'), leaf('b'), leaf('c'), leaf('d'), { ...leaf('e'), dependsOn: ['a', 'b', 'c', 'd'] }],
  };
}

class Bench {
  constructor(opts) {
    this.opts = opts;
    this.namespace = `bench_${process.pid}`;
    this.database = `vle_bench_${process.pid}`;
    this.createdBy = `bench-${process.pid}`;
    this.topology = new Topology({ namespace: this.namespace });
    this.serverUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
    this.natsUrl = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
    this.services = {};
    /** taskId -> { taskId, phase, submittedAt, submittedWall, repliedAt, done?: { at, wallAt, seq, serverTime, ok } } */
    this.tasks = new Map();
    /** taskId -> fold of the log: succeeded SubTasks, and what went wrong */
    this.folds = new Map();
    this.waiters = new Set();
    this.counters = { commits: 0, events: 0, attemptFailures: 0, failedTasks: 0, submitErrors: 0 };
    this.dbCreated = false;
  }

  log(line) {
    if (!this.opts.jsonOnly) console.log(line);
  }

  databaseUrl(name) {
    const url = new URL(this.serverUrl);
    url.pathname = `/${name}`;
    return url.toString();
  }

  async admin(sql) {
    const client = new pg.Client({ connectionString: this.databaseUrl('postgres'), connectionTimeoutMillis: 5000 });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  async setUp() {
    for (const [name, entry] of Object.entries(ENTRIES)) {
      if (!existsSync(entry)) throw new Error(`${entry} is missing: run npm run build first (${name})`);
    }
    this.nc = await connect({ servers: this.natsUrl, name: 'bench', noAsyncTraces: true });
    this.js = jetstream(this.nc);
    this.jsm = await jetstreamManager(this.nc);
    await this.admin(`DROP DATABASE IF EXISTS ${this.database} WITH (FORCE)`);
    await this.admin(`CREATE DATABASE ${this.database}`);
    this.dbCreated = true;
    const env = {
      NATS_URL: this.natsUrl,
      NATS_NAMESPACE: this.namespace,
      DATABASE_URL: this.databaseUrl(this.database),
      // The bench queue is off unless asked for: task-api accepts it and integration-worker runs it.
      TASK_API_BENCH_QUEUE: 'true',
      LOG_LEVEL: 'warn',
      LOG_FORMAT: 'text',
    };
    let profileDir;
    if (this.opts.cpuProf.length > 0) {
      profileDir = join(root, 'bench', 'profiles', `${process.pid}`);
      mkdirSync(profileDir, { recursive: true });
      this.profileDir = profileDir;
    }
    const dirFor = (name) => (this.opts.cpuProf.includes(name) ? profileDir : undefined);
    // task-api first: it provisions the streams and consumers (every service does, idempotently).
    this.services['task-api'] = await startService('task-api', env, dirFor('task-api'));
    const [worker, projection] = await Promise.all([startService('integration-worker', env, dirFor('integration-worker')), startService('projection', env, dirFor('projection'))]);
    this.services['integration-worker'] = worker;
    this.services.projection = projection;
    await this.follow();
  }

  /** The ordered consumer over every Task subject: folds SubTaskSucceeded per Task. */
  async follow() {
    const prefix = this.topology.eventSubject('');
    const consumer = await this.js.consumers.get(this.topology.eventStream.name, { filter_subjects: this.topology.allEventsSubject, deliver_policy: DeliverPolicy.New });
    this.feed = await consumer.consume({ max_messages: 10_000 });
    void (async () => {
      for await (const m of this.feed) {
        const now = performance.now();
        const serverTime = m.info.timestampNanos / 1e6;
        const taskId = m.subject.slice(prefix.length);
        const header = m.headers?.get('Vle-Event-Type');
        const types = header ? header.split(',') : JSON.parse(m.string()).events.map((e) => e.type);
        this.counters.commits++;
        this.counters.events += types.length;
        let fold = this.folds.get(taskId);
        if (!fold) this.folds.set(taskId, (fold = { succeeded: 0, failed: false, timeline: [] }));
        fold.timeline.push({ serverTime, types });
        for (const type of types) {
          if (type === 'SubTaskSucceeded') fold.succeeded++;
          else if (type === 'SubTaskAttemptFailed') this.counters.attemptFailures++;
          else if (type === 'SubTaskFailed' || type === 'SubTaskTimedOut' || type === 'SubTaskCancelled') fold.failed = true;
        }
        if (fold.done) continue;
        if (fold.succeeded >= SUBTASKS_PER_TASK || fold.failed) {
          fold.done = { at: now, wallAt: Date.now(), seq: m.seq, serverTime, ok: !fold.failed };
          if (!fold.done.ok) this.counters.failedTasks++;
          const task = this.tasks.get(taskId);
          if (task) this.finish(task, fold.done);
        }
      }
    })().catch((error) => {
      // Without the feed no Task can finish: the phase times out and says so.
      if (!this.cleaning) console.error(`the ordered consumer over the log failed: ${String(error)}`);
    });
  }

  finish(task, done) {
    if (task.done) return;
    task.done = done;
    for (const waiter of this.waiters) waiter(task);
  }

  async submit(i, phase) {
    const body = createTaskBody(this.createdByOf(phase), i);
    const submittedAt = performance.now();
    const submittedWall = Date.now();
    let reply;
    try {
      if (this.opts.transport === 'nats') {
        const msg = await this.nc.request(this.topology.requestSubject('create'), JSON.stringify(body), { timeout: 30_000 });
        reply = msg.json();
      } else {
        const response = await fetch(`${this.services['task-api'].url}/api/v1/tasks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
        reply = await response.json();
      }
    } catch (error) {
      reply = { error: { code: 'TRANSPORT', message: String(error) } };
    }
    const repliedAt = performance.now();
    if (this.cleaning) return { phase, submittedAt, repliedAt, error: 'stopping' };
    if (reply.error || !reply.taskId) {
      this.counters.submitErrors++;
      if (this.counters.submitErrors <= 5) console.error(`create ${i} refused: ${JSON.stringify(reply.error ?? reply)}`);
      const failed = { phase, submittedAt, repliedAt, error: reply.error ?? reply };
      for (const waiter of this.waiters) waiter(failed);
      return failed;
    }
    const task = { taskId: reply.taskId, phase, submittedAt, submittedWall, repliedAt };
    this.tasks.set(task.taskId, task);
    const done = this.folds.get(task.taskId)?.done;
    if (done) this.finish(task, done);
    return task;
  }

  /** Resolves when `count` Tasks of `phase` have finished (or were refused); rejects after timeoutMs. */
  untilFinished(phase, count, timeoutMs) {
    return new Promise((resolve, reject) => {
      let seen = 0;
      for (const task of this.tasks.values()) if (task.phase === phase && task.done) seen++;
      const waiter = (task) => {
        if (task.phase !== phase) return;
        seen++;
        if (seen >= count) {
          this.waiters.delete(waiter);
          clearTimeout(timer);
          resolve();
        }
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`${phase}: only ${seen} of ${count} Tasks finished within ${Math.round(timeoutMs / 1000)} s`));
      }, timeoutMs);
      if (seen >= count) {
        clearTimeout(timer);
        resolve();
      } else this.waiters.add(waiter);
    });
  }

  remainingMs() {
    return Math.max(1000, this.deadline - Date.now());
  }

  async projectionStatus() {
    const response = await fetch(`${this.services.projection.url}/api/v1/projection/status`, { signal: AbortSignal.timeout(5000) });
    if (!response.ok) throw new Error(`projection status: ${response.status}`);
    return response.json();
  }

  /** Waits until the projection has applied the whole stream; returns when (performance.now()). */
  async projectionCaughtUp(timeoutMs = 60_000) {
    const start = performance.now();
    const target = (await this.jsm.streams.info(this.topology.eventStream.name)).state.last_seq;
    while (performance.now() - start < timeoutMs) {
      const status = await this.projectionStatus();
      if (status.appliedSeq >= target) return performance.now();
      await sleep(5);
    }
    throw new Error(`the projection did not reach seq ${target} within ${timeoutMs} ms`);
  }

  /**
   * Where a Task's time goes, from the server timestamps of its commits (ms, p50 over `tasks`):
   * command (submit -> TaskCreated stored), dispatch (a commit queueing SubTasks -> the next
   * SubTaskAttemptStarted stored: dispatcher + job publish + worker fetch + worker's command),
   * run (AttemptStarted -> SubTaskSucceeded stored: noop + worker's command), observe (last
   * success stored -> seen by this bench's ordered consumer).
   */
  stages(tasks) {
    const parts = { command: [], dispatchLevel1: [], runLevel1: [], dispatchLevel2: [], runLevel2: [], observe: [] };
    for (const task of tasks) {
      const timeline = this.folds.get(task.taskId)?.timeline ?? [];
      const created = timeline.find((c) => c.types.includes('TaskCreated'));
      const started = timeline.filter((c) => c.types.includes('SubTaskAttemptStarted'));
      const queuedE = timeline.find((c) => c.types.includes('SubTaskSucceeded') && c.types.includes('SubTaskQueued'));
      const succeeded = timeline.filter((c) => c.types.includes('SubTaskSucceeded'));
      if (!created || started.length !== SUBTASKS_PER_TASK || !queuedE || !task.done) continue;
      const startedE = started.find((c) => c.serverTime >= queuedE.serverTime) ?? started.at(-1);
      parts.command.push(created.serverTime - task.submittedWall);
      parts.dispatchLevel1.push(started[0].serverTime - created.serverTime);
      parts.runLevel1.push(queuedE.serverTime - started[0].serverTime);
      parts.dispatchLevel2.push(startedE.serverTime - queuedE.serverTime);
      parts.runLevel2.push(succeeded.at(-1).serverTime - startedE.serverTime);
      parts.observe.push(task.done.wallAt - succeeded.at(-1).serverTime);
    }
    return Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, summary(v)]));
  }

  /** Each phase creates its Tasks as its own `createdBy`, so that the query API can list one phase. */
  createdByOf(phase) {
    return `${this.createdBy}-${phase}`;
  }

  tasksOf(phase) {
    return [...this.tasks.values()].filter((t) => t.phase === phase);
  }

  async closedLoop(phase, count, concurrency) {
    let next = 0;
    const first = performance.now();
    const loops = Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count && !this.cleaning) await this.submit(next++, phase);
    });
    await Promise.all(loops);
    return { first, lastReply: performance.now() };
  }

  async openLoop(phase, count, intervalMs) {
    const first = performance.now();
    const pending = [];
    for (let i = 0; i < count && !this.cleaning; i++) {
      const wait = first + i * intervalMs - performance.now();
      if (wait > 0) await sleep(wait);
      pending.push(this.submit(i, phase));
    }
    await Promise.all(pending);
    return { first };
  }

  async warmupPhase() {
    if (this.opts.warmup === 0) return;
    this.log(`warm-up: ${this.opts.warmup} Tasks…`);
    await this.closedLoop('warmup', this.opts.warmup, 16);
    await this.untilFinished('warmup', this.opts.warmup, this.remainingMs());
    await this.projectionCaughtUp();
  }

  async lightPhase() {
    const { lightTasks, lightIntervalMs } = this.opts;
    if (lightTasks === 0) return undefined;
    this.log(`light load: ${lightTasks} Tasks, one every ${lightIntervalMs} ms…`);
    const cpuBefore = cpuSnapshot(Object.values(this.services));
    await this.openLoop('light', lightTasks, lightIntervalMs);
    await this.untilFinished('light', lightTasks, this.remainingMs());
    const cpu = cpuDelta(cpuBefore, cpuSnapshot(Object.values(this.services)));
    await this.projectionCaughtUp();
    const tasks = this.tasksOf('light').filter((t) => t.done?.ok);
    return { tasks: lightTasks, latencyMs: summary(tasks.map((t) => t.done.at - t.submittedAt)), replyMs: summary(tasks.map((t) => t.repliedAt - t.submittedAt)), stagesMs: this.stages(tasks), cpu };
  }

  /**
   * Light load again, with the query API polled by one loop: GET /api/v1/tasks?status=success for
   * this phase's Tasks every 5 ms (a constant, small load on the projection; polling each Task would
   * load it in proportion to the lag and feed the lag). A Task's lag runs from the server's timestamp
   * of the commit holding its last SubTaskSucceeded to the first answer that lists it as success.
   */
  async projectionProbePhase() {
    const { lightTasks, lightIntervalMs } = this.opts;
    if (lightTasks === 0) return undefined;
    this.log(`projection lag probe: ${lightTasks} Tasks, one every ${lightIntervalMs} ms, polling the query API every 5 ms…`);
    const shownAt = new Map();
    let polling = true;
    let polls = 0;
    const query = new URLSearchParams({ status: 'success', createdBy: this.createdByOf('probe'), limit: '100' });
    const poller = (async () => {
      while (polling) {
        try {
          const response = await fetch(`${this.services.projection.url}/api/v1/tasks?${query}`);
          const answeredAt = Date.now();
          polls++;
          if (response.ok) {
            for (const item of (await response.json()).items) if (!shownAt.has(item.id)) shownAt.set(item.id, answeredAt);
          } else await response.body?.cancel();
        } catch {
          // a missed poll
        }
        await sleep(5);
      }
    })();
    try {
      await this.openLoop('probe', lightTasks, lightIntervalMs);
      await this.untilFinished('probe', lightTasks, this.remainingMs());
      const tasks = this.tasksOf('probe').filter((t) => t.done?.ok);
      const deadline = Date.now() + 30_000;
      while (tasks.some((t) => !shownAt.has(t.taskId)) && Date.now() < deadline) await sleep(10);
      const lags = tasks.filter((t) => shownAt.has(t.taskId)).map((t) => shownAt.get(t.taskId) - t.done.serverTime);
      return { tasks: lightTasks, shown: lags.length, polls, lagMs: summary(lags), stagesMs: this.stages(tasks), latencyMs: summary(tasks.map((t) => t.done.at - t.submittedAt)) };
    } finally {
      polling = false;
      await poller;
    }
  }

  /**
   * Listens (core NATS) on the subjects the pipeline's messages travel on and counts them by kind:
   * what each Task costs in messages. Pull requests carry their batch size, which is summed too.
   */
  startCensus() {
    const t = this.topology;
    const events = t.eventStream.name;
    const jobs = t.jobStream.name;
    const kinds = {
      'commands (requests)': t.allRequestsSubject,
      'commits appended': t.allEventsSubject,
      'jobs published': `${t.namespace}.jobs.>`,
      'event acks by durable consumers': `$JS.ACK.${events}.>`,
      'job acks/naks/working': `$JS.ACK.${jobs}.>`,
      'pull requests on the event stream': `$JS.API.CONSUMER.MSG.NEXT.${events}.>`,
      'pull requests on jobs': `$JS.API.CONSUMER.MSG.NEXT.${jobs}.>`,
      'consumer creates on the event stream': `$JS.API.CONSUMER.CREATE.${events}.>`,
      'consumer creates (short form)': `$JS.API.CONSUMER.CREATE.${events}`,
      'consumer infos on the event stream': `$JS.API.CONSUMER.INFO.${events}.>`,
      'consumer deletes on the event stream': `$JS.API.CONSUMER.DELETE.${events}.>`,
      'direct gets on the event stream': `$JS.API.DIRECT.GET.${events}.>`,
      'direct gets (short form)': `$JS.API.DIRECT.GET.${events}`,
      'stream msg gets on the event stream': `$JS.API.STREAM.MSG.GET.${events}`,
      'stream infos on the event stream': `$JS.API.STREAM.INFO.${events}`,
    };
    const counts = Object.fromEntries(Object.keys(kinds).map((k) => [k, 0]));
    const pulled = { events: 0, jobs: 0 };
    const byConsumer = {};
    const subscriptions = Object.entries(kinds).map(([kind, subject]) =>
      this.nc.subscribe(subject, {
        callback: (_error, msg) => {
          if (!msg) return;
          counts[kind]++;
          if (kind.startsWith('event acks')) {
            const consumer = msg.subject.split('.')[3];
            byConsumer[consumer] = (byConsumer[consumer] ?? 0) + 1;
          }
          if (kind.startsWith('pull requests')) {
            try {
              pulled[kind.endsWith('jobs') ? 'jobs' : 'events'] += JSON.parse(msg.string()).batch ?? 0;
            } catch {
              // not JSON
            }
          }
        },
      }),
    );
    return () => {
      for (const sub of subscriptions) sub.unsubscribe();
      return { counts, batchSizeRequested: pulled, eventAcksByConsumer: byConsumer };
    };
  }

  async saturationPhase() {
    const { tasks: count, concurrency } = this.opts;
    this.log(`saturation: ${count} Tasks, ${concurrency} commands in flight over ${this.opts.transport === 'nats' ? 'NATS request/reply' : 'HTTP'}…`);
    const streamBefore = (await this.jsm.streams.info(this.topology.eventStream.name)).state;
    const samples = [];
    const backlog = [];
    let sampling = true;
    // Set once every Task succeeded: the sampler stops at its first sample covering this seq.
    let finalSeq = Number.POSITIVE_INFINITY;
    let caughtUpAt;
    const statusSampler = (async () => {
      while (sampling) {
        const requestedAt = Date.now();
        try {
          const s = await this.projectionStatus();
          samples.push({ requestedAt, answeredAt: Date.now(), appliedSeq: s.appliedSeq, streamSeq: s.streamSeq });
          if (s.appliedSeq >= finalSeq) {
            caughtUpAt = performance.now();
            return;
          }
        } catch {
          // a missed sample
        }
        await sleep(20);
      }
    })();
    const consumers = [
      [this.topology.eventStream.name, this.topology.dispatcherConsumer.durable_name, 'dispatcher'],
      [this.topology.jobStream.name, this.topology.jobConsumer(queuePolicies().bench).durable_name, 'worker'],
    ];
    const backlogSampler = (async () => {
      while (sampling) {
        try {
          const infos = await Promise.all(consumers.map(([stream, durable]) => this.jsm.consumers.info(stream, durable)));
          backlog.push(Object.fromEntries(infos.map((info, i) => [consumers[i][2], { pending: info.num_pending, ackPending: info.num_ack_pending }])));
        } catch {
          // a missed sample
        }
        await sleep(200);
      }
    })();
    const stopCensus = this.opts.census ? this.startCensus() : undefined;
    const cpuBefore = cpuSnapshot(Object.values(this.services));
    const { first, lastReply } = await this.closedLoop('saturation', count, concurrency);
    let cpuAfter;
    try {
      await this.untilFinished('saturation', count, this.remainingMs());
      // CPU until the last success; the projection's catch-up after it is reported separately.
      cpuAfter = cpuSnapshot(Object.values(this.services));
      finalSeq = (await this.jsm.streams.info(this.topology.eventStream.name)).state.last_seq;
      await Promise.race([statusSampler, sleep(60_000).then(() => Promise.reject(new Error(`the projection did not reach seq ${finalSeq} within 60 s`)))]);
    } finally {
      sampling = false;
    }
    const census = stopCensus?.();
    if (census) {
      census.perTask = Object.fromEntries(Object.entries(census.counts).filter(([, n]) => n > 0).map(([k, n]) => [k, Math.round((n / count) * 100) / 100]));
      census.meanPullBatch = {
        events: Math.round((census.batchSizeRequested.events / Math.max(1, census.counts['pull requests on the event stream'])) * 10) / 10,
        jobs: Math.round((census.batchSizeRequested.jobs / Math.max(1, census.counts['pull requests on jobs'])) * 10) / 10,
      };
    }
    const tasks = this.tasksOf('saturation').filter((t) => t.done?.ok);
    const lastDone = Math.max(...tasks.map((t) => t.done.at));
    await Promise.all([statusSampler, backlogSampler]);
    const streamAfter = (await this.jsm.streams.info(this.topology.eventStream.name)).state;
    const wallS = (lastDone - first) / 1000;
    // Time to the read model: the first status sample whose checkpoint covers the success commit.
    const checkpointLags = [];
    for (const task of tasks) {
      const sample = samples.find((s) => s.appliedSeq >= task.done.seq && s.answeredAt >= task.done.serverTime);
      if (sample) checkpointLags.push(sample.answeredAt - task.done.serverTime);
    }
    const seqGap = samples.map((s) => Math.max(0, s.streamSeq - s.appliedSeq));
    const peak = (stage, field) => Math.max(0, ...backlog.map((b) => b[stage]?.[field] ?? 0));
    const commits = streamAfter.last_seq - streamBefore.last_seq;
    return {
      tasks: count,
      concurrency,
      completed: tasks.length,
      wallS: Math.round(wallS * 1000) / 1000,
      tasksPerS: Math.round(tasks.length / wallS),
      subtasksPerS: Math.round((tasks.length * SUBTASKS_PER_TASK) / wallS),
      commandsPerS: Math.round(count / ((lastReply - first) / 1000)),
      commitsPerS: Math.round(commits / wallS),
      commitsPerTask: Math.round((commits / count) * 10) / 10,
      bytesPerTask: Math.round((streamAfter.bytes - streamBefore.bytes) / count),
      latencyMs: summary(tasks.map((t) => t.done.at - t.submittedAt)),
      replyMs: summary(tasks.map((t) => t.repliedAt - t.submittedAt)),
      stagesMs: this.stages(tasks),
      projection: {
        checkpointLagMs: summary(checkpointLags),
        seqGap: summary(seqGap),
        caughtUpAfterLastSuccessMs: Math.round(caughtUpAt - lastDone),
        samples: samples.length,
      },
      backlogPeak: {
        dispatcherPending: peak('dispatcher', 'pending'),
        dispatcherAckPending: peak('dispatcher', 'ackPending'),
        jobsPending: peak('worker', 'pending'),
        jobsAckPending: peak('worker', 'ackPending'),
      },
      cpu: cpuDelta(cpuBefore, cpuAfter),
      census,
    };
  }

  /** The read model agrees with the log: every Task of this run is listed as success. */
  async verifyReadModel() {
    let count = 0;
    for (const phase of new Set([...this.tasks.values()].map((t) => t.phase))) {
      let cursor;
      do {
        const query = new URLSearchParams({ status: 'success', createdBy: this.createdByOf(phase), limit: '500', ...(cursor ? { cursor } : {}) });
        const response = await fetch(`${this.services.projection.url}/api/v1/tasks?${query}`);
        if (!response.ok) throw new Error(`task list: ${response.status} ${await response.text()}`);
        const page = await response.json();
        count += page.items.length;
        cursor = page.nextCursor;
      } while (cursor);
    }
    const expected = [...this.tasks.values()].filter((t) => t.done?.ok).length;
    return { successInReadModel: count, successOnLog: expected, ok: count === expected };
  }

  async run() {
    this.deadline = Date.now() + this.opts.timeoutS * 1000;
    const startedAt = performance.now();
    const idle = cpuSnapshot([]);
    await sleep(1000);
    this.idleBefore = cpuDelta(idle, cpuSnapshot([]));
    if ((this.idleBefore.machineBusy ?? 0) > 0.15) console.error(`warning: the machine was ${Math.round(this.idleBefore.machineBusy * 100)}% busy before the run (other jobs?): figures will be low`);
    await this.setUp();
    this.log(`booted task-api, integration-worker, projection in ${Math.round(performance.now() - startedAt)} ms (namespace ${this.namespace}, database ${this.database})`);
    await this.warmupPhase();
    const light = await this.lightPhase();
    const probe = await this.projectionProbePhase();
    const saturation = await this.saturationPhase();
    const readModel = await this.verifyReadModel();
    const serviceOutput = Object.fromEntries(Object.values(this.services).map((s) => [s.name, s.lines]));
    return {
      bench: 'pipeline',
      at: new Date().toISOString(),
      machine: { cores: cpus().length, cpu: cpus()[0]?.model, node: process.version, natsServer: this.nc.info?.version },
      transport: this.opts.transport === 'nats' ? 'nats-request-reply' : 'http',
      shape: '4 independent + 1 depending on all 4, queue bench, action noop',
      warmupTasks: this.opts.warmup,
      machineBusyBefore: this.idleBefore.machineBusy,
      saturation,
      light,
      projectionProbe: probe,
      readModel,
      counters: this.counters,
      serviceLogLines: serviceOutput,
      profiles: this.profileDir,
    };
  }

  serviceLogs() {
    return Object.values(this.services)
      .filter((s) => s.output.trim())
      .map((s) => `--- ${s.name} (last output) ---\n${s.output.split('\n').slice(-15).join('\n')}`)
      .join('\n');
  }

  /** Stops the processes, deletes every stream of the namespace, drops the database. Idempotent. */
  cleanUp() {
    this.cleaning ??= (async () => {
      const problems = [];
      await this.feed?.close().catch(() => undefined);
      await Promise.allSettled(Object.values(this.services).map((s) => s.stop()));
      try {
        const nc = this.nc && !this.nc.isClosed() ? this.nc : await connect({ servers: this.natsUrl, name: 'bench-cleanup' });
        const jsm = await jetstreamManager(nc);
        const prefix = `${this.namespace}_`;
        for await (const name of jsm.streams.names()) {
          if (name.startsWith(prefix)) await jsm.streams.delete(name);
        }
        await nc.close();
      } catch (error) {
        problems.push(`streams of ${this.namespace}: ${String(error)}`);
      }
      if (this.dbCreated) {
        try {
          await this.admin(`DROP DATABASE IF EXISTS ${this.database} WITH (FORCE)`);
        } catch (error) {
          problems.push(`database ${this.database}: ${String(error)}`);
        }
      }
      for (const problem of problems) console.error(`cleanup: ${problem}`);
    })();
    return this.cleaning;
  }
}

// ---- report ----------------------------------------------------------------------------------------

function printReport(r) {
  const ms = (s) => (s?.n ? `${s.p50} / ${s.p99}` : '-');
  const s = r.saturation;
  const rows = [
    ['saturation', s.tasks, s.tasks * SUBTASKS_PER_TASK, s.wallS.toFixed(2), s.tasksPerS, s.subtasksPerS, ms(s.latencyMs), ms(s.replyMs)],
    r.light && ['light', r.light.tasks, r.light.tasks * SUBTASKS_PER_TASK, '', '', '', ms(r.light.latencyMs), ms(r.light.replyMs)],
  ].filter(Boolean);
  const header = ['phase', 'tasks', 'subtasks', 'wall s', 'tasks/s', 'subtasks/s', 'success p50/p99 ms', 'reply p50/p99 ms'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => String(row[i]).length)));
  const line = (cells) => cells.map((c, i) => String(c).padStart(widths[i])).join('  ');
  console.log('');
  console.log(`pipeline bench: ${r.machine.cores} cores, node ${r.machine.node}, nats-server ${r.machine.natsServer}, transport ${r.transport}, ${s.concurrency} in flight`);
  console.log(line(header));
  for (const row of rows) console.log(line(row));
  console.log(`  log: ${s.commitsPerS} commits/s, ${s.commitsPerTask} commits and ${s.bytesPerTask} bytes per Task; commands accepted ${s.commandsPerS}/s`);
  const stages = (st) => Object.entries(st).map(([k, v]) => `${k} ${v.p50 ?? '-'}`).join(', ');
  if (r.light) console.log(`  light, p50 ms per stage: ${stages(r.light.stagesMs)}`);
  console.log(`  saturation, p50 ms per stage: ${stages(s.stagesMs)}`);
  const p = s.projection;
  if (r.projectionProbe) console.log(`  projection lag, light load, query API (last event -> GET shows success): p50/p99 ${ms(r.projectionProbe.lagMs)} ms`);
  console.log(`  projection lag, saturation, checkpoint sampled every ~20 ms: p50/p99 ${ms(p.checkpointLagMs)} ms; seq gap p50/p99/max ${p.seqGap.p50}/${p.seqGap.p99}/${p.seqGap.max}; caught up ${p.caughtUpAfterLastSuccessMs} ms after the last success`);
  const b = s.backlogPeak;
  console.log(`  backlog peak: dispatcher pending ${b.dispatcherPending} (ack pending ${b.dispatcherAckPending}), jobs pending ${b.jobsPending} (ack pending ${b.jobsAckPending})`);
  const cpu = s.cpu;
  const cpuLine = (c) => `(machine busy ${Math.round((c.machineBusy ?? 0) * 100)}%, other processes ${c.otherProcessesCpuS} s): ${Object.entries(c.cpuSeconds).map(([k, v]) => `${k} ${v}`).join(', ')}`;
  console.log(`  CPU s over ${cpu.wallS} s of saturation ${cpuLine(cpu)}`);
  if (r.light) console.log(`  CPU s over ${r.light.cpu.wallS} s of light load ${cpuLine(r.light.cpu)}`);
  if (s.census) {
    console.log(`  NATS messages per Task (census; includes the projection's catch-up): ${Object.entries(s.census.perTask).map(([k, v]) => `${k} ${v}`).join(', ')}`);
    console.log(`  mean pull batch requested: events ${s.census.meanPullBatch.events}, jobs ${s.census.meanPullBatch.jobs}; event acks by consumer ${JSON.stringify(s.census.eventAcksByConsumer)}`);
  }
  console.log(`  read model: ${r.readModel.successInReadModel}/${r.readModel.successOnLog} Tasks success ${r.readModel.ok ? 'OK' : 'MISMATCH'}; attempt failures ${r.counters.attemptFailures}, failed Tasks ${r.counters.failedTasks}, refused commands ${r.counters.submitErrors}`);
  console.log('  target (issue): >= 6,000 subtasks/s (BullMQ FlowProducer on this machine: 1.4-1.6k tasks/s = 5.6-6.5k subtasks/s, light p50 3.8 ms)');
  if (r.profiles) console.log(`  CPU profiles: ${r.profiles}`);
}

// ---- main ------------------------------------------------------------------------------------------

async function main() {
  let opts;
  try {
    opts = options();
  } catch (error) {
    console.error(`${error.message}\n\n${HELP}`);
    process.exit(64);
  }
  const bench = new Bench(opts);
  const abort = async (reason, code) => {
    console.error(`\n${reason}: cleaning up…`);
    const output = bench.serviceLogs();
    if (output) console.error(output);
    const forced = setTimeout(() => process.exit(code), 45_000);
    forced.unref();
    await bench.cleanUp().catch((error) => console.error(`cleanup failed: ${String(error)}`));
    process.exit(code);
  };
  process.once('SIGINT', () => void abort('interrupted (SIGINT)', 130));
  process.once('SIGTERM', () => void abort('terminated (SIGTERM)', 143));
  const hard = setTimeout(() => void abort(`hard timeout of ${opts.timeoutS} s reached`, 2), opts.timeoutS * 1000);
  hard.unref();
  try {
    const result = await bench.run();
    clearTimeout(hard);
    await bench.cleanUp();
    if (!opts.jsonOnly) printReport(result);
    console.log(JSON.stringify(result));
    process.exit(result.readModel.ok && result.counters.failedTasks === 0 && result.counters.submitErrors === 0 ? 0 : 1);
  } catch (error) {
    await abort(`bench failed: ${error instanceof Error ? error.stack : String(error)}`, 1);
  }
}

await main();

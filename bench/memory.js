#!/usr/bin/env node
// Memory of the write path under big Tasks (issue 8, item 5): task-api and integration-worker (the
// `bench` queue) booted as processes from the built dist, then `--tasks` Tasks of `--subtasks`
// independent no-op SubTasks each, created over NATS request/reply. Prints the resident set (VmRSS)
// of both processes idle, at its peak (VmHWM) and at the end, and how long the run took. A fresh
// namespace and database; removed at the end. RSS alone says little (V8 grows its heap lazily up to
// a limit set from the machine's memory); `--heap-mb` runs the services with the old-space limit of
// a small pod, so that what the caches hold has to fit (an unbounded cache dies of OOM there).
//
// Plain Node ESM: `npm run build && node bench/memory.js [--tasks 200] [--subtasks 1000] [--heap-mb 160]`.

import { connect } from '@nats-io/transport-node';
import { Topology } from '@vle/contracts';
import { createTestDatabase, deleteNamespaceStreams, startService, testNamespace, waitFor } from '@vle/testing';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const { values } = parseArgs({ options: { tasks: { type: 'string', default: '200' }, subtasks: { type: 'string', default: '1000' }, concurrency: { type: 'string', default: '4' }, 'heap-mb': { type: 'string' } } });
const TASKS = Number(values.tasks);
const SUBTASKS = Number(values.subtasks);
const CONCURRENCY = Number(values.concurrency);
for (const [name, n] of Object.entries({ tasks: TASKS, subtasks: SUBTASKS, concurrency: CONCURRENCY })) {
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer`);
}

/** VmRSS and VmHWM (peak) of a process, in MiB. */
function memoryOf(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rss: kib('VmRSS') / 1024, peak: kib('VmHWM') / 1024 };
}

const namespace = testNamespace('mem');
const topology = new Topology({ namespace });
const db = await createTestDatabase('vle_bench_mem');
const HEAP_MB = values['heap-mb'] === undefined ? undefined : Number(values['heap-mb']);
if (HEAP_MB !== undefined && (!Number.isSafeInteger(HEAP_MB) || HEAP_MB < 64)) throw new Error('--heap-mb must be an integer of at least 64');
const env = {
  NATS_NAMESPACE: namespace, DATABASE_URL: db.url, TASK_API_BENCH_QUEUE: 'true', LOG_LEVEL: 'warn', WORKER_RETRY_INTERVAL_SCALE: '0.01',
  ...(HEAP_MB ? { NODE_OPTIONS: `--max-old-space-size=${HEAP_MB}` } : {}),
};
const services = [];
const nc = await connect({ servers: process.env.NATS_URL ?? 'nats://127.0.0.1:4222' });
try {
  const taskApi = await startService(join(root, 'services/task-api/dist/main.js'), env);
  services.push(taskApi);
  const worker = await startService(join(root, 'services/integration-worker/dist/main.js'), env);
  services.push(worker);
  const idle = { taskApi: memoryOf(taskApi.pid), worker: memoryOf(worker.pid) };

  let succeeded = 0;
  const events = await nc.subscribe(topology.allEventsSubject);
  void (async () => {
    for await (const m of events) {
      const types = m.headers?.get('Vle-Event-Type') ?? '';
      if (types.includes('SubTaskSucceeded')) succeeded += m.json().events.filter((e) => e.type === 'SubTaskSucceeded').length;
    }
  })();

  const started = Date.now();
  let next = 0;
  const create = async () => {
    while (next < TASKS) {
      const n = next++;
      const subtasks = Array.from({ length: SUBTASKS }, (_, i) => ({ key: `s${i}`, name: `step ${i}`, queue: 'bench', action: 'noop' }));
      const reply = await nc.request(topology.requestSubject('create'), JSON.stringify({ name: `memory ${n}`, createdBy: 'bench', subtasks }), { timeout: 60_000 });
      const body = reply.json();
      if (body.error) throw new Error(`create refused: ${JSON.stringify(body.error)}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, create));
  await waitFor(() => succeeded >= TASKS * SUBTASKS, { description: `${TASKS * SUBTASKS} SubTasks to succeed`, timeoutMs: 30 * 60_000, intervalMs: 500 });
  const seconds = (Date.now() - started) / 1000;
  const end = { taskApi: memoryOf(taskApi.pid), worker: memoryOf(worker.pid) };
  events.unsubscribe();

  const row = (name, key) => `${name.padEnd(20)} ${idle[key].rss.toFixed(0).padStart(8)} ${end[key].peak.toFixed(0).padStart(8)} ${end[key].rss.toFixed(0).padStart(8)}`;
  console.log(`${TASKS} Tasks x ${SUBTASKS} SubTasks (${TASKS * SUBTASKS} SubTasks) in ${seconds.toFixed(1)} s (${((TASKS * SUBTASKS) / seconds).toFixed(0)} SubTasks/s)${HEAP_MB ? `, services limited to a ${HEAP_MB} MiB heap` : ''}`);
  for (const [name, service] of Object.entries({ 'task-api': taskApi, 'integration-worker': worker })) {
    if (service.exitResult) console.log(`${name} exited during the run: ${JSON.stringify(service.exitResult)}`);
  }
  console.log(`${'process'.padEnd(20)} ${'idle MiB'.padStart(8)} ${'peak MiB'.padStart(8)} ${'end MiB'.padStart(8)}`);
  console.log(row('task-api', 'taskApi'));
  console.log(row('integration-worker', 'worker'));
  console.log(JSON.stringify({ tasks: TASKS, subtasks: SUBTASKS, heapMb: HEAP_MB, seconds, idle, end }));
} finally {
  await Promise.allSettled(services.map((s) => s.stop()));
  await nc.close();
  await deleteNamespaceStreams(namespace);
  await db.drop();
}

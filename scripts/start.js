#!/usr/bin/env node
// `npm start` (after `npm run build`): checks that NATS and PostgreSQL answer, creates the database if
// missing, then runs every service in one process (services/all) and prints where each listens.
// Plain Node ESM on purpose: it must run before anything else works.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const entry = join(root, 'services', 'all', 'dist', 'main.js');
const kit = join(root, 'libs', 'service-kit', 'dist', 'database.js');

const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/vle_tasks';
const ROLE = process.env.SERVICE_ROLE ?? 'all';

const SERVICES = {
  sandbox: 'simulated Proxmox VE (/pve), Guacamole (/guacamole), Moodle (/moodle), OpenVLE core API (/openvle), SMTP sink (port 2525); control API under /_sandbox/',
  'task-api': 'commands: POST /api/v1/tasks',
  projection: 'queries: GET /api/v1/tasks, /api/v1/tasks/:id, /api/v1/projection/status, /api/v1/proxmox/nodes, /api/v1/proxmox/vms',
  scheduler: 'health; periodic tasks (node sync, event lifecycle, mail cleanup)',
  'vm-clone-worker': 'health; queue pve_vm_clone (clone, delete)',
  'vm-action-worker': 'health; queues pve_vm_actions (start, stop, reset, migrate), pve_periodic (node_sync)',
  'integration-worker': 'health; queues mails, guacamole, moodle, core_periodic',
};

const isLocal = (host) => ['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host);

function stop(line) {
  console.error(line);
  process.exit(1);
}

function natsHint(host, port) {
  if (!isLocal(host)) return 'check NATS_URL and that server';
  if (existsSync('/usr/sbin/nats-server')) {
    return `start it: start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- -a 127.0.0.1 -p ${port} -js -sd /var/lib/nats-server`;
  }
  return `start it: nats-server -a 127.0.0.1 -p ${port} -js -sd ./.nats (install nats-server 2.9+), or docker compose up -d nats`;
}

function postgresHint(host) {
  if (!isLocal(host)) return 'check DATABASE_URL and that server';
  if (existsSync('/etc/postgresql')) return 'start it: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start';
  return 'start it (PostgreSQL 15+), e.g. docker compose up -d postgres';
}

function checkNats() {
  let url;
  try {
    url = new URL(NATS_URL.split(',')[0].trim());
  } catch {
    stop(`NATS_URL is not a URL: ${NATS_URL}`);
  }
  const host = url.hostname;
  const port = Number(url.port || 4222);
  return new Promise((resolve) => {
    const socket = tcpConnect({ host: host.replace(/^\[|\]$/g, ''), port, timeout: 2_000 });
    const down = (why) => {
      socket.destroy();
      stop(`NATS is not reachable at ${host}:${port} (${why}); ${natsHint(host, port)}`);
    };
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('timeout', () => down('no answer within 2 s'));
    socket.once('error', (error) => down(error.code ?? error.message));
  });
}

async function checkPostgres() {
  let url;
  try {
    url = new URL(DATABASE_URL);
  } catch {
    stop('DATABASE_URL is not a URL');
  }
  const where = `${url.hostname}:${url.port || 5432}`;
  const maintenance = new URL(DATABASE_URL);
  maintenance.pathname = '/postgres';
  const client = new pg.Client({ connectionString: maintenance.toString(), connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
  } catch (error) {
    const code = error.code ?? error.message;
    if (['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ETIMEDOUT'].includes(error.code) || /timeout/i.test(error.message)) {
      stop(`PostgreSQL is not reachable at ${where} (${code}); ${postgresHint(url.hostname)}`);
    }
    stop(`PostgreSQL at ${where} refused user "${decodeURIComponent(url.username) || 'default'}" (${error.message}); check DATABASE_URL`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

if (!existsSync(entry) || !existsSync(kit)) stop('vle-tasks is not built: run `npm run build` first (npm start does it for you)');

await checkNats();
await checkPostgres();
const { createDatabaseIfMissing, databaseNameOf } = await import(kit);
if (await createDatabaseIfMissing(DATABASE_URL)) console.log(`start: created database ${databaseNameOf(DATABASE_URL)}`);

const expected = ROLE === 'all' ? Object.keys(SERVICES) : [ROLE];
const env = { ...process.env };
// People read `npm start` in a terminal; pipes and files get the JSON logs.
if (!env.LOG_FORMAT && process.stdout.isTTY) env.LOG_FORMAT = 'text';

// Its own process group, so that Ctrl-C reaches it once (forwarded below), not twice; the IPC channel
// makes it stop if this script dies without forwarding anything.
const child = spawn(process.execPath, ['--enable-source-maps', entry], { cwd: root, env, detached: true, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
const listening = new Map();
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;

function watch(stream, sink) {
  createInterface({ input: stream }).on('line', (line) => {
    sink.write(`${line}\n`);
    const found = /([a-z][a-z-]*) listening on (http:\/\/[^\s"]+)/.exec(line.replace(ANSI, ''));
    if (found && expected.includes(found[1]) && !listening.has(found[1])) {
      listening.set(found[1], found[2]);
      if (listening.size === expected.length) printSummary();
    }
  });
}

function printSummary() {
  const rows = expected.map((name) => `  ${name.padEnd(20)} ${listening.get(name).padEnd(24)} ${SERVICES[name] ?? ''}`);
  console.log(['', 'vle-tasks is running:', ...rows, 'Readiness of each: <url>/health/ready. Ctrl-C stops everything.', ''].join('\n'));
}

watch(child.stdout, process.stdout);
watch(child.stderr, process.stderr);

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => child.kill(signal));
}
child.on('exit', (code, signal) => {
  if (listening.size < expected.length) console.error(`start: vle-tasks stopped while starting (exit code ${code ?? signal}); the reason is in the log above`);
  else console.log(`start: vle-tasks stopped (exit code ${code ?? signal})`);
  process.exit(code ?? 0);
});

#!/usr/bin/env node
// `npm start` (after `npm run build`): checks that NATS answers with JetStream and PostgreSQL lets
// DATABASE_URL's user in (preflight.js, which prints the command that fixes what is not), creates the
// database if missing, then runs every service in one process (services/all) and prints where each
// listens, the one base URL of clients (the projection's: README, "One origin") and a ready admin token.
// Plain Node ESM on purpose: it must run before anything else works.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { checkDatabase, checkNats } from './preflight.js';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const entry = join(root, 'services', 'all', 'dist', 'main.js');
const kit = join(root, 'libs', 'service-kit', 'dist', 'database.js');
const auth = join(root, 'libs', 'auth', 'dist', 'index.js');

const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/vle_tasks';
const ROLE = process.env.SERVICE_ROLE ?? 'all';

const SERVICES = {
  sandbox: 'simulated Proxmox VE (/pve), Guacamole (/guacamole), Moodle (/moodle), OpenVLE core API (/openvle), SMTP sink (port 2525); control API under /_sandbox/',
  'task-api': 'commands: POST /api/v1/tasks, /api/v1/tasks/:id/cancel, ... (also through the projection)',
  projection: 'the origin: queries (GET /api/v1/tasks, /api/v1/tasks/:id, ...), the live stream /api/v1/tasks/stream, and the commands forwarded to task-api',
  scheduler: 'health; periodic tasks (node sync, event lifecycle, mail cleanup)',
  'vm-clone-worker': 'health; queue pve_vm_clone (clone, delete)',
  'vm-action-worker': 'health; queues pve_vm_actions (start, stop, reset, migrate), pve_periodic (node_sync)',
  'integration-worker': 'health; queues mails, guacamole, moodle, core_periodic',
};

function stop(line) {
  console.error(line);
  process.exit(1);
}

// The machine first: what is wrong there is what a person on a fresh machine needs to hear.
const problem = (await checkNats(NATS_URL)) ?? (await checkDatabase(DATABASE_URL));
if (problem) stop(problem);
if (!existsSync(entry) || !existsSync(kit) || !existsSync(auth)) stop('vle-tasks is not built: run `npm run build` first (npm start does it for you)');
const { createDatabaseIfMissing, databaseNameOf } = await import(kit);
if (await createDatabaseIfMissing(DATABASE_URL)) console.log(`start: created database ${databaseNameOf(DATABASE_URL)}`);

const expected = ROLE === 'all' ? Object.keys(SERVICES) : [ROLE];
const env = { ...process.env };
// People read `npm start` in a terminal; pipes and files get the JSON logs.
if (!env.LOG_FORMAT && process.stdout.isTTY) env.LOG_FORMAT = 'text';
// One process, one Prometheus endpoint shared by its services (README, "Operating it"); METRICS_PORT=''
// turns it off.
env.METRICS_PORT ??= '9464';
if (env.METRICS_PORT === '') delete env.METRICS_PORT;

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
      if (listening.size === expected.length) void printSummary();
    }
  });
}

async function printSummary() {
  const rows = expected.map((name) => `  ${name.padEnd(20)} ${listening.get(name).padEnd(24)} ${SERVICES[name] ?? ''}`);
  const origin = listening.has('projection') ? ['', `Clients and the admin UI use one base URL, for reads, commands and the live stream: ${listening.get('projection')}`] : [];
  const metrics = env.METRICS_PORT ? [`Prometheus metrics of every service: http://${env.HOST ?? '127.0.0.1'}:${env.METRICS_PORT}/metrics`] : [];
  console.log(['', 'vle-tasks is running:', ...rows, ...origin, ...metrics, 'Readiness of each: <url>/health/ready. Ctrl-C stops everything.', '', ...(await adminToken()), ''].join('\n'));
}

/**
 * A ready admin token (every permission, 12 hours) signed as the services verify: with AUTH_JWT_SECRET
 * or the published development secret. With a public key or a JWKS only OpenVLE's backend can sign one.
 */
async function adminToken() {
  if (process.env.AUTH_JWT_PUBLIC_KEY_FILE || process.env.AUTH_JWKS_URL) return ['Tokens: the services verify OpenVLE tokens (AUTH_JWT_PUBLIC_KEY_FILE / AUTH_JWKS_URL); none is printed.'];
  const { ALL_PERMISSIONS, DEFAULT_AUDIENCE, DEFAULT_ISSUER, DEV_AUTH_JWT_SECRET, mintToken } = await import(auth);
  const token = await mintToken({
    secret: process.env.AUTH_JWT_SECRET ?? DEV_AUTH_JWT_SECRET,
    subject: 'admin',
    permissions: ALL_PERMISSIONS,
    issuer: process.env.AUTH_ISSUER ?? DEFAULT_ISSUER,
    audience: process.env.AUTH_AUDIENCE ?? DEFAULT_AUDIENCE,
    expiresInSeconds: 12 * 3600,
  });
  return [
    'Admin token (every permission, 12 hours; another: npm run token -- --sub <user> --perms tasks_read,...):',
    `  ${token}`,
    `  curl -H "Authorization: Bearer $TOKEN" ${listening.get('projection') ?? 'http://127.0.0.1:3002'}/api/v1/tasks`,
    // The admin UI signed in as this token: the app takes it from the fragment (never sent to a server).
    'The admin UI, signed in with it:',
    `  ${listening.get('projection') ?? 'http://127.0.0.1:3002'}/#token=${token}`,
  ];
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

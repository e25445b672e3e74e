// npm start's preflight: does NATS answer with JetStream, does PostgreSQL let DATABASE_URL's user in?
// Each check returns undefined when all is well, or one line saying what is wrong and the one command
// that fixes it. The commands are for what a stock Debian or Ubuntu machine has: its nats-server
// package runs `nats-server -c /etc/nats-server.conf`, a config without JetStream that still answers
// on port 4222; its PostgreSQL allows user postgres only over the socket (peer) and asks for a password
// (scram-sha-256) over TCP, and that user has none.
// Plain Node ESM on purpose: it must run before anything else works.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect as natsConnect } from '@nats-io/transport-node';
import pg from 'pg';

const DEBIAN_NATS_UNIT = '/lib/systemd/system/nats-server.service';
const DEBIAN_NATS_CONF = '/etc/nats-server.conf';
const DEBIAN_NATS_STORE = '/var/lib/nats-server';
/** The development password the fix gives user postgres (a laptop's database, never a deployment's). */
const DEV_PASSWORD = 'postgres';

/** What the fixes depend on: how this machine runs nats-server and PostgreSQL. */
export function thisMachine() {
  return {
    natsDebianService: existsSync(DEBIAN_NATS_UNIT) && existsSync('/run/systemd/system'),
    natsDebianConfHasJetStream: existsSync(DEBIAN_NATS_CONF) && /^\s*jetstream\b/m.test(readFileSync(DEBIAN_NATS_CONF, 'utf8')),
    natsServer: existsSync('/usr/sbin/nats-server') ? '/usr/sbin/nats-server' : 'nats-server',
    postgresVersions: existsSync('/etc/postgresql') ? readdirSync('/etc/postgresql').sort((a, b) => Number(a) - Number(b)) : [],
  };
}

const isLocal = (host) => ['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host);

function parse(url) {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

function reachable(host, port) {
  return new Promise((resolve) => {
    const socket = tcpConnect({ host: host.replace(/^\[|\]$/g, ''), port, timeout: 2_000 });
    const done = (why) => {
      socket.destroy();
      resolve(why);
    };
    socket.once('connect', () => done(undefined));
    socket.once('timeout', () => done('no answer within 2 s'));
    socket.once('error', (error) => done(error.code ?? error.message));
  });
}

function natsStartFix(host, port, machine) {
  if (!isLocal(host)) return 'check NATS_URL and that server';
  if (machine.natsDebianService) {
    // The restart of the JetStream fix starts the service too; the package's config alone has none.
    return machine.natsDebianConfHasJetStream ? 'start it: sudo systemctl start nats-server' : `start it with JetStream: ${debianJetStreamCommand()}`;
  }
  if (machine.natsServer === '/usr/sbin/nats-server') {
    return `start it: start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- -a 127.0.0.1 -p ${port} -js -sd ${DEBIAN_NATS_STORE}`;
  }
  return `start it: nats-server -a 127.0.0.1 -p ${port} -js -sd ./.nats (install nats-server 2.9+), or docker compose up -d nats`;
}

function debianJetStreamCommand() {
  // The package's service runs as user nats, which cannot create a directory under /var/lib.
  return (
    `sudo install -d -o nats -g nats ${DEBIAN_NATS_STORE} && ` +
    `echo 'jetstream: {store_dir: "${DEBIAN_NATS_STORE}"}' | sudo tee -a ${DEBIAN_NATS_CONF} && sudo systemctl restart nats-server`
  );
}

/** The one command that gives the nats-server already on host:port JetStream. */
function natsJetStreamFix(host, port, machine) {
  if (!isLocal(host)) return 'enable JetStream on that server (nats-server -js, or a jetstream {} block in its config)';
  if (machine.natsDebianService) {
    // A config that has JetStream already was changed after the service started.
    return machine.natsDebianConfHasJetStream ? 'restart it with its config: sudo systemctl restart nats-server' : `enable it in the Debian service's config: ${debianJetStreamCommand()}`;
  }
  return `stop the nats-server on ${host}:${port} and start it with JetStream: ${machine.natsServer} -a 127.0.0.1 -p ${port} -js -sd ${machine.natsServer === 'nats-server' ? './.nats' : DEBIAN_NATS_STORE}`;
}

/** Is the NATS of natsUrl reachable, with JetStream on? */
export async function checkNats(natsUrl, machine = thisMachine()) {
  const url = parse(natsUrl.split(',')[0].trim());
  if (!url) return `NATS_URL is not a URL: ${natsUrl.split(',')[0]}`;
  const host = url.hostname;
  const port = Number(url.port || 4222);
  const down = await reachable(host, port);
  if (down) return `NATS is not reachable at ${host}:${port} (${down}); ${natsStartFix(host, port, machine)}`;

  let nc;
  try {
    nc = await natsConnect({ servers: natsUrl, timeout: 3_000, reconnect: false, name: 'vle-tasks preflight' });
  } catch (error) {
    return `NATS at ${host}:${port} answers but refused the connection (${error.message}); check NATS_URL`;
  }
  try {
    // Asks $JS.API.INFO: a server without JetStream has no responder for it (503).
    await jetstreamManager(nc, { timeout: 3_000 });
    return undefined;
  } catch (error) {
    if (error.name !== 'JetStreamNotEnabled' && !/jetstream not enabled/i.test(error.message)) {
      return `NATS at ${host}:${port} did not answer the JetStream API (${error.message}); check that server`;
    }
    return `NATS at ${host}:${port} has no JetStream (${error.message}), which every stream of vle-tasks needs; ${natsJetStreamFix(host, port, machine)}`;
  } finally {
    await nc.close().catch(() => undefined);
  }
}

function postgresStartFix(host, machine) {
  if (!isLocal(host)) return 'check DATABASE_URL and that server';
  const version = machine.postgresVersions.at(-1);
  if (version) return `start it: pg_ctlcluster --skip-systemctl-redirect ${version} main start`;
  return 'start it (PostgreSQL 15+), e.g. docker compose up -d postgres';
}

/** DATABASE_URL with the development password, for the message (the real one is never printed). */
function withDevPassword(url) {
  const fixed = new URL(url);
  fixed.password = DEV_PASSWORD;
  return fixed.toString();
}

/** What to say when PostgreSQL turned the user away; undefined when it was something else. */
function postgresAuthProblem(error, url, machine) {
  const where = `${url.hostname}:${url.port || 5432}`;
  const user = decodeURIComponent(url.username) || 'postgres';
  // Quoted only when it must be, so that the command reads as people type it.
  const sqlUser = /^[a-z_][a-z0-9_]*$/.test(user) ? user : `\\"${user.replaceAll('"', '""')}\\"`;
  const noPassword = url.password === '';
  // pg says so itself when the server asks for a password (SCRAM, MD5, cleartext) and it has none.
  const asked = /client password must be a (non-empty )?string|password is required/i.test(error.message);
  if (error.code === '28P01' || asked) {
    if (!isLocal(url.hostname)) return `PostgreSQL at ${where} refused user "${user}" (${error.message}); check the user and password in DATABASE_URL`;
    const why = noPassword ? 'asks for a password and DATABASE_URL has none (a stock Debian/Ubuntu PostgreSQL does so over TCP)' : 'refused the password in DATABASE_URL';
    return (
      `PostgreSQL at ${where} ${why} for user "${user}" (${error.message}); give the user a password: ` +
      `sudo -u postgres psql -c "ALTER USER ${sqlUser} PASSWORD '${DEV_PASSWORD}'" ` +
      `and start with that password: DATABASE_URL=${withDevPassword(url)} npm start`
    );
  }
  const entry = /no pg_hba\.conf entry for host "([^"]+)"/.exec(error.message);
  if (entry) {
    const hbaFile = machine.postgresVersions.length > 0 ? `/etc/postgresql/${machine.postgresVersions.at(-1)}/main/pg_hba.conf` : '"$(psql -Atc \'SHOW hba_file\')"';
    const line = `host all all ${entry[1]}/${entry[1].includes(':') ? 128 : 32} scram-sha-256`;
    const reload = machine.postgresVersions.length > 0 ? `sudo pg_ctlcluster ${machine.postgresVersions.at(-1)} main reload` : 'sudo -u postgres psql -c "SELECT pg_reload_conf()"';
    return `PostgreSQL at ${where} has no pg_hba.conf entry for ${entry[1]} (${error.message}); allow it: echo '${line}' | sudo tee -a ${hbaFile} && ${reload}`;
  }
  return undefined;
}

/** Does the PostgreSQL of databaseUrl answer and let its user into the maintenance database? */
export async function checkDatabase(databaseUrl, machine = thisMachine()) {
  const url = parse(databaseUrl);
  if (!url) return 'DATABASE_URL is not a URL';
  const where = `${url.hostname}:${url.port || 5432}`;
  const maintenance = new URL(databaseUrl);
  maintenance.pathname = '/postgres';
  const client = new pg.Client({ connectionString: maintenance.toString(), connectionTimeoutMillis: 3_000 });
  // A refused login may also surface as an 'error' event after connect() rejected.
  client.on('error', () => undefined);
  try {
    await client.connect();
    return undefined;
  } catch (error) {
    if (['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ETIMEDOUT'].includes(error.code) || /timeout/i.test(error.message)) {
      return `PostgreSQL is not reachable at ${where} (${error.code ?? error.message}); ${postgresStartFix(url.hostname, machine)}`;
    }
    return (
      postgresAuthProblem(error, url, machine) ??
      `PostgreSQL at ${where} refused user "${decodeURIComponent(url.username) || 'default'}" (${error.message}); check DATABASE_URL`
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}

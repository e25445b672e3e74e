// A throwaway PostgreSQL cluster set up as Debian's pg_createcluster does (`--auth-host
// scram-sha-256`: TCP asks for a password, and user postgres has none), on a free port, for the tests
// of npm start's preflight. The shared test server trusts 127.0.0.1, so it never asks for a password.
// The socket lives in the cluster's own directory and is trusted: the test administers through it.

import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@vle/testing';

export interface StockPostgres {
  readonly port: number;
  /** psql as the cluster's superuser over the trusted socket; returns its output or throws. */
  psql(sql: string): string;
  stop(): void;
}

function binDir(): string | undefined {
  const versions = existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql').sort((a, b) => Number(a) - Number(b)) : [];
  const dir = versions.map((v) => `/usr/lib/postgresql/${v}/bin`).findLast((d) => existsSync(join(d, 'initdb')));
  return dir;
}

/** Why a stock cluster cannot be made here, or undefined when it can. */
function stockPostgresUnavailable(): string | undefined {
  if (!binDir()) return 'no PostgreSQL server binaries under /usr/lib/postgresql/<version>/bin';
  if (process.getuid?.() === 0 && spawnSync('id', ['-u', 'postgres']).status !== 0) return 'running as root without an OS user postgres to run initdb as';
  return undefined;
}

/**
 * A throwaway cluster set up as Debian sets one up. Where none can be made the test fails, naming
 * why: a skipped test would prove nothing, and these machines have PostgreSQL's server packages.
 */
export async function startStockPostgres(): Promise<StockPostgres> {
  const unavailable = stockPostgresUnavailable();
  if (unavailable) throw new Error(`cannot make a stock PostgreSQL cluster here: ${unavailable}`);
  const bin = binDir()!;
  const dir = mkdtempSync(join(tmpdir(), 'vle-stock-pg-'));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const uid = Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout);
    const gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout);
    chownSync(dir, uid, gid);
  }
  // initdb and postgres refuse to run as root.
  const run = (command: string, args: string[]) => {
    const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', join(bin, command), ...args]] : [join(bin, command), args];
    const result = spawnSync(file, argv, { encoding: 'utf8', cwd: dir });
    if (result.status !== 0) throw new Error(`${command} ${args.join(' ')}: ${result.stdout}${result.stderr}`);
    return result.stdout;
  };
  const data = join(dir, 'data');
  const port = await freePort();
  run('initdb', ['-D', data, '-U', 'postgres', '--auth-local=trust', '--auth-host=scram-sha-256', '--no-sync']);
  // -w: pg_ctl returns once the server accepts connections.
  run('pg_ctl', ['-D', data, '-l', join(dir, 'log'), '-w', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`, 'start']);
  return {
    port,
    psql: (sql) => run('psql', ['-h', dir, '-p', String(port), '-U', 'postgres', '-d', 'postgres', '-Atc', sql]),
    stop: () => {
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

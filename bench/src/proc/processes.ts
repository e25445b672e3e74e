// Which processes a figure belongs to. The servers are shared with whatever else runs on the machine
// (tests of other sessions use the same nats-server and PostgreSQL), so they are found by the port
// they listen on, and of PostgreSQL only the processes that can work for this run are counted: its
// background processes and the backends connected to this run's database, not those of other
// databases.

import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import type { ProcessGroup } from './cpu.js';

/** Socket inodes listening on `port` in a /proc/net/tcp{,6} table. */
export function listeningInodes(table: string, port: number): string[] {
  const portHex = port.toString(16).toUpperCase().padStart(4, '0');
  const inodes: string[] = [];
  for (const line of table.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    // local_address is ADDR:PORT in hex; state 0A is LISTEN; the inode is the 10th field.
    if (fields.length > 9 && fields[1]!.endsWith(`:${portHex}`) && fields[3] === '0A') inodes.push(fields[9]!);
  }
  return inodes;
}

function numericEntries(dir: string): number[] {
  try {
    return readdirSync(dir).filter((e) => /^\d+$/.test(e)).map(Number);
  } catch {
    return [];
  }
}

/** The process listening on TCP `port` of this machine, if it is visible to us. */
export function listeningPid(port: number): number | undefined {
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    try {
      for (const inode of listeningInodes(readFileSync(table, 'utf8'), port)) inodes.add(`socket:[${inode}]`);
    } catch {
      // no such table
    }
  }
  if (inodes.size === 0) return undefined;
  for (const pid of numericEntries('/proc')) {
    for (const fd of numericEntries(`/proc/${pid}/fd`)) {
      try {
        if (inodes.has(readlinkSync(`/proc/${pid}/fd/${fd}`))) return pid;
      } catch {
        // closed meanwhile
      }
    }
  }
  return undefined;
}

/** The parent pid of a /proc/<pid>/stat line. */
export function parentPidOf(stat: string): number {
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

function childrenOf(parent: number): number[] {
  return numericEntries('/proc').filter((pid) => {
    try {
      return parentPidOf(readFileSync(`/proc/${pid}/stat`, 'utf8')) === parent;
    } catch {
      return false;
    }
  });
}

/**
 * Whether a PostgreSQL process title is a client backend of a database other than `database`:
 * backends are titled `postgres: [cluster: ]<user> <database> <host>(<port>) <state>` (or `[local]`),
 * background processes `postgres: [cluster: ]walwriter`, `checkpointer`, ...
 */
export function isOtherDatabaseBackend(title: string, database: string): boolean {
  const words = title.replace(/\0/g, ' ').trim().split(/\s+/);
  const host = words.findIndex((w) => w === '[local]' || /^\S+\(\d+\)$/.test(w));
  if (host < 2) return false;
  return words[host - 1] !== database;
}

/** A group of exactly these pids. */
export function fixedGroup(name: string, pids: readonly number[]): ProcessGroup {
  return { name, pids: () => pids };
}

/** The server listening on `port` (nats-server, redis-server); says so when it is not visible to us. */
export function serverGroup(name: string, port: number): ProcessGroup {
  const pid = listeningPid(port);
  if (pid === undefined) console.error(`warning: no process visible listening on port ${port}: the CPU of ${name} is not counted`);
  return fixedGroup(name, pid === undefined ? [] : [pid]);
}

/** The PostgreSQL server on `port`: its postmaster, background processes and the backends of `database`. */
export function postgresGroup(port: number, database: string): ProcessGroup {
  const postmaster = listeningPid(port);
  if (postmaster === undefined) console.error(`warning: no process visible listening on port ${port}: the CPU of postgres is not counted`);
  return {
    name: 'postgres',
    pids: () => {
      if (postmaster === undefined) return [];
      const mine = childrenOf(postmaster).filter((pid) => {
        try {
          return !isOtherDatabaseBackend(readFileSync(`/proc/${pid}/cmdline`, 'utf8'), database);
        } catch {
          return false;
        }
      });
      return [postmaster, ...mine];
    },
  };
}

import { describe, expect, it } from 'vitest';
import { isOtherDatabaseBackend, listeningInodes, parentPidOf } from './processes.js';

// /proc/<pid>/stat of a process whose name holds a space and a parenthesis.
const STAT = '4242 (node (main) x) S 4000 4242 4000 0 -1 4194560 8000 0 0 0 1234 567 0 0 20 0 11 0 900 1100000000 30000 18446744073709551615';

describe('parentPidOf', () => {
  it('gives the parent pid of a /proc/<pid>/stat line', () => {
    expect(parentPidOf(STAT)).toBe(4000);
  });
});

describe('/proc/net/tcp', () => {
  const TABLE = [
    '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
    '   0: 0100007F:107E 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 7228 1 0000000000000000 100 0 0 10 0',
    '   1: 0100007F:107E 0100007F:D2F0 01 00000000:00000000 00:00000000 00000000     0        0 9911 1 0000000000000000 20 4 30 10 -1',
    '   2: 0100007F:18EB 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 5252 1 0000000000000000 100 0 0 10 0',
  ].join('\n');

  it('finds the inode of the socket listening on a port (not its connections)', () => {
    expect(listeningInodes(TABLE, 4222)).toEqual(['7228']);
    expect(listeningInodes(TABLE, 6379)).toEqual(['5252']);
    expect(listeningInodes(TABLE, 5432)).toEqual([]);
  });
});

describe('PostgreSQL process titles', () => {
  it('tells the backends of other databases from ours and from the background processes', () => {
    expect(isOtherDatabaseBackend('postgres: 15/main: postgres vle_test_1 127.0.0.1(51234) idle', 'vle_bench_9')).toBe(true);
    expect(isOtherDatabaseBackend('postgres: 15/main: postgres vle_bench_9 127.0.0.1(51234) INSERT', 'vle_bench_9')).toBe(false);
    expect(isOtherDatabaseBackend('postgres: postgres vle_bench_9 [local] idle\0\0', 'vle_bench_9')).toBe(false);
    expect(isOtherDatabaseBackend('postgres: 15/main: walwriter ', 'vle_bench_9')).toBe(false);
    expect(isOtherDatabaseBackend('postgres: 15/main: autovacuum worker vle_test_1', 'vle_bench_9')).toBe(false);
  });
});

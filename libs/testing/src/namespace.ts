import { randomBytes } from 'node:crypto';

/**
 * A NATS namespace (Topology prefix) unique to this run: `<prefix>_<pid>_<random>`. Streams,
 * subjects and consumers of two test files, or two runs, never meet.
 */
export function testNamespace(prefix = 't'): string {
  if (!/^[A-Za-z0-9_-]+$/.test(prefix)) throw new Error(`invalid namespace prefix "${prefix}"`);
  return `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

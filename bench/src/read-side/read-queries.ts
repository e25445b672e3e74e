// The reads an admin's screen and OpenOVLE's services make, over HTTP on the projection, each timed
// from the request to the last byte: list pages with the filters of the UI, search-language queries,
// a Task's detail, the CSV export.

import { LOAD_POOLS, loadedTaskId } from './load-rows.js';

export interface ReadKind {
  readonly name: string;
  /** The target p99 in ms (issue 11 §3), or undefined when the issue sets none. */
  readonly targetP99Ms?: number;
  /** The path and query of sample `k`. */
  readonly path: (k: number, rnd: () => number) => string;
}

const pick = <T>(values: readonly T[], rnd: () => number): T => values[Math.floor(rnd() * values.length)]!;
const q = (query: string) => `/api/v1/tasks?q=${encodeURIComponent(query)}`;

export function readKinds(tasks: number, now: number): ReadKind[] {
  const user = (rnd: () => number) => `user${Math.floor(rnd() * LOAD_POOLS.users)}`;
  const event = (rnd: () => number) => String(Math.floor(rnd() * LOAD_POOLS.events));
  const vm = (rnd: () => number) => String(Math.floor(rnd() * LOAD_POOLS.vmIds));
  const day = (rnd: () => number) => new Date(now - Math.floor(rnd() * 80) * 86_400_000).toISOString().slice(0, 10);
  const LIST = 50;
  const SEARCH = 100;
  return [
    { name: 'list: first page', targetP99Ms: LIST, path: () => '/api/v1/tasks' },
    { name: 'list: status', targetP99Ms: LIST, path: (_k, rnd) => `/api/v1/tasks?status=${pick(['failed', 'running', 'success,warning'], rnd)}` },
    { name: 'list: user', targetP99Ms: LIST, path: (_k, rnd) => `/api/v1/tasks?createdBy=${user(rnd)}` },
    { name: 'list: user and status', targetP99Ms: LIST, path: (_k, rnd) => `/api/v1/tasks?createdBy=${user(rnd)}&status=failed` },
    { name: 'list: event', targetP99Ms: LIST, path: (_k, rnd) => `/api/v1/tasks?eventId=${event(rnd)}` },
    { name: 'list: a day', targetP99Ms: LIST, path: (_k, rnd) => { const d = day(rnd); return `/api/v1/tasks?from=${d}&to=${d}T23:59:59Z`; } },
    { name: 'list: name', targetP99Ms: LIST, path: (_k, rnd) => `/api/v1/tasks?name=${pick(LOAD_POOLS.words, rnd)}%20${pick(LOAD_POOLS.words, rnd).toLowerCase()}` },
    { name: 'list: type', targetP99Ms: LIST, path: (_k, rnd) => `/api/v1/tasks?type=${pick(LOAD_POOLS.types, rnd)}` },
    { name: 'list: an object (Task or SubTask)', targetP99Ms: LIST, path: (_k, rnd) => `/api/v1/tasks?objectId=${vm(rnd)}` },
    { name: 'list: queue', targetP99Ms: LIST, path: (_k, rnd) => `/api/v1/tasks?queue=${pick(LOAD_POOLS.queues, rnd)}` },
    { name: 'list: response code', targetP99Ms: LIST, path: (_k, rnd) => `/api/v1/tasks?responseCode=${pick(LOAD_POOLS.codes.slice(1), rnd)}` },
    { name: 'list: updated since an hour', targetP99Ms: LIST, path: () => `/api/v1/tasks?updatedSince=${new Date(now - 3_600_000).toISOString()}` },
    // A client polling what changed: a window in which fewer Tasks changed than a page holds.
    { name: 'list: updated in the last 10 s (a poll)', targetP99Ms: LIST, path: () => `/api/v1/tasks?updatedSince=${new Date(now - 10_000).toISOString()}` },
    { name: 'search: failed clones of the last 2 hours', targetP99Ms: SEARCH, path: () => q('status = failed and queue = pve_vm_clone and created_at > "2 hours ago"') },
    { name: 'search: name ~', targetP99Ms: SEARCH, path: (_k, rnd) => q(`name ~ ${pick(LOAD_POOLS.words, rnd).toLowerCase()}`) },
    { name: 'search: event', targetP99Ms: SEARCH, path: (_k, rnd) => q(`event = ${event(rnd)}`) },
    { name: 'search: user or user', targetP99Ms: SEARCH, path: (_k, rnd) => q(`user = ${user(rnd)} or user = ${user(rnd)}`) },
    { name: 'search: not success, a type, a week', targetP99Ms: SEARCH, path: (_k, rnd) => q(`not status ^ (success, warning) and type = ${pick(LOAD_POOLS.types, rnd)} and created_at > "1 week ago"`) },
    { name: 'search: a failure message', targetP99Ms: SEARCH, path: () => q('message ~ "storage full" and created_at > "3 days ago"') },
    { name: 'detail', targetP99Ms: 20, path: (_k, rnd) => `/api/v1/tasks/${loadedTaskId(1 + Math.floor(rnd() * tasks))}` },
  ];
}

// The filters of the list, shared by `list` and `tail` (the live stream takes the list's filters):
// options on the command line, then the API's query parameters. The values are checked by the API,
// which names the parameter of a bad one; only their form (a time, a duration) is checked here.

import type { TaskFilters } from '@openvle/tasks-client';
import { Option, type Command } from 'commander';
import { collect, parseDuration, parseTime } from './parse.js';

export interface FilterOptions {
  readonly query?: string;
  readonly status?: readonly string[];
  readonly type?: readonly string[];
  readonly queue?: readonly string[];
  readonly code?: readonly string[];
  readonly event?: string;
  readonly user?: string;
  readonly name?: string;
  readonly object?: string;
  readonly origin?: string;
  readonly since?: string;
  readonly until?: string;
  /** ms */
  readonly period?: number;
  readonly updatedSince?: string;
  readonly silent?: boolean;
}

export function addFilterOptions(command: Command): Command {
  return command
    .option('-q, --query <query>', 'a query of the search language, e.g. \'status = failed and created_at > "2 hours ago"\'')
    .option('--status <list>', 'Task statuses, comma-separated or repeated: any of them', collect)
    .option('--type <list>', 'typed command types (vm.clone, event.deploy, ...)', collect)
    .option('--queue <list>', 'a queue of any of its SubTasks (needs sub_tasks_read)', collect)
    .option('--code <list>', 'a response code of any of its SubTasks (needs sub_tasks_read)', collect)
    .option('--event <id>', 'the OpenVLE lab event')
    .option('--user <name>', 'who created it')
    .option('--name <text>', 'a part of its name (case-insensitive)')
    .option('--object <[type:]id>', 'an object it or any of its SubTasks is about: 123 or vm:123')
    .option('--origin <taskId>', 'the Task that started it')
    .addOption(new Option('--since <time>', 'created at or after: a date, an ISO time with a zone, or a duration ago (2h, 7d)').argParser((raw: string) => parseTime(raw)))
    .addOption(new Option('--until <time>', 'created before (as --since)').argParser((raw: string) => parseTime(raw)))
    .addOption(new Option('--period <duration>', 'created within the last 30m, 24h, 7d, ...').argParser(parseDuration).conflicts(['since', 'until']))
    .addOption(new Option('--updated-since <time>', 'changed at or after (as --since)').argParser((raw: string) => parseTime(raw)))
    .option('--silent', "include the silent Tasks (the scheduler's periodic Tasks that succeeded)");
}

export function filtersOf(options: FilterOptions, now: () => Date = () => new Date()): TaskFilters {
  const object = options.object === undefined ? undefined : objectOf(options.object);
  const filters: Record<string, unknown> = {
    q: options.query,
    status: options.status,
    type: options.type,
    queue: options.queue,
    responseCode: options.code,
    eventId: options.event,
    createdBy: options.user,
    name: options.name,
    objectType: object?.type,
    objectId: object?.id,
    originTaskId: options.origin,
    from: options.period === undefined ? options.since : new Date(now().getTime() - options.period).toISOString(),
    to: options.until,
    updatedSince: options.updatedSince,
    silent: options.silent ? true : undefined,
  };
  return Object.fromEntries(Object.entries(filters).filter(([, value]) => value !== undefined)) as TaskFilters;
}

/** `vm:123` is a VM's id 123; `123` any object's. */
function objectOf(raw: string): { type?: string; id: string } {
  const colon = raw.indexOf(':');
  return colon > 0 ? { type: raw.slice(0, colon), id: raw.slice(colon + 1) } : { id: raw };
}

// `vle-tasks list`: the Tasks newest first, filtered by options and the search language (`-q`),
// one page (`--limit`, `--cursor`) or every page (`--all`). A table; `--json` the page as the API
// answers it (`{items, nextCursor}`; with --all every item and `nextCursor: null`).

import type { TaskListItem, TaskPage } from '@openvle/tasks-client';
import { Option, type Command } from 'commander';
import type { Cli } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import { formatCounts, formatTime } from '../output/format.js';
import type { Output } from '../output/output.js';
import type { Column } from '../output/table.js';
import { wholeNumber } from '../parse.js';
import { addFilterOptions, filtersOf, type FilterOptions } from '../task-filters.js';

interface ListOptions extends FilterOptions {
  readonly limit: number;
  readonly cursor?: string;
  readonly all?: boolean;
}

export function registerList(program: Command, cli: Cli): void {
  addFilterOptions(program.command('list').alias('ls').description('list and search Tasks, newest first'))
    .option('--limit <n>', 'Tasks per page, 1 to 500', wholeNumber(1, 500), 50)
    .option('--cursor <cursor>', 'the page after this one (the cursor a page ended with)')
    .addOption(new Option('--all', 'every page, not only the first').conflicts('cursor'))
    .action(
      cli.action(async (context, options: ListOptions) => {
        if (options.query !== undefined) context.query = options.query;
        const filters = filtersOf(options);
        let page: TaskPage;
        if (options.all) {
          const items: TaskListItem[] = [];
          for await (const task of context.client.tasks(filters, { pageSize: options.limit, ...context.call })) items.push(task);
          page = { items, nextCursor: null };
        } else {
          page = await context.client.listTasks({ ...filters, limit: options.limit, ...(options.cursor === undefined ? {} : { cursor: options.cursor }) }, context.call);
        }
        const { out } = context;
        if (out.json) {
          out.document(page);
          return ExitCode.ok;
        }
        if (page.items.length === 0) out.message('No Tasks match.');
        else out.table(taskColumns(out, page.items), page.items);
        if (page.nextCursor !== null) out.message(`More Tasks: the next page with --cursor ${page.nextCursor} (or every page with --all)`);
        return ExitCode.ok;
      }),
    );
}

/** ID, status, progress, times and creator, then the name (last: it may be cut, and awk reads the rest). */
export function taskColumns(out: Output, rows: readonly TaskListItem[]): Column<TaskListItem>[] {
  const columns: Column<TaskListItem>[] = [
    { header: 'ID', text: (t) => t.id },
    out.statusColumn('STATUS', (t) => t.status),
    { header: 'SUBTASKS', text: (t) => formatCounts(t.subtaskCounts), color: (t, c) => (t.subtaskCounts.failed > 0 ? c.red : undefined) },
    { header: 'CREATED', text: (t) => formatTime(t.createdAt), drop: 1 },
    { header: 'BY', text: (t) => t.createdBy, shrink: true, drop: 2 },
  ];
  // A narrow terminal leaves out the event, then the children, the creator and the time (the ID and the name stay).
  if (rows.some((t) => t.eventId !== null)) columns.push({ header: 'EVENT', text: (t) => t.eventId ?? '', drop: 4 });
  if (rows.some((t) => t.children.total > 0)) columns.push({ header: 'CHILDREN', text: (t) => childrenOf(t.children), shrink: true, drop: 3 });
  columns.push({ header: 'NAME', text: (t) => t.name, shrink: true });
  return columns;
}

/** `3 (2 success, 1 failed)`; '' without children. */
export function childrenOf(children: TaskListItem['children']): string {
  if (children.total === 0) return '';
  const statuses = Object.entries(children.statuses).map(([status, count]) => `${count} ${status}`);
  return `${children.total} (${statuses.join(', ')})`;
}

// `vle-tasks dead-letters`: what no consumer could handle (refused or exhausted commands, malformed
// jobs, ...), newest first, from the stream DEAD_LETTERS; `dead-letters show <seq>` one with its
// whole payload; `dead-letters summary` the counts by source and code. Needs tasks_admin without an
// object scope.

import type { DeadLetterItem, DeadLetterPage, DeadLetterSummary } from '@openvle/tasks-client';
import { Option, type Command } from 'commander';
import type { Cli } from '../context.js';
import { ExitCode } from '../exit-codes.js';
import { formatTime, oneLine } from '../output/format.js';
import type { Output } from '../output/output.js';
import type { Column } from '../output/table.js';
import { collect, parseTime, wholeNumber } from '../parse.js';

interface ListOptions {
  readonly source?: readonly string[];
  readonly code?: string;
  readonly since?: string;
  readonly until?: string;
  readonly limit: number;
  readonly before?: number;
  readonly all?: boolean;
}

export function registerDeadLetters(program: Command, cli: Cli): void {
  const deadLetters = program.command('dead-letters').description('what no consumer could handle: list (the default), show <seq>, summary');

  deadLetters
    .command('list', { isDefault: true })
    .description('the dead letters, newest first')
    .option('--source <list>', 'commands, jobs (every queue), jobs.<queue>, inventory.pve, deadlines; comma-separated or repeated', collect)
    .option('--code <code>', 'a code, e.g. MAX_DELIVERIES, MALFORMED_JSON')
    .addOption(new Option('--since <time>', 'stored at or after: a date, an ISO time with a zone, or a duration ago (2h)').argParser((raw: string) => parseTime(raw)))
    .addOption(new Option('--until <time>', 'stored before (as --since)').argParser((raw: string) => parseTime(raw)))
    .option('--limit <n>', 'dead letters per page, 1 to 200', wholeNumber(1, 200), 50)
    .option('--before <seq>', 'the page before this sequence (the one a page ended with)', wholeNumber(1, Number.MAX_SAFE_INTEGER))
    .addOption(new Option('--all', 'every page, not only the first').conflicts('before'))
    .action(
      cli.action(async (context, options: ListOptions) => {
        const filters = {
          ...(options.source ? { source: options.source } : {}),
          ...(options.code ? { code: options.code } : {}),
          ...(options.since ? { since: options.since } : {}),
          ...(options.until ? { until: options.until } : {}),
        };
        // With --all: every item and `nextBefore: null`.
        let page: Pick<DeadLetterPage, 'items' | 'nextBefore'>;
        if (options.all) {
          const items: DeadLetterItem[] = [];
          for await (const item of context.client.deadLetters(filters, { pageSize: options.limit, ...context.call })) items.push(item);
          page = { items, nextBefore: null };
        } else {
          page = await context.client.listDeadLetters({ ...filters, limit: options.limit, ...(options.before === undefined ? {} : { before: options.before }) }, context.call);
        }
        const { out } = context;
        if (out.json) {
          out.document(page);
          return ExitCode.ok;
        }
        if (page.items.length === 0) out.message('No dead letters match.');
        else out.table(deadLetterColumns(page.items), page.items);
        if (page.nextBefore !== null) out.message(`More may be older: the next page with --before ${page.nextBefore} (or every page with --all)`);
        return ExitCode.ok;
      }),
    );

  deadLetters
    .command('show')
    .description('one dead letter with its whole payload')
    .argument('<seq>', 'its sequence in DEAD_LETTERS (SEQ of the list)', wholeNumber(1, Number.MAX_SAFE_INTEGER))
    .action(
      cli.action(async (context, seq: number) => {
        const letter = await context.client.getDeadLetter(seq, context.call);
        const { out } = context;
        if (out.json) out.document(letter);
        else printDeadLetter(out, letter);
        return ExitCode.ok;
      }),
    );

  deadLetters
    .command('summary')
    .description('the dead letters counted by source and code')
    .action(
      cli.action(async (context) => {
        const summary = await context.client.summarizeDeadLetters(context.call);
        const { out } = context;
        if (out.json) out.document(summary);
        else printSummary(out, summary);
        return ExitCode.ok;
      }),
    );
}

function deadLetterColumns(items: readonly DeadLetterItem[]): Column<DeadLetterItem>[] {
  const columns: Column<DeadLetterItem>[] = [
    { header: 'SEQ', text: (d) => String(d.seq), align: 'right' },
    { header: 'AT', text: (d) => formatTime(d.at) },
    { header: 'SOURCE', text: (d) => d.source },
    { header: 'CODE', text: (d) => d.code },
  ];
  if (items.some((d) => d.taskId !== undefined)) columns.push({ header: 'TASK', text: (d) => d.taskId ?? '', drop: 1 });
  return [...columns, { header: 'REASON', text: (d) => oneLine(d.reason), shrink: true }];
}

function printDeadLetter(out: Output, letter: DeadLetterItem): void {
  out.fields([
    ['Seq', String(letter.seq)],
    ['At', formatTime(letter.at)],
    ['Source', letter.source],
    ['Subject', letter.subject],
    ['Code', out.colors.red(letter.code)],
    ['Reason', letter.reason],
    ['Deliveries', letter.deliveries === undefined ? '' : String(letter.deliveries)],
    ['Task', letter.taskId ?? ''],
    ['SubTask', letter.subTaskId ?? ''],
    ['Queue', letter.queue ?? ''],
    ['Action', letter.action ?? ''],
    ['Payload', `${letter.payload.size} bytes, ${letter.payload.format === 'json' ? 'JSON' : `text${letter.payload.truncated ? ' (its first characters)' : ''}`}`],
  ]);
  out.line();
  out.line(letter.payload.format === 'json' ? JSON.stringify(letter.payload.value, null, 2) : letter.payload.preview);
}

function printSummary(out: Output, summary: DeadLetterSummary): void {
  out.line(summary.total === 0 ? 'No dead letters.' : `${summary.total} dead letter${summary.total === 1 ? '' : 's'} (sequences ${summary.firstSeq} to ${summary.lastSeq}).`);
  if (!summary.complete) out.warn(`the counts are of the newest ${summary.counted} only`);
  if (summary.counts.length === 0) return;
  out.table(
    [
      { header: 'SOURCE', text: (c: DeadLetterSummary['counts'][number]) => c.source },
      { header: 'CODE', text: (c) => c.code },
      { header: 'COUNT', text: (c) => String(c.count), align: 'right' },
    ],
    summary.counts,
  );
}

// `vle-tasks retention --dry-run`: what a retention run would delete now (or `--at` a later time):
// the count by status and type, the oldest and newest, samples, and the policy in force. `--run`
// runs one now on the projection's leader, after asking (it deletes from the log and the read model).
// Needs tasks_admin without an object scope.

import type { RetentionPreview, RetentionRunResult } from '@openvle/tasks-client';
import { Option, type Command } from 'commander';
import { confirm } from '../confirm.js';
import type { Cli, CommandContext } from '../context.js';
import { ExitCode, type ExitStatus } from '../exit-codes.js';
import { formatDuration, formatTime } from '../output/format.js';
import type { Output } from '../output/output.js';
import { parseTime } from '../parse.js';
import { UsageError } from '../usage-error.js';

interface RetentionOptions {
  readonly dryRun?: boolean;
  readonly run?: boolean;
  readonly at?: string;
  readonly yes?: boolean;
}

export function registerRetention(program: Command, cli: Cli): void {
  program
    .command('retention')
    .description('the retention: --dry-run shows what a run would delete; --run runs one now')
    .addOption(new Option('--dry-run', 'what a run would delete, deleting nothing').conflicts('run'))
    .option('--run', 'run the retention now (asks first)')
    .addOption(new Option('--at <time>', 'as of this time instead of now: a date, an ISO time with a zone, or +90d (from now)').argParser((raw: string) => parseTime(raw)))
    .option('-y, --yes', 'do not ask before --run')
    .action(
      cli.action(async (context, options: RetentionOptions) => {
        if (!options.dryRun && !options.run) throw new UsageError('give --dry-run to see what a retention run would delete, or --run to run one now');
        const at = options.at === undefined ? {} : { at: options.at };
        return options.dryRun ? preview(context, at) : runNow(context, at, options.yes === true);
      }),
    );
}

async function preview(context: CommandContext, at: { at?: string }): Promise<ExitStatus> {
  const result = await context.client.previewRetention(at, context.call);
  const { out } = context;
  if (out.json) out.document(result);
  else printPreview(out, result);
  return ExitCode.ok;
}

async function runNow(context: CommandContext, at: { at?: string }, yes: boolean): Promise<ExitStatus> {
  await confirm(
    context.io,
    async () => {
      const { total } = await context.client.previewRetention(at, context.call);
      return `Delete ${total} finished Task${total === 1 ? '' : 's'} from the event log and the read model${at.at ? ` (as of ${at.at})` : ''}?`;
    },
    { yes, action: 'run the retention' },
  );
  const result = await context.client.runRetention(at, context.call);
  const { out } = context;
  if (out.json) out.document(result);
  else printRun(out, result);
  return ExitCode.ok;
}

function printPreview(out: Output, preview: RetentionPreview): void {
  if (!preview.enabled) out.warn('the retention is disabled (RETENTION_DISABLED=true): a run deletes nothing');
  if (preview.total === 0) out.line(`As of ${formatTime(preview.at)}, a retention run would delete nothing.`);
  else out.line(`As of ${formatTime(preview.at)}, a retention run would delete ${preview.total} finished Task${preview.total === 1 ? '' : 's'}, finished from ${formatTime(preview.oldestFinishedAt)} to ${formatTime(preview.newestFinishedAt)}.`);
  if (preview.counts.length > 0) {
    out.line();
    out.heading('By status and type');
    out.table(
      [
        out.statusColumn<RetentionPreview['counts'][number]>('STATUS', (c) => c.status),
        { header: 'TYPE', text: (c) => c.type ?? '(a DAG)' },
        { header: 'TASKS', text: (c) => String(c.count), align: 'right' },
        { header: 'OLDEST', text: (c) => formatTime(c.oldestFinishedAt) },
        { header: 'NEWEST', text: (c) => formatTime(c.newestFinishedAt) },
      ],
      preview.counts,
    );
  }
  if (preview.samples.length > 0) {
    out.line();
    out.heading('For example');
    out.table(
      [
        { header: 'ID', text: (s) => s.id },
        out.statusColumn<RetentionPreview['samples'][number]>('STATUS', (s) => s.status),
        { header: 'FINISHED', text: (s) => formatTime(s.finishedAt) },
        { header: 'TYPE', text: (s) => s.type ?? '' },
        { header: 'NAME', text: (s) => s.name, shrink: true },
      ],
      preview.samples,
    );
  }
  out.line();
  out.heading('Policy (the most specific rule wins)');
  out.table(
    [
      { header: 'RULE', text: (r) => r.match },
      { header: 'KEPT', text: (r) => (r.days === null ? 'forever' : `${r.days} day${r.days === 1 ? '' : 's'}`) },
    ],
    preview.policy,
  );
}

function printRun(out: Output, result: RetentionRunResult): void {
  if (!result.enabled) out.warn('the retention is disabled (RETENTION_DISABLED=true): nothing was deleted');
  out.line(`Deleted ${result.deleted} Task${result.deleted === 1 ? '' : 's'} (${result.subTasks} SubTasks) in ${result.batches} batch${result.batches === 1 ? '' : 'es'}, ${formatDuration(result.durationMs)}${result.deferred > 0 ? `; ${result.deferred} left for the next run (a commit not projected yet)` : ''}.`);
  if (result.counts.length > 0) {
    out.table(
      [
        out.statusColumn<RetentionRunResult['counts'][number]>('STATUS', (c) => c.status),
        { header: 'TYPE', text: (c) => c.type ?? '(a DAG)' },
        { header: 'TASKS', text: (c) => String(c.count), align: 'right' },
      ],
      result.counts,
    );
  }
}

// The command line of `npm run bench` (node bench/dist/main.js): which sub-command and its options,
// parsed and checked before anything starts (a checkout named by --baseline or --checkout must be
// built; its label is read from git). It returns what to run; main.ts runs it.

import { Command, InvalidArgumentError, Option } from 'commander';
import { checkoutAt, PIPELINE_SERVICES, type Checkout, type PipelineService } from '../pipeline/checkout.js';
import { SHAPES, type Shape } from '../pipeline/task-shapes.js';
import { TRANSPORTS, type Transport } from '../pipeline/task-submitter.js';
import { builtCheckout, integer, integers, listOf, oneOf, ratioOf } from './values.js';

export interface LoadOptions {
  readonly tasks: number;
  readonly concurrency: number;
  readonly lightTasks: number;
  readonly lightInterval: number;
  readonly warmup: number;
  /** Seconds the booted processes stay idle before the phase, their idle RSS the lowest meanwhile. */
  readonly idleSettle: number;
  readonly timeout: number;
  readonly json: boolean;
}

export interface PipelineOptions extends LoadOptions {
  readonly transport: Transport;
  readonly halfRateTasks: number;
  readonly cpuProf: readonly PipelineService[];
  readonly census: boolean;
}

export interface BullmqOptions extends LoadOptions {
  readonly bullmqConcurrency: number;
}

export interface PipelineAloneOptions extends PipelineOptions {
  /** Another checkout whose services are booted instead of this one's. */
  readonly checkout?: Checkout;
}

export interface CompareOptions extends PipelineOptions, BullmqOptions {
  readonly rounds: number;
  /** Another checkout whose services run as a third peer, the baseline. */
  readonly baseline?: Checkout;
}

export interface SizesOptions {
  readonly sizes: readonly number[];
  readonly shapes: readonly Shape[];
  readonly totalSubtasks: number;
  readonly concurrency: number;
  /** Tasks of a row running at once (each wave waits for the last): the same parallelism at every size. */
  readonly tasksInFlight?: number;
  readonly warmup: number;
  readonly transport: Transport;
  readonly timeout: number;
  readonly json: boolean;
}

export interface ReplicasOptions {
  readonly replicas: number;
  readonly rounds: number;
  readonly tasks: number;
  readonly concurrency: number;
  readonly warmup: number;
  readonly transport: Transport;
  readonly census: boolean;
  readonly timeout: number;
  readonly json: boolean;
}

export interface TelemetryOptions {
  readonly rounds: number;
  readonly tasks: number;
  readonly concurrency: number;
  readonly warmup: number;
  readonly transport: Transport;
  /** Seconds between two scrapes of every service's /metrics. */
  readonly scrapeInterval: number;
  /** Export traces in the on phase (false: the metrics alone). */
  readonly traces: boolean;
  /** The share of the commands' traces recorded (OTEL_TRACES_SAMPLER parentbased_traceidratio); 1: all. */
  readonly traceSampling: number;
  /** At most this many new traces a second in each process (parentbased_ratelimiting); over traceSampling. */
  readonly tracesPerSecond?: number;
  readonly cpuProf: readonly PipelineService[];
  readonly timeout: number;
  readonly json: boolean;
}

export interface MemoryOptions {
  readonly tasks: number;
  readonly subtasks: number;
  readonly concurrency: number;
  readonly heapMb?: number;
  readonly timeout: number;
  readonly json: boolean;
}

export interface ReadSideOptions {
  readonly tasks: number;
  readonly subtasks: number;
  readonly samples: number;
  readonly exportRows: number;
  readonly layout: 'creation' | 'shuffled';
  readonly timeout: number;
  readonly json: boolean;
}

export interface LiveOptions {
  readonly clients: number;
  /** Tasks created per second. */
  readonly rate: number;
  readonly seconds: number;
  readonly warmupSeconds: number;
  /** Worker threads holding the clients. */
  readonly clientThreads: number;
  readonly timeout: number;
  readonly json: boolean;
}

/** The parts of `ui`: the list's first page on a big read model, and a burst of live changes. */
export const UI_PARTS = ['first-page', 'burst'] as const;
export type UiPart = (typeof UI_PARTS)[number];

export interface UiOptions {
  readonly parts: readonly UiPart[];
  /** Tasks written into the read model before the browser opens (0: none). */
  readonly tasks: number;
  readonly subtasks: number;
  /** Navigations timed per kind of list page, each a cold and a warm one. */
  readonly samples: number;
  /** Task changes per second the open list's live stream should carry during the burst. */
  readonly changes: number;
  /** Length of the burst, warm-up excluded: `--seconds`, or `--minutes` × 60. */
  readonly seconds: number;
  readonly warmupSeconds: number;
  /** Seconds between two samples of the page's heap and DOM. */
  readonly sampleEvery: number;
  /** Write the page's CPU profile of the burst's measured part (bench/profiles/<pid>/page.cpuprofile). */
  readonly pageCpuProf: boolean;
  readonly timeout: number;
  readonly json: boolean;
}

export interface ProfileSummaryOptions {
  readonly files: readonly string[];
  readonly top: number;
}

export type Invocation =
  | { readonly command: 'compare'; readonly options: CompareOptions }
  | { readonly command: 'pipeline'; readonly options: PipelineAloneOptions }
  | { readonly command: 'bullmq'; readonly options: BullmqOptions }
  | { readonly command: 'sizes'; readonly options: SizesOptions }
  | { readonly command: 'replicas'; readonly options: ReplicasOptions }
  | { readonly command: 'telemetry'; readonly options: TelemetryOptions }
  | { readonly command: 'read-side'; readonly options: ReadSideOptions }
  | { readonly command: 'memory'; readonly options: MemoryOptions }
  | { readonly command: 'live'; readonly options: LiveOptions }
  | { readonly command: 'ui'; readonly options: UiOptions }
  | { readonly command: 'profile-summary'; readonly options: ProfileSummaryOptions };

/** A list parser that refuses an empty list. */
const nonEmpty =
  <T>(parse: (raw: string) => T[]) =>
  (raw: string): T[] => {
    const items = parse(raw);
    if (items.length === 0) throw new InvalidArgumentError('must name at least one');
    return items;
  };
const opt = (flags: string, description: string) => new Option(flags, description);
const timeout = (seconds: number) => opt('--timeout <s>', 'hard limit of the whole command, in seconds').env('BENCH_TIMEOUT_S').default(seconds).argParser(integer(10, 24 * 3600));
const json = () => opt('--json', 'print one JSON line per round and the summary on stdout (the readable report goes to stderr)').default(false);
const transport = () => opt('--transport <t>', 'creates over NATS request/reply (<ns>.tasks.req.create) or POST /api/v1/tasks').env('BENCH_TRANSPORT').default('nats').argParser(oneOf(TRANSPORTS));
const warmup = () => opt('--warmup <n>', 'Tasks run first and not reported (JIT, caches, connections)').env('BENCH_WARMUP').default(100).argParser(integer(0, 10_000));
const census = () => opt('--census', 'count the NATS messages of the saturation phase by kind (costs a little)').default(false);
const concurrency = (n: number, what = 'creates (flow adds) in flight at saturation') => opt('--concurrency <n>', what).env('BENCH_CONCURRENCY').default(n).argParser(integer(1, 4096));

function loadOptions(command: Command, seconds: number): Command {
  return command
    .addOption(opt('--tasks <n>', 'Tasks (flows) at saturation').env('BENCH_TASKS').default(2000).argParser(integer(1, 100_000)))
    .addOption(concurrency(64))
    .addOption(opt('--light-tasks <n>', 'Tasks at light load (0 skips the light phases)').env('BENCH_LIGHT_TASKS').default(100).argParser(integer(0, 10_000)))
    .addOption(opt('--light-interval <ms>', 'one Task every <ms> at light load').env('BENCH_LIGHT_INTERVAL_MS').default(20).argParser(integer(1, 10_000)))
    .addOption(warmup())
    .addOption(opt('--idle-settle <s>', "seconds the booted processes stay idle before the phase; their idle RSS is the lowest meanwhile (V8 returns the heap it grew while booting after some idle seconds)").env('BENCH_IDLE_SETTLE_S').default(0).argParser(integer(0, 600)))
    .addOption(timeout(seconds))
    .addOption(json());
}

function pipelineOptions(command: Command): Command {
  return command
    .addOption(transport())
    .addOption(opt('--half-rate-tasks <n>', 'Tasks at half the measured saturation rate, for the projection lag there (0 skips)').env('BENCH_HALF_RATE_TASKS').default(300).argParser(integer(0, 100_000)))
    .addOption(opt('--cpu-prof <services>', `write .cpuprofile files of these services to bench/profiles/<pid>/ (${PIPELINE_SERVICES.join(', ')}, all)`).env('BENCH_CPU_PROF').default([]).argParser(listOf(PIPELINE_SERVICES)))
    .addOption(census());
}

const checkoutDir = (flags: string, description: string) => opt(flags, `${description} (a built checkout: npm ci && npm run build done there)`).argParser(builtCheckout);

/** The options as commander hands them over: a checkout is its directory until the action labels it. */
type Parsed<T, K extends keyof T> = Omit<T, K> & { readonly [P in K]?: string };

const bullmqOptions = (command: Command) => command.addOption(opt('--bullmq-concurrency <n>', 'jobs the BullMQ worker process runs at once').env('BENCH_BULLMQ_CONCURRENCY').default(64).argParser(integer(1, 4096)));

export interface Output {
  writeOut(text: string): void;
  writeErr(text: string): void;
}

/**
 * Parses `args` (without node and the script). Throws commander's CommanderError for a bad value,
 * --help and --version (its exitCode says which), after writing the message to `output`.
 */
export function parseCommandLine(args: readonly string[], output?: Output): Invocation {
  let invocation: Invocation | undefined;
  const set = (value: Invocation) => {
    invocation = value;
  };
  const program = new Command('bench')
    .description('The vle-tasks benchmark: BullMQ FlowProducer and the pipeline, interleaved (bench/README.md).')
    .exitOverride()
    .showHelpAfterError('(add --help for the options)');
  if (output) program.configureOutput(output);

  const compare = program.command('compare', { isDefault: true }).description('rounds of a BullMQ phase and a pipeline phase (and the baseline\'s), in rotating order (default)');
  bullmqOptions(pipelineOptions(loadOptions(compare, 1800)))
    .addOption(opt('--rounds <n>', 'interleaved rounds').env('BENCH_ROUNDS').default(3).argParser(integer(1, 50)))
    .addOption(checkoutDir('--baseline <dir>', "another checkout of this repository whose services run as a third peer, the baseline").env('BENCH_BASELINE'))
    .addOption(opt('--baseline-label <text>', "the baseline's name in the report (default: its short commit)"))
    .action(({ baseline, baselineLabel, ...options }: Parsed<CompareOptions, 'baseline'> & { baselineLabel?: string }) => {
      if (baselineLabel !== undefined && baseline === undefined) compare.error("error: option '--baseline-label <text>' needs --baseline <dir>");
      set({ command: 'compare', options: { ...options, baseline: baseline === undefined ? undefined : checkoutAt(baseline, baselineLabel) } });
    });

  const pipeline = program.command('pipeline').description('the pipeline alone: task-api, integration-worker and projection as processes');
  pipelineOptions(loadOptions(pipeline, 300))
    .addOption(checkoutDir('--checkout <dir>', 'boot the services of another checkout of this repository instead of this one\'s'))
    .action(({ checkout, ...options }: Parsed<PipelineAloneOptions, 'checkout'>) => set({ command: 'pipeline', options: { ...options, checkout: checkout === undefined ? undefined : checkoutAt(checkout) } }));

  const bullmq = program.command('bullmq').description('BullMQ FlowProducer alone (Redis on REDIS_URL, default redis://127.0.0.1:6379)');
  bullmqOptions(loadOptions(bullmq, 300)).action((options: BullmqOptions) => set({ command: 'bullmq', options }));

  program
    .command('sizes')
    .description('Tasks of growing size, as a fan-out and as a chain: SubTasks/s and CPU per SubTask')
    .addOption(opt('--sizes <list>', 'SubTasks per Task').default([10, 100, 1000, 10_000]).argParser(integers(1, 1_000_000)))
    .addOption(opt('--shapes <list>', `${SHAPES.join(', ')} or all`).default([...SHAPES]).argParser(listOf(SHAPES)))
    .addOption(opt('--total-subtasks <n>', 'SubTasks per row (Tasks = this / size, at least 1)').env('BENCH_TOTAL_SUBTASKS').default(20_000).argParser(integer(1, 10_000_000)))
    .addOption(concurrency(64, 'creates in flight'))
    .addOption(opt('--tasks-in-flight <n>', 'run each row in waves of n Tasks, the next wave once the last finished (the same parallelism at every size: a chain of 10 then runs n at a time like a chain of 10,000)').argParser(integer(1, 100_000)))
    .addOption(warmup())
    .addOption(transport())
    .addOption(timeout(3600))
    .addOption(json())
    .action((options: SizesOptions) => set({ command: 'sizes', options }));

  program
    .command('replicas')
    .description('N replicas of each service against 1 of each, interleaved rounds: Tasks/s of both')
    .addOption(opt('--replicas <n>', 'processes of each service').default(2).argParser(integer(2, 16)))
    .addOption(opt('--rounds <n>', 'interleaved rounds').env('BENCH_ROUNDS').default(3).argParser(integer(1, 50)))
    .addOption(opt('--tasks <n>', 'Tasks at saturation').env('BENCH_TASKS').default(2000).argParser(integer(1, 100_000)))
    .addOption(concurrency(64))
    .addOption(warmup())
    .addOption(transport())
    .addOption(census())
    .addOption(timeout(1800))
    .addOption(json())
    .action((options: ReplicasOptions) => set({ command: 'replicas', options }));

  program
    .command('telemetry')
    .description('the pipeline with its metrics and traces off against on (scraped, exported over OTLP), interleaved rounds: Tasks/s of both')
    .addOption(opt('--rounds <n>', 'interleaved rounds').env('BENCH_ROUNDS').default(3).argParser(integer(1, 50)))
    .addOption(opt('--tasks <n>', 'Tasks at saturation').env('BENCH_TASKS').default(2000).argParser(integer(1, 100_000)))
    .addOption(concurrency(64))
    .addOption(warmup())
    .addOption(transport())
    .addOption(opt('--scrape-interval <s>', "seconds between two scrapes of every service's /metrics (Prometheus: 15 to 60)").default(5).argParser(integer(1, 600)))
    .option('--no-traces', 'the on phase with the metrics alone, no traces exported')
    .addOption(opt('--trace-sampling <ratio>', "the share of the commands' traces recorded (parentbased_traceidratio), 0 to 1").default(1).argParser(ratioOf))
    .addOption(opt('--traces-per-second <n>', 'at most n new traces a second in each process (parentbased_ratelimiting), instead of a share').conflicts('traceSampling').argParser(integer(0, 100_000)))
    .addOption(opt('--cpu-prof <services>', `write .cpuprofile files of these services to bench/profiles/<pid>/ (off) and bench/profiles/<pid>/telemetry/ (on), the last round's (${PIPELINE_SERVICES.join(', ')}, all)`).env('BENCH_CPU_PROF').default([]).argParser(listOf(PIPELINE_SERVICES)))
    .addOption(timeout(1800))
    .addOption(json())
    .action((options: TelemetryOptions) => set({ command: 'telemetry', options }));

  program
    .command('read-side')
    .description('the reads of the query API over a big read model written straight into PostgreSQL: list, search, detail p50/p99, the CSV export')
    .addOption(opt('--tasks <n>', 'Tasks in the read model').default(1_000_000).argParser(integer(1, 100_000_000)))
    .addOption(opt('--subtasks <n>', 'SubTasks per Task').default(5).argParser(integer(0, 100)))
    .addOption(opt('--samples <n>', 'requests of each kind, one at a time').default(200).argParser(integer(1, 100_000)))
    .addOption(opt('--export-rows <n>', 'rows of the CSV export').default(100_000).argParser(integer(1, 10_000_000)))
    .addOption(opt('--layout <layout>', 'rows in creation order (as the projector writes them), or creation times shuffled over the rows (the worst case)').default('creation').argParser(oneOf(['creation', 'shuffled'] as const)))
    .addOption(timeout(3600))
    .addOption(json())
    .action((options: ReadSideOptions) => set({ command: 'read-side', options }));

  program
    .command('live')
    .description('live-stream clients on one projection replica under a steady load of Tasks: how soon each sees an update after its commit (p50/p99), missed updates, the replica\'s RSS')
    .addOption(opt('--clients <n>', 'SSE streams on the one projection replica').default(500).argParser(integer(1, 10_000)))
    .addOption(opt('--rate <n>', 'Tasks (of 5 SubTasks) created per second').default(20).argParser(integer(1, 1000)))
    .addOption(opt('--seconds <s>', 'seconds measured').default(30).argParser(integer(1, 3600)))
    .addOption(opt('--warmup-seconds <s>', 'seconds of load first, not counted').default(5).argParser(integer(0, 600)))
    .addOption(opt('--client-threads <n>', 'worker threads holding the clients (so that the bench does not lag)').default(2).argParser(integer(1, 16)))
    .addOption(timeout(900))
    .addOption(json())
    .action((options: LiveOptions) => set({ command: 'live', options }));

  program
    .command('ui')
    .description('the admin UI in Chromium: the list\'s first page on a big read model (navigation to 50 rows painted), then a burst of live changes on the open list (long tasks, heap and DOM over time)')
    .addOption(opt('--parts <list>', `what to run, comma-separated (${UI_PARTS.join(', ')}, all)`).default([...UI_PARTS]).argParser(nonEmpty(listOf(UI_PARTS))))
    .addOption(opt('--tasks <n>', 'Tasks written into the read model first (0: none)').default(1_000_000).argParser(integer(0, 100_000_000)))
    .addOption(opt('--subtasks <n>', 'SubTasks per Task written').default(5).argParser(integer(0, 100)))
    .addOption(opt('--samples <n>', 'first page: navigations timed per kind of list page, cold and warm each').default(20).argParser(integer(1, 10_000)))
    .addOption(opt('--changes <n>', 'burst: Task changes per second on the open list\'s live stream').default(100).argParser(integer(1, 2000)))
    .addOption(opt('--minutes <n>', 'burst: minutes measured').default(10).argParser(integer(1, 600)))
    .addOption(opt('--seconds <s>', 'burst: seconds measured (instead of --minutes)').argParser(integer(10, 36_000)))
    .addOption(opt('--warmup-seconds <s>', 'burst: seconds of load first, not counted (the rate is set from them)').default(20).argParser(integer(5, 600)))
    .addOption(opt('--sample-every <s>', 'burst: seconds between two samples of the heap (after a GC) and the DOM').default(10).argParser(integer(1, 600)))
    .addOption(opt('--page-cpu-prof', "burst: the page's CPU profile of the measured part in bench/profiles/<pid>/page.cpuprofile (costs a little)").default(false))
    .addOption(timeout(3600))
    .addOption(json())
    .action(({ minutes, seconds, ...rest }: Omit<UiOptions, 'seconds'> & { minutes: number; seconds?: number }) => set({ command: 'ui', options: { ...rest, seconds: seconds ?? minutes * 60 } }));

  program
    .command('memory')
    .description('RSS of task-api and integration-worker under big Tasks (idle, peak, end)')
    .addOption(opt('--tasks <n>', 'Tasks').default(200).argParser(integer(1, 100_000)))
    .addOption(opt('--subtasks <n>', 'independent SubTasks per Task').default(1000).argParser(integer(1, 1_000_000)))
    .addOption(concurrency(4, 'creates in flight'))
    .addOption(opt('--heap-mb <n>', "the services' old-space limit (a small pod's), so that what their caches hold must fit").argParser(integer(64, 65_536)))
    .addOption(timeout(3600))
    .addOption(json())
    .action((options: MemoryOptions) => set({ command: 'memory', options }));

  program
    .command('profile-summary')
    .description('self time by package and by function of .cpuprofile files (from --cpu-prof)')
    .argument('<files...>', '.cpuprofile files')
    .addOption(opt('--top <n>', 'rows per table').default(25).argParser(integer(1, 1000)))
    .action((files: string[], options: { top: number }) => set({ command: 'profile-summary', options: { files, top: options.top } }));

  program.parse(args, { from: 'user' });
  if (!invocation) throw new Error('no command was parsed');
  return invocation;
}

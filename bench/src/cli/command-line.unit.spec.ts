import { CommanderError } from 'commander';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCommandLine } from './command-line.js';

function parseError(args: string[]): { error: CommanderError; message: string } {
  let message = '';
  try {
    parseCommandLine(args, { writeOut: () => undefined, writeErr: (text) => (message += text) });
  } catch (error) {
    if (error instanceof CommanderError) return { error, message };
    throw error;
  }
  throw new Error(`${args.join(' ')} was accepted`);
}

describe('parseCommandLine', () => {
  it('runs compare by default, with the defaults of the issue: 3 rounds of 2000 Tasks, 64 in flight', () => {
    const invocation = parseCommandLine([]);
    expect(invocation.command).toBe('compare');
    expect(invocation.options).toMatchObject({ rounds: 3, tasks: 2000, concurrency: 64, lightTasks: 100, lightInterval: 20, warmup: 100, transport: 'nats', json: false, cpuProf: [], census: false });
  });

  it('passes options given without a command to compare', () => {
    expect(parseCommandLine(['--rounds', '1', '--tasks', '500', '--json'])).toMatchObject({ command: 'compare', options: { rounds: 1, tasks: 500, json: true } });
  });

  it('parses the old options of the pipeline bench', () => {
    const invocation = parseCommandLine(['pipeline', '--tasks', '10', '--concurrency', '8', '--light-tasks', '0', '--light-interval', '5', '--warmup', '0', '--transport', 'http', '--timeout', '60', '--cpu-prof', 'task-api,projection', '--census']);
    expect(invocation).toEqual({
      command: 'pipeline',
      options: expect.objectContaining({ tasks: 10, concurrency: 8, lightTasks: 0, lightInterval: 5, warmup: 0, transport: 'http', timeout: 60, cpuProf: ['task-api', 'projection'], census: true }),
    });
  });

  it('expands --cpu-prof all to every service', () => {
    expect(parseCommandLine(['pipeline', '--cpu-prof', 'all']).options).toMatchObject({ cpuProf: ['task-api', 'integration-worker', 'projection'] });
  });

  it('counts the messages of replicas runs with --census', () => {
    expect(parseCommandLine(['replicas']).options).toMatchObject({ replicas: 2, census: false });
    expect(parseCommandLine(['replicas', '--census', '--tasks', '1500']).options).toMatchObject({ replicas: 2, tasks: 1500, census: true });
  });

  it('parses the lists of sizes and shapes', () => {
    expect(parseCommandLine(['sizes', '--sizes', '10,100', '--shapes', 'chain', '--total-subtasks', '1000'])).toMatchObject({ command: 'sizes', options: { sizes: [10, 100], shapes: ['chain'], totalSubtasks: 1000 } });
    expect(parseCommandLine(['sizes']).options).toMatchObject({ sizes: [10, 100, 1000, 10_000], shapes: ['fan-out', 'chain'], totalSubtasks: 20_000 });
  });

  it('takes the files of profile-summary', () => {
    expect(parseCommandLine(['profile-summary', 'a.cpuprofile', 'b.cpuprofile', '--top', '5'])).toEqual({ command: 'profile-summary', options: { files: ['a.cpuprofile', 'b.cpuprofile'], top: 5 } });
  });

  it('runs live with the figures of issue 11: 500 clients, 20 Tasks/s, 30 s measured after 5 s', () => {
    expect(parseCommandLine(['live'])).toEqual({ command: 'live', options: { clients: 500, rate: 20, seconds: 30, warmupSeconds: 5, clientThreads: 2, timeout: 900, json: false } });
    expect(parseCommandLine(['live', '--clients', '50', '--rate', '5', '--seconds', '3', '--warmup-seconds', '0', '--client-threads', '1', '--json']).options).toMatchObject({ clients: 50, rate: 5, seconds: 3, warmupSeconds: 0, clientThreads: 1, json: true });
  });

  it('runs ui with the figures of issue 12: 1,000,000 Tasks, 100 changes/s for 10 minutes, a sample every 10 s', () => {
    expect(parseCommandLine(['ui'])).toEqual({
      command: 'ui',
      options: { parts: ['first-page', 'burst'], tasks: 1_000_000, subtasks: 5, samples: 20, changes: 100, seconds: 600, warmupSeconds: 20, sampleEvery: 10, pageCpuProf: false, timeout: 3600, json: false },
    });
    expect(parseCommandLine(['ui', '--minutes', '2']).options).toMatchObject({ seconds: 120 });
    expect(parseCommandLine(['ui', '--minutes', '2', '--seconds', '45', '--parts', 'burst', '--tasks', '0']).options).toMatchObject({ seconds: 45, parts: ['burst'], tasks: 0 });
    expect(parseCommandLine(['ui', '--parts', 'all']).options).toMatchObject({ parts: ['first-page', 'burst'] });
  });

  it('runs telemetry with every trace, a share of them, or at most n a second', () => {
    expect(parseCommandLine(['telemetry']).options).toMatchObject({ traces: true, traceSampling: 1, scrapeInterval: 5 });
    expect(parseCommandLine(['telemetry']).options).not.toHaveProperty('tracesPerSecond');
    expect(parseCommandLine(['telemetry', '--trace-sampling', '0.1']).options).toMatchObject({ traceSampling: 0.1 });
    expect(parseCommandLine(['telemetry', '--traces-per-second', '5']).options).toMatchObject({ tracesPerSecond: 5 });
    expect(parseError(['telemetry', '--traces-per-second', '5', '--trace-sampling', '0.1']).message).toContain("option '--traces-per-second <n>' cannot be used with option '--trace-sampling <ratio>'");
  });

  it.each([
    [['telemetry', '--traces-per-second', '-1'], "option '--traces-per-second <n>' argument '-1' is invalid. must be an integer from 0 to 100000"],
    [['ui', '--parts', 'graph'], 'argument \'graph\' is invalid. unknown "graph" (first-page, burst, all)'],
    [['ui', '--parts', ','], "option '--parts <list>' argument ',' is invalid. must name at least one"],
    [['ui', '--seconds', '5'], "option '--seconds <s>' argument '5' is invalid. must be an integer from 10 to 36000"],
    [['live', '--clients', '0'], "option '--clients <n>' argument '0' is invalid. must be an integer from 1 to 10000"],
    [['pipeline', '--tasks', 'abc'], "option '--tasks <n>' argument 'abc' is invalid. must be an integer from 1 to 100000"],
    [['--tasks', '0'], "option '--tasks <n>' argument '0' is invalid"],
    [['--rounds', '1.5'], "option '--rounds <n>' argument '1.5' is invalid. must be an integer from 1 to 50"],
    [['pipeline', '--transport', 'grpc'], "option '--transport <t>' argument 'grpc' is invalid. must be one of nats, http"],
    [['pipeline', '--cpu-prof', 'scheduler'], 'argument \'scheduler\' is invalid. unknown "scheduler" (task-api, integration-worker, projection, all)'],
    [['sizes', '--sizes', '10,x'], 'option \'--sizes <list>\' argument \'10,x\' is invalid. "x" must be an integer'],
    [['replicas', '--replicas', '1'], "option '--replicas <n>' argument '1' is invalid. must be an integer from 2 to 16"],
    [['memory', '--heap-mb', '32'], "option '--heap-mb <n>' argument '32' is invalid"],
  ])('refuses %j naming the option', (args, expected) => {
    const { error, message } = parseError(args);
    expect(error.exitCode).not.toBe(0);
    expect(message).toContain(expected);
  });

  it('refuses an unknown option, an unknown command and a missing argument', () => {
    expect(parseError(['pipeline', '--taks', '5']).message).toContain("unknown option '--taks'");
    expect(parseError(['benchmark']).message).toContain("too many arguments for 'compare'");
    expect(parseError(['profile-summary']).message).toContain("missing required argument 'files'");
  });
});

describe('another checkout (--baseline, --checkout)', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'vle-bench-cli-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  /** A directory laid out as a checkout built with `npm ci && npm run build`, or only partly. */
  function checkout(name: string, services: readonly string[] = ['task-api', 'integration-worker', 'projection'], nodeModules = true): string {
    const root = join(scratch, name);
    for (const service of services) {
      mkdirSync(join(root, 'services', service, 'dist'), { recursive: true });
      writeFileSync(join(root, 'services', service, 'dist', 'main.js'), '');
    }
    if (nodeModules) mkdirSync(join(root, 'node_modules'), { recursive: true });
    mkdirSync(root, { recursive: true });
    return root;
  }

  const git = (root: string, ...args: string[]) =>
    execFileSync('git', ['-C', root, '-c', 'user.name=bench', '-c', 'user.email=bench@example.invalid', '-c', 'commit.gpgsign=false', ...args], { encoding: 'utf8' }).trim();

  it('is off unless asked for', () => {
    expect(parseCommandLine([]).options).toMatchObject({ baseline: undefined });
    expect(parseCommandLine(['pipeline']).options).toMatchObject({ checkout: undefined });
  });

  it('labels the baseline by its short commit, or by --baseline-label', () => {
    const root = checkout('in-git');
    git(root, 'init', '--quiet');
    git(root, 'commit', '--quiet', '--allow-empty', '-m', 'baseline');
    const commit = git(root, 'rev-parse', '--short', 'HEAD');
    expect(commit).toMatch(/^[0-9a-f]{4,}$/);
    expect(parseCommandLine(['--rounds', '1', '--baseline', root])).toMatchObject({ command: 'compare', options: { rounds: 1, baseline: { root, label: commit } } });
    expect(parseCommandLine(['compare', '--baseline', root, '--baseline-label', 'before group commit']).options).toMatchObject({ baseline: { root, label: 'before group commit' } });
  });

  it('labels a checkout that is not a git repository by its path, and resolves a relative one', () => {
    const root = checkout('copied');
    expect(parseCommandLine(['--baseline', root]).options).toMatchObject({ baseline: { root, label: root } });
    const relative = join(scratch, 'copied', '..', 'copied');
    expect(parseCommandLine(['pipeline', '--checkout', relative]).options).toMatchObject({ checkout: { root, label: root } });
  });

  it('refuses a missing or unbuilt checkout, naming the option and the missing file', () => {
    const missing = join(scratch, 'nowhere');
    expect(parseError(['--baseline', missing]).message).toContain(`option '--baseline <dir>' argument '${missing}' is invalid. ${missing} is not a directory`);
    const unbuilt = checkout('unbuilt', []);
    expect(parseError(['--baseline', unbuilt]).message).toContain(`${join(unbuilt, 'services/task-api/dist/main.js')} is missing: run npm ci && npm run build in ${unbuilt}`);
    const partly = checkout('partly', ['task-api', 'integration-worker']);
    expect(parseError(['pipeline', '--checkout', partly]).message).toContain(`option '--checkout <dir>' argument '${partly}' is invalid. ${join(partly, 'services/projection/dist/main.js')} is missing`);
    const noModules = checkout('no-modules', undefined, false);
    expect(parseError(['--baseline', noModules]).message).toContain(`${join(noModules, 'node_modules')} is missing: run npm ci && npm run build in ${noModules}`);
  });

  it('refuses --baseline-label without --baseline, and --checkout on compare', () => {
    expect(parseError(['--baseline-label', 'x']).message).toContain("option '--baseline-label <text>' needs --baseline <dir>");
    expect(parseError(['compare', '--checkout', checkout('built')]).message).toContain("unknown option '--checkout'");
  });
});

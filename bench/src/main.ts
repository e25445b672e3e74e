#!/usr/bin/env node
// The benchmark's command line (bench/README.md): `npm run bench` builds, then runs this with no
// arguments, i.e. `compare` with its defaults.

import { CommanderError } from 'commander';
import { parseCommandLine, type Invocation } from './cli/command-line.js';
import { compare } from './commands/compare.js';
import { live } from './commands/live.js';
import { memory } from './commands/memory.js';
import { profileSummary } from './commands/profile-summary.js';
import { readSide } from './commands/read-side.js';
import { replicas } from './commands/replicas.js';
import { telemetry } from './commands/telemetry.js';
import { bullmqAlone, pipelineAlone } from './commands/single-peer.js';
import { sizes } from './commands/sizes.js';
import { ui } from './commands/ui.js';
import { busyShare } from './run/machine.js';
import { outputFor } from './run/output.js';
import { progress } from './run/progress.js';
import { RunGuard } from './run/run-guard.js';

/** Exit code of a command line that could not be parsed (sysexits' EX_USAGE). */
const EX_USAGE = 64;

function parse(): Invocation {
  try {
    return parseCommandLine(process.argv.slice(2));
  } catch (error) {
    // commander has printed the message (which names the option) or the help.
    if (error instanceof CommanderError) process.exit(error.exitCode === 0 ? 0 : EX_USAGE);
    throw error;
  }
}

async function main(): Promise<number> {
  const invocation = parse();
  if (invocation.command === 'profile-summary') return profileSummary(invocation.options);
  const { options } = invocation;
  const out = outputFor(options.json);
  const busy = await busyShare();
  if (busy !== undefined && busy > 0.15) progress(`warning: the machine was ${Math.round(busy * 100)}% busy before the run (other jobs?): figures will be low and noisy`);
  return new RunGuard().run(options.timeout, (guard) => {
    switch (invocation.command) {
      case 'compare':
        return compare(guard, invocation.options, out, progress);
      case 'pipeline':
        return pipelineAlone(guard, invocation.options, out, progress);
      case 'bullmq':
        return bullmqAlone(guard, invocation.options, out, progress);
      case 'sizes':
        return sizes(guard, invocation.options, out, progress);
      case 'replicas':
        return replicas(guard, invocation.options, out, progress);
      case 'telemetry':
        return telemetry(guard, invocation.options, out, progress);
      case 'memory':
        return memory(guard, invocation.options, out, progress);
      case 'read-side':
        return readSide(guard, invocation.options, out, progress);
      case 'live':
        return live(guard, invocation.options, out, progress);
      case 'ui':
        return ui(guard, invocation.options, out, progress);
      default: {
        const unknown: never = invocation;
        throw new Error(`unknown command ${JSON.stringify(unknown)}`);
      }
    }
  });
}

process.exit(await main());

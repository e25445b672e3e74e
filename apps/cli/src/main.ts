#!/usr/bin/env node
// vle-tasks: the process around run(): its streams, its environment, Ctrl-C (the first one stops
// `watch` and `tail` cleanly, restoring the terminal; a second one exits at once), a closed pipe
// (`vle-tasks list | head`) ending quietly, and the exit status once the output is written.

import { run } from './program.js';

const interrupt = new AbortController();
let signals = 0;
const onSignal = () => {
  if (++signals > 1) process.exit(130);
  interrupt.abort();
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
}

const code = await run(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  isTTY: { stdin: process.stdin.isTTY === true, stdout: process.stdout.isTTY === true, stderr: process.stderr.isTTY === true },
  env: process.env,
  interrupt: interrupt.signal,
});

// Exit once stdout and stderr are flushed: an idle keep-alive connection must not hold the process.
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));

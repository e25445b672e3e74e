// `npm test`'s browser step (before the suites): makes sure a Chromium exists for Playwright's browser
// tests (apps/*/test/**/*.browser.spec.ts, launched by apps/web/test/harness.ts). CHROMIUM_PATH names
// one, or else /usr/bin/chromium (Debian's `chromium` package). When that is missing it installs the
// package, `DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium` (with
// `sudo -n` when not root; `apt-get update` first only when the install fails), and fails naming the
// command when it cannot. Prints one line: the browser it found and its version.

import { accessSync, constants } from 'node:fs';
import { spawnSync } from 'node:child_process';

const DEFAULT_PATH = '/usr/bin/chromium';

function executable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function fail(message) {
  process.stderr.write(`browser: ${message}\n`);
  process.exit(1);
}

function versionOf(path) {
  const run = spawnSync(path, ['--version'], { encoding: 'utf8', timeout: 30_000 });
  return run.status === 0 ? run.stdout.trim() : `version unknown (${path} --version: ${run.error?.message ?? `exit ${run.status}`})`;
}

/** Runs one apt-get command (with `sudo -n` unless root); its output goes to stderr, not to the one line. */
function apt(args) {
  const root = process.getuid?.() === 0;
  const command = root ? ['apt-get', ...args] : ['sudo', '-n', 'apt-get', ...args];
  const shown = `DEBIAN_FRONTEND=noninteractive ${command.join(' ')}`;
  const run = spawnSync(command[0], command.slice(1), { stdio: ['ignore', 2, 2], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  return { ok: run.status === 0, shown, why: run.error ? run.error.message : `exit ${run.status ?? run.signal}` };
}

const given = process.env.CHROMIUM_PATH;
if (given) {
  if (!executable(given)) fail(`CHROMIUM_PATH=${given} is not an executable file: install Chromium there, or unset CHROMIUM_PATH to use ${DEFAULT_PATH}`);
  process.stdout.write(`browser: ${given} (CHROMIUM_PATH), ${versionOf(given)}\n`);
  process.exit(0);
}

if (!executable(DEFAULT_PATH)) {
  const install = ['install', '-y', '--no-install-recommends', 'chromium'];
  let result = apt(install);
  if (!result.ok) {
    const update = apt(['update']);
    if (!update.ok) fail(`no Chromium at ${DEFAULT_PATH}, and \`${result.shown}\` failed (${result.why}), then \`${update.shown}\` failed (${update.why}): run them as root, or set CHROMIUM_PATH to a Chromium`);
    result = apt(install);
  }
  if (!result.ok) fail(`no Chromium at ${DEFAULT_PATH}, and \`${result.shown}\` failed (${result.why}), after an apt-get update: run it as root, or set CHROMIUM_PATH to a Chromium`);
  if (!executable(DEFAULT_PATH)) fail(`\`${result.shown}\` succeeded but ${DEFAULT_PATH} is still missing: set CHROMIUM_PATH to the browser's executable`);
  process.stdout.write(`browser: ${DEFAULT_PATH} (installed just now: ${result.shown}), ${versionOf(DEFAULT_PATH)}\n`);
  process.exit(0);
}
process.stdout.write(`browser: ${DEFAULT_PATH}, ${versionOf(DEFAULT_PATH)}\n`);

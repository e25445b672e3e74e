// What the test command needs from Debian beyond npm (scripts/browser.js: Chromium, scripts/tmux.js:
// tmux): when the executable is missing, install its package with
// `DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends <package>` (with `sudo -n`
// when not root; `apt-get update` first only when the install fails), and fail naming the command when
// that cannot work.

import { accessSync, constants } from 'node:fs';
import { spawnSync } from 'node:child_process';

export function executable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function versionOf(path, args = ['--version']) {
  const run = spawnSync(path, args, { encoding: 'utf8', timeout: 30_000 });
  return run.status === 0 ? run.stdout.trim() : `version unknown (${path} ${args.join(' ')}: ${run.error?.message ?? `exit ${run.status}`})`;
}

/** Runs one apt-get command (with `sudo -n` unless root); its output goes to stderr, not to the one line. */
function apt(args) {
  const root = process.getuid?.() === 0;
  const command = root ? ['apt-get', ...args] : ['sudo', '-n', 'apt-get', ...args];
  const shown = `DEBIAN_FRONTEND=noninteractive ${command.join(' ')}`;
  const run = spawnSync(command[0], command.slice(1), { stdio: ['ignore', 2, 2], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  return { ok: run.status === 0, shown, why: run.error ? run.error.message : `exit ${run.status ?? run.signal}` };
}

/**
 * Makes sure `path` exists, installing Debian's `pkg` when it does not. Returns how it was found
 * ('' or ' (installed just now: <command>)'); calls `fail(message)` when it cannot. `alternative`
 * ends the messages (what else the user may do).
 */
export function ensureDebianPackage({ path, pkg, fail, alternative = '' }) {
  if (executable(path)) return '';
  const install = ['install', '-y', '--no-install-recommends', pkg];
  const or = alternative ? `, ${alternative}` : '';
  let result = apt(install);
  if (!result.ok) {
    const update = apt(['update']);
    if (!update.ok) fail(`no ${path}, and \`${result.shown}\` failed (${result.why}), then \`${update.shown}\` failed (${update.why}): run them as root${or}`);
    result = apt(install);
  }
  if (!result.ok) fail(`no ${path}, and \`${result.shown}\` failed (${result.why}), after an apt-get update: run it as root${or}`);
  if (!executable(path)) fail(`\`${result.shown}\` succeeded but ${path} is still missing${or}`);
  return ` (installed just now: ${result.shown})`;
}

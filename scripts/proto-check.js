#!/usr/bin/env node
// `npm run proto:check`: buf lint, then buf breaking against the main branch. The contract in proto/
// is public (other OpenVLE services speak it), so a breaking change must fail the build. When there
// is nothing to compare with, it says why instead of passing silently.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const buf = join(root, 'node_modules', '.bin', 'buf');

function run(command, args) {
  return spawnSync(command, args, { cwd: root, stdio: 'inherit' }).status ?? 1;
}

function git(...args) {
  const result = spawnSync('git', args, { cwd: root, encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

function fail(message) {
  console.error(`proto:check: ${message}`);
  process.exit(1);
}

if (!existsSync(buf)) fail('buf is not installed (node_modules/.bin/buf); run `npm ci` first');

if (run(buf, ['lint', 'proto']) !== 0) fail('buf lint found problems (above)');
console.log('proto:check: buf lint passed');

/** The git ref of main as buf's git input understands it, or a reason why there is none. */
function mainRef() {
  if (git('rev-parse', '--git-dir') === undefined) return { reason: 'not a git checkout' };
  if (git('rev-parse', '--verify', '--quiet', 'refs/heads/main^{commit}')) return { input: 'branch=main', rev: 'main' };
  // CI checkouts of a feature branch often have main only as a remote-tracking branch.
  if (git('rev-parse', '--verify', '--quiet', 'refs/remotes/origin/main^{commit}')) return { input: 'ref=origin/main', rev: 'origin/main' };
  const shallow = git('rev-parse', '--is-shallow-repository') === 'true';
  return {
    reason: shallow
      ? 'this is a shallow clone without a main branch (fetch it: git fetch origin main:main)'
      : 'there is no main branch (first commit, or a repository without main)',
  };
}

const main = mainRef();
if (!main.input) {
  console.log(`proto:check: buf breaking SKIPPED: ${main.reason}`);
  process.exit(0);
}
if (git('cat-file', '-e', `${main.rev}:proto/buf.yaml`) === undefined) {
  console.log(`proto:check: buf breaking SKIPPED: ${main.rev} has no proto/buf.yaml yet (the contract is new)`);
  process.exit(0);
}
if (run(buf, ['breaking', 'proto', '--against', `.git#${main.input},subdir=proto`]) !== 0) {
  fail(`buf breaking: proto/ breaks the contract of ${main.rev} (above); add new fields/messages instead of changing old ones`);
}
console.log(`proto:check: buf breaking against ${main.rev} passed`);

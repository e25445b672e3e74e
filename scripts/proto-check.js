#!/usr/bin/env node
// `npm run proto:check`: buf lint, then buf breaking against the published v1 contract kept in the
// repository (contract/v1-baseline). The contract in proto/ is public (other OpenVLE services speak
// it), so a breaking change must fail the build, on main as on a branch; comparing with the main
// branch would not, because once a break is committed main compares with itself. The baseline
// changes only through `npm run proto:baseline`, on purpose.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BASELINE_DIR } from './contract-baseline.js';

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

/** The baseline as reviewers know it: its path and the commit that last wrote it. */
function baselineName() {
  const commit = git('log', '-1', '--format=%h %cs "%s"', '--', BASELINE_DIR);
  return commit ? `${BASELINE_DIR} (${commit})` : `${BASELINE_DIR} (not committed yet)`;
}

if (!existsSync(buf)) fail('buf is not installed (node_modules/.bin/buf); run `npm ci` first');

if (run(buf, ['lint', 'proto']) !== 0) fail('buf lint found problems (above)');
console.log('proto:check: buf lint passed');

if (!existsSync(join(root, BASELINE_DIR, 'buf.yaml'))) {
  fail(`the v1 baseline ${BASELINE_DIR} is missing; restore it from git (git checkout -- ${BASELINE_DIR}), or write it on purpose with npm run proto:baseline`);
}
const baseline = baselineName();
if (run(buf, ['breaking', 'proto', '--against', BASELINE_DIR]) !== 0) {
  fail(
    `buf breaking: proto/ breaks the published v1 contract ${baseline} (above); add new fields/messages instead of changing old ones, ` +
      'or, for a break agreed with every client, npm run proto:baseline and commit the baseline on its own',
  );
}
console.log(`proto:check: buf breaking against ${baseline} passed`);

// A branch that rewrote the baseline passes whatever it broke: say so, for the reviewer.
const main = ['main', 'origin/main'].find((ref) => git('rev-parse', '--verify', '--quiet', `${ref}^{commit}`));
if (main && spawnSync('git', ['diff', '--quiet', main, '--', BASELINE_DIR], { cwd: root }).status === 1) {
  console.log(`proto:check: note: the v1 baseline differs from the one on ${main} (git diff ${main} -- ${BASELINE_DIR}); a break is deliberate only if that change says why`);
}

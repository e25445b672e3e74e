#!/usr/bin/env node
// `npm run proto:baseline`: makes proto/ as it is now the published v1 contract that `npm run
// proto:check` compares with. Run it only on purpose (a release of the contract, or an agreed break
// announced to every OpenVLE service that speaks it) and commit contract/v1-baseline/ on its own,
// saying why: that commit is what reviewers look for.

import { cpSync, existsSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BASELINE_DIR } from './contract-baseline.js';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const source = join(root, 'proto');
const target = join(root, BASELINE_DIR);

if (!existsSync(join(source, 'buf.yaml'))) {
  console.error('proto:baseline: proto/buf.yaml is missing; nothing to take as the baseline');
  process.exit(1);
}

rmSync(target, { recursive: true, force: true });
// The .proto files and buf.yaml, so that the baseline builds exactly as proto/ does; generated code
// and buf.gen.yaml are not part of the contract.
cpSync(source, target, {
  recursive: true,
  filter: (path) => statSync(path).isDirectory() || path.endsWith('.proto') || basename(path) === 'buf.yaml',
});
writeFileSync(
  join(target, 'README.md'),
  [
    '# The published v1 contract of vle-tasks',
    '',
    'A copy of `proto/` that `npm run proto:check` runs `buf breaking` against, so that a change to the',
    'public contract that breaks its v1 clients fails even after it is committed on main. Written by',
    '`npm run proto:baseline` only, on purpose: never edit these files by hand.',
    '',
  ].join('\n'),
);
console.log(`proto:baseline: ${BASELINE_DIR} now holds the contract of proto/; commit it on its own and say why the v1 baseline changes`);

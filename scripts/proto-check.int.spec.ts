// `npm run proto:check` on a throwaway copy of the repository (git, buf from node_modules, no network):
// a breaking change to the public contract must fail even once it is committed on main.

import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const root = new URL('..', import.meta.url).pathname;
const COMMANDS = 'proto/vle/tasks/v1/commands.proto';
const GIT_ENV = { GIT_AUTHOR_NAME: 'test', GIT_AUTHOR_EMAIL: 'test@example.org', GIT_COMMITTER_NAME: 'test', GIT_COMMITTER_EMAIL: 'test@example.org' };

let repo: string;

function run(command: string, args: string[]) {
  const result = spawnSync(command, args, { cwd: repo, encoding: 'utf8', env: { ...process.env, ...GIT_ENV } });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

function git(...args: string[]) {
  const result = run('git', args);
  if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.output}`);
}

function commitOnMain(message: string) {
  git('add', '-A');
  git('commit', '-q', '-m', message);
}

function editCommands(from: string, to: string) {
  const file = join(repo, COMMANDS);
  const text = readFileSync(file, 'utf8');
  expect(text).toContain(from);
  writeFileSync(file, text.replace(from, to));
}

beforeEach(() => {
  repo = mkdtempSync(join(tmpdir(), 'vle-proto-check-'));
  for (const dir of ['proto', 'scripts', 'contract']) {
    if (existsSync(join(root, dir))) cpSync(join(root, dir), join(repo, dir), { recursive: true, filter: (p) => !p.endsWith('.spec.ts') });
  }
  symlinkSync(join(root, 'node_modules'), join(repo, 'node_modules'));
  git('init', '-q', '-b', 'main');
  commitOnMain('the contract as published');
});

afterEach(() => {
  rmSync(repo, { recursive: true, force: true });
});

describe('proto:check', () => {
  it('fails for a field renumbered in commands.proto and committed on main, naming the baseline', () => {
    editCommands('bool best_effort = 9;', 'bool best_effort = 11;');
    commitOnMain('renumber SubTaskSpec.best_effort');

    const check = run('node', ['scripts/proto-check.js']);

    expect(check.output).toContain('buf lint passed');
    expect(check.output).toMatch(/"9" with name "best_effort" on message "SubTaskSpec" was deleted/);
    expect(check.output).toContain('contract/v1-baseline');
    expect(check.status).toBe(1);
  });

  it('passes a new field added to a message, and says which baseline it compared with', () => {
    editCommands('uint32 timeout_seconds = 10', 'string note = 11;\n  uint32 timeout_seconds = 10');
    commitOnMain('add SubTaskSpec.note');

    const check = run('node', ['scripts/proto-check.js']);

    expect(check.output).toMatch(/buf breaking against contract\/v1-baseline .*passed/);
    expect(check.status).toBe(0);
  });

  it('passes the same break once proto:baseline made it the contract on purpose', () => {
    editCommands('bool best_effort = 9;', 'bool best_effort = 11;');
    expect(run('node', ['scripts/proto-check.js']).status).toBe(1);

    expect(run('node', ['scripts/proto-baseline.js']).status).toBe(0);
    const check = run('node', ['scripts/proto-check.js']);

    expect(readFileSync(join(repo, 'contract/v1-baseline/vle/tasks/v1/commands.proto'), 'utf8')).toContain('bool best_effort = 11;');
    expect(check.output).toMatch(/buf breaking against contract\/v1-baseline .*passed/);
    expect(check.output).toContain('the v1 baseline differs from the one on main (git diff main -- contract/v1-baseline)');
    expect(check.status).toBe(0);
  });
});

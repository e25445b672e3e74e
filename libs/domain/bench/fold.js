#!/usr/bin/env node
// The cost of a Task's life in the domain alone, per SubTask, as its size grows (issue 9): Tasks of
// 10, 100, 1,000 and 10,000 SubTasks, a fan-out (all independent) and a chain (each after the
// previous), created, then every SubTask queued, started and succeeded, one outcome per command, as
// the command handler runs them: decide on the folded state, then fold the decided events onto it,
// one evolve per event (what the handler does today) or one evolveAll per commit (where the build
// has it). Then the whole history folded again from nothing (a cache miss, a projection rebuild):
// by event, by commit, and all at once. No I/O, no NATS.
//
//   npm run build && node libs/domain/bench/fold.js [--sizes 10,100,1000,10000] [--domain <dist/index.js>]
//
// `--domain` points at another build of libs/domain (a copy of an older dist), so that two versions
// run back to back on the same machine: timings taken while other work runs are noisy.

import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { sizes: { type: 'string', default: '10,100,1000,10000' }, domain: { type: 'string' }, rounds: { type: 'string', default: '3' } } });
const domain = await import(values.domain ? pathToFileURL(values.domain).href : new URL('../dist/index.js', import.meta.url).href);
const { decide, evolve, initialState } = domain;
const sizes = values.sizes.split(',').map(Number);
const rounds = Number(values.rounds);

const TASK_ID = '0190a7e2-0000-7000-8000-000000000001';
const T0 = Date.parse('2026-11-22T10:00:00.000Z');
const idOf = (i) => `0190a7e2-1111-7000-8000-${String(i).padStart(12, '0')}`;

function createCommand(shape, n) {
  const subtasks = Array.from({ length: n }, (_, i) => ({
    id: idOf(i),
    key: `s${i}`,
    name: `step ${i}`,
    action: 'noop',
    queue: 'bench',
    dependsOn: shape === 'chain' && i > 0 ? [`s${i - 1}`] : [],
  }));
  // A build that creates large Tasks in parts gets task-api's commit size (MAX_CREATION_COMMIT_BYTES).
  const parts = domain.evolveAll ? { maxCommitBytes: 768 * 1024 } : {};
  return { type: 'CreateTask', taskId: TASK_ID, at: new Date(T0).toISOString(), actor: 'bench', name: `${shape} of ${n}`, createdBy: 'bench', idempotencyKey: `${shape}-${n}`, requestHash: 'h', subtasks, ...parts };
}

const byEvent = (state, events) => events.reduce(evolve, state);
const perCommit = domain.evolveAll ? (state, events) => domain.evolveAll(state, events) : undefined;

/** Runs the Task's whole life; returns the events of every commit and the time it took. */
function live(shape, n, foldCommit) {
  let clock = T0;
  const at = () => new Date(++clock).toISOString();
  let state = initialState;
  const commits = [];
  const queued = [];
  let head = 0;
  const handle = (command) => {
    const events = decide(command, state);
    state = foldCommit(state, events);
    if (events.length > 0) commits.push(events);
    for (const event of events) if (event.type === 'SubTaskQueued') queued.push(event.data.subTaskId);
    return events;
  };
  const started = process.hrtime.bigint();
  const create = createCommand(shape, n);
  // A Task too large for one commit is created in parts: the same create, handled until it is planned.
  while (handle({ ...create, at: at() }).length > 0 && state.status === 'planning');
  let seq = 0;
  while (head < queued.length) {
    const subTaskId = queued[head++];
    const attempt = { taskId: TASK_ID, actor: 'worker:bench', subTaskId, generation: 1, attempt: 1, deliveryId: `d-${subTaskId}` };
    handle({ type: 'RecordAttemptStarted', ...attempt, at: at(), jobId: `${subTaskId}:1`, queue: 'bench', jobSeq: ++seq });
    handle({ type: 'RecordSubTaskSucceeded', ...attempt, at: at(), responseCode: 'OK', responseMessage: 'noop' });
  }
  const ns = Number(process.hrtime.bigint() - started);
  if (state.status !== 'success' || state.subtasks.length !== n) throw new Error(`${shape} of ${n} ended ${state.status} with ${state.subtasks.length} SubTasks`);
  return { commits, ns };
}

function refold(commits, foldCommit) {
  const started = process.hrtime.bigint();
  let state = initialState;
  for (const events of commits) state = foldCommit(state, events);
  const ns = Number(process.hrtime.bigint() - started);
  if (state.status !== 'success') throw new Error(`refold ended ${state.status}`);
  return ns;
}

const wholeHistory = domain.evolveAll ? (commits) => refold([commits.flat()], perCommit) : undefined;

// Warm up first: the first lives would measure the JIT compiler, not the domain.
for (let i = 0; i < 30; i++) for (const shape of ['fan-out', 'chain']) live(shape, 100, perCommit ?? byEvent);

const rows = [];
for (const shape of ['fan-out', 'chain']) {
  for (const n of sizes) {
    // The best of a few rounds: the least disturbed by the other work on the machine.
    let best = { live: Infinity, liveByCommit: Infinity, byEvent: Infinity, perCommit: Infinity, whole: Infinity, commits: 0, events: 0 };
    for (let round = 0; round < rounds; round++) {
      const { commits, ns } = live(shape, n, byEvent);
      best = {
        live: Math.min(best.live, ns),
        liveByCommit: perCommit ? Math.min(best.liveByCommit, live(shape, n, perCommit).ns) : NaN,
        byEvent: Math.min(best.byEvent, refold(commits, byEvent)),
        perCommit: perCommit ? Math.min(best.perCommit, refold(commits, perCommit)) : NaN,
        whole: wholeHistory ? Math.min(best.whole, wholeHistory(commits)) : NaN,
        commits: commits.length,
        events: commits.reduce((sum, events) => sum + events.length, 0),
      };
    }
    const us = (ns) => (Number.isNaN(ns) ? '-' : (ns / 1000 / n).toFixed(2));
    rows.push({ shape, subtasks: n, commits: best.commits, events: best.events, 'life, evolve': us(best.live), 'life, evolveAll': us(best.liveByCommit), 'refold by event': us(best.byEvent), 'refold by commit': us(best.perCommit), 'refold at once': us(best.whole) });
  }
}
console.log('µs per SubTask, best of', rounds, 'rounds');
console.table(rows);

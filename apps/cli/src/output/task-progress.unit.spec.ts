import { describe, expect, it } from 'vitest';
import { fakeIo } from '../testing/fake-io.js';
import { taskItem } from '../testing/views.js';
import { Output } from './output.js';
import { outcomeLine, taskProgressView } from './task-progress.js';

const running = taskItem({ status: 'running', subtaskCounts: { finished: 2, total: 8, failed: 0 }, updatedAt: '2026-11-22T10:00:05.000Z' });
const failed = taskItem({ status: 'failed', subtaskCounts: { finished: 8, total: 8, failed: 1 }, finishedAt: '2026-11-22T10:00:04.500Z', updatedAt: '2026-11-22T10:00:04.500Z' });

describe('the progress of a watched Task', () => {
  it('in a pipe: a line per change of status or counts while it runs, then the outcome', () => {
    const io = fakeIo();
    const view = taskProgressView(new Output(io, { json: false, color: true }));
    view.update(running);
    view.update({ ...running, version: 8 });
    view.update({ ...running, status: 'retrying', subtaskCounts: { finished: 3, total: 8, failed: 0 } });
    view.update(failed);
    view.finish(failed);
    const lines = io.out.text.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} {2}running 2\/8 SubTasks$/);
    expect(lines[1]).toMatch(/ {2}retrying 3\/8 SubTasks$/);
    expect(lines[2]).toBe('failed: 8 of 8 SubTasks finished, 1 failed, in 3.5 s');
  });

  it('with --json: each state as a JSON line and nothing else', () => {
    const io = fakeIo({ tty: true });
    const view = taskProgressView(new Output(io, { json: true, color: true }));
    view.update(running);
    view.finish(failed);
    expect(io.out.text.trimEnd().split('\n').map((line) => JSON.parse(line))).toEqual([running]);
  });

  it('on a terminal: a bar redrawn in place with the status and counts, the cursor hidden meanwhile, then the outcome', () => {
    const io = fakeIo({ tty: true, columns: 120, env: { NO_COLOR: '1' } });
    const view = taskProgressView(new Output(io, { json: false, color: true }));
    view.update(running);
    view.finish({ ...failed, statusReason: null });
    const screen = io.out.text;
    expect(screen).toContain(`Task ${running.id}  ${running.name}\n`);
    expect(screen).toContain('\u001b[?25l');
    expect(screen).toContain('\u001b[?25h');
    expect(screen).toMatch(/● running +█{10}░{30} {2}2\/8 SubTasks/);
    expect(screen).toMatch(/✖ failed +█{40} {2}8\/8 \(1 failed\) SubTasks/);
    expect(screen.trimEnd().split('\n').at(-1)).toBe('✖ failed: 8 of 8 SubTasks finished, 1 failed, in 3.5 s');
  });

  it('names why a deadline ended a Task', () => {
    const out = new Output(fakeIo(), { json: false, color: false });
    expect(outcomeLine(taskItem({ ...failed, status: 'timed_out', statusReason: 'TASK_TIMEOUT' }), out)).toBe('timed_out (TASK_TIMEOUT): 8 of 8 SubTasks finished, 1 failed, in 3.5 s');
  });
});

import { describe, expect, it } from 'vitest';
import { WorkBook, type WorkItem } from './work-book.js';

const item = (id: string, phase = 'light'): WorkItem => ({ id, phase, submittedAt: 1, submittedWall: 1, units: 5 });

describe('WorkBook', () => {
  it('resolves a wait once the count of finished items of its phase is reached', async () => {
    const book = new WorkBook();
    book.add(item('a'));
    book.add(item('b'));
    book.add(item('c', 'saturation'));
    let resolved = false;
    const waiting = book.untilFinished('light', 2, 60_000).then(() => (resolved = true));
    book.finish('a', 10, true);
    book.finish('c', 11, true);
    await Promise.resolve();
    expect(resolved).toBe(false);
    book.finish('b', 12, true);
    await waiting;
    expect(book.of('light').map((t) => t.finishedAt)).toEqual([10, 12]);
  });

  it('counts a refusal as finished, so that a phase does not wait for it', async () => {
    const book = new WorkBook();
    book.refuse({ phase: 'light', index: 0, code: 'VALIDATION_FAILED', message: 'too many SubTasks' });
    await book.untilFinished('light', 1, 60_000);
    expect(book.refusals('light')).toHaveLength(1);
    expect(book.refusals('saturation')).toHaveLength(0);
  });

  it('keeps the first report of an item and ignores ids it never held', () => {
    const book = new WorkBook();
    book.add(item('a'));
    book.finish('a', 10, true);
    book.finish('a', 20, false);
    book.finish('unknown', 30, true);
    expect(book.get('a')).toMatchObject({ finishedAt: 10, ok: true });
    expect(book.finishedCount('light')).toBe(1);
  });

  it('says how many finished when a wait gives up', async () => {
    const book = new WorkBook();
    book.add(item('a'));
    await expect(book.untilFinished('light', 1, 1)).rejects.toThrow('light: only 0 of 1 finished within 0 s');
  });
});

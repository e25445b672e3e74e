import { describe, expect, it } from 'vitest';
import { Busy, CommandBudget } from './command-budget.js';

describe('CommandBudget', () => {
  it('refuses a command over the count or the bytes in flight, and takes it again once room is released', async () => {
    const budget = new CommandBudget({ maxCommands: 2, maxBytes: 1000 });
    const first = budget.take(600);
    expect(() => budget.take(600)).toThrow(Busy);
    const second = budget.take(300);
    expect(() => budget.take(1)).toThrow(/handling 2 commands \(900 bytes\) at once/);
    first();
    first();
    expect(() => budget.take(600)).not.toThrow();
    second();
  });

  it('takes one body larger than the whole byte budget when nothing else runs', async () => {
    const budget = new CommandBudget({ maxCommands: 4, maxBytes: 100 });
    expect(await budget.run(500, async () => 'ok')).toBe('ok');
    await expect(budget.run(10, async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(() => budget.take(100)).not.toThrow();
  });
});

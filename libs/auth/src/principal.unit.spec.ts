import { describe, expect, it } from 'vitest';
import { inScope, isScoped, type Principal, type TaskScope } from './principal.js';

const principal = (scope: TaskScope): Principal => ({ subject: 'alice', permissions: new Set(['tasks_read']), scope });

describe('inScope', () => {
  it('sees every Task without a scope', () => {
    expect(inScope(principal({}), { createdBy: 'bob', eventId: null })).toBe(true);
    expect(isScoped(principal({}))).toBe(false);
  });

  it('sees only its own Tasks with own', () => {
    expect(inScope(principal({ own: true }), { createdBy: 'alice' })).toBe(true);
    expect(inScope(principal({ own: true }), { createdBy: 'bob' })).toBe(false);
  });

  it('sees only the Tasks of its events with events (none without an event), and both rules together', () => {
    const p = principal({ events: ['42', '43'] });
    expect(inScope(p, { createdBy: 'bob', eventId: '42' })).toBe(true);
    expect(inScope(p, { createdBy: 'bob', eventId: '7' })).toBe(false);
    expect(inScope(p, { createdBy: 'bob', eventId: null })).toBe(false);
    expect(inScope(principal({ events: [] }), { createdBy: 'alice', eventId: '42' })).toBe(false);
    const both = principal({ own: true, events: ['42'] });
    expect(inScope(both, { createdBy: 'alice', eventId: '42' })).toBe(true);
    expect(inScope(both, { createdBy: 'bob', eventId: '42' })).toBe(false);
    expect(isScoped(both)).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import { formatProfileSummary, groupOf, summarizeProfile, type CpuProfile } from './profile-summary.js';

const frame = (functionName: string, url = '', lineNumber = 0) => ({ functionName, url, lineNumber });
const PROFILE: CpuProfile = {
  nodes: [
    { id: 1, callFrame: frame('(idle)') },
    { id: 2, callFrame: frame('getOption', 'file:///w/node_modules/@bufbuild/protobuf/dist/esm/x.js', 9) },
    { id: 3, callFrame: frame('decide', 'file:///w/libs/domain/dist/task/decide.js', 41) },
    { id: 4, callFrame: frame('writeBuffer', 'node:internal/net', 2) },
    { id: 5, callFrame: frame('(garbage collector)') },
  ],
  samples: [1, 2, 2, 3, 4, 5, 1],
  timeDeltas: [100, 300, 300, 200, 100, 100, 900],
};

describe('summarizeProfile', () => {
  it('adds up self time by package and by function, leaving idle out of the busy time', () => {
    const summary = summarizeProfile(PROFILE, 10);
    expect(summary.totalUs).toBe(2_000);
    expect(summary.busyUs).toBe(1_000);
    expect(summary.byGroup).toEqual([['@bufbuild/protobuf', 600], ['libs/domain', 200], ['node:internal', 100], ['(garbage collector)', 100]]);
    expect(summary.byFunction[0]).toEqual(['getOption  node_modules/@bufbuild/protobuf/dist/esm/x.js:10', 600]);
  });

  it('keeps the top rows only and prints shares of the busy time', () => {
    const text = formatProfileSummary('task-api.cpuprofile', summarizeProfile(PROFILE, 1));
    expect(text).toContain('== task-api.cpuprofile: 0.0 s sampled, 0.00 s busy');
    expect(text).toContain(' 60.0%  @bufbuild/protobuf');
    expect(text).not.toContain('libs/domain');
  });
});

describe('groupOf', () => {
  it('names a package, a workspace package, a node internal or the kind of a native frame', () => {
    expect(groupOf('file:///w/node_modules/pg/lib/client.js', 'query')).toBe('pg');
    expect(groupOf('file:///w/services/task-api/dist/main.js', 'x')).toBe('services/task-api');
    expect(groupOf('node:internal/streams/writable', 'x')).toBe('node:internal');
    expect(groupOf('', '(program)')).toBe('(program)');
    expect(groupOf('', 'JSON.parse')).toBe('(native)');
  });
});

import { describe, expect, it } from 'vitest';
import { colorsOf, colorsWanted, statusColor, statusText } from './style.js';

describe('colours', () => {
  it('are on a terminal only, never with --json, --no-color, NO_COLOR or TERM=dumb', () => {
    const base = { tty: true, json: false, color: true, env: {} };
    expect(colorsWanted(base)).toBe(true);
    expect(colorsWanted({ ...base, tty: false })).toBe(false);
    expect(colorsWanted({ ...base, json: true })).toBe(false);
    expect(colorsWanted({ ...base, color: false })).toBe(false);
    expect(colorsWanted({ ...base, env: { NO_COLOR: '1' } })).toBe(false);
    expect(colorsWanted({ ...base, env: { TERM: 'dumb' } })).toBe(false);
    // no-color.org: an empty NO_COLOR does not count.
    expect(colorsWanted({ ...base, env: { NO_COLOR: '' } })).toBe(true);
  });

  it('are asked for in a pipe with FORCE_COLOR, but never with --json or NO_COLOR', () => {
    const pipe = { tty: false, json: false, color: true, env: { FORCE_COLOR: '1' } };
    expect(colorsWanted(pipe)).toBe(true);
    expect(colorsWanted({ ...pipe, env: { FORCE_COLOR: '0' } })).toBe(false);
    expect(colorsWanted({ ...pipe, json: true })).toBe(false);
    expect(colorsWanted({ ...pipe, env: { FORCE_COLOR: '1', NO_COLOR: '1' } })).toBe(false);
  });
});

describe('statuses', () => {
  it('are a word, with a glyph on a terminal, and a colour only when colours are on', () => {
    expect(statusText('failed', true)).toBe('✖ failed');
    expect(statusText('success', false)).toBe('success');
    expect(statusColor('failed', colorsOf(true))('x')).toBe('\u001b[31mx\u001b[39m');
    expect(statusColor('failed', colorsOf(false))('x')).toBe('x');
    expect(statusText('a_status_of_later', true)).toBe('? a_status_of_later');
  });
});

// Colours and glyphs. Colours only on a terminal, never with --json, --no-color, NO_COLOR
// (no-color.org: set and not empty) or TERM=dumb; FORCE_COLOR asks for them in a pipe too (less -R),
// never with --json. A status is a word and a glyph on a terminal, never a colour alone.

import pc from 'picocolors';

export type Colors = ReturnType<typeof pc.createColors>;

export interface StyleChoice {
  readonly tty: boolean;
  readonly json: boolean;
  /** false with --no-color. */
  readonly color: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
}

export function colorsWanted({ tty, json, color, env }: StyleChoice): boolean {
  if (json || !color) return false;
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR && env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false') return true;
  return tty && env.TERM !== 'dumb';
}

export function colorsOf(enabled: boolean): Colors {
  return pc.createColors(enabled);
}

type Paint = keyof Pick<Colors, 'green' | 'yellow' | 'red' | 'cyan' | 'blue' | 'gray' | 'magenta'>;

/** Task and SubTask statuses: a glyph and a colour for each (the word is always shown). */
const STATUSES: Readonly<Record<string, readonly [glyph: string, paint: Paint]>> = {
  planning: ['◇', 'gray'],
  scheduled: ['◷', 'blue'],
  blocked: ['◌', 'gray'],
  queued: ['○', 'cyan'],
  running: ['●', 'cyan'],
  retrying: ['↻', 'yellow'],
  success: ['✔', 'green'],
  warning: ['▲', 'yellow'],
  failed: ['✖', 'red'],
  cancelling: ['⊘', 'magenta'],
  cancelled: ['⊘', 'magenta'],
  skipped: ['↷', 'yellow'],
  timed_out: ['⏱', 'red'],
};

export function statusGlyph(status: string): string {
  return STATUSES[status]?.[0] ?? '?';
}

/** The colour of a status. */
export function statusColor(status: string, colors: Colors): (text: string) => string {
  return colors[STATUSES[status]?.[1] ?? 'gray'];
}

/** `✔ success` on a terminal (in green when colours are on); `success` elsewhere. */
export function statusText(status: string, glyph: boolean): string {
  return glyph ? `${statusGlyph(status)} ${status}` : status;
}

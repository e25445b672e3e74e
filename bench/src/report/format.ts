// How a figure is written: a value with sensible digits, a distribution as p50 / p99, a spread over
// rounds as median (min–max).

import type { Spread, Summary } from '../stats/summary.js';

/** Digits by magnitude: 1234, 123, 12.3, 1.23. */
export function num(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '-';
  const abs = Math.abs(value);
  if (abs >= 100) return String(Math.round(value));
  if (abs >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

export function p50p99(summary: Summary | undefined): string {
  return summary?.n ? `${num(summary.p50)} / ${num(summary.p99)}` : '-';
}

export function spreadText(s: Spread | undefined): string {
  if (!s) return '-';
  return s.min === s.max ? num(s.median) : `${num(s.median)} (${num(s.min)}–${num(s.max)})`;
}

/** `a 1.2, b 3.4` of a record of figures. */
export function pairs(record: Readonly<Record<string, number | undefined>>, unit = ''): string {
  return Object.entries(record)
    .map(([k, v]) => `${k} ${num(v)}${unit}`)
    .join(', ');
}

export function yesNo(ok: boolean): string {
  return ok ? 'yes' : 'NO';
}

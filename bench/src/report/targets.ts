// The targets of the issue the figures serve: printed beside the figure, never asserted (a slow
// machine must not fail a run). Medians over the rounds; memory targets in MiB, as pod limits are.

import type { Spread } from '../stats/summary.js';
import type { CompareSummary } from './compare-summary.js';
import { spreadText } from './format.js';
import { table } from './table.js';

export interface TargetCheck {
  readonly target: string;
  readonly figure?: Spread;
  readonly met?: boolean;
}

const atMost = (target: string, figure: Spread | undefined, limit: number): TargetCheck => ({ target, figure, met: figure === undefined ? undefined : figure.median <= limit });
const atLeast = (target: string, figure: Spread | undefined, limit: number): TargetCheck => ({ target, figure, met: figure === undefined ? undefined : figure.median >= limit });

/** The worst service: the one with the highest median. */
function worst(record: Readonly<Record<string, Spread | undefined>>): Spread | undefined {
  return Object.values(record).reduce<Spread | undefined>((w, s) => (s && (!w || s.median > w.median) ? s : w), undefined);
}

export function compareTargets(s: CompareSummary): TargetCheck[] {
  const p = s.pipeline;
  return [
    atLeast('throughput ≥ 0.5× BullMQ FlowProducer Tasks/s (same run)', s.ratio, 0.5),
    atMost('light-load success p50 ≤ 10 ms', p.lightP50, 10),
    atMost('light-load success p99 ≤ 30 ms', p.lightP99, 30),
    atMost('projection lag p99 ≤ 100 ms at half the saturation rate', p.halfRateLagP99, 100),
    atMost('CPU per Task ≤ 3 ms summed over every process', p.cpuMsPerTask, 3),
    atMost('idle RSS ≤ 120 MiB per service (the highest)', worst(p.idleMiB), 120),
    atMost('RSS ≤ 256 MiB per service under load (the highest peak)', worst(p.peakMiB), 256),
  ];
}

export function formatTargets(checks: readonly TargetCheck[]): string {
  return table(
    ['target (printed, not asserted)', 'median (min–max)', 'met'],
    checks.map((c) => [c.target, spreadText(c.figure), c.met === undefined ? '-' : c.met ? 'yes' : 'no']),
  );
}

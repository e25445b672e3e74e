// What a pipeline phase measures: the figures every peer has (load/figures.ts) and the pipeline's
// own (the log, the stages, the projection, the backlog, the read model).

import type { LightFigures, PeerResult, SaturationFigures } from '../load/figures.js';
import type { Summary } from '../stats/summary.js';
import type { Census } from './census.js';
import type { FoldCounters } from './commit-fold.js';
import type { ProbeFigures } from './projection-probe.js';
import type { BacklogPeak, CheckpointFigures } from './samplers.js';
import type { Stage } from './stages.js';
import type { TelemetryFigures } from './telemetry.js';
import type { Checkout, PipelineService } from './checkout.js';
import type { Transport } from './task-submitter.js';

/** The pipeline of this checkout, or the baseline: the services of another checkout, run the same way. */
export type PipelinePeer = 'pipeline' | 'baseline';

export interface PipelinePhaseOptions {
  readonly peer: PipelinePeer;
  /** Whose services are booted. */
  readonly checkout: Checkout;
  readonly tasks: number;
  readonly concurrency: number;
  readonly lightTasks: number;
  readonly lightIntervalMs: number;
  readonly warmup: number;
  /** How long the booted services stay idle first (their idle RSS: the lowest meanwhile); 0: none. */
  readonly idleSettleMs: number;
  /** Tasks of the phase at half the saturation rate just measured (the projection's lag there); 0 skips it. */
  readonly halfRateTasks: number;
  readonly transport: Transport;
  readonly replicas: number;
  /** Run the light phases (light load and the projection probe); off for the replicas comparison. */
  readonly light: boolean;
  readonly census: boolean;
  readonly cpuProf: readonly PipelineService[];
  /** Date.now() by which every wait gives up. */
  readonly deadline: number;
  /** Run with the metrics scraped every scrapeIntervalMs and the traces exported (pipeline/telemetry.ts); off when absent. */
  readonly telemetry?: { readonly scrapeIntervalMs: number; readonly traces: boolean; readonly traceSampling: number; readonly tracesPerSecond?: number };
}

export interface PipelineLight extends LightFigures {
  readonly stagesMs: Record<Stage, Summary>;
}

export interface PipelineSaturation extends SaturationFigures {
  readonly commitsPerS: number;
  readonly commitsPerTask: number;
  readonly bytesPerTask: number;
  readonly stagesMs: Record<Stage, Summary>;
  readonly projection: CheckpointFigures;
  /** Undefined when no sample was answered (a checkout whose consumers have other names). */
  readonly backlogPeak?: BacklogPeak;
  readonly census?: Census;
}

export interface PipelineResult extends PeerResult {
  readonly peer: PipelinePeer;
  readonly checkout: Checkout;
  readonly transport: Transport;
  readonly replicas: number;
  readonly natsServer?: string;
  /** The Node.js the services ran on (the bench's own: they are spawned with its binary). */
  readonly node?: string;
  readonly light?: PipelineLight;
  readonly projectionProbe?: ProbeFigures;
  readonly saturation: PipelineSaturation;
  /** The probe again, at half the saturation rate. */
  readonly halfRate?: ProbeFigures;
  readonly readModel: { readonly successInReadModel: number; readonly successOnLog: number; readonly ok: boolean };
  /**
   * The projection's job repair over the phase, summed over its replicas: jobs it found missing (a lost
   * publish) and jobs it published again that JOBS had (a SubTask queued longer than the repair's wait).
   * Absent for a checkout without it.
   */
  readonly jobRepair?: { readonly repaired: number; readonly confirmed: number };
  readonly counters: FoldCounters & { readonly refused: number };
  readonly serviceLogLines: Readonly<Record<string, number>>;
  /** With PipelinePhaseOptions.telemetry: the scrapes and the OTLP exports of the phase. */
  readonly telemetry?: TelemetryFigures;
  readonly profiles?: string;
}

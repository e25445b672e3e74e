// Fault injection per web service function (`core_course_duplicate_course`) or for all of them
// (`*`; a function's own entry wins field by field). Draws come from one seeded PRNG in request
// order, so the same requests see the same faults.

import { seededRandom, type Random } from '../control/prng.js';

export interface FunctionFault {
  /** Answer this much later; the work is done when the answer goes out. */
  readonly delayMs?: number;
  /** Share of requests refused without doing the work. */
  readonly errorRate?: number;
  /** 'http': a 503 from the web server in front of Moodle; 'exception': HTTP 200 with a transient dmlwriteexception. */
  readonly errorMode?: 'http' | 'exception';
  /** Share of requests whose work is done but whose answer is held `hangMs`, then sent ('hang') or dropped ('reset'). */
  readonly timeoutRate?: number;
  readonly hangMs?: number;
  readonly timeoutMode?: 'hang' | 'reset';
}

export interface MoodleFaultConfig {
  readonly seed?: number;
  readonly functions?: Readonly<Record<string, FunctionFault>>;
}

export type RequestFault =
  | { readonly kind: 'none'; readonly delayMs: number }
  | { readonly kind: 'error'; readonly delayMs: number; readonly mode: 'http' | 'exception' }
  | { readonly kind: 'timeout'; readonly delayMs: number; readonly hangMs: number; readonly mode: 'hang' | 'reset' };

export const DEFAULT_SEED = 42;
export const DEFAULT_HANG_MS = 30_000;

export class MoodleFaults {
  private config: MoodleFaultConfig = {};
  private random: Random = seededRandom(DEFAULT_SEED);

  set(config: MoodleFaultConfig): void {
    this.config = config;
    this.random = seededRandom(config.seed ?? DEFAULT_SEED);
  }

  clear(): void {
    this.set({});
  }

  current(): MoodleFaultConfig {
    return this.config;
  }

  forRequest(wsfunction: string): RequestFault {
    const functions = this.config.functions ?? {};
    const fault: FunctionFault = { ...functions['*'], ...functions[wsfunction] };
    const delayMs = fault.delayMs ?? 0;
    if (this.draw(fault.errorRate)) return { kind: 'error', delayMs, mode: fault.errorMode ?? 'http' };
    if (this.draw(fault.timeoutRate)) return { kind: 'timeout', delayMs, hangMs: fault.hangMs ?? DEFAULT_HANG_MS, mode: fault.timeoutMode ?? 'hang' };
    return { kind: 'none', delayMs };
  }

  // No draw for a rate that is unset or 0: requests without faults leave the sequence where it is.
  private draw(rate: number | undefined): boolean {
    if (!rate) return false;
    return this.random.next() < rate;
  }
}

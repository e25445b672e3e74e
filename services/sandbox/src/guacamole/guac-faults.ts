// Fault injection for the simulated Guacamole, per endpoint (its route key, e.g.
// `POST /api/session/data/{dataSource}/users`) or for all of them (`*`; an endpoint's own entry wins
// field by field), plus an outage switch. Draws come from one seeded PRNG in request order, so the
// same requests see the same faults.

import { seededRandom, type Random } from '../control/prng.js';

export interface GuacEndpointFault {
  /** Answer this much later (the work is done when the answer goes out). */
  readonly delayMs?: number;
  /** Share of requests answered with an error, the work not done. */
  readonly errorRate?: number;
  /** Default 500 (INTERNAL_ERROR). */
  readonly errorStatus?: number;
  readonly errorMessage?: string;
  /** Share of requests whose work is done but whose answer is held `hangMs`, then sent or dropped. */
  readonly timeoutRate?: number;
  readonly hangMs?: number;
  /** 'hang': send the real answer after hangMs; 'reset': destroy the connection after hangMs. */
  readonly timeoutMode?: 'hang' | 'reset';
}

/** "Guacamole is down": every request (logins too) is refused until the outage is lifted. */
export interface GuacOutage {
  /** 'reset': close every connection without an answer; 'status': answer `status` (default 503). */
  readonly mode: 'reset' | 'status';
  readonly status?: number;
  readonly message?: string;
}

export interface GuacFaultConfig {
  readonly seed?: number;
  readonly endpoints?: Readonly<Record<string, GuacEndpointFault>>;
}

export type GuacRequestFault =
  | { readonly kind: 'none'; readonly delayMs: number }
  | { readonly kind: 'error'; readonly delayMs: number; readonly status: number; readonly message: string }
  | { readonly kind: 'timeout'; readonly delayMs: number; readonly hangMs: number; readonly mode: 'hang' | 'reset' };

export const DEFAULT_SEED = 42;
export const DEFAULT_HANG_MS = 30_000;

export class GuacFaults {
  private config: GuacFaultConfig = {};
  private outageOf?: GuacOutage;
  private random: Random = seededRandom(DEFAULT_SEED);

  set(config: GuacFaultConfig): void {
    this.config = config;
    this.random = seededRandom(config.seed ?? DEFAULT_SEED);
  }

  setOutage(outage: GuacOutage | undefined): void {
    this.outageOf = outage;
  }

  clear(): void {
    this.set({});
    this.outageOf = undefined;
  }

  current(): GuacFaultConfig & { outage?: GuacOutage } {
    return { ...this.config, ...(this.outageOf ? { outage: this.outageOf } : {}) };
  }

  outage(): GuacOutage | undefined {
    return this.outageOf;
  }

  forRequest(endpointKey: string): GuacRequestFault {
    const endpoints = this.config.endpoints ?? {};
    const fault: GuacEndpointFault = { ...endpoints['*'], ...endpoints[endpointKey] };
    const delayMs = fault.delayMs ?? 0;
    if (this.draw(fault.errorRate)) return { kind: 'error', delayMs, status: fault.errorStatus ?? 500, message: fault.errorMessage ?? 'Unexpected internal error.' };
    if (this.draw(fault.timeoutRate)) return { kind: 'timeout', delayMs, hangMs: fault.hangMs ?? DEFAULT_HANG_MS, mode: fault.timeoutMode ?? 'hang' };
    return { kind: 'none', delayMs };
  }

  // No draw for a rate that is unset or 0: requests without faults leave the sequence where it is.
  private draw(rate: number | undefined): boolean {
    if (!rate) return false;
    return this.random.next() < rate;
  }
}

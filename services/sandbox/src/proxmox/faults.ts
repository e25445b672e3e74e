// Fault injection for the simulated API, per endpoint (the schema key, e.g.
// `POST /nodes/{node}/qemu/{vmid}/clone`) or for all of them (`*`; an endpoint's own entry wins field
// by field). Every draw comes from one seeded PRNG, in request order, so a test that sends the same
// requests sees the same faults.

import { seededRandom, type Random } from '../control/prng.js';
import type { TaskType } from './pve-tasks.js';

export interface EndpointFault {
  /** Answer this much later (the work is done when the answer goes out). */
  readonly delayMs?: number;
  /** Share of requests answered with a transient error, the work not done. */
  readonly errorRate?: number;
  readonly errorStatus?: number;
  /** `{vmid}` and `{node}` are filled in. */
  readonly errorMessage?: string;
  /** Share of requests whose work is done but whose answer is held `hangMs`, then sent or dropped. */
  readonly timeoutRate?: number;
  readonly hangMs?: number;
  /** 'hang': send the real answer after hangMs; 'reset': destroy the connection after hangMs. */
  readonly timeoutMode?: 'hang' | 'reset';
  /** Share of tasks (UPIDs) that end with an error exit status instead of doing their work. */
  readonly taskFailureRate?: number;
  readonly taskFailureMessage?: string;
}

export interface Outage {
  /** 'status': answer every request with `status`/`message` (pveproxy's 595 when it cannot reach the node); 'reset': drop every connection. */
  readonly mode: 'status' | 'reset';
  readonly status?: number;
  readonly message?: string;
}

export interface FaultConfig {
  readonly seed?: number;
  readonly endpoints?: Readonly<Record<string, EndpointFault>>;
  readonly outage?: Outage;
}

export type RequestFault =
  | { readonly kind: 'none'; readonly delayMs: number }
  | { readonly kind: 'error'; readonly delayMs: number; readonly status: number; readonly text: string }
  | { readonly kind: 'timeout'; readonly delayMs: number; readonly hangMs: number; readonly mode: 'hang' | 'reset' };

export const DEFAULT_SEED = 42;
export const DEFAULT_HANG_MS = 30_000;

// pve-common Tools.pm lock_file_full, as the API answers it when a VM's lock file is busy; pveproxy's
// 595 (AnyEvent::HTTP) when it cannot reach the node the request is proxied to.
const DEFAULT_VM_ERROR = { status: 500, message: "can't lock file '/var/lock/qemu-server/lock-{vmid}.conf' - got timeout" };
const DEFAULT_ERROR = { status: 595, message: 'Connection refused' };

const DEFAULT_TASK_FAILURES: Record<TaskType, string> = {
  qmclone: "clone failed: can't lock file '/var/lock/pve-manager/pve-storage-local-lvm' - got timeout",
  qmdestroy: "can't lock file '/var/lock/qemu-server/lock-{vmid}.conf' - got timeout",
  qmstart: 'start failed: QEMU exited with code 1',
  qmstop: "can't lock file '/var/lock/qemu-server/lock-{vmid}.conf' - got timeout",
  qmshutdown: 'VM quit/powerdown failed - got timeout',
  qmreset: "can't lock file '/var/lock/qemu-server/lock-{vmid}.conf' - got timeout",
  qmigrate: 'migration aborted',
};

export class Faults {
  private config: FaultConfig = {};
  private random: Random = seededRandom(DEFAULT_SEED);

  set(config: FaultConfig): void {
    this.config = config;
    this.random = seededRandom(config.seed ?? DEFAULT_SEED);
  }

  clear(): void {
    this.set({});
  }

  current(): FaultConfig {
    return this.config;
  }

  outage(): Outage | undefined {
    return this.config.outage;
  }

  /** What happens to one request to `endpointKey`; path values fill the message templates. */
  forRequest(endpointKey: string, values: Readonly<Record<string, string>>): RequestFault {
    const fault = this.faultOf(endpointKey);
    const delayMs = fault.delayMs ?? 0;
    if (this.draw(fault.errorRate)) {
      const fallback = values.vmid === undefined ? DEFAULT_ERROR : DEFAULT_VM_ERROR;
      return { kind: 'error', delayMs, status: fault.errorStatus ?? fallback.status, text: fill(fault.errorMessage ?? fallback.message, values) };
    }
    if (this.draw(fault.timeoutRate)) {
      return { kind: 'timeout', delayMs, hangMs: fault.hangMs ?? DEFAULT_HANG_MS, mode: fault.timeoutMode ?? 'hang' };
    }
    return { kind: 'none', delayMs };
  }

  /** The exit status a task of this request ends with instead of "OK", if the draw says so. */
  taskFailure(endpointKey: string, type: TaskType, values: Readonly<Record<string, string>>): string | undefined {
    const fault = this.faultOf(endpointKey);
    if (!this.draw(fault.taskFailureRate)) return undefined;
    return fill(fault.taskFailureMessage ?? DEFAULT_TASK_FAILURES[type], values);
  }

  private faultOf(endpointKey: string): EndpointFault {
    const endpoints = this.config.endpoints ?? {};
    return { ...endpoints['*'], ...endpoints[endpointKey] };
  }

  // No draw for a rate that is unset or 0: requests without faults leave the sequence where it is.
  private draw(rate: number | undefined): boolean {
    if (!rate) return false;
    return this.random.next() < rate;
  }
}

function fill(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\{(\w+)\}/g, (all, name: string) => values[name] ?? all);
}

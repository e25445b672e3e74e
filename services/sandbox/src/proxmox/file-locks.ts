// The per-VM flock of qemu-server (/var/lock/qemu-server/lock-N.conf, PVE::AbstractConfig
// lock_config_full): a task waits for it up to a timeout (10 s for start/stop/destroy, 1 s for the
// clone target) and fails with pve-common Tools.pm lock_file_full's "can't lock file ... - got timeout".
// It is distinct from the config `lock:` property, which check_lock reports as "VM is locked (clone)".

import type { Clock, Timer } from './clock.js';

interface Waiter {
  readonly granted: () => void;
  readonly timer: Timer;
}

export const lockFileOf = (vmid: number): string => `/var/lock/qemu-server/lock-${vmid}.conf`;

export const lockTimeoutText = (vmid: number): string => `can't lock file '${lockFileOf(vmid)}' - got timeout`;

export class FileLocks {
  private readonly held = new Set<number>();
  private readonly waiters = new Map<number, Waiter[]>();

  constructor(private readonly clock: Clock) {}

  isHeld(vmid: number): boolean {
    return this.held.has(vmid);
  }

  /** Calls `granted` once the lock is ours (maybe at once), or `timedOut` after `timeoutMs`. */
  acquire(vmid: number, timeoutMs: number, granted: () => void, timedOut: () => void): void {
    if (!this.held.has(vmid)) {
      this.held.add(vmid);
      granted();
      return;
    }
    const queue = this.waiters.get(vmid) ?? [];
    const waiter: Waiter = {
      granted,
      timer: this.clock.schedule(timeoutMs, () => {
        this.waiters.set(vmid, (this.waiters.get(vmid) ?? []).filter((w) => w !== waiter));
        timedOut();
      }),
    };
    queue.push(waiter);
    this.waiters.set(vmid, queue);
  }

  release(vmid: number): void {
    const next = this.waiters.get(vmid)?.shift();
    if (!next) {
      this.held.delete(vmid);
      return;
    }
    next.timer.cancel();
    next.granted();
  }

  clear(): void {
    for (const queue of this.waiters.values()) for (const waiter of queue) waiter.timer.cancel();
    this.waiters.clear();
    this.held.clear();
  }
}

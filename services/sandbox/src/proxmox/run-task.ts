// One forked worker (PVE::RPCEnvironment fork_worker): the API returns the UPID at once; the worker
// then takes the VM's lock file, checks again under the lock, works for the type's duration and
// stops with "OK" or the text it died with.

import { exitTextOf, nodeOf, type ClusterContext, type CommandMeta, type TaskType } from './cluster-context.js';
import { lockTimeoutText } from './file-locks.js';

export interface TaskPlan {
  readonly node: string;
  readonly type: TaskType;
  /** The UPID's id field: the VM the task is about (the source VM for a clone). */
  readonly id: string;
  /** The VM whose lock file the worker holds; none for a task that needs no lock. */
  readonly lockVmid?: number;
  readonly lockWaitMs?: number;
  /** Checks under the lock; throws to fail, returns false when there is nothing to do ("OK" at once). */
  readonly begin?: () => boolean | void;
  /** The worker gives the lock file back after `begin` and works under the config lock alone (migrate). */
  readonly releaseAfterBegin?: boolean;
  /** The work's effect, at the end of the duration; throws to fail. */
  readonly complete: () => void;
  /** Undoes what the task left behind when it fails (a clone removes its half-made VM). */
  readonly onFailure?: () => void;
}

export function runTask(ctx: ClusterContext, plan: TaskPlan, meta: CommandMeta): string {
  const task = ctx.tasks.start(nodeOf(ctx, plan.node), plan.type, plan.id, meta.user);
  const release = (): void => {
    if (plan.lockVmid !== undefined) ctx.locks.release(plan.lockVmid);
  };
  const fail = (text: string): void => {
    plan.onFailure?.();
    ctx.tasks.finish(task, text);
  };

  const granted = (): void => {
    try {
      if (plan.begin?.() === false) {
        release();
        ctx.tasks.finish(task, 'OK');
        return;
      }
    } catch (error) {
      release();
      fail(exitTextOf(error));
      return;
    }
    let holding = true;
    if (plan.releaseAfterBegin) {
      release();
      holding = false;
    }
    const releaseHeld = (): void => {
      if (holding) release();
    };
    ctx.clock.schedule(ctx.timings[plan.type], () => {
      try {
        if (meta.injectedFailure !== undefined) throw new Error(meta.injectedFailure);
        plan.complete();
        releaseHeld();
        ctx.tasks.finish(task, 'OK');
      } catch (error) {
        releaseHeld();
        fail(exitTextOf(error));
      }
    });
  };

  if (plan.lockVmid === undefined) granted();
  else {
    const vmid = plan.lockVmid;
    ctx.locks.acquire(vmid, plan.lockWaitMs ?? ctx.timings.lockWaitMs, granted, () => fail(lockTimeoutText(vmid)));
  }
  return task.upid;
}

// Start, stop and reset a VM where it is now. Start and stop are idempotent: a VM already in the
// asked state counts as done (a redelivery after a lost answer, or a person who was quicker).
// Reset is not: Proxmox refuses to reset a stopped VM ("VM N not running"), and that refusal is the
// SubTask's answer.

import { existing, findTargetVm, isPveError, runPveTask, vmTargetParams, type PveErrorKind, type PveJobDeps } from '@vle/integrations';
import { defineHandler, type JobHandler } from '@vle/messaging';
import { z } from 'zod';

/** What planVmStart/Stop/Reset give the SubTask (`vmid`), a deploy's start (nothing: the clone's VM), an archive's stop (`vmName`, `ifExists`). */
const PowerParams = z.object({ ...vmTargetParams, ifExists: z.boolean().optional() });

type PowerCall = 'startVm' | 'stopVm' | 'resetVm';

interface PowerAction {
  readonly call: PowerCall;
  readonly verb: string;
  /** The state that makes the action a no-op, if any. */
  readonly reached?: 'running' | 'stopped';
  /** An error kind of Proxmox's that means the state was reached meanwhile. */
  readonly reachedKind?: PveErrorKind;
}

const ACTIONS = {
  start: { call: 'startVm', verb: 'started', reached: 'running', reachedKind: 'already_running' },
  stop: { call: 'stopVm', verb: 'stopped', reached: 'stopped', reachedKind: 'not_running' },
  reset: { call: 'resetVm', verb: 'reset' },
} as const satisfies Record<string, PowerAction>;

function createPowerHandler(deps: PveJobDeps, action: PowerAction): JobHandler {
  return defineHandler(PowerParams, async (params, _job, context) => {
    const target = await findTargetVm(deps, params, context);
    // An archive stops a participant's VM that a failed deploy may never have made: nothing to stop.
    if (!target.vm && action.reached === 'stopped' && params.ifExists === true) {
      return { responseCode: 'OK', responseMessage: `${target.label} does not exist: nothing to stop` };
    }
    const vm = existing(target);
    const { vmid } = vm;
    if (action.reached && vm.status === action.reached) return { responseCode: 'OK', responseMessage: `VM ${vmid} on ${vm.node} is already ${action.reached}` };
    try {
      const task = await runPveTask(deps, context, () => deps.pve[action.call](vm.node, vmid));
      return { responseCode: 'OK', responseMessage: `VM ${vmid} on ${vm.node} ${action.verb}: ${task.exitstatus}` };
    } catch (error) {
      if (action.reachedKind && isPveError(error) && error.kind === action.reachedKind) return { responseCode: 'OK', responseMessage: `VM ${vmid} on ${vm.node}: ${error.message}` };
      throw error;
    }
  });
}

export function createPowerHandlers(deps: PveJobDeps): Record<keyof typeof ACTIONS, JobHandler> {
  return { start: createPowerHandler(deps, ACTIONS.start), stop: createPowerHandler(deps, ACTIONS.stop), reset: createPowerHandler(deps, ACTIONS.reset) };
}

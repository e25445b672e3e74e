import type { QueueName } from '@vle/contracts';
import type { QueueHandlers } from '@vle/messaging';

/**
 * The handlers of vm-action-worker by queue and action. The Proxmox actions come with their issue; until then
 * a job on these queues fails at once with UNKNOWN_ACTION (visible on its SubTask), never silently.
 */
export function createHandlers(): Partial<Record<QueueName, QueueHandlers>> {
  return {};
}

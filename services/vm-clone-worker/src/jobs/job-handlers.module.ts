import { Module } from '@nestjs/common';
import { QUEUE_NAMES, QUEUE_OWNERS, type QueueName } from '@vle/contracts';

/** The queues this worker consumes (DESIGN §6; declared in @vle/contracts). */
export const OWNED_QUEUES: readonly QueueName[] = QUEUE_NAMES.filter((queue) => QUEUE_OWNERS[queue] === 'vm-clone-worker');

/**
 * Where the job handlers of vm-clone-worker (clone and delete VMs on Proxmox) are registered with the job runtime of
 * @vle/messaging, one per queue of OWNED_QUEUES. A handler is `(job, { heartbeat, signal }) => outcome`
 * or throws a classified error; only the runtime acks, naks or terms (STYLE.md). None is written yet.
 */
@Module({})
export class JobHandlersModule {}

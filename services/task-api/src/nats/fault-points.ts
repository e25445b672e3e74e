// Test-only fault points (TASK_API_FAULT, refused unless NODE_ENV=test): a crash at the one place
// that decides whether a redelivery repeats work. SIGKILL, not exit(): no shutdown hook, no drain,
// no ack flushed, exactly what a killed container leaves behind.

import type { TaskApiConfig } from '../config.js';

/** Called after a durable command was handled (its events appended) and before its ack. */
export type BeforeAckHook = () => void;

export function beforeAckFaultOf(config: Pick<TaskApiConfig, 'TASK_API_FAULT'>): BeforeAckHook | undefined {
  if (config.TASK_API_FAULT !== 'crash-after-append') return undefined;
  return () => {
    process.kill(process.pid, 'SIGKILL');
  };
}

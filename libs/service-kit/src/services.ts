// The services of DESIGN §2 and their default HTTP ports (DESIGN §12). Ports are overridable by PORT
// (one service per process) or <NAME>_PORT (SERVICE_ROLE=all, see services/all).

export const SERVICE_NAMES = [
  'task-api',
  'projection',
  'scheduler',
  'vm-clone-worker',
  'vm-action-worker',
  'integration-worker',
  'sandbox',
] as const;

export type ServiceName = (typeof SERVICE_NAMES)[number];

export const DEFAULT_PORTS = {
  'task-api': 3001,
  projection: 3002,
  scheduler: 3003,
  'vm-clone-worker': 3004,
  'vm-action-worker': 3005,
  'integration-worker': 3006,
  sandbox: 3009,
} as const satisfies Record<ServiceName, number>;

export function isServiceName(value: string): value is ServiceName {
  return (SERVICE_NAMES as readonly string[]).includes(value);
}

/** `vm-clone-worker` -> `VM_CLONE_WORKER_PORT`: the port variable of one service under SERVICE_ROLE=all. */
export function portVariableOf(service: ServiceName): string {
  return `${service.toUpperCase().replaceAll('-', '_')}_PORT`;
}

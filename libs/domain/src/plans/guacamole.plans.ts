// The Guacamole task types: one SubTask per connection on queue `guacamole`, so that each
// participant's remote desktop has its own attempts and errors. The params carry no password: the
// worker derives the participant's and the VM's from LAB_CREDENTIALS_KEY when it runs.

import { RuleViolation } from '../task/rule-violation.js';
import type { JsonObject } from '../task/events.js';
import type { Planner, PlanParams, PlannedDraft } from './task-plan.js';

const DEFAULT_PORTS: Readonly<Record<string, number>> = { rdp: 3389, vnc: 5900 };

const text = (entry: JsonObject, key: string): string | undefined => (typeof entry[key] === 'string' && entry[key] !== '' ? (entry[key] as string) : undefined);
const int = (entry: JsonObject, key: string): number | undefined => (typeof entry[key] === 'number' ? (entry[key] as number) : undefined);

function defined(fields: Record<string, string | number | undefined>): JsonObject {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as JsonObject;
}

/** The `connections` of the params; a connection named twice is refused (its SubTasks would race). */
function connectionsOf(params: PlanParams): JsonObject[] {
  const connections = Array.isArray(params.connections) ? (params.connections as JsonObject[]) : [];
  const seen = new Map<string, number>();
  connections.forEach((entry, i) => {
    const name = text(entry, 'connectionName')!;
    const first = seen.get(name);
    if (first !== undefined) throw new RuleViolation('INVALID_PARAMS', `params.connections[${i}].connectionName: "${name}" is listed twice (also connections[${first}])`, `params.connections[${i}].connectionName`);
    seen.set(name, i);
  });
  return connections;
}

function taskOf(verb: string, subtasks: PlannedDraft[]): { name: string; objectType?: 'connection'; objectId?: string; subtasks: PlannedDraft[] } {
  const single = subtasks.length === 1;
  return {
    name: single ? `${verb} Guacamole connection ${subtasks[0]!.objectId}` : `${verb} ${subtasks.length} Guacamole connections`,
    objectType: single ? 'connection' : undefined,
    objectId: single ? subtasks[0]!.objectId : undefined,
    subtasks,
  };
}

export const planGuacamoleProvision: Planner<PlanParams> = (params) => {
  const validUntil = typeof params.validUntil === 'string' && params.validUntil !== '' ? params.validUntil : undefined;
  const subtasks = connectionsOf(params).map((entry): PlannedDraft => {
    const connectionName = text(entry, 'connectionName')!;
    const protocol = text(entry, 'protocol')!;
    return {
      key: `provision-${connectionName}`,
      name: `Provision Guacamole connection ${connectionName} for ${text(entry, 'username')}`,
      action: 'provision',
      queue: 'guacamole',
      objectType: 'connection',
      objectId: connectionName,
      params: defined({
        username: text(entry, 'username'),
        fullName: text(entry, 'fullName'),
        connectionName,
        protocol,
        hostname: text(entry, 'hostname'),
        port: int(entry, 'port') ?? DEFAULT_PORTS[protocol],
        vmid: int(entry, 'vmid'),
        vmUsername: text(entry, 'vmUsername'),
        validUntil,
      }),
    };
  });
  return taskOf('Provision', subtasks);
};

export const planGuacamoleCleanup: Planner<PlanParams> = (params) => {
  const subtasks = connectionsOf(params).map((entry): PlannedDraft => {
    const connectionName = text(entry, 'connectionName')!;
    return {
      key: `cleanup-${connectionName}`,
      name: `Remove Guacamole connection ${connectionName} and user ${text(entry, 'username')}`,
      action: 'cleanup',
      queue: 'guacamole',
      objectType: 'connection',
      objectId: connectionName,
      params: defined({ username: text(entry, 'username'), connectionName }),
    };
  });
  return taskOf('Remove', subtasks);
};

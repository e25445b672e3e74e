// Names of cloned VMs. Proxmox takes a VM name only as a DNS name (pve-docs schema: format
// dns-name), so a pattern that cannot yield one is refused when the Task is created, not by the
// 30th clone.

import { RuleViolation } from '../task/rule-violation.js';

const PLACEHOLDER = /\{(index(?::(\d))?|event)\}/g;
const DNS_NAME = /^(([a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)\.)*([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)$/;

export function vmName(pattern: string, index: number, eventId: string | undefined, field: string): string {
  if (pattern.includes('{event}') && !eventId) throw new RuleViolation('INVALID_PARAMS', `${field} uses {event} but the Task has no eventId`, field);
  const name = pattern.replace(PLACEHOLDER, (_all, what: string, width?: string) => (what === 'event' ? eventId! : String(index).padStart(Number(width ?? 0), '0')));
  if (!DNS_NAME.test(name) || name.length > 63) {
    throw new RuleViolation('INVALID_PARAMS', `${field} "${pattern}" gives "${name}", which is not a DNS name (letters, digits and '-', at most 63 characters), as Proxmox requires`, field);
  }
  return name;
}

/** Whether the pattern names each VM differently (it has an {index}). */
export function namesEachVm(pattern: string): boolean {
  return /\{index(:\d)?\}/.test(pattern);
}
